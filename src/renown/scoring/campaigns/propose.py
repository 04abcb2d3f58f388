"""Whom to invite to a campaign: `discover` with the campaign's target, and why.

Each proposal carries the reasons a brand can check (the score and its
percentile, the topic standing, the audience score and quality) and the score
the person has now, which the campaign report later compares with what they
achieved.  Outcomes are credited to the person's highest-scoring account on
the campaign's networks (any network when the target names none).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from renown.scoring.audience.spec import parse_audience
from renown.scoring.discover import Candidate, DiscoveryQuery, discover
from renown.scoring.queries import current_snapshot
from renown.store.campaigns import Campaign, CampaignError, InviteCandidate


def propose(con: duckdb.DuckDBPyConnection, campaign: Campaign, *, limit: int = 20,
            exclude: Sequence[str] = ()) -> list[InviteCandidate]:
    """Up to ``limit`` people matching the campaign's target, best first, with reasons."""
    t = campaign.target
    info = current_snapshot(con)
    query = DiscoveryQuery(topic=t.topic, audience=parse_audience(t.audience) if t.audience
                           else None, min_score=t.min_score, max_score=t.max_score,
                           min_quality=t.min_quality, limit=max(limit * 4, limit + len(exclude)))
    found = []
    for candidate in discover(con, query):
        if candidate.person_id in exclude:
            continue
        account = best_account(con, info.run_id, candidate.person_id, t.networks)
        if account is None:
            continue
        found.append(InviteCandidate(candidate.person_id, *account, reasons(candidate),
                                     candidate.score, info.as_of, info.model_version))
        if len(found) == limit:
            break
    return found


def candidate_for(con: duckdb.DuckDBPyConnection, campaign: Campaign,
                  person_id: str) -> InviteCandidate:
    """A person the brand names themselves: their current score, no discovery reasons."""
    info = current_snapshot(con)
    account = best_account(con, info.run_id, person_id, campaign.target.networks)
    if account is None:
        where = f" on {', '.join(campaign.target.networks)}" if campaign.target.networks else ""
        raise CampaignError(f"{person_id} has no scored account{where} to credit outcomes to")
    score = con.execute("SELECT score FROM person_scores WHERE run_id = ? AND person_id = ?",
                        [info.run_id, person_id]).fetchone()
    return InviteCandidate(person_id, *account, ("named by the brand",),
                           None if score is None else float(score[0]), info.as_of,
                           info.model_version)


def best_account(con: duckdb.DuckDBPyConnection, run_id: int, person_id: str,
                 networks: Sequence[str]) -> tuple[str, str] | None:
    """The person's highest-scoring account in the run, on ``networks`` if any are named."""
    allowed = "AND network IN (SELECT unnest(?))" if networks else "AND ? IS NOT NULL"
    row = con.execute(f"""
        SELECT network, account FROM account_scores
        WHERE run_id = ? AND person_id = ? {allowed}
        ORDER BY score DESC, network, account LIMIT 1""",
                      [run_id, person_id, list(networks) or ["any"]]).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def reasons(candidate: Candidate) -> tuple[str, ...]:
    """Why discovery proposed someone, in the brand's terms."""
    found = [f"score {candidate.score:.1f}",
             f"{candidate.reactors:,} distinct people reacted to them"]
    if candidate.topic_score is not None:
        confidence = candidate.topic_confidence or 0.0
        found.append(f"topic score {candidate.topic_score:.1f} (confidence {confidence:.2f})")
    if candidate.audience_score is not None:
        found.append(f"audience score {candidate.audience_score:.1f}")
    found.append(f"audience quality {candidate.quality:.2f} ({candidate.automated_share:.0%} "
                 f"automated, {candidate.pod_share:.0%} in pods)")
    return tuple(found)
