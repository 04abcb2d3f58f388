"""``renown score | top | show | explain | history``: computing and reading scores."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from renown.engines import Engine
from renown.interfaces.cli.audience import audience_score
from renown.interfaces.cli.common import (
    DbOption,
    JsonOption,
    console,
    fail,
    library,
    print_json,
    store,
)
from renown.interfaces.cli.engine import (
    DriverEdgesOption,
    EngineOption,
    IdentitiesOption,
    MasterOption,
    OutputOption,
    SourceOption,
    StateOption,
    TableOption,
    make_engine,
)
from renown.interfaces.cli.render import print_explanation, sparkline
from renown.scoring.model import Model
from renown.scoring.percentiles import format_percentile
from renown.scoring.queries import (
    PersonNotFoundError,
    resolve_person,
)
from renown.scoring.run import NothingToScoreError, backfill, latest_event_day, score_day
from renown.scoring.snapshots import SnapshotInfo

DateOption = Annotated[str | None, typer.Option(help="A day, YYYY-MM-DD.", show_default=False)]
PersonArg = Annotated[str, typer.Argument(help="Person id, network:account, or account.")]


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date (expected YYYY-MM-DD)", code=2)


def person_or_fail(con: duckdb.DuckDBPyConnection, text: str) -> str:
    try:
        return resolve_person(con, text)
    except PersonNotFoundError as exc:
        fail(str(exc))


def compact(value: float) -> str:
    """A number in at most ~6 characters: 0.42, 37.5, 7.2k, 1.3M."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.0f}k"
    if magnitude >= 1e3:
        return f"{value / 1e3:.1f}k"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}" if magnitude < 10 else f"{value:.1f}"


def score_command(
    person: Annotated[str | None, typer.Argument(
        help="With --audience: the person to score and explain within it.",
        show_default=False)] = None,
    audience: Annotated[str | None, typer.Option(
        "--audience", help="Influence within an audience: FILE (network,account or person "
        "ids), topic:SLUG or network:NAME. Computed, not stored.", show_default=False)] = None,
    as_of: DateOption = None,
    backfill_range: Annotated[tuple[str, str] | None, typer.Option(
        "--backfill", help="Fill daily history from FROM to TO (YYYY-MM-DD YYYY-MM-DD).",
        show_default=False)] = None,
    model_file: Annotated[Path | None, typer.Option(
        "--model", help="Score with this model TOML instead of the current one.")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="With --backfill: recompute days that already have a snapshot.")
    ] = False,
    full: Annotated[bool, typer.Option(
        "--full", help="Compute every day's signals from the events instead of reusing the "
        "per-day sums earlier runs stored (the scores are the same).")] = False,
    topics: Annotated[bool, typer.Option(
        "--topics/--no-topics", help="Also attribute topics and score them (on text-heavy "
        "data several times the score's own time).")] = True,
    engine: EngineOption = "local",
    master: MasterOption = "local[2]",
    source: SourceOption = None,
    events_table: TableOption = None,
    identities_table: IdentitiesOption = None,
    output: OutputOption = None,
    state: StateOption = None,
    driver_edges: DriverEdgesOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score everyone as of a day (default: the day of the newest event) and store the snapshot.

    With --engine spark the scores are computed on Spark (--master), from the
    store or from --input / --events-table, and stored the same way.

    With --audience: scores within that audience (computed on demand, not
    stored), the most influential in it, or PERSON's score explained.
    """
    if audience is not None or person is not None:
        if audience is None:
            fail("PERSON needs --audience (for the stored score use `renown show PERSON`)", 2)
        if backfill_range is not None or model_file is not None or replace or not topics:
            fail("--audience scores with the current model for one day: it takes no "
                 "--backfill, --model, --replace or --no-topics", 2)
        return audience_score(person, audience, parse_day(as_of, "--as-of"), db, as_json)
    model = _load_model(model_file)
    chosen = make_engine(engine, master, source, events_table, identities_table, output,
                         state, driver_edges)
    with store(db) as con:
        try:
            if backfill_range is not None:
                start = parse_day(backfill_range[0], "--backfill")
                end = parse_day(backfill_range[1], "--backfill")
                assert start is not None and end is not None
                infos = _backfill_with_progress(con, start, end, model, quiet=as_json,
                                                replace=replace, topics=topics, engine=chosen,
                                                full=full)
            else:
                infos = [score_day(con, parse_day(as_of, "--as-of"), model, chosen,
                                   topics=topics, full=full)]
        except (NothingToScoreError, ValueError) as exc:
            fail(str(exc))
    if as_json:
        print_json([asdict(i) for i in infos])
        return
    for info in infos[-1:]:
        console.print(f"Scored [bold]{info.people:,}[/] people ({info.accounts:,} accounts) "
                      f"as of [bold]{info.as_of}[/] with model {info.model_version}"
                      + (f"; {len(infos)} daily snapshots stored" if len(infos) > 1 else ""))
        for line in (info.signals, info.topics):
            if line:
                console.print(f"  {line}")


def _load_model(path: Path | None) -> Model | None:
    if path is None:
        return None
    try:
        return Model.load(path)
    except ValueError as exc:
        fail(str(exc))


def _backfill_with_progress(con: duckdb.DuckDBPyConnection, start: date, end: date,
                            model: Model | None, *, quiet: bool, replace: bool,
                            topics: bool, engine: Engine | None,
                            full: bool) -> list[SnapshotInfo]:
    days = (end - start).days + 1
    with Progress(TextColumn("scoring history"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=console, disable=quiet,
                  transient=True) as progress:
        task = progress.add_task("", total=max(days, 0))
        return backfill(con, start, end, model, replace=replace, topics=topics, engine=engine,
                        full=full,
                        on_day=lambda info: progress.update(task, advance=1,
                                                            description=str(info.as_of)))


def top_command(
    network: Annotated[str | None, typer.Option(help="Rank by score on one network.")] = None,
    topic: Annotated[str | None, typer.Option(
        help="Rank by influence within a topic (slug); people attributed it or a narrower "
             "topic.", show_default=False)] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many people.")] = 20,
    offset: Annotated[int, typer.Option(
        min=0, help="Skip this many people first (page through everyone; `renown export "
                    "--scores FILE` writes them all).")] = 0,
    as_of: DateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The leaderboard: people by score, overall, on one network, or within a topic."""
    if topic is not None:
        if network is not None:
            fail("--topic and --network cannot be combined", code=2)
        if offset:
            fail("--offset pages the overall and network leaderboards, not --topic", code=2)
        from renown.interfaces.cli.topics import topic_top  # the topics CLI imports this module
        topic_top(topic, limit, as_of, db, as_json)
        return
    with library(db, read_only=True) as lib:
        rows = lib.top(limit, offset=offset, network=network, as_of=parse_day(as_of, "--as-of"))
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title="Renown leaderboard" + (f" — {network}" if network else ""))
    for column in ("#", "person", "score", "percentile", "networks", "distinct reactors"):
        table.add_column(column, justify="left" if column in ("person", "networks")
                         else "right")
    for r in rows:
        name = f"{r.person_id} ({r.display_name})" if r.display_name else r.person_id
        table.add_row(str(r.rank), name, f"{r.score:.1f}", format_percentile(r.percentile),
                      r.networks, f"{r.reactors:,}")
    console.print(table)


