"""Threads API payloads (threads, replies, conversations, profiles, insights) → events.

What ``GET /me/threads?fields=id,media_product_type,media_type,text,timestamp,
username,permalink,is_quote_post,quoted_post,reposted_post``, ``GET
/{thread-id}/replies`` or ``/conversation`` (with ``replied_to``,
``root_post``) and ``GET /me?fields=username,threads_biography`` answer,
saved as JSON (one file, or a folder of pages read as one set).  Rules: see
`renown.sources.meta_graph` (shared with the Instagram Graph API).  A thread
→ ``post`` (id ``th-<id>``); with ``replied_to`` a ``reply``, with
``quoted_post`` a ``quote``, with ``reposted_post`` a ``reshare``, each to
the author of the other thread when the set holds it.  Insights (views,
likes, replies, reposts, quotes, followers_count) are anonymous totals and
make no events.

Threads accounts are Instagram user names, so ``threads:ann`` and
``instagram:ann`` are usually one person, but that is declared with
``renown link``, never assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from renown.sources.api_payloads import first_head
from renown.sources.base import Batch, SourceOptions
from renown.sources.meta_graph import read_payloads

DESCRIPTION: Final = ("Threads API payloads (threads, replies, profiles, insights), a JSON "
                      "file or a folder of them")
EXPECTS_FOLDER: Final = None
DEFAULT_NETWORK: Final = "threads"
#: Read natively (the payload is decompressed as it is read).
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})


def sniff(path: Path, head: bytes) -> bool:
    """Threads objects (``media_product_type`` THREADS) or their reply links."""
    data = head if path.is_file() else first_head(path)
    if not data.lstrip().startswith((b"{", b"[")):
        return False
    return b'"THREADS"' in data or (b'"replied_to"' in data and b'"root_post"' in data)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    yield from read_payloads(path, options.network or DEFAULT_NETWORK, "th")
