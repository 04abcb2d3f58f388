"""``renown campaign …``: invite people, record what they did, report what each achieved.

Every command is a thin layer over `renown.store.campaigns` (the campaign and
its invites), `renown.store.outcomes` (conversions) and
`renown.scoring.campaigns` (proposals and the report); what those refuse
(a closed campaign, an unknown code, a malformed goal) is one ``error:`` line.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer
from rich.markup import escape
from rich.table import Table

from renown.interfaces.campaign_files import FORMATS, prediction_sentence, report_document
from renown.interfaces.cli.campaign_render import (
    number,
    print_facts,
    print_proposals,
    print_report,
    quarantined,
    tracked_link,
    write_file,
)
from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.scoring.queries import resolve_person
from renown.store.campaigns import (
    GOALS,
    Campaign,
    CampaignTarget,
    Invite,
    InviteCandidate,
    close_campaign,
    create_campaign,
    get_campaign,
    invite_people,
    invites,
    list_campaigns,
    open_campaign,
    record_post,
    respond,
)

if TYPE_CHECKING:  # the report, like discovery, needs SciPy: both are imported when used
    pass

campaign_app = typer.Typer(
    help="Campaigns with measured outcomes: invite people, track clicks and conversions, "
         "report what each achieved.",
    no_args_is_help=True)

CampaignArg = Annotated[str, typer.Argument(help="The campaign's id (see `renown campaign "
                                                 "list`).", show_default=False)]
PersonArg = Annotated[str, typer.Argument(help="Person id, network:account, or account.",
                                          show_default=False)]
_GOAL_HELP = f"What counts as an outcome: {', '.join(GOALS)} or custom:NAME."


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option} {text!r} is not a date (expected YYYY-MM-DD)", code=2)


@campaign_app.command("create")
def create_command(
    campaign_id: Annotated[str, typer.Argument(
        metavar="ID", help="Lower-case letters, digits and -, at most 48 characters.",
        show_default=False)],
    name: Annotated[str, typer.Option(help="The campaign's name.", show_default=False)],
    brand: Annotated[str, typer.Option(help="Who runs it.", show_default=False)],
    goal: Annotated[str, typer.Option(help=_GOAL_HELP, show_default=False)],
    landing_url: Annotated[str, typer.Option(
        help="Where tracked links lead (http or https).", show_default=False)],
    starts: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.", show_default=False)],
    ends: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.", show_default=False)],
    topic: Annotated[str | None, typer.Option(help="Invite people in this topic (slug).",
                                              show_default=False)] = None,
    audience: Annotated[str | None, typer.Option(
        help="Rank by influence within an audience: FILE, topic:SLUG or network:NAME.",
        show_default=False)] = None,
    network: Annotated[list[str] | None, typer.Option(
        help="Credit outcomes to accounts on this network (repeatable; default any).",
        show_default=False)] = None,
    min_score: Annotated[float, typer.Option(help="Lowest overall score.")] = 1.0,
    max_score: Annotated[float, typer.Option(help="Highest overall score.")] = 100.0,
    min_quality: Annotated[float, typer.Option(
        help="Lowest audience quality (share of clean reactions, 0–1).")] = 0.0,
    budget: Annotated[float | None, typer.Option(
        help="Total budget (split over those who accept unless each has a --cost).",
        show_default=False)] = None,
    currency: Annotated[str | None, typer.Option(help="Currency of budget and costs.",
                                                 show_default=False)] = None,
    offer: Annotated[str | None, typer.Option(help="What invitees are offered.",
                                              show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a campaign: who it is for, what it counts, when it runs."""
    first, last = _day(starts, "--starts"), _day(ends, "--ends")
    target = CampaignTarget(topic, audience, tuple(network or ()), min_score, max_score,
                            min_quality)
    with store(db) as con:
        if audience:
            from renown.scoring.audience.spec import parse_audience

            parse_audience(audience)  # refuse a malformed audience now, not at invite time
        campaign = create_campaign(con, campaign_id=campaign_id, name=name, brand=brand,
                                   goal=goal, landing_url=landing_url, starts=first, ends=last,
                                   target=target, budget=budget, currency=currency,
                                   offer=offer)
    if as_json:
        print_json(asdict(campaign))
        return
    console.print(f"Created campaign [bold]{escape(campaign.campaign_id)}[/] "
                  f"({escape(campaign.name)}, {escape(campaign.brand)}): goal {campaign.goal}, "
                  f"{campaign.starts} to {campaign.ends}. Next: `renown campaign invite "
                  f"{campaign.campaign_id} --dry-run`", soft_wrap=True)


