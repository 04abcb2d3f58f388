"""Bluesky XRPC API responses (a folder of JSON files, as ``renown pull bluesky`` writes) → events.

Each file is one raw response; its shape says which endpoint it came from:

- views of posts — ``app.bsky.feed.getPostThread`` (``thread``, walked up the
  parents and down the replies), ``getAuthorFeed``/``getTimeline``/``getFeed``
  (``feed``), ``getPosts``/``getQuotes``/``searchPosts`` (``posts``) — give
  posts, replies and quotes with their authors; a quoted post embedded in a
  view is a post too.  A feed item's ``reasonRepost`` is a reshare.
- ``app.bsky.feed.getLikes`` (``likes``) → likes of the post ``uri``.
- ``com.atproto.repo.getRecord`` / ``listRecords`` → the records, mapped like
  Jetstream commits (`renown.sources.bluesky_records`).
- ``app.bsky.graph.getFollows`` → follows, only where the time is known (below).
- ``getProfile``/``getProfiles`` and every author in a view → display names and
  follower counts (account facts, not events).

Times (``choose_time``): a record's createdAt when valid and not after the
view's ``indexedAt`` (when the AppView saw it); else ``indexedAt``; else the
time in the record key (a TID).  Responses that carry no time are not
guessed: ``getRepostedBy`` and ``getFollowers`` entries, and ``getFollows``
entries unless the viewer is the subject (then ``viewer.following`` is the
subject's own follow record, whose key is a TID), are counted and logged.
Record numbers are 1-based positions of the items in each file; files whose
name starts with ``_`` or ``.`` (the pull's own notes) are skipped.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.bluesky_records import (
    FOLLOW,
    NETWORK,
    POST,
    REPOST,
    AtUri,
    BadRecordError,
    Collector,
    check_did,
    choose_time,
    parse_at_uri,
    parse_datetime,
    tid_time,
    usable,
)

DESCRIPTION: Final = ("Bluesky XRPC API responses: a JSON file or a folder of them "
                      "(getAuthorFeed, getPostThread, getLikes, getFollows, getRecord, ...)")
EXPECTS_FOLDER: Final = None
MAX_EMBED_DEPTH: Final = 4
_LIST_KEYS: Final = ("thread", "feed", "posts", "likes", "repostedBy", "follows", "followers",
                     "records", "profiles")
_SNIFF: Final = re.compile(
    rb'\A\s*\{.*"(' + b"|".join(k.encode() for k in _LIST_KEYS) + rb')"\s*:\s*[\[{]'
    rb'|\A\s*\{.*"uri"\s*:\s*"at://[^"]*"\s*,.*"value"\s*:\s*\{', re.DOTALL)

log = logging.getLogger(__name__)


def looks_like_xrpc(head: bytes) -> bool:
    """A JSON object with an XRPC response's list key (or getRecord's uri/value), naming
    Bluesky accounts (``did:``) or records (``at://``)."""
    return (b"at://" in head or b'"did:' in head) and bool(_SNIFF.match(head))


def sniff(path: Path, head: bytes) -> bool:
    try:
        files = _json_files(path) if path.is_dir() else []
        for file in files[:5]:
            with file.open("rb") as handle:
                if looks_like_xrpc(handle.read(1 << 14)):
                    return True
    except OSError:
        return False
    return False


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json")
                  if p.is_file() and not p.name.startswith(("_", ".")))


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    """Every JSON file of the folder, not its sub-folders (or the one file given),
    one batch per file."""
    if not path.exists():
        raise SourceError(path, "no such file or folder")
    files = _json_files(path) if path.is_dir() else [path]
    if not files:
        raise SourceError(path, "no .json files in the folder")
    network = options.network or NETWORK
    for file in files:
        out = Collector(network, file=str(file) if path.is_dir() else None)
        try:
            payload = json.loads(file.read_bytes())
        except (ValueError, RecursionError) as exc:
            raise SourceError(file, f"not valid JSON ({str(exc)[:120]})") from None
        except OSError as exc:
            raise SourceError(file, f"cannot read: {exc}") from None
        _Response(out).read(payload)
        out.log_notes(log, file)
        yield out.take()


def _author(view: object, what: str = "author") -> dict[str, Any]:
    if not isinstance(view, dict):
        raise BadRecordError(f"{what} is not a profile")
    check_did(view.get("did"), f"{what}.did")
    return view


