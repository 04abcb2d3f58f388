"""What the two Mastodon formats share: account ids, URLs, ids that carry a time, JSON.

Formats: ``mastodon-api`` (`renown.sources.mastodon_api`: REST API payloads)
and ``mastodon-archive`` (`renown.sources.mastodon_archive`: the account
archive a user downloads).  Both file events under network ``mastodon`` and
name accounts the same way, so events about the same person from either
source land on the same account:

- **Account id** = ``user@host``, lower-cased (Mastodon matches usernames and
  domains case-insensitively).  The API's ``acct`` is ``user`` for accounts
  local to the instance that answered and ``user@domain`` for remote ones;
  a local account gets the host of its profile URL (``url``, else ``uri``),
  port included when there is one (test instances run on ``localhost:3000``).
  On instances whose web host differs from their account domain (the rare
  ``LOCAL_DOMAIN``/``WEB_DOMAIN`` split) local accounts get the web host.
- **From a URL** (archives, where a boost or a like is only a URL):
  ``https://host/users/NAME/statuses/ID`` and ``https://host/@NAME/ID`` give
  ``NAME@host``; ``https://host/@NAME@domain/ID`` gives ``NAME@domain``.
  Newer Mastodon URLs (``/ap/users/<number>/...``) and other software's
  (``/notes/…``, ``/objects/…``) carry no name: no account is made up.
- **Content ids** are ActivityPub ids (a status's ``uri``), the one id a
  status has on every instance, so the same status read from an archive,
  from one instance's API and from another's is one post.
- **Times from ids**: Mastodon status ids since 2017 are "snowflakes", the
  creation time in milliseconds shifted left 16 bits; a like in an archive
  has no time of its own and gets the liked status's creation time from its
  id, the earliest moment the like can have happened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from renown.sources.base import SourceError
from renown.sources.payloads import host_of

DEFAULT_NETWORK: Final = "mastodon"
#: Mastodon's first release: a snowflake time before it is no snowflake.
SNOWFLAKE_EPOCH_FLOOR: Final = datetime(2016, 3, 16)
_NAME: Final = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_USERS_PATH: Final = re.compile(rf"/users/({_NAME})(?:/|$)")
_AT_PATH: Final = re.compile(rf"/@({_NAME})(?:@([A-Za-z0-9.-]+(?::\d+)?))?(?:/|$)")
_LAST_NUMBER: Final = re.compile(r"/(\d{6,20})(?:/activity)?/?$")


def account_id(acct: object, profile_url: object) -> str | None:
    """``user@host`` from an API ``acct`` and the account's profile URL (module doc)."""
    if not isinstance(acct, str):
        return None
    name = acct.strip().lstrip("@").lower()
    if not name or any(c.isspace() for c in name):
        return None
    if "@" in name:
        user, _, domain = name.partition("@")
        return name if user and domain and "@" not in domain else None
    host = host_of(profile_url)
    return f"{name}@{host}" if host else None


def account_from_url(url: object) -> str | None:
    """``NAME@host`` read from a status or profile URL, when the URL names the account."""
    host = host_of(url)
    if host is None or not isinstance(url, str):
        return None
    path = urlsplit(url.strip()).path
    if match := _USERS_PATH.match(path):
        return f"{match.group(1).lower()}@{host}"
    if match := _AT_PATH.match(path):
        return f"{match.group(1).lower()}@{(match.group(2) or host).lower()}"
    return None


def snowflake_time(url_or_id: object, now: datetime | None = None) -> datetime | None:
    """The creation time a Mastodon status id (or a URL ending in one) carries, or None."""
    if not isinstance(url_or_id, str):
        return None
    text = url_or_id.strip()
    if not text.isdigit():
        try:  # urlsplit refuses some hostile URLs (an unbalanced "[" in the host)
            match = _LAST_NUMBER.search(urlsplit(text).path) if "/" in text else None
        except ValueError:
            match = None
        if match is None:
            return None
        text = match.group(1)
    try:
        when = datetime(1970, 1, 1) + timedelta(milliseconds=int(text) >> 16)
    except OverflowError:
        return None
    latest = (now or datetime.now(UTC).replace(tzinfo=None)) + timedelta(days=1)
    return when if SNOWFLAKE_EPOCH_FLOOR <= when <= latest else None


PairsHook = Callable[[list[tuple[str, Any]]], Any]


def load_json(path: Path, pairs_hook: PairsHook | None = None) -> Any:
    """A whole JSON file, or `SourceError` naming why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    try:
        return json.loads(raw.decode("utf-8-sig"), object_pairs_hook=pairs_hook)
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                          f"column {exc.colno}") from exc
    except RecursionError as exc:
        raise SourceError(path, "JSON nested too deeply to read") from exc
    except ValueError as exc:  # e.g. a number too long to convert
        raise SourceError(path, f"not valid JSON: {exc}") from exc


def text_of(value: object) -> str | None:
    """A non-empty stripped string, or None for anything else."""
    return (value.strip() or None) if isinstance(value, str) else None


def excerpt(value: object) -> str:
    """A record as JSON text, for the quarantine's excerpt."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[:2000]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:2000]
