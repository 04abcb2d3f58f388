"""Format ``mastodon-archive``: the account archive Mastodon lets a user download → events.

The archive (Preferences → Import and export → Request your archive) is a
folder holding ``actor.json`` (the owner, an ActivityPub Person),
``outbox.json`` (an ActivityPub OrderedCollection of the owner's activities),
``likes.json`` (the owner's favourites) and files Renown does not read
(``bookmarks.json``, media, CSV lists of follows, blocks and mutes: no times,
or not influence).

- **owner** = ``preferredUsername@host`` of ``actor.json``'s ``id``.
- **Create** of a Note (or Question, Article, Page) → ``post`` by the owner;
  ``reply`` when it has ``inReplyTo``; ``quote`` when it quotes (``quote``,
  ``quoteUri``, ``quoteUrl`` or ``_misskey_quote``).  The subject is the
  author of the status replied to or quoted, read from that status's URL,
  or from the Mention tag whose profile URL the status URL starts with
  (newer ``/ap/users/<number>/`` URLs name no user); else left empty.
  Event and post id = the Note's ``id`` (its uri, the same id the API's
  ``uri`` gives, so an archive and API payloads of the same account merge).
  Text = the content warning (``summary``) and the content as text; tags from
  Hashtag tags; lang = the ``contentMap`` language; every Mention tag other
  than the owner and the subject → ``mention``.
- **Announce** (a boost) → ``reshare`` by the owner.  Its ``object`` is only
  the boosted status's URL: the original author is read from the URL (module
  doc of `renown.sources.mastodon`); id ``<url>#reshare:<owner>`` as in the
  API format.
- **likes.json** → ``like`` by the owner, subject read from the liked URL.
  The file has no times: a like gets the liked status's creation time from
  its snowflake id (the earliest it can have happened); a URL without one
  (other software, pre-2017 ids) is quarantined, since an event needs a time.
- **Direct** messages (addressed to neither the public nor the followers
  collection) are private conversations: not stored, counted.  Other activity
  types (Delete, Update...) are counted and logged.

Real quirks handled: ``outbox.json`` can hold the key ``orderedItems`` twice,
an empty list and then the real one: the non-empty one is kept whichever
comes last (`keep_real_items`); ``totalItems`` need not match the items and
is only logged.  Record numbers are 1-based positions in ``orderedItems``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.mastodon import (
    DEFAULT_NETWORK,
    account_from_url,
    excerpt,
    load_json,
    snowflake_time,
    text_of,
)
from renown.sources.payloads import RowBuffer, host_of, html_to_text, parse_instant

DESCRIPTION: Final = ("Mastodon account archive folder (outbox.json, actor.json, likes.json)")
EXPECTS_FOLDER: Final = True
PUBLIC: Final = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
NOTE_TYPES: Final = frozenset({"Note", "Question", "Article", "Page"})
QUOTE_KEYS: Final = ("quote", "quoteUri", "quoteUrl", "_misskey_quote")

log = logging.getLogger(__name__)
JsonObject = dict[str, Any]


def keep_real_items(pairs: list[tuple[str, Any]]) -> JsonObject:
    """A JSON object where a repeated ``orderedItems`` keeps its non-empty value.

    Real archives write ``"orderedItems": []`` and then the real list under
    the same key; plain ``json.loads`` keeps the last, which is right only by
    luck of order.  Any other repeated key: the last wins, as usual.
    """
    result: JsonObject = {}
    for key, value in pairs:
        if key == "orderedItems" and result.get(key) and not value:
            continue
        result[key] = value
    return result


def sniff(path: Path, head: bytes) -> bool:
    try:
        return path.is_dir() and (path / "outbox.json").is_file() \
            and (path / "actor.json").is_file()
    except OSError:
        return False


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    network = options.network or DEFAULT_NETWORK
    for name in ("outbox.json", "actor.json"):
        if not (path / name).is_file():
            raise SourceError(path, f"not a Mastodon account archive: no {name}")
    owner, display_name = _owner(path / "actor.json")
    archive = _Archive(owner)
    out = RowBuffer(network, str(path / "actor.json"))
    out.account(owner, display_name, None)
    yield out.take()
    out = RowBuffer(network, str(path / "outbox.json"))
    for record, item in enumerate(_ordered_items(path / "outbox.json"), 1):
        archive.activity(item, out, record)
    yield out.take()
    if (path / "likes.json").is_file():
        out = RowBuffer(network, str(path / "likes.json"))
        for record, item in enumerate(_ordered_items(path / "likes.json"), 1):
            archive.like(item, out, record)
        yield out.take()
    if archive.skipped:
        log.info("%s: records kept out of events: %s", path,
                 dict(sorted(archive.skipped.items())))


def _owner(file: Path) -> tuple[str, str | None]:
    actor = load_json(file)
    if not isinstance(actor, dict):
        raise SourceError(file, "not an ActivityPub actor (a JSON object)")
    name, host = text_of(actor.get("preferredUsername")), host_of(actor.get("id"))
    if name is None or host is None:
        raise SourceError(file, "actor without preferredUsername and an http(s) id")
    return f"{name.lower()}@{host}", text_of(actor.get("name"))


def _ordered_items(file: Path) -> list[Any]:
    collection = load_json(file, keep_real_items)
    items = collection.get("orderedItems") if isinstance(collection, dict) else None
    if not isinstance(items, list):
        raise SourceError(file, "not an ActivityPub OrderedCollection (no orderedItems list)")
    total = collection.get("totalItems")
    if isinstance(total, int) and total != len(items):
        log.info("%s: totalItems says %d, the file holds %d items", file, total, len(items))
    return items


def _audience(activity: JsonObject, note: JsonObject) -> set[str]:
    found: set[str] = set()
    for source in (activity, note):
        for key in ("to", "cc"):
            value = source.get(key)
            found.update(v for v in (value if isinstance(value, list) else [value])
                         if isinstance(v, str))
    return found


def _is_direct(activity: JsonObject, note: JsonObject) -> bool:
    """Neither public nor to the owner's followers: a private conversation."""
    audience = _audience(activity, note)
    if audience & PUBLIC:
        return False
    return not any(a.endswith("/followers") for a in audience)


