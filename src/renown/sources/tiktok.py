"""TikTok "Download your data" export: ``user_data.json`` or the TXT folder → events.

An export holds its owner's side only: their videos, their comments and
likes on others' videos, their followers and whom they follow.  Who liked or
commented on the owner's videos is not in it; TikTok links liked videos by
id only, so the liked video's author is unknown too (a like without a
subject is the owner's activity, never someone's outcome).

The JSON export nests lists under sections whose names changed between
years ("Activity" → "Your Activity", "Video" → "Post", "Profile" → "Profile
And Settings"); the lists themselves kept their names, so they are found
by name anywhere in the document:

- ``ProfileMap.userName`` → the owner (else ``--network``-independent
  folder or file name).
- ``VideoList`` → ``post`` by the owner, id ``tt-<video id>`` (the digits of
  ``Link``), text = ``Title``/``Description`` when present.
- ``CommentsList`` → ``comment`` by the owner, text = ``Comment``; the video
  it answered is not named.
- ``ItemFavoriteList`` (the Like List) → ``like`` by the owner,
  ``parent_id`` = the video id of ``Link``.
- ``FansList`` → ``follow`` of the owner by ``UserName``; ``Following`` →
  ``follow`` by the owner.

The TXT variant is a folder of ``.txt`` files (``Activity/Like List.txt``,
``Activity/Follower List.txt``, ``Activity/Following List.txt``,
``Comments/Comments.txt``, ``Videos/Videos.txt``, ``Profile/Profile
Info.txt``), records as ``Key: value`` lines separated by blank lines, read
into the same records.  Times are ``2023-01-05 10:22:33`` in UTC.  Keys are
matched without regard to case (``Date``/``date``).  Record numbers are
positions in each list (JSON) or the line a block starts on (TXT).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from renown.sources.account_export import (
    Collector,
    derived_id,
    parse_export_date,
    read_text,
    slug,
    text_or_none,
)
from renown.sources.api_payloads import load_payload
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.meta_export import as_dict

DESCRIPTION: Final = ("TikTok 'Download your data' export: user_data.json, or the folder of "
                      ".txt files (videos, comments, likes, followers, following)")
EXPECTS_FOLDER: Final = None
DEFAULT_NETWORK: Final = "tiktok"
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})
#: List name in the JSON → role.
LISTS: Final = {"videolist": "videos", "commentslist": "comments",
                "itemfavoritelist": "likes", "fanslist": "followers", "following": "following"}
#: TXT file stem (lower case) → role.
TXT_FILES: Final = {"like list": "likes", "follower list": "followers", "follower": "followers",
                    "following list": "following", "following": "following",
                    "comments": "comments", "videos": "videos", "posts": "videos",
                    "profile info": "profile", "profile information": "profile"}
_VIDEO_ID: Final = re.compile(r"/(?:video|v)/(\d{6,25})")
_JSON_MARKERS: Final = (b'"VideoList"', b'"ItemFavoriteList"', b'"FansList"',
                        b'"CommentsList"', b'"ProfileMap"')
_HISTORY: Final = re.compile(r"brows|history|watch", re.IGNORECASE)
_KEY_LINE: Final = re.compile(r"([A-Za-z][A-Za-z ()]{0,40}):\s?(.*)")

Record = dict[str, object]
Lists = dict[str, list[tuple[int, Record | object]]]


def sniff(path: Path, head: bytes) -> bool:
    try:
        if path.is_file():
            named = path.name.lower().startswith("user_data") and (
                b'"Activity"' in head or b'"Your Activity"' in head)
            return head.lstrip().startswith(b"{") and (
                named or sum(m in head for m in _JSON_MARKERS) >= 2)
        return path.is_dir() and len(_txt_files(path)) >= 2
    except OSError:
        return False


def _txt_files(folder: Path) -> dict[Path, str]:
    return {p: TXT_FILES[p.stem.lower()] for p in sorted(folder.rglob("*.txt"))
            if p.stem.lower() in TXT_FILES and p.is_file()}


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    network = options.network or DEFAULT_NETWORK
    if path.is_file():
        data = load_payload(path)
        if not isinstance(data, dict):
            raise SourceError(path, "not a TikTok export: the document is not an object")
        lists: Lists = {role: [] for role in LISTS.values()}
        _collect(data, lists, 0)
        owner = _profile_name(data) or _fallback_owner(path)
        yield from _events({path: lists}, network, owner, None)
        return
    files = _txt_files(path)
    if not files:
        raise SourceError(path, "not a TikTok export: no Like List.txt, Follower List.txt, "
                          "Videos.txt or Comments.txt in it")
    by_file = {file: _txt_records(file, role) for file, role in files.items()}
    profile = [r for f, lists in by_file.items() for _, r in lists.get("profile", [])]
    owner = next((str(n).strip().lstrip("@").lower() for r in profile
                  if (n := _get(as_dict(r), "username"))), None) or _fallback_owner(path)
    yield from _events(by_file, network, owner, path)


def _fallback_owner(path: Path) -> str:
    return slug(path.resolve().parent.name if path.is_file() else path.resolve().name) or \
        "tiktok-owner"


def _collect(node: object, lists: Lists, depth: int) -> None:
    """Every known list anywhere in the document, by role (the sections moved, not the lists).

    Watch history reuses the name ``VideoList`` ("Video Browsing History"):
    sections about browsing or history are not entered, or every video the
    owner watched would become a post of theirs.
    """
    if depth > 12 or not isinstance(node, dict):
        return
    for key, value in node.items():
        role = LISTS.get(str(key).lower())
        if role and isinstance(value, list):
            lists[role].extend(enumerate(value, start=1))
        elif isinstance(value, dict) and not _HISTORY.search(str(key)):
            _collect(value, lists, depth + 1)


def _profile_name(data: Record) -> str | None:
    stack: list[object] = [data]
    while stack:
        node = as_dict(stack.pop())
        if isinstance(profile := node.get("ProfileMap"), dict):
            name = _get(profile, "username")
            return str(name).strip().lstrip("@").lower() if name else None
        stack.extend(v for v in node.values() if isinstance(v, dict))
    return None


def _get(record: Record, key: str) -> str | None:
    """A field by name without regard to case (``Date``/``date``, ``UserName``/``Username``)."""
    for name, value in record.items():
        if str(name).lower().replace(" ", "") == key:
            return text_or_none(value)
    return None


def _txt_records(file: Path, role: str) -> Lists:
    """``Key: value`` blocks separated by blank lines; a line without a key continues the last."""
    records: list[tuple[int, Record | object]] = []
    current: Record | None = None
    last: str | None = None
    for number, line in enumerate(read_text(file).splitlines(), start=1):
        if not line.strip():
            current = last = None
            continue
        match = _KEY_LINE.fullmatch(line.strip())
        if current is None:
            current = {}
            records.append((number, current))
        if match:
            last = match.group(1)
            current[last] = match.group(2).strip()
        elif last is not None:
            current[last] = f"{current[last]}\n{line.strip()}"
        else:
            records[-1] = (number, line)  # text outside any "Key: value" record
            current = None
    return {role: records}


def _events(by_file: dict[Path, Lists], network: str, owner: str,
            folder: Path | None) -> Iterator[Batch]:
    for file, lists in by_file.items():
        out = Collector(network, file if folder is not None else None)
        for role, records in lists.items():
            for number, item in records:
                if role != "profile":
                    _record(out, role, number, item, owner)
        yield from out.rest()


def _record(out: Collector, role: str, number: int, item: object, owner: str) -> None:
    record = as_dict(item)
    ts = parse_export_date(_get(record, "date"))
    if not record or ts is None:
        out.reject(number, f"{role[:-1] if role != 'following' else role} record without a "
                   f"readable Date", item)
        return
    link = _get(record, "link") or _get(record, "videolink") or _get(record, "url")
    video = _VIDEO_ID.search(link or "")
    video_id = video.group(1) if video else None
    if role == "videos":
        text = _get(record, "title") or _get(record, "description")
        event_id = f"tt-{video_id}" if video_id else derived_id("tt-video", ts, link, text)
        out.add(event_id, ts, owner, "post", number, post_id=video_id or event_id, text=text,
                url=link)
    elif role == "comments":
        text = _get(record, "comment")
        out.add(derived_id("tt-comment", ts, text), ts, owner, "comment", number, text=text)
    elif role == "likes":
        out.add(derived_id("tt-like", owner, video_id or link, ts), ts, owner, "like", number,
                parent_id=video_id, url=link)
    else:
        other = _get(record, "username")
        if other is None:
            out.reject(number, f"{role} record without a UserName", item)
            return
        other = other.strip().lstrip("@").lower()
        actor, subject = (other, owner) if role == "followers" else (owner, other)
        out.add(f"follow-{actor}-{subject}", ts, actor, "follow", number, subject=subject)


