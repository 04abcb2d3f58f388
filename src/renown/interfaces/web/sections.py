"""The sections of a person's page, each shown only when its data exists.

A section is a template partial and a loader; the loader returns the data the
partial draws, or None to leave the section out (no history stored, no
earlier day to compare with, no topic attributed, nobody reacting either way...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from renown.interfaces.api import audience_views, schemas, topic_views, views
from renown.interfaces.api.errors import invalid
from renown.interfaces.api.state import Lease, ServerState
from renown.interfaces.web.charts import bars, line_chart
from renown.scoring.queries import history

#: Evidence rows (reactors, posts) shown on a person's page.
EVIDENCE_ROWS = 8
#: Topics, and influencers and influencees each way, shown on a person's page.
TOPIC_ROWS = 12
INFLUENCE_ROWS = 8


@dataclass
class PersonContext:
    """What the loaders of one person page share (one lease: one snapshot)."""

    state: ServerState
    lease: Lease
    summary: schemas.PersonSummary
    since: date | None
    _explanation: schemas.Explanation | None = field(default=None, repr=False)

    @property
    def person_id(self) -> str:
        return self.summary.person_id

    def history(self) -> list[tuple[date, float, str, float]]:
        return history(self.lease.con, self.person_id, None, self.summary.as_of)

    def comparable_days(self) -> list[date]:
        """Earlier days with a stored snapshot, newest first (what "since" may be)."""
        return sorted((d for d, *_ in self.history() if d < self.summary.as_of), reverse=True)

    def chosen_since(self) -> date | None:
        """The day to compare with: the one asked for, else a week back (or the oldest)."""
        days = self.comparable_days()
        if self.since is not None:
            if self.since not in days:
                raise invalid("since", f"{self.since} has no stored snapshot; choose one of "
                              f"{', '.join(d.isoformat() for d in days[:10]) or 'none'}")
            return self.since
        week = self.summary.as_of - timedelta(days=7)
        return week if week in days else (days[-1] if days else None)

    def explanation(self) -> schemas.Explanation:
        if self._explanation is None:
            self._explanation = views.explanation(self.state, self.lease, self.person_id,
                                                  self.summary.as_of, self.chosen_since(),
                                                  EVIDENCE_ROWS)
        return self._explanation


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    template: str
    load: Callable[[PersonContext], Any]


def _components(ctx: PersonContext) -> Any:
    c = ctx.summary.components
    values = [("Reach", c.reach), ("Amplification", c.amplification), ("Network", c.network)]
    if c.offline:
        values.append(("Offline credentials", c.offline))
    return bars(values)


def _history(ctx: PersonContext) -> Any:
    rows = ctx.history()
    if not rows:
        return None
    return {"chart": line_chart([(d, s) for d, s, *_ in rows]), "rows": rows}


def _networks(ctx: PersonContext) -> Any:
    return ctx.summary.networks or None


def _why(ctx: PersonContext) -> Any:
    days = ctx.comparable_days()
    if not days:
        return None
    return {"days": days, "since": ctx.chosen_since(), "explanation": ctx.explanation()}


def _evidence(ctx: PersonContext) -> Any:
    found = ctx.explanation()
    if not found.top_reactors and not found.top_posts:
        return None
    return found


def _topics(ctx: PersonContext) -> Any:
    found = topic_views.person_topic_page(ctx.lease, ctx.person_id, ctx.summary.as_of,
                                          TOPIC_ROWS, 0)
    return found if found.items else None


def _influence(ctx: PersonContext) -> Any:
    """Both directions, each link with its share of the strongest flow (for the bars)."""
    shown = {}
    for direction in ("influencers", "influencees"):
        page = audience_views.influence_page(ctx.state, ctx.lease, ctx.person_id,
                                             ctx.summary.as_of, direction, INFLUENCE_ROWS, 0)
        strongest = max((link.flow for link in page.items), default=0.0)
        shown[direction] = {"total": page.total, "links": [
            (link, link.flow / strongest if strongest > 0 else 0.0) for link in page.items]}
    if not any(d["links"] for d in shown.values()):
        return None
    return shown


PERSON_SECTIONS: list[Section] = [
    Section("components", "What the score is made of", "partials/person_components.html",
            _components),
    Section("history", "History", "partials/person_history.html", _history),
    Section("networks", "Per network", "partials/person_networks.html", _networks),
    Section("topics", "Topics", "partials/person_topics.html", _topics),
    Section("influence", "Influence", "partials/person_influence.html", _influence),
    Section("why", "Why it changed", "partials/person_why.html", _why),
    Section("evidence", "Who and what is behind it", "partials/person_evidence.html",
            _evidence),
]


def person_sections(ctx: PersonContext) -> list[tuple[Section, Any]]:
    """The sections that have data for this person, in page order."""
    shown = []
    for section in PERSON_SECTIONS:
        data = section.load(ctx)
        if data is not None:
            shown.append((section, data))
    return shown
