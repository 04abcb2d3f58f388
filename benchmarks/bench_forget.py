"""What privacy costs: the opt-out check on ingestion, and forgetting a person.

Run ``python benchmarks/bench_forget.py [--events N] [--repeats R]``.

1. Ingestion with an empty opt-out list and with 1,000 entries, each into a
   fresh store (the best of R runs): the real Higgs file, and N generated
   events over a skewed population of 200,000 accounts (bench_ingest.py's
   generator).  With entries, every account the store does not know yet is
   HMAC'd once per batch.
2. Forgetting one active person in a scored store: the erasure transaction,
   and the rewrite of the database file that removes the deleted bytes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from bench_ingest import HIGGS, generate_events
from renown.scoring.run import score_day
from renown.store.database import connect, scalar
from renown.store.forget import account_subject, erase
from renown.store.ingest import ingest
from renown.store.optout import add_opt_outs, store_key
from renown.store.scrub import rewrite_store


def ingest_seconds(folder: Path, path: Path, fmt: str, opted_out: int) -> float:
    db = folder / f"s{time.monotonic_ns()}.duckdb"
    con = connect(db)
    try:
        if opted_out:
            key = store_key(con, create=True)
            assert key is not None
            add_opt_outs(con, key, [("twitter", f"gone{i}") for i in range(opted_out)])
        clock = time.perf_counter()
        ingest(con, path, fmt)
        return time.perf_counter() - clock
    finally:
        con.close()
        db.unlink()
        db.with_name(db.name + ".key").unlink(missing_ok=True)


def optout_cost(folder: Path, inputs: list[tuple[str, Path, str]], repeats: int) -> None:
    print(f"\n1. opt-out check on ingestion (best of {repeats}, fresh store each)")
    print(f"{'input':28s} {'events':>10s} {'accounts':>9s} {'empty':>8s} {'1,000':>8s} "
          f"{'cost':>7s}")
    for label, path, fmt in inputs:
        empty = min(ingest_seconds(folder, path, fmt, 0) for _ in range(repeats))
        listed = min(ingest_seconds(folder, path, fmt, 1000) for _ in range(repeats))
        events, accounts = _shape(folder, path, fmt)
        print(f"{label:28s} {events:>10,} {accounts:>9,} {empty:>7.2f}s {listed:>7.2f}s "
              f"{100 * (listed / empty - 1):>+6.1f}%")


def _shape(folder: Path, path: Path, fmt: str) -> tuple[int, int]:
    con = connect(folder / "shape.duckdb")
    try:
        ingest(con, path, fmt)
        return (int(scalar(con, "SELECT count(*) FROM events")),
                int(scalar(con, "SELECT count(*) FROM accounts")))
    finally:
        con.close()
        (folder / "shape.duckdb").unlink()


def forget_cost(folder: Path, label: str, path: Path, fmt: str) -> None:
    db = folder / f"forget-{label}.duckdb"
    con = connect(db)
    try:
        ingest(con, path, fmt)
        score_day(con)
        network, account = con.execute(
            "SELECT network, actor FROM events GROUP BY ALL ORDER BY count(*) DESC, 2 "
            "LIMIT 1").fetchall()[0]
        clock = time.perf_counter()
        [report] = erase(con, [account_subject(con, network, account)])
        erased = time.perf_counter() - clock
        rewrite = rewrite_store(con, db)
    finally:
        con.close()
    rows = sum(report.deleted.values())
    print(f"{label:28s} {rows:>9,} {erased:>8.2f}s {rewrite.seconds:>8.2f}s "
          f"{rewrite.bytes_before / 2**20:>8.1f} {rewrite.bytes_after / 2**20:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generated = folder / "generated.parquet"
        pq.write_table(generate_events(args.events), generated)
        inputs = [(f"generated ({args.events:,})", generated, "events")]
        if HIGGS.exists():
            inputs.insert(0, ("Higgs activity", HIGGS, "higgs"))
        else:
            print(f"({HIGGS} not present: Higgs rows skipped)")
        optout_cost(folder, inputs, args.repeats)
        print("\n2. forgetting the most active account of a scored store")
        print(f"{'store':28s} {'rows gone':>9s} {'erase':>9s} {'rewrite':>9s} "
              f"{'MiB before':>8s} {'MiB after':>8s}")
        for label, path, fmt in inputs:
            forget_cost(folder, label, path, fmt)
    load = os.getloadavg()[0]
    print(f"\n(cpu cores: {os.cpu_count()}, load average {load:.1f}, "
          f"duckdb {duckdb.__version__}, python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
