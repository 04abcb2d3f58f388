"""A short load check for `renown selftest`: the real server on loopback, real requests.

It builds a small simulated store, gives it a read key, starts uvicorn on a free
loopback port in a thread, and has several client threads request person
summaries back to back for a few seconds (plain ``http.client`` keep-alive
connections, so nothing but the standard library measures the server).  It
counts requests, errors (any status other than 200, or a failed connection)
and latency percentiles.  `benchmarks/bench_api.py` is the full benchmark
(fixed rate, separate process, saturation); this is the reliability report's
"requests served under load, with the error count".
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn

from renown.interfaces.api import create_app
from renown.scoring.run import score_day
from renown.simulation import simulate
from renown.store.api_keys import create_key
from renown.store.database import open_store
from renown.store.ingest import ingest


def load_check(folder: Path, seconds: float = 5.0, clients: int = 8) -> dict[str, Any]:
    """Serve a 300-person world and hammer person summaries; figures as a dict."""
    db, token, people = _store(folder)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port,
                                           log_level="error", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        _wait_until_up(port)
        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors = [0] * clients
        deadline = time.perf_counter() + seconds
        workers = [threading.Thread(target=_client, args=(
            port, token, people[i::clients] or people, deadline, latencies[i], errors, i))
            for i in range(clients)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    times = np.array([t for per_client in latencies for t in per_client]) * 1000.0
    served = int(times.size)
    return {"requests": served + sum(errors), "errors": sum(errors), "seconds": seconds,
            "clients": clients, "rate_per_second": round(served / seconds, 1),
            "p50_ms": round(float(np.percentile(times, 50)), 1) if served else None,
            "p99_ms": round(float(np.percentile(times, 99)), 1) if served else None}


def _store(folder: Path) -> tuple[Path, str, list[str]]:
    simulate(300, 30, 3, folder / "world")
    db = folder / "renown.duckdb"
    with open_store(db) as con:
        ingest(con, folder / "world" / "events.parquet", "events")
        score_day(con)
        token = create_key(con, "read", "selftest load", 1_000_000).token
        people = [str(p) for (p,) in con.execute(
            "SELECT person_id FROM person_scores ORDER BY score DESC LIMIT 200").fetchall()]
    return db, token, people


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, timeout: float = 30.0) -> None:
    until = time.perf_counter() + timeout
    while time.perf_counter() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the API server did not start on port {port} within {timeout:.0f} s")


def _client(port: int, token: str, people: list[str], deadline: float,
            latencies: list[float], errors: list[int], slot: int) -> None:
    """Request summaries in turn until ``deadline``, on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while time.perf_counter() < deadline:
        person = people[i % len(people)]
        i += 1
        clock = time.perf_counter()
        try:
            connection.request("GET", f"/v1/people/{person}", headers={"X-API-Key": token})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                latencies.append(time.perf_counter() - clock)
            else:
                errors[slot] += 1
        except (OSError, http.client.HTTPException):
            errors[slot] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.close()
