"""Bluesky (AT Protocol) records → event rows: the one mapping every Bluesky source uses.

A Bluesky account writes *records* into its repository; the Jetstream
firehose, a repository CAR export and the XRPC API all carry the same records
(``app.bsky.feed.post``, ``...like``, ``...repost``, ``app.bsky.graph.follow``).
Mapping them here, once, means the same record gives the same event — same
id, kind, subject and time — whichever way it arrived, so overlapping inputs
deduplicate in the store.  docs/_sources_bluesky.md has the full table.

- Accounts are DIDs (``did:plc:…``): handles change, DIDs do not.
- The event id is the record's URI ``at://DID/collection/rkey`` (unique and
  stable); the extra events a post carries get ``#mention-<DID>`` / ``#quote``.
- Times: the record's ``createdAt`` when it is valid, else a fallback the
  source names (see `choose_time`), never an invented one.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from renown.events import FUTURE_TOLERANCE_SECONDS
from renown.sources.base import BatchBuffer, Rejection

NETWORK: Final = "bluesky"
POST: Final = "app.bsky.feed.post"
LIKE: Final = "app.bsky.feed.like"
REPOST: Final = "app.bsky.feed.repost"
FOLLOW: Final = "app.bsky.graph.follow"
PROFILE: Final = "app.bsky.actor.profile"
#: The records that are influence events; every other collection is counted, not stored.
INFLUENCE_COLLECTIONS: Final = frozenset({POST, LIKE, REPOST, FOLLOW})
#: Rows per yielded batch: bounds memory on long captures.
BATCH_ROWS: Final = 50_000
#: Before this, a createdAt is a broken clock, not a date (imported tweets go back to 2006).
EARLIEST: Final = datetime(2000, 1, 1)
TOLERANCE: Final = timedelta(seconds=FUTURE_TOLERANCE_SECONDS)
_EPOCH: Final = datetime(1970, 1, 1)

# The AT Protocol syntax rules (atproto.com/specs), loosely enough for real data.
_DID: Final = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}")
_NSID: Final = re.compile(r"[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+){2,}")
_RKEY: Final = re.compile(r"[A-Za-z0-9._:~-]{1,512}")
_DATETIME: Final = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|z|[+-]\d\d:?\d\d)")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_TID_ALPHABET: Final = "234567abcdefghijklmnopqrstuvwxyz"
_QUOTE_EMBEDS: Final = frozenset({"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"})
MENTION_FEATURE: Final = "app.bsky.richtext.facet#mention"
TAG_FEATURE: Final = "app.bsky.richtext.facet#tag"

Row = dict[str, object]


class BadRecordError(ValueError):
    """One record breaks the lexicon: the caller turns it into a `Rejection`."""


@dataclass(frozen=True, slots=True)
class AtUri:
    """``at://DID/collection/rkey``: the address of one record."""

    did: str
    collection: str
    rkey: str

    def __str__(self) -> str:
        return f"at://{self.did}/{self.collection}/{self.rkey}"


def check_did(value: object, what: str) -> str:
    if not isinstance(value, str) or not _DID.fullmatch(value) or value[-1] in ":%":
        raise BadRecordError(f"{what} is not a DID: {str(value)[:80]!r}")
    return value


def check_key(collection: object, rkey: object) -> tuple[str, str]:
    if not isinstance(collection, str) or not _NSID.fullmatch(collection):
        raise BadRecordError(f"collection is not an NSID: {str(collection)[:80]!r}")
    if not isinstance(rkey, str) or not _RKEY.fullmatch(rkey) or rkey in (".", ".."):
        raise BadRecordError(f"record key is not valid: {str(rkey)[:80]!r}")
    return collection, rkey


def parse_at_uri(value: object, what: str) -> AtUri:
    """A record URI whose authority is a DID (records never point by handle)."""
    if not isinstance(value, str) or not value.startswith("at://"):
        raise BadRecordError(f"{what} is not an at:// URI: {str(value)[:80]!r}")
    parts = value[5:].split("/")
    if len(parts) != 3:
        raise BadRecordError(f"{what} is not at://DID/collection/rkey: {value[:120]!r}")
    did = check_did(parts[0], f"{what}'s authority")
    return AtUri(did, *check_key(parts[1], parts[2]))


def tid_time(rkey: str) -> datetime | None:
    """The creation time a TID record key encodes (53 bits of microseconds), or None.

    Record keys of posts, likes, reposts and follows are TIDs made by the
    writing client's clock: the best time left when ``createdAt`` is unusable.
    """
    if len(rkey) != 13 or rkey[0] not in _TID_ALPHABET[:16]:
        return None
    value = 0
    for char in rkey:
        digit = _TID_ALPHABET.find(char)
        if digit < 0:
            return None
        value = value * 32 + digit
    return _EPOCH + timedelta(microseconds=value >> 10)


