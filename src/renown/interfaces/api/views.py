"""Core results shaped as API responses; the dashboard renders the same objects.

Each function reads through one lease (one published snapshot) and raises
`ApiError` for anything the client should hear about, so the API and the
dashboard word every problem the same way.  Costly results (explanations,
previews) are memoised in the generation they were computed from: its data
never changes, and a new generation starts with an empty memo.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np

from renown.interfaces.api import schemas
from renown.interfaces.api.errors import ApiError, invalid, not_found
from renown.interfaces.api.params import no_scores, person
from renown.interfaces.api.state import Lease, ServerState
from renown.scoring.cards import card_context, person_card
from renown.scoring.combine import round_preserving_sum
from renown.scoring.drivers import explain_change
from renown.scoring.explain import component_points, contributions, explain
from renown.scoring.model import Model
from renown.scoring.preview import preview
from renown.scoring.queries import (
    PersonNotFoundError,
    band,
    current_snapshot,
    history,
    score_distribution,
)
from renown.scoring.registry import ModelRegistryError, current_model, get_model, list_models
from renown.scoring.run import NothingToScoreError, latest_event_day
from renown.scoring.search import search_leaderboard
from renown.scoring.snapshots import SnapshotInfo
from renown.store.database import scalar


def model_of(lease: Lease) -> Model:
    return lease.generation.memo("current-model", lambda: current_model(lease.con))


def snapshot(lease: Lease, day: date | None = None) -> SnapshotInfo:
    """The current model's snapshot for ``day`` (or the newest): 404 when there is none."""
    try:
        return lease.generation.memo(("snapshot", day), lambda: current_snapshot(lease.con, day))
    except LookupError as exc:
        raise no_scores(exc) from exc


def summary(lease: Lease, text: str, day: date | None = None) -> schemas.PersonSummary:
    """Score, band, deltas, component points and networks of a person id or network:account.

    A scored person id (what leaderboards hand out) is read straight away;
    anything else is resolved first.  Answers are memoised per snapshot.
    """
    info = snapshot(lease, day)
    return lease.generation.memo(("summary", text, info.run_id),
                                 lambda: _summary(lease, info, text))


def summary_json(lease: Lease, text: str, day: date | None = None) -> bytes:
    """`summary` serialised, memoised per snapshot: the API's hottest path skips
    validating and encoding an answer it has already given."""
    info = snapshot(lease, day)
    return lease.generation.memo(
        ("summary-json", text, info.run_id),
        lambda: summary(lease, text, day).model_dump_json().encode())


def _summary(lease: Lease, info: SnapshotInfo, text: str) -> schemas.PersonSummary:
    context = lease.generation.memo(("card-context", info.run_id),
                                    lambda: card_context(lease.con, info))
    try:
        card = person_card(lease.con, context, text)
    except PersonNotFoundError as exc:
        person_id = person(lease, text)
        if person_id == text:
            raise not_found("not_scored", str(exc).strip("'\"")) from exc
        return summary(lease, person_id, info.as_of)
    parts = contributions((card.score, card.offline_points, card.account_rows),
                          model_of(lease))
    return schemas.PersonSummary(
        person_id=card.person_id, display_name=card.display_name, as_of=info.as_of,
        model_version=info.model_version, score=card.score, band=band(card.score),
        percentile=context.percentile(card.score),
        deltas=schemas.Deltas(**card.deltas),
        components=schemas.ComponentPoints(**component_points(parts), floor=1.0),
        offline_points=card.offline_points,
        networks=[schemas.NetworkScore.model_validate(n) for n in card.networks])


def person_history(lease: Lease, person_id: str, start: date | None, end: date | None,
                   limit: int, offset: int) -> schemas.History:
    if start is not None and end is not None and start > end:
        raise invalid("start", f"{start} is after end {end}")
    rows = history(lease.con, person_id, start, end)
    items = [schemas.HistoryPoint(as_of=d, score=s, model_version=v, percentile=pct)
             for d, s, v, pct in rows[offset:offset + limit]]
    return schemas.History(person_id=person_id, total=len(rows), limit=limit, offset=offset,
                           items=items)


