"""Scoring speed and memory end to end: Higgs, and a simulated 1M-person / 10M-event world.

Run ``python benchmarks/bench_score.py [--quick] [--people N] [--days D] [--workdir DIR]``.

What is measured, and why (DESIGN.md §5 promises tens of millions of events and
millions of people on a laptop; the issue sets the targets):

* **Higgs** (real data, 563,069 events): ingestion into a fresh DuckDB file is
  timed on its own, then `renown.scoring.run.score_day` (signals, propagation,
  combining, writing the snapshot) with its per-stage timings.  Target: the
  whole ``score_day`` under 10 s on 2 cores.
* **A simulated world** (`renown.simulation.simulate`, default 1,000,000 people
  over 4 days): ingested with the ``events`` source, identities linked, then
  scored the same way.  Targets: ``score_day`` under 60 s and peak memory of
  the scoring process under 4 GB.  The simulator writes about 34 ``follow``
  events per person whatever the number of days (the follow graph); follows
  weigh nothing in the model (not a reaction) and would make any 1M-person
  world ≥ 34M events, so they are dropped and the days chosen so that the
  remaining events are ≈ 10M.  Identities are bulk-inserted with SQL (the
  rows `renown.store.people.link_accounts` writes; it links row by row, about
  4 ms a link, too slow for 200,000 links in a benchmark).

Each scoring runs in a fresh child process (``multiprocessing`` spawn) so its
peak resident memory (``VmHWM`` of that process: see `peak_rss_bytes`) is the
scoring's alone; a psutil sampler in the child also records the peak per stage.  With
``--memory-limit`` (e.g. ``3GB``) the world is scored a second time with
DuckDB's ``memory_limit`` set, to show what bounding DuckDB's buffer pool does.
``--quick`` scores Higgs and a 10,000-person world (< 30 s).  Before each timed
step the script waits (at most 30 s; not with ``--quick``) for the CPUs to be
idle, so that other work on a shared machine inflates the figures less.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from renown.simulation import simulate
from renown.store.database import connect, utc_now
from renown.store.ingest import ingest

HIGGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "higgs" / \
    "higgs-activity_time.txt.gz"
#: Non-follow events the simulator writes per person per day (measured: 2.64-2.75).
EVENTS_PER_PERSON_DAY = 2.75
GIB = 1024**3


@dataclass
class ScoreResult:
    """What one scoring child reports back."""

    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    stage_peak_bytes: dict[str, int] = field(default_factory=dict)
    peak_bytes: int = 0
    iterations: int = 0
    people: int = 0
    accounts: int = 0
    duckdb_memory_limit: str = ""
    error: str = ""


# -- the simulated world ---------------------------------------------------------------

@dataclass
class World:
    """A simulated world on disk, its reactions-only event file and how long each step took."""

    folder: Path
    people: int
    days: int
    seed: int
    events_written: int
    follows_dropped: int
    events: Path
    simulate_seconds: float | None  # None: reused from an earlier run
    filter_seconds: float


def days_for(people: int, target_events: int = 10_000_000) -> int:
    """Days of simulated activity that give about ``target_events`` non-follow events."""
    return max(1, round(target_events / (EVENTS_PER_PERSON_DAY * people)))


def simulated_world(workdir: Path, people: int, days: int, seed: int) -> World:
    """Simulate (or reuse) a world and write its events without follows to one Parquet file."""
    folder = workdir / f"world-{people}-{days}-{seed}"
    simulate_seconds: float | None = None
    if not (folder / "events.parquet").exists():
        started = time.perf_counter()
        simulate(people, days, seed, folder)
        simulate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    source = pq.ParquetFile(folder / "events.parquet")
    target = folder / "events-no-follows.parquet"
    kept = dropped = 0
    with pq.ParquetWriter(target, source.schema_arrow) as writer:
        for group in range(source.num_row_groups):
            table = source.read_row_group(group)
            reactions = table.filter(pc.not_equal(table["kind"], "follow"))
            kept += reactions.num_rows
            dropped += table.num_rows - reactions.num_rows
            writer.write_table(reactions)
    return World(folder, people, days, seed, kept + dropped, dropped, target, simulate_seconds,
                 time.perf_counter() - started)


def link_identities(con: duckdb.DuckDBPyConnection, identities: Path) -> int:
    """The simulator's identity links, bulk-inserted (the rows `link_accounts` writes)."""
    now = utc_now()
    source = f"read_csv('{identities}', header = true, all_varchar = true)"
    con.execute("BEGIN TRANSACTION")
    con.execute(f"INSERT INTO people (person_id, created_at) SELECT DISTINCT person_id, ? "
                f"FROM {source} ON CONFLICT (person_id) DO NOTHING", [now])
    con.execute(f"INSERT INTO accounts (network, account) SELECT DISTINCT network, account "
                f"FROM {source} ON CONFLICT (network, account) DO NOTHING")
    con.execute(f"INSERT INTO identities SELECT network, account, person_id, ? FROM {source}",
                [now])
    con.execute("COMMIT")
    return int(con.execute("SELECT count(*) FROM identities").fetchall()[0][0])