def parse_datetime(value: object) -> datetime | None:
    """An AT Protocol datetime as naive UTC, or None when it is not one.

    The spec requires a timezone; a naive value (real: the Python SDK wrote
    local time without one) is unknowable to the hour, so it does not count.
    """
    if not isinstance(value, str) or not _DATETIME.fullmatch(value.strip()):
        return None
    text = value.strip().replace("z", "Z")
    if "." in text:  # Python takes at most 6 fractional digits
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(digits, 6)].ljust(6, '0')}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None)


def epoch_micros(value: object) -> datetime | None:
    """Jetstream's ``time_us`` (microseconds since the epoch) as naive UTC."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        return None
    try:
        return _EPOCH + timedelta(microseconds=value)
    except OverflowError:
        return None


def usable(candidate: datetime | None, seen: datetime | None) -> bool:
    """Not before 2000, and not after the record was seen (plus clock skew)."""
    return candidate is not None and candidate >= EARLIEST and (
        seen is None or candidate <= seen + TOLERANCE)


When = tuple[datetime | None, str | None]


def choose_time(created_at: object, seen: datetime | None,
                *fallbacks: tuple[str, datetime | None]) -> When:
    """(createdAt, None), or (fallback, why), or (None, why) — see docs/_sources_bluesky.md.

    ``createdAt`` is written by the client and can be missing, malformed or in
    the future; ``seen`` is when a server saw the record (Jetstream time_us,
    AppView indexedAt, the repo's last commit), so a createdAt later than that
    is a lie.  The fallbacks are tried in order, under the same checks.
    """
    parsed = parse_datetime(created_at)
    if created_at is None:
        why = "createdAt missing"
    elif parsed is None:
        why = "createdAt not an ISO 8601 time with a timezone"
    elif usable(parsed, seen):
        return parsed, None
    else:
        why = "createdAt before 2000" if parsed < EARLIEST else \
            "createdAt after the record was seen"
    for name, candidate in fallbacks:
        if usable(candidate, seen):
            return candidate, f"{why}: used {name}"
    return None, why


def clean(text: str) -> str:
    """``text`` as valid UTF-8: JSON may escape lone surrogates (``\\ud800``), which
    Arrow cannot store; they become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRecordError(f"{what} is not an object")
    return value


def _text(value: object, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadRecordError(f"{what} is not text")
    return value


def _strong_ref(value: object, what: str) -> AtUri:
    return parse_at_uri(_dict(value, what).get("uri"), f"{what}.uri")


def quoted_post(embed: object) -> AtUri | None:
    """The post a post quotes (``embed.record`` or ``embed.recordWithMedia``), if any.

    Embedded lists, feeds and starter packs are not quotes of a post: None.
    """
    if not isinstance(embed, dict) or str(embed.get("$type")) not in _QUOTE_EMBEDS:
        return None
    ref = _dict(embed.get("record"), "embed.record")
    if embed["$type"] == "app.bsky.embed.recordWithMedia":
        ref = _dict(ref.get("record"), "embed.record.record")
    uri = parse_at_uri(ref.get("uri"), "embedded record uri")
    return uri if uri.collection == POST else None


def _facet_features(record: dict[str, Any]) -> list[dict[str, Any]]:
    facets = record.get("facets") or []
    if not isinstance(facets, list):
        raise BadRecordError("facets is not a list")
    features: list[dict[str, Any]] = []
    for facet in facets:
        found = _dict(facet, "facet").get("features") or []
        if not isinstance(found, list):
            raise BadRecordError("facet features is not a list")
        features.extend(_dict(f, "facet feature") for f in found)
    return features


def post_tags(record: dict[str, Any], features: list[dict[str, Any]]) -> list[str]:
    """Hashtags: the record's ``tags`` and its ``#tag`` facets, first occurrence kept."""
    raw = record.get("tags") or []
    tags = list(raw) if isinstance(raw, list) else []
    tags += [f.get("tag") for f in features if f.get("$type") == TAG_FEATURE]
    return list(dict.fromkeys(t.strip() for t in tags if isinstance(t, str) and t.strip()))


class Collector(BatchBuffer):
    """Rows, rejections and account facts of one input, handed out in batches.

    ``notes`` counts what was read but not stored (and time fallbacks), so the
    source can log it: nothing is dropped without a count.
    """

    def __init__(self, network: str, file: str | None = None) -> None:
        super().__init__(network, file)
        self.notes: Counter[str] = Counter()

    def reject(self, record: int, reason: str, raw: object) -> None:
        text = raw if isinstance(raw, str | bytes) else json.dumps(raw, default=repr,
                                                                     ensure_ascii=False)
        text = clean(text) if isinstance(text, str) else text
        self.rejections.append(Rejection.of(record, clean(reason), text, self.file))

    def account(self, did: str, display_name: object, followers: object = None) -> None:
        """What a profile says about an account: the latest known value of each fact
        wins (a basic profile view without a follower count keeps an earlier count)."""
        name = clean(display_name.strip()) if isinstance(display_name, str) else ""
        count = followers if isinstance(followers, int) and not isinstance(
            followers, bool) and 0 <= followers < 2**62 else None
        known = self.accounts.get(did, {})
        self.accounts[did] = {"network": self.network, "account": did,
                              "display_name": name or known.get("display_name"),
                              "followers": known.get("followers") if count is None else count}

    def log_notes(self, log: logging.Logger, where: object) -> None:
        if self.notes:
            log.info("%s: not turned into events, and time fallbacks: %s", where,
                     dict(sorted(self.notes.items())))

    def event(self, event_id: str, ts: datetime, actor: str, kind: str, record: int, *,
              subject: str | None = None, post_id: str | None = None,
              parent_id: str | None = None, text: str | None = None,
              tags: list[str] | None = None, lang: str | None = None,
              url: str | None = None) -> Row:
        """One row; acting on oneself is no reaction, so the subject goes (kept as output)."""
        return {"network": self.network, "event_id": event_id, "ts": ts, "actor": actor,
                "kind": kind, "subject": None if subject == actor else subject,
                "post_id": post_id, "parent_id": parent_id,
                "text": None if text is None else clean(text),
                "tags": None if tags is None else [clean(t) for t in tags],
                "lang": None if lang is None else clean(lang), "topic": None, "url": url,
                "record": record}

    def add_record(self, actor: str, collection: str, rkey: str, value: object,
                   when: When, record: int) -> None:
        """The events of one record (none for collections that are not influence).

        ``when`` is `choose_time`'s answer; a fallback is counted in ``notes``.
        Raises `BadRecordError` before adding anything, so a bad record adds no
        partial rows.
        """
        body = _dict(value, "record")
        if collection == PROFILE:
            self.account(actor, body.get("displayName"))
        if collection not in INFLUENCE_COLLECTIONS:
            # Any app can define a lexicon: name Bluesky's own, lump the rest together.
            name = collection if collection.startswith("app.bsky.") else "other lexicons'"
            self.notes[f"{name} records (not influence)"] += 1
            return
        ts, why = when
        if ts is None:
            raise BadRecordError(f"no usable time ({why})")
        uri = f"at://{actor}/{collection}/{rkey}"
        self._add_influence(uri, actor, collection, rkey, body, ts, record)
        if why:  # counted once the record is in: a rejected record is no fallback
            self.notes[why] += 1

    def _add_influence(self, uri: str, actor: str, collection: str, rkey: str,
                       body: dict[str, Any], ts: datetime, record: int) -> None:
        if collection == POST:
            self.rows.extend(self._post(uri, actor, rkey, body, ts, record))
        elif collection == FOLLOW:
            followed = check_did(body.get("subject"), "follow subject")
            self.rows.append(self.event(uri, ts, actor, "follow", record, subject=followed))
        else:
            target = _strong_ref(body.get("subject"), "subject")
            kind = "like" if collection == LIKE else "reshare"
            self.rows.append(self.event(uri, ts, actor, kind, record, subject=target.did,
                                        parent_id=str(target)))

    def _post(self, uri: str, actor: str, rkey: str, body: dict[str, Any], ts: datetime,
              record: int) -> list[Row]:
        """A post, reply or quote, plus a quote event for a reply that quotes and a
        mention event per other account its facets mention."""
        text = _text(body.get("text"), "text")
        reply = body.get("reply")
        parent = _strong_ref(_dict(reply, "reply").get("parent"), "reply.parent") \
            if reply is not None else None
        quoted = quoted_post(body.get("embed"))
        features = _facet_features(body)
        langs = body.get("langs")
        lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) \
            else None
        target = parent or quoted
        kind = "reply" if parent else "quote" if quoted else "post"
        rows = [self.event(uri, ts, actor, kind, record,
                           subject=target.did if target else None,
                           parent_id=str(target) if target else None, post_id=uri, text=text,
                           tags=post_tags(body, features), lang=lang,
                           url=f"https://bsky.app/profile/{actor}/post/{rkey}")]
        if parent and quoted:
            rows.append(self.event(f"{uri}#quote", ts, actor, "quote", record,
                                   subject=quoted.did, parent_id=str(quoted), post_id=uri))
        mentioned = [check_did(f.get("did"), "mentioned account") for f in features
                     if f.get("$type") == MENTION_FEATURE]
        for did in dict.fromkeys(mentioned):
            if did == actor:
                self.notes["mention of oneself (no event)"] += 1
                continue
            rows.append(self.event(f"{uri}#mention-{did}", ts, actor, "mention", record,
                                   subject=did, post_id=uri))
        return rows
