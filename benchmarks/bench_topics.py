"""Topics speed: loading ontologies, and what topics add to a score run.

Run ``python benchmarks/bench_topics.py [--quick] [--people N] [--days D]``.

* **Ontologies**: the Klout Topic Ontology release (8,033 topics, 13,446
  edges, 47,930 display names) parsed from its CSV files, five times
  (requirement: < 2 s); the built-in ontology parsed from package data.
* **Higgs** (real data, no text: topics find nothing, so this is their fixed
  cost): `compute_scores` and then `topic_layer` on the same connection, as
  `score_day` runs them.
* **A simulated world** (texts and hashtags on every post; default 20,000
  people over 30 days): the same, with the topic stages timed one by one
  (matching, evidence, attribution, topic scores, evidence posts) and the
  counts behind them.

Figures on a shared machine vary; the last line gives the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from renown.scoring.pipeline import compute_scores
from renown.scoring.registry import ensure_current
from renown.scoring.run import latest_event_day
from renown.scoring.snapshots import day_end
from renown.scoring.topics import compute as topic_compute
from renown.scoring.topics.default import default_ontology
from renown.scoring.topics.klout import load_klout
from renown.scoring.topics.snapshot import topic_layer
from renown.simulation import simulate
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
KLOUT = SHARED / "klout-topics"
HIGGS = SHARED / "higgs" / "higgs-activity_time.txt.gz"
STAGES = ("match_posts", "build_post_evidence", "build_candidates", "build_evidence",
          "attributions", "_scores",
          "weigh_endorsements", "_evidence_posts")


def bench_ontologies(repeats: int = 5) -> list[str]:
    lines = []
    if KLOUT.exists():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            ontology = load_klout(KLOUT)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        lines.append(f"Klout ontology: {len(ontology):,} topics, {len(ontology.edges):,} edges; "
                     f"load min {min(times):.2f} s, median {median:.2f} s over {repeats} "
                     f"(< 2 s: {'PASS' if median < 2 else 'FAIL'})")
    else:
        lines.append(f"Klout ontology: not measured ({KLOUT} absent)")
    started = time.perf_counter()
    builtin = default_ontology.__wrapped__()
    lines.append(f"built-in ontology: {len(builtin)} topics, parsed in "
                 f"{time.perf_counter() - started:.2f} s")
    return lines


def machine_line() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"(cpu cores: {os.cpu_count()}, load average {load}, duckdb {duckdb.__version__}, "
            f"numpy {np.__version__}, python {sys.version.split()[0]})")


def _timed_stages(timings: dict[str, float]) -> Callable[[], None]:
    """Time the topic stages (wrapping `compute`'s names); returns an undo."""
    originals = {name: getattr(topic_compute, name) for name in STAGES}

    def undo() -> None:
        for name, function in originals.items():
            setattr(topic_compute, name, function)

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        return timed

    for name, function in originals.items():
        setattr(topic_compute, name, wrap(name, function))
    return undo


def score_with_topics(db: Path, case: str) -> list[str]:
    con = connect(db)
    con.execute("SET enable_progress_bar = false")
    model = ensure_current(con)
    as_of = day_end(latest_event_day(con))
    started = time.perf_counter()
    run = compute_scores(con, as_of, model)
    scores_s = time.perf_counter() - started
    timings: dict[str, float] = {}
    undo = _timed_stages(timings)
    started = time.perf_counter()
    layer = topic_layer(con, run)
    topics_s = time.perf_counter() - started
    undo()
    results = layer.results
    con.close()
    stages = ", ".join(f"{name.strip('_')} {seconds:.2f}" for name, seconds in timings.items())
    return [f"{case}: compute_scores {scores_s:.2f} s; topic_layer {topics_s:.2f} s "
            f"(+{100 * topics_s / scores_s:.0f}%)",
            f"{case}:   {results.matched_posts:,} posts matched, "
            f"{results.attributions.num_rows:,} attributions in "
            f"{len(set(results.attributions['topic'].to_pylist()))} topics",
            f"{case}:   stages: {stages}"]


def bench_higgs(folder: Path) -> list[str]:
    if not HIGGS.exists():
        return [f"higgs: not measured ({HIGGS} absent)"]
    db = folder / "higgs.duckdb"
    con = connect(db)
    ingest(con, HIGGS, "higgs")
    con.close()
    return score_with_topics(db, "higgs")


def bench_world(folder: Path, people: int, days: int) -> list[str]:
    world = folder / "world"
    simulate(people, days, 7, world)
    db = folder / "world.duckdb"
    con = connect(db)
    ingest(con, world / "events.parquet", "events")
    link_accounts(con, read_identity_file(world / "identities.csv"))
    con.close()
    return score_with_topics(db, f"world {people:,}p/{days}d")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 5,000-person world")
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--skip-higgs", action="store_true")
    args = parser.parse_args(argv)
    people = args.people or (5_000 if args.quick else 20_000)
    lines = bench_ontologies()
    with tempfile.TemporaryDirectory(prefix="renown-bench-topics-") as tmp:
        if not args.skip_higgs:
            lines += bench_higgs(Path(tmp))
        lines += bench_world(Path(tmp), people, args.days)
    print("\n".join(lines))
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
