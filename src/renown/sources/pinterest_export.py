"""Pinterest account data export ("Request your data", one HTML file) → events.

Settings → Privacy and data → Request your data: Pinterest emails a download
whose data is one HTML page.  Pinterest publishes no description of it; the
structure read here is the one of the sample in an open-source reader of it,
github.com/ChowSinWon/pinterest-export-parser (``data/pinterest-sample.html``):
``<div id="contents">`` holds sections, each an ``<h1>`` heading (``Pins``,
then others), and the ``Pins`` section one entry per pin: a link to the pin's
page, then ``<br>``-separated ``Key: value,`` lines (``Title``, ``Details``,
``Board Id``, ``Ip Address``, ``Username``, ``Canonical Link`` (a link),
``Created at: 2017/02/13 15:35:01``, ``Alive``, ``Is a repin``, ``Private``).

An export holds its owner's side only, and of that Renown takes the pins:

- every pin → ``post`` by ``Username`` (lower-cased; a pin without one takes
  the export's owner, the user name most pins give), id ``pin-<pin id>`` (as
  ``pinterest-api`` names it, so one pin from both inputs is stored once),
  ``post_id`` = the pin id from its link, text = Title, a blank line,
  Details, url = Canonical Link (else the pin's page).
- a repin (``Is a repin: True``) is the owner saving someone's pin, but the
  export never names that pin or its pinner: a reshare without a subject is
  nobody's outcome, so it is a ``post`` tagged ``repin`` (Facebook and
  LinkedIn shares of unknown authors are posts too).  ``Private: True`` →
  tagged ``private`` (still the owner's pin); ``Alive: False`` pins are
  imported (they happened).
- other sections (boards, profile, followers …) are skipped.

Nobody else's saves or clicks are in the export.  **IP addresses are
dropped**: the ``Ip Address`` field never reaches an event or a quarantined
excerpt, and any IPv4 address in what is kept is masked (a field run into
another, its ``<br>`` missing, must not leak).  ``No data`` means absent;
values lose their trailing comma; ``Created at`` has no zone: taken as UTC.
An entry without its pin link or a readable ``Created at`` is quarantined; a
file with no ``Pins`` heading inside ``#contents`` (or no pin in it) is
refused.  Record numbers are positions in the Pins section (the file may be
one minified line); quarantined excerpts name the HTML line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from renown.sources.account_export import Collector, decode_text
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.meta_export import MAX_FILE_BYTES

DESCRIPTION: Final = ("Pinterest account data export ('Request your data'): the HTML file "
                      "with the Pins section")
EXPECTS_FOLDER: Final = False
DEFAULT_NETWORK: Final = "pinterest"
PINS: Final = "pins"
_PIN_URL: Final = re.compile(r"https?://(?:[a-z]{2,3}\.)?pinterest\.[a-z.]{2,10}/pin/(\d{1,25})/?",
                             re.IGNORECASE)
_KEY_LINE: Final = re.compile(r"([A-Za-z][A-Za-z ]{0,40}?)\s*:(?!//)\s*(.*)", re.DOTALL)
#: The fields that end an entry: a pin link right after one starts the next (no ``<br>``).
_LAST_FIELDS: Final = frozenset({"private", "is a repin", "alive"})
_DATE_FORMATS: Final = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S")
_ABSENT: Final = frozenset({"", "no data", "none"})
#: An IP field run into another value (its ``<br>`` missing): removed from every value.
_IP_FIELD: Final = re.compile(r"ip address\s*:?\s*[^\s,<]*", re.IGNORECASE)
#: Runs of digits and dots, masked whole when they hold a dotted quad (IPs run together).
_DIGITS_AND_DOTS: Final = re.compile(r"[\d.]{7,}")
_QUAD: Final = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_IP_VALUE: Final = re.compile(r"[0-9A-Fa-f.:]{7,45}")
#: How much of a line's start `_ExportHTML._link` looks at (a key is at most 41 characters).
_HEAD_CHARS: Final = 200
#: A ``<`` that starts no complete tag within 4 KiB: html.parser rescans the rest of the
#: document for each (``<a <a <a ...``, ``</</``, ``<?``), quadratic in Python 3.11.
_STRAY_LT: Final = re.compile(r"<(?!/?[A-Za-z][^<>]{0,4096}>|![A-Za-z][^<>]{0,4096}>)")
_CONTENTS: Final = re.compile(rb"<div[^>]{0,300}\bid\s*=\s*[\"']?contents\b", re.IGNORECASE)
_PINS_H1: Final = re.compile(rb"<h1[^>]{0,300}>\s*Pins\s*</h1>", re.IGNORECASE)
_FIELD_MARKERS: Final = (b"Is a repin:", b"Board Id:", b"Canonical Link:", b"Story Pin Media:")


def sniff(path: Path, head: bytes) -> bool:
    """HTML with ``#contents`` and a ``Pins`` heading or the pin fields (never raises)."""
    try:
        if not path.is_file() or not _CONTENTS.search(head):
            return False
    except OSError:
        return False
    markers = sum(m in head for m in _FIELD_MARKERS)
    return (bool(_PINS_H1.search(head)) and (b"pinterest." in head or markers > 0)) or \
        markers >= 2


