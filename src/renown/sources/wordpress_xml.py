"""Streaming a WXR file: the channel's facts first, then one item at a time.

WXR files reach hundreds of megabytes on old blogs, so the file is read with
`xml.etree.ElementTree.iterparse` and each ``<item>`` is removed from the tree
once it has been handed out: memory stays flat.  Namespaces are reduced to
the prefixes WordPress uses (``wp:``, ``dc:``, ``content:``, ``excerpt:``),
whatever version URI (1.0–1.2, http or https) the export declares.

WordPress lets control characters that XML 1.0 forbids into post and comment
text, and such an export fails in every XML parser; they carry no meaning,
so they are removed from the byte stream before parsing (they are single
bytes that never occur inside a UTF-8 multi-byte sequence, so this is safe
for the UTF-8 that WXR always is).  Anything else malformed makes the file
unusable: `SourceError` with line and column.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final
from xml.sax.saxutils import escape, quoteattr

from renown.sources.base import RAW_EXCERPT_CHARS, SourceError
from renown.sources.stackexchange_xml import XML_READ

_FORBIDDEN: Final = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_NAMESPACE: Final = re.compile(r"\{([^}]*)\}(.*)")
_PREFIXES: Final = (("wordpress.org/export/1.", "excerpt", "excerpt:"),
                    ("wordpress.org/export/", "", "wp:"),
                    ("purl.org/dc/elements/", "", "dc:"),
                    ("purl.org/rss/1.0/modules/content", "", "content:"))


def local_name(tag: str) -> str:
    """``{http://wordpress.org/export/1.2/}post_id`` → ``wp:post_id`` (module doc)."""
    match = _NAMESPACE.fullmatch(tag)
    if match is None:
        return tag
    uri, name = match.groups()
    for marker, also, prefix in _PREFIXES:
        if marker in uri and also in uri:
            return prefix + name
    return tag


class Element:
    """An element's children by their short names (the first of each name)."""

    def __init__(self, element: ET.Element) -> None:
        self.element = element
        self.fields: dict[str, str] = {}
        for child in element:
            self.fields.setdefault(local_name(child.tag), child.text or "")

    def text(self, name: str) -> str:
        """The child's text, stripped; "" when absent."""
        return self.fields.get(name, "").strip()

    def raw(self) -> str:
        """The element as XML again, for the quarantine's excerpt."""
        return xml_excerpt(self.element, RAW_EXCERPT_CHARS)


def xml_excerpt(element: ET.Element, limit: int) -> str:
    """The first ``limit`` characters of an element as XML, without recursion.

    `ET.tostring` recurses once per nesting level (a hostile export nested
    200,000 deep raised RecursionError) and serialises the whole element only
    to keep its first 2,000 characters; this walks an explicit stack and stops.
    """
    out: list[str] = []
    size = 0
    stack: list[tuple[ET.Element, bool]] = [(element, False)]
    while stack and size < limit:
        node, closing = stack.pop()
        if closing:
            piece = f"</{node.tag}>" + escape((node.tail or "")[:limit]) \
                if node is not element else f"</{node.tag}>"
        else:
            attributes = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrib.items())
            piece = f"<{node.tag}{attributes}>" + escape((node.text or "")[:limit])
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node))
        out.append(piece)
        size += len(piece)
    return "".join(out)[:limit]


class Item(Element):
    """One ``<item>``: its position, fields, comments and categories."""

    def __init__(self, element: ET.Element, record: int) -> None:
        super().__init__(element)
        self.record = record
        self.comments = [Element(c) for c in element if local_name(c.tag) == "wp:comment"]
        self.categories = [(c.get("domain", ""), c.get("nicename", ""), c.text or "")
                           for c in element if local_name(c.tag) == "category"]


@dataclass(slots=True)
class Channel:
    """What the channel says before its items: simple fields and the authors."""

    fields: dict[str, str] = field(default_factory=dict)
    authors: list[dict[str, str]] = field(default_factory=list)


class _XmlSafe:
    """A byte stream with the control characters XML forbids removed (module doc)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        # At least 4 MiB a read: expat < 2.6 re-scans a token spanning reads (LargeReads).
        return self.raw.read(size if size < 0 else max(size, XML_READ)).translate(
            None, _FORBIDDEN)


def iter_channel(path: Path) -> Iterator[Channel | Item]:
    """The `Channel` (once, before the first item), then every `Item` in order."""
    try:
        with path.open("rb") as raw:
            yield from _parse(path, _XmlSafe(raw))
    except ET.ParseError as exc:
        line, column = exc.position
        raise SourceError(path, f"malformed XML at line {line}, column {column}: "
                          f"{str(exc).split(':')[0]}") from exc
    except (ValueError, LookupError) as exc:  # e.g. an encoding expat cannot read
        raise SourceError(path, f"cannot parse as XML: {exc}") from exc
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc


def _parse(path: Path, stream: _XmlSafe) -> Iterator[Channel | Item]:
    stack: list[ET.Element] = []
    channel = Channel()
    sent, record = False, 0
    for event, element in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            if not stack and local_name(element.tag) != "rss":
                raise SourceError(path, f"not a WordPress export: root element "
                                  f"<{element.tag}>, expected <rss>")
            stack.append(element)
            continue
        stack.pop()
        if len(stack) != 2:  # only the channel's children matter here
            continue
        name = local_name(element.tag)
        if name == "item":
            if not sent:
                _check_wxr(path, channel)
                sent = True
                yield channel
            record += 1
            yield Item(element, record)
        elif name == "wp:author":
            channel.authors.append({k: v.strip() for k, v in Element(element).fields.items()})
        elif len(element) == 0:
            channel.fields.setdefault(name, (element.text or "").strip())
        stack[-1].remove(element)  # free what has been read
    if not sent:
        _check_wxr(path, channel)
        yield channel


def _check_wxr(path: Path, channel: Channel) -> None:
    if "wp:wxr_version" not in channel.fields:
        raise SourceError(path, "not a WordPress export: no wp:wxr_version in the channel "
                          "(an ordinary RSS feed? use --format feed)")
