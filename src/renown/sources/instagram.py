"""Instagram "Download your information" export (JSON or HTML) → events.

An export holds its owner's side only: what they posted, commented and
liked, and who follows them and whom they follow.  Likes and comments *on*
the owner's posts by others are not in it (the Graph API payloads,
``instagram-api``, carry comments on the owner's media).  Files read,
anywhere in the folder (Meta moved them between 2020 and 2024), as ``.json``
or ``.html``; ``messages/`` and ``threads/`` (see the ``threads`` format)
are never entered:

- ``posts_N`` (``content/``) → ``post``: text = the caption (the post's
  ``title``, or its first media's), url = none (media ``uri`` is a path in
  the archive).  ``reels`` (``ig_reels_media``) and ``stories``
  (``ig_stories``) → ``post`` too, tagged ``reel`` / ``story``.
- ``post_comments_N`` and ``reels_comments`` → ``comment`` by the owner,
  subject = the ``Media Owner`` field, text = the ``Comment`` field.
- ``liked_posts`` (``likes_media_likes``) and ``liked_comments`` → ``like``
  by the owner, subject = the record's ``title`` (the liked content's
  author), ``parent_id`` = the shortcode of the ``/p/`` or ``/reel/`` link.
- ``followers_N`` → ``follow`` of the owner by each follower;
  ``following`` (``relationships_following``) → ``follow`` by the owner.
  Follows are relations, not reactions: they never count as outcomes.
- ``personal_information`` → the owner's user name (``Username`` field),
  else the folder's name as Meta writes it (``instagram-<user>-<date>-<id>``).

Accounts are user names, lower-cased (Instagram's are case-insensitive).
Times are epoch seconds (JSON) or ``Jan 05, 2024 10:22 am`` (HTML, taken as
UTC).  Records have no ids: each event id is derived from its time, kind and
content, so re-ingesting an export adds nothing twice.  Text is repaired from
Meta's latin-1 mis-encoding.  Record numbers are positions in each file; a
file of an unknown shape is one quarantined record.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.sources import facebook
from renown.sources.account_export import Collector, derived_id, slug, text_or_none
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.meta_export import (
    Record,
    account_of,
    as_dict,
    as_list,
    entries,
    field_text,
    read_records,
    record_time,
)

DESCRIPTION: Final = ("Instagram 'Download your information' folder, JSON or HTML (posts, "
                      "reels, stories, comments, likes, followers, following)")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "instagram"
_ROLES: Final = (
    ("posts", re.compile(r"posts_\d+")), ("reels", re.compile(r"reels")),
    ("stories", re.compile(r"stories")),
    ("comments", re.compile(r"(post|reels)_comments(_\d+)?")),
    ("likes", re.compile(r"liked_(posts|comments)")),
    ("followers", re.compile(r"followers(_\d+)?")), ("following", re.compile(r"following")),
    ("profile", re.compile(r"personal_information")),
)
_LIST_KEYS: Final = ("ig_reels_media", "ig_stories", "comments_reels_comments",
                     "comments_media_comments", "likes_media_likes", "likes_comment_likes",
                     "relationships_following", "relationships_followers", "profile_user")
_SKIP_DIRS: Final = frozenset({"messages", "threads", "media", "photos", "videos"})
_EXPORT_NAME: Final = re.compile(r"instagram-([a-z0-9._]{1,30})-\d{4}-\d{2}-\d{2}", re.I)
_SHORTCODE: Final = re.compile(r"instagram\.com/(?:p|reel|tv)/([A-Za-z0-9_-]+)")
_MAX_DEPTH: Final = 5
_TAGS: Final = {"reels": "reel", "stories": "story"}
_SNIFF_FILES: Final = 5_000


def export_files(folder: Path, max_files: int | None = None) -> dict[str, list[Path]]:
    """The export's files by role (first matching role), at most a few folders deep."""
    found: dict[str, list[Path]] = {role: [] for role, _ in _ROLES}
    base, seen = len(folder.parts), 0
    for root, dirs, files in os.walk(folder):
        seen += len(files) + len(dirs)
        if max_files is not None and seen > max_files:
            break
        depth = len(Path(root).parts) - base
        dirs[:] = sorted(d for d in dirs if d.lower() not in _SKIP_DIRS and depth < _MAX_DEPTH)
        for name in sorted(files):
            stem, dot, suffix = name.lower().rpartition(".")
            if not dot or suffix not in ("json", "html"):
                continue
            role = next((r for r, pattern in _ROLES if pattern.fullmatch(stem)), None)
            if role:
                found[role].append(Path(root) / name)
    return found


def sniff(path: Path, head: bytes) -> bool:
    """Instagram files in a folder that is not a Facebook export (both come from Meta)."""
    try:
        if not path.is_dir() or facebook.sniff(path, head):
            return False
        files = export_files(path, _SNIFF_FILES)
    except OSError:
        return False
    return any(looks_meta(f) for r in ("posts", "reels", "comments", "likes", "followers",
                                        "following") for f in files[r][:3])