@dataclass(slots=True)
class _Line:
    """One ``<br>``-separated line of the Pins section."""

    number: int
    text: str
    href: str | None
    #: The line is a pin's own link: it starts an entry.
    pin: bool


@dataclass(slots=True)
class _Entry:
    number: int
    pin_id: str | None
    #: lower-cased key → (key as written, value text, the line's link).
    fields: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    last: str | None = None


class _ExportHTML(HTMLParser):
    """The lines of the Pins sections of ``#contents``, and every heading seen there.

    Markup is taken as it comes, not as a tree: only ``div`` nesting is counted
    (to know when ``#contents`` ends), a ``<br>`` or ``</br>`` ends a line
    wherever it is, and an unclosed ``<a>`` or ``<h1>`` ends at the next line.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # div depth inside #contents (0: outside)
        self.saw_contents = False
        self.headings: list[str] = []
        self.heading: list[str] | None = None
        self.in_pins = False
        self.lines: list[_Line] = []
        self.parts: list[str] = []
        self.head = ""
        self.href: str | None = None
        self.pin = False
        self.start = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div":
            if self.depth:
                self.depth += 1
            elif (dict(attrs).get("id") or "").strip() == "contents":
                self.depth, self.saw_contents = 1, True
            return
        if not self.depth:
            return
        if tag in ("h1", "br") or (tag == "a" and "".join(self.heading or []).strip()):
            self._end_heading()  # an unclosed <h1> ends at the next line (or its link)
        if tag == "h1":
            self.end_line()
            self.heading = []
        elif tag == "br":
            self.end_line()
        elif tag == "a" and self.in_pins:
            self._link((dict(attrs).get("href") or "").strip())

    def _link(self, href: str) -> None:
        """A pin's own link starts an entry; any other link belongs to the line's value.

        A pin link on a line of its own is a pin's; one right after an entry's
        last field (``Private: False<a ...>``, the ``<br>`` missing) is too, but
        one inside a value (a Canonical Link to another pin) is that value.
        """
        text = self.head.strip()  # the line's start: enough to tell, and never quadratic
        match = _KEY_LINE.fullmatch(text)
        after_last = bool(match and match.group(1).strip().lower() in _LAST_FIELDS
                          and match.group(2).strip())
        if _PIN_URL.fullmatch(href) and (not text or after_last):
            self.end_line()
            self.href, self.pin, self.start = href, True, self.getpos()[0]
        elif self.href is None and href:
            self.href = href
            self.start = self.start or self.getpos()[0]

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.depth:
            self.depth -= 1
            if not self.depth:
                self._end_heading()
                self.end_line()
                self.in_pins = False
        elif self.depth and tag == "h1":
            self._end_heading()
        elif self.depth and tag == "br":
            self.end_line()

    def handle_data(self, data: str) -> None:
        if not self.depth:
            return
        if self.heading is not None:
            self.heading.append(data)
        elif self.in_pins:
            if not self.start and data.strip():
                self.start = self.getpos()[0]
            self.parts.append(data)
            if len(self.head) < _HEAD_CHARS:
                self.head += data[:_HEAD_CHARS]

    def _end_heading(self) -> None:
        if self.heading is not None:
            name = " ".join("".join(self.heading).split())
            self.headings.append(name)
            self.in_pins = name.lower() == PINS
            self.heading = None

    def end_line(self) -> None:
        text = " ".join("".join(self.parts).split())
        if self.in_pins and (text or self.href):
            self.lines.append(_Line(self.start or self.getpos()[0], text, self.href, self.pin))
        self.parts, self.href, self.pin, self.start, self.head = [], None, False, 0, ""


def tamed(text: str) -> str:
    """``text`` with its comments dropped and every stray ``<`` made ``&lt;`` (see `_STRAY_LT`).

    What is left gives html.parser only complete constructs, which it parses in
    linear time; an unclosed comment becomes text (its rescans are quadratic too).
    """
    parts, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[pos:start])
        pos = end + 3
    parts.append(text[pos:])
    return _STRAY_LT.sub("&lt;", "".join(parts))


def parse_lines(path: Path, text: str) -> list[_Line]:
    """The Pins section's lines, or a `SourceError` when the file is not this export."""
    parser = _ExportHTML()
    try:
        parser.feed(tamed(text))
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's last resort on broken markup
        raise SourceError(path, f"unreadable HTML: {exc}") from exc
    parser.end_line()
    if not parser.saw_contents:
        raise SourceError(path, 'not a Pinterest account export: no <div id="contents">')
    if PINS not in (h.lower() for h in parser.headings):
        found = ", ".join(repr(h[:40]) for h in parser.headings[:8]) or "none"
        raise SourceError(path, "not a Pinterest account export: no 'Pins' heading inside "
                          f'<div id="contents"> (headings: {found})')
    return parser.lines