class _Archive:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.skipped: Counter[str] = Counter()

    def activity(self, item: object, out: RowBuffer, record: int) -> None:
        if not isinstance(item, dict):
            out.reject(record, "activity is not a JSON object", excerpt(item))
            return
        kind = text_of(item.get("type")) or ""
        if kind == "Create":
            self.create(item, out, record)
        elif kind == "Announce":
            self.announce(item, out, record)
        else:
            self.skipped[f"activity type {kind or '(none)'}"] += 1

    def create(self, item: JsonObject, out: RowBuffer, record: int) -> None:
        note = item.get("object")
        if not isinstance(note, dict) or text_of(note.get("type")) not in NOTE_TYPES:
            out.reject(record, "Create without an inline Note", excerpt(item))
            return
        uri = text_of(note.get("id"))
        ts = parse_instant(note.get("published")) or parse_instant(item.get("published"))
        if uri is None or ts is None:
            out.reject(record, "Note without id or a readable published time", excerpt(item))
            return
        if _is_direct(item, note):
            self.skipped["direct message (private conversation): not stored"] += 1
            return
        mentions = _mentions(note)
        kind, parent = "post", None
        quote = next((q for k in QUOTE_KEYS if (q := text_of(note.get(k)))), None)
        if quote is not None:
            kind, parent = "quote", quote
        elif (reply_to := text_of(note.get("inReplyTo"))) is not None:
            kind, parent = "reply", reply_to
        subject = _author(parent, mentions) if parent else None
        if parent and subject is None:
            self.skipped[f"{kind} to a status whose author the URL does not name"] += 1
        out.event(uri, ts, self.owner, kind, record, subject=subject, post_id=uri,
                  parent_id=parent, text=_text(note), tags=_hashtags(note),
                  lang=_lang(note), url=text_of(note.get("url")) or uri)
        for account in dict.fromkeys(mentions.values()):
            if account not in (self.owner, subject):
                out.event(f"{uri}#mention:{account}", ts, self.owner, "mention", record,
                          subject=account, post_id=uri, url=text_of(note.get("url")) or uri)

    def announce(self, item: JsonObject, out: RowBuffer, record: int) -> None:
        target = item.get("object")
        url = text_of(target.get("id")) if isinstance(target, dict) else text_of(target)
        ts = parse_instant(item.get("published"))
        if url is None or ts is None:
            out.reject(record, "Announce without an object URL or a readable published time",
                       excerpt(item))
            return
        if _is_direct(item, {}):
            self.skipped["direct message (private conversation): not stored"] += 1
            return
        subject = account_from_url(url)
        if subject is None:
            self.skipped["reshare of a status whose author the URL does not name"] += 1
        out.event(f"{url}#reshare:{self.owner}", ts, self.owner, "reshare", record,
                  subject=subject, post_id=text_of(item.get("id")), parent_id=url)

    def like(self, item: object, out: RowBuffer, record: int) -> None:
        url = text_of(item.get("id")) if isinstance(item, dict) else text_of(item)
        ts = snowflake_time(url)
        if url is None or ts is None:
            out.reject(record, "liked URL carries no Mastodon status id, so the like has no "
                       "time", excerpt(item))
            return
        subject = account_from_url(url)
        if subject is None:
            self.skipped["like of a status whose author the URL does not name"] += 1
        out.event(f"{url}#like:{self.owner}", ts, self.owner, "like", record,
                  subject=subject, parent_id=url)


def _mentions(note: JsonObject) -> dict[str, str]:
    """Profile URL → account id of every Mention tag."""
    found: dict[str, str] = {}
    tags = note.get("tag")
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, dict) or tag.get("type") != "Mention":
            continue
        href, name = text_of(tag.get("href")), text_of(tag.get("name"))
        host = host_of(href)
        if href is None or name is None or host is None:
            continue
        user, _, domain = name.lstrip("@").partition("@")
        if user:
            found[href] = f"{user}@{domain or host}".lower()
    return found


def _author(url: str, mentions: dict[str, str]) -> str | None:
    """The author of the status at ``url``: named by the URL or by a Mention of its author."""
    named = account_from_url(url)
    if named is not None:
        return named
    return next((account for href, account in mentions.items()
                 if url.startswith(href.rstrip("/") + "/")), None)


def _text(note: JsonObject) -> str | None:
    content = note.get("content")
    if not isinstance(content, str):
        content_map = note.get("contentMap")
        values = list(content_map.values()) if isinstance(content_map, dict) else []
        content = next((v for v in values if isinstance(v, str)), "")
    parts = (text_of(note.get("summary")), html_to_text(content))
    return "\n\n".join(p for p in parts if p) or None


def _hashtags(note: JsonObject) -> list[str]:
    tags = note.get("tag")
    names = (text_of(tag.get("name")) for tag in (tags if isinstance(tags, list) else [])
             if isinstance(tag, dict) and tag.get("type") == "Hashtag")
    return list(dict.fromkeys(name.lstrip("#").lower() for name in names if name))


def _lang(note: JsonObject) -> str | None:
    content_map = note.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        return text_of(next(iter(content_map)))
    return None
