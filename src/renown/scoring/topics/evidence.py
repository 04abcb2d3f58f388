"""The evidence behind each (person, topic): engaged posts, days, distinct people.

From the matched posts (`matching`) this builds, in SQL:

``_topic_post_evidence`` — each matched post as evidence for its topics and
their ancestors.  **Roll-up**: a post matched to topic *t* is evidence for
every ancestor *a* of *t* (up to ``rollup_levels`` levels) with weight
``rollup_discount ** d``, *d* the shortest path from *t* up to *a*.  With
several parents every parent gets the full discounted weight (an asthma post
is evidence about both "diseases" and "internal medicine"); a post reaching
the same ancestor along several topics counts once, at its largest weight.

``_topic_reactions`` — the distinct people (persons, so one person's accounts
count once) who reacted to each matched post with a reaction the model counts,
the author excluded (one row per reacting account: ``actor``, its person
``reactor``).  A post with at least one is *engaged*.

``_topic_evidence`` — per (person, topic) the distinct counts (engaged posts,
days, reacting people, endorsers) and the discounted sums the thresholds are
checked on: each engaged post, each day (its best post) and each person who
reacted or endorsed (their best post or endorsement) counts with its weight,
so a topic's own posts count fully and a descendant's count discounted.
Endorsers count like people who reacted (see `endorsements`).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from renown.scoring.model import Model
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.matching import TopicScope
from renown.scoring.topics.ontology import Ontology

#: Tolerance for comparing discounted sums with whole-number thresholds.
EPSILON = 1e-9

_PERSON = "coalesce(i.person_id, {alias}.network || ':' || {alias}.{column})"


def register_closure(con: duckdb.DuckDBPyConnection, ontology: Ontology,
                     config: TopicConfig) -> None:
    """``_topic_closure`` (topic, ancestor, distance, weight), itself included at 0."""
    rows = ontology.closure(config.rollup_levels)
    table = pa.table({"topic": [r[0] for r in rows], "ancestor": [r[1] for r in rows],
                      "distance": pa.array([r[2] for r in rows], pa.int32()),
                      "weight": [config.rollup_discount ** r[2] for r in rows]})
    con.register("_topic_closure_rows", table)
    con.execute("CREATE OR REPLACE TEMP TABLE _topic_closure AS SELECT * FROM _topic_closure_rows")
    con.unregister("_topic_closure_rows")


def build_post_evidence(con: duckdb.DuckDBPyConnection, scope: TopicScope, model: Model) -> None:
    """``_topic_post_evidence``, ``_topic_reactions`` and ``_topic_post_stats``."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_post_evidence AS
        SELECT p.network, p.post_id, p.author, any_value({_PERSON.format(alias='p',
               column='author')}) AS person_id, p.ts, CAST(p.ts AS DATE) AS day,
               c.ancestor AS topic, max(c.weight) AS weight,
               arg_min(p.topic, (c.distance, p.topic)) AS via_topic
        FROM _topic_posts p JOIN _topic_closure c ON c.topic = p.topic
        LEFT JOIN identities i ON i.network = p.network AND i.account = p.author
        GROUP BY p.network, p.post_id, p.author, p.ts, c.ancestor
    """)
    counted = sorted(kind for kind, weight in model.kind_weights.items() if weight > 0)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_reactions AS
        WITH posts AS (
            SELECT DISTINCT network, post_id, author, person_id FROM _topic_post_evidence
        )
        SELECT p.network, p.post_id, e.actor, any_value({_PERSON.format(alias='e',
               column='actor')}) AS reactor, count(*) AS reactions
        FROM events e
        JOIN posts p ON p.network = e.network AND p.post_id = e.parent_id
        LEFT JOIN identities i ON i.network = e.network AND i.account = e.actor
        WHERE {scope.window_sql()} AND list_contains($kinds, e.kind) AND e.actor <> p.author
        GROUP BY p.network, p.post_id, e.actor
        HAVING any_value({_PERSON.format(alias='e', column='actor')}) <> any_value(p.person_id)
    """, {"as_of": scope.as_of, "kinds": counted})
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_post_stats AS
        SELECT network, post_id, count(DISTINCT reactor) AS reactors, sum(reactions) AS reactions
        FROM _topic_reactions GROUP BY network, post_id
    """)


def build_evidence(con: duckdb.DuckDBPyConnection, config: TopicConfig,
                   endorsements: str | None = None) -> None:
    """``_topic_evidence`` per (person, topic) that meets the post and day thresholds.

    ``endorsements`` names a table (receiver, topic, giver, weight) of
    endorsements already weighed; they roll up like posts.  Pairs short of
    the post or day threshold are left out early: no reactor or endorser can
    make up for them, and most pairs are short.
    """
    endorsed = "SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS topic, " \
               "NULL::VARCHAR AS reactor, NULL::DOUBLE AS weight, true AS endorsed WHERE false"
    if endorsements is not None:
        endorsed = f"""
            SELECT x.receiver AS person_id, c.ancestor AS topic, x.giver AS reactor,
                   max(x.weight * c.weight) AS weight, true AS endorsed
            FROM {endorsements} x JOIN _topic_closure c ON c.topic = x.topic
            GROUP BY ALL"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_evidence AS
        WITH engaged AS (
            SELECT pe.* FROM _topic_post_evidence pe
            SEMI JOIN _topic_post_stats s USING (network, post_id)
        ),
        daily AS (
            SELECT person_id, topic, day, max(weight) AS weight
            FROM engaged GROUP BY ALL
        ),
        candidates AS (
            SELECT e.person_id, e.topic, count(*) AS posts, sum(e.weight) AS post_evidence,
                   bool_or(e.via_topic = e.topic) AS direct,
                   any_value(d.days) AS days, any_value(d.day_evidence) AS day_evidence
            FROM engaged e JOIN (SELECT person_id, topic, count(*) AS days,
                                        sum(weight) AS day_evidence FROM daily GROUP BY ALL) d
                 USING (person_id, topic)
            GROUP BY e.person_id, e.topic
            HAVING sum(e.weight) >= {config.min_posts - EPSILON}
               AND any_value(d.day_evidence) >= {config.min_days - EPSILON}
        ),
        people AS (
            SELECT e.person_id, e.topic, r.reactor, max(e.weight) AS weight, false AS endorsed
            FROM engaged e SEMI JOIN candidates USING (person_id, topic)
            JOIN _topic_reactions r USING (network, post_id)
            GROUP BY ALL
            UNION ALL
            SELECT * FROM ({endorsed}) x SEMI JOIN candidates USING (person_id, topic)
        ),
        reach AS (
            SELECT person_id, topic, count(DISTINCT reactor) FILTER (NOT endorsed) AS reactors,
                   count(DISTINCT reactor) FILTER (endorsed) AS endorsers,
                   sum(weight) AS reactor_evidence
            FROM (SELECT person_id, topic, reactor, max(weight) AS weight,
                         bool_and(endorsed) AS endorsed
                  FROM people GROUP BY ALL)
            GROUP BY ALL
        )
        SELECT c.person_id, c.topic, c.direct, c.posts, c.days,
               coalesce(r.reactors, 0) AS reactors, coalesce(r.endorsers, 0) AS endorsers,
               c.post_evidence, c.day_evidence, coalesce(r.reactor_evidence, 0.0)
               AS reactor_evidence
        FROM candidates c LEFT JOIN reach r USING (person_id, topic)
        ORDER BY c.person_id, c.topic
    """)


def top_posts(con: duckdb.DuckDBPyConnection, attributed: str, limit: int) -> pa.Table:
    """The most-reacted engaged posts behind each attributed (person_id, topic)."""
    return con.sql(f"""
        SELECT person_id, topic, network, post_id, ts, reactors, reactions, via_topic, weight
        FROM (
            SELECT pe.person_id, pe.topic, pe.network, pe.post_id, pe.ts, s.reactors,
                   s.reactions, pe.via_topic, pe.weight,
                   row_number() OVER (PARTITION BY pe.person_id, pe.topic ORDER BY
                       pe.weight DESC, s.reactors DESC, s.reactions DESC, pe.network,
                       pe.post_id) AS r
            FROM _topic_post_evidence pe
            SEMI JOIN {attributed} a USING (person_id, topic)
            JOIN _topic_post_stats s USING (network, post_id))
        WHERE r <= {int(limit)}
        ORDER BY person_id, topic, r
    """).to_arrow_table()