def _value(text: str) -> str:
    """A value without its trailing comma."""
    return text.strip().removesuffix(",").strip()


def entries(lines: list[_Line]) -> Iterator[_Entry | _Line]:
    """Lines grouped into pin entries; text outside any entry comes back as its line.

    An entry starts at a pin's link, or (its link missing) where a key the
    current entry already has comes again; a line without a key continues the
    last value (or gives it, when the value came on a line of its own).
    """
    current: _Entry | None = None
    for line in lines:
        if line.pin:
            if current is not None:
                yield current
            match = _PIN_URL.fullmatch(line.href or "")
            current = _Entry(line.number, match.group(1) if match else None)
            continue
        keyed = _KEY_LINE.fullmatch(line.text)
        if keyed:
            key = keyed.group(1).strip()
            if current is None or key.lower() in current.fields:
                if current is not None:
                    yield current
                current = _Entry(line.number, None)
            current.fields[key.lower()] = (key, keyed.group(2), line.href)
            current.last = key.lower()
        elif current is not None and current.last is not None:
            key, value, href = current.fields[current.last]
            joined = f"{value}\n{line.text}".strip() if _value(value) else line.text
            current.fields[current.last] = (key, joined, href or line.href)
        elif _value(line.text).lower() not in _ABSENT:
            yield line
    if current is not None:
        yield current


def _get(entry: _Entry, key: str) -> str | None:
    """A field's value ("No data" is None), with the entry's IP addresses removed."""
    found = entry.fields.get(key)
    value = _value(found[1]) if found else ""
    return None if value.lower() in _ABSENT else scrubbed(value, _secrets(entry))


def _is_ip_key(key: str) -> bool:
    return "ip address" in key.lower() or key.strip().lower() == "ip"


