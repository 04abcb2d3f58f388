"""Format ``mastodon-api``: Mastodon REST API payloads (a folder of JSON files) → events.

The folder is what `renown.sources.mastodon_pull.pull_mastodon` writes (and
what any script saving raw API responses can write): every ``*.json`` file
at its top level holds one response body:

- a list of statuses (account statuses, a timeline, favourites, bookmarks),
  a single status, or a thread context (``ancestors``/``descendants``);
- a list of v1 notifications;
- a v2 grouped-notifications response (``notification_groups``);
- ``account.json``: the account whose payloads these are (the *owner*: the
  account notifications were sent to); other Account objects only give
  display names and follower counts.

Statuses map as in `renown.sources.mastodon_status`.  Notifications (always
addressed to the owner):

- ``favourite`` / ``reblog`` → ``like`` / ``reshare`` by the notifying
  account of the owner's status (subject = that status's author; the status
  itself becomes the owner's post);
- ``mention``, ``status``, ``quote``, ``update`` → the status they carry, read
  as a status: a mention of the owner becomes a ``mention`` (or ``reply``,
  ``quote``) by its author, a ``status`` notification is someone's post;
- ``follow`` → ``follow`` by the notifying account of the owner (needs
  ``account.json``: the payload does not say who was followed);
- other types (polls ending, follow requests, moderation and admin notices)
  are not influence: counted and logged.

**v2 grouped notifications** list only *sample* accounts per group (the most
recent few).  Each listed account becomes its own ``like``/``reshare``/
``follow`` at the group's ``latest_page_notification_at`` (the payload gives
no per-account time); the rest of ``notifications_count`` cannot be
expanded, since nobody is named: no account is made up for them, and their
number is logged.  Fetch v1 notifications for complete data.

Record numbers are 1-based positions in the file's top-level list (1 for a
single object); in a grouped response they count within the list the reason
names (``statuses[2]``, ``notification_groups[1]``).  A file that is not valid
JSON makes the whole input unusable (`SourceError`), like any truncated input.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.mastodon import DEFAULT_NETWORK, excerpt, load_json, text_of
from renown.sources.mastodon_status import (
    JsonObject,
    Status,
    StatusMapper,
    account_of,
    parse_status,
)
from renown.sources.payloads import RowBuffer, parse_instant

DESCRIPTION: Final = ("Mastodon REST API payloads: a JSON file or a folder of them (statuses, "
                      "notifications v1/v2, account.json), as `renown pull mastodon` writes")
EXPECTS_FOLDER: Final = None
OWNER_FILE: Final = "account.json"
#: Notification types that carry a status to read as a status.
STATUS_NOTIFICATIONS: Final = frozenset({"mention", "status", "quote", "update"})
REACTION_NOTIFICATIONS: Final = {"favourite": "like", "reblog": "reshare"}
#: How deep the index walk looks into a payload (statuses nest a few levels).
MAX_WALK_DEPTH: Final = 12

log = logging.getLogger(__name__)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = payload_files(path)
    owner = _owner(path)
    accounts: dict[str, str] = {}
    status_uris: dict[str, str] = {}
    for file in files:  # first pass: every account and status the input shows
        _index(load_json(file), accounts, status_uris)
    reader = _Reader(options.network or DEFAULT_NETWORK, owner,
                     StatusMapper(accounts, status_uris))
    for file in files:
        out = RowBuffer(reader.network, str(file))
        reader.payload(load_json(file), out)
        if out.size():
            yield out.take()
    skipped = reader.mapper.skipped
    if skipped:
        log.info("%s: records kept out of events: %s", path, dict(sorted(skipped.items())))


def read_statuses(statuses: Iterable[tuple[int, object]],
                  network: str = DEFAULT_NETWORK) -> tuple[Batch, Counter[str]]:
    """Statuses arriving one at a time (``renown stream mastodon``) → one batch, and the
    counts of what was kept out.

    Each status is read on its own, with the accounts and statuses it shows
    itself (a reply's mentions name the account replied to), so a status
    gives the same events whichever micro-batch it lands in.
    """
    out = RowBuffer(network)
    skipped: Counter[str] = Counter()
    for record, status in statuses:
        accounts: dict[str, str] = {}
        status_uris: dict[str, str] = {}
        _index(status, accounts, status_uris)
        reader = _Reader(network, None, StatusMapper(accounts, status_uris))
        reader.item(status, out, record)
        _account_facts(status, out)
        skipped.update(reader.mapper.skipped)
    return out.take(), skipped


def payload_files(path: Path) -> list[Path]:
    """The JSON files of a payload folder (a single file is read as it is)."""
    if path.is_file():
        return [path]
    try:
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".json")
    except OSError as exc:
        raise SourceError(path, f"cannot list the folder: {exc.strerror or exc}") from exc
    if not files:
        raise SourceError(path, "no .json files: not a folder of Mastodon API payloads")
    return files


def sniff(path: Path, head: bytes) -> bool:
    """A folder (not an account archive) whose first JSON file looks like API output."""
    try:
        if not path.is_dir() or (path / "outbox.json").exists():
            return False
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file())
        if not files:
            return False
        with files[0].open("rb") as handle:
            start = handle.read(8192)
    except OSError:
        return False
    return b'"acct"' in start and (b'"created_at"' in start or b'"followers_count"' in start)


def _owner(path: Path) -> str | None:
    file = path / OWNER_FILE
    if not path.is_dir() or not file.is_file():
        return None
    owner = account_of(load_json(file))
    if owner is None:
        raise SourceError(file, "not a Mastodon Account object (needs acct and url)")
    return owner


def _dicts(payload: object) -> Iterator[dict[str, Any]]:
    """Every JSON object in a payload, depth-first, at most MAX_WALK_DEPTH deep."""
    stack: list[tuple[object, int]] = [(payload, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_WALK_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            yield value
            stack.extend((item, depth + 1) for item in value.values()
                         if isinstance(item, dict | list))


def _index(payload: object, accounts: dict[str, str], status_uris: dict[str, str]) -> None:
    """Note every account (API id → account id) and status (id → uri) in a payload."""
    for value in _dicts(payload):
        key = text_of(value.get("id"))
        if key and "acct" in value and (account := account_of(value)):
            accounts.setdefault(key, account)
        if key and "account" in value and (uri := text_of(value.get("uri"))):
            status_uris.setdefault(key, uri)


def _shape(item: object) -> str:
    if not isinstance(item, dict):
        return "unknown"
    if "type" in item and "account" in item and "content" not in item:
        return "notification"
    if "account" in item and "created_at" in item and ("content" in item or "uri" in item):
        return "status"
    if "acct" in item and "username" in item:
        return "account"
    return "unknown"


class _Reader:
    """Payloads → events; the status mapping is shared by every file of the input."""

    def __init__(self, network: str, owner: str | None, mapper: StatusMapper) -> None:
        self.network = network
        self.owner = owner
        self.mapper = mapper

    def payload(self, payload: object, out: RowBuffer) -> None:
        if isinstance(payload, list):
            for record, item in enumerate(payload, 1):
                self.item(item, out, record)
        elif isinstance(payload, dict) and "notification_groups" in payload:
            self.grouped(payload, out)
        elif isinstance(payload, dict) and ("ancestors" in payload or "descendants" in payload):
            thread = [*_list(payload.get("ancestors")), *_list(payload.get("descendants"))]
            for record, item in enumerate(thread, 1):
                self.item(item, out, record)
        else:
            self.item(payload, out, 1)
        _account_facts(payload, out)

    def item(self, item: object, out: RowBuffer, record: int) -> None:
        shape = _shape(item)
        if shape == "status":
            self.mapper.status(item, out, record)
        elif shape == "notification" and isinstance(item, dict):
            self.notification(item, out, record)
        elif shape == "unknown":
            out.reject(record, "not a Mastodon status, notification or account", excerpt(item))

    def notification(self, item: JsonObject, out: RowBuffer, record: int) -> None:
        kind = text_of(item.get("type")) or ""
        actor, ts = account_of(item.get("account")), parse_instant(item.get("created_at"))
        if actor is None or ts is None:
            out.reject(record, f"{kind or 'untyped'} notification without a readable account "
                       "or created_at", excerpt(item))
        elif kind in REACTION_NOTIFICATIONS or kind in STATUS_NOTIFICATIONS:
            if not isinstance(item.get("status"), dict):
                out.reject(record, f"{kind} notification without its status", excerpt(item))
            elif kind in STATUS_NOTIFICATIONS:
                self.mapper.status(item["status"], out, record)
            elif (target := self.mapper.status(item["status"], out, record)) is not None:
                self.mapper.reaction(out, REACTION_NOTIFICATIONS[kind], actor, target, ts,
                                     record)
        elif kind == "follow":
            self.follow(actor, ts, out, record, item)
        else:
            self.mapper.skipped[f"notification type {kind or '(none)'}: not influence"] += 1

    def follow(self, actor: str, ts: datetime, out: RowBuffer, record: int, raw: object) -> None:
        if self.owner is None:
            out.reject(record, f"follow notification, but the input has no {OWNER_FILE} "
                       "saying who was followed", excerpt(raw))
            return
        self.mapper.emit(out, f"{self.owner}#follower:{actor}", ts, actor, "follow", record,
                         subject=self.owner)

    def grouped(self, payload: JsonObject, out: RowBuffer) -> None:
        """A v2 grouped-notifications response (module doc: samples only)."""
        accounts = {text_of(a.get("id")) or "": account_of(a) for a in
                    [*_list(payload.get("accounts")), *_list(payload.get("partial_accounts"))]
                    if isinstance(a, dict)}
        statuses: dict[str, Status] = {}
        for record, value in enumerate(_list(payload.get("statuses")), 1):
            status = self.mapper.status(value, out, record)
            if status is not None:
                statuses[text_of(status.raw.get("id")) or ""] = status
        for record, group in enumerate(_list(payload.get("notification_groups")), 1):
            self.group(group, accounts, statuses, out, record)

    def group(self, group: object, accounts: dict[str, str | None], statuses: dict[str, Status],
              out: RowBuffer, record: int) -> None:
        where = f"notification_groups[{record}]"
        if not isinstance(group, dict):
            out.reject(record, f"{where}: not a JSON object", excerpt(group))
            return
        kind = text_of(group.get("type")) or ""
        if kind not in REACTION_NOTIFICATIONS and kind != "follow":
            if kind not in STATUS_NOTIFICATIONS:  # those are read from `statuses`
                self.mapper.skipped[f"notification type {kind or '(none)'}: not influence"] += 1
            return
        ts = parse_instant(group.get("latest_page_notification_at"))
        target = statuses.get(text_of(group.get("status_id")) or "")
        if ts is None or (kind != "follow" and target is None):
            out.reject(record, f"{where}: {kind} group without a readable time or status",
                       excerpt(group))
            return
        samples = [s for s in _list(group.get("sample_account_ids")) if isinstance(s, str)]
        for sample in samples:
            actor = accounts.get(sample) or self.mapper.accounts.get(sample)
            if actor is None:
                out.reject(record, f"{where}: sample account {sample} is not in the payload",
                           excerpt(group))
            elif kind == "follow" or target is None:
                self.follow(actor, ts, out, record, group)
            else:
                self.mapper.reaction(out, REACTION_NOTIFICATIONS[kind], actor, target, ts, record)
        count = group.get("notifications_count")
        if isinstance(count, int) and count > len(samples):
            self.mapper.skipped["grouped notifications not expandable (accounts not listed)"] \
                += count - len(samples)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _account_facts(payload: object, out: RowBuffer) -> None:
    """Display names and follower counts of the full Account objects in a payload."""
    for value in _dicts(payload):
        if "acct" in value and ("display_name" in value or "followers_count" in value) \
                and (account := account_of(value)):
            followers = value.get("followers_count")
            out.account(account, text_of(value.get("display_name")),
                        followers if isinstance(followers, int)
                        and not isinstance(followers, bool) else None)


__all__ = ["DESCRIPTION", "EXPECTS_FOLDER", "parse_status", "read", "read_statuses", "sniff"]
