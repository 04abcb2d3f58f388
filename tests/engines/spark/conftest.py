"""One local Spark session for the Spark engine's tests (starting one takes ~10-20 s).

Without PySpark or Java the tests skip, saying why, unless
RENOWN_REQUIRE_SHARED_DATA=1 (CI), where they must run and so fail instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def spark_missing() -> str | None:
    """Why the Spark engine cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home).is_dir()):
        return "Java (17 or 21) is not installed: Spark runs on the JVM"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip, saying why; in CI (RENOWN_REQUIRE_SHARED_DATA=1) fail instead."""
    if os.environ.get("RENOWN_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(f"RENOWN_REQUIRE_SHARED_DATA=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    reason = spark_missing()
    if reason is not None:
        skip_or_fail(reason)
    from renown.engines.spark.session import spark_session

    session = spark_session("local[2]", app_name="renown-tests",
                            conf={"spark.sql.shuffle.partitions": "2",
                                  "spark.driver.memory": "1g"})
    try:
        yield session
    finally:
        session.stop()