def _accepted(invited: list[Invite]) -> int:
    return sum(i.status == "accepted" for i in invited)


@campaign_app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every campaign, with how many were invited and accepted."""
    with store(db, read_only=True) as con:
        found = [(c, invites(con, c.campaign_id)) for c in list_campaigns(con)]
    if as_json:
        print_json([{**asdict(c), "invited": len(i),
                     "accepted": _accepted(i)} for c, i in found])
        return
    if not found:
        console.print("No campaigns yet (`renown campaign create --help`).")
        return
    table = Table(title="Campaigns")
    for column in ("id", "name", "brand", "goal", "runs", "invited", "accepted", "status"):
        table.add_column(column, justify="right" if column in ("invited", "accepted")
                         else "left")
    for c, i in found:
        table.add_row(c.campaign_id, escape(c.name), escape(c.brand), c.goal,
                      f"{c.starts} – {c.ends}", str(len(i)), str(_accepted(i)),
                      "open" if c.is_open else f"closed {c.closed_at:%Y-%m-%d}")
    console.print(table)


@campaign_app.command("invite")
def invite_command(
    campaign_id: CampaignArg,
    person: Annotated[list[str] | None, typer.Option(
        help="Invite this person (repeatable) instead of the proposed ones.",
        show_default=False)] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000,
                                       help="How many to propose and invite.")] = 10,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show whom it would invite, and why; store nothing.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invite people: the best matches of the campaign's target, or those named with --person.

    Each invitee gets a tracked link (/r/CODE) whose clicks and conversions are
    credited to them.
    """
    with store(db, read_only=dry_run) as con:
        campaign = open_campaign(con, campaign_id)
        already = {i.person_id for i in invites(con, campaign_id)}
        candidates = _candidates(con, campaign, person or [], limit, already)
        if dry_run:
            print_proposals(campaign, candidates, as_json)
            return
        invited = invite_people(con, campaign_id, candidates)
    if as_json:
        print_json([{**asdict(i), "link": tracked_link(i.code), "new": i.person_id not in already}
                    for i in invited])
        return
    new = sum(i.person_id not in already for i in invited)
    table = Table(title=f"Invited to {escape(campaign.name)}: {new} new")
    for column in ("person", "account", "score", "code", "tracked link", "why"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for i in invited:
        why = "; ".join(i.reasons) + ("" if i.person_id not in already else
                                      " (invited before: same code)")
        table.add_row(escape(i.person_id), escape(f"{i.network}:{i.account}"), number(i.score),
                      i.code, tracked_link(i.code), escape(why))
    console.print(table)


def _candidates(con: duckdb.DuckDBPyConnection, campaign: Campaign, people: list[str],
                limit: int, already: set[str]) -> list[InviteCandidate]:
    from renown.scoring.campaigns.propose import candidate_for, propose  # discovery: SciPy

    if people:
        return [candidate_for(con, campaign, resolve_person(con, p)) for p in people]
    return propose(con, campaign, limit=limit, exclude=sorted(already))


@campaign_app.command("respond")
def respond_command(
    campaign_id: CampaignArg,
    person: PersonArg,
    accept: Annotated[bool, typer.Option("--accept", help="They took the offer.")] = False,
    decline: Annotated[bool, typer.Option("--decline", help="They turned it down.")] = False,
    cost: Annotated[float | None, typer.Option(
        help="What they are paid or given (else the budget is split).",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record an invitee's answer: --accept (with their --cost) or --decline."""
    if accept == decline:
        fail("give exactly one of --accept and --decline", code=2)
    with store(db) as con:
        invite = respond(con, campaign_id, resolve_person(con, person), accepted=accept,
                         cost=cost)
    if as_json:
        print_json(asdict(invite))
        return
    paid = "" if invite.cost is None else f" (cost {invite.cost:,.2f})"
    console.print(f"{escape(invite.person_id)} {invite.status} campaign {campaign_id}{paid}",
                  soft_wrap=True, highlight=False)


@campaign_app.command("post")
def post_command(
    campaign_id: CampaignArg,
    person: PersonArg,
    post_id: Annotated[str, typer.Argument(help="The post's id as the network gives it.",
                                           show_default=False)],
    network: Annotated[str | None, typer.Option(
        help="The post's network (default: the invite's).", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a post an invitee made for the campaign (its reactions count as its reach)."""
    with store(db) as con:
        invite = record_post(con, campaign_id, resolve_person(con, person), post_id, network)
    if as_json:
        print_json(asdict(invite))
        return
    console.print(f"Recorded post {escape(post_id.strip())} by {escape(invite.person_id)} "
                  f"({len(invite.posts)} for campaign {campaign_id})", soft_wrap=True)


@campaign_app.command("conversions")
def conversions_command(
    campaign_id: CampaignArg,
    file: Annotated[Path, typer.Argument(
        help="A CSV or JSON of orders, or a UTM-tagged analytics export.", show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import conversions credited by tracked-link code; a replayed file adds nothing.

    Rows that cannot be read, or whose code is not this campaign's, are
    quarantined with their reason (the command still succeeds).
    """
    from renown.sources.conversions import read_conversions
    from renown.store.outcomes import record_conversions

    with store(db) as con:
        records, rejections = read_conversions(file)
        report = record_conversions(con, campaign_id, records, rejections, label=str(file))
        refused = quarantined(con, report)
    if as_json:
        print_json({**asdict(report), "quarantine": [asdict(r) for r in refused]})
        return
    console.print(f"{escape(str(file))}: stored [bold]{report.ingested:,}[/] conversions, "
                  f"{report.duplicates:,} already stored, {report.quarantined:,} quarantined",
                  soft_wrap=True)
    for r in refused:
        console.print(f"  record {r.record}: {escape(r.reason)}", soft_wrap=True, highlight=False)
    if report.quarantined:
        console.print("[yellow]Some rows were quarantined[/] (see above, or `renown status "
                      "--quarantine`).")


@campaign_app.command("show")
def show_command(campaign_id: CampaignArg, db: DbOption = None,
                 as_json: JsonOption = False) -> None:
    """A campaign's facts and its invites: status, tracked-link code, score, posts, why."""
    with store(db, read_only=True) as con:
        campaign = get_campaign(con, campaign_id)
        invited = invites(con, campaign_id)
    if as_json:
        print_json({"campaign": asdict(campaign),
                    "invites": [{**asdict(i), "link": tracked_link(i.code)} for i in invited]})
        return
    print_facts(campaign)
    table = Table(title=f"Invites ({len(invited)})")
    for column in ("person", "status", "account", "code", "score", "posts", "cost", "why"):
        table.add_column(column, justify="right" if column in ("score", "posts", "cost")
                         else "left")
    for i in invited:
        table.add_row(escape(i.person_id), i.status, escape(f"{i.network}:{i.account}"),
                      i.code, number(i.score), str(len(i.posts)), number(i.cost, 2),
                      escape("; ".join(i.reasons)))
    console.print(table)


@campaign_app.command("report")
def report_command(
    campaign_id: CampaignArg,
    out: Annotated[list[Path] | None, typer.Option(
        help="Also write the report to FILE: .csv, .json, .html or .png (repeatable).",
        show_default=False)] = None,
    resamples: Annotated[int, typer.Option(
        min=0, max=100_000, help="Bootstrap resamples for the prediction's interval.")] = 1000,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What each invitee achieved, the totals, and whether their score predicted it."""
    from renown.scoring.campaigns.report import campaign_report

    for path in out or []:
        if path.suffix.lower() not in FORMATS:
            fail(f"--out {path}: use one of {', '.join(FORMATS)}", code=2)
    with store(db, read_only=True) as con:
        report = campaign_report(con, campaign_id, resamples=resamples)
    written = [write_file(report, path) for path in out or []]
    if as_json:
        print_json({**report_document(report), "written": written})
        return
    print_report(report)
    console.print(prediction_sentence(report), soft_wrap=True, highlight=False)
    for path in written:
        console.print(f"Wrote {escape(str(path))}", soft_wrap=True, highlight=False)


@campaign_app.command("close")
def close_command(campaign_id: CampaignArg, db: DbOption = None,
                  as_json: JsonOption = False) -> None:
    """Close a campaign: its links still lead to the landing page but count nothing more."""
    with store(db) as con:
        campaign = close_campaign(con, campaign_id)
    if as_json:
        print_json(asdict(campaign))
        return
    console.print(f"Closed campaign {campaign.campaign_id} (`renown campaign report "
                  f"{campaign.campaign_id}` for what it achieved)", soft_wrap=True)
