"""Pull one Bluesky account's recent activity from the public AppView into a folder.

``pull_bluesky`` asks the AppView (``https://public.api.bsky.app``, no login
needed) with the maintained ``atproto`` client and writes every response
*raw* — one JSON file per XRPC call, numbered in call order — into a new
folder that the ``bluesky-xrpc`` source reads.  Raw responses rather than
events, so the pull is reproducible evidence: re-reading it with a better
mapping needs no new pull.

What it asks for:

1. ``app.bsky.actor.getProfile`` — the account's DID, name and follower count;
2. ``app.bsky.feed.getAuthorFeed``, page by page, until ``since`` (or the
   end, or ``max_pages``) — the account's posts, replies, quotes and reposts;
3. for the ``top_posts`` own posts with the most engagement:
   ``getLikes``, ``getRepostedBy``, ``getQuotes`` (paged) and
   ``getPostThread`` — who reacted, which is what influence is made of;
4. with ``include_follows``: ``app.bsky.graph.getFollowers`` / ``getFollows``
   (without login these carry no follow times: display names only).

A post that vanished between calls (HTTP 400 on its reactions) is noted in
``_pull.json`` and skipped; anything else that fails stops the pull with a
`PullError`, leaving what was fetched in ``<folder>.partial`` (never a
folder that looks complete).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from renown.sources.bluesky_records import parse_datetime

PUBLIC_APPVIEW: Final = "https://public.api.bsky.app"
PAGE_LIMIT: Final = 100
THREAD_DEPTH: Final = 10


class PullError(Exception):
    """The pull could not be completed: which call failed, and why."""


@dataclass(slots=True)
class _Pull:
    """The client, the folder and the bookkeeping of one pull."""

    client: Any
    folder: Path
    max_pages: int
    calls: int = 0
    skipped: list[str] = field(default_factory=list)

    def call(self, nsid: str, params: Any) -> dict[str, Any]:
        """One XRPC query; its raw JSON is written to ``NNNN-<nsid>.json``."""
        from atproto.exceptions import AtProtocolError

        try:
            response = self.client.invoke_query(nsid, params=params,
                                                output_encoding="application/json")
        except AtProtocolError as exc:
            raise PullError(f"{nsid} failed: {type(exc).__name__} {exc}") from exc
        content = response.content
        if not isinstance(content, dict):
            raise PullError(f"{nsid} answered something that is not a JSON object")
        self.calls += 1
        path = self.folder / f"{self.calls:04d}-{nsid}.json"
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
        return content

    def pages(self, nsid: str, make_params: Callable[[str | None], Any], key: str,
              stop: Callable[[list[Any]], bool] | None = None) -> list[dict[str, Any]]:
        """Follow ``cursor`` until it ends, repeats, a page is empty, ``stop(page)``
        says so, or ``max_pages`` pages were read."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(self.max_pages):
            page = self.call(nsid, make_params(cursor))
            items = page.get(key)
            items = items if isinstance(items, list) else []
            found += [item for item in items if isinstance(item, dict)]
            cursor = page.get("cursor") if isinstance(page.get("cursor"), str) else None
            if not items or not cursor or cursor in seen or (stop and stop(items)):
                break
            seen.add(cursor)
        return found


def pull_bluesky(handle: str, since: datetime | None, out: Path,
                 base_url: str = PUBLIC_APPVIEW, *, top_posts: int = 20, max_pages: int = 20,
                 include_follows: bool = False) -> Path:
    """Pull ``handle``'s activity since ``since`` into a new folder under ``out``; return it.

    The folder is ``out/<handle>-<UTC time>``, so every pull is its own input
    (ingesting a pull twice is recognised; overlapping pulls deduplicate by
    event id).
    """
    try:
        from atproto import Client, Request
    except ImportError:
        raise PullError("pulling from Bluesky needs the atproto package "
                        "(pip install 'renown[connectors]')") from None
    folder = _new_folder(out, handle)
    partial = folder.with_name(f"{folder.name}.partial")  # renamed once complete
    partial.mkdir(parents=True)
    pull = _Pull(Client(base_url=base_url, request=Request(timeout=30.0)), partial, max_pages)
    cutoff = _naive_utc(since)
    profile = pull.call("app.bsky.actor.getProfile", _params("AppBskyActorGetProfile",
                                                              actor=handle))
    did = str(profile.get("did", ""))
    feed = _author_feed(pull, did or handle, cutoff)
    own = [item["post"] for item in feed if _is_own_post(item, did)]
    own = [post for post in own if cutoff is None or (_post_time(post) or cutoff) >= cutoff]
    top = sorted(own, key=_engagement, reverse=True)[:max(top_posts, 0)]
    for post in top:
        _reactions(pull, post)
    if include_follows:
        for nsid, model, key in (
                ("app.bsky.graph.getFollowers", "AppBskyGraphGetFollowers", "followers"),
                ("app.bsky.graph.getFollows", "AppBskyGraphGetFollows", "follows")):
            pull.pages(nsid, _paged(model, actor=did or handle), key)
    _write_notes(pull, handle, did, since, base_url, len(feed), top)
    partial.rename(folder)
    return folder


