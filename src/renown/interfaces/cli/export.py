"""``renown export``: scores, history and topics to files; scoring inputs for Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, library, print_json
from renown.store.day_export import DayExport, export_by_day
from renown.store.export import TABLE_FORMATS, export_parquet

_FORMATS = ", ".join(TABLE_FORMATS)


def export_command(
    scores: Annotated[Path | None, typer.Option(
        "--scores", metavar="FILE", show_default=False,
        help=f"Every scored person: score, percentile, band, the points of each component, "
             f"per-network scores, model version. Format by name: {_FORMATS}.")] = None,
    history: Annotated[Path | None, typer.Option(
        "--history", metavar="FILE", show_default=False,
        help="Every stored daily score under the current model, with that day's "
             "percentile.")] = None,
    topics: Annotated[Path | None, typer.Option(
        "--topics", metavar="FILE", show_default=False,
        help="Every attributed topic: confidence, topic score, evidence counts.")] = None,
    parquet: Annotated[Path | None, typer.Option(
        "--parquet", metavar="DIR", show_default=False,
        help="Write the scoring inputs (events.parquet, identities.parquet) into DIR, for "
             "`renown score --engine spark --input` or spark-submit (docs/scale.md).")] = None,
    by_day: Annotated[bool, typer.Option(
        "--by-day", help="With --parquet: the events as DIR/events/day=YYYY-MM-DD/, rewriting "
        "only the days whose events changed since the last export into DIR, for incremental "
        "Spark runs (`renown score --engine spark --input DIR --state STATE`).")] = False,
    network: Annotated[str | None, typer.Option(
        help="With --scores: every account on this network instead of every person.",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        help="With --scores/--topics: the snapshot of this day (YYYY-MM-DD; default the "
             "newest).", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write scores, history or topics to Parquet, CSV or JSON Lines, or the scoring inputs
    as Parquet. Each file appears complete or not at all."""
    if by_day and parquet is None:
        fail("--by-day goes with --parquet DIR", code=2)
    if not any((scores, history, topics, parquet)):
        fail("say what to export: --scores FILE, --history FILE, --topics FILE or "
             "--parquet DIR", code=2)
    written: dict[str, dict[str, object]] = {}
    inputs: dict[str, int] = {}
    days: DayExport | None = None
    with library(db, read_only=True) as lib:
        if scores is not None:
            rows = lib.export_scores(scores, as_of=as_of, network=network)
            written["scores"] = {"file": str(scores), "rows": rows}
        if history is not None:
            written["history"] = {"file": str(history), "rows": lib.export_history(history)}
        if topics is not None:
            rows = lib.export_topics(topics, as_of=as_of)
            written["topics"] = {"file": str(topics), "rows": rows}
        if parquet is not None and by_day:
            days = export_by_day(lib.connection, parquet)
            written["inputs"] = {"folder": str(parquet), "days": days.days,
                                 "days_written": days.written, "days_removed": days.removed,
                                 "events_written": days.events_written}
        elif parquet is not None:
            inputs = export_parquet(lib.connection, parquet)
            written["inputs"] = {"folder": str(parquet), "rows": inputs}
    if as_json:
        print_json(written)
        return
    for what, info in written.items():
        if what != "inputs":
            console.print(f"Wrote {info['rows']:,} {what} rows to {info['file']}")
    for name, n in inputs.items():
        console.print(f"Wrote {n:,} rows to {written['inputs']['folder']}/{name}")
    if days is not None:
        console.print(f"Wrote {days.describe()}")
