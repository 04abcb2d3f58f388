"""Pinterest API v5 payloads (pins, boards, user account, pin analytics) → events.

What ``GET /v5/pins`` / ``/v5/boards/{id}/pins`` (``{"items": [...],
"bookmark": ...}``), ``GET /v5/pins/{id}``, ``GET /v5/boards``, ``GET
/v5/user_account`` and ``GET /v5/pins/{id}/analytics`` answer, saved as JSON:
one file, or a folder of them read as one set.  Accounts are user names.

- **pin** (``id`` with ``board_id``/``board_owner``/``created_at``) →
  ``post`` by ``board_owner.username`` (else the set's ``user_account``), id
  ``pin-<id>``, text = title, a blank line, description, url = ``link`` (the
  outbound site) or the pin's page.  A pin with ``parent_pin_id`` was saved
  from another pin: a ``reshare`` of it, subject = that pin's owner when the
  set holds the parent pin (saving someone's pin is Pinterest's reshare; it
  is how a teacher's pin travels).
- **board** (``id`` with ``name`` and ``privacy``) → an account fact for its
  owner, never an event.  **user_account** (``username`` with
  ``account_type``) → an account fact (``follower_count``).
- **analytics** (``all.daily_metrics`` / ``summary_metrics``: IMPRESSION,
  SAVE, OUTBOUND_CLICK, PIN_CLICK) are anonymous totals: recognised, never
  events.  The API never says who saved or clicked, so a pin's saves reach
  Renown only as the savers' own pins (with ``parent_pin_id``).

Times are ``2024-01-05T10:22:33`` (UTC, sometimes without a zone).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from renown.sources.account_export import Collector, text_or_none
from renown.sources.api_payloads import first_head, load_payload, payload_files
from renown.sources.base import Batch, SourceOptions
from renown.sources.meta_export import as_dict, count_or_none
from renown.sources.payloads import parse_instant

DESCRIPTION: Final = ("Pinterest API v5 payloads (pins, boards, user account, pin analytics), "
                      "a JSON file or a folder of them")
EXPECTS_FOLDER: Final = None
DEFAULT_NETWORK: Final = "pinterest"
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})

Record = dict[str, object]


def sniff(path: Path, head: bytes) -> bool:
    data = head if path.is_file() else first_head(path)
    if not data.lstrip().startswith((b"{", b"[")):
        return False
    pins = b'"board_owner"' in data or (b'"board_id"' in data and b'"created_at"' in data)
    return pins or b'"daily_metrics"' in data or (b'"account_type"' in data
                                                  and b'"PINNER"' in data)


def objects(payload: object) -> Iterator[object]:
    pages = payload if isinstance(payload, list) else [payload]
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("items"), list):
            yield from page["items"]
        else:
            yield page


def kind_of(obj: Record) -> str | None:
    if "daily_metrics" in as_dict(obj.get("all")) or "summary_metrics" in as_dict(
            obj.get("all")) or any("summary_metrics" in as_dict(v) for v in obj.values()):
        return "analytics"
    if "username" in obj and "account_type" in obj:
        return "user"
    if "id" in obj and ("board_owner" in obj or "board_id" in obj):
        return "pin"
    if "id" in obj and "name" in obj and ("privacy" in obj or "pin_count" in obj):
        return "board"
    return None


def _owner(obj: Record, me: str | None) -> str | None:
    name = text_or_none(as_dict(obj.get("board_owner")).get("username")) or text_or_none(
        as_dict(obj.get("owner")).get("username")) or me
    return name.strip().lower() if name else None


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    loaded = [(f, [as_dict(o) if isinstance(o, dict) else o for o in objects(load_payload(f))])
              for f in payload_files(path)]
    users = [str(o["username"]).lower() for _, objs in loaded for o in objs
             if isinstance(o, dict) and kind_of(o) == "user"]
    me = users[0] if len(set(users)) == 1 else None
    owners = {str(o.get("id")): who for _, objs in loaded for o in objs
              if isinstance(o, dict) and kind_of(o) == "pin" and (who := _owner(o, me))}
    out = Collector(options.network or DEFAULT_NETWORK, None)
    number = 0
    for file, objs in loaded:
        for obj in objs:
            number += 1
            kind = kind_of(obj) if isinstance(obj, dict) else None
            if kind == "pin":
                _pin(out, number, as_dict(obj), me, owners)
            elif kind in ("user", "board"):
                _fact(out, as_dict(obj), kind)
            elif kind is None:
                out.reject(number, f"not a pin, board, user account or analytics object "
                           f"({file.name})", obj)
            yield from out.full()
    yield from out.rest()


def _pin(out: Collector, number: int, pin: Record, me: str | None,
         owners: dict[str, str]) -> None:
    ident, actor = text_or_none(str(pin.get("id") or "")), _owner(pin, me)
    ts = parse_instant(pin.get("created_at"))
    if ident is None or actor is None or ts is None:
        out.reject(number, "pin without an id, a board_owner (or the set's user_account) or a "
                   "created_at", pin)
        return
    parent = text_or_none(str(pin.get("parent_pin_id") or ""))
    text = "\n\n".join(t for t in (text_or_none(pin.get("title")),
                                   text_or_none(pin.get("description"))) if t)
    out.add(f"pin-{ident}", ts, actor, "reshare" if parent else "post", number,
            subject=owners.get(parent or ""), post_id=ident, parent_id=parent,
            text=text or None,
            url=text_or_none(pin.get("link")) or f"https://www.pinterest.com/pin/{ident}/")


def _fact(out: Collector, obj: Record, kind: str) -> None:
    if kind == "user":
        out.account(str(obj["username"]).lower(), text_or_none(obj.get("business_name")),
                    count_or_none(obj.get("follower_count")))
    elif owner := _owner(obj, None):
        out.account(owner)