def explanation(state: ServerState, lease: Lease, person_id: str, day: date | None,
                since: date | None, top: int) -> schemas.Explanation:
    """Contributions and evidence, and with ``since`` the drivers of the change (heavy)."""
    info = snapshot(lease, day)
    if since is not None and since >= info.as_of:
        raise invalid("since", f"{since} must be before the score day {info.as_of}")
    if not scalar(lease.con, "SELECT count(*) FROM person_scores WHERE run_id = ? AND "
                  "person_id = ?", [info.run_id, person_id]):
        raise not_found("not_scored", f"{person_id} has no score on {info.as_of}")

    def compute() -> schemas.Explanation:
        result = explain(lease.con, person_id, day=info.as_of, top=top)
        if since is not None:
            result = explain_change(lease.con, result, since)
        shown = round_preserving_sum(np.array([c.points for c in result.contributions]),
                                     result.score)
        change = None
        if result.since is not None and result.previous_score is not None:
            change = schemas.Change(since=result.since, previous_score=result.previous_score,
                                    change=result.score - result.previous_score,
                                    drivers=result.drivers)
        return schemas.Explanation(
            person_id=person_id, as_of=result.as_of, model_version=result.model_version,
            score=result.score, percentile=result.percentile,
            contributions=[schemas.Contribution(label=c.label, points=c.points,
                                                shown_points=float(s), network=c.network,
                                                account=c.account, component=c.component)
                           for c, s in zip(result.contributions, shown, strict=True)],
            top_reactors=[schemas.Reactor.model_validate(r) for r in result.top_reactors],
            top_posts=[schemas.Post.model_validate(p) for p in result.top_posts],
            change=change)

    key = ("explain", person_id, info.run_id, since, top)
    return lease.generation.memo(key, lambda: state.run_heavy(compute))


def leaderboard(lease: Lease, *, network: str | None, query: str | None, band_name: str | None,
                min_score: float | None, max_score: float | None, day: date | None,
                limit: int, offset: int) -> schemas.Leaderboard:
    try:
        page = search_leaderboard(lease.con, network=network, query=query, band=band_name,
                                  min_score=min_score, max_score=max_score, limit=limit,
                                  offset=offset, day=day)
    except LookupError as exc:
        raise no_scores(exc) from exc
    items = [schemas.LeaderboardEntry(
        rank=r.rank, person_id=r.person_id, display_name=r.display_name, score=r.score,
        percentile=r.percentile, band=band(r.score),
        networks=[n for n in r.networks.split(",") if n], reactors=r.reactors) for r in page.rows]
    return schemas.Leaderboard(as_of=page.snapshot.as_of,
                               model_version=page.snapshot.model_version, network=network,
                               total=page.total, limit=limit, offset=offset, items=items)


def distribution(lease: Lease) -> schemas.Distribution:
    try:
        found = lease.generation.memo("distribution", lambda: score_distribution(lease.con))
    except LookupError as exc:
        raise no_scores(exc) from exc
    return schemas.Distribution.model_validate(found)


def models(lease: Lease) -> schemas.Models:
    rows = lease.con.execute("SELECT version, fingerprint, is_current, created_at, promoted_at "
                             "FROM models ORDER BY created_at, version").fetchall()
    return schemas.Models(items=[
        schemas.ModelInfo(version=v, fingerprint=f, current=c, created_at=ca, promoted_at=pa)
        for v, f, c, ca, pa in rows])


def candidates(lease: Lease) -> list[str]:
    """Stored model versions other than the current one (what can be previewed)."""
    return [v for v, _, is_current in list_models(lease.con) if not is_current]


def stored_candidate(lease: Lease, version: str) -> Model:
    try:
        model = get_model(lease.con, version)
    except ModelRegistryError as exc:
        raise not_found("model_not_found", str(exc)) from exc
    return model


def model_preview(state: ServerState, lease: Lease, candidate: Model, day: date | None,
                  top: int) -> schemas.Preview:
    """The candidate against the current model on ``day`` (default: newest event's day)."""
    current = model_of(lease)
    if candidate.version == current.version:
        raise invalid("candidate", f"{candidate.version} is the current model: nothing to "
                      "compare")
    try:
        day = day or latest_event_day(lease.con)
    except NothingToScoreError as exc:
        raise no_scores(exc) from exc

    def compute() -> schemas.Preview:
        try:
            report = preview(lease.con, current, candidate, day, top)
        except ValueError as exc:
            raise ApiError(422, "invalid_model", str(exc)) from exc
        return schemas.Preview(
            current_version=report.current_version,
            candidate_version=report.candidate_version, as_of=report.as_of,
            people=report.people, mean_change=report.mean_change,
            mean_abs_change=report.mean_abs_change, quantiles=report.quantiles,
            histogram=[schemas.HistogramBucket(label=label, people=n)
                       for label, n in report.histogram],
            spearman=report.spearman if math.isfinite(report.spearman) else None,
            movers_up=[schemas.Mover.model_validate(m) for m in report.movers_up],
            movers_down=[schemas.Mover.model_validate(m) for m in report.movers_down])

    key = ("preview", candidate.fingerprint, candidate.version, day, top)
    return lease.generation.memo(key, lambda: state.run_heavy(compute))
