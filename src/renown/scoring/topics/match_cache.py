"""Incremental topic matching: each content event's topics kept in the store, by day.

Matching reads every post of the window, tokenises it and joins its words to
the ontology's terms: on text-rich data the largest cost of a topic run that
does not depend on the reaction graph (docs/topics.md §7).  What an event
matches depends only on its own text and tags, the ontology and two matcher
settings, never on the scoring date.  So the topics each content event
matches are stored, grouped by the event's day, and a run tokenises only the
days whose content changed.

Which days changed is checked, not assumed, as for the signals
(`renown.scoring.signal_cache`): each stored day carries the count and an
order-independent digest of its content events, over every column that the
matching or the choice of a post's newest version reads (text and tags
included, so a mention redacted by ``forget`` changes it).  A day whose
digest differs is matched again.  The ontology's fingerprint and the matcher
settings form the *basis*; another basis starts a full match, and one basis
is kept.  A post's topics are its newest version's in the window, chosen at
every run from the events without reading their text, so an edit stored on a
later day is seen as soon as it is in the window.  The result is the same
``_topic_posts``, row for row, as `matching.match_posts` computes from the
events alone (tests compare them).
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from datetime import datetime, timedelta
from typing import Final

import duckdb

from renown.scoring.day_cache import (
    DayReuse,
    day_counts,
    has_basis,
    mark_stale,
    store_days,
    whole_day,
)
from renown.scoring.signals import timestamp_literal
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.matching import (
    TopicScope,
    content_sql,
    document_columns_sql,
    match_documents,
    matched_count,
)

#: Bump when the matching SQL changes meaning: every stored day is then matched again.
FORMULA: Final = "event-matches-1"


def match_basis(fingerprint: str, config: TopicConfig) -> str:
    """A name for what a stored match depends on: the ontology and the matcher settings."""
    inputs = {"formula": FORMULA, "ontology": fingerprint,
              "min_match_strength": int(config.min_match_strength),
              "max_topics_per_post": int(config.max_topics_per_post)}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]


def matches_cacheable(scope: TopicScope) -> bool:
    """Whether ``scope`` covers whole days of everyone's posts (what the store keeps)."""
    return (whole_day(scope.as_of) and scope.focus is None
            and float(scope.window_days).is_integer())


def match_posts_incrementally(con: duckdb.DuckDBPyConnection, scope: TopicScope,
                              config: TopicConfig, fingerprint: str, *,
                              full: bool = False) -> tuple[int, DayReuse]:
    """``_topic_posts`` as `matching.match_posts` makes it, matching only changed days.

    Needs `matching.prepare_terms` first.  Days whose stored matches fit
    their content are read back; the others are matched and stored (in one
    transaction with their digests).  ``full`` matches every day again.
    Returns the number of posts matched to a topic, and what was reused.
    """
    if not matches_cacheable(scope):
        raise ValueError("incremental matching needs a whole-day as_of over everyone's posts")
    clock = time.perf_counter()
    key = match_basis(fingerprint, config)
    start = scope.as_of - timedelta(days=int(scope.window_days))
    _digest_days(con, start, scope.as_of)
    full = full or not has_basis(con, "topic_match_days", key)
    mark_stale(con, "topic_match_days", "_topic_match_digest", "_topic_match_stale", key,
               everything=full)
    _stale_documents(con, start, scope.as_of)
    match_documents(con, config)
    removed = store_days(con, "topic_match_days", ["topic_event_matches"],
                         "_topic_match_digest", "_topic_match_stale", key,
                         (start, scope.as_of), functools.partial(_insert_matches, con, key))
    _posts_from_store(con, scope, key)
    days, computed = day_counts(con, "_topic_match_digest", "_topic_match_stale")
    for name in ("_topic_docs", "_topic_doc_hits", "_topic_match_stale", "_topic_match_digest"):
        con.execute(f"DROP TABLE {name}")
    return matched_count(con), DayReuse("topic matches", "posts", days, days - computed,
                                        computed, removed, full, time.perf_counter() - clock)


def _in_days(start: datetime, end: datetime) -> str:
    """SQL predicate: non-offline content event ``e`` with ts in [start, end)."""
    return (f"e.ts >= {timestamp_literal(start)} AND e.ts < {timestamp_literal(end)} "
            f"AND e.network <> 'offline' AND {content_sql()}")


def _digest_days(con: duckdb.DuckDBPyConnection, start: datetime, as_of: datetime) -> None:
    """``_topic_match_digest``: per day of the window, its content events' count and digest."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_match_digest AS
        SELECT CAST(e.ts AS DATE) AS day, count(*) AS events,
               CAST(sum(hash(e.network, e.event_id, e.ts, e.kind, e.post_id, e.actor,
                             e.text, e.tags)) AS HUGEINT) AS digest
        FROM events e WHERE {_in_days(start, as_of)}
        GROUP BY 1
    """)


def _stale_documents(con: duckdb.DuckDBPyConnection, start: datetime, as_of: datetime) -> None:
    """``_topic_docs``: every content event of the stale days, as a document to match."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_docs AS
        SELECT row_number() OVER (ORDER BY e.network, e.event_id) AS doc, e.network,
               e.event_id, e.actor AS author, CAST(e.ts AS DATE) AS day,
               {document_columns_sql("e.text", "e.tags")}
        FROM events e
        WHERE {_in_days(start, as_of)}
          AND CAST(e.ts AS DATE) IN (SELECT day FROM _topic_match_stale)
    """)


def _insert_matches(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Store the stale days' matches (inside `day_cache.store_days`' transaction)."""
    con.execute("""INSERT INTO topic_event_matches
                   SELECT ?, d.network, d.event_id, d.author, d.day, h.topic, h.strength
                   FROM _topic_doc_hits h JOIN _topic_docs d USING (doc)""", [key])


def _posts_from_store(con: duckdb.DuckDBPyConnection, scope: TopicScope, key: str) -> None:
    """``_topic_posts``: each post of the window with its newest version's stored topics.

    The posts are numbered as `matching._documents` numbers them (by network
    and post id, over every post of the window, matched or not).
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_posts AS
        WITH versions AS (
            SELECT e.network, e.post_id, min(e.ts) AS ts,
                   arg_max({{'event_id': e.event_id, 'actor': e.actor}},
                           (e.ts, e.event_id)) AS newest
            FROM events e
            WHERE {scope.window_sql()} AND {content_sql()}
            GROUP BY e.network, e.post_id
        ),
        docs AS (
            SELECT row_number() OVER (ORDER BY network, post_id) AS doc, network, post_id,
                   newest.actor AS author, newest.event_id AS event_id, ts
            FROM versions
        )
        SELECT d.doc, d.network, d.post_id, d.author, d.ts, m.topic, m.strength
        FROM docs d JOIN topic_event_matches m
          ON m.basis = '{key}' AND m.network = d.network AND m.event_id = d.event_id
    """, {"as_of": scope.as_of})
