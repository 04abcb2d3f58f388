"""Format ``feed``: an RSS (0.9x, 1.0, 2.0) or Atom feed → events, read with feedparser.

A feed is what a blog publishes about itself: its latest entries, with
titles, dates, authors, categories and sometimes a comment *count*
(``slash:comments`` in WordPress's RSS, ``thr:total`` in Atom threading).

- **each entry** → ``post`` by its author: ``<name>@<site>`` when the entry
  (or else the feed) names an author, the hashed e-mail when the author is
  only an address (RSS ``<author>``), else the site itself (``web:<site>``);
  site = the feed's ``link`` (else the entry's).  Event and post id = the
  entry's ``id``/``guid``, else its link, else a hash of site, title and time.
  Time = ``published``, else ``updated`` (a feed entry without either is
  quarantined).  Text = title and content (or summary) as text; tags = the
  entry's categories (lower-cased); lang = the feed's ``language``.
- **comment counts are not events.**  A count says that *n* people (or
  fewer) commented, not who or when; making up reacting accounts would
  invent reactions.  Counts are summed and logged only.  For comments as
  events, ingest the blog's WXR export (format ``wordpress``).

feedparser reads broken feeds as far as it can (it flags them "bozo"); a
file it finds no feed in is refused as a whole.  The file is read whole
(feeds are small; larger than `MAX_FEED_BYTES` is refused) and given to
feedparser as bytes, so it never fetches anything.  Record numbers are the
1-based positions of entries.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import feedparser

from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.blog import (
    DEFAULT_NETWORK,
    mail_account,
    person_account,
    site_of,
    web_account,
)
from renown.sources.blog import sniff_feed as sniff  # noqa: F401  (Source.sniff)
from renown.sources.payloads import RowBuffer, html_to_text

DESCRIPTION: Final = "RSS or Atom feed (entries as posts; comment counts are not events)"
EXPECTS_FOLDER: Final = False
MAX_FEED_BYTES: Final = 64 * 1024 * 1024
COUNT_KEYS: Final = ("slash_comments", "thr_total")

log = logging.getLogger(__name__)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    parsed = _parse(path)
    feed = parsed.get("feed") or {}
    entries = parsed.get("entries") or []
    site = site_of(feed.get("link")) or next(
        (s for e in entries if (s := site_of(e.get("link")))), None)
    out = RowBuffer(options.network or DEFAULT_NETWORK, None)
    counts = [0, 0]  # entries with a comment count, comments counted
    for record, entry in enumerate(entries, 1):
        _entry(entry, feed, site, out, record)
        if (count := _comment_count(entry)) is not None:
            counts[0] += 1
            counts[1] += count
    if counts[0]:
        log.info("%s: %d entries carry comment counts (%d comments in all): counts are not "
                 "events, nobody who commented is named", path, counts[0], counts[1])
    yield out.take()


def _parse(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise SourceError(path, f"larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB: not "
                              "a feed (a WordPress export? use --format wordpress)")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    try:
        parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=False)
    except Exception as exc:  # feedparser's last resort on input it cannot handle at all
        raise SourceError(path, f"cannot parse as a feed: {exc}") from exc
    if not parsed.get("version") and not parsed.get("entries"):
        problem = parsed.get("bozo_exception")
        raise SourceError(path, "not an RSS or Atom feed"
                          + (f" ({str(problem)[:200]})" if problem else ""))
    if parsed.get("bozo"):
        log.info("%s: feed is not well-formed, read as far as possible: %s", path,
                 str(parsed.get("bozo_exception"))[:200])
    return parsed


def _entry(entry: Any, feed: Any, site: str | None, out: RowBuffer, record: int) -> None:
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    ts = _time(when)
    actor = _author(entry, feed, site)
    if ts is None or actor is None:
        out.reject(record, "entry without a readable published/updated time or an author "
                   "or site to attribute it to", _excerpt(entry))
        return
    title = " ".join(str(entry.get("title") or "").split())
    link = _text(entry.get("link"))
    entry_id = _text(entry.get("id")) or link or _derived_id(site, title, ts)
    body = _body(entry)
    text = "\n\n".join(part for part in (title, body) if part) or None
    tags = [" ".join(str(t.get("term") or "").split()).lower() for t in entry.get("tags") or []
            if isinstance(t, dict)]
    out.event(entry_id, ts, actor, "post", record, post_id=entry_id, text=text,
              tags=list(dict.fromkeys(t for t in tags if t)), lang=_text(feed.get("language")),
              url=link)
    name = _text((entry.get("author_detail") or feed.get("author_detail") or {}).get("name"))
    if name and not actor.startswith("web:"):
        out.account(actor, name, None)


def _author(entry: Any, feed: Any, site: str | None) -> str | None:
    """The entry's author account (module doc), or None when nothing names one."""
    for source in (entry, feed):
        detail = source.get("author_detail") or {}
        name, email = _text(detail.get("name")), _text(detail.get("email"))
        if name and site is not None:
            return person_account(name, None, None, site)
        if email and "@" in email:
            return mail_account(email)
    return web_account(f"https://{site}") if site else None


def _body(entry: Any) -> str:
    contents = entry.get("content") or []
    detail = (contents[0] if contents and isinstance(contents[0], dict)
              else entry.get("summary_detail") or {})
    value = str(detail.get("value") or entry.get("summary") or "")
    kind = str(detail.get("type") or "text/html")
    return html_to_text(value) if "html" in kind else " ".join(value.split())


def _time(value: Any) -> datetime | None:
    try:
        return datetime(*value[:6]) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _comment_count(entry: Any) -> int | None:
    for key in COUNT_KEYS:
        text = _text(entry.get(key))
        if text is not None and text.isdigit():
            return int(text)
    return None


def _derived_id(site: str | None, title: str, ts: datetime) -> str:
    key = f"{site}\n{title}\n{ts.isoformat()}".encode()
    return f"feed-entry:{hashlib.sha1(key, usedforsecurity=False).hexdigest()}"


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _excerpt(entry: Any) -> str:
    return repr({k: entry.get(k) for k in ("id", "title", "link", "published", "updated",
                                           "author")})
