"""The dashboard's pages: leaderboard (by topic too), a person, discovery, model preview.

Pages are public and read-only (rate-limited per client address); they read
the same published snapshot and the same views as the API, so a page and an
API response never disagree.  Query parameters are validated like the API's;
an empty form field counts as not given.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import AfterValidator, BeforeValidator

from renown.interfaces.api import schemas, topic_views, views
from renown.interfaces.api.audience_views import parse_audience_text
from renown.interfaces.api.auth import page_limit
from renown.interfaces.api.discover_views import Filters, discovery
from renown.interfaces.api.params import (
    BAND_NAMES,
    NETWORK_PATTERN,
    Day,
    PersonId,
    known_network,
    person,
)
from renown.interfaces.api.routers.topics import SLUG_PATTERN
from renown.interfaces.api.state import Lease, LeaseDep, StateDep
from renown.interfaces.web.charts import bars
from renown.interfaces.web.render import page
from renown.interfaces.web.sections import PersonContext, person_sections
from renown.scoring.search import scored_networks

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_limit)])
PAGE_SIZE: Final = 25


def _form_field(pattern: str | None = None, max_length: int = 100) -> BeforeValidator:
    """A form field: blank means not given; otherwise checked like the API's parameter."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        if len(value) > max_length:
            raise ValueError(f"at most {max_length} characters")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise ValueError(f"must match {pattern}")
        return value

    return BeforeValidator(check)


def _band_name(value: str | None) -> str | None:
    if value is not None and value not in BAND_NAMES:
        raise ValueError(f"expected one of {', '.join(BAND_NAMES)}")
    return value


def _percent(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise ValueError("expected a score from 0 to 100")
    return value


def _share(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise ValueError("expected a percentage from 0 to 100")
    return value


def _audience(value: str | None) -> str | None:
    if value is not None:
        parse_audience_text(value)
    return value


FormText = Annotated[str | None, _form_field(), Query()]
FormNetwork = Annotated[str | None, _form_field(NETWORK_PATTERN), Query()]
FormBand = Annotated[str | None, _form_field(), AfterValidator(_band_name), Query()]
FormScore = Annotated[float | None, _form_field(), AfterValidator(_percent), Query()]
FormDay = Annotated[Day | None, _form_field(), Query()]
FormTopic = Annotated[str | None, _form_field(SLUG_PATTERN, 200), Query()]
FormAudience = Annotated[str | None, _form_field(max_length=240), AfterValidator(_audience),
                         Query()]
FormQuality = Annotated[float | None, _form_field(), AfterValidator(_share), Query()]
FormModel = Annotated[str | None, _form_field(max_length=200), Query()]
PageNumber = Annotated[int, Query(ge=1, le=100_000, alias="page")]


def _common(lease: Lease, nav: str) -> dict[str, Any]:
    info = views.snapshot(lease)
    return {"nav": nav, "snapshot": info, "generation": lease.generation.number,
            "networks": scored_networks(lease.con, info.run_id)}


def _topics(lease: Lease) -> list[Any]:
    """Topics someone is attributed in the snapshot, by name (what a topic filter offers)."""
    found = topic_views.topic_list(lease, None, True, 100_000, 0).items
    return sorted(found, key=lambda t: (t.name.lower(), t.slug))


def _pages(board: schemas.Page) -> dict[str, int]:
    count = max(1, math.ceil(board.total / PAGE_SIZE))
    return {"page": board.offset // PAGE_SIZE + 1, "pages": count}


@router.get("/")
def home() -> Response:
    return RedirectResponse("/leaderboard", status_code=307)


@router.get("/leaderboard")
def leaderboard_page(request: Request, lease: LeaseDep, q: FormText = None,
                     network: FormNetwork = None, topic: FormTopic = None,
                     page_number: PageNumber = 1) -> Response:
    """People by score, with a search box and network and topic filters (with a topic:
    the topic's standings, by influence within it)."""
    common = _common(lease, "leaderboard")
    known_network(lease, common["snapshot"], network)
    offset = (page_number - 1) * PAGE_SIZE
    board: schemas.Page
    if topic is not None:
        board = topic_views.standings(lease, topic, None, PAGE_SIZE, offset, query=q,
                                      network=network)
    else:
        board = views.leaderboard(lease, network=network, query=q, band_name=None,
                                  min_score=None, max_score=None, day=None, limit=PAGE_SIZE,
                                  offset=offset)
    return page(request, "leaderboard.html", {
        **common, "board": board, "q": q or "", "network": network, "topic": topic,
        "topics": _topics(lease), **_pages(board)})


@router.get("/people/{person_id}")
def person_page(request: Request, person_id: PersonId, lease: LeaseDep, state: StateDep,
                since: FormDay = None) -> Response:
    """A person: score and trend, components, history, networks, why it changed, evidence."""
    found = person(lease, person_id)
    if found != person_id:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(request.url_for("person_page", person_id=found).path + query,
                                status_code=307)
    ctx = PersonContext(state, lease, views.summary(lease, found), since)
    return page(request, "person.html", {**_common(lease, "person"), "p": ctx.summary,
                                         "sections": person_sections(ctx)})


@router.get("/discover")
def discover_page(request: Request, lease: LeaseDep, state: StateDep, topic: FormTopic = None,
                  audience: FormAudience = None, band: FormBand = None,
                  min_score: FormScore = None, max_score: FormScore = None,
                  min_quality: FormQuality = None, page_number: PageNumber = 1) -> Response:
    """Find people by topic, audience, score band and audience quality (`renown discover`)."""
    common = _common(lease, "discover")
    filters = Filters(topic, None if audience is None else parse_audience_text(audience),
                      band, min_score, max_score, (min_quality or 0.0) / 100)
    found = discovery(state, lease, filters, None, PAGE_SIZE, (page_number - 1) * PAGE_SIZE)
    spread = views.distribution(lease)
    topics = _topics(lease)
    audiences = [(f"network:{n}", f"Everyone on {n}") for n in common["networks"]] + [
        (f"topic:{t.slug}", f"People who write about {t.name}") for t in topics]
    return page(request, "discover.html", {
        **common, "found": found, "bands": BAND_NAMES, "band": band, "topic": topic,
        "topics": topics, "audience": audience, "audiences": audiences,
        "min_score": min_score, "max_score": max_score, "min_quality": min_quality,
        **_pages(found), "distribution": spread,
        "band_bars": bars([(name, float(spread.bands.get(name, 0))) for name in BAND_NAMES],
                          "{:,.0f}")})


@router.get("/model-preview")
def preview_page(request: Request, lease: LeaseDep, state: StateDep,
                 candidate: FormModel = None
                 ) -> Response:
    """A stored candidate model against the current one: changes and biggest movers."""
    common = _common(lease, "preview")
    choices = views.candidates(lease)
    chosen = candidate or (choices[-1] if choices else None)
    report = None
    if chosen is not None:
        report = views.model_preview(state, lease, views.stored_candidate(lease, chosen),
                                     None, 10)
    histogram = bars([(b.label, float(b.people)) for b in report.histogram], "{:,.0f}") \
        if report else []
    return page(request, "preview.html", {**common, "choices": choices, "chosen": chosen,
                                          "report": report, "histogram": histogram,
                                          "current": views.model_of(lease).version})