def show_command(
    person: PersonArg,
    as_of: DateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A person's score, band, percentile, changes, and score per network with its parts."""
    with library(db, read_only=True) as lib:
        summary = lib.person(person, as_of=parse_day(as_of, "--as-of"))
    if as_json:
        print_json(asdict(summary))
        return
    deltas = "  ".join(f"{k} {v:+.1f}" if v is not None else f"{k} n/a"
                       for k, v in summary.deltas.items())
    console.print(f"[bold]{summary.person_id}[/]  score [bold]{summary.score:.1f}[/] "
                  f"({summary.band}, percentile {format_percentile(summary.percentile)})  "
                  f"as of {summary.as_of}, model {summary.model_version}")
    console.print(f"change: {deltas}")
    table = Table(caption="reach, amplification, network: effective people")
    for column in ("account", "score", "points", "reach", "ampl.", "netw.", "reactors",
                   "posts"):
        table.add_column(column, justify="left" if column == "account" else "right")
    for n in summary.networks:
        table.add_row(f"{n.network}:{n.account}", f"{n.score:.1f}", f"{n.points:.1f}",
                      compact(n.reach), compact(n.amplification), compact(n.network_value),
                      compact(n.reactors), compact(n.posts))
    console.print(table)
    if summary.offline_points:
        console.print(f"offline credentials: +{summary.offline_points:.1f} points")


def explain_command(
    person: PersonArg,
    since: DateOption = None,
    as_of: DateOption = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="Evidence rows to list.")] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The parts that add up to a score, the people and posts behind them, and what changed."""
    with library(db, read_only=True) as lib:
        result = lib.explain(person, since=parse_day(since, "--since"),
                             as_of=parse_day(as_of, "--as-of"), top=top)
    if as_json:
        print_json(asdict(result))
        return
    print_explanation(result)


def history_command(
    person: PersonArg,
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A person's stored daily scores, each with that day's percentile (fill them with
    `renown score --backfill`)."""
    with library(db, read_only=True) as lib:
        person_id = lib.resolve(person)
        rows = lib.history(person_id, start=parse_day(start, "--from"),
                           end=parse_day(end, "--to")).to_pylist()
    if as_json:
        print_json([{k: r[k] for k in ("as_of", "score", "percentile", "model_version")}
                    for r in rows])
        return
    if not rows:
        fail(f"no stored scores for {person_id}: run `renown score --backfill FROM TO`")
    scores = [float(r["score"]) for r in rows]
    console.print(f"[bold]{person_id}[/]  {sparkline(scores)}  "
                  f"{scores[0]:.1f} → {scores[-1]:.1f}")
    table = Table()
    for column in ("day", "score", "change", "percentile", "model"):
        table.add_column(column, justify="left" if column in ("day", "model") else "right")
    previous: float | None = None
    for row in rows:
        score = float(row["score"])
        change = "" if previous is None else f"{score - previous:+.1f}"
        table.add_row(str(row["as_of"]), f"{score:.1f}", change,
                      format_percentile(float(row["percentile"])), str(row["model_version"]))
        previous = score
    console.print(table)


def latest_day(con: duckdb.DuckDBPyConnection) -> date:
    try:
        return latest_event_day(con)
    except NothingToScoreError as exc:
        fail(str(exc))
