"""The Spark engine beside the local engine on a simulated world, and Spark from 1 to 2 cores.

Run ``python benchmarks/bench_spark.py [--events 10000000] [--cores 1 2] [--workdir DIR]``
(needs ``pip install -e '.[spark,bench]'`` and Java 17+).

What is measured: a simulated world of about ``--events`` reaction events
(follows dropped, as in bench_score.py: 4 days, people = events / 11) is
loaded into a store and exported as Parquet (`renown export --parquet`).  Then

* the **local engine**: `renown.scoring.pipeline.compute_scores` (signals,
  propagation, combining; not the snapshot write), and
* the **Spark engine** in local mode, once per ``--cores`` value
  (``local[N]``): `renown.engines.spark.score_spark` from the Parquet export,
  then collecting the results to the driver (`SparkScores.to_score_run`),

each in a fresh child process, so a Spark run's JVM has the machine to itself
and the session start (reported apart) is not counted in the run.  Both
engines run the same iterations; the script checks the scores agree (max raw
difference, and rounded scores identical) and prints the times, the per-stage
split, and Spark's speed-up from the first to the last core count.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import fast_load, link_identities, simulated_world
from renown.scoring.registry import ensure_current
from renown.scoring.run import latest_event_day
from renown.scoring.snapshots import day_end
from renown.store.database import connect
from renown.store.export import export_parquet

DAYS = 4
EVENTS_PER_PERSON = 2.75 * DAYS


def prepare(workdir: Path, events: int) -> Path:
    """A store with the world loaded and its Parquet export (reused when present)."""
    people = max(100, round(events / EVENTS_PER_PERSON))
    world = simulated_world(workdir, people, DAYS, 7)
    folder = workdir / f"spark-{people}"
    if not (folder / "export" / "events.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        con = connect(folder / "renown.duckdb")
        try:
            print(f"loaded {fast_load(con, world.events):,} events; "
                  f"linked {link_identities(con, world.folder / 'identities.csv'):,} identities")
            export_parquet(con, folder / "export")
        finally:
            con.close()
    return folder


def run_local(folder: Path) -> dict[str, Any]:
    from renown.scoring.pipeline import compute_scores

    con = connect(folder / "renown.duckdb")
    try:
        model = ensure_current(con)
        as_of = day_end(latest_event_day(con))
        started = time.perf_counter()
        run = compute_scores(con, as_of, model)
        seconds = time.perf_counter() - started
    finally:
        con.close()
    pq.write_table(run.people, folder / "people-local.parquet")
    return {"seconds": seconds, "stages": run.timings, "iterations": run.propagation_iterations,
            "people": run.people.num_rows, "accounts": run.accounts.num_rows,
            "as_of": as_of.isoformat()}


def run_spark(folder: Path, cores: int, as_of: str) -> dict[str, Any]:
    from datetime import datetime

    from renown.engines.spark import read_export, score_spark, spark_session

    started = time.perf_counter()
    spark = spark_session(f"local[{cores}]", conf={
        "spark.driver.memory": os.environ.get("RENOWN_SPARK_DRIVER_MEMORY", "8g")})
    session_s = time.perf_counter() - started
    con = connect(folder / "renown.duckdb")
    model = ensure_current(con)
    con.close()
    started = time.perf_counter()
    events, identities = read_export(spark, str(folder / "export"))
    scores = score_spark(spark, events, datetime.fromisoformat(as_of), model, identities)
    run = scores.to_score_run()
    seconds = time.perf_counter() - started
    pq.write_table(run.people, folder / f"people-spark-{cores}.parquet")
    spark.stop()
    return {"seconds": seconds, "session_seconds": session_s, "stages": scores.timings,
            "iterations": scores.propagation_iterations, "people": run.people.num_rows}


def child(kind: str, folder: Path, cores: int, as_of: str) -> dict[str, Any]:
    """One measurement in a fresh interpreter (its own JVM); its JSON result."""
    return run_child([__file__, "--child", kind, "--folder", str(folder),
                      "--cores", str(cores), "--as-of", as_of], kind)


def run_child(arguments: list[str], what: str) -> dict[str, Any]:
    """Run ``python ARGUMENTS`` and return the last JSON line it printed."""
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True,
                          check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{what} child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def agreement(folder: Path, cores: int) -> tuple[float, bool]:
    """Max |raw difference| and whether rounded scores are identical, local vs Spark."""
    local = pq.read_table(folder / "people-local.parquet").sort_by("person_id")
    spark = pq.read_table(folder / f"people-spark-{cores}.parquet").sort_by("person_id")
    assert local["person_id"].equals(spark["person_id"])
    raw = np.abs(np.asarray(local["raw"]) - np.asarray(spark["raw"]))
    same = bool(np.array_equal(np.round(np.asarray(local["score"])),
                               np.round(np.asarray(spark["score"]))))
    return float(raw.max(initial=0.0)), same


def report(local: dict[str, Any], sparks: dict[int, dict[str, Any]], folder: Path,
           events: int) -> None:
    print(f"\nSimulated world: ~{events:,} events, {local['people']:,} people, "
          f"{local['accounts']:,} accounts; {multiprocessing.cpu_count()} CPUs; "
          f"{local['iterations']} PageRank iterations")
    print(f"{'engine':<16}{'total s':>10}{'signals':>10}{'propag.':>10}{'combine':>10}"
          f"{'session':>10}  parity (max |Δraw|, rounded equal)")
    stages = local["stages"]
    print(f"{'local':<16}{local['seconds']:>10.1f}{stages['signals']:>10.1f}"
          f"{stages['propagation']:>10.1f}{stages['combine']:>10.1f}{'':>10}")
    for cores, result in sparks.items():
        delta, same = agreement(folder, cores)
        stages = result["stages"]
        print(f"{f'spark local[{cores}]':<16}{result['seconds']:>10.1f}"
              f"{stages['signals']:>10.1f}{stages['propagation']:>10.1f}"
              f"{stages['combine']:>10.1f}{result['session_seconds']:>10.1f}"
              f"  {delta:.1e}, {same}")
    if len(sparks) > 1:
        first, last = min(sparks), max(sparks)
        print(f"Spark scaling {first} → {last} cores: "
              f"{sparks[first]['seconds'] / sparks[last]['seconds']:.2f}× faster; "
              f"Spark local[{last}] / local engine: "
              f"{sparks[last]['seconds'] / local['seconds']:.1f}× the time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "renown-bench")
    parser.add_argument("--child", choices=["local", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "local":
        print(json.dumps(run_local(args.folder)))
        return 0
    if args.child == "spark":
        print(json.dumps(run_spark(args.folder, args.cores[0], args.as_of)))
        return 0
    folder = prepare(args.workdir, args.events)
    local = child("local", folder, 0, "")
    print(f"local engine: {local['seconds']:.1f} s", flush=True)
    sparks = {}
    for cores in args.cores:
        sparks[cores] = child("spark", folder, cores, local["as_of"])
        print(f"spark local[{cores}]: {sparks[cores]['seconds']:.1f} s", flush=True)
    report(local, sparks, folder, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
