"""YouTube Data API v3 payloads (videos, commentThreads, comments, channels, subscriptions).

What ``videos.list``, ``search.list``, ``playlistItems.list`` (a channel's
uploads), ``commentThreads.list``, ``comments.list``, ``channels.list`` and
``subscriptions.list`` answer (``{"kind": "youtube#...ListResponse",
"items": [...]}``), saved as JSON: one file, or a folder of pages read as one
set (`renown.sources.api_payloads`).  Accounts are channel ids (``UC...``),
the only id YouTube never reuses; a channel's title is its display name.

- ``youtube#video`` / ``youtube#searchResult`` / ``youtube#playlistItem`` →
  ``post`` by the channel (``snippet.channelId``; ``videoOwnerChannelId`` for
  playlist items), id ``yt-<video id>``, text = title, a blank line, the
  description; tags = ``snippet.tags``; url = the watch URL.
- ``youtube#commentThread`` → the top-level comment: ``comment`` by its
  ``authorChannelId``, subject = ``snippet.channelId`` (the video's channel),
  ``parent_id`` = the video; each of ``replies.comments`` → ``reply`` to the
  top-level comment's author.
- ``youtube#comment`` (``comments.list``, with ``parentId``) → ``reply`` to
  the parent comment's author when the set holds it.
- ``youtube#channel`` → an account fact: title and ``subscriberCount``
  (unless hidden).  ``statistics`` of videos (views, likes, comment counts)
  are anonymous totals: never events.
- ``youtube#subscription`` → ``follow`` by ``subscriberSnippet``'s channel or
  the authorised channel (``snippet.channelId``) of ``resourceId.channelId``.

A comment whose author has no channel (``authorChannelId`` missing: a
deleted account) is quarantined, as is anything of another kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.sources.account_export import Collector, text_or_none
from renown.sources.api_payloads import first_head, load_payload, payload_files
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.meta_export import as_dict, as_list, count_or_none
from renown.sources.payloads import parse_instant

DESCRIPTION: Final = ("YouTube Data API v3 payloads (videos, commentThreads, comments, "
                      "channels, subscriptions), a JSON file or a folder of them")
EXPECTS_FOLDER: Final = None
DEFAULT_NETWORK: Final = "youtube"
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})
_VIDEO_KINDS: Final = ("youtube#video", "youtube#searchResult", "youtube#playlistItem")

Record = dict[str, object]


def sniff(path: Path, head: bytes) -> bool:
    data = head if path.is_file() else first_head(path)
    return data.lstrip().startswith((b"{", b"[")) and b'"youtube#' in data


def _items(payload: object) -> list[object]:
    pages = payload if isinstance(payload, list) else [payload]
    found: list[object] = []
    for page in pages:
        page = as_dict(page)
        found.extend(as_list(page.get("items")) if "items" in page else [page])
    return found


def _author(comment: Record) -> str | None:
    snippet = as_dict(comment.get("snippet"))
    return text_or_none(as_dict(snippet.get("authorChannelId")).get("value"))


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = payload_files(path)
    authors: dict[str, str] = {}  # comment id → author channel, for replies
    for file in files:
        for item in _items(load_payload(file)):
            item = as_dict(item)
            top = as_dict(as_dict(item.get("snippet")).get("topLevelComment"))
            for comment in [item, top, *map(as_dict, as_list(as_dict(item.get("replies")).get(
                    "comments")))]:
                if (who := _author(comment)) and isinstance(comment.get("id"), str):
                    authors[str(comment["id"])] = who
    out = Collector(options.network or DEFAULT_NETWORK, None)
    number = 0
    for file in files:
        for item in _items(load_payload(file)):
            number += 1
            _item(out, number, as_dict(item) if isinstance(item, dict) else {"kind": item},
                  authors)
            yield from out.full()
    if number == 0:
        raise SourceError(path, "no items in the payload")
    yield from out.rest()


def _item(out: Collector, number: int, item: Record, authors: dict[str, str]) -> None:
    kind = item.get("kind")
    if kind in _VIDEO_KINDS:
        _video(out, number, item)
    elif kind == "youtube#commentThread":
        _thread(out, number, item)
    elif kind == "youtube#comment":
        parent = text_or_none(as_dict(item.get("snippet")).get("parentId"))
        _comment(out, number, item, authors.get(parent or ""), parent)
    elif kind == "youtube#channel":
        _channel(out, item)
    elif kind == "youtube#subscription":
        _subscription(out, number, item)
    else:
        out.reject(number, f"not a YouTube item this source reads (kind {kind!r})", item)


def _time(out: Collector, number: int, value: object, item: Record) -> datetime | None:
    ts = parse_instant(value)
    if ts is None:
        out.reject(number, f"missing or unparseable publishedAt {value!r}", item)
    return ts


def _video(out: Collector, number: int, item: Record) -> None:
    snippet = as_dict(item.get("snippet"))
    raw_id = item.get("id")
    video = (raw_id if isinstance(raw_id, str) and item.get("kind") == "youtube#video"
             else as_dict(raw_id).get("videoId") or as_dict(snippet.get("resourceId")).get(
                 "videoId") or as_dict(item.get("contentDetails")).get("videoId"))
    channel = text_or_none(snippet.get("videoOwnerChannelId")) or text_or_none(
        snippet.get("channelId"))
    if not isinstance(video, str) or not video or channel is None:
        out.reject(number, "video without an id or a channelId", item)
        return
    ts = _time(out, number, as_dict(item.get("contentDetails")).get("videoPublishedAt")
               or snippet.get("publishedAt"), item)
    if ts is None:
        return
    text = "\n\n".join(t for t in (text_or_none(snippet.get("title")),
                                   text_or_none(snippet.get("description"))) if t)
    tags = [t.lower() for t in as_list(snippet.get("tags")) if isinstance(t, str) and t.strip()]
    out.add(f"yt-{video}", ts, channel, "post", number, post_id=video, text=text or None,
            tags=tags or None, lang=text_or_none(snippet.get("defaultLanguage")),
            url=f"https://www.youtube.com/watch?v={video}")
    if title := text_or_none(snippet.get("channelTitle")):
        out.account(channel, title)


def _thread(out: Collector, number: int, item: Record) -> None:
    snippet = as_dict(item.get("snippet"))
    top = as_dict(snippet.get("topLevelComment"))
    video = text_or_none(snippet.get("videoId")) or text_or_none(
        as_dict(top.get("snippet")).get("videoId"))
    _comment(out, number, top, text_or_none(snippet.get("channelId")), video)
    top_author = _author(top)
    for reply in as_list(as_dict(item.get("replies")).get("comments")):
        _comment(out, number, as_dict(reply), top_author, text_or_none(top.get("id")))


def _comment(out: Collector, number: int, comment: Record, subject: str | None,
             parent: str | None) -> None:
    snippet = as_dict(comment.get("snippet"))
    ident, author = text_or_none(comment.get("id")), _author(comment)
    if ident is None or author is None:
        out.reject(number, "comment without an id or an authorChannelId (deleted author?)",
                   comment)
        return
    ts = _time(out, number, snippet.get("publishedAt"), comment)
    if ts is None:
        return
    is_reply = text_or_none(snippet.get("parentId")) is not None or "." in ident
    text = text_or_none(snippet.get("textOriginal")) or text_or_none(snippet.get("textDisplay"))
    video = text_or_none(snippet.get("videoId"))
    out.add(f"yt-comment-{ident}", ts, author, "reply" if is_reply else "comment", number,
            subject=subject, post_id=ident, parent_id=parent, text=text,
            url=f"https://www.youtube.com/watch?v={video}&lc={ident}" if video else None)
    if name := text_or_none(snippet.get("authorDisplayName")):
        out.account(author, name)


def _channel(out: Collector, item: Record) -> None:
    channel = text_or_none(item.get("id"))
    if channel is None:
        return
    stats = as_dict(item.get("statistics"))
    count = stats.get("subscriberCount")
    followers = (count_or_none(int(count)) if isinstance(count, str | int)
                 and str(count).isdigit() and len(str(count)) < 19
                 and not stats.get("hiddenSubscriberCount") else None)
    out.account(channel, text_or_none(as_dict(item.get("snippet")).get("title")), followers)


def _subscription(out: Collector, number: int, item: Record) -> None:
    snippet = as_dict(item.get("snippet"))
    target = text_or_none(as_dict(snippet.get("resourceId")).get("channelId"))
    subscriber = text_or_none(as_dict(item.get("subscriberSnippet")).get(
        "channelId")) or text_or_none(snippet.get("channelId"))
    if target is None or subscriber is None:
        out.reject(number, "subscription without a subscriber or a resourceId.channelId", item)
        return
    ts = _time(out, number, snippet.get("publishedAt"), item)
    if ts is not None:
        out.add(f"follow-{subscriber}-{target}", ts, subscriber, "follow", number,
                subject=target)
        if title := text_or_none(snippet.get("title")):
            out.account(target, title)
