"""Facebook "Download your information" (JSON) → events.

Like every personal export it holds only what its owner did.  Files read,
anywhere in the folder (Facebook moved them between years; ``messages/`` is
never entered):

- ``your_posts*.json`` (a list, or an object holding one) → ``post`` by the
  owner, text = the ``data[].post`` string, url = an attached link.  A title
  "<owner> shared <X>'s post." makes it a ``reshare`` of X; people tagged in
  the post, and the X of "<owner> wrote on <X>'s timeline.", are ``mention``\\ s.
- ``comments.json`` (``comments_v2`` or ``comments``) → ``comment``, text =
  ``data[].comment.comment``.
- ``likes_and_reactions*.json`` and ``posts_and_comments.json``
  (``reactions_v2`` or ``reactions``) → ``like`` (every reaction type).
- ``profile_information.json`` → the owner's name.

**Accounts are display names.**  A Facebook export never gives anyone's id:
the only trace of whom the owner answered is the record's title, "Ann
Example commented on Bob Smith's post."  The subject is that name (titles
in another language, or "a post" with no name, give none).  The owner is
their profile name too, so Ann's export and Bob's export name the same
people the same way; two different people with one name become one account,
which an export cannot avoid.  Without a profile file the owner is the
``author`` / ``actor`` of their records, else the folder's name.

**Text repair.**  Facebook writes UTF-8 bytes as if they were latin-1
characters (``"\\u00c3\\u00a9"`` for é).  Every string is re-read as UTF-8 when
that round-trips (``s.encode("latin-1").decode("utf-8")``); strings that do
not (already correct text) are kept.

Times are ``timestamp`` epoch seconds.  Records have no ids: each event's id
is derived from its time, title and text.  Record numbers are positions in
each file's list.  A file of an unknown shape is one quarantined record.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.sources.account_export import (
    Collector,
    derived_id,
    epoch_seconds,
    load_json_text,
    read_text,
    text_or_none,
)
from renown.sources.base import Batch, SourceError, SourceOptions

DESCRIPTION: Final = ("Facebook 'Download your information' JSON folder (your_posts, comments, "
                      "likes and reactions)")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "facebook"
_POSTS: Final = re.compile(r"your_posts.*\.json")
_COMMENTS: Final = re.compile(r"comments\.json")
_REACTIONS: Final = re.compile(r"likes_and_reactions.*\.json|posts_and_comments\.json")
_PROFILE: Final = "profile_information.json"
_LIST_KEYS: Final = ("comments_v2", "comments", "reactions_v2", "reactions", "status_updates",
                     "posts", "likes")
#: "<actor> <verb> <target>'s <thing>." — the only place an export names the other person.
_TITLE: Final = re.compile(
    r"(?P<verb>commented on|replied to|likes|liked|reacted to|shared|wrote on) "
    r"(?P<target>.+?)['’]s (?P<thing>[\w ]+?)\.?\Z")
_MAX_DEPTH: Final = 4
_SNIFF_FILES: Final = 5_000
_SKIP_DIRS: Final = frozenset({"messages", "photos_and_videos", "media"})

Record = dict[str, object]


def repair(text: str) -> str:
    """Undo Facebook's latin-1 escaping of UTF-8 when the result is valid UTF-8."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repaired(value: object) -> object:
    """`repair` every string in parsed JSON."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, list):
        return [repaired(v) for v in value]
    if isinstance(value, dict):
        return {repair(str(k)): repaired(v) for k, v in value.items()}
    return value


def export_files(folder: Path, max_files: int | None = None) -> dict[str, list[Path]]:
    """The JSON files the source reads, by role, found at most a few folders deep.

    ``max_files`` bounds the walk (format detection must stay cheap on any folder).
    """
    found: dict[str, list[Path]] = {"posts": [], "comments": [], "reactions": [],
                                    "profile": []}
    base, seen = len(folder.parts), 0
    for root, dirs, files in os.walk(folder):
        seen += len(files) + len(dirs)
        if max_files is not None and seen > max_files:
            break
        depth = len(Path(root).parts) - base
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and depth < _MAX_DEPTH)
        for name in sorted(files):
            role = ("posts" if _POSTS.fullmatch(name) else "comments" if
                    _COMMENTS.fullmatch(name) else "reactions" if _REACTIONS.fullmatch(name)
                    else "profile" if name == _PROFILE else None)
            if role:
                found[role].append(Path(root) / name)
    return found


def sniff(path: Path, head: bytes) -> bool:
    """A folder with a Facebook activity file whose first record looks like Facebook's.

    The names alone are too common (a folder of saved API responses may hold a
    ``comments.json``); Facebook's records always carry a ``timestamp`` and a
    ``title`` (or are the ``..._v2`` lists).
    """
    try:
        return path.is_dir() and any(
            _looks_facebook(file) for role, files in export_files(path, _SNIFF_FILES).items()
            if role != "profile" for file in files[:3])
    except OSError:
        return False


def _looks_facebook(file: Path) -> bool:
    with file.open("rb") as handle:
        start = handle.read(4096)
    return (b"_v2\"" in start or (b'"timestamp"' in start and b'"title"' in start)
            or start.strip() in (b"[]", b"{}"))


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = export_files(path)
    if not any(files[role] for role in ("posts", "comments", "reactions")):
        raise SourceError(path, "not a Facebook export: no your_posts*.json, comments.json or "
                          "likes_and_reactions*.json in it")
    network = options.network or DEFAULT_NETWORK
    loaded = {role: [(f, records(f)) for f in paths] for role, paths in files.items()}
    owner = owner_name(path, loaded)
    for role, handler in (("posts", _post), ("comments", _comment), ("reactions", _reaction)):
        for file, items in loaded[role]:
            out = Collector(network, file)
            if items is None:
                out.reject(1, "unrecognised file shape (expected a list of records, or an "
                           "object holding one)", read_text(file))
            else:
                for number, item in enumerate(items, start=1):
                    handler(out, number, item, owner)
            yield from out.rest()


def records(file: Path) -> list[object] | None:
    """The file's records: a top-level list, or the list an object holds; None if neither."""
    data = repaired(load_json_text(file, read_text(file)))
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in _LIST_KEYS:
            if isinstance(data.get(key), list):
                return list(data[key])
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
        if data and all(isinstance(v, dict) for v in data.values()):
            return []  # a profile-like object: nothing to list
    return None


