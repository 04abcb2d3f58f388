"""Topics shaped as API responses (and dashboard data): a person's topics, the topic list,
standings in a topic, and +K endorsements.

Topic results are stored with each score snapshot, so these are reads, memoised
per published generation; an endorsement is a write to the main store.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from renown.interfaces.api import topic_schemas as ts
from renown.interfaces.api.errors import ApiError, invalid, not_found
from renown.interfaces.api.params import person
from renown.interfaces.api.state import Lease, ServerState
from renown.interfaces.api.views import snapshot
from renown.scoring.queries import band
from renown.scoring.snapshots import SnapshotInfo
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.endorsements import EndorsementError, give_endorsement
from renown.scoring.topics.ontology import Ontology
from renown.scoring.topics.ontology_store import ensure_ontology, stored_ontology
from renown.scoring.topics.standings import person_topics, topic_standings
from renown.store.database import scalar

#: Characters LIKE treats specially, taken literally in searches.
_LIKE_ESCAPES: Final = (("\\", "\\\\"), ("%", "\\%"), ("_", "\\_"))


def ontology(lease: Lease) -> Ontology:
    return lease.generation.memo("ontology", lambda: stored_ontology(lease.con))


def known_topic(lease: Lease, slug: str) -> str:
    """``slug`` when the store's ontology has it (404 ``topic_not_found`` otherwise)."""
    found = ontology(lease)
    if slug not in found.topics:
        raise not_found("topic_not_found", f"no topic {slug!r} in ontology {found.name!r} "
                        "(GET /v1/topics lists them)")
    return slug


def person_topic_page(lease: Lease, person_id: str, day: date | None, limit: int,
                      offset: int) -> ts.PersonTopics:
    """A person's attributed topics, most confident first, each with its evidence posts."""
    info = snapshot(lease, day)
    found = lease.generation.memo(("person-topics", person_id, info.run_id),
                                  lambda: person_topics(lease.con, person_id, info.as_of))
    items = [ts.PersonTopic(
        topic=t.topic, name=t.name, confidence=t.confidence, topic_score=t.topic_score,
        direct=t.direct, posts=t.posts, days=t.days, reactors=t.reactors, endorsers=t.endorsers,
        post_evidence=t.post_evidence, day_evidence=t.day_evidence,
        reactor_evidence=t.reactor_evidence,
        evidence_posts=[ts.TopicPost.model_validate(p) for p in
                        sorted(t.top_posts, key=lambda p: (-p.reactors, -p.reactions,
                                                           p.network, p.post_id))])
        for t in found.topics[offset:offset + limit]]
    return ts.PersonTopics(person_id=person_id, as_of=found.as_of,
                           model_version=found.model_version, thresholds=found.thresholds,
                           total=len(found.topics), limit=limit, offset=offset, items=items)


def _attributed_counts(lease: Lease, info: SnapshotInfo | None) -> dict[str, int]:
    if info is None:
        return {}
    rows = lease.con.execute("SELECT topic, count(*) FROM topic_attributions WHERE run_id = ? "
                             "GROUP BY topic", [info.run_id]).fetchall()
    return {str(topic): int(n) for topic, n in rows}


def topic_list(lease: Lease, query: str | None, attributed: bool, limit: int,
               offset: int) -> ts.Topics:
    """The ontology's topics by slug, with how many people each is attributed to."""
    try:
        info: SnapshotInfo | None = snapshot(lease)
    except ApiError:
        info = None
    found = ontology(lease)
    key = ("topic-list", None if info is None else info.run_id)
    counts = lease.generation.memo(key, lambda: _attributed_counts(lease, info))
    children = found.children
    needle = (query or "").strip().lower()
    items = [ts.TopicInfo(slug=slug, name=topic.name, parents=sorted(found.parents[slug]),
                          children=list(children[slug]), people=counts.get(slug, 0))
             for slug, topic in sorted(found.topics.items())
             if (not needle or needle in slug.lower() or needle in topic.name.lower())
             and (not attributed or counts.get(slug, 0) > 0)]
    return ts.Topics(ontology=found.name, as_of=None if info is None else info.as_of,
                     total=len(items), limit=limit, offset=offset,
                     items=items[offset:offset + limit])


