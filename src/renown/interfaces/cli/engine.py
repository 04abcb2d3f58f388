"""``renown export`` and the engine options of ``renown score``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from renown.engines import Engine
from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.store.export import export_parquet

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


def make_engine(name: str, master: str, source: str | None, events_table: str | None,
                identities_table: str | None, output: str | None) -> Engine | None:
    """The engine the options ask for (None: the local default)."""
    if name == "local":
        if source or events_table or identities_table or output:
            fail("--input, --events-table, --identities-table and --output need --engine spark",
                 2)
        return None
    if name != "spark":
        fail(f"--engine {name!r} is not one of local, spark", 2)
    if source and events_table:
        fail("--input and --events-table are alternatives: give one", 2)
    try:
        from renown.engines.spark.engine import SparkEngine  # (optional extra)
    except ImportError as exc:
        fail(f"--engine spark needs PySpark: pip install 'renown[spark]' ({exc})")
    return SparkEngine(master=master, source=source, events_table=events_table,
                       identities_table=identities_table, output=output)


def export_command(
    parquet: Annotated[Path, typer.Option(
        "--parquet", help="Folder to write events.parquet and identities.parquet into.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the store's scoring inputs as Parquet, for `renown score --engine spark --input`
    or spark-submit on a cluster (docs/scale.md)."""
    with store(db) as con:
        counts = export_parquet(con, parquet)
    if as_json:
        print_json({"folder": str(parquet), "rows": counts})
        return
    for name, rows in counts.items():
        console.print(f"Wrote {rows:,} rows to {parquet / name}")
