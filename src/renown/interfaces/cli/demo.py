"""``renown demo``: a simulated world, ingested, scored, its leaderboard shown, then served.

The demo is the README's first command: it must work on a fresh machine with
no data, so it makes its own (a deterministic simulated world with planted
roles), shows that the score puts the planted roles where they belong, and
ends by serving the dashboard on that world (``--no-serve`` for scripts).
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from renown.interfaces.cli.common import console, fail, store
from renown.interfaces.cli.demo_campaign import run_demo_campaign
from renown.interfaces.cli.serve import (
    HostOption,
    PortOption,
    announce_dashboard,
    build_app,
    run_server,
)
from renown.scoring.model import Model
from renown.scoring.queries import leaderboard
from renown.scoring.registry import current_model, register
from renown.scoring.run import backfill, latest_event_day
from renown.simulation import Truth, load_truth, simulate
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file

#: Roles shown in the summary, in the order a reader expects them, with what
#: each demonstrates (the full descriptions are in the world's truth.json).
_ROLES = {
    "influencers": "many selective people respond",
    "topic_experts": "steady audience on one topic",
    "two_network": "two linked networks combine",
    "silent_7": "a quiet week costs little",
    "silent_30": "a quiet month costs little",
    "offline_credentials": "talks, a book: bounded bonus",
    "viral_joke": "one viral post: real reach",
    "pods": "rings reacting to each other",
    "volume_posters": "output without response",
    "bots": "react to everything",
}


def demo_command(
    people: Annotated[int, typer.Option(min=200, help="People in the simulated world.")] = 2000,
    days: Annotated[int, typer.Option(min=31, help="Days the world covers.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same world).")] = 7,
    directory: Annotated[Path, typer.Option(
        "--dir", help="Where the world and its database go.")] = Path("renown-demo"),
    history_days: Annotated[int, typer.Option(
        min=1, max=60, help="Days of daily score history to compute.")] = 14,
    top: Annotated[int, typer.Option(min=5, max=100, help="Leaderboard rows to show.")] = 15,
    serve: Annotated[bool, typer.Option(
        "--serve/--no-serve", help="End by serving the dashboard on the world (until Ctrl-C).")
    ] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Simulate a world with planted roles, ingest, score, show the leaderboard, serve the
    dashboard."""
    clock = time.perf_counter()
    world = directory / "world"
    with console.status("simulating a world…"):
        summary = simulate(people, days, seed, world)
    console.print(f"simulated {summary.events:,} events among {summary.people:,} people "
                  f"in {summary.seconds:.1f}s → {world}")
    with store(directory / "renown.duckdb") as con:
        _load(con, world)
        last = latest_event_day(con)
        with console.status(f"scoring {history_days} days of history…"):
            backfill(con, last - timedelta(days=history_days - 1), last)
        console.print(f"scored {history_days} daily snapshots up to {last}")
        register(con, demo_candidate(current_model(con)))
        truth = load_truth(world)
        _show_leaderboard(con, truth, top)
        _show_roles(con, truth)
        with console.status("running a campaign on the world…"):
            campaign = run_demo_campaign(con, truth, last)
        console.print(f"campaign {campaign.campaign_id}: {campaign.invited} invited from "
                      f"discover and by name ({campaign.fake_audience} planted fake "
                      f"audiences among them), {campaign.clicks:,} visitors, "
                      f"{campaign.orders:,} orders: renown campaign report "
                      f"{campaign.campaign_id}, or /campaigns on the dashboard")
    console.print(f"\ndone in {time.perf_counter() - clock:.0f}s. Explore it with "
                  f"[bold]--db {directory / 'renown.duckdb'}[/] (or set RENOWN_DB):\n"
                  "  renown top · renown show PERSON · renown explain PERSON --since DATE · "
                  "renown history PERSON · renown model preview FILE · renown campaign report "
                  "demo-launch · renown serve")
    if serve:
        run_server(build_app(directory / "renown.duckdb"), host, port, announce_dashboard)


def demo_candidate(current: Model) -> Model:
    """A candidate model stored beside the current one, so the dashboard's model-preview
    page has something to compare: reactions fade faster (half-life 30 days, not 75)."""
    return current.with_changes(version=f"{current.version}-demo-half-life-30",
                                half_life_days=30.0)


def _load(con: duckdb.DuckDBPyConnection, world: Path) -> None:
    with console.status("ingesting…"):
        for path in sorted(world.glob("events*.parquet")):
            report = ingest(con, path, "events")
            if report.quarantined:
                fail(f"{path}: {report.quarantined} records quarantined in a simulated world")
        link_accounts(con, read_identity_file(world / "identities.csv"), "identities.csv")


def _roles_by_person(con: duckdb.DuckDBPyConnection, truth: Truth) -> dict[str, str]:
    people = {(n, a): p for n, a, p in con.execute(
        "SELECT network, account, person_id FROM account_people").fetchall()}
    return {people[key]: role for key, role in truth.roles_by_account().items() if key in people}


def _show_leaderboard(con: duckdb.DuckDBPyConnection, truth: Truth, top: int) -> None:
    roles = _roles_by_person(con, truth)
    table = Table(title="Leaderboard (planted roles from the simulation's ground truth)")
    for column in ("#", "person", "score", "reactors", "planted role"):
        table.add_column(column, justify="left" if column in ("person", "planted role")
                         else "right", no_wrap=True)
    for row in leaderboard(con, limit=top):
        table.add_row(str(row.rank), row.person_id, f"{row.score:.1f}", f"{row.reactors:,}",
                      roles.get(row.person_id, "ordinary").replace("_", " "))
    console.print(table)


def _show_roles(con: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    """Where each planted role ranks: influencers high; pods, spammers and bots low."""
    ranked = leaderboard(con, limit=1_000_000)
    rank = {r.person_id: r.rank for r in ranked}
    score = {r.person_id: r.score for r in ranked}
    by_role: dict[str, list[str]] = {}
    for person, role in _roles_by_person(con, truth).items():
        by_role.setdefault(role, []).append(person)
    table = Table(title=f"Planted roles among {len(ranked):,} people (median score and rank)")
    for column in ("role", "n", "score", "rank", "what it shows"):
        table.add_column(column, justify="left" if column in ("role", "what it shows")
                         else "right", no_wrap=True)
    for role, shows in _ROLES.items():
        members = [p for p in by_role.get(role, []) if p in rank]
        if not members:
            continue
        table.add_row(role.replace("_", " "), str(len(members)),
                      f"{statistics.median(score[p] for p in members):.1f}",
                      f"{statistics.median(rank[p] for p in members):,.0f}", shows)
    console.print(table)
