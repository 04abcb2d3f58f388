"""``/v1/campaigns``: campaigns with measured outcomes (docs/campaigns.md), over HTTP.

The API twin of ``renown campaign …``: the same core (`renown.store.campaigns`,
`renown.store.outcomes`, `renown.scoring.campaigns`) behind ``read`` scope to
look and ``write`` scope to change.  Reads use the request's snapshot; writes
go through `ServerState.writer` (503 busy while another process writes) and are
published before the response.

Status codes: 201 when something is created (a campaign, invites, a post, a
conversion), 200 otherwise; 404 for an unknown campaign, person or invite; 409
for a campaign id already taken or a campaign that is closed (it takes no more
invites, answers or outcomes: nothing is stored or quarantined); 422 for what
the campaign core refuses, with its message.

The conversion webhook needs an ``Idempotency-Key`` header (400 without one);
the body is one conversion as JSON (`renown.sources.conversions`), the key
standing in for the order id when the body has none.  A replay (same order, or
same key without an order id) answers 200 with ``duplicate: true`` and adds
nothing.  A conversion Renown cannot use (an unknown code, a code of another
campaign, a time before the campaign started, a missing or unreadable field)
is quarantined with its reason, personal fields removed, and answers 422
``conversion_refused`` with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, TypeVar

import duckdb
from fastapi import Body, Header, Path, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from renown.interfaces.api import campaign_schemas as cs
from renown.interfaces.api.auth import ReadKey, WriteKey
from renown.interfaces.api.errors import ApiError, not_found
from renown.interfaces.api.params import no_scores, person
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import Lease, LeaseDep, StateDep
from renown.interfaces.campaign_files import report_document
from renown.sources.base import Rejection
from renown.sources.conversions import ConversionRecord, conversion_from_payload, excerpt
from renown.store.campaigns import (
    Campaign,
    CampaignError,
    InviteCandidate,
    close_campaign,
    create_campaign,
    get_campaign,
    invite_of,
    invite_people,
    invites,
    list_campaigns,
    record_post,
    respond,
)
from renown.store.database import StoreError
from renown.store.outcomes import record_conversions

router = v1_router("campaigns")
T = TypeVar("T")

CampaignId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$",
                                 description="The campaign's id.")]
#: Longest Idempotency-Key accepted (a UUID is 36 characters).
MAX_KEY: Final = 200
Responses = dict[int | str, dict[str, Any]]
_NOT_FOUND: Responses = {404: {"description": "No such campaign (or person, or invite)"}}
_CONFLICT: Responses = {409: {"description": "The campaign is closed, or its id is taken"}}
_WRITE: Responses = {**_NOT_FOUND, **_CONFLICT, 503: {
    "description": "Another process is writing to the store; retry"}}


def _campaign(con: duckdb.DuckDBPyConnection, campaign_id: str) -> Campaign:
    try:
        return get_campaign(con, campaign_id)
    except CampaignError as exc:
        raise not_found("campaign_not_found", f"no campaign {campaign_id!r}") from exc


def _open(con: duckdb.DuckDBPyConnection, campaign_id: str) -> Campaign:
    campaign = _campaign(con, campaign_id)
    if not campaign.is_open:
        raise ApiError(409, "campaign_closed", f"campaign {campaign_id!r} was closed on "
                       f"{campaign.closed_at:%Y-%m-%d}: it takes no more invites, answers "
                       "or outcomes")
    return campaign


def _refused(exc: CampaignError) -> ApiError:
    return ApiError(422, "campaign_refused", str(exc))


def _core(call: Callable[[], T]) -> T:
    """``call()``, what the campaign core refuses answered 422 with its message."""
    try:
        return call()
    except CampaignError as exc:
        raise _refused(exc) from exc


@router.post("/campaigns", status_code=201, response_model=cs.CampaignOut, responses=_WRITE)
def create(body: cs.CampaignIn, state: StateDep, key: WriteKey) -> cs.CampaignOut:
    """Create a campaign: who it is for, what it counts, when it runs."""
    with state.writer() as con:
        try:
            get_campaign(con, body.campaign_id)
        except CampaignError:
            pass
        else:
            raise ApiError(409, "campaign_exists", f"campaign {body.campaign_id!r} exists "
                           "already")
        campaign = _core(lambda: create_campaign(
            con, campaign_id=body.campaign_id, name=body.name, brand=body.brand,
            goal=body.goal, landing_url=body.landing_url, starts=body.starts, ends=body.ends,
            target=body.target.core(), budget=body.budget, currency=body.currency,
            offer=body.offer))
    return cs.CampaignOut.of(campaign)


@router.get("/campaigns", response_model=cs.CampaignList)
def campaign_list(lease: LeaseDep, key: ReadKey) -> cs.CampaignList:
    """Every campaign, oldest first, with how many were invited and accepted."""
    items = []
    for c in list_campaigns(lease.con):
        invited = invites(lease.con, c.campaign_id)
        items.append(cs.CampaignSummary(
            **cs.CampaignOut.of(c).model_dump(), invited=len(invited),
            accepted=sum(i.status == "accepted" for i in invited)))
    return cs.CampaignList(items=items)


@router.get("/campaigns/{campaign_id}", response_model=cs.CampaignDetail,
            responses=_NOT_FOUND)
def campaign_detail(campaign_id: CampaignId, lease: LeaseDep, key: ReadKey
                    ) -> cs.CampaignDetail:
    """A campaign and its invites: status, tracked link, score when invited, posts, why."""
    campaign = _campaign(lease.con, campaign_id)
    return cs.CampaignDetail(campaign=cs.CampaignOut.of(campaign),
                             invites=[cs.InviteOut.of(i) for i in invites(lease.con,
                                                                          campaign_id)])


def _candidates(lease: Lease, campaign: Campaign, people: list[str], limit: int,
                already: set[str]) -> list[InviteCandidate]:
    from renown.scoring.campaigns.propose import candidate_for, propose  # discovery: SciPy

    try:
        if people:
            return [candidate_for(lease.con, campaign, p) for p in people]
        return propose(lease.con, campaign, limit=limit, exclude=sorted(already))
    except CampaignError as exc:
        raise _refused(exc) from exc
    except LookupError as exc:  # nothing scored yet
        raise no_scores(exc) from exc


@router.post("/campaigns/{campaign_id}/invites", status_code=201,
             response_model=cs.InvitesOut, responses={**_WRITE, 200: {
                 "description": "A dry run: whom it would invite, and why"}})
def invite(campaign_id: CampaignId, body: cs.InvitesIn, response: Response, state: StateDep,
           lease: LeaseDep, key: WriteKey) -> cs.InvitesOut:
    """Invite the best matches of the campaign's target (or the ``people`` named), each
    with the reasons and a tracked link; ``dry_run`` stores nothing.  Someone invited
    before keeps their code."""
    campaign = _open(lease.con, campaign_id)
    already = {i.person_id for i in invites(lease.con, campaign_id)}
    people = [person(lease, p) for p in body.people or []]
    found = state.run_heavy(lambda: _candidates(lease, campaign, people, body.limit, already))
    if body.dry_run:
        response.status_code = 200
        items = [cs.InviteItem.proposed(c).model_copy(update={"new": c.person_id not in already})
                 for c in found]
        return cs.InvitesOut(campaign_id=campaign_id, dry_run=True,
                             new=sum(i.new for i in items), items=items)
    with state.writer() as con:
        _open(con, campaign_id)
        invited = _core(lambda: invite_people(con, campaign_id, found))
    items = [cs.InviteItem.invited(i, i.person_id not in already) for i in invited]
    return cs.InvitesOut(campaign_id=campaign_id, dry_run=False, new=sum(i.new for i in items),
                         items=items)


def _invitee(con: duckdb.DuckDBPyConnection, campaign_id: str, person_id: str) -> None:
    try:
        invite_of(con, campaign_id, person_id)
    except CampaignError as exc:
        raise not_found("invite_not_found", str(exc)) from exc


@router.post("/campaigns/{campaign_id}/responses", response_model=cs.InviteOut,
             responses=_WRITE)
def answer(campaign_id: CampaignId, body: cs.ResponseIn, state: StateDep, lease: LeaseDep,
           key: WriteKey) -> cs.InviteOut:
    """Record an invitee's answer (and, on acceptance, what they are paid or given)."""
    person_id = person(lease, body.person)
    with state.writer() as con:
        _open(con, campaign_id)
        _invitee(con, campaign_id, person_id)
        found = _core(lambda: respond(con, campaign_id, person_id, accepted=body.accepted,
                                      cost=body.cost))
    return cs.InviteOut.of(found)


