"""Ingestion speed: the real Higgs file, and generated generic-event files.

Run ``python benchmarks/bench_ingest.py [--events N]``.  Each input is ingested
into a fresh DuckDB file and only the `renown.store.ingest.ingest` call is
timed, so the figures are end-to-end (parse, validate, dedupe, write, commit)
and comparable with the targets in docs/formats.md: Parquet ≥ 1,000,000
events/s, JSON Lines ≥ 200,000 events/s.  Generated data is realistic in shape:
unique ids, a skewed population of 200,000 accounts, a kind mix, short texts,
tags, several languages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from renown.sources.base import SourceOptions
from renown.store.database import connect
from renown.store.ingest import IngestReport, ingest

HIGGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "higgs" / \
    "higgs-activity_time.txt.gz"
_KINDS = np.array(["post", "like", "reshare", "reply", "mention", "quote", "follow"])
_KIND_WEIGHTS = np.array([0.25, 0.35, 0.15, 0.12, 0.06, 0.04, 0.03])
_WORDS = np.array(["influence", "data", "graph", "score", "topic", "signal", "network",
                   "people", "week", "launch", "market", "model", "paper", "talk", "open",
                   "source", "python", "rust", "music", "climate"])


def _prefixed(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pa.array(numbers).cast(pa.string()), "")


def generate_events(n: int, seed: int = 7) -> pa.Table:
    """``n`` realistic events as an Arrow table in the generic format's fields."""
    rng = np.random.default_rng(seed)
    actors = rng.zipf(1.6, n) % 200_000
    kinds = _KINDS[rng.choice(len(_KINDS), n, p=_KIND_WEIGHTS)]
    subjects = (actors + 1 + rng.zipf(1.4, n) % 199_999) % 200_000  # never the actor
    is_post = pa.array(kinds == "post")
    words = [pa.array(_WORDS[rng.integers(0, len(_WORDS), n)]) for _ in range(4)]
    text = pc.binary_join_element_wise(*words[:3], pc.binary_join_element_wise("#", words[3], ""),
                                       " ")
    has_text = pa.array((kinds == "post") | (kinds == "reply"))
    ids = np.arange(1_500_000_000_000, 1_500_000_000_000 + n)
    offsets = np.concatenate(([0], np.cumsum(rng.integers(0, 3, n)))).astype(np.int32)
    tags = pa.ListArray.from_arrays(
        offsets, pa.array(_WORDS[rng.integers(0, len(_WORDS), int(offsets[-1]))]))
    seconds = 1_600_000_000 + np.sort(rng.integers(0, 90 * 86_400, n))
    none = pa.scalar(None, pa.string())
    return pa.table({
        "network": pa.array(np.where(rng.random(n) < 0.8, "twitter", "mastodon")),
        "event_id": pa.array(ids).cast(pa.string()),
        "ts": pa.array(seconds * 1_000_000, pa.timestamp("us", "UTC")),
        "actor": _prefixed("u", actors),
        "kind": pa.array(kinds),
        "subject": pc.if_else(is_post, none, _prefixed("u", subjects)),
        "post_id": _prefixed("p", ids),
        "parent_id": pc.if_else(is_post, none, _prefixed("p", ids - 17)),
        "text": pc.if_else(has_text, text, none),
        "tags": tags,
        "lang": pa.array(np.array(["en", "en", "en", "fr", "de", "es"])[rng.integers(0, 6, n)]),
    })


def write_inputs(table: pa.Table, folder: Path) -> dict[str, Path]:
    """The same events as Parquet, JSON Lines (ISO 8601 ``Z`` times) and CSV."""
    paths = {"parquet": folder / "events.parquet", "jsonl": folder / "events.jsonl",
             "csv": folder / "events.csv"}
    pq.write_table(table, paths["parquet"], row_group_size=1 << 20)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.register("generated", table)
    select = ("SELECT network, event_id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, actor, kind, "
              "subject, post_id, parent_id, text, "
              "{tags} AS tags, lang FROM generated")
    con.execute(f"COPY ({select.format(tags='tags')}) TO '{paths['jsonl']}' (FORMAT json)")
    csv_select = select.format(tags="array_to_string(tags, ';')")
    con.execute(f"COPY ({csv_select}) TO '{paths['csv']}' (HEADER, DELIMITER ',')")
    con.close()
    return paths


@dataclass(frozen=True, slots=True)
class Timing:
    """One ingestion: its report, wall seconds and CPU seconds (all threads).

    On a shared machine wall time depends on what else runs; CPU time shows
    the work done, whoever else was busy.
    """

    report: IngestReport
    seconds: float
    cpu_seconds: float


def timed_ingest(path: Path, fmt: str, folder: Path, name: str) -> Timing:
    """Ingest into a fresh database, timing only the `ingest` call."""
    con = connect(folder / f"{name}.duckdb")
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = ingest(con, path, fmt, SourceOptions())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        con.close()
    return Timing(report, elapsed, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000,
                        help="generated events per file (default 2,000,000)")
    args = parser.parse_args()
    rows: list[tuple[str, Timing]] = []
    with tempfile.TemporaryDirectory(prefix="renown-bench-") as tmp:
        folder = Path(tmp)
        if HIGGS.exists():
            rows.append(("higgs (real, .txt.gz)", timed_ingest(HIGGS, "higgs", folder, "higgs")))
        else:
            print(f"skipping Higgs: {HIGGS} is not present (../shared/data sits beside the "
                  "project)")
        started = time.perf_counter()
        paths = write_inputs(generate_events(args.events), folder)
        print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f} s "
              f"({', '.join(f'{k} {p.stat().st_size / 1e6:.0f} MB' for k, p in paths.items())})")
        for encoding, path in paths.items():
            rows.append((f"events {encoding}", timed_ingest(path, "events", folder, encoding)))
    _print_table(rows)
    return 0


def _print_table(rows: list[tuple[str, Timing]]) -> None:
    print(f"\n{'input':<24}{'records':>12}{'quarantined':>13}{'seconds':>10}"
          f"{'events/s':>13}{'cpu s':>8}")
    for name, t in rows:
        r = t.report
        print(f"{name:<24}{r.records:>12,}{r.quarantined:>13,}{t.seconds:>10.2f}"
              f"{r.records / t.seconds:>13,.0f}{t.cpu_seconds:>8.2f}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n(cpu cores: {os.cpu_count()}, load average {load:.1f}, duckdb {duckdb.__version__}, "
          f"pyarrow {pa.__version__}, python {sys.version.split()[0]})")


if __name__ == "__main__":
    sys.exit(main())
