"""Events as integer columns, until the writer turns them into strings.

Generating strings per event is what would make a simulator slow and fat, so
every generator produces an `EventBlock`: parallel NumPy arrays of codes
(global account numbers, kind codes, post serials, catalogue rows).  27 bytes
an event: ten million events take 270 MB.  The
writer maps codes to strings chunk by chunk with Arrow ``take``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np

from renown.events import KINDS, OFFLINE_KINDS

#: Kind code → kind name (network kinds, then offline credential kinds).
KIND_NAMES: Final[tuple[str, ...]] = tuple(KINDS) + tuple(OFFLINE_KINDS)
KIND: Final[dict[str, int]] = {name: i for i, name in enumerate(KIND_NAMES)}
#: Kinds that publish content of their own, and so get a post id.
CONTENT_CODES: Final = np.array(
    [KIND[k] for k in ("post", "reshare", "quote", "reply", "mention")], dtype=np.int8)


@dataclass(slots=True)
class EventBlock:
    """Events as codes: -1 means null for ``subject``, ``post``, ``parent``, ``content``."""

    ts: np.ndarray  # int64 µs since the epoch (naive UTC)
    actor: np.ndarray  # int32 global account number
    kind: np.ndarray  # int8 code into KIND_NAMES
    subject: np.ndarray  # int32 global account number
    post: np.ndarray  # int32 post serial
    parent: np.ndarray  # int32 post serial
    content: np.ndarray  # int16 catalogue row

    def __len__(self) -> int:
        return int(self.ts.size)

    @staticmethod
    def empty() -> EventBlock:
        return EventBlock.build(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)

    @staticmethod
    def build(ts: np.ndarray, actor: np.ndarray, kind: np.ndarray | int,
              subject: np.ndarray | None = None, post: np.ndarray | None = None,
              parent: np.ndarray | None = None, content: np.ndarray | None = None) -> EventBlock:
        """A block from whichever columns a generator has; the rest are null."""
        n = ts.size

        def column(values: np.ndarray | None, dtype: type[np.signedinteger[Any]]) -> np.ndarray:
            return np.full(n, -1, dtype) if values is None else values.astype(dtype, copy=False)

        return EventBlock(
            ts.astype(np.int64, copy=False), column(actor, np.int32),
            np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)).copy(),
            column(subject, np.int32), column(post, np.int32), column(parent, np.int32),
            column(content, np.int16))

    def select(self, which: np.ndarray | slice) -> EventBlock:
        """The events at a boolean mask or index array."""
        return EventBlock(*(getattr(self, f.name)[which] for f in fields(self)))

    @staticmethod
    def concat(blocks: list[EventBlock]) -> EventBlock:
        if not blocks:
            return EventBlock.empty()
        return EventBlock(*(np.concatenate([getattr(b, f.name) for b in blocks])
                            for f in fields(EventBlock)))


class Serials:
    """Hands out post serials: unique across the whole world, in generation order."""

    def __init__(self) -> None:
        self._next = 0

    def take(self, n: int) -> np.ndarray:
        if self._next + n > np.iinfo(np.int32).max:
            raise ValueError("world too large: more than 2^31 posts")
        out = np.arange(self._next, self._next + n, dtype=np.int64)
        self._next += n
        return out

    def for_content(self, kind: np.ndarray) -> np.ndarray:
        """A fresh serial for each content kind in ``kind``, -1 for the others."""
        post = np.full(kind.size, -1, dtype=np.int64)
        is_content = np.isin(kind, CONTENT_CODES)
        post[is_content] = self.take(int(is_content.sum()))
        return post

    @property
    def used(self) -> int:
        return self._next