@router.post("/campaigns/{campaign_id}/posts", status_code=201, response_model=cs.InviteOut,
             responses=_WRITE)
def post(campaign_id: CampaignId, body: cs.PostIn, state: StateDep, lease: LeaseDep,
         key: WriteKey) -> cs.InviteOut:
    """Record a post an accepted invitee made for the campaign (its reactions are its
    reach); recording it again changes nothing."""
    person_id = person(lease, body.person)
    with state.writer() as con:
        _open(con, campaign_id)
        _invitee(con, campaign_id, person_id)
        found = _core(lambda: record_post(con, campaign_id, person_id, body.post_id,
                                          body.network))
    return cs.InviteOut.of(found)


def _idempotency_key(value: str | None) -> str:
    if value is None or not value.strip():
        raise ApiError(400, "missing_idempotency_key", "a conversion needs an Idempotency-Key "
                       "header (a unique id per conversion: a replay with the same key adds "
                       "nothing)")
    text = value.strip()
    if len(text) > MAX_KEY or not text.isprintable() or not text.isascii():
        raise ApiError(400, "invalid_idempotency_key", f"the Idempotency-Key must be 1-{MAX_KEY} "
                       "printable ASCII characters")
    return text


def _parse(payload: dict[str, Any], key: str) -> tuple[ConversionRecord | None,
                                                       list[Rejection]]:
    try:
        return conversion_from_payload(payload, fallback_order=key), []
    except ValueError as exc:
        return None, [Rejection.of(1, str(exc), excerpt(payload))]