class _Response:
    """One response: dispatch on its shape, number the items, collect rows."""

    def __init__(self, out: Collector) -> None:
        self.out = out
        self.number = 0
        self.posts: set[str] = set()

    def read(self, payload: object) -> None:
        if not isinstance(payload, dict):
            self.out.reject(1, "not a JSON object (an XRPC response is one)", payload)
            return
        handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "thread": self._thread, "feed": self._feed, "posts": self._posts,
            "likes": self._likes, "repostedBy": self._reposted_by, "follows": self._follows,
            "followers": self._followers, "records": self._records,
            "profiles": self._profiles}
        for key, handle in handlers.items():
            if key in payload:
                return handle(payload)
        if "uri" in payload and "value" in payload:
            return self._item(payload, self._record)
        if "did" in payload and "handle" in payload:
            return self._item(payload, self._profile)
        reason = (f"XRPC error {payload['error']}: {payload.get('message')}" if "error" in payload
                  else f"not an XRPC response Renown knows (keys: {', '.join(list(payload)[:8])})")
        self.out.reject(1, reason, payload)
        return None

    def _item(self, item: object, handle: Callable[[Any], None]) -> None:
        """Number one item and map it; a bad item is quarantined whole (none of its
        rows are kept), the rest go on."""
        self.number += 1
        mark = len(self.out.rows)
        try:
            handle(item)
        except BadRecordError as exc:
            for row in self.out.rows[mark:]:
                self.posts.discard(str(row["event_id"]))
            del self.out.rows[mark:]
            self.out.reject(self.number, str(exc), item)

    def _list(self, payload: dict[str, Any], key: str) -> list[Any]:
        items = payload.get(key)
        if not isinstance(items, list):
            self.number += 1
            self.out.reject(self.number, f"{key} is not a list", payload)
            return []
        return items

    # -- post views ---------------------------------------------------------------------

    def _post_view(self, view: object, depth: int = 0) -> None:
        """A postView (``record``) or an embedded viewRecord (``value``), then its quoted
        posts (the AppView nests them two deep at most; deeper is not followed)."""
        if not isinstance(view, dict):
            raise BadRecordError("post view is not an object")
        uri = parse_at_uri(view.get("uri"), "post uri")
        author = _author(view.get("author"))
        if uri.did != author["did"] or uri.collection != POST:
            raise BadRecordError(f"{uri} is not a post by its author {author['did']}")
        self.out.account(author["did"], author.get("displayName") or author.get("handle"),
                         author.get("followersCount"))
        if str(uri) not in self.posts:
            self.posts.add(str(uri))
            record = view["record"] if "record" in view else view.get("value")
            if not isinstance(record, dict):
                raise BadRecordError("post view without its record")
            seen = parse_datetime(view.get("indexedAt"))
            when = choose_time(record.get("createdAt"), seen, ("indexedAt", seen),
                               ("the record key's time", tid_time(uri.rkey)))
            self.out.add_record(uri.did, POST, uri.rkey, record, when, self.number)
        for quoted in _embedded_records(view.get("embed"), view.get("embeds")):
            if depth < MAX_EMBED_DEPTH:
                self._post_view(quoted, depth + 1)

    def _thread(self, payload: dict[str, Any]) -> None:
        """Walk a threadViewPost: the post, its parents upward, its replies downward."""
        stack: list[object] = [payload.get("thread")]
        while stack:
            node = stack.pop()
            kind = node.get("$type", "") if isinstance(node, dict) else ""
            if isinstance(node, dict) and "post" in node:
                self._item(node.get("post"), self._post_view)
                replies = node.get("replies")
                stack.extend(reversed(replies) if isinstance(replies, list) else [])
                if node.get("parent") is not None:
                    stack.append(node.get("parent"))
            else:
                name = str(kind)[:60] or "not an object"
                self.out.notes[f"thread node without a post ({name})"] += 1

    def _feed(self, payload: dict[str, Any]) -> None:
        for item in self._list(payload, "feed"):
            self._item(item, self._feed_item)

    def _feed_item(self, item: object) -> None:
        if not isinstance(item, dict):
            raise BadRecordError("feed item is not an object")
        self._post_view(item.get("post"))
        reply = item.get("reply")
        for ref in ("root", "parent") if isinstance(reply, dict) else ():
            view = reply.get(ref) if isinstance(reply, dict) else None
            if isinstance(view, dict) and "author" in view:
                self._post_view(view)
            else:
                self.out.notes[f"reply {ref} not visible (not found or blocked)"] += 1
        reason = item.get("reason")
        if isinstance(reason, dict) and str(reason.get("$type")).endswith("#reasonRepost"):
            self._repost(reason, item["post"])

    def _repost(self, reason: dict[str, Any], post: dict[str, Any]) -> None:
        """A feed's reasonRepost: ``by`` reshared the post; the repost record's own
        URI (newer AppViews send it) is the id and its key the best time."""
        actor = _author(reason.get("by"), "reason.by")["did"]
        target = parse_at_uri(post.get("uri"), "post uri")
        own = reason.get("uri")
        uri = parse_at_uri(own, "repost uri") if own is not None else None
        if uri is not None and (uri.did != actor or uri.collection != REPOST):
            raise BadRecordError(f"repost uri {uri} is not a repost by {actor}")
        seen = parse_datetime(reason.get("indexedAt"))
        key_time = tid_time(uri.rkey) if uri else None
        ts = key_time if usable(key_time, seen) else seen
        if ts is None:
            raise BadRecordError("repost without a time (no indexedAt)")
        if ts is seen:
            self.out.notes["repost without a usable record key time: used indexedAt"] += 1
        event_id = str(uri) if uri else f"reshare:{actor}:{target}"
        self.out.rows.append(self.out.event(event_id, ts, actor, "reshare", self.number,
                                            subject=target.did, parent_id=str(target)))

    def _posts(self, payload: dict[str, Any]) -> None:
        for view in self._list(payload, "posts"):
            self._item(view, self._post_view)

    # -- likes, reposts, follows ----------------------------------------------------------

    def _likes(self, payload: dict[str, Any]) -> None:
        """getLikes: each like of ``uri`` by ``actor``; the like record's URI is not given,
        so the id is ``like:<actor DID>:<post URI>`` (one like per person per post)."""
        try:
            target = parse_at_uri(payload.get("uri"), "liked uri")
        except BadRecordError as exc:
            self.number += 1
            self.out.reject(self.number, str(exc), payload)
            return
        for like in self._list(payload, "likes"):
            self._item(like, lambda like: self._like(like, target))

    def _like(self, like: object, target: AtUri) -> None:
        if not isinstance(like, dict):
            raise BadRecordError("like is not an object")
        actor = _author(like.get("actor"), "actor")
        self._account(actor)
        seen = parse_datetime(like.get("indexedAt"))
        ts, fallback = choose_time(like.get("createdAt"), seen, ("indexedAt", seen))
        if ts is None:
            raise BadRecordError(f"no usable time ({fallback}, and no indexedAt)")
        if fallback:
            self.out.notes[fallback] += 1
        self.out.rows.append(self.out.event(f"like:{actor['did']}:{target}", ts, actor["did"],
                                            "like", self.number, subject=target.did,
                                            parent_id=str(target)))

    def _reposted_by(self, payload: dict[str, Any]) -> None:
        for profile in self._list(payload, "repostedBy"):
            self._item(profile, self._account)
            self.out.notes["getRepostedBy entry (no time given: not stored)"] += 1

    def _follows(self, payload: dict[str, Any]) -> None:
        try:
            subject = _author(payload.get("subject"), "subject")
        except BadRecordError as exc:
            self.number += 1
            self.out.reject(self.number, str(exc), payload)
            return
        self._account(subject)
        for profile in self._list(payload, "follows"):
            self._item(profile, lambda profile: self._follow(subject["did"], profile))

    def _follow(self, follower: str, profile: object) -> None:
        followed = _author(profile, "follow")
        self._account(followed)
        viewer = followed.get("viewer")
        own = viewer.get("following") if isinstance(viewer, dict) else None
        uri = parse_at_uri(own, "viewer.following") if own is not None else None
        ts = tid_time(uri.rkey) if uri else None
        if uri is None or uri.did != follower or uri.collection != FOLLOW or ts is None:
            self.out.notes["getFollows entry (no time unless the viewer is the subject: "
                           "not stored)"] += 1
            return
        self.out.rows.append(self.out.event(str(uri), ts, follower, "follow", self.number,
                                            subject=followed["did"]))

    def _followers(self, payload: dict[str, Any]) -> None:
        for profile in self._list(payload, "followers"):
            self._item(profile, self._account)
            self.out.notes["getFollowers entry (no time given: not stored)"] += 1

    # -- records and profiles ------------------------------------------------------------

    def _records(self, payload: dict[str, Any]) -> None:
        for record in self._list(payload, "records"):
            self._item(record, self._record)

    def _record(self, item: object) -> None:
        """getRecord / listRecords: ``{uri, cid, value}``; no indexedAt, so the time
        is createdAt, else the record key's TID."""
        if not isinstance(item, dict):
            raise BadRecordError("record is not an object")
        uri = parse_at_uri(item.get("uri"), "record uri")
        value = item.get("value")
        if not isinstance(value, dict):
            raise BadRecordError("record without a value")
        if value.get("$type", uri.collection) != uri.collection:
            raise BadRecordError(f"record of type {value.get('$type')} in {uri.collection}")
        when = choose_time(value.get("createdAt"), None,
                           ("the record key's time", tid_time(uri.rkey)))
        self.out.add_record(uri.did, uri.collection, uri.rkey, value, when, self.number)

    def _profiles(self, payload: dict[str, Any]) -> None:
        for profile in self._list(payload, "profiles"):
            self._item(profile, self._profile)

    def _profile(self, profile: object) -> None:
        self._account(profile)
        self.out.notes["profile (account facts only)"] += 1

    def _account(self, profile: object) -> None:
        view = _author(profile, "profile")
        self.out.account(view["did"], view.get("displayName") or view.get("handle"),
                         view.get("followersCount"))


def _embedded_records(*embeds: object) -> list[dict[str, Any]]:
    """Quoted posts inside a view's embed (``record#view`` or ``recordWithMedia#view``)."""
    found: list[dict[str, Any]] = []
    for embed in embeds:
        for view in embed if isinstance(embed, list) else [embed]:
            if not isinstance(view, dict):
                continue
            holder = view.get("record")
            if isinstance(holder, dict) and isinstance(holder.get("record"), dict):
                holder = holder["record"]  # recordWithMedia#view nests one level deeper
            if isinstance(holder, dict) and "author" in holder and \
                    str(holder.get("uri", "")).split("/")[3:4] == [POST]:
                found.append(holder)
    return found