def scrubbed(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with the entry's IP addresses, an IP field run into it, and any IPv4 masked.

    Every value passes here: with a ``<br>`` or colon missing, the IP line
    runs into the value before it, and a dotted quad in a pin's title is
    worth less than an address the export wrote next to every pin.
    """
    for secret in secrets:
        text = text.replace(secret, "[ip removed]")
    return _DIGITS_AND_DOTS.sub(lambda run: "[ip removed]" if _QUAD.search(run.group())
                                else run.group(), _IP_FIELD.sub("[ip removed]", text))


def _secrets(entry: _Entry) -> tuple[str, ...]:
    """The entry's IP address values (only values shaped like one, so no text is mangled)."""
    values = (_value(v) for k, v, _ in entry.fields.values() if _is_ip_key(k))
    return tuple(v for v in values if _IP_VALUE.fullmatch(v))


def excerpt(entry: _Entry) -> str:
    """The entry as ``Key: value`` lines for quarantine, without its IP address."""
    lines = [f"HTML line {entry.number}"] + ([f"pin: {entry.pin_id}"] if entry.pin_id else [])
    lines += [f"{key}: {href or _value(value)}" for key, value, href in entry.fields.values()
              if not _is_ip_key(key) and "ip address" not in value.lower()]
    return scrubbed("\n".join(lines), _secrets(entry))


def created_at(text: str) -> datetime | None:
    """``2017/02/13 15:35:01`` (no zone: UTC, as the module says)."""
    cleaned = re.sub(r"\s*(UTC|GMT|Z)$", "", text.strip())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


def _owner_of(entry: _Entry) -> str | None:
    name = (_get(entry, "username") or "").strip().lstrip("@").lower()
    return name or None


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceError(path, f"larger than {MAX_FILE_BYTES >> 20} MiB: not an export file")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    found = list(entries(parse_lines(path, decode_text(path, data))))
    if not found:
        raise SourceError(path, "the export's Pins section lists no pins: nothing to import")
    names = Counter(n for e in found if isinstance(e, _Entry) and (n := _owner_of(e)))
    owner = names.most_common(1)[0][0] if names else None
    out = Collector(options.network or DEFAULT_NETWORK, None)
    for record, item in enumerate(found, start=1):  # minified HTML is one line: count entries
        if isinstance(item, _Line):
            text = "[ip removed]" if "ip address" in item.text.lower() else scrubbed(item.text)
            out.reject(record, "text in the Pins section outside any pin entry",
                       f"HTML line {item.number}\n{text}")
        else:
            _pin(out, record, item, owner)
        yield from out.full()
    yield from out.rest()


def _problem(entry: _Entry, when: str | None, ts: datetime | None,
             actor: str | None) -> str | None:
    """Why an entry cannot be an event, or None."""
    if entry.pin_id is None:
        return "pin entry without its pin link (https://www.pinterest.com/pin/<id>/)"
    if when is None:
        return "pin without a Created at"
    if ts is None:
        return (f"unparseable Created at {scrubbed(when[:40])!r} "
                "(expected YYYY/MM/DD HH:MM:SS)")
    if actor is None:
        return "pin without a Username (and no other pin names the export's owner)"
    return None


def _pin(out: Collector, record: int, entry: _Entry, owner: str | None) -> None:
    when = _get(entry, "created at")
    ts = created_at(when) if when else None
    actor = _owner_of(entry) or owner
    problem = _problem(entry, when, ts, actor)
    if problem is not None or entry.pin_id is None or ts is None or actor is None:
        out.reject(record, problem or "unreadable pin entry", excerpt(entry))
        return
    text = "\n\n".join(t for t in (_get(entry, "title"), _get(entry, "details")) if t)
    link = entry.fields.get("canonical link")
    href = scrubbed(link[2], _secrets(entry)) if link and link[2] else None
    url = href or _get(entry, "canonical link")
    tags = [tag for tag, key in (("repin", "is a repin"), ("private", "private"))
            if (_get(entry, key) or "").lower() == "true"]
    out.add(f"pin-{entry.pin_id}", ts, actor, "post", record, post_id=entry.pin_id,
            text=text or None, tags=tags or None,
            url=url or f"https://www.pinterest.com/pin/{entry.pin_id}/")