_STANDINGS_SQL = """
    WITH standings AS (
        SELECT *, row_number() OVER (ORDER BY topic_score DESC, confidence DESC, person_id)
                  AS rank
        FROM _topic_standings),
    accounts_of AS (
        SELECT s.person_id, min(a.display_name) AS display_name,
               bool_or(s.account ILIKE $pattern ESCAPE '\\'
                       OR a.display_name ILIKE $pattern ESCAPE '\\') AS matched,
               bool_or(s.network = $network) AS on_network
        FROM account_scores s
        LEFT JOIN accounts a ON a.network = s.network AND a.account = s.account
        WHERE s.run_id = $run GROUP BY s.person_id),
    filtered AS (
        SELECT t.rank, t.person_id, c.display_name, t.topic_score, t.confidence, t.posts,
               t.reactors, p.score
        FROM standings t
        JOIN person_scores p ON p.run_id = $run AND p.person_id = t.person_id
        LEFT JOIN accounts_of c ON c.person_id = t.person_id
        WHERE ($pattern IS NULL OR t.person_id ILIKE $pattern ESCAPE '\\'
               OR coalesce(c.matched, false))
          AND ($network IS NULL OR coalesce(c.on_network, false)))"""


def standings(lease: Lease, slug: str, day: date | None, limit: int, offset: int, *,
              query: str | None = None, network: str | None = None) -> ts.TopicStandings:
    """People ranked within a topic (ranks are positions in the unfiltered standings),
    searched by id, account or name and filtered to a network's people."""
    known_topic(lease, slug)
    info = snapshot(lease, day)
    table = lease.generation.memo(("standings", slug, info.run_id),
                                  lambda: topic_standings(lease.con, slug, info.as_of))
    pattern = None
    if query is not None and query.strip():
        escaped = query.strip()
        for plain, literal in _LIKE_ESCAPES:
            escaped = escaped.replace(plain, literal)
        pattern = f"%{escaped}%"
    params = {"run": info.run_id, "pattern": pattern, "network": network}
    lease.con.register("_topic_standings", table)
    try:
        total = int(scalar(lease.con, _STANDINGS_SQL + " SELECT count(*) FROM filtered", params))
        rows = lease.con.execute(_STANDINGS_SQL + " SELECT * FROM filtered ORDER BY rank "
                                 "LIMIT $limit OFFSET $offset",
                                 {**params, "limit": limit, "offset": offset}).fetchall()
    finally:
        lease.con.unregister("_topic_standings")
    items = [ts.TopicStanding(rank=r, person_id=p, display_name=n, topic_score=s,
                              confidence=c, posts=posts, reactors=reactors, score=score,
                              band=band(score))
             for r, p, n, s, c, posts, reactors, score in rows]
    return ts.TopicStandings(topic=slug, name=ontology(lease).topics[slug].name,
                             as_of=info.as_of, model_version=info.model_version, total=total,
                             limit=limit, offset=offset, items=items)


def endorse(state: ServerState, lease: Lease, body: ts.EndorsementRequest) -> ts.Endorsement:
    """Store +K from ``body.endorser`` to ``body.person`` on ``body.topic`` and publish it.

    People and topic are checked against the served snapshot first (404s), so
    the write lock is taken only for an endorsement that can be given; the cap
    and repeats are checked again inside the write, against the store itself.
    """
    giver, receiver = person(lease, body.endorser), person(lease, body.person)
    known_topic(lease, body.topic)
    if giver == receiver:
        raise invalid("person", f"{giver} cannot endorse themselves")
    with state.writer() as con:
        ensure_ontology(con)
        try:
            made = give_endorsement(con, giver, receiver, body.topic,
                                    TopicConfig().endorsements,
                                    known_topics=set(stored_ontology(con).topics))
        except EndorsementError as exc:
            raise ApiError(409, "endorsement_refused", str(exc)) from exc
    return ts.Endorsement(endorsement_id=made.endorsement_id, endorser=made.giver,
                          person=made.receiver, topic=made.topic, given_at=made.given_at,
                          remaining=made.remaining)