def _author_feed(pull: _Pull, actor: str, cutoff: datetime | None) -> list[dict[str, Any]]:
    """The author feed, newest first, until the first page reaching back past ``cutoff``."""
    def older(items: list[Any]) -> bool:
        times = [_item_time(i) for i in items if not _is_pinned(i)]
        known = [t for t in times if t is not None]
        return cutoff is not None and bool(known) and min(known) < cutoff

    return pull.pages("app.bsky.feed.getAuthorFeed",
                      _paged("AppBskyFeedGetAuthorFeed", actor=actor), "feed", older)


def _reactions(pull: _Pull, post: dict[str, Any]) -> None:
    """Who liked, reposted, quoted and replied to one post; a vanished post is skipped."""
    from atproto.exceptions import BadRequestError

    uri = post.get("uri")
    try:
        for nsid, model, key in (("app.bsky.feed.getLikes", "AppBskyFeedGetLikes", "likes"),
                                 ("app.bsky.feed.getRepostedBy", "AppBskyFeedGetRepostedBy",
                                  "repostedBy"),
                                 ("app.bsky.feed.getQuotes", "AppBskyFeedGetQuotes", "posts")):
            pull.pages(nsid, _paged(model, uri=uri), key)
        pull.call("app.bsky.feed.getPostThread",
                  _params("AppBskyFeedGetPostThread", uri=uri, depth=THREAD_DEPTH))
    except PullError as exc:
        if not isinstance(exc.__cause__, BadRequestError):
            raise
        pull.skipped.append(f"{uri}: {exc}")


def _paged(model: str, **values: Any) -> Callable[[str | None], Any]:
    """The parameters of each page of a paged query: ``values``, a full page, the cursor."""
    return lambda cursor: _params(model, limit=PAGE_LIMIT, cursor=cursor, **values)


def _params(model: str, **values: Any) -> Any:
    """The SDK's typed parameters (they check limits and names before any request)."""
    from atproto import models

    return getattr(models, model).Params(**{k: v for k, v in values.items() if v is not None})


def _new_folder(out: Path, handle: str) -> Path:
    """A name not taken yet (nor by an unfinished pull): ``<handle>-<UTC time>[-n]``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = out / f"{re.sub(r'[^A-Za-z0-9._-]', '_', handle)}-{stamp}"
    folder, n = base, 1
    while folder.exists() or folder.with_name(f"{folder.name}.partial").exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _is_pinned(item: dict[str, Any]) -> bool:
    reason = item.get("reason")
    return isinstance(reason, dict) and str(reason.get("$type")).endswith("#reasonPin")


def _is_own_post(item: dict[str, Any], did: str) -> bool:
    """The account's own post (not one it reposted)."""
    post = item.get("post")
    reason = item.get("reason")
    reposted = isinstance(reason, dict) and str(reason.get("$type")).endswith("#reasonRepost")
    return isinstance(post, dict) and not reposted and isinstance(post.get("author"), dict) \
        and post["author"].get("did") == did and isinstance(post.get("uri"), str)


def _post_time(post: dict[str, Any]) -> datetime | None:
    record = post.get("record")
    created = parse_datetime(record.get("createdAt")) if isinstance(record, dict) else None
    return created or parse_datetime(post.get("indexedAt"))


def _item_time(item: dict[str, Any]) -> datetime | None:
    """When an item entered the feed: the repost's time for a repost, else the post's."""
    reason = item.get("reason")
    if isinstance(reason, dict) and "indexedAt" in reason:
        return parse_datetime(reason.get("indexedAt"))
    post = item.get("post")
    return _post_time(post) if isinstance(post, dict) else None


def _engagement(post: dict[str, Any]) -> int:
    counts = (post.get(k) for k in ("likeCount", "repostCount", "replyCount", "quoteCount"))
    return sum(c for c in counts if isinstance(c, int))


def _write_notes(pull: _Pull, handle: str, did: str, since: datetime | None, base_url: str,
                 feed_items: int, top: list[dict[str, Any]]) -> None:
    """``_pull.json``: what was asked, of whom, when (the source skips ``_`` files)."""
    notes = {"handle": handle, "did": did, "since": since.isoformat() if since else None,
             "base_url": base_url, "pulled_at": datetime.now(UTC).isoformat(),
             "calls": pull.calls, "feed_items": feed_items,
             "top_posts": [p.get("uri") for p in top], "skipped": pull.skipped}
    (pull.folder / "_pull.json").write_text(json.dumps(notes, indent=1), encoding="utf-8")
