"""Discovery: people to work with, by topic, audience, score band and audience quality.

What Klout sold as Perks targeting, done in the open.  A brand names what it
cares about and gets a ranked list with the evidence to judge each name:

* **topic** — only people *attributed* the topic (property 6: sustained,
  engaged evidence; someone attributed only a narrower topic counts, with
  its confidence discounted per level), ranked by their topic score;
* **audience** — influence *within* an audience (property 7, a list of
  accounts, ``topic:SLUG`` or ``network:NAME``): ranked by the audience score,
  and with a topic the two are combined by geometric mean, so both must be
  high;
* **score band** — ``min_score``/``max_score`` bound the overall Renown score
  (micro-influencers are a band, not a top-k);
* **quality** — ``min_quality`` drops people whose reactions come mostly from
  automated or indiscriminate accounts or from their own engagement pod
  (`renown.scoring.audience.quality`); everyone listed shows their quality.

People nobody reacted to have no audience to judge and are never listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb

from renown.errors import RenownError
from renown.scoring.audience.quality import audience_quality
from renown.scoring.audience.spec import AudienceSpec
from renown.scoring.audience.targeted import audience_scores
from renown.scoring.queries import current_snapshot
from renown.scoring.topics.standings import topic_standings


class DiscoveryError(ValueError, RenownError):
    """A query that cannot be answered as asked (e.g. an empty score band)."""


@dataclass(frozen=True, slots=True)
class DiscoveryQuery:
    """What to look for; every field is optional and they combine with AND."""

    topic: str | None = None
    audience: AudienceSpec | None = None
    min_score: float = 1.0
    max_score: float = 100.0
    min_quality: float = 0.0
    limit: int = 20
    day: date | None = None

    def check(self) -> None:
        if not 1.0 <= self.min_score <= self.max_score <= 100.0:
            raise DiscoveryError(f"the score band [{self.min_score}, {self.max_score}] must lie "
                                 "within 1–100 with min ≤ max")
        if not 0.0 <= self.min_quality <= 1.0:
            raise DiscoveryError(f"min quality {self.min_quality} must lie within 0–1")
        if self.limit < 1:
            raise DiscoveryError(f"limit {self.limit} must be at least 1")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person found, with what they were ranked by and the evidence to judge them."""

    rank: int
    person_id: str
    display_name: str | None
    #: What the list is ordered by: topic score, audience score, their geometric
    #: mean, or the overall score when neither topic nor audience is given.
    match: float
    score: float
    topic_score: float | None
    topic_confidence: float | None
    audience_score: float | None
    quality: float
    automated_share: float
    pod_share: float
    reactors: int


def discover(con: duckdb.DuckDBPyConnection, query: DiscoveryQuery) -> list[Candidate]:
    """Rank people for ``query``; see the module docstring for the rules."""
    query.check()
    info = current_snapshot(con, query.day)
    rows = _overall(con, info.run_id)
    quality = {r["person_id"]: r for r in audience_quality(con, info.as_of).to_pylist()}
    topics = ({r["person_id"]: r for r in topic_standings(con, query.topic, info.as_of)
               .to_pylist()} if query.topic else None)
    audience = ({r["person_id"]: float(r["score"]) for r in
                 audience_scores(con, query.audience, info.as_of).to_pylist()}
                if query.audience else None)
    found = []
    for person_id, (score, name) in rows.items():
        judged = quality.get(person_id)
        if judged is None or not query.min_score <= score <= query.max_score:
            continue
        if float(judged["quality"]) < query.min_quality:
            continue
        topic = topics.get(person_id) if topics is not None else None
        if topics is not None and topic is None:
            continue
        within = audience.get(person_id) if audience is not None else None
        match = _match(score, topic, within, audience is not None)
        found.append((match, person_id, name, score, topic, within, judged))
    found.sort(key=lambda f: (-f[0], f[1]))
    return [_candidate(i + 1, *f) for i, f in enumerate(found[:query.limit])]


def _overall(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, tuple[float, str | None]]:
    rows = con.execute("""
        SELECT p.person_id, p.score, any_value(a.display_name)
        FROM person_scores p
        LEFT JOIN account_scores s ON s.run_id = p.run_id AND s.person_id = p.person_id
        LEFT JOIN accounts a ON a.network = s.network AND a.account = s.account
        WHERE p.run_id = ? GROUP BY p.person_id, p.score
    """, [run_id]).fetchall()
    return {str(pid): (float(score), name) for pid, score, name in rows}


def _match(score: float, topic: dict[str, object] | None, within: float | None,
           has_audience: bool) -> float:
    if has_audience:
        audience_score = within if within is not None else 1.0
        if topic is None:
            return audience_score
        return math.sqrt(audience_score * float(topic["topic_score"]))  # type: ignore[arg-type]
    if topic is not None:
        return float(topic["topic_score"])  # type: ignore[arg-type]
    return score


def _candidate(rank: int, match: float, person_id: str, name: str | None, score: float,
               topic: dict[str, object] | None, within: float | None,
               judged: dict[str, object]) -> Candidate:
    def number(row: dict[str, object] | None, key: str) -> float | None:
        return None if row is None else float(row[key])  # type: ignore[arg-type]

    return Candidate(
        rank=rank, person_id=person_id, display_name=name, match=match, score=score,
        topic_score=number(topic, "topic_score"), topic_confidence=number(topic, "confidence"),
        audience_score=within, quality=float(judged["quality"]),  # type: ignore[arg-type]
        automated_share=float(judged["automated_share"]),  # type: ignore[arg-type]
        pod_share=float(judged["pod_share"]),  # type: ignore[arg-type]
        reactors=int(judged["reactors"]),  # type: ignore[call-overload]
    )
