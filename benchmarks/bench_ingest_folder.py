"""A folder of 12 monthly Reddit ``.zst`` dumps in one command: time and peak memory.

Run ``python benchmarks/bench_ingest_folder.py [--gigabytes 1.0] [--keep DIR]``.
It writes 12 files ``RC_2023-01.zst`` … ``RC_2023-12.zst`` (Arctic Shift's
layout: one JSON object per line in the 2023 field set, zstd with a long
window), together ``--gigabytes`` of NDJSON before compression, each month's
submissions followed by its comments (so replies find their parents), then
ingests the folder into a fresh DuckDB file with ``renown ingest FOLDER``
(format detected per file) in a fresh process.  It prints the input sizes,
the events stored, the seconds, and the child's peak resident memory
(``RUSAGE_CHILDREN`` ru_maxrss): the target is under 500 MB for 1 GB of input, i.e. the
ingestion streams instead of holding a month (or the folder) in memory.

``--gigabytes 0.02`` is a quick check (a few seconds).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import zstandard

MONTHS: Final = 12
#: Share of records that are submissions (the rest are comments).
SUBMISSION_SHARE: Final = 0.1
_WORDS: Final = ("model", "paper", "graph", "training", "data", "gpu", "loss", "results",
                 "benchmark", "code", "why", "does", "this", "work", "great", "thanks")


def _text(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(_WORDS) for _ in range(words))


def _submission(rnd: random.Random, month: int, n: int, ts: int) -> dict[str, object]:
    sid = f"s{month:02d}{n:x}"
    return {
        "author": f"user{int(rnd.paretovariate(1.2)) % 200_000}", "author_flair_text": None,
        "created_utc": ts, "id": sid, "is_self": True, "num_comments": rnd.randint(0, 50),
        "permalink": f"/r/MachineLearning/comments/{sid}/{_text(rnd, 3).replace(' ', '_')}/",
        "retrieved_on": ts + 86_400, "score": rnd.randint(0, 500), "selftext": _text(rnd, 60),
        "subreddit": "MachineLearning", "subreddit_id": "t5_2r3gv", "title": _text(rnd, 9),
        "upvote_ratio": 0.97, "url": f"https://www.reddit.com/r/MachineLearning/{sid}/",
    }


def _comment(rnd: random.Random, month: int, n: int, ts: int, posts: int) -> dict[str, object]:
    link = f"t3_s{month:02d}{rnd.randrange(max(posts, 1)):x}"
    parent = link if n < 10 or rnd.random() < 0.5 else f"t1_c{month:02d}{rnd.randrange(n):x}"
    return {
        "author": f"user{int(rnd.paretovariate(1.2)) % 200_000}", "author_flair_text": None,
        "author_fullname": f"t2_{rnd.randrange(1 << 30):x}", "body": _text(rnd, 30),
        "controversiality": 0, "created_utc": ts, "distinguished": None, "edited": False,
        "gilded": 0, "id": f"c{month:02d}{n:x}", "is_submitter": False, "link_id": link,
        "parent_id": parent, "retrieved_on": ts + 86_400, "score": rnd.randint(-5, 200),
        "stickied": False, "subreddit": "MachineLearning", "subreddit_id": "t5_2r3gv",
    }


def write_month(path: Path, month: int, target_bytes: int, seed: int) -> tuple[int, int]:
    """One month's dump, about ``target_bytes`` of NDJSON; returns (records, raw bytes)."""
    rnd = random.Random(seed * 100 + month)
    start = 1672531200 + (month - 1) * 30 * 86_400
    written = records = posts = comments = 0
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=False)
    with path.open("wb") as raw, compressor.stream_writer(raw) as out:
        while written < target_bytes:
            ts = start + records * 2
            is_post = posts == 0 or rnd.random() < SUBMISSION_SHARE
            record = (_submission(rnd, month, posts, ts) if is_post
                      else _comment(rnd, month, comments, ts, posts))
            posts, comments = posts + is_post, comments + (not is_post)
            line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
            out.write(line)
            written += len(line)
            records += 1
    return records, written


def _ingest_in_child(folder: Path, db: Path) -> tuple[dict[str, object], int]:
    """``renown ingest FOLDER --json`` in a fresh process; (its summary, peak resident bytes).

    A fresh process (not a fork of this one, which holds the generator's memory)
    measures what a user's command costs, interpreter and libraries included.
    """
    command = [sys.executable, "-m", "renown.interfaces.cli.main", "ingest", str(folder),
               "--db", str(db), "--json"]
    clock = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate()
    seconds = time.perf_counter() - clock
    if child.returncode != 0:
        raise SystemExit(f"renown ingest failed ({child.returncode}): {err.decode()[-2000:]}")
    reports = json.loads(out)
    summary = {"seconds": seconds, "files": len(reports),
               "formats": sorted({r["format"] for r in reports}),
               "records": sum(r["records"] for r in reports),
               "ingested": sum(r["ingested"] for r in reports),
               "quarantined": sum(r["quarantined"] for r in reports),
               "errors": [r["error"] for r in reports if r["error"]]}
    # RUSAGE_CHILDREN holds the largest waited-for child's peak: this one is the only one.
    return summary, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def _cli_baseline() -> int:
    """Peak resident bytes of ``renown ingest --help``: the command before it reads input.

    Run before the ingestion, so ``RUSAGE_CHILDREN`` (the largest child's peak) still
    holds this one's.
    """
    subprocess.run([sys.executable, "-m", "renown.interfaces.cli.main", "ingest", "--help"],
                   capture_output=True, check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gigabytes", type=float, default=1.0,
                        help="NDJSON bytes before compression, all 12 months together")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="write the dumps here and keep them")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="renown-bench-folder-"))
    folder = args.keep or work / "dumps"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        clock = time.perf_counter()
        per_month = int(args.gigabytes * 1e9 / MONTHS)
        made = [write_month(folder / f"RC_2023-{m:02d}.zst", m, per_month, args.seed)
                for m in range(1, MONTHS + 1)]
        raw = sum(b for _, b in made)
        compressed = sum(p.stat().st_size for p in folder.iterdir())
        print(f"generated {MONTHS} monthly dumps in {time.perf_counter() - clock:.0f} s: "
              f"{sum(r for r, _ in made):,} records, {raw / 1e9:.2f} GB NDJSON, "
              f"{compressed / 1e6:.0f} MB as .zst", flush=True)
        baseline = _cli_baseline()
        summary, peak = _ingest_in_child(folder, work / "renown.duckdb")
        seconds = float(str(summary["seconds"]))
        formats = ", ".join(str(f) for f in summary["formats"])  # type: ignore[attr-defined]
        print(f"ingested {summary['files']} files ({formats}) "
              f"in one call: {summary['ingested']:,} events, {summary['quarantined']:,} "
              f"quarantined, {seconds:.0f} s ({float(str(summary['ingested'])) / seconds:,.0f} "
              "events/s)")
        print(f"peak resident memory of the ingestion: {peak / 1e6:.0f} MB for "
              f"{raw / 1e9:.2f} GB of input (target: under 500 MB for 1 GB); the CLI alone "
              f"(renown ingest --help) takes {baseline / 1e6:.0f} MB, so reading and storing the "
              f"folder adds {(peak - baseline) / 1e6:.0f} MB")
        if summary["errors"]:
            print(f"errors: {summary['errors']}")
            sys.exit(1)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(work / "renown.duckdb", ignore_errors=True)


if __name__ == "__main__":
    main()
