"""What changed a score between two dates, in plain words.

Compares the person's snapshot at an earlier date (computed on the fly when
none is stored) with the current one: points per component, and the counts of
distinct people who reacted in each way, so the sentence names the behaviour
behind the number ("Reach −1.2 points: 40% fewer distinct people replied").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pyarrow.compute as pc

from renown.errors import RenownError
from renown.scoring.explain import (
    AccountRow,
    Explanation,
    component_points,
    contributions,
    snapshot_rows,
)
from renown.scoring.model import Model
from renown.scoring.pipeline import compute_scores
from renown.scoring.registry import current_model
from renown.scoring.snapshots import day_end
from renown.scoring.topics.endorsements import stored_points_on
from renown.store.database import scalar


class SinceError(ValueError, RenownError):
    """A comparison day that is not before the score's day."""


#: Below this many points a component counts as unchanged.
NEGLIGIBLE_POINTS = 0.05
_VERB = {"reshare": "reshared", "quote": "quoted", "reply": "replied", "comment": "commented",
         "mention": "mentioned them", "like": "liked", "answer": "answered",
         "accept": "accepted an answer", "upvote": "upvoted", "endorse": "endorsed them"}


def explain_change(con: duckdb.DuckDBPyConnection, explanation: Explanation,
                   since: date) -> Explanation:
    """``explanation`` extended with the earlier score and the drivers since ``since``."""
    if since >= explanation.as_of:
        raise SinceError(f"--since {since} must be before the score date {explanation.as_of}")
    model = current_model(con)
    earlier = _rows_at(con, explanation.person_id, since, model)
    before = component_points(contributions(
        earlier, model, stored_points_on(con, since, model.version, explanation.person_id)))
    after = component_points(explanation.contributions)
    kinds_before = _reactors_by_kind(con, explanation.person_id, since, model)
    kinds_after = _reactors_by_kind(con, explanation.person_id, explanation.as_of, model)
    # The headline change is between the scores as shown (one decimal), so
    # "48.2 → 48.4" never comes with "score +0.1".
    shown_change = round(explanation.score, 1) - round(earlier[0], 1)
    drivers = describe(shown_change, before, after, kinds_before, kinds_after)
    return replace(explanation, since=since, previous_score=earlier[0], drivers=drivers)


def _rows_at(con: duckdb.DuckDBPyConnection, person_id: str, day: date,
             model: Model) -> tuple[float, float, list[AccountRow]]:
    run_id = scalar(con, "SELECT run_id FROM score_runs WHERE as_of = ? AND model_version = ?",
                    [day, model.version])
    if run_id is not None:
        try:
            return snapshot_rows(con, int(run_id), person_id)
        except LookupError:
            return (1.0, 0.0, [])
    run = compute_scores(con, day_end(day), model)
    people = run.people.filter(pc.equal(run.people["person_id"], person_id)).to_pylist()
    if not people:
        return (1.0, 0.0, [])
    accounts = run.accounts.filter(pc.equal(run.accounts["person_id"], person_id)).to_pylist()
    rows: list[AccountRow] = [
        (a["network"], a["account"], a["points"], a["raw"], a["reach"], a["amplification"],
         a["network_value"]) for a in accounts]
    return float(people[0]["score"]), float(people[0]["offline_points"]), rows


def _reactors_by_kind(con: duckdb.DuckDBPyConnection, person_id: str, day: date,
                      model: Model) -> dict[str, int]:
    """Distinct people reacting to the person, per kind, in the window ending at ``day``.

    Only kinds the model counts: a wave of follows or downvotes is not why Reach moved.
    """
    counted = sorted(kind for kind, weight in model.kind_weights.items() if weight > 0)
    rows = con.execute(f"""
        SELECT e.kind, count(DISTINCT e.actor) FROM events e
        JOIN account_people ap ON ap.network = e.network AND ap.account = e.subject
        WHERE ap.person_id = ? AND e.actor <> e.subject AND list_contains(?, e.kind)
          AND e.ts < CAST(? AS TIMESTAMP)
          AND e.ts >= CAST(? AS TIMESTAMP) - INTERVAL ({float(model.window_days)}) DAY
        GROUP BY e.kind""", [person_id, counted, day_end(day), day_end(day)]).fetchall()
    return {str(kind): int(n) for kind, n in rows}


def describe(delta: float, before: dict[str, float], after: dict[str, float],
             kinds_before: dict[str, int], kinds_after: dict[str, int]) -> list[str]:
    """Sentences naming the drivers of a change, biggest first."""
    lines = [f"score {_signed(delta)}"]
    moves = sorted(((after[c] - before[c], c) for c in after), key=lambda m: -abs(m[0]))
    for change, component in moves:
        name = component.capitalize() if component != "offline" else "Offline credentials"
        if before[component] == 0 and after[component] == 0:
            continue
        if abs(change) < NEGLIGIBLE_POINTS:
            lines.append(f"{name} component unchanged")
            continue
        reason = _kind_reason(kinds_before, kinds_after, change) if component == "reach" else ""
        lines.append(f"{name} {_signed(change)} points" + (f": {reason}" if reason else ""))
    return lines


def _signed(value: float) -> str:
    """+1.2 / −0.3 with one decimal, and never "-0.0"."""
    text = f"{value:+.1f}"
    return "+0.0" if text == "-0.0" else text


def _kind_reason(before: dict[str, int], after: dict[str, int], direction: float) -> str:
    """The reaction kind whose distinct reactors moved most in ``direction``, as a phrase."""
    best: tuple[int, str] | None = None
    for kind in sorted(set(before) | set(after)):
        change = after.get(kind, 0) - before.get(kind, 0)
        if change * direction > 0 and (best is None or abs(change) > abs(best[0])):
            best = (change, kind)
    if best is None:
        if direction < 0:
            return ("no fewer people responded, but their reactions are older now (recency "
                    "decay) or other components now carry more of the score")
        return "the same people responded more recently or more selectively"
    change, kind = best
    old, new = before.get(kind, 0), after.get(kind, 0)
    verb = _VERB.get(kind, kind)
    if old == 0:
        return f"{new} people {verb} where none had before"
    percent = round(100 * abs(change) / old)
    more_or_fewer = "more" if change > 0 else "fewer"
    return f"{percent}% {more_or_fewer} distinct people {verb} ({old} → {new})"
