"""What the Instagram and Threads "Download your information" exports share.

Both come from Meta's Accounts Center, as JSON or as HTML (the user picks),
with the same record shapes:

- ``string_map_data``: labelled fields, ``{"Comment": {"value": ...},
  "Media Owner": {"value": ...}, "Time": {"timestamp": ...}}``;
- ``string_list_data``: ``[{"href": ..., "value": ..., "timestamp": ...}]``
  (followers, likes), where the other account is ``value`` or, since 2024,
  the record's ``title``;
- ``media``: ``[{"uri": ..., "creation_timestamp": ..., "title": caption}]``.

JSON text is mis-encoded as Facebook's is (UTF-8 bytes written as latin-1
characters) and repaired the same way (`renown.sources.facebook.repaired`).
The HTML variant is turned into the same records: each record block's
heading is its ``title``, each two-cell table row a ``string_map_data``
field, each link a ``string_list_data`` entry, each date line its time.
HTML dates ("Jan 05, 2024 10:22 am") carry no zone; they are taken as UTC
(Meta writes them in the exporter's zone, so they may be off by hours).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from renown.sources.account_export import epoch_seconds, load_json_text, text_or_none
from renown.sources.base import SourceError
from renown.sources.facebook import repaired

Record = dict[str, object]
_HTML_DATES: Final = ("%b %d, %Y %I:%M %p", "%b %d, %Y, %I:%M %p", "%b %d, %Y %I:%M:%S %p",
                      "%B %d, %Y %I:%M %p", "%b %d, %Y")
_PROFILE_LINK: Final = re.compile(r"instagram\.com/(?:_u/)?([A-Za-z0-9._]{1,30})/?$|"
                                  r"threads\.(?:net|com)/@?([A-Za-z0-9._]{1,30})/?$")
#: Largest export file read (a JSON document is held whole while parsed).
MAX_FILE_BYTES: Final = 256 << 20


def count_or_none(value: object) -> int | None:
    """A follower count as an API gives it (an int; never a bool, a negative or a text)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        return None
    return value


def as_dict(value: object) -> Record:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def read_records(file: Path, keys: tuple[str, ...]) -> list[object] | None:
    """The file's records (JSON list, a list under one of ``keys``, or HTML blocks); None if
    the shape is unknown."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise SourceError(file, f"larger than {MAX_FILE_BYTES >> 20} MiB: not an export file")
        data = file.read_bytes()
    except OSError as exc:
        raise SourceError(file, f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(file, f"not UTF-8 text (byte {exc.start})") from exc
    if file.suffix.lower() in (".html", ".htm"):
        return list(html_records(file, text))
    parsed = repaired(load_json_text(file, text))
    if isinstance(parsed, list):
        return parsed
    for key in keys:
        if isinstance(value := as_dict(parsed).get(key), list):
            return value
    lists = [v for v in as_dict(parsed).values() if isinstance(v, list)]
    return lists[0] if len(lists) == 1 else None


def field(record: Record, *labels: str) -> dict[str, object]:
    """A ``string_map_data`` field by any of its labels (they changed case between years)."""
    fields = as_dict(record.get("string_map_data"))
    wanted = {label.lower() for label in labels}
    return next((as_dict(v) for k, v in fields.items() if k.lower() in wanted), {})


def field_text(record: Record, *labels: str) -> str | None:
    return text_or_none(field(record, *labels).get("value"))


def record_time(record: Record) -> datetime | None:
    """The time of a record: its own timestamp, a ``Time`` field, or its first entry's."""
    for value in (record.get("creation_timestamp"), record.get("timestamp"),
                  field(record, "Time", "Creation Time").get("timestamp")):
        if (ts := epoch_seconds(value)) is not None:
            return ts
    for entry in as_list(record.get("string_list_data")) + as_list(record.get("media")):
        entry = as_dict(entry)
        for value in (entry.get("timestamp"), entry.get("creation_timestamp")):
            if (ts := epoch_seconds(value)) is not None:
                return ts
    return None


