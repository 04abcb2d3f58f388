"""Instagram Graph API payloads (media, comments, users, insights) → events.

What ``GET /{ig-user-id}/media?fields=id,caption,media_type,media_product_type,
permalink,timestamp,username,comments{id,text,timestamp,username,from,replies}``,
``GET /{media-id}/comments`` and ``GET /{ig-user-id}?fields=username,
followers_count`` answer, saved as JSON (one file, or a folder of pages read
as one set).  The rules are Meta's Graph conventions, shared with Threads:
see `renown.sources.meta_graph`.  Media → ``post`` (id ``ig-<media id>``),
comments → ``comment`` on the media's author, replies → ``reply`` to the
comment's author; ``like_count``, ``comments_count`` and insights
(impressions, reach, saved...) are anonymous totals and make no events; a
user's ``followers_count`` is kept as an account fact.

The API shows who commented, never who liked: Instagram likes reach Renown
only from the liker's own export (``instagram`` format).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from renown.sources.api_payloads import first_head
from renown.sources.base import Batch, SourceOptions
from renown.sources.meta_graph import read_payloads

DESCRIPTION: Final = ("Instagram Graph API payloads (media, comments, users, insights), a JSON "
                      "file or a folder of them")
EXPECTS_FOLDER: Final = None
DEFAULT_NETWORK: Final = "instagram"
#: Read natively (the payload is decompressed as it is read).
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})


def sniff(path: Path, head: bytes) -> bool:
    """Graph API JSON: media objects (not Threads'), or comments with a ``from`` user."""
    data = head if path.is_file() else first_head(path)
    if not data.lstrip().startswith((b"{", b"[")) or b'"THREADS"' in data:
        return False
    media = b'"media_type"' in data and (b'"caption"' in data or b'"permalink"' in data)
    comments = (b'"from"' in data and b'"text"' in data and b'"timestamp"' in data
                and b'"username"' in data)
    return media or comments


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    yield from read_payloads(path, options.network or DEFAULT_NETWORK, "ig")