#: What Meta's export records carry in their first bytes (JSON and HTML variants).
_META_MARKERS: Final = (b'"string_list_data"', b'"string_map_data"', b'"creation_timestamp"',
                        b'"relationships_', b'"likes_', b'"ig_', b'"comments_', b"uiBoxWhite",
                        b"_a6-g", b'"text_post_app_')


def looks_meta(file: Path) -> bool:
    """Whether a file's start is a Meta export record (its name alone is too common)."""
    try:
        with file.open("rb") as handle:
            start = handle.read(8192)
    except OSError:
        return False
    return any(m in start for m in _META_MARKERS) or start.strip() in (b"[]", b"{}")


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = export_files(path)
    handlers: dict[str, Callable[[Collector, int, Record, str], None]] = {
        "posts": _post, "reels": _post, "stories": _post, "comments": _comment,
        "likes": like_event, "followers": follower_event, "following": following_event}
    if not any(files[role] for role in handlers):
        raise SourceError(path, "not an Instagram export: no posts_1, post_comments_1, "
                          "liked_posts, followers_1 or following file (.json or .html) in it")
    network = options.network or DEFAULT_NETWORK
    owner = owner_account(path, files["profile"])
    for role, handler in handlers.items():
        for file in files[role]:
            out = Collector(network, file)
            items = read_records(file, _LIST_KEYS)
            if items is None:
                out.reject(1, "unrecognised file shape (expected a list of records, or an "
                           "object holding one)", file.read_text("utf-8", "replace"))
            for number, item in enumerate(items or [], start=1):
                if not isinstance(item, dict):
                    out.reject(number, "record is not an object", item)
                    continue
                handler(out, number, {**item, "_role": role}, owner)
            yield from out.rest()


def owner_account(folder: Path, profiles: list[Path]) -> str:
    """``Username`` from personal_information, else the export folder's name."""
    for file in profiles:
        for item in read_records(file, _LIST_KEYS) or []:
            if name := field_text(as_dict(item), "Username"):
                return name.strip().lstrip("@").lower()
    name = folder.resolve().name
    match = _EXPORT_NAME.search(name)
    return match.group(1).lower() if match else (slug(name) or "instagram-owner")


def _time_or_reject(out: Collector, number: int, record: Record) -> datetime | None:
    ts = record_time(record)
    if ts is None:
        out.reject(number, "record without a time (no timestamp it could be dated by)",
                   {k: v for k, v in record.items() if k != "_role"})
    return ts


def _post(out: Collector, number: int, record: Record, owner: str) -> None:
    media = [as_dict(m) for m in as_list(record.get("media"))] or [record]
    ts = record_time(record) or record_time(media[0])
    if ts is None:
        out.reject(number, "post without a creation_timestamp", record)
        return
    caption = text_or_none(record.get("title")) or text_or_none(media[0].get("title"))
    role = str(record["_role"])
    event_id = derived_id(f"ig-{role}", ts, caption, media[0].get("uri"))
    out.add(event_id, ts, owner, "post", number, post_id=event_id, text=caption,
            tags=[_TAGS[role]] if role in _TAGS else None)


def _comment(out: Collector, number: int, record: Record, owner: str) -> None:
    ts = _time_or_reject(out, number, record)
    if ts is None:
        return
    text = field_text(record, "Comment")
    media_owner = field_text(record, "Media Owner")
    subject = media_owner.strip().lstrip("@").lower() if media_owner else None
    out.add(derived_id("ig-comment", ts, text, subject), ts, owner, "comment", number,
            subject=subject, text=text)


def like_event(out: Collector, number: int, record: Record, owner: str) -> None:
    author = text_or_none(record.get("title"))
    liked = entries(record) or [{}]
    for entry in liked:
        ts = record_time({**entry, "string_list_data": [entry]}) or record_time(record)
        if ts is None:
            out.reject(number, "like without a timestamp", record)
            return
        link = str(entry.get("href") or "")
        code = _SHORTCODE.search(link)
        out.add(derived_id("ig-like", ts, author, link), ts, owner, "like", number,
                subject=author.strip().lstrip("@").lower() if author else None,
                parent_id=code.group(1) if code else None, url=link or None)


def _relations(out: Collector, number: int,
               record: Record) -> Iterator[tuple[str, datetime]]:
    """(other account, time) of each entry of a follower/following record."""
    found = False
    for entry in entries(record):
        other = account_of(entry, record)
        ts = record_time({"string_list_data": [entry]}) or record_time(record)
        if other and ts is not None:
            found = True
            yield other, ts
    if not found:
        out.reject(number, "follow record without an account and a time", record)


def follower_event(out: Collector, number: int, record: Record, owner: str) -> None:
    for other, ts in _relations(out, number, record):
        out.add(f"follow-{other}-{owner}", ts, other, "follow", number,
                subject=owner)


def following_event(out: Collector, number: int, record: Record, owner: str) -> None:
    for other, ts in _relations(out, number, record):
        out.add(f"follow-{owner}-{other}", ts, owner, "follow", number,
                subject=other)
