"""Audiences shaped as API responses (and dashboard data): naming an audience, influencers
and influencees, audience quality, and scores within an audience.

These are computed on request from the served snapshot's events (the core
keeps no table of them): each passes the heavy-work gate once per published
generation and is memoised with it.  An audience from a request is never a
file on the server: ``topic:SLUG`` and ``network:NAME`` in a query string, or a
body listing accounts and people.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from renown.interfaces.api import audience_schemas as aus
from renown.interfaces.api.errors import invalid, not_found
from renown.interfaces.api.params import no_scores, person
from renown.interfaces.api.state import Lease, ServerState
from renown.interfaces.api.views import snapshot
from renown.scoring.audience.influence import InfluenceReport, influence
from renown.scoring.audience.quality import person_quality
from renown.scoring.audience.spec import AudienceError, AudienceSpec, Entry
from renown.scoring.audience.targeted import score_audience
from renown.scoring.run import NothingToScoreError

#: Links kept per direction (the strongest): pages reach this far.
INFLUENCE_LINKS: Final = 1000
#: Example reactions per link.
EXAMPLES: Final = 3
AUDIENCE_HELP: Final = "expected topic:SLUG or network:NAME (to list accounts, POST a body)"


def parse_audience_text(text: str) -> AudienceSpec:
    """``topic:SLUG`` or ``network:NAME`` (never a path: the server's files are not input).

    Raises ValueError, so a query parameter's validator can use it as it is."""
    kind, sep, name = text.partition(":")
    if not sep or kind not in ("topic", "network") or not name.strip():
        raise ValueError(f"{text!r}: {AUDIENCE_HELP}")
    return AudienceSpec.topic(name.strip()) if kind == "topic" else AudienceSpec.network(
        name.strip())


_RESOLVE_SQL = """
    SELECT e.i, coalesce(p.person_id, ap.person_id, byref.person_id)
    FROM _audience_entries e
    LEFT JOIN people p ON e.network IS NULL AND p.person_id = e.text
    LEFT JOIN account_people ap ON e.network IS NULL AND contains(e.text, ':')
         AND ap.network = split_part(e.text, ':', 1)
         AND ap.account = substr(e.text, length(split_part(e.text, ':', 1)) + 2)
    LEFT JOIN account_people byref ON byref.network = e.network AND byref.account = e.text
    ORDER BY e.i"""


def audience_of(lease: Lease, body: aus.AudienceBody) -> tuple[AudienceSpec, list[str]]:
    """The audience a body names, and the listed entries that match nothing in the store.

    A listed string is a person id or ``network:account`` (like every person
    parameter), standing for all of that person's accounts.
    """
    if body.topic is not None:
        return AudienceSpec.topic(body.topic), []
    if body.network is not None:
        return AudienceSpec.network(body.network), []
    listed = body.accounts or []
    networks = [None if isinstance(m, str) else m.network for m in listed]
    texts = [m if isinstance(m, str) else m.account for m in listed]
    lease.con.register("_audience_entries", pa.table({
        "i": pa.array(range(len(listed)), pa.int64()), "network": pa.array(networks, pa.string()),
        "text": pa.array(texts, pa.string())}))
    try:
        rows = lease.con.execute(_RESOLVE_SQL).fetchall()
    finally:
        lease.con.unregister("_audience_entries")
    entries: list[Entry] = []
    unmatched: list[str] = []
    for (i, found), network, text in zip(rows, networks, texts, strict=True):
        assert i == len(entries) + len(unmatched)
        if found is None:
            unmatched.append(text if network is None else f"{network}:{text}")
        else:
            entries.append((None, str(found)) if network is None else (network, text))
    if not entries:
        raise invalid("audience", "none of the listed accounts or people is in the store")
    return AudienceSpec.accounts(entries, f"{len(entries)} listed accounts or people"), unmatched


def _influence_report(state: ServerState, lease: Lease, person_id: str,
                      day: date) -> InfluenceReport:
    def compute() -> InfluenceReport:
        try:
            return influence(lease.con, person_id, day, INFLUENCE_LINKS, EXAMPLES)
        except NothingToScoreError as exc:
            raise no_scores(exc) from exc

    return lease.generation.memo(("influence", person_id, day),
                                 lambda: state.run_heavy(compute))


def influence_page(state: ServerState, lease: Lease, person_id: str, day: date | None,
                   direction: str, limit: int, offset: int) -> aus.Influence:
    """Influencers or influencees (strongest flow first), as of a stored score day."""
    info = snapshot(lease, day)
    report = _influence_report(state, lease, person_id, info.as_of)
    links = report.influencers if direction == "influencers" else report.influencees
    return aus.Influence(
        person_id=person_id, as_of=report.as_of, model_version=report.model_version,
        direction=direction, total=len(links), limit=limit, offset=offset,
        items=[aus.InfluenceLink.model_validate(link) for link in links[offset:offset + limit]])


def audience_quality(state: ServerState, lease: Lease, person_id: str, day: date | None,
                     limit: int) -> aus.AudienceQuality:
    """How much of a person's audience is automated, indiscriminate or their own pod."""
    info = snapshot(lease, day)

    def compute() -> aus.AudienceQuality:
        try:
            found = person_quality(lease.con, person_id, info.as_of, limit)
        except NothingToScoreError as exc:
            raise no_scores(exc) from exc
        except LookupError as exc:
            raise not_found("no_audience", str(exc).strip("'\"")) from exc
        return aus.AudienceQuality(
            person_id=found.person_id, as_of=found.day, reactors=found.reactors,
            automated_reactors=found.automated_reactors, automated_share=found.automated_share,
            reactions=found.reactions, pod_reactions=found.pod_reactions,
            pod_share=found.pod_share, quality=found.quality,
            automated=[aus.FlaggedReactor.model_validate(r) for r in found.automated],
            pods=[aus.PodEvidence.model_validate(p) for p in found.pods],
            fences={n: aus.Fences.model_validate(f) for n, f in sorted(found.fences.items())})

    return lease.generation.memo(("quality", person_id, info.as_of, limit),
                                 lambda: state.run_heavy(compute))


def audience_run(state: ServerState, lease: Lease, spec: AudienceSpec,
                 day: date) -> tuple[str, int, int, str, pa.Table]:
    """(label, members, active members, model version, people) within ``spec`` on ``day``."""

    def compute() -> tuple[str, int, int, str, pa.Table]:
        try:
            run = score_audience(lease.con, spec, day)
        except AudienceError as exc:
            raise invalid("audience", str(exc)) from exc
        except NothingToScoreError as exc:
            raise no_scores(exc) from exc
        return run.label, run.members, run.active_members, run.model.version, run.people

    return lease.generation.memo(("audience-run", spec, day), lambda: state.run_heavy(compute))


def audience_scores(state: ServerState, lease: Lease,
                    body: aus.AudienceScoreRequest) -> aus.AudienceScores:
    """Scores within the body's audience: the people asked for, or the ranking, paged."""
    info = snapshot(lease, body.as_of)
    spec, unmatched = audience_of(lease, body.audience)
    wanted = [person(lease, p) for p in body.people] if body.people else None
    label, members, active, version, people = audience_run(state, lease, spec, info.as_of)
    if wanted is None:
        rows = people.slice(body.offset, body.limit).to_pylist()
        unscored: list[str] = []
        total = people.num_rows
    else:
        found = people.filter(pc.is_in(people["person_id"], pa.array(wanted, pa.string())))
        by_id = {r["person_id"]: r for r in found.to_pylist()}
        rows = [by_id[p] for p in dict.fromkeys(wanted) if p in by_id]
        unscored = [p for p in dict.fromkeys(wanted) if p not in by_id]
        total = len(rows)
    return aus.AudienceScores(
        audience=label, as_of=info.as_of, model_version=version, members=members,
        active_members=active, people=people.num_rows, total=total, limit=body.limit,
        offset=0 if wanted is not None else body.offset,
        items=[aus.AudienceScore.model_validate(r) for r in rows], unscored=unscored,
        unmatched=unmatched)