def account_of(entry: Record, record: Record) -> str | None:
    """The other account of a follower/like entry: its value, the record's title, or the
    user name in its profile link."""
    for candidate in (entry.get("value"), record.get("title")):
        text = text_or_none(candidate)
        if text and re.fullmatch(r"@?[A-Za-z0-9._]{1,30}", text.strip()):
            return text.strip().lstrip("@").lower()
    match = _PROFILE_LINK.search(str(entry.get("href") or ""))
    return (match.group(1) or match.group(2)).lower() if match else None


def entries(record: Record) -> list[Record]:
    return [as_dict(e) for e in as_list(record.get("string_list_data")) if isinstance(e, dict)]


class _Blocks(HTMLParser):
    """Meta's HTML export: one ``uiBoxWhite`` (or ``_a6-g``) block per record."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.records: list[Record] = []
        self.depth = 0
        self.block_depth: int | None = None
        self.current: Record = {}
        self.row: list[list[str]] = []
        self.cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if self.cell is not None and (text := " ".join("".join(self.text).split())):
            self.cell.append(text)  # a label before the value's nested elements
        self.depth += 1
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        if self.block_depth is None and tag == "div" and classes & {"uiBoxWhite", "_a6-g"}:
            self.block_depth = self.depth
            self.current = {"string_map_data": {}, "string_list_data": []}
        elif self.block_depth is not None and tag == "a" and values.get("href"):
            as_list(self.current["string_list_data"]).append({"href": values["href"]})
        elif tag == "td":
            self.cell = []
        self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.block_depth is not None:
            self._close(tag, " ".join("".join(self.text).split()))
            if self.depth == self.block_depth:
                self.records.append(self.current)
                self.block_depth = None
        self.depth = max(self.depth - 1, 0)
        self.text = []

    def _close(self, tag: str, text: str) -> None:
        links = as_list(self.current["string_list_data"])
        if self.cell is not None and text and tag != "td":
            self.cell.append(text)
        if tag == "td" and self.cell is not None:
            self.row.append(self.cell + ([text] if text else []))
            self.cell = None
        elif tag == "tr":
            self._row()
        elif tag == "a" and links and text:
            as_dict(links[-1]).setdefault("value", text)
        elif tag in ("div", "h2") and text and self.cell is None:
            if (ts := html_date(text)) is not None:
                self._time(ts)
            elif "title" not in self.current:
                self.current["title"] = text

    def _row(self) -> None:
        """A table row: ``label | value`` cells, or one cell holding a label then a value."""
        parts = [p for cell in self.row for p in cell]
        self.row = []
        if len(parts) < 2:
            return
        label, value = parts[0], " ".join(parts[1:])
        if (ts := html_date(value)) is not None and label.lower() in ("time", "creation time"):
            as_dict(self.current["string_map_data"])[label] = {"timestamp": utc_epoch(ts)}
            self._time(ts)
        else:
            as_dict(self.current["string_map_data"])[label] = {"value": value}

    def _time(self, ts: datetime) -> None:
        self.current.setdefault("timestamp", utc_epoch(ts))
        for link in as_list(self.current["string_list_data"]):
            as_dict(link).setdefault("timestamp", self.current["timestamp"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


_VOID: Final = frozenset({"br", "img", "meta", "link", "hr", "input", "wbr", "source"})


def utc_epoch(ts: datetime) -> int:
    return calendar.timegm(ts.timetuple())


def html_date(text: str) -> datetime | None:
    cleaned = " ".join(text.replace("\u202f", " ").split())
    if not 8 <= len(cleaned) <= 40:
        return None
    for fmt in _HTML_DATES:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


def html_records(file: Path, text: str) -> list[Record]:
    parser = _Blocks()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's last resort on broken markup
        raise SourceError(file, f"unreadable HTML: {exc}") from exc
    return parser.records
