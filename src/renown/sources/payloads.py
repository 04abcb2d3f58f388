"""What the social-payload sources (Mastodon, WordPress, feeds) share.

These formats carry content as HTML, times as ISO 8601 or RFC 822 text, and
produce events one record at a time.  Three things are the same for all of
them and live here once:

- `html_to_text`: readable text from an HTML fragment, with paragraphs kept
  (Mastodon wraps every paragraph in ``<p>``, WordPress uses ``<p>`` and
  block comments), scripts, styles and comments dropped, and elements that
  are only a fallback for old clients (Mastodon's ``quote-inline`` "RE: link"
  paragraph) left out.  The standard library's `html.parser` copes with any
  tag soup and never raises, which matters for hostile input.
- `parse_instant`: an ISO 8601 or RFC 822 timestamp as naive UTC (the store's
  convention), or None.
- `RowBuffer`: event rows, rejections and account facts of one file, handed
  out as `Batch`es of bounded size; `RowBuffer.event` drops a subject equal
  to the actor, because reacting to oneself is no reaction (the event is kept
  as the actor's output).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Final, overload
from urllib.parse import urlsplit

from renown.events import MAX_TEXT_CHARS
from renown.sources.base import BatchBuffer, Rejection

Row = dict[str, object]

#: Elements whose end is a paragraph break, and those that break a line.
_BLOCKS: Final = frozenset({"p", "div", "blockquote", "pre", "ul", "ol", "table", "h1", "h2",
                            "h3", "h4", "h5", "h6", "figure", "section", "article", "header",
                            "footer"})
_LINES: Final = frozenset({"br", "li", "tr", "hr"})
#: Elements whose content is not text people read.
_HIDDEN: Final = frozenset({"script", "style", "template", "noscript"})
#: CSS classes marking a fallback for clients that lack a feature (Mastodon quotes).
_FALLBACK_CLASSES: Final = frozenset({"quote-inline"})
_VOID: Final = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col",
                          "embed", "source", "track", "wbr"})
_SPACES: Final = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES: Final = re.compile(r"\n[ \t]*(\n[ \t]*)+")
_RFC822_YEAR: Final = re.compile(r"\s\d{4}\s")
#: Marks text cut at `MAX_TEXT_CHARS`.
CLIPPED: Final = " […]"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open elements whose content is left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in _HIDDEN or (classes & _FALLBACK_CLASSES and tag not in _VOID):
            self.skipping.append(tag)
        elif tag in _LINES:
            self.parts.append("\n- " if tag == "li" else "\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text people can read (and topics can use) from an HTML fragment."""
    if not html:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser's last resort on broken markup
        return _SPACES.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


@overload
def utf8(text: str) -> str: ...


@overload
def utf8(text: None) -> None: ...


def utf8(text: str | None) -> str | None:
    """Text that can be written as UTF-8: JSON may carry lone surrogates (``"\\ud800"``)."""
    if text is None or text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def clip_text(text: str | None) -> str | None:
    """Text within the store's limit: an over-long post keeps its event, cut and marked."""
    if not text:
        return None
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS - len(CLIPPED)] + CLIPPED


def host_of(url: object) -> str | None:
    """The lower-cased ``host[:port]`` of an http(s) URL, or None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return f"{host}:{port}" if port else host


def parse_instant(text: object) -> datetime | None:
    """An ISO 8601 (``Z`` or offset; none = UTC) or RFC 822 time as naive UTC, else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        if not _RFC822_YEAR.search(value):  # e.g. WordPress drafts' "Nov -0001"
            return None
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    try:
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    except (OverflowError, ValueError):
        return None


class RowBuffer(BatchBuffer):
    """Rows, rejections and account facts of one file, handed out as batches."""


    def event(self, event_id: str, ts: datetime, actor: str, kind: str, record: int, *,
              subject: str | None = None, post_id: str | None = None,
              parent_id: str | None = None, text: str | None = None,
              tags: list[str] | None = None, lang: str | None = None,
              url: str | None = None) -> None:
        """Add one event; a subject equal to the actor is dropped (see the module doc)."""
        self.rows.append({
            "network": self.network, "event_id": utf8(event_id), "ts": ts, "actor": utf8(actor),
            "kind": kind, "subject": None if subject == actor else utf8(subject),
            "post_id": utf8(post_id), "parent_id": utf8(parent_id),
            "text": utf8(clip_text(text)), "tags": [utf8(t) for t in tags] if tags else None,
            "lang": utf8(lang) or None, "topic": None, "url": utf8(url) or None,
            "record": record,
        })

    def reject(self, record: int, reason: str, raw: str | bytes) -> None:
        self.rejections.append(Rejection.of(record, utf8(reason), utf8(raw) if isinstance(
            raw, str) else raw, self.file))

    def account(self, account: str, display_name: str | None, followers: int | None) -> None:
        """An account fact; a later fact for the same account replaces an earlier one."""
        if followers is not None and not 0 <= followers < 2**63:
            followers = None  # no real count; would not fit the column
        self.accounts[account] = {"network": self.network, "account": utf8(account),
                                  "display_name": utf8(display_name) or None,
                                  "followers": followers}

