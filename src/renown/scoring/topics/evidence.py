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
the author excluded (one row per post ``doc`` and reacting account: ``actor``
(an ``aid``), its person ``reactor`` (a ``pid``)).  A post with at least one
is *engaged*.

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
    """``_topic_accounts``, ``_topic_post_evidence``, ``_topic_reactions``, ``_topic_post_stats``.

    Accounts (``aid``) and people (``pid``) in play are numbered once, so the
    large joins that follow are on integers.
    """
    counted = sorted(kind for kind, weight in model.kind_weights.items() if weight > 0)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_reactions_raw AS
        WITH posts AS (SELECT DISTINCT doc, network, post_id, author FROM _topic_posts)
        SELECT p.doc, e.network, e.actor, count(*) AS reactions
        FROM events e JOIN posts p ON p.network = e.network AND p.post_id = e.parent_id
        WHERE {scope.window_sql()} AND list_contains($kinds, e.kind) AND e.actor <> p.author
        GROUP BY p.doc, e.network, e.actor
    """, {"as_of": scope.as_of, "kinds": counted})
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_accounts AS
        SELECT a.network, a.account, row_number() OVER (ORDER BY a.network, a.account) AS aid,
               coalesce(i.person_id, a.network || ':' || a.account) AS person_id,
               dense_rank() OVER (ORDER BY coalesce(i.person_id, a.network || ':' || a.account))
               AS pid
        FROM (SELECT network, author AS account FROM _topic_posts
              UNION SELECT network, actor FROM _topic_reactions_raw) a
        LEFT JOIN identities i USING (network, account)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_post_evidence AS
        SELECT p.doc, a.aid AS author, a.pid, p.ts, CAST(p.ts AS DATE) AS day,
               c.ancestor AS topic, max(c.weight) AS weight,
               arg_min(p.topic, (c.distance, p.topic)) AS via_topic
        FROM _topic_posts p JOIN _topic_closure c ON c.topic = p.topic
        JOIN _topic_accounts a ON a.network = p.network AND a.account = p.author
        GROUP BY p.doc, a.aid, a.pid, p.ts, c.ancestor
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_reactions AS
        SELECT r.doc, a.aid AS actor, a.pid AS reactor, r.reactions
        FROM _topic_reactions_raw r
        JOIN _topic_accounts a ON a.network = r.network AND a.account = r.actor
        JOIN (SELECT DISTINCT doc, pid FROM _topic_post_evidence) p USING (doc)
        WHERE a.pid <> p.pid
    """)
    con.execute("DROP TABLE _topic_reactions_raw")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_post_stats AS
        SELECT doc, count(DISTINCT reactor) AS reactors, sum(reactions) AS reactions
        FROM _topic_reactions GROUP BY doc
    """)


def build_candidates(con: duckdb.DuckDBPyConnection, config: TopicConfig) -> None:
    """``_topic_candidates``: (person, topic) pairs that meet the post and day thresholds.

    With ``_topic_candidate_people`` (person_id, topic, reactor, weight): the
    people who reacted to each candidate's engaged posts, at their best post's
    weight.  Pairs short of posts or days are left out here: no reactor or
    endorser can make up for them, and most pairs are short.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_candidates AS
        WITH engaged AS (
            SELECT pe.* FROM _topic_post_evidence pe SEMI JOIN _topic_post_stats s USING (doc)
        ),
        days AS (
            SELECT pid, topic, count(*) AS days, sum(weight) AS day_evidence
            FROM (SELECT pid, topic, day, max(weight) AS weight FROM engaged GROUP BY ALL)
            GROUP BY ALL
        ),
        candidates AS (
            SELECT e.pid, e.topic, count(*) AS posts, sum(e.weight) AS post_evidence,
                   bool_or(e.via_topic = e.topic) AS direct
            FROM engaged e GROUP BY e.pid, e.topic
            HAVING sum(e.weight) >= {config.min_posts - EPSILON}
        )
        SELECT c.*, d.days, d.day_evidence, p.person_id
        FROM candidates c JOIN days d USING (pid, topic)
        JOIN (SELECT DISTINCT pid, person_id FROM _topic_accounts) p USING (pid)
        WHERE d.day_evidence >= {config.min_days - EPSILON}
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_candidate_people AS
        WITH reacted AS (
            SELECT e.pid, e.topic, r.reactor, max(e.weight) AS weight
            FROM _topic_post_evidence e SEMI JOIN _topic_candidates USING (pid, topic)
            JOIN _topic_reactions r USING (doc)
            GROUP BY ALL
        )
        SELECT c.person_id, x.topic, p.person_id AS reactor, x.weight
        FROM reacted x JOIN _topic_candidates c USING (pid, topic)
        JOIN (SELECT DISTINCT pid, person_id FROM _topic_accounts) p ON p.pid = x.reactor
    """)


def build_evidence(con: duckdb.DuckDBPyConnection, endorsements: str | None = None) -> None:
    """``_topic_evidence``: the candidates with their people, endorsers and sums.

    ``endorsements`` names a table (receiver, topic, giver, weight) of
    endorsements already weighed; they roll up like posts, and someone who
    both reacted and endorsed counts once, at the larger weight.
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
        WITH people AS (
            SELECT *, false AS endorsed FROM _topic_candidate_people
            UNION ALL
            SELECT * FROM ({endorsed}) x SEMI JOIN _topic_candidates USING (person_id, topic)
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
        FROM _topic_candidates c LEFT JOIN reach r USING (person_id, topic)
        ORDER BY c.person_id, c.topic
    """)


def top_posts(con: duckdb.DuckDBPyConnection, attributed: str, limit: int) -> pa.Table:
    """The most-reacted engaged posts behind each attributed (person_id, topic)."""
    return con.sql(f"""
        WITH wanted AS (
            SELECT p.pid, a.topic FROM {attributed} a
            JOIN (SELECT DISTINCT pid, person_id FROM _topic_accounts) p USING (person_id)
        ),
        keys AS (SELECT DISTINCT doc, network, post_id, ts FROM _topic_posts),
        ranked AS (
            SELECT pe.pid, pe.topic, pe.doc, s.reactors, s.reactions, pe.via_topic, pe.weight,
                   row_number() OVER (PARTITION BY pe.pid, pe.topic ORDER BY
                       pe.weight DESC, s.reactors DESC, s.reactions DESC, pe.doc) AS r
            FROM _topic_post_evidence pe SEMI JOIN wanted USING (pid, topic)
            JOIN _topic_post_stats s USING (doc)
        )
        SELECT p.person_id, r.topic, k.network, k.post_id, k.ts, r.reactors, r.reactions,
               r.via_topic, r.weight
        FROM ranked r JOIN keys k USING (doc)
        JOIN (SELECT DISTINCT pid, person_id FROM _topic_accounts) p USING (pid)
        WHERE r.r <= {int(limit)}
        ORDER BY p.person_id, r.topic, r.r
    """).to_arrow_table()
