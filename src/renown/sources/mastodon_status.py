"""A Mastodon API status → events (used by the ``mastodon-api`` format).

- a status → ``post``; ``reply`` when it answers someone (subject = the
  author of the status replied to, resolved from ``in_reply_to_account_id``
  through the accounts the input shows; left empty when the input never
  shows that account); ``quote`` when it carries a quoted status (Mastodon
  4.4+ ``quote: {state, quoted_status}``, or a status object directly, as
  some forks send), subject = the quoted status's author.  A reply that also
  quotes is a ``quote``: one status is one piece of output, and the account
  replied to still gets its ``mention`` (Mastodon mentions it in the reply).
- a reblog (a wrapper status whose ``reblog`` is the original) → ``reshare``
  by the booster, subject = the original's author, parent = its uri; the
  original itself becomes the original author's ``post``.
- every account mentioned → ``mention`` (not the author, not the account the
  status already replies to or quotes: that one reaction is not counted twice).
- **direct** statuses (private conversations) produce nothing: neither their
  text nor the mentions in them are public influence.  Followers-only
  (``private``) statuses are kept: they are published to an audience.

Ids: event and post ids are the status ``uri`` (module doc of
`renown.sources.mastodon`).  Reactions that Mastodon allows once per account
and status have ids built from what they are, not from the payload that
showed them, so a favourite seen in a v1 notification and in a v2 group is
one event: ``<status uri>#like:<account>``, ``<status uri>#reshare:<account>``,
``<status uri>#mention:<account>``, ``<followed>#follower:<account>``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from renown.sources.mastodon import account_id, excerpt, text_of
from renown.sources.payloads import RowBuffer, html_to_text, parse_instant

JsonObject = dict[str, Any]
#: How deep statuses nest (a reblog of a quote of a status...) before the rest is ignored.
MAX_NESTING: Final = 4


@dataclass(frozen=True, slots=True)
class Status:
    """The fields of a status the mapping needs, checked."""

    raw: JsonObject
    uri: str
    ts: datetime
    actor: str
    visibility: str

    @property
    def url(self) -> str | None:
        return text_of(self.raw.get("url"))


def account_of(value: object) -> str | None:
    """The account id of an API Account object (or a mention), or None."""
    if not isinstance(value, dict):
        return None
    return account_id(value.get("acct"), value.get("url") or value.get("uri"))


def parse_status(value: object) -> Status | str:
    """A `Status`, or the reason the value cannot be used as one."""
    if not isinstance(value, dict):
        return "status is not a JSON object"
    actor = account_of(value.get("account"))
    if actor is None:
        return "status without a readable account (acct and profile url)"
    ts = parse_instant(value.get("created_at"))
    if ts is None:
        return f"status with missing or unparseable created_at {value.get('created_at')!r}"
    uri = text_of(value.get("uri")) or text_of(value.get("url"))
    if uri is None:
        return "status without uri or url"
    visibility = text_of(value.get("visibility")) or "public"
    return Status(value, uri, ts, actor, visibility)


def quoted_status(raw: JsonObject) -> object:
    """The status a status quotes, in either shape (see the module doc), or None."""
    quote = raw.get("quote")
    if not isinstance(quote, dict):
        return None
    if "quoted_status" in quote:
        return quote.get("quoted_status")
    return quote if "account" in quote and "created_at" in quote else None


class StatusMapper:
    """Status payloads → events, with what the whole input shows about accounts and statuses."""

    def __init__(self, accounts: dict[str, str], status_uris: dict[str, str]) -> None:
        self.accounts = accounts          # API account id → account id
        self.status_uris = status_uris    # API status id → uri
        self.seen: set[str] = set()       # event ids already produced from this input
        self.skipped: Counter[str] = Counter()

    def emit(self, out: RowBuffer, event_id: str, ts: datetime, actor: str, kind: str,
             record: int, **fields: Any) -> None:
        """One event, unless this input already produced it (a status shown twice)."""
        if event_id in self.seen:
            return
        self.seen.add(event_id)
        out.event(event_id, ts, actor, kind, record, **fields)

    def status(self, value: object, out: RowBuffer, record: int, depth: int = 0) -> Status | None:
        """Every event of one status (and of the statuses it carries); None if unusable."""
        status = parse_status(value)
        if isinstance(status, str):
            out.reject(record, status, excerpt(value))
            return None
        if status.visibility == "direct":
            self.skipped["direct message (private conversation): not stored"] += 1
            return None
        reblog = status.raw.get("reblog")
        if reblog is not None:
            self._reblog(status, reblog, out, record, depth)
        else:
            self._own_status(status, out, record, depth)
        return status

    def _reblog(self, status: Status, reblog: object, out: RowBuffer, record: int,
                depth: int) -> None:
        original = (self.status(reblog, out, record, depth + 1) if depth < MAX_NESTING
                    else None)
        if original is None:
            self.skipped["reblog of a status that is unreadable or private"] += 1
            return
        self.reaction(out, "reshare", status.actor, original, status.ts, record,
                      post_id=status.uri, url=status.url)

    def reaction(self, out: RowBuffer, kind: str, actor: str, target: Status, ts: datetime,
                 record: int, **fields: Any) -> None:
        """A like or reshare of ``target``: one per account and status (module doc)."""
        self.emit(out, f"{target.uri}#{'like' if kind == 'like' else 'reshare'}:{actor}", ts,
                  actor, kind, record, subject=target.actor, parent_id=target.uri, **fields)

    def _own_status(self, status: Status, out: RowBuffer, record: int, depth: int) -> None:
        raw = status.raw
        kind, subject, parent = "post", None, None
        quoted = quoted_status(raw)
        target = (self.status(quoted, out, record, depth + 1)
                  if quoted is not None and depth < MAX_NESTING else None)
        if target is not None:
            kind, subject, parent = "quote", target.actor, target.uri
        elif (reply_to := _id(raw.get("in_reply_to_id"))) is not None:
            kind, parent = "reply", self.status_uris.get(reply_to)
            subject = self.accounts.get(_id(raw.get("in_reply_to_account_id")) or "")
            if subject is None:
                self.skipped["reply to an account the input does not show: subject left "
                             "empty"] += 1
        self.emit(out, status.uri, status.ts, status.actor, kind, record, subject=subject,
                  post_id=status.uri, parent_id=parent, text=_text(raw), tags=_tags(raw),
                  lang=text_of(raw.get("language")), url=status.url)
        for mentioned in _mentions(raw):
            if mentioned not in (status.actor, subject):
                self.emit(out, f"{status.uri}#mention:{mentioned}", status.ts, status.actor,
                          "mention", record, subject=mentioned, post_id=status.uri,
                          url=status.url)


def _id(value: object) -> str | None:
    """An API id (a string; old servers sent numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return text_of(value)


def _text(raw: JsonObject) -> str | None:
    """The content warning (if any) as a first paragraph, then the content as text."""
    warning = text_of(raw.get("spoiler_text"))
    content = raw.get("content")
    body = html_to_text(content) if isinstance(content, str) else ""
    return "\n\n".join(part for part in (warning, body) if part) or None


def _tags(raw: JsonObject) -> list[str]:
    tags = raw.get("tags")
    if not isinstance(tags, list):
        return []
    names = (text_of(tag.get("name")) for tag in tags if isinstance(tag, dict))
    return list(dict.fromkeys(name.lower().lstrip("#") for name in names if name))


def _mentions(raw: JsonObject) -> list[str]:
    mentions = raw.get("mentions")
    if not isinstance(mentions, list):
        return []
    found = (account_of(mention) for mention in mentions)
    return list(dict.fromkeys(account for account in found if account))