def _refusal(con: duckdb.DuckDBPyConnection, label: str) -> str:
    """The reason the newest ingestion under ``label`` quarantined its record."""
    row = con.execute("""
        SELECT reason FROM quarantine
        WHERE ingestion_id = (SELECT max(ingestion_id) FROM ingestions WHERE path = ?)
        ORDER BY record LIMIT 1""", [label]).fetchone()
    return str(row[0]) if row else "refused"


@router.post("/campaigns/{campaign_id}/conversions", status_code=201,
             response_model=cs.ConversionOut, responses={
                 **_WRITE, 200: {"description": "Stored before: a replay adds nothing"},
                 400: {"description": "No (or a malformed) Idempotency-Key header"},
                 422: {"description": "Refused (and quarantined with the reason)"}})
def conversion(
    campaign_id: CampaignId, response: Response, state: StateDep, key: WriteKey,
    payload: Annotated[dict[str, Any], Body(description=(
        "One conversion: code, time, optionally order_id, value, outcome, customer."))],
    idempotency_key: Annotated[str | None, Header(description=(
        "A unique id per conversion (1-200 printable ASCII characters)."))] = None,
) -> cs.ConversionOut:
    """The conversion webhook: one order or sign-up credited by its tracked-link code."""
    idem = _idempotency_key(idempotency_key)
    record, rejections = _parse(payload, idem)
    label = f"webhook /v1/campaigns/{campaign_id}/conversions"
    with state.writer() as con:
        campaign = _open(con, campaign_id)
        report = record_conversions(con, campaign_id, [record] if record else [], rejections,
                                    label=label, channel="webhook")
        reason = _refusal(con, report.path) if report.quarantined else None
    if reason is not None or record is None:
        raise ApiError(422, "conversion_refused", f"conversion refused (quarantined): {reason}",
                       {"reason": reason, "quarantined": True})
    if report.duplicates:
        response.status_code = 200
    return cs.ConversionOut(campaign_id=campaign_id, code=record.code, order_id=record.order_id,
                            outcome=record.outcome or campaign.outcome, value=record.value,
                            ts=record.ts, duplicate=report.duplicates > 0)


@router.get("/campaigns/{campaign_id}/report", responses=_NOT_FOUND)
def report(campaign_id: CampaignId, state: StateDep, key: ReadKey,
           resamples: Annotated[int, Query(ge=0, le=10_000, description=(
               "Bootstrap resamples for the prediction's interval."))] = 1000) -> JSONResponse:
    """What each invitee achieved, the totals, and whether their score predicted it.

    Clicks received so far are stored and published first, so the report counts
    them; ``pending_clicks`` says how many are still waiting because another
    process holds the store."""
    from renown.scoring.campaigns.report import campaign_report

    state.flush(state.settings.write_timeout)
    try:
        with state.reader.lease() as (generation, con):
            _campaign(con, campaign_id)
            found = state.run_heavy(lambda: generation.memo(
                ("campaign-report", campaign_id, resamples),
                lambda: campaign_report(con, campaign_id, resamples=resamples)))
    except StoreError as exc:
        raise ApiError(503, "unavailable", str(exc), headers={"Retry-After": "5"}) from exc
    document = {**report_document(found), "pending_clicks": len(state.clicks)}
    return JSONResponse(jsonable_encoder(document))


@router.post("/campaigns/{campaign_id}/close", response_model=cs.CampaignOut,
             responses=_WRITE)
def close(campaign_id: CampaignId, state: StateDep, key: WriteKey) -> cs.CampaignOut:
    """Close a campaign: its links still lead to the landing page but count nothing more."""
    with state.writer() as con:
        _open(con, campaign_id)
        return cs.CampaignOut.of(close_campaign(con, campaign_id))
