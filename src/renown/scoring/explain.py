"""Why a score is what it is, and why it changed (DESIGN.md property 5).

The parts always add up: the points of each account are split among its
components in proportion to their weighted raw influence, offline points are
their own line, and 1 point is the floor everyone starts from.  Evidence
(the people whose reactions weigh most, the posts that drew them) is computed
for this person only, with the same SQL as the full run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from renown.scoring.model import Model
from renown.scoring.percentiles import percentile_of
from renown.scoring.queries import PersonNotFoundError, current_snapshot
from renown.scoring.registry import current_model
from renown.scoring.scale import MIN_SCORE
from renown.scoring.signals import QUANTUM, SignalScope, build_signals
from renown.scoring.snapshots import day_end
from renown.scoring.topics.endorsements import stored_points

COMPONENTS = ("reach", "amplification", "network")


@dataclass(frozen=True, slots=True)
class Contribution:
    label: str
    points: float
    network: str | None = None
    account: str | None = None
    component: str | None = None


@dataclass(frozen=True, slots=True)
class ReactorEvidence:
    network: str
    author: str
    reactor: str
    reactions: int
    #: How much of a person this reactor counts as (0..1), after all discounts.
    reach: float
    #: The reactor's own influence (1 = an average account).
    reactor_influence: float


@dataclass(frozen=True, slots=True)
class PostEvidence:
    network: str
    post_id: str
    reactions: int
    reactors: int
    text: str | None


@dataclass(frozen=True, slots=True)
class Explanation:
    person_id: str
    as_of: date
    model_version: str
    score: float
    #: Percentile rank among everyone scored that day under the model (0–100).
    percentile: float
    contributions: list[Contribution]
    top_reactors: list[ReactorEvidence]
    top_posts: list[PostEvidence]
    #: With a comparison date: the earlier score and the drivers, in words.
    since: date | None = None
    previous_score: float | None = None
    drivers: list[str] = field(default_factory=list)


AccountRow = tuple[str, str, float, float, float, float, float]
_ACCOUNT_COLUMNS = "network, account, points, raw, reach, amplification, network_value"


def snapshot_rows(con: duckdb.DuckDBPyConnection, run_id: int, person_id: str
                  ) -> tuple[float, float, list[AccountRow]]:
    """(score, offline points, account rows) of one person in a stored snapshot."""
    person = con.execute("SELECT score, offline_points FROM person_scores WHERE run_id = ? "
                         "AND person_id = ?", [run_id, person_id]).fetchall()
    if not person:
        raise PersonNotFoundError(f"{person_id!r} has no score in this snapshot")
    rows = con.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM account_scores WHERE run_id = ? "
                       "AND person_id = ? ORDER BY points DESC, network, account",
                       [run_id, person_id]).fetchall()
    return float(person[0][0]), float(person[0][1]), [tuple(r) for r in rows]


def contributions(score_rows: tuple[float, float, list[AccountRow]],
                  model: Model, endorsed: float = 0.0) -> list[Contribution]:
    """The parts of a score; they add up to it exactly (before rounding).

    ``endorsed``: the snapshot's +K endorsement points (`scoring.topics.endorsements`).
    """
    _, offline, rows = score_rows
    parts = [Contribution("floor (every score starts at 1)", MIN_SCORE)]
    weights = model.component_weights()
    for network, account, points, raw, *values in rows:
        for component, value in zip(COMPONENTS, values, strict=True):
            share = weights[component] * value / raw if raw > 0 else 0.0
            parts.append(Contribution(f"{network} {component}", points * share,
                                      network, account, component))
    if offline > 0:
        parts.append(Contribution("offline credentials", offline, component="offline"))
    if endorsed > 0:
        parts.append(Contribution("endorsements (+K)", endorsed, component="endorsements"))
    return parts


def explain(con: duckdb.DuckDBPyConnection, person_id: str, *, day: date | None = None,
            top: int = 10) -> Explanation:
    """Contributions and evidence for a person's score in the current snapshot."""
    model = current_model(con)
    info = current_snapshot(con, day)
    rows = snapshot_rows(con, info.run_id, person_id)
    reactors, posts = _evidence(con, info.run_id, person_id, info.as_of, model, top)
    return Explanation(person_id, info.as_of, info.model_version, rows[0],
                       percentile_of(con, info.run_id, rows[0]),
                       contributions(rows, model, stored_points(con, info.run_id, person_id)),
                       reactors, posts)


def _focus(con: duckdb.DuckDBPyConnection, run_id: int, person_id: str) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _explain_focus AS SELECT network, account "
                "FROM account_scores WHERE run_id = ? AND person_id = ?", [run_id, person_id])


def _evidence(con: duckdb.DuckDBPyConnection, run_id: int, person_id: str, day: date,
              model: Model, top: int) -> tuple[list[ReactorEvidence], list[PostEvidence]]:
    _focus(con, run_id, person_id)
    build_signals(con, SignalScope(day_end(day), focus="_explain_focus"), model,
                  keep_window=True)
    reactor_rows = con.execute(f"""
        SELECT p.network, p.author, p.reactor, p.reactions, p.reach_q / {QUANTUM},
               coalesce(s.influence, 0)
        FROM _signal_pairs p JOIN _explain_focus f ON f.network = p.network
                                                  AND f.account = p.author
        LEFT JOIN account_scores s ON s.run_id = ? AND s.network = p.network
                                   AND s.account = p.reactor
        ORDER BY p.reach_q * (1 + coalesce(s.influence, 0)) DESC, p.reactor LIMIT ?""",
        [run_id, top]).fetchall()
    # Only reactions the model counts (a downvote or follow draws nobody to a post).
    counted = sorted(kind for kind, weight in model.kind_weights.items() if weight > 0)
    # The text is looked up after counting: a post stored twice (an edit) must
    # not double its reactions.
    post_rows = con.execute("""
        WITH counts AS (
            SELECT w.network, w.parent_id, count(*) AS reactions,
                   count(DISTINCT w.actor) AS reactors
            FROM _signal_window w JOIN _explain_focus f ON f.network = w.network
                                                       AND f.account = w.subject
            WHERE w.parent_id IS NOT NULL AND w.actor <> w.subject AND list_contains(?, w.kind)
            GROUP BY w.network, w.parent_id
            ORDER BY reactors DESC, reactions DESC, w.parent_id LIMIT ?)
        SELECT c.network, c.parent_id, c.reactions, c.reactors,
               (SELECT any_value(e.text) FROM events e
                WHERE e.network = c.network AND e.post_id = c.parent_id)
        FROM counts c ORDER BY c.reactors DESC, c.reactions DESC, c.parent_id""",
        [counted, top]).fetchall()
    con.execute("DROP TABLE _signal_window")
    return ([ReactorEvidence(*r) for r in reactor_rows], [PostEvidence(*r) for r in post_rows])


def component_points(parts: list[Contribution]) -> dict[str, float]:
    """Points per component across networks (plus offline and endorsements)."""
    totals = dict.fromkeys((*COMPONENTS, "offline", "endorsements"), 0.0)
    for part in parts:
        if part.component is not None:
            totals[part.component] += part.points
    return totals