def owner_name(folder: Path, loaded: dict[str, list[tuple[Path, list[object] | None]]]) -> str:
    """Profile name, else the author/actor of the owner's own records, else the folder name."""
    for file in (f for f, _ in loaded["profile"]):
        data = repaired(load_json_text(file, read_text(file)))
        profile = _dict(_dict(data).get("profile_v2") or _dict(data).get("profile"))
        name = profile.get("name")
        full = text_or_none(_dict(name).get("full_name") if isinstance(name, dict) else name)
        if full:
            return full.strip()
    for _, items in loaded["comments"] + loaded["reactions"]:
        for item in items or []:
            for entry in _list(_dict(item).get("data")):
                inner = _dict(_dict(entry).get("comment") or _dict(entry).get("reaction"))
                if who := text_or_none(inner.get("author") or inner.get("actor")):
                    return who.strip()
    return folder.resolve().name or "facebook-owner"


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def title_target(title: str | None, verbs: tuple[str, ...]) -> str | None:
    """The other person's name in a title such as "Ann commented on Bob Smith's post."."""
    match = _TITLE.search(title or "")
    if match is None or match.group("verb") not in verbs:
        return None
    return match.group("target").strip() or None


def _data(item: Record, key: str) -> dict[str, object]:
    for entry in _list(item.get("data")):
        if isinstance(value := _dict(entry).get(key), dict | str):
            return value if isinstance(value, dict) else {key: value}
    return {}


def _start(out: Collector, number: int,
           item: object) -> tuple[Record, datetime, str | None] | None:
    """The record, its time and its title; None after rejecting a record without a time."""
    record = _dict(item)
    ts = epoch_seconds(record.get("timestamp"))
    if ts is None:
        out.reject(number, f"missing or unparseable timestamp {record.get('timestamp')!r}", item)
        return None
    return record, ts, text_or_none(record.get("title"))


def _post(out: Collector, number: int, item: object, owner: str) -> None:
    start = _start(out, number, item)
    if start is None:
        return
    record, ts, title = start
    text = text_or_none(_data(record, "post").get("post"))
    shared = title_target(title, ("shared",))
    event_id = derived_id("post", ts, title, text)
    out.add(event_id, ts, owner, "reshare" if shared else "post", number, subject=shared,
            post_id=event_id, text=text, url=_attached_url(record))
    tagged = [text_or_none(t.get("name") if isinstance(t, dict) else t)
              for t in _list(record.get("tags"))]
    for name in dict.fromkeys([*tagged, title_target(title, ("wrote on",))]):
        if name and name != owner:
            out.add(derived_id(f"{event_id}-mention", name), ts, owner, "mention", number,
                    subject=name, parent_id=event_id)


def _attached_url(record: Record) -> str | None:
    for attachment in _list(record.get("attachments")):
        for entry in _list(_dict(attachment).get("data")):
            if url := text_or_none(_dict(_dict(entry).get("external_context")).get("url")):
                return url
    return None


def _comment(out: Collector, number: int, item: object, owner: str) -> None:
    start = _start(out, number, item)
    if start is None:
        return
    record, ts, title = start
    comment = _data(record, "comment")
    text = text_or_none(comment.get("comment"))
    actor = text_or_none(comment.get("author")) or owner
    out.add(derived_id("comment", ts, title, text), ts, actor.strip(), "comment", number,
            subject=title_target(title, ("commented on", "replied to")), text=text)


def _reaction(out: Collector, number: int, item: object, owner: str) -> None:
    start = _start(out, number, item)
    if start is None:
        return
    record, ts, title = start
    actor = text_or_none(_data(record, "reaction").get("actor")) or owner
    out.add(derived_id("reaction", ts, title), ts, actor.strip(), "like", number,
            subject=title_target(title, ("likes", "liked", "reacted to")))