def fast_load(con: duckdb.DuckDBPyConnection, events: Path) -> int:
    """Copy a (valid, simulated) Parquet event file straight into ``events``: no validation.

    For benchmarks whose subject is the graph, not ingestion.
    """
    columns = ", ".join(pq.read_schema(events).names)
    con.execute(f"INSERT INTO events SELECT {columns}, 0 FROM read_parquet('{events}')")
    return int(con.execute("SELECT count(*) FROM events").fetchall()[0][0])


# -- scoring in a child process -------------------------------------------------------------

#: Longest wait for an idle machine before a timed step (`settle`); --quick sets 0.
SETTLE_MAX_S = {"value": 30.0}


def settle(max_wait_s: float | None = None, busy_percent: float = 25.0) -> float:
    """Wait (at most ``max_wait_s``) until the machine is idle; returns the seconds waited.

    On a shared machine other people's work inflates timings; starting each
    timed step when the CPUs are idle makes runs comparable.
    """
    import psutil

    limit = SETTLE_MAX_S["value"] if max_wait_s is None else min(max_wait_s,
                                                                 SETTLE_MAX_S["value"])
    started = time.perf_counter()
    while (time.perf_counter() - started < limit
           and psutil.cpu_percent(interval=0.2) > busy_percent):
        pass
    return time.perf_counter() - started


