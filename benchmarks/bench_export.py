"""Exports of a real store: every Higgs person (304,691) to each file format.

Run ``python benchmarks/bench_export.py [--repeats R]``.  Ingests the Higgs file
and scores it in a temporary store, then times `Store.export_scores` to
Parquet, CSV, gzipped CSV and JSON Lines, `export_history` and `export_topics`
(the best of R runs each), and checks the target of issue 17: every person's
scores to a file in under 3 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

import renown
from bench_ingest import HIGGS

TARGET_SECONDS = 3.0


def best_of(repeats: int, job: Callable[[], int]) -> tuple[float, int]:
    """(fastest seconds, rows) of ``repeats`` calls of ``job``."""
    times, rows = [], 0
    for _ in range(repeats):
        clock = time.perf_counter()
        rows = job()
        times.append(time.perf_counter() - clock)
    return min(times), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not HIGGS.exists():
        print(f"skipped: {HIGGS} is not present (../shared/data beside the project)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with renown.open(folder / "higgs.duckdb") as store:
            store.ingest(HIGGS)
            store.score()
            # (what, file, export, under the target?)
            jobs: list[tuple[str, Path, Callable[[Path], int], bool]] = [
                *((f"scores → {suffix}", folder / f"scores{suffix}", store.export_scores, True)
                  for suffix in (".parquet", ".csv", ".csv.gz", ".jsonl")),
                ("history → .parquet", folder / "history.parquet", store.export_history, False),
                ("topics → .parquet", folder / "topics.parquet", store.export_topics, False),
            ]
            print(f"{'export':<22} {'rows':>9} {'seconds':>8} {'MB':>7}")
            failed = False
            for name, path, export, targeted in jobs:
                seconds, rows = best_of(args.repeats, lambda e=export, p=path: e(p))
                print(f"{name:<22} {rows:>9,} {seconds:>8.2f} {path.stat().st_size / 1e6:>7.1f}")
                if targeted:
                    ok = seconds < TARGET_SECONDS
                    failed |= not ok
                    print(f"  {'PASS' if ok else 'FAIL'}: under {TARGET_SECONDS:g} s")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, Python "
          f"{platform.python_version()}, DuckDB {duckdb.__version__}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
