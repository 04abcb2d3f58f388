"""``renown ingest`` and ``renown status``: getting data in, seeing what is there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from renown.interfaces.cli.common import (
    DbOption,
    JsonOption,
    console,
    fail,
    print_json,
    store,
)
from renown.sources import (
    FORMATS,
    SourceError,
    SourceOptions,
    detect_format,
    get_source,
    matching_formats,
)
from renown.store.database import scalar
from renown.store.ingest import IngestReport, ingest, ingest_folder


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help=f"Input format: {', '.join(FORMATS)}. Default: detected from "
                               "each input's content (the command says what it detected).",
        show_default=False)] = None,
    network: Annotated[str | None, typer.Option(
        help="Network to file the events under (formats that do not say).")] = None,
    kind: Annotated[str | None, typer.Option(
        help="Interaction kind, for formats whose lines do not say (snap-temporal).")] = None,
    strict: Annotated[bool, typer.Option(
        help="Exit non-zero if any record was quarantined.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest files into the store: idempotent, all-or-nothing per file, bad rows quarantined."""
    if fmt is not None and fmt not in FORMATS:
        fail(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    options = SourceOptions(network=network, kind=kind)
    reports: list[IngestReport] = []
    with store(db) as con:
        for path in paths:
            if _is_folder_of_files(path, fmt):
                reports.extend(_ingest_folder(con, path, fmt, options, quiet=as_json))
            else:
                reports.append(_ingest_one(con, path, fmt or _detect(path, quiet=as_json),
                                           options, quiet=as_json))
    if as_json:
        print_json([r.__dict__ if hasattr(r, "__dict__") else r for r in reports])
    else:
        _print_reports(reports)
    if any(r.error for r in reports):
        raise typer.Exit(1)
    if strict and any(r.quarantined for r in reports):
        raise typer.Exit(3)


def _is_folder_of_files(path: Path, fmt: str | None) -> bool:
    """A folder whose files are each an input: a file format's folder, or no folder format's."""
    if not path.is_dir():
        return False
    if fmt is not None:
        return get_source(fmt).EXPECTS_FOLDER is False
    try:
        return not matching_formats(path)
    except SourceError as exc:
        fail(str(exc))


def _ingest_folder(con: duckdb.DuckDBPyConnection, path: Path, fmt: str | None,
                   options: SourceOptions, *, quiet: bool) -> list[IngestReport]:
    """Each file of the folder on its own, all or nothing, with one summary for all."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
                  console=console, transient=True, disable=quiet) as progress:
        def on_file(file: Path, file_fmt: str) -> Callable[[int], None]:
            task = progress.add_task(f"ingesting {file} ({file_fmt})", total=None)
            return lambda n: progress.update(task, completed=n)

        try:
            return ingest_folder(con, path, fmt, options, on_file)
        except SourceError as exc:
            fail(f"{exc} (nothing from this input was stored)")


def _detect(path: Path, *, quiet: bool) -> str:
    try:
        fmt = detect_format(path)
    except SourceError as exc:
        fail(str(exc))
    if not quiet:
        console.print(f"{path}: detected format [bold]{fmt}[/]")
    return fmt


def _ingest_one(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, options: SourceOptions, *, quiet: bool
) -> IngestReport:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                  TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
                  console=console, transient=True, disable=quiet) as progress:
        task = progress.add_task(f"ingesting {path}", total=None)
        try:
            return ingest(con, path, fmt, options,
                          on_progress=lambda n: progress.update(task, completed=n))
        except SourceError as exc:
            fail(f"{exc} (nothing from this input was stored)")


def _print_reports(reports: list[IngestReport]) -> None:
    table = Table(title="Ingestion summary")
    for column in ("input", "records", "ingested", "duplicates", "quarantined", "seconds"):
        table.add_column(column, justify="left" if column == "input" else "right",
                         overflow="fold" if column == "input" else "ellipsis")
    for r in reports:
        if r.error:
            table.add_row(r.path, "-", "[red]failed[/]", "-", "-", f"{r.seconds:.2f}")
        elif r.already_ingested:
            table.add_row(r.path, "-", "already ingested", "-", "-", f"{r.seconds:.2f}")
        else:
            table.add_row(r.path, f"{r.records:,}", f"{r.ingested:,}", f"{r.duplicates:,}",
                          f"{r.quarantined:,}", f"{r.seconds:.2f}")
    if len(reports) > 1:
        table.add_row(f"[bold]total ({len(reports)} inputs)[/]",
                      *(f"{sum(getattr(r, f) for r in reports):,}"
                        for f in ("records", "ingested", "duplicates", "quarantined")),
                      f"{sum(r.seconds for r in reports):.2f}")
    console.print(table)
    for r in reports:
        if r.error:
            console.print(f"[red]{r.error}[/] (nothing from this file was stored)")
    opted_out = sum(r.opted_out for r in reports)
    if opted_out:
        console.print(f"{opted_out:,} records dropped: their actor or subject asked to be "
                      "forgotten (renown forget)")
    if any(r.quarantined for r in reports):
        console.print("Quarantined records and their reasons: "
                      "[bold]renown status --quarantine[/]")


def status_command(
    quarantine: Annotated[bool, typer.Option(
        "--quarantine", help="List quarantined records with file, record and reason.")] = False,
    scores: Annotated[bool, typer.Option(
        "--scores", help="Show how the current scores are distributed.")] = False,
    limit: Annotated[int, typer.Option(help="Rows to list with --quarantine.")] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What is in the database: events per network and kind, accounts, ingestions."""
    with store(db, read_only=True) as con:
        summary = _status(con)
        if quarantine:
            summary["quarantine"] = [
                dict(zip(("file", "record", "reason", "raw"), row, strict=True))
                for row in con.execute(
                    "SELECT file, record, reason, raw FROM quarantine "
                    "ORDER BY ingestion_id, file, record LIMIT ?", [limit]).fetchall()
            ]
        if scores:
            from renown.scoring.queries import score_distribution  # SciPy: only when asked

            try:
                summary["scores"] = asdict(score_distribution(con))
            except LookupError as exc:
                fail(str(exc))
    if as_json:
        print_json(summary)
        return
    _print_status(summary)


def _status(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    per_network = con.execute(
        "SELECT network, kind, count(*), min(ts), max(ts) FROM events "
        "GROUP BY ALL ORDER BY network, count(*) DESC").fetchall()
    return {
        "events": int(scalar(con, "SELECT count(*) FROM events")),
        "accounts": int(scalar(con, "SELECT count(*) FROM accounts")),
        "people_declared": int(scalar(con, "SELECT count(*) FROM people")),
        "identity_links": int(scalar(con, "SELECT count(*) FROM identities")),
        "quarantined": int(scalar(con, "SELECT count(*) FROM quarantine")),
        "ingestions": int(scalar(con, "SELECT count(*) FROM ingestions")),
        "by_network_kind": [
            {"network": n, "kind": k, "events": c, "first": lo, "last": hi}
            for n, k, c, lo, hi in per_network
        ],
    }


def _print_status(summary: dict[str, object]) -> None:
    console.print(
        f"[bold]{summary['events']:,}[/] events, [bold]{summary['accounts']:,}[/] accounts, "
        f"{summary['people_declared']:,} declared people ({summary['identity_links']:,} links), "
        f"{summary['ingestions']:,} ingestions, {summary['quarantined']:,} quarantined records")
    table = Table(title="Events by network and kind")
    for column in ("network", "kind", "events", "first", "last"):
        table.add_column(column, justify="right" if column == "events" else "left")
    for row in summary["by_network_kind"]:  # type: ignore[attr-defined]
        table.add_row(row["network"], row["kind"], f"{row['events']:,}",
                      str(row["first"]), str(row["last"]))
    console.print(table)
    if "scores" in summary:
        _print_distribution(summary["scores"])  # type: ignore[arg-type]
    if "quarantine" in summary:
        q = Table(title="Quarantine")
        for column in ("file", "record", "reason", "raw"):
            q.add_column(column, overflow="fold")
        for row in summary["quarantine"]:  # type: ignore[attr-defined]
            q.add_row(row["file"], str(row["record"]), row["reason"], (row["raw"] or "")[:80])
        console.print(q)


def _print_distribution(dist: dict[str, Any]) -> None:
    console.print(f"\nScores as of [bold]{dist['as_of']}[/] (model {dist['model_version']}): "
                  f"{dist['people']:,} people, {dist['with_audience']:,} with an audience "
                  "(at least one person reacted)")
    table = Table(title="Score distribution")
    table.add_column("")
    for name in dist["quantiles_all"]:
        table.add_column(name, justify="right")
    for label, key in (("everyone", "quantiles_all"), ("with an audience", "quantiles_audience")):
        table.add_row(label, *(f"{v:.1f}" for v in dist[key].values()))
    console.print(table)
    console.print("bands: " + ", ".join(f"{name} {n:,}" for name, n in dist["bands"].items()))
