"""How ``renown campaign`` prints: proposals, facts, reports, and report files.

Kept apart from the commands (`renown.interfaces.cli.campaign`) so each stays
short; the wording shared with the report files and the dashboard lives in
`renown.interfaces.campaign_files`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from rich import box
from rich.markup import escape
from rich.table import Table

from renown.interfaces.campaign_files import campaign_facts, outcome_label, write_report
from renown.interfaces.cli.common import console, fail, print_json
from renown.sources.base import Rejection
from renown.store.campaigns import GOALS, Campaign, InviteCandidate
from renown.store.ingest import IngestReport

if TYPE_CHECKING:
    from renown.scoring.campaigns.report import CampaignReport


def tracked_link(code: str) -> str:
    """The tracked link's path on a Renown server (``renown serve``)."""
    return f"/r/{code}"


def number(value: float | None, digits: int = 1) -> str:
    """A figure with thousands separators, or — when there is none."""
    return "—" if value is None else f"{value:,.{digits}f}"


def print_proposals(campaign: Campaign, found: list[InviteCandidate], as_json: bool) -> None:
    """A dry run's proposals, best first, with the reasons (or as JSON)."""
    if as_json:
        print_json([asdict(c) for c in found])
        return
    if not found:
        console.print("Nobody new matches the campaign's target (widen its score band or "
                      "name people with --person).")
        return
    table = Table(title=f"Would invite to {escape(campaign.name)} (dry run: nothing stored)")
    for column in ("#", "person", "account", "score", "why"):
        table.add_column(column, justify="right" if column in ("#", "score") else "left")
    for rank, c in enumerate(found, start=1):
        table.add_row(str(rank), escape(c.person_id), escape(f"{c.network}:{c.account}"),
                      number(c.score), escape("; ".join(c.reasons)))
    console.print(table)


def quarantined(con: duckdb.DuckDBPyConnection, report: IngestReport) -> list[Rejection]:
    """The rows this import quarantined (its newest ingestion of that label)."""
    rows = con.execute("""
        SELECT record, reason, raw FROM quarantine
        WHERE ingestion_id = (SELECT max(ingestion_id) FROM ingestions WHERE path = ?)
        ORDER BY record""", [report.path]).fetchall()
    return [Rejection(int(r[0]), str(r[1]), r[2] or "") for r in rows]


def print_facts(campaign: Campaign) -> None:
    """A campaign's name, then its facts, one per line."""
    console.print(f"[bold]{escape(campaign.name)}[/]", soft_wrap=True, highlight=False)
    for label, text in campaign_facts(campaign):
        console.print(f"[bold]{label}[/]: {escape(text)}", soft_wrap=True, highlight=False)


def write_file(report: CampaignReport, path: Path) -> Path:
    """One report file, a failure to write it as one clean error line."""
    try:
        return write_report(report, path)
    except OSError as exc:
        fail(f"--out {path}: cannot write it ({exc.strerror or exc})")


def print_report(report: CampaignReport) -> None:
    """The per-person table with the totals as its last row, narrow enough for 80 columns
    (posts, raw reactions and cost are in ``--out`` files and ``--json``)."""
    c = report.campaign
    unit = outcome_label(c).removesuffix("s") if c.goal in GOALS else outcome_label(c)
    table = Table(title=f"{escape(c.name)}: outcomes as of {report.as_of:%Y-%m-%d %H:%M}",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("person", overflow="fold", min_width=16)
    table.add_column("status", no_wrap=True)
    for column in ("score", "reach", "clicks", "conv.", "value", f"per {escape(unit)}"):
        table.add_column(column, justify="right", no_wrap=True)
    for p in (*report.people, report.totals):
        name, status = escape(p.display_name or p.person_id), p.status
        if p is report.totals:
            table.add_section()
            name, status = f"{name} ({status})", ""
        table.add_row(name, status, number(p.score),
                      number(p.reach), f"{p.clicks:,}", f"{p.conversions:,}",
                      number(p.value, 2), number(p.cost_per_outcome, 2))
    console.print(table)
    console.print(f"reach: genuine reach, responders counted as the score counts them; "
                  f"conv.: conversions; per {escape(unit)}: cost per outcome. Posts, raw "
                  "reactions and cost are in --out files and --json.")
