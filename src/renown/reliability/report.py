"""The reliability report: every figure ``renown selftest`` prints, gathered in one place.

Sections: kills survived (ingest, score, forget), hostile inputs per parser
(seeded mutations, and atheris where it is installed and the checkout has
``benchmarks/fuzz``), peak memory on huge inputs, erasures verified on a
simulated world, the opt-out check's cost on ingestion, and a slot for the
HTTP API under load (filled once the API is part of the product).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

import duckdb

from renown.reliability import crash, erasure_check, fuzzing
from renown.reliability.seeds import SEEDS
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.optout import add_opt_outs, store_key

HARNESS: Final = Path(__file__).resolve().parents[3] / "benchmarks" / "fuzz" / "fuzz_sources.py"
Progress = Callable[[str], None]


def kills(workdir: Path, quick: bool, seed: int) -> dict[str, Any]:
    report = crash.campaign(workdir, min_kills=12 if quick else 50,
                            kills_per_command=2 if quick else 4, seed=seed,
                            events_per_file=5_000 if quick else 15_000)
    return {"ingest": report.kills.get("ingest", 0), "score": report.kills.get("score", 0),
            "forget": report.kills.get("forget", 0), "ingest_and_score": report.total_kills,
            "checks": report.checks, "rounds": report.rounds,
            "violations": report.violations, "seconds": round(report.seconds, 1)}


def fuzz(quick: bool, seed: int) -> dict[str, Any]:
    stats = fuzzing.fuzz_all(8 if quick else 40, seed)
    per_format = {fmt: {"cases": s.cases, "stored": s.stored, "refused": s.refused,
                        "failures": s.failures} for fmt, s in stats.items()}
    return {"formats": per_format, "cases": sum(s.cases for s in stats.values()),
            "failures": sum(len(s.failures) for s in stats.values())}


def atheris_runs(quick: bool, seconds_per_format: int = 30) -> dict[str, Any]:
    """libFuzzer runs per format, bounded by time; skipped where it cannot run."""
    if importlib.util.find_spec("atheris") is None:
        return {"skipped": "atheris is not installed (pip install atheris)"}
    if not HARNESS.exists():
        return {"skipped": f"{HARNESS} is not here (not a source checkout)"}
    if quick:
        return {"skipped": "--quick"}
    per_format: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as crashes:
        for fmt in SEEDS:
            result = subprocess.run(
                [sys.executable, str(HARNESS), fmt, f"-max_total_time={seconds_per_format}",
                 f"-artifact_prefix={crashes}/", "-print_final_stats=1"],
                capture_output=True, text=True, timeout=seconds_per_format * 4 + 120,
                check=False)
            done = re.search(r"Done (\d+) ", result.stderr) or re.search(
                r"stat::number_of_executed_units:\s*(\d+)", result.stderr)
            crashed = result.returncode != 0
            per_format[fmt] = {"runs": int(done.group(1)) if done else 0, "crashed": crashed,
                               "detail": _last_exception(result.stderr) if crashed else ""}
    return {"formats": per_format, "runs": sum(f["runs"] for f in per_format.values()),
            "crashes": sum(f["crashed"] for f in per_format.values())}


def _last_exception(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "Error" in line or "Exception" in line]
    return lines[-1][:300] if lines else stderr[-300:]


def memory(quick: bool) -> dict[str, Any]:
    formats = ["events", "reddit", "mastodon-api"] if quick else []
    result = subprocess.run([sys.executable, "-m", "renown.reliability.memory", *formats],
                            capture_output=True, text=True, timeout=1200, check=True)
    cases = [json.loads(line) for line in result.stdout.splitlines()]
    over = [c for c in cases if c["result"] == "failed" or
            c["peak_growth_bytes"] > c["bound_bytes"]]
    worst = max(cases, key=lambda c: c["peak_growth_bytes"])
    return {"cases": len(cases), "within_bound": len(cases) - len(over), "over": over,
            "worst": {k: worst[k] for k in ("fmt", "case", "input_bytes", "peak_growth_bytes")},
            "table": [{k: c[k] for k in ("fmt", "case", "input_bytes", "peak_growth_bytes",
                                          "bound_bytes", "result")} for c in cases]}


def erasures(workdir: Path, quick: bool, seed: int) -> dict[str, Any]:
    result = erasure_check.check(workdir, people=200 if quick else 300,
                                 forget=3 if quick else 5, seed=seed)
    return {**asdict(result), "verified": result.verified}


def optout_cost(workdir: Path, quick: bool, repeats: int = 3) -> dict[str, Any]:
    """Ingestion time of one file with an empty opt-out list and with 1,000 entries."""
    events = 200_000 if quick else 1_000_000
    path = workdir / "events.parquet"
    duckdb.sql(f"COPY (SELECT 'twitter' AS network, 'k' || i AS event_id, "
               f"TIMESTAMP '2024-03-01' + to_seconds(i % 86400) AS ts, 'u' || (i % 400000) AS "
               f"actor, 'like' AS kind, 'u' || ((i * 7 + 1) % 400000) AS subject "
               f"FROM range({events}) t(i)) TO '{path}' (FORMAT parquet)")
    timings: dict[str, list[float]] = {"empty": [], "1000 entries": []}
    for attempt in range(repeats):
        for label in timings:
            db = workdir / f"{attempt}-{label.replace(' ', '-')}.duckdb"
            con = connect(db)
            try:
                if label != "empty":
                    key = store_key(con, create=True)
                    assert key is not None
                    add_opt_outs(con, key, [("twitter", f"gone{i}") for i in range(1000)])
                clock = time.perf_counter()
                ingest(con, path, "events")
                timings[label].append(time.perf_counter() - clock)
            finally:
                con.close()
    best = {label: min(values) for label, values in timings.items()}
    return {"events": events, "seconds": {k: round(v, 3) for k, v in best.items()},
            "overhead_percent": round(100 * (best["1000 entries"] / best["empty"] - 1), 1)}


def run(quick: bool, seed: int, progress: Progress) -> dict[str, Any]:
    """Every section, in order; ``progress`` hears the name of each as it starts."""
    clock = time.perf_counter()
    out: dict[str, Any] = {"quick": quick, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="renown-selftest-") as folder:
        work = Path(folder)
        sections: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            ("kills", lambda: kills(work / "kills", quick, seed)),
            ("fuzz", lambda: fuzz(quick, seed)),
            ("atheris", lambda: atheris_runs(quick)),
            ("memory", lambda: memory(quick)),
            ("erasures", lambda: erasures(work / "erasures", quick, seed)),
            ("optout_cost", lambda: optout_cost(_mkdir(work / "optout"), quick)),
        ]
        for name, section in sections:
            progress(name)
            out[name] = section()
    # "api_load" is added by `renown selftest` (interfaces/api/loadcheck.py): the
    # core does not start the interfaces.
    out["seconds"] = round(time.perf_counter() - clock, 1)
    out["ok"] = ok(out)
    return out


def ok(report: dict[str, Any]) -> bool:
    """Whether every section that ran found nothing wrong."""
    atheris = report.get("atheris", {})
    return (not report["kills"]["violations"] and report["fuzz"]["failures"] == 0
            and atheris.get("crashes", 0) == 0 and not report["memory"]["over"]
            and report["erasures"]["verified"])


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
