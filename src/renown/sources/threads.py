"""Threads export (Meta "Download your information", JSON or HTML) → events.

Threads data comes in Meta's Accounts Center export, in a ``threads/``
folder (inside an Instagram export, or on its own), in the Instagram export's
record shapes (`renown.sources.meta_export`).  Its owner's side only, like
every export.  Files read, from every folder holding ``threads_and_replies``:

- ``threads_and_replies`` (``text_post_app_text_posts``) → ``post`` by the
  owner, text = the media ``title`` (the thread's text).  The export does not
  say which were replies, nor to whom: all are the owner's posts.
- ``liked_threads`` (``text_post_app_media_likes``) → ``like`` of the
  record's ``title`` (the liked thread's author).
- ``followers`` (``text_post_app_text_app_followers``) and ``following``
  (``text_post_app_text_app_following``) → ``follow`` events.

The owner is the export's user name (``personal_information``, else the
export folder's name), as for Instagram: Threads accounts are Instagram user
names.  An export holding Instagram content too is detected as
``instagram`` (which leaves ``threads/`` alone); ingest it again with
``--format threads`` for its Threads part.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from renown.sources import instagram
from renown.sources.account_export import Collector, derived_id, text_or_none
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.meta_export import Record, as_dict, as_list, read_records, record_time

DESCRIPTION: Final = ("Threads export folder (threads_and_replies, liked_threads, followers, "
                      "following; JSON or HTML)")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "threads"
_ROLES: Final = (("threads", re.compile(r"threads_and_replies(_\d+)?")),
                 ("likes", re.compile(r"liked_threads")),
                 ("followers", re.compile(r"followers(_\d+)?")),
                 ("following", re.compile(r"following")))
_LIST_KEYS: Final = ("text_post_app_text_posts", "text_post_app_media_likes",
                     "text_post_app_text_app_followers", "text_post_app_text_app_following")


def threads_files(folder: Path, max_files: int | None = None) -> dict[str, list[Path]]:
    """Files by role, from the folders that hold a ``threads_and_replies`` file."""
    found: dict[str, list[Path]] = {role: [] for role, _ in _ROLES}
    seen = 0
    for root, dirs, files in os.walk(folder):
        seen += len(files) + len(dirs)
        if max_files is not None and seen > max_files:
            break
        dirs[:] = sorted(d for d in dirs if d.lower() not in ("messages", "media"))
        named = {n: n.lower().rpartition(".")[0] for n in files
                 if n.lower().endswith((".json", ".html"))}
        if not any(_ROLES[0][1].fullmatch(stem) for stem in named.values()):
            continue
        for name, stem in sorted(named.items()):
            if role := next((r for r, p in _ROLES if p.fullmatch(stem)), None):
                found[role].append(Path(root) / name)
    return found


def sniff(path: Path, head: bytes) -> bool:
    try:
        found = threads_files(path, 5_000)["threads"] if path.is_dir() else []
        return (any(instagram.looks_meta(f) for f in found[:3])
                and not instagram.sniff(path, head))
    except OSError:
        return False


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = threads_files(path)
    if not files["threads"]:
        raise SourceError(path, "not a Threads export: no threads_and_replies file in it")
    owner = instagram.owner_account(path, instagram.export_files(path)["profile"])
    handlers: dict[str, Callable[[Collector, int, Record, str], None]] = {
        "threads": _thread, "likes": instagram.like_event,
        "followers": instagram.follower_event, "following": instagram.following_event}
    for role, handler in handlers.items():
        for file in files[role]:
            out = Collector(options.network or DEFAULT_NETWORK, file)
            items = read_records(file, _LIST_KEYS)
            if items is None:
                out.reject(1, "unrecognised file shape (expected a list of records, or an "
                           "object holding one)", file.read_text("utf-8", "replace"))
            for number, item in enumerate(items or [], start=1):
                if isinstance(item, dict):
                    handler(out, number, item, owner)
                else:
                    out.reject(number, "record is not an object", item)
            yield from out.rest()


def _thread(out: Collector, number: int, record: Record, owner: str) -> None:
    media = [as_dict(m) for m in as_list(record.get("media"))] or [record]
    ts = record_time(record) or record_time(media[0])
    if ts is None:
        out.reject(number, "thread without a creation_timestamp", record)
        return
    text = text_or_none(media[0].get("title")) or text_or_none(record.get("title"))
    event_id = derived_id("th-export", ts, text)
    out.add(event_id, ts, owner, "post", number, post_id=event_id, text=text)
