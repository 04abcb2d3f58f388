"""Meta Graph API payloads (Instagram Graph API, Threads API) → events.

Both APIs answer list requests as ``{"data": [...], "paging": {...}}`` and
single objects as the object; times are ``2024-01-05T10:22:33+0000``.  An
input is one saved response, a JSON array of saved responses, or a folder
of them (a *payload set*, read as one all-or-nothing input).  The set is
read twice: first into an index of object id → author, then into events,
so a reply finds whom it answers wherever in the set that post is.

Objects, by their fields:

- **content** (has ``media_type`` or ``media_product_type``) → ``post`` by
  ``username``; id = the object id; text = ``caption`` (Instagram) or
  ``text`` (Threads); url = ``permalink``.  Threads' ``replied_to`` makes a
  ``reply``, ``quoted_post`` (with ``is_quote_post``) a ``quote`` and
  ``reposted_post`` a ``reshare``, subject = that post's author when the set
  holds it.  Nested ``comments``/``replies`` ``{"data": [...]}`` are read too.
- **comment** (Instagram: ``text`` and ``username``/``from``, no media type)
  → ``comment`` on its media (the enclosing object, or ``media.id``), subject
  = the media's author; a comment in another's ``replies`` is a ``reply`` to
  that comment's author.
- **user** (``username`` with ``followers_count`` or ``biography``) → an
  account fact (followers), never an event: a count is nobody's act.
- **insights** (``name`` with ``values`` or ``total_value``: impressions,
  reach, views, likes...) are anonymous totals: recognised, never events.

Content without ``username`` takes the set's one user object (``/me``) as
author; without one it is quarantined (request the ``username`` field).
Anything else in ``data`` is quarantined with its reason.  Record numbers
count objects in the order read, across the set's files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.sources.account_export import Collector, text_or_none
from renown.sources.api_payloads import load_payload, payload_files
from renown.sources.base import Batch, SourceError
from renown.sources.meta_export import as_dict, as_list, count_or_none
from renown.sources.payloads import parse_instant

Record = dict[str, object]
_USER_KEYS: Final = ("followers_count", "biography", "threads_biography", "account_type")


def objects(payload: object) -> Iterator[Record | object]:
    """The objects of one saved response (or of a JSON array of responses)."""
    if isinstance(payload, list):
        for item in payload:
            if isinstance(item, dict) and isinstance(item.get("data"), list):
                yield from as_list(item["data"])
            else:
                yield item
    elif isinstance(payload, dict) and isinstance(payload.get("data"), list):
        yield from as_list(payload["data"])
    elif isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        yield payload["data"]
    else:
        yield payload


def kind_of(obj: Record) -> str | None:
    if "media_type" in obj or "media_product_type" in obj:
        return "content"
    if "name" in obj and ("values" in obj or "total_value" in obj):
        return "insight"
    if "username" in obj and any(k in obj for k in _USER_KEYS) and "timestamp" not in obj:
        return "user"
    if "text" in obj and "timestamp" in obj and ("username" in obj or "from" in obj):
        return "comment"
    return None


def _author(obj: Record) -> str | None:
    name = text_or_none(obj.get("username")) or text_or_none(as_dict(obj.get("from")).get(
        "username"))
    return name.strip().lstrip("@").lower() if name else None


@dataclass(slots=True)
class PayloadSet:
    """The files of one input and what the first pass learnt from them."""

    files: list[Path]
    authors: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # user id → username

    def index(self) -> None:
        """Users first (a media object may name only its owner's id), then authors."""
        loaded = [as_dict(obj) for file in self.files for obj in objects(load_payload(file))]
        for obj in loaded:
            ident, who = text_or_none(str(obj.get("id") or "")), _author(obj)
            if kind_of(obj) == "user" and ident and who:
                self.users[ident] = who
        for obj in loaded:
            self._learn(obj)

    def _learn(self, obj: Record) -> None:
        ident, kind = text_or_none(str(obj.get("id") or "")), kind_of(obj)
        who = self.owner(obj) if kind == "content" else _author(obj)
        if ident and who and kind in ("content", "comment"):
            self.authors[ident] = who
        for key in ("comments", "replies"):
            for child in as_list(as_dict(obj.get(key)).get("data")):
                self._learn(as_dict(child))

    def owner(self, obj: Record) -> str | None:
        """A content object's author: its username, its owner's id, or the one /me user."""
        if who := _author(obj):
            return who
        owner_id = str(as_dict(obj.get("owner")).get("id") or "")
        if owner_id in self.users:
            return self.users[owner_id]
        return next(iter(self.users.values())) if len(self.users) == 1 else None


def read_payloads(path: Path, network: str, prefix: str) -> Iterator[Batch]:
    """Events of a saved response or a folder of them (see the module doc)."""
    payloads = PayloadSet(payload_files(path))
    payloads.index()
    out = Collector(network, None)
    reader = _Reader(out, payloads, prefix)
    for file in payloads.files:
        for obj in objects(load_payload(file)):
            reader.number += 1
            reader.top(obj, file)
            yield from out.full()
    if reader.number == 0:
        raise SourceError(path, "no objects in the payload (an empty data list)")
    yield from out.rest()


@dataclass(slots=True)
class _Reader:
    out: Collector
    payloads: PayloadSet
    prefix: str
    number: int = 0

    def top(self, obj: object, file: Path) -> None:
        record = as_dict(obj)
        kind = kind_of(record) if record else None
        if kind == "content":
            self.content(record)
        elif kind == "comment":
            media = str(as_dict(record.get("media")).get("id") or "") or None
            self.comment(record, media, None)
        elif kind == "user":
            self.out.account(str(_author(record)), text_or_none(record.get("name")),
                             count_or_none(record.get("followers_count")))
        elif kind is None:
            self.out.reject(self.number, f"not a media, thread, comment, user or insights "
                            f"object ({file.name})", obj)

    def _time(self, obj: Record) -> datetime | None:
        ts = parse_instant(obj.get("timestamp"))
        if ts is None:
            self.out.reject(self.number, f"missing or unparseable timestamp "
                            f"{obj.get('timestamp')!r}", obj)
        return ts

    def content(self, obj: Record) -> None:
        ident, actor = text_or_none(str(obj.get("id") or "")), self.payloads.owner(obj)
        if ident is None or actor is None:
            self.out.reject(self.number, "content without an id or a username (request the "
                            "id and username fields)", obj)
            return
        ts = self._time(obj)
        if ts is None:
            return
        kind, parent = "post", None
        for key, name in (("reposted_post", "reshare"), ("quoted_post", "quote"),
                          ("replied_to", "reply")):
            if other := text_or_none(str(as_dict(obj.get(key)).get("id") or "")):
                kind, parent = name, other
                break
        text = text_or_none(obj.get("caption")) or text_or_none(obj.get("text"))
        self.out.add(f"{self.prefix}-{ident}", ts, actor, kind, self.number,
                     subject=self.payloads.authors.get(parent or ""), post_id=ident,
                     parent_id=parent, text=text, url=text_or_none(obj.get("permalink")))
        for child in as_list(as_dict(obj.get("comments")).get("data")):
            self.comment(as_dict(child), ident, None)

    def comment(self, obj: Record, media: str | None, replied: str | None) -> None:
        ident, actor = text_or_none(str(obj.get("id") or "")), _author(obj)
        if ident is None or actor is None:
            self.out.reject(self.number, "comment without an id or a username", obj)
            return
        ts = self._time(obj)
        if ts is None:
            return
        parent = replied or text_or_none(str(obj.get("parent_id") or "")) or media
        self.out.add(f"{self.prefix}-{ident}", ts, actor, "reply" if replied else "comment",
                     self.number, subject=self.payloads.authors.get(parent or ""),
                     post_id=ident, parent_id=parent, text=text_or_none(obj.get("text")))
        for child in as_list(as_dict(obj.get("replies")).get("data")):
            self.comment(as_dict(child), media, ident)
