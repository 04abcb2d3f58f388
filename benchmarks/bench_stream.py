"""Live ingestion speed: ``renown stream`` from a loopback replay of the real captures.

The server (`renown.streaming.replay`) runs in a process of its own, so the
measured process is the client alone: websocket (or SSE) reading, parsing by
the source's own parser, micro-batches committed with their cursor into a
fresh DuckDB file.  The real capture is repeated with rewritten record keys
(status ids) until there is enough volume; each Jetstream message is stamped
with the wall-clock time it is sent, so the lag printed is end to end: from
the server sending a message to its micro-batch being committed.

Target (issue 14): sustained ingestion of at least 5,000 events/s, lag printed.

Two Jetstream runs: the server sending as fast as it can (the client's
ceiling), then at a fixed rate above the target for a while (sustained: the
client must keep up, and the lag shows by how much).  Then a Mastodon run
for its figure (no target: real timelines carry tens of statuses a second).

    python benchmarks/bench_stream.py [--messages 200000] [--rate 6000] [--seconds 30]
                                      [--mastodon 5000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

from renown.store.database import connect
from renown.streaming.runner import StreamOptions, StreamReport, run_stream

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "formats"
CAPTURE = SHARED / "bluesky" / "jetstream-corpus" / "expected_v1.jsonl"
MASTODON = SHARED / "mastodon-api"
TARGET = 5_000.0


def _serve_jetstream(rounds: int, rate: float | None, ready: Any, done: Any) -> None:
    from renown.streaming.replay import JetstreamReplay, jetstream_messages

    messages = jetstream_messages(CAPTURE, rounds=rounds)
    with JetstreamReplay(messages, live_time=True, rate=rate) as server:
        ready.put((server.url, len(messages)))
        done.wait()


def _serve_mastodon(rounds: int, pace: float, ready: Any, done: Any) -> None:
    from renown.streaming.replay import MastodonReplay, mastodon_statuses

    statuses = mastodon_statuses(MASTODON, rounds=rounds)
    with MastodonReplay(statuses, pace=pace) as server:
        ready.put((server.url, len(statuses)))
        done.wait()


def _run(target: Any, args: tuple[Any, ...], make_source: Any, db: Path,
         batch: int) -> tuple[StreamReport, int]:
    ctx = mp.get_context("spawn")
    ready, done = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=target, args=(*args, ready, done), daemon=True)
    server.start()
    try:
        url, total = ready.get(timeout=300)
        con = connect(db)
        try:
            report = run_stream(con, make_source(url), StreamOptions(
                max_events=total, batch_messages=batch, batch_seconds=0.5,
                queue_messages=4 * batch))
        finally:
            con.close()
    finally:
        done.set()
        server.join(10)
    return report, total


def _print(name: str, report: StreamReport, total: int, check: bool,
           live: bool = True) -> bool:
    rate = report.messages / report.seconds
    rows = report.ingested / report.seconds
    lag = {q: report.lag(q) for q in (0.5, 0.99, 1.0)} if live else {0.5: None}
    print(f"\n## {name}")
    print(f"messages {report.messages:,} of {total:,} in {report.seconds:.1f} s: "
          f"{rate:,.0f} messages/s, {rows:,.0f} stored events/s "
          f"({report.ingested:,} events, {report.duplicates:,} duplicates, "
          f"{report.quarantined:,} quarantined, {report.batches:,} transactions)")
    if lag[0.5] is not None:
        print(f"lag (send → commit): p50 {lag[0.5]:.3f} s, p99 {lag[0.99]:.3f} s, "
              f"max {lag[1.0]:.3f} s")
    elif not live:
        print("lag: not measured (the statuses keep the capture's creation times)")
    if not check:
        return True
    ok = rate >= TARGET
    print(f"{'PASS' if ok else 'FAIL'}: sustained ingestion >= {TARGET:,.0f} events/s "
          f"({rate:,.0f}/s)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000,
                        help="Jetstream messages to replay (the capture repeated)")
    parser.add_argument("--rate", type=float, default=6_000.0,
                        help="messages/s the server sends in the sustained run")
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="length of the sustained run")
    parser.add_argument("--batch", type=int, default=10_000, help="messages per transaction")
    parser.add_argument("--mastodon", type=int, default=5_000,
                        help="Mastodon statuses to stream (0: skip)")
    args = parser.parse_args()
    if not CAPTURE.exists():
        print(f"skipped: {CAPTURE} is not present (../shared/data sits beside the project)")
        return 0
    from renown.streaming.jetstream import JetstreamSource
    from renown.streaming.mastodon import MastodonSource

    ok = True
    rounds = max(1, args.messages // 152)

    def jetstream(url: str) -> JetstreamSource:
        return JetstreamSource(url, collections=())

    with tempfile.TemporaryDirectory() as tmp:
        report, total = _run(_serve_jetstream, (rounds, None), jetstream,
                             Path(tmp) / "saturated.duckdb", args.batch)
        ok &= _print("Bluesky Jetstream (websocket), server as fast as it can", report,
                     total, check=True)
        sustained = max(1, int(args.rate * args.seconds) // 152)
        report, total = _run(_serve_jetstream, (sustained, args.rate), jetstream,
                             Path(tmp) / "sustained.duckdb", args.batch)
        ok &= _print(f"Bluesky Jetstream (websocket), server at {args.rate:,.0f} messages/s "
                     f"for {args.seconds:g} s", report, total, check=True)
        if args.mastodon:
            per_round = 23
            pace = 1 / 20_000  # publish far faster than a real timeline: a backlog to drain
            report, total = _run(_serve_mastodon, (max(1, args.mastodon // per_round), pace),
                                 lambda url: MastodonSource(url, "public", rewind_seconds=0),
                                 Path(tmp) / "mastodon.duckdb", args.batch)
            _print("Mastodon streaming API (SSE), no target", report, total, check=False,
                   live=False)
    load = os.getloadavg()
    print(f"\nmachine: {os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"Python {platform.python_version()}, {platform.machine()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
