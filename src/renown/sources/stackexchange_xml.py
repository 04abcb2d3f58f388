"""Reading StackExchange data-dump XML: streaming rows, dates, HTML and tags.

A dump file is one root element (``<posts>``, ``<votes>``...) holding one
``<row .../>`` per record, every field an attribute.  Files reach tens of
gigabytes on the big sites, so rows are streamed with
`xml.etree.ElementTree.iterparse` and each element is cleared as soon as it has
been read: memory stays flat whatever the file size.  Expat (behind
ElementTree) refuses entity-expansion bombs, so a hostile file fails cleanly.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import BinaryIO, Final
from xml.sax.saxutils import quoteattr

from renown.sources.base import SourceError

#: The dump files the source reads, by the root element each must have.
#: Smallest read handed to expat (see `LargeReads`).
XML_READ: Final = 1 << 22
DUMP_FILES: Final = {"Posts.xml": "posts", "Votes.xml": "votes",
                     "Comments.xml": "comments", "Users.xml": "users"}


@dataclass(frozen=True, slots=True)
class XmlRow:
    """One ``<row>``: its 1-based position in the file and its attributes."""

    record: int
    attrs: dict[str, str]

    def raw(self) -> str:
        """The row as XML again, for the quarantine's excerpt of a bad record."""
        fields = " ".join(f"{name}={quoteattr(value)}" for name, value in self.attrs.items())
        return f"<row {fields} />"

    def missing(self, *names: str) -> str | None:
        """The reason this row cannot be used if a required attribute is absent."""
        absent = [name for name in names if not self.attrs.get(name, "").strip()]
        return f"missing attribute {', '.join(absent)}" if absent else None


def find_dump_files(folder: Path) -> dict[str, Path]:
    """The four dump files a folder must hold (names matched case-insensitively).

    A folder without them is not a dump, or a truncated one: reading it would
    silently lose whole kinds of events, so it is refused as a whole.
    """
    present = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    found = {name: present[name.lower()] for name in DUMP_FILES if name.lower() in present}
    absent = [name for name in DUMP_FILES if name not in found]
    if absent:
        raise SourceError(folder, f"not a complete StackExchange data dump: missing "
                          f"{', '.join(absent)} (expected {', '.join(DUMP_FILES)})")
    return found


def iter_rows(path: Path) -> Iterator[XmlRow]:
    """Stream the ``<row>`` elements of one dump file, numbered from 1.

    Malformed XML makes the whole input unusable (the rest of the file cannot
    be trusted), so it raises `SourceError` naming the file, line and column.
    """
    expected_root = DUMP_FILES.get(path.name, path.name.lower().removesuffix(".xml"))
    try:
        with path.open("rb") as raw:
            yield from _rows(path, expected_root, LargeReads(raw))
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc


class LargeReads:
    """A file whose reads are at least `XML_READ` bytes, whatever the parser asks for.

    ElementTree feeds expat 16 KiB at a time, and expat before 2.6 re-scans a
    token that spans reads from its start at every read (CVE-2023-52425): one
    24 MB attribute took 20 s.  With 4 MiB reads the same file takes a blink.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        return self.raw.read(size if size < 0 else max(size, XML_READ))


def _rows(path: Path, expected_root: str, stream: LargeReads) -> Iterator[XmlRow]:
    root: ET.Element | None = None
    record = 0
    try:
        for event, element in ET.iterparse(stream, events=("start", "end")):
            if root is None:
                root = element
                if element.tag.lower() != expected_root.lower():
                    raise SourceError(path, f"expected a <{expected_root}> dump file, "
                                      f"found root element <{element.tag}>")
                continue
            if event != "end" or element.tag != "row":
                continue
            record += 1
            yield XmlRow(record, dict(element.attrib))
            root.clear()  # drop finished rows so memory stays flat
    except ET.ParseError as exc:
        line, column = exc.position
        problem = str(exc).split(":")[0]
        raise SourceError(path, f"malformed XML at line {line}, column {column}: {problem} "
                          f"(after {record} complete rows)") from exc


def parse_timestamp(text: str | None) -> datetime | None:
    """A dump date (``2018-03-12T17:00:45.567``, UTC without zone) as naive UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


_LINE_BREAK: Final = re.compile(r"(?i)<br\s*/?>|<hr\s*/?>")
_LIST_ITEM: Final = re.compile(r"(?i)<li\b[^>]*>")
_TAG: Final = re.compile(r"<[^>]*>")
_TRAILING_SPACE: Final = re.compile(r"[ \t]+\n")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


def html_to_text(html: str | None) -> str:
    """Readable plain text from a post body's HTML.

    Tags go, entities are decoded after the tags are gone (so ``&lt;b&gt;`` in
    a post about HTML stays as text), line breaks and list items keep their
    lines, and code keeps its indentation: good enough for people to read and
    for topic evidence, without an HTML parser dependency.
    """
    if not html:
        return ""
    text = _LINE_BREAK.sub("\n", html)
    text = _LIST_ITEM.sub("- ", text)
    text = unescape(_TAG.sub("", text))
    text = _TRAILING_SPACE.sub("\n", text.replace("\r\n", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_ANGLE_TAG: Final = re.compile(r"<([^<>]+)>")


def parse_tags(text: str | None) -> list[str]:
    """Question tags in either dump syntax: ``<a><b>`` (older) or ``|a|b|`` (newer)."""
    if not text:
        return []
    if "<" in text:
        tags = _ANGLE_TAG.findall(text)
    elif "|" in text:
        tags = text.split("|")
    else:
        tags = text.split()
    return [t.strip() for t in tags if t.strip()]
