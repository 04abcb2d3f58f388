"""A topic's community: the accounts that write about it.

Until the topic engine's ontology matcher replaces it (this one function is
the seam), a topic's community is every account with at least ``min_posts``
pieces of its own content (posts, replies, quotes, comments, answers…) that
carry the topic: a tag equal to the slug (``capital-markets``,
``capitalmarkets`` or ``capital_markets``, any case) or text that mentions
the slug's words in order (``capital markets``, ``#CapitalMarkets``).  Two
pieces by default, so one passing remark does not make someone part of a
professional community.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pyarrow as pa

from renown.events import CONTENT_KINDS, OFFLINE_NETWORK, SYSTEM_ACCOUNT_PREFIX


def slug_pattern(slug: str) -> str:
    """A case-insensitive RE2 pattern for the slug's words in order, joined or apart."""
    words = [re.escape(w) for w in re.split(r"[\s_\-]+", slug.strip().lower()) if w]
    if not words:
        raise ValueError(f"topic slug {slug!r} has no words")
    return r"(?i)(^|[^\pL\pN])" + r"[\s_\-]*".join(words) + r"($|[^\pL\pN])"


def slug_tags(slug: str) -> list[str]:
    """The tags that name the topic exactly (lower case)."""
    words = [w for w in re.split(r"[\s_\-]+", slug.strip().lower()) if w]
    return sorted({"-".join(words), "".join(words), "_".join(words)})


def topic_community(con: duckdb.DuckDBPyConnection, slug: str, *,
                    before: datetime | None = None, min_posts: int = 2) -> pa.Table:
    """Accounts (network, account) with ``min_posts`` pieces on the topic before ``before``."""
    kinds = sorted(CONTENT_KINDS)
    return con.sql(f"""
        SELECT network, actor AS account FROM events
        WHERE list_contains($kinds, kind) AND network <> '{OFFLINE_NETWORK}'
          AND actor NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%'
          AND ($before IS NULL OR ts < CAST($before AS TIMESTAMP))
          AND (list_has_any(list_transform(coalesce(tags, []), lambda t: lower(t)), $tags)
               OR regexp_matches(coalesce(text, ''), $pattern))
        GROUP BY network, actor HAVING count(*) >= $min_posts
        ORDER BY network, account
    """, params={"kinds": kinds, "before": before, "tags": slug_tags(slug),
                 "pattern": slug_pattern(slug), "min_posts": min_posts}).to_arrow_table()
