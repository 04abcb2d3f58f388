"""One new day on a 300-day window: the incremental update against a full run, side by side.

Run ``python benchmarks/bench_incremental.py [--quick] [--people N] [--workdir DIR] [--topics]``.

The world is `bench_score`'s simulated one (default 1,000,000 people, ≈11M
non-follow events), its events spread over 300 days (each event moved to day
``hash(event_id) mod 300`` at its own time of day: the graph is the
simulator's, the calendar a full window's) so that one new day is 1/300 of
the window, as the issue's target assumes.  Steps, each timed in this process:

1. the first 299 days ingested (bulk copy) and scored: the first run has no
   stored per-day sums, so it computes every day and stores them;
2. day 300 added, then ``score_day`` — incremental: it reads that day's events
   and the stored sums of the other 299 days;
3. ``score_day(full=True)`` on the same store — every day from its events.

Both runs of day 300 must give identical person scores (checked), and with
``--topics`` identical topic attributions and topic scores.  Topics are off
unless ``--topics``; with it, topic matching reuses the stored days
(`renown.scoring.topics.match_cache`) and the rest of the topic run reads
the window (docs/incremental.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import days_for, link_identities, quiet, simulated_world
from renown.scoring.run import score_day
from renown.store.database import connect

WINDOW_DAYS = 300


def spread_over_window(events: Path, target: Path) -> tuple[date, int]:
    """Write ``events`` with each event moved to one of 300 days; returns (last day, events)."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (
            WITH source AS (SELECT * FROM read_parquet('{events}')),
                 first AS (SELECT CAST(min(ts) AS DATE) AS day FROM source)
            SELECT source.* REPLACE (
                CAST(first.day AS TIMESTAMP)
                + to_days(CAST(hash(event_id) % {WINDOW_DAYS} AS INTEGER))
                + (ts - CAST(CAST(ts AS DATE) AS TIMESTAMP)) AS ts)
            FROM source, first
        ) TO '{target}' (FORMAT parquet)""")
    last, count = con.execute(
        f"SELECT CAST(max(ts) AS DATE), count(*) FROM read_parquet('{target}')").fetchall()[0]
    con.close()
    return last, int(count)


def load(con: duckdb.DuckDBPyConnection, events: Path, where: str) -> int:
    """Bulk-copy the (valid, simulated) events matching ``where`` into the store."""
    before = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    columns = ", ".join(pq.read_schema(events).names)
    con.execute(f"INSERT INTO events SELECT {columns}, 0 FROM read_parquet('{events}') "
                f"WHERE {where}")
    return int(con.execute("SELECT count(*) FROM events").fetchall()[0][0] - before)


def timed_score(con: duckdb.DuckDBPyConnection, day: date, *, full: bool,
                topics: bool) -> tuple[float, str]:
    started = time.perf_counter()
    info = score_day(con, day, topics=topics, full=full)
    return time.perf_counter() - started, "; ".join(filter(None, (info.signals, info.topics)))


def person_scores(con: duckdb.DuckDBPyConnection, day: date) -> list[tuple[str, float]]:
    return [(str(p), float(s)) for p, s in con.execute("""
        SELECT p.person_id, p.score FROM person_scores p JOIN score_runs r USING (run_id)
        WHERE r.as_of = ? ORDER BY p.person_id""", [day]).fetchall()]


def topic_results(con: duckdb.DuckDBPyConnection, day: date) -> list[tuple[object, ...]]:
    return con.execute("""
        SELECT t.person_id, t.topic, t.confidence, t.topic_score FROM topic_attributions t
        JOIN score_runs r USING (run_id) WHERE r.as_of = ? ORDER BY 1, 2""", [day]).fetchall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 20,000-person world")
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--topics", action="store_true", help="score topics too")
    args = parser.parse_args(argv)
    people = args.people or (20_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="renown-bench-incremental-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        world = simulated_world(folder, people, days_for(people), args.seed)
        spread = world.folder / "events-300-days.parquet"
        last, total = spread_over_window(world.events, spread)
        db = folder / f"incremental-{people}.duckdb"
        db.unlink(missing_ok=True)
        con = quiet(connect(db))
        history = load(con, spread, f"CAST(ts AS DATE) < DATE '{last}'")
        link_identities(con, world.folder / "identities.csv")
        print(f"world: {people:,} people, {total:,} events over {WINDOW_DAYS} days "
              f"(last day {last}); topics {'on' if args.topics else 'off'}")
        first_s, first_how = timed_score(con, last - timedelta(days=1), full=False,
                                         topics=args.topics)
        new = load(con, spread, f"CAST(ts AS DATE) = DATE '{last}'")
        incremental_s, incremental_how = timed_score(con, last, full=False, topics=args.topics)
        incremental_scores = person_scores(con, last), topic_results(con, last)
        full_s, full_how = timed_score(con, last, full=True, topics=args.topics)
        same = incremental_scores == (person_scores(con, last), topic_results(con, last))
        con.close()
    print(f"  first run, {history:,} events (stores every day): {first_s:7.1f} s  "
          f"[{first_how}]")
    print(f"  new day: {new:,} events ({new / total:.2%} of the window)")
    print(f"  incremental update:   {incremental_s:7.1f} s  [{incremental_how}]")
    print(f"  full run, same store: {full_s:7.1f} s  [{full_how}]")
    ratio = full_s / incremental_s
    print(f"  incremental is {ratio:.1f}x cheaper; person scores"
          f"{' and topics' if args.topics else ''} identical: {same}")
    print(f"requirement: one-day update at least 10x cheaper than a full run: "
          f"{'PASS' if ratio >= 10 else 'FAIL'} ({ratio:.1f}x)")
    print(f"requirement: one-day update under 5 s: "
          f"{'PASS' if incremental_s < 5 else 'FAIL'} ({incremental_s:.1f} s"
          f"{', topics included' if args.topics else ', without topics'})")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
