"""Why a person scores what they do within an audience: the same explanation as the main score.

The parts add up exactly as in `renown.scoring.explain` (floor, each
account's share of the points, split by component), and the evidence is the
audience's: the audience members whose reactions weigh most (with their
influence within the audience) and the posts that drew the most audience
members.  The `Explanation` type is the main score's, so every interface
renders both alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from renown.scoring.audience.spec import AudienceSpec
from renown.scoring.audience.targeted import AudienceRun, score_audience
from renown.scoring.explain import (
    AccountRow,
    Explanation,
    PostEvidence,
    ReactorEvidence,
    contributions,
)
from renown.scoring.signals import QUANTUM
from renown.scoring.snapshots import day_end


@dataclass(frozen=True, slots=True)
class AudienceExplanation:
    """A person's score within an audience, where they rank, and what it is made of."""

    audience: str
    members: int
    active_members: int
    rank: int
    people: int
    percentile: float
    audience_reactors: int
    explanation: Explanation


def explain_audience(con: duckdb.DuckDBPyConnection, person_id: str, audience: AudienceSpec,
                     day: date | None = None, top: int = 10) -> AudienceExplanation:
    """Score everyone within ``audience`` and explain ``person_id``'s score."""
    run = score_audience(con, audience, day)
    person = run.people.filter(pc.equal(run.people["person_id"], person_id)).to_pylist()
    if not person:
        raise LookupError(f"{person_id!r} has no account active in the window ending "
                          f"{run.as_of}")
    row = person[0]
    accounts = run.accounts.filter(pc.equal(run.accounts["person_id"], person_id))
    rows: list[AccountRow] = [
        (a["network"], a["account"], a["points"], a["raw"], a["reach"], a["amplification"],
         a["network_value"]) for a in accounts.sort_by([("points", "descending")]).to_pylist()]
    reactors, posts = _evidence(con, run, accounts, top)
    explanation = Explanation(person_id, run.as_of, run.model.version, row["score"],
                              100.0 * float(row["percentile"]),
                              contributions((row["score"], 0.0, rows), run.model),
                              reactors, posts)
    return AudienceExplanation(run.label, run.members, run.active_members, row["rank"],
                               run.people.num_rows, row["percentile"],
                               row["audience_reactors"], explanation)


def _evidence(con: duckdb.DuckDBPyConnection, run: AudienceRun, accounts: pa.Table,
              top: int) -> tuple[list[ReactorEvidence], list[PostEvidence]]:
    """Audience members whose reactions weigh most; posts that drew most audience members."""
    counted = sorted(kind for kind, weight in run.model.kind_weights.items() if weight > 0)
    as_of = day_end(run.as_of)
    names = {"_evidence_focus": accounts.select(["network", "account"]),
             "_evidence_scored": run.accounts.select(["network", "account", "influence"]),
             "_evidence_members": run.member_accounts}
    for name, table in names.items():
        con.register(name, table)
    try:
        reactor_rows = con.execute(f"""
            SELECT p.network, p.author, p.reactor, p.reactions, p.reach_q / {QUANTUM},
                   coalesce(s.influence, 0)
            FROM _signal_pairs p
            JOIN _evidence_focus f ON f.network = p.network AND f.account = p.author
            JOIN _evidence_members m ON m.network = p.network AND m.account = p.reactor
            LEFT JOIN _evidence_scored s ON s.network = p.network AND s.account = p.reactor
            ORDER BY p.reach_q * (1 + coalesce(s.influence, 0)) DESC, p.reactor LIMIT ?""",
            [top]).fetchall()
        post_rows = con.execute("""
            WITH counts AS (
                SELECT e.network, e.parent_id, count(*) AS reactions,
                       count(DISTINCT e.actor) AS reactors
                FROM events e
                JOIN _evidence_focus f ON f.network = e.network AND f.account = e.subject
                JOIN _evidence_members m ON m.network = e.network AND m.account = e.actor
                WHERE e.ts < ? AND e.ts >= ? AND e.parent_id IS NOT NULL
                  AND e.actor <> e.subject AND list_contains(?, e.kind)
                GROUP BY e.network, e.parent_id
                ORDER BY reactors DESC, reactions DESC, e.parent_id LIMIT ?)
            SELECT c.network, c.parent_id, c.reactions, c.reactors,
                   (SELECT any_value(e.text) FROM events e
                    WHERE e.network = c.network AND e.post_id = c.parent_id)
            FROM counts c ORDER BY c.reactors DESC, c.reactions DESC, c.parent_id""",
            [as_of, as_of - timedelta(days=run.model.window_days), counted, top]).fetchall()
    finally:
        for name in names:
            con.unregister(name)
    return [ReactorEvidence(*r) for r in reactor_rows], [PostEvidence(*r) for r in post_rows]
