"""Live pull from a Mastodon instance into a folder the ``mastodon-api`` format reads.

`pull_mastodon` asks the instance, through Mastodon.py, for one account
(``/api/v1/accounts/lookup``), its statuses (``/api/v1/accounts/:id/statuses``,
page by page, newest first) and, when an access token is given in
``RENOWN_MASTODON_TOKEN`` (or ``token=``), the token owner's notifications
(``/api/v1/notifications``; v1, because v2 groups name only sample accounts).
Public statuses need no token.

What is written is the **raw response bodies**, recorded from the HTTP
responses themselves (not Mastodon.py's parsed objects, which turn times
into Python objects and rename fields): ``account.json``,
``statuses-0001.json``..., ``notifications-0001.json``...  Keeping the raw
payloads means the pull can be re-read, audited and re-ingested by a later
Renown with a better mapping; ingestion is a separate step
(``renown pull mastodon`` runs both).

``since`` stops paging at the first page reaching back before it; items older
than ``since`` are left out of that page's file.  The folder must be new or
empty, so one folder is one pull.  Notifications belong to the token's owner:
they go with the account's payloads only when the token is that account's
(``account.json`` names the owner that follows are attributed to).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from renown.sources.payloads import parse_instant

TOKEN_ENV: Final = "RENOWN_MASTODON_TOKEN"
#: Mastodon's largest page for statuses (notifications allow 80; 40 serves both).
PAGE_LIMIT: Final = 40
REQUEST_TIMEOUT_SECONDS: Final = 60.0


class PullError(Exception):
    """The pull could not be done (unreachable instance, unknown account, bad folder)."""


class _Recorder:
    """A requests response hook keeping the body of the latest successful response."""

    def __init__(self) -> None:
        self.body: bytes | None = None

    def __call__(self, response: Any, *args: object, **kwargs: object) -> Any:
        if 200 <= int(response.status_code) < 300:
            self.body = bytes(response.content)
        return response

    def take(self) -> bytes:
        body, self.body = self.body, None
        if body is None:
            raise PullError("the instance answered without a response body")
        return body


def pull_mastodon(instance: str, account: str, since: datetime | None, out: Path, *,
                  token: str | None = None, max_pages: int | None = None) -> Path:
    """Write ``account``'s raw API payloads from ``instance`` into ``out``; return ``out``."""
    try:
        from mastodon import Mastodon, MastodonError
    except ImportError as exc:  # pragma: no cover - the connectors extra is missing
        raise PullError("Mastodon.py is not installed: pip install 'renown[connectors]'") \
            from exc
    _prepare(out)
    token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)
    cutoff = since.astimezone(UTC).replace(tzinfo=None) if since and since.tzinfo else since
    api = Mastodon(api_base_url=instance, access_token=token, version_check_mode="none",
                   request_timeout=REQUEST_TIMEOUT_SECONDS, ratelimit_method="wait")
    recorder = _Recorder()
    api.session.hooks["response"].append(recorder)
    try:
        owner = api.account_lookup(account.strip().lstrip("@"))
        (out / "account.json").write_bytes(recorder.take())
        first = api.account_statuses(owner["id"], limit=PAGE_LIMIT)
        _pages(api, recorder, first, cutoff, out, "statuses", max_pages)
        if token:
            first = api.notifications(limit=PAGE_LIMIT)
            _pages(api, recorder, first, cutoff, out, "notifications", max_pages)
    except MastodonError as exc:
        raise PullError(f"{instance}: {exc}") from exc
    return out


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PullError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise PullError(f"{out}: not empty (a pull writes into a new or empty folder)")
    out.mkdir(parents=True, exist_ok=True)


def _pages(api: Any, recorder: _Recorder, page: Any, cutoff: datetime | None, out: Path,
           stem: str, max_pages: int | None) -> int:
    """Follow the pages of a listing, writing each raw page; the number written."""
    written = 0
    while page:
        items = json.loads(recorder.take())
        if not isinstance(items, list):
            raise PullError(f"{stem}: the instance answered with {type(items).__name__}, "
                            "expected a list")
        kept = [item for item in items if _not_before(item, cutoff)]
        written += 1
        text = json.dumps(kept, ensure_ascii=False, indent=1)
        (out / f"{stem}-{written:04d}.json").write_text(text + "\n", encoding="utf-8")
        if len(kept) < len(items) or (max_pages is not None and written >= max_pages):
            break
        page = api.fetch_next(page)
    return written


def _not_before(item: object, cutoff: datetime | None) -> bool:
    if cutoff is None or not isinstance(item, dict):
        return True
    created = parse_instant(item.get("created_at"))
    return created is None or created >= cutoff
