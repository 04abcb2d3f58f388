"""Simulator speed and memory on a world of about 10,000,000 events.

Run ``python benchmarks/bench_simulate.py [--people N] [--days D] [--out DIR]``.
The defaults (52,000 people over 60 days, seed 7) give ≈10.4 million events:
a world has ≈200 events per person over 60 days (posts, reactions, reshare
cascades, follows, bots, pods), so events grow linearly with people × days.
The whole `renown.simulation.simulate` call is timed (generation, Parquet
writing, ground truth).  Reported: events, wall seconds, events/s, CPU
seconds of the process (all threads; the writer compresses in a second
thread), events per CPU second (comparable across machines with other load),
peak resident memory (``ru_maxrss``) and the size of each file written.
Targets: ≥ 1,000,000 events/s, peak memory < 3 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from renown.simulation import simulate


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=52_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None,
                        help="Folder to keep the world in (default: a temporary folder).")
    return parser.parse_args(argv)


def run(people: int, days: int, seed: int, out: Path) -> None:
    print(f"simulate(people={people:,}, days={days}, seed={seed}) -> {out}", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = simulate(people, days, seed, out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"events           {summary.events:>14,}")
    print(f"accounts         {summary.accounts:>14,}")
    print(f"wall seconds     {wall:>14.2f}")
    print(f"events/s         {summary.events / wall:>14,.0f}")
    print(f"CPU seconds      {cpu:>14.2f}   (all threads)")
    print(f"events/CPU-s     {summary.events / cpu:>14,.0f}")
    print(f"peak memory      {peak_mb:>11,.0f} MB   (ru_maxrss)")
    for name in summary.files:
        print(f"  {name:<26} {(out / name).stat().st_size / 2**20:>9.1f} MB")
    print("by kind: " + ", ".join(f"{k} {v:,}" for k, v in summary.by_kind.items()))


def main(argv: list[str]) -> None:
    args = _arguments(argv)
    if args.out is not None:
        run(args.people, args.days, args.seed, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="renown-bench-simulate-") as folder:
        run(args.people, args.days, args.seed, Path(folder))


if __name__ == "__main__":
    main(sys.argv[1:])
