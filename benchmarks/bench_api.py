"""Load benchmark of the HTTP API on loopback against the demo database.

1. Builds the demo database (``renown demo --no-serve``; 2,000 people, 60 days,
   14 days of history) unless ``--workdir`` already holds one, and creates a
   read key with a rate limit above the load.
2. Starts ``renown serve`` (uvicorn, one process) on a free loopback port.
3. Runs the load generator in a separate process (this file with
   ``--loadgen``: httpx over asyncio, keep-alive connections):
   - fixed rate: person-summary requests (``GET /v1/people/{id}``, people drawn
     at random) at 200 requests/s for 30 s, open loop: each request is due at
     its own time and its latency counts from then, so a slow server cannot
     hide its queue (no coordinated omission);
   - saturation: 32 clients back to back for 10 s: throughput and latency.
4. Prints p50/p90/p99/max latency, errors, the server's CPU per request, and
   checks the target: p99 < 50 ms and no errors at 200 requests/s.

Usage: ``python benchmarks/bench_api.py [--rate 200] [--seconds 30]
[--concurrency 32] [--saturation-seconds 10] [--workdir bench-out/api]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
P99_TARGET_MS = 50.0


def _renown(*args: str) -> list[str]:
    return [sys.executable, "-m", "renown.interfaces.cli.main", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}


def prepare(workdir: Path) -> tuple[Path, str, list[str]]:
    """The demo database, a key for the load, and the people to ask for."""
    from renown.scoring.search import search_leaderboard
    from renown.store.api_keys import create_key
    from renown.store.database import open_store

    db = workdir / "renown.duckdb"
    if not db.exists():
        print(f"building the demo database in {workdir} ...", flush=True)
        subprocess.run(_renown("demo", "--no-serve", "--dir", str(workdir)), check=True,
                       env=_env(), stdout=subprocess.DEVNULL)
    with open_store(db) as con:
        token = create_key(con, "read", "bench_api", 1_000_000).token
        people = [r.person_id for r in search_leaderboard(con, limit=100_000).rows]
    return db, token, people


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``renown serve`` on a free port; its output goes to ``log`` (a pipe nobody reads
    could fill and stall the server)."""
    with log.open("wb") as handle:
        server = subprocess.Popen(_renown("serve", "--port", "0", "--db", str(db)),
                                  env=_env(), stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Serving the dashboard at "):
                return server, line.split(" at ", 1)[1].split()[0].rstrip("/")
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not start: {log.read_text(encoding='utf-8')}")


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {"p50": float("nan"), "p90": float("nan"), "p99": float("nan"),
                "max": float("nan")}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": ordered[-1] * 1e3}


async def _get(client: Any, url: str) -> bool:
    import httpx

    try:
        response = await client.get(url)
    except httpx.HTTPError:
        return False
    return bool(response.status_code == 200)


async def fixed_rate(client: Any, urls: list[str], rate: float,
                     seconds: float) -> dict[str, Any]:
    """Open loop at ``rate``; latency from each request's due time.  People come round
    in turn, so the first round is each person's first request (the server memoises
    answers per snapshot): it is reported on its own as "first"."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    latencies: list[float] = []
    first: list[float] = []
    errors = 0

    async def one(i: int) -> None:
        nonlocal errors
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        ok = await _get(client, urls[i % len(urls)])
        latency = loop.time() - due
        latencies.append(latency)
        if i < len(urls):
            first.append(latency)
        errors += not ok

    count = int(rate * seconds)
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = loop.time() - start
    return {"requests": count, "errors": errors, "achieved_rate": count / elapsed,
            **percentiles(latencies), "first": {"requests": len(first), **percentiles(first)}}


async def saturation(client: Any, urls: list[str], concurrency: int,
                     seconds: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    latencies: list[float] = []
    errors = 0

    async def worker(offset: int) -> None:
        nonlocal errors
        i = offset
        while loop.time() < deadline:
            began = loop.time()
            errors += not await _get(client, urls[i % len(urls)])
            latencies.append(loop.time() - began)
            i += concurrency

    began = loop.time()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = loop.time() - began
    return {"requests": len(latencies), "errors": errors,
            "throughput": len(latencies) / elapsed, **percentiles(latencies)}


async def loadgen(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    people = json.loads(Path(args.people).read_text(encoding="utf-8"))
    random.Random(7).shuffle(people)
    urls = [f"{args.loadgen}/v1/people/{p}" for p in people]
    limits = httpx.Limits(max_connections=max(64, args.concurrency),
                          max_keepalive_connections=max(64, args.concurrency))
    async with httpx.AsyncClient(headers={"X-API-Key": args.token}, limits=limits,
                                 timeout=30) as client:
        for _ in range(50):  # warm-up: connections, the key check, the snapshot
            await _get(client, f"{args.loadgen}/v1/health")
        fixed = await fixed_rate(client, urls, args.rate, args.seconds)
        saturated = await saturation(client, urls, args.concurrency, args.saturation_seconds)
    return {"fixed": fixed, "saturation": saturated}


def run_benchmark(args: argparse.Namespace) -> int:
    import psutil

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db, token, people = prepare(workdir)
    people_file = workdir / "people.json"
    people_file.write_text(json.dumps(people), encoding="utf-8")
    server, url = start_server(db, workdir / "server.log")
    try:
        process = psutil.Process(server.pid)
        cpu_before = sum(process.cpu_times()[:2])
        generator = subprocess.run(
            [sys.executable, __file__, "--loadgen", url, "--token", token, "--people",
             str(people_file), "--rate", str(args.rate), "--seconds", str(args.seconds),
             "--concurrency", str(args.concurrency), "--saturation-seconds",
             str(args.saturation_seconds)], capture_output=True, text=True, check=True)
        cpu = sum(process.cpu_times()[:2]) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = json.loads(generator.stdout)
    report(result, len(people), cpu, args)
    fixed = result["fixed"]
    return 0 if fixed["p99"] < P99_TARGET_MS and fixed["errors"] == 0 else 1


def report(result: dict[str, Any], people: int, cpu: float, args: argparse.Namespace) -> None:
    import duckdb
    import fastapi
    import uvicorn

    fixed, sat = result["fixed"], result["saturation"]
    total = fixed["requests"] + sat["requests"] + 50
    print(f"\nGET /v1/people/{{id}} over {people:,} people (demo database), loopback, "
          "one uvicorn process\n")
    print(f"{'phase':<34} {'requests':>9} {'errors':>7} {'rate/s':>8} {'p50 ms':>8} "
          f"{'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, row, rate in (
            (f"fixed {args.rate:g}/s for {args.seconds:g} s", fixed, fixed["achieved_rate"]),
            (f"saturation, {args.concurrency} clients, {args.saturation_seconds:g} s", sat,
             sat["throughput"])):
        print(f"{name:<34} {row['requests']:>9,} {row['errors']:>7} {rate:>8.0f} "
              f"{row['p50']:>8.1f} {row['p90']:>8.1f} {row['p99']:>8.1f} {row['max']:>8.1f}")
        if row is fixed:
            cold = fixed["first"]
            print(f"{'  of which first per person':<34} {cold['requests']:>9,} {'':>7} "
                  f"{'':>8} {cold['p50']:>8.1f} {cold['p90']:>8.1f} {cold['p99']:>8.1f} "
                  f"{cold['max']:>8.1f}")
    print(f"\nserver CPU: {cpu:.1f} s for {total:,} requests = {cpu / total * 1e3:.2f} ms "
          "per request")
    ok = fixed["p99"] < P99_TARGET_MS and fixed["errors"] == 0
    print(f"requirement: p99 < {P99_TARGET_MS:g} ms and no errors at {args.rate:g}/s: "
          f"{'PASS' if ok else 'FAIL'} (p99 {fixed['p99']:.1f} ms, {fixed['errors']} errors)")
    print(f"throughput at saturation: {sat['throughput']:.0f} requests/s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n(cpu cores: {os.cpu_count()}, load average {load:.1f}, python "
          f"{sys.version.split()[0]}, fastapi {fastapi.__version__}, uvicorn "
          f"{uvicorn.__version__}, duckdb {duckdb.__version__})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--workdir", default=str(ROOT / "bench-out" / "api"))
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--people", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen:
        print(json.dumps(asyncio.run(loadgen(args))))
        return 0
    started = time.perf_counter()
    status = run_benchmark(args)
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
