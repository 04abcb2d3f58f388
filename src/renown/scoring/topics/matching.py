"""Which posts are about which topics: the ontology's words matched in SQL.

A post (any content someone wrote: post, reply, comment, quote, mention,
answer; a reshare repeats someone else's words and is left out) is matched by

* **text**: names, aliases and keywords as whole words.  Text and terms are
  tokenised the same way, by the same SQL: case-folded, accents stripped,
  split into runs of letters and digits (a trailing ``+`` or ``#`` kept, for
  C++ and C#).  A term of several words matches the same words in a row, so
  "peak flow" never matches "peak" alone and "ai" never matches inside "said";
* **tags**: the ``tags`` column (hashtags, StackExchange question tags an
  answer carries, …) and ``#tags`` in the text, compared with every term spelt
  as one word ("machine learning", "machine-learning" and #MachineLearning are
  all ``machinelearning``).

Strength of a topic in a post: 1 per distinct text term + 2 per distinct tag
(an author's own label says more than a word in passing).  A post keeps the
topics of strength ≥ ``min_match_strength``, at most ``max_topics_per_post``,
strongest first (ties by slug, so results never depend on row order).

Everything is set-based: each token position is unnested once with the few
tokens that follow it (as many as the longest term has), joined to the terms
on its first word, and compared with the whole term there.  Languages
without spaces between words (Chinese, Japanese) match only through tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import duckdb
import pyarrow as pa

from renown.events import CONTENT_KINDS
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.ontology import Ontology

#: A token: letters and digits, with a trailing + or # kept (c++, c#).
TOKEN_RE: Final = r"[\p{L}\p{N}]+[+#]*"
#: A hashtag in text, without its #.
HASHTAG_RE: Final = r"#([\p{L}\p{N}_]+)"
#: Kinds whose text is the author's own words.
TOPIC_CONTENT_KINDS: Final = tuple(sorted(CONTENT_KINDS - {"reshare"}))


def tokens_sql(expression: str) -> str:
    """SQL: the token list of a text expression (see the module docstring)."""
    return f"regexp_extract_all(strip_accents(lower({expression})), '{TOKEN_RE}')"


def compact_sql(expression: str) -> str:
    """SQL: a tag or term spelt as one word: folded, without # or punctuation."""
    return (f"regexp_replace(strip_accents(lower(ltrim({expression}, '#'))), "
            r"'[^\p{L}\p{N}+#]', '', 'g')")


@dataclass(frozen=True, slots=True)
class TopicScope:
    """Content in the window ending just before ``as_of``, optionally of some authors only.

    ``focus`` names a table (network, account) of authors: then only their
    posts are matched (explaining one person costs a fraction of a full run).
    """

    as_of: datetime
    window_days: float
    focus: str | None = None

    def window_sql(self, alias: str = "e") -> str:
        """SQL predicate: event ``alias`` lies in the window (parameter ``$as_of``)."""
        return (f"{alias}.ts < CAST($as_of AS TIMESTAMP) AND {alias}.ts >= CAST($as_of AS "
                f"TIMESTAMP) - INTERVAL ({float(self.window_days)}) DAY "
                f"AND {alias}.network <> 'offline'")


def prepare_terms(con: duckdb.DuckDBPyConnection, ontology: Ontology) -> None:
    """``_topic_text_terms`` and ``_topic_tag_terms`` from the ontology's terms."""
    rows = [(t.slug, kind, term) for t in ontology.topics.values() for kind, term in t.terms()]
    con.register("_topic_term_rows", pa.table({
        "slug": pa.array([r[0] for r in rows], pa.string()),
        "kind": pa.array([r[1] for r in rows], pa.string()),
        "term": pa.array([r[2] for r in rows], pa.string())}))
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _topic_text_terms AS
            SELECT DISTINCT slug AS topic, tokens, tokens[1] AS first, len(tokens) AS n,
                   array_to_string(tokens, ' ') AS term_key
            FROM (SELECT slug, {tokens_sql('term')} AS tokens FROM _topic_term_rows
                  WHERE kind <> 'hashtag')
            WHERE len(tokens) > 0
        """)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _topic_tag_terms AS
            SELECT DISTINCT slug AS topic, {compact_sql('term')} AS tag FROM _topic_term_rows
            WHERE {compact_sql('term')} <> ''
        """)
    finally:
        con.unregister("_topic_term_rows")