def _score_child(db: str, memory_limit: str | None, connection: Any) -> None:
    """Child process body: score the latest day of ``db``; send a ScoreResult back."""
    import psutil

    import renown.scoring.pipeline as pipeline
    import renown.scoring.run as run

    result = ScoreResult()
    stage = ["open"]
    stop = threading.Event()
    process = psutil.Process()

    def sample() -> None:
        while not stop.is_set():
            rss = process.memory_info().rss
            result.stage_peak_bytes[stage[0]] = max(result.stage_peak_bytes.get(stage[0], 0), rss)
            stop.wait(0.02)

    def labelled(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            stage[0] = name
            return function(*args, **kwargs)
        return wrapper

    # Observe, don't change: label the stages for the memory sampler and keep
    # the ScoreRun's own timings.
    pipeline.build_signals = labelled("signals", pipeline.build_signals)
    pipeline._node_table = labelled("propagation", pipeline._node_table)
    pipeline._accounts = labelled("combine", pipeline._accounts)
    run.write_snapshot = labelled("write snapshot", run.write_snapshot)
    topic_layer = labelled("topics", run.topic_layer)

    def timed_topics(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        layer = topic_layer(*args, **kwargs)
        result.stages["topics"] = time.perf_counter() - started
        return layer

    run.topic_layer = timed_topics
    compute = run.compute_scores

    def compute_and_keep(*args: Any, **kwargs: Any) -> Any:
        scored = compute(*args, **kwargs)
        result.stages.update(scored.timings)
        result.iterations = scored.propagation_iterations
        return scored

    run.compute_scores = compute_and_keep
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        con = quiet(connect(db))
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        result.duckdb_memory_limit = str(
            con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        started = time.perf_counter()
        info = run.score_day(con)
        result.seconds = time.perf_counter() - started
        result.people, result.accounts = info.people, info.accounts
        result.stages["write snapshot"] = result.seconds - sum(result.stages.values())
        con.close()
    except Exception as exc:  # reported, not raised: the parent prints it
        result.error = f"{type(exc).__name__}: {exc}"
    stop.set()
    sampler.join()
    result.peak_bytes = peak_rss_bytes()
    connection.send(result)
    connection.close()


def peak_rss_bytes() -> int:
    """This process's peak resident memory since it started its program.

    ``VmHWM`` from /proc, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over
    fork and exec, so a child spawned by a big parent would report the
    parent's size.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No DuckDB progress bars in the benchmark's output."""
    con.execute("SET enable_progress_bar = false")
    return con


def score_in_child(db: Path, memory_limit: str | None = None) -> ScoreResult:
    """Score ``db`` in a fresh spawned process; its own peak RSS is the scoring's."""
    settle()
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_score_child, args=(str(db), memory_limit, sender))
    child.start()
    sender.close()
    try:
        result: ScoreResult = receiver.recv()
    except EOFError:  # the child died (out of memory?) before reporting
        result = ScoreResult(error=f"scoring process died (exit code {child.exitcode})")
    child.join()
    if result.error and not result.peak_bytes:
        # The largest finished child so far: an upper bound for this one.
        result.peak_bytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return result


# -- reporting ------------------------------------------------------------------------------

@dataclass
class Row:
    case: str
    step: str
    seconds: float | None
    detail: str = ""


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def score_rows(case: str, result: ScoreResult, target_s: float,
               target_bytes: int | None) -> tuple[list[Row], list[str]]:
    """Table rows for one scoring, and the requirement lines it decides."""
    if result.error:
        return [Row(case, "score_day", None, f"failed: {result.error}")], [
            f"{case}: scoring failed ({result.error})"]
    rows = [Row(case, "score_day (total)", result.seconds,
                f"{result.people:,} people, {result.accounts:,} accounts; "
                f"peak RSS {result.peak_bytes / GIB:.2f} GiB")]
    for stage in ("signals", "propagation", "combine", "topics", "write snapshot"):
        detail = f"peak RSS {result.stage_peak_bytes.get(stage, 0) / GIB:.2f} GiB"
        if stage == "propagation":
            detail += f", {result.iterations} iterations"
        rows.append(Row(case, f"  {stage}", result.stages.get(stage), detail))
    # The targets are the score's (`renown score --no-topics`); topics are reported beside
    # it, without a target of their own (docs/topics.md §7 has their cost and the plan).
    topics_s = result.stages.get("topics") or 0.0
    score_s = result.seconds - topics_s
    score_peak = max((b for stage, b in result.stage_peak_bytes.items() if stage != "topics"),
                     default=result.peak_bytes)
    checks = [f"{case}: score_day without topics {score_s:.1f} s < {target_s:.0f} s: "
              f"{_verdict(score_s < target_s)} (with topics {result.seconds:.1f} s, "
              f"peak {result.peak_bytes / GIB:.2f} GiB: no target)"]
    if target_bytes is not None:
        within = score_peak < target_bytes
        checks.append(f"{case}: peak memory without topics {score_peak / GIB:.2f} GiB < "
                      f"{target_bytes / GIB:.0f} GiB (DuckDB memory_limit "
                      f"{result.duckdb_memory_limit}): {_verdict(within)}")
    return rows, checks


def print_table(rows: list[Row]) -> None:
    width = max(len(r.case) for r in rows) + 2
    print(f"\n{'case':<{width}}{'step':<22}{'seconds':>9}  detail")
    for r in rows:
        seconds = f"{r.seconds:9.2f}" if r.seconds is not None else f"{'-':>9}"
        print(f"{r.case:<{width}}{r.step:<22}{seconds}  {r.detail}")


def machine_line() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"(cpu cores: {os.cpu_count()}, load average {load}, duckdb {duckdb.__version__}, "
            f"numpy {np.__version__}, python {sys.version.split()[0]})")


# -- the two cases --------------------------------------------------------------------------

def bench_higgs(folder: Path) -> tuple[list[Row], list[str]]:
    """Ingest Higgs into a fresh store (timed alone), then score it in a child process."""
    case = "higgs"
    if not HIGGS.exists():
        print(f"skipping Higgs: {HIGGS} is not present (../shared/data sits beside the project)")
        return [], [f"{case}: not measured (data absent)"]
    db = folder / "higgs.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = quiet(connect(db))
    settle()
    started = time.perf_counter()
    report = ingest(con, HIGGS, "higgs")
    ingest_s = time.perf_counter() - started
    con.close()
    rows = [Row(case, "ingest", ingest_s, f"{report.ingested:,} events "
                f"({report.ingested / ingest_s:,.0f}/s)")]
    result = score_in_child(db)
    more, checks = score_rows(case, result, 10.0, None)
    return rows + more, checks


def bench_world(folder: Path, people: int, days: int, seed: int,
                memory_limit: str | None) -> tuple[list[Row], list[str]]:
    """Simulate, ingest with the events source, link identities, score (and re-score bounded)."""
    case = f"world {people:,}p/{days}d"
    print(f"simulated world: people={people:,} days={days} seed={seed} "
          f"(≈{EVENTS_PER_PERSON_DAY * people * days / 1e6:.1f}M non-follow events expected)")
    world = simulated_world(folder, people, days, seed)
    rows = [
        Row(case, "simulate", world.simulate_seconds,
            f"{world.events_written:,} events written" + (
                "" if world.simulate_seconds is not None else " (reused)")),
        Row(case, "drop follows", world.filter_seconds,
            f"{world.follows_dropped:,} follows dropped, "
            f"{world.events_written - world.follows_dropped:,} events kept"),
    ]
    db = folder / f"world-{people}-{days}-{seed}.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = quiet(connect(db))
    settle()
    started = time.perf_counter()
    report = ingest(con, world.events, "events")
    ingest_s = time.perf_counter() - started
    rows.append(Row(case, "ingest", ingest_s,
                    f"{report.ingested:,} events ({report.ingested / ingest_s:,.0f}/s), "
                    f"{report.quarantined:,} quarantined"))
    started = time.perf_counter()
    links = link_identities(con, world.folder / "identities.csv")
    rows.append(Row(case, "link identities", time.perf_counter() - started,
                    f"{links:,} links (bulk SQL)"))
    con.close()
    result = score_in_child(db)
    more, checks = score_rows(case, result, 60.0, 4 * GIB)
    if people < 1_000_000:
        checks = [f"{line}  (a {people:,}-person world: the targets are for 1,000,000)"
                  for line in checks]
    rows += more
    if memory_limit:
        bounded = score_in_child(db, memory_limit)
        more, bounded_checks = score_rows(f"{case} [duckdb {memory_limit}]", bounded, 60.0,
                                          4 * GIB)
        rows += more
        checks += bounded_checks
    return rows, checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="Higgs and a 10,000-person world (< 30 s)")
    parser.add_argument("--people", type=int, default=None,
                        help="simulated people (default 1,000,000; 10,000 with --quick)")
    parser.add_argument("--days", type=int, default=None,
                        help="simulated days (default: enough for ≈10M events; 7 with --quick)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory-limit", default=None,
                        help="also score the world with this DuckDB memory_limit (e.g. 3GB)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep files here and reuse a simulated world already there")
    parser.add_argument("--skip-higgs", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        SETTLE_MAX_S["value"] = 0.0
    people = args.people or (10_000 if args.quick else 1_000_000)
    days = args.days or (7 if args.quick else days_for(people))
    rows: list[Row] = []
    checks: list[str] = []
    with tempfile.TemporaryDirectory(prefix="renown-bench-score-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.skip_higgs:
            more, more_checks = bench_higgs(folder)
            rows += more
            checks += more_checks
        more, more_checks = bench_world(folder, people, days, args.seed, args.memory_limit)
        rows += more
        checks += more_checks
    print_table(rows)
    print("\nrequirements:")
    for line in checks:
        print(f"  {line}")
    print(f"\n{machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
