"""The engine options of ``renown score`` (local or Spark)."""

from __future__ import annotations

from typing import Annotated

import typer

from renown.engines import Engine
from renown.interfaces.cli.common import fail

EngineOption = Annotated[str, typer.Option(
    "--engine", help="Where to compute: local (this machine) or spark (needs renown[spark]).")]
MasterOption = Annotated[str, typer.Option(
    "--master", help="With --engine spark: local[N], spark://host:7077, yarn or k8s://….")]
SourceOption = Annotated[str | None, typer.Option(
    "--input", help="With --engine spark: a `renown export --parquet` folder to score "
    "instead of the store's events.", show_default=False)]
TableOption = Annotated[str | None, typer.Option(
    "--events-table", help="With --engine spark: a Spark catalog table of events to score.",
    show_default=False)]
IdentitiesOption = Annotated[str | None, typer.Option(
    "--identities-table", help="With --events-table: a table of network, account, person_id.",
    show_default=False)]
OutputOption = Annotated[str | None, typer.Option(
    "--output", help="With --engine spark: also write the scores as Parquet here.",
    show_default=False)]

StateOption = Annotated[str | None, typer.Option(
    "--state", help="With --engine spark: keep the signals' per-day sums in this folder and "
    "read only the event partitions that changed since the last run (--input from "
    "`renown export --parquet DIR --by-day`, or the store); --full reads them all.",
    show_default=False)]

DriverEdgesOption = Annotated[int | None, typer.Option(
    "--driver-edges", min=0, help="With --engine spark: propagate on the driver when the graph "
    "has at most this many edges (default 20,000,000; 0: always on the cluster).",
    show_default=False)]


def make_engine(name: str, master: str, source: str | None, events_table: str | None,
                identities_table: str | None, output: str | None,
                state: str | None = None, driver_edges: int | None = None) -> Engine | None:
    """The engine the options ask for (None: the local default)."""
    if name == "local":
        if source or events_table or identities_table or output or state or \
                driver_edges is not None:
            fail("--input, --events-table, --identities-table, --output, --state and "
                 "--driver-edges need --engine spark", 2)
        return None
    if name != "spark":
        fail(f"--engine {name!r} is not one of local, spark", 2)
    if source and events_table:
        fail("--input and --events-table are alternatives: give one", 2)
    try:
        from renown.engines.spark.engine import SparkEngine  # (optional extra)
    except ImportError as exc:
        fail(f"--engine spark needs PySpark: pip install 'renown[spark]' ({exc})")
    if state and events_table:
        fail("--state reads a day-partitioned --input folder or the store, not --events-table",
             2)
    engine = SparkEngine(master=master, source=source, events_table=events_table,
                         identities_table=identities_table, output=output, state=state)
    if driver_edges is not None:
        engine.driver_edges = driver_edges
    return engine
