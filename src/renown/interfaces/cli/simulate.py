"""``renown simulate``: write a simulated world with planted ground truth."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from renown.interfaces.cli.common import JsonOption, console, fail, print_json
from renown.simulation import DEFAULT_END, SimulationSummary, simulate


def simulate_command(
    people: Annotated[int, typer.Option(help="People in the world (at least 200).")] = 2000,
    days: Annotated[int, typer.Option(help="Length of the simulated period in days.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed: same arguments, same files.")] = 7,
    out: Annotated[Path, typer.Option(help="Folder to write the world into.")] = Path(
        "renown-world"),
    as_json: JsonOption = False,
    end: Annotated[str | None, typer.Option(
        help=f"End of the period (exclusive), YYYY-MM-DD; default {DEFAULT_END:%Y-%m-%d}.",
        show_default=False)] = None,
) -> None:
    """Simulate a multi-network social world with planted influencers, pods, bots and more.

    Writes events.parquet (generic event format: ingest with --format events),
    identities.csv, and the ground truth (truth.json, truth_*.parquet).
    """
    end_at = _parse_end(end)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=as_json) as progress:
        task = progress.add_task("simulating", total=None)

        def on_progress(description: str, done: int, total: int) -> None:
            progress.update(task, description=description, completed=done, total=total)

        try:
            summary = simulate(people, days, seed, out, end=end_at, on_progress=on_progress)
        except ValueError as exc:
            fail(str(exc))
    if as_json:
        print_json(summary_dict(summary))
    else:
        _print_summary(summary)


def _parse_end(end: str | None) -> datetime | None:
    if end is None:
        return None
    try:
        return datetime.strptime(end, "%Y-%m-%d")
    except ValueError:
        fail(f"--end must be a date like 2026-06-30 (got {end!r})")


def summary_dict(summary: SimulationSummary) -> dict[str, Any]:
    """The summary as plain JSON-able data (for ``--json``)."""
    return {
        "out": str(summary.out), "people": summary.people, "days": summary.days,
        "seed": summary.seed, "start": summary.start.isoformat(),
        "end": summary.end.isoformat(), "events": summary.events,
        "accounts": summary.accounts, "by_kind": summary.by_kind,
        "by_network": summary.by_network, "seconds": round(summary.seconds, 3),
        "events_per_second": round(summary.events_per_second),
        "files": list(summary.files),
    }


def _print_summary(summary: SimulationSummary) -> None:
    console.print(
        f"Simulated [bold]{summary.people:,}[/] people ({summary.accounts:,} accounts) over "
        f"{summary.days} days, {summary.start:%Y-%m-%d} to {summary.end:%Y-%m-%d}, "
        f"seed {summary.seed}: [bold]{summary.events:,}[/] events in "
        f"{summary.seconds:.2f} s ({summary.events_per_second:,.0f} events/s)")
    table = Table(title="Events by kind")
    table.add_column("kind")
    table.add_column("events", justify="right")
    for kind, count in summary.by_kind.items():
        table.add_row(kind, f"{count:,}")
    console.print(table)
    networks = ", ".join(f"{name} {count:,}" for name, count in summary.by_network.items())
    console.print(f"By network: {networks}")
    console.print(f"Wrote {', '.join(summary.files)} to [bold]{summary.out}[/]")
    console.print(f"Next: [bold]renown ingest {summary.out / 'events.parquet'}[/]")
