"""``renown selftest``: the reliability report (kills survived, fuzz cases, erasures verified)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from renown.interfaces.api.loadcheck import load_check
from renown.interfaces.cli.common import JsonOption, console, error_console, print_json
from renown.reliability.report import run


def selftest_command(
    quick: Annotated[bool, typer.Option(
        "--quick", help="A small version of every check (about a minute).")] = False,
    seed: Annotated[int, typer.Option(help="Seed of every random choice (kills, mutations).")
                    ] = 20261122,
    as_json: JsonOption = False,
) -> None:
    """Kill -9 ingestion and scoring, fuzz every parser, forget people and look for traces."""
    def progress(name: str) -> None:
        if not as_json:
            error_console.print(f"[dim]running {name}…[/]")

    report = run(quick, seed, progress)
    progress("api_load")
    with tempfile.TemporaryDirectory(prefix="renown-selftest-api-") as folder:
        report["api_load"] = load_check(Path(folder), seconds=3.0 if quick else 10.0)
    report["ok"] = report["ok"] and report["api_load"]["errors"] == 0
    if as_json:
        print_json(report)
    else:
        _print(report)
    if not report["ok"]:
        raise typer.Exit(1)


def _print(r: dict[str, Any]) -> None:
    k, f, a, m, e, o = (r["kills"], r["fuzz"], r["atheris"], r["memory"], r["erasures"],
                        r["optout_cost"])
    lines = [
        f"kills survived: {k['ingest_and_score']} during ingest ({k['ingest']}) and scoring "
        f"({k['score']}), plus {k['forget']} during forget; {k['checks']} store checks, "
        f"{len(k['violations'])} violations ({k['seconds']} s)",
        f"fuzz cases: {f['cases']} over {len(f['formats'])} parsers, {f['failures']} failures",
        "atheris: " + (a["skipped"] if "skipped" in a else
                       f"{a['runs']} runs over {len(a['formats'])} parsers, "
                       f"{a['crashes']} crashes"),
        f"memory: {m['within_bound']} of {m['cases']} huge/nested inputs within bounds; "
        f"worst {m['worst']['peak_growth_bytes'] >> 20} MiB ({m['worst']['fmt']}, "
        f"{m['worst']['case']})",
        f"erasures verified: {e['people']} people ({e['accounts']} accounts, "
        f"{e['rows_deleted']} rows); ids found before {e['table_hits_before']} in tables, "
        f"{e['file_hits_before']} in file bytes; after {e['table_hits_after']} and "
        f"{e['file_hits_after']}; {e['file_hits_without_rewrite']} left in the bytes without "
        f"the file rewrite; rewrite {e['rewrite_seconds']:.2f} s; "
        f"{e['reingested_rows_dropped']} re-ingested rows dropped by the opt-out list",
        f"opt-out check on ingestion of {o['events']:,} events: "
        f"{o['seconds']['empty']} s with an empty list, {o['seconds']['1000 entries']} s with "
        f"1,000 entries ({o['overhead_percent']:+.1f}%)",
        _load_line(r["api_load"]),
    ]
    for line in lines:
        console.print(line, highlight=False)
    verdict = "[green]all checks passed[/]" if r["ok"] else "[red]problems found[/]"
    console.print(f"{verdict} in {r['seconds']} s (seed {r['seed']})")


def _load_line(load: dict[str, Any]) -> str:
    return (f"requests served under load: {load['requests']:,} person summaries in "
            f"{load['seconds']:g} s from {load['clients']} clients ({load['rate_per_second']}/s),"
            f" {load['errors']} errors, p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms")
