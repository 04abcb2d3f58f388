"""Spark sessions for Renown: the settings the engine relies on, and sensible local defaults.

Only the session time zone matters for correctness (UTC: store timestamps are
naive UTC); the rest keep a local or test session light.  A cluster job gets
its master and resources from ``spark-submit`` instead (see docs/scale.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from pyspark.sql import SparkSession

#: Settings a scoring run needs in any session (set for the run, then restored).
REQUIRED_CONF: Final = {"spark.sql.session.timeZone": "UTC"}


def local_conf(cores: int) -> dict[str, str]:
    """Settings for a one-machine session: few shuffle partitions, no UI."""
    return {
        "spark.sql.shuffle.partitions": str(max(cores, 2)),
        "spark.default.parallelism": str(max(cores, 2)),
        "spark.ui.enabled": "false",
        # Loopback: a sandbox or container whose host name does not resolve still works.
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        # Not ./spark-warehouse in whatever folder the command runs from.
        "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "renown-spark-warehouse"),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.adaptive.enabled": "false",  # its re-planning costs more than it saves per step
        "spark.driver.memory": os.environ.get("RENOWN_SPARK_DRIVER_MEMORY", "2g"),
        # Python workers run this interpreter, which has renown and pyarrow.
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }


def spark_session(master: str | None = "local[2]", app_name: str = "renown",
                  conf: Mapping[str, str] | None = None) -> SparkSession:
    """A session for ``master`` (``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://…``).

    ``master=None`` leaves it to ``spark-submit``.  A ``local[N]`` master gets
    `local_conf`; ``conf`` overrides anything.
    """
    builder = SparkSession.builder.appName(app_name)
    settings: dict[str, str] = dict(REQUIRED_CONF)
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            settings.update(local_conf(_local_cores(master)))
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def required_settings(spark: SparkSession) -> Iterator[None]:
    """Apply `REQUIRED_CONF` to a user's session for one run, then put theirs back."""
    previous: dict[str, str | None] = {key: spark.conf.get(key, None) for key in REQUIRED_CONF}
    for key, value in REQUIRED_CONF.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, old in previous.items():
            if old is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, old)


def _local_cores(master: str) -> int:
    """N of ``local[N]`` (``local[*]``: this machine's cores; ``local``: 1)."""
    inside = master[master.find("[") + 1:master.find("]")] if "[" in master else "1"
    if inside.startswith("*"):
        return os.cpu_count() or 1
    try:
        return max(int(inside.split(",")[0]), 1)
    except ValueError:
        return 1