def match_posts(con: duckdb.DuckDBPyConnection, scope: TopicScope, config: TopicConfig) -> int:
    """(Re)create ``_topic_posts`` (doc, network, post_id, author, ts, topic, strength).

    ``doc`` numbers the posts of this run (later stages join on it, not on
    the strings).

    Needs `prepare_terms` first.  Returns the number of posts matched to at
    least one topic.
    """
    _documents(con, scope)
    match_documents(con, config)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_posts AS
        SELECT d.doc, d.network, d.post_id, d.author, d.ts, h.topic, h.strength
        FROM _topic_doc_hits h JOIN _topic_docs d USING (doc)
    """)
    con.execute("DROP TABLE _topic_docs")
    con.execute("DROP TABLE _topic_doc_hits")
    return matched_count(con)


def matched_count(con: duckdb.DuckDBPyConnection) -> int:
    """Posts of ``_topic_posts`` matched to at least one topic."""
    rows = con.execute("SELECT count(DISTINCT doc) FROM _topic_posts").fetchall()
    return int(rows[0][0])


def match_documents(con: duckdb.DuckDBPyConnection, config: TopicConfig) -> None:
    """``_topic_doc_hits`` (doc, topic, strength): the topics each document of ``_topic_docs``
    keeps (columns doc, toks, tagkeys, as `_documents` writes them)."""
    longest = int(con.execute("SELECT coalesce(max(n), 1) FROM _topic_text_terms"
                              ).fetchall()[0][0])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_doc_hits AS
        WITH windows AS (
            SELECT doc, unnest(list_transform(range(1, len(toks) + 1),
                                              lambda i: toks[i:i + {longest - 1}])) AS win
            FROM _topic_docs
        ),
        text_hits AS (
            SELECT w.doc, k.topic, count(DISTINCT k.term_key) AS strength
            FROM windows w JOIN _topic_text_terms k ON k.first = w.win[1]
            WHERE k.n = 1 OR w.win[1:k.n] = k.tokens
            GROUP BY w.doc, k.topic
        ),
        tag_hits AS (
            SELECT d.doc, k.topic, 2 * count(DISTINCT d.tag) AS strength
            FROM (SELECT doc, unnest(tagkeys) AS tag FROM _topic_docs) d
            JOIN _topic_tag_terms k USING (tag)
            GROUP BY d.doc, k.topic
        ),
        scored AS (
            SELECT doc, topic, sum(strength) AS strength
            FROM (SELECT * FROM text_hits UNION ALL SELECT * FROM tag_hits)
            GROUP BY doc, topic HAVING sum(strength) >= {int(config.min_match_strength)}
        ),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY doc ORDER BY strength DESC, topic) AS r
            FROM scored
        )
        SELECT doc, topic, CAST(strength AS INTEGER) AS strength FROM ranked
        WHERE r <= {int(config.max_topics_per_post)}
    """)


def document_columns_sql(text: str, tags: str) -> str:
    """SQL select list: a document's ``toks`` and ``tagkeys`` from its text and tags."""
    words = tokens_sql(f"coalesce({text}, '')")
    hashtags = f"regexp_extract_all(coalesce({text}, ''), '{HASHTAG_RE}', 1)"
    return (f"{words} AS toks, "
            f"list_distinct(list_filter(list_transform(coalesce({tags}, []) || {hashtags}, "
            f"lambda t: {compact_sql('t')}), lambda t: t <> '')) AS tagkeys")


def _documents(con: duckdb.DuckDBPyConnection, scope: TopicScope) -> None:
    """``_topic_docs``: one row per post in the window, its tokens and tag keys.

    A post stored more than once (an edit) is read in its newest version.
    """
    focus = "" if scope.focus is None else (
        f"AND EXISTS (SELECT 1 FROM {scope.focus} f WHERE f.network = e.network "
        "AND f.account = e.actor)")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_docs AS
        SELECT row_number() OVER (ORDER BY network, post_id) AS doc, network, post_id, author,
               ts, {document_columns_sql("text", "tags")}
        FROM (
            SELECT network, post_id, ts, newest.actor AS author, newest.text AS text,
                   newest.tags AS tags
            FROM (SELECT e.network, e.post_id, min(e.ts) AS ts,
                         arg_max({{'actor': e.actor, 'text': e.text, 'tags': e.tags}},
                                 (e.ts, e.event_id)) AS newest
                  FROM events e
                  WHERE {scope.window_sql()} AND {content_sql()} {focus}
                  GROUP BY e.network, e.post_id)
        )
    """, {"as_of": scope.as_of})


def content_sql(alias: str = "e") -> str:
    """SQL predicate: event ``alias`` is content whose words can be matched."""
    kinds = ", ".join(f"'{k}'" for k in TOPIC_CONTENT_KINDS)
    return (f"{alias}.kind IN ({kinds}) AND {alias}.post_id IS NOT NULL "
            f"AND ({alias}.text IS NOT NULL OR len({alias}.tags) > 0)")
