"""TikTok Research API and Display API payloads → events.

Responses are ``{"data": {...}, "error": {"code": "ok", ...}}``; an input is
one saved response or a folder of them, read as one set (so a comment finds
the author of its video wherever that video is in the set).

- **videos** (``data.videos``: Research ``/v2/research/video/query/``, with
  ``username``; Display ``/v2/video/list/``, without it) → ``post``, id
  ``tt-<id>`` (as the export), time = ``create_time`` (epoch seconds), text =
  ``video_description`` (or ``title``), tags = ``hashtag_names``.  A Display
  video's author is the set's user (``/v2/user/info/``: ``data.user``).
- **comments** (``data.comments``: ``/v2/research/video/comment/list/``) →
  ``comment`` on ``video_id`` (``reply`` when ``parent_comment_id`` is
  another comment), subject = the video's author when the set holds it.
  The Research API never says who commented: the actor is one system
  account per video, ``~tiktok-commenters-<video id>``.  So a video's
  comments count as at least one person reacting, never as many; system
  accounts are outcomes, never scored.
- **user** (``data.user`` with ``username``) → an account fact
  (``display_name``, ``follower_count``).
- ``like_count``, ``share_count``, ``view_count`` are anonymous totals:
  never events.  Followers, following and liked-video lists
  (``user_followers``, ``user_following``, ``user_liked_videos``...) do not
  name whose they are (the user is in the request only): each such response
  is one quarantined record saying so.
- ``error.code`` other than ``ok`` refuses the file: an error response holds
  no data and must not pass for an empty page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.sources.account_export import Collector, epoch_seconds, text_or_none
from renown.sources.api_payloads import first_head, load_payload, payload_files
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.meta_export import as_dict, as_list, count_or_none

DESCRIPTION: Final = ("TikTok Research API / Display API payloads (videos, comments, user "
                      "info), a JSON file or a folder of them")
EXPECTS_FOLDER: Final = None
DEFAULT_NETWORK: Final = "tiktok"
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})
_UNNAMED_LISTS: Final = ("user_followers", "user_following", "user_liked_videos",
                         "user_reposted_videos", "user_pinned_videos", "reposted_videos",
                         "liked_videos", "pinned_videos")

Record = dict[str, object]


def sniff(path: Path, head: bytes) -> bool:
    data = head if path.is_file() else first_head(path)
    return (data.lstrip().startswith(b"{") and b'"error"' in data and b'"log_id"' in data
            and (b'"videos"' in data or b'"comments"' in data or b'"user"' in data
                 or b'"user_followers"' in data or b'"user_following"' in data))


def _data(file: Path) -> Record:
    payload = as_dict(load_payload(file))
    error = as_dict(payload.get("error"))
    code = error.get("code")
    if "data" not in payload or (code is not None and code != "ok"):
        raise SourceError(file, f"not a successful TikTok API response (error code {code!r}: "
                          f"{error.get('message', '')})")
    return as_dict(payload["data"])


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = payload_files(path)
    loaded = [(file, _data(file)) for file in files]
    users = [as_dict(d.get("user")) for _, d in loaded if as_dict(d.get("user")).get("username")]
    me = str(users[0]["username"]).lower() if len(users) == 1 else None
    authors = {str(v.get("id")): str(v.get("username") or me).lower()
               for _, d in loaded for v in map(as_dict, as_list(d.get("videos")))
               if v.get("id") is not None and (v.get("username") or me)}
    out = Collector(options.network or DEFAULT_NETWORK, None)
    number = 0
    for file, data in loaded:
        recognised = False
        for key in _UNNAMED_LISTS:
            if key in data:
                number, recognised = number + 1, True
                out.reject(number, f"{key} response: it does not name whose list this is "
                           f"(the user is only in the request) ({file.name})", data)
        for video in as_list(data.get("videos")):
            number, recognised = number + 1, True
            _video(out, number, as_dict(video), me)
        for comment in as_list(data.get("comments")):
            number, recognised = number + 1, True
            _comment(out, number, as_dict(comment), authors)
        if users and "user" in data:
            recognised = True
            user = as_dict(data["user"])
            out.account(str(user["username"]).lower(), text_or_none(user.get("display_name")),
                        count_or_none(user.get("follower_count")))
        if not recognised:
            number += 1
            out.reject(number, f"no videos, comments or user in this response ({file.name})",
                       data)
        yield from out.full()
    yield from out.rest()


def _video(out: Collector, number: int, video: Record, me: str | None) -> None:
    ident = video.get("id")
    author = text_or_none(video.get("username")) or me
    ts = epoch_seconds(video.get("create_time"))
    if ident is None or author is None or ts is None:
        out.reject(number, "video without an id, a username (or the set's user info) or a "
                   "create_time", video)
        return
    tags = [str(t).lower() for t in as_list(video.get("hashtag_names")) if text_or_none(t)]
    author = author.strip().lstrip("@").lower()
    out.add(f"tt-{ident}", ts, author, "post", number, post_id=str(ident),
            text=text_or_none(video.get("video_description")) or text_or_none(
                video.get("title")), tags=tags or None,
            url=text_or_none(video.get("share_url"))
            or f"https://www.tiktok.com/@{author}/video/{ident}")


def _comment(out: Collector, number: int, comment: Record, authors: dict[str, str]) -> None:
    ident, video = comment.get("id"), comment.get("video_id")
    ts = epoch_seconds(comment.get("create_time"))
    if ident is None or video is None or ts is None:
        out.reject(number, "comment without an id, a video_id or a create_time", comment)
        return
    parent = comment.get("parent_comment_id")
    is_reply = parent is not None and str(parent) not in ("", "0", str(video))
    out.add(f"tt-comment-{ident}", ts, f"{SYSTEM_ACCOUNT_PREFIX}tiktok-commenters-{video}",
            "reply" if is_reply else "comment", number,
            subject=None if is_reply else authors.get(str(video)), post_id=str(ident),
            parent_id=str(parent) if is_reply else str(video),
            text=text_or_none(comment.get("text")))
