"""LinkedIn data export ("Get a copy of your data") → events.

An export holds only what its owner did: their shares, their comments and
reactions on others' posts, their connections.  Nobody else's reactions to the
owner are in it, so LinkedIn data alone can show the owner's output and the
owner's reactions to others, never the owner's outcomes.

- **owner**: the export does not contain the owner's profile URL.  The account
  is the owner's name from ``Profile.csv`` made a slug (``Ann Example`` →
  ``ann-example``, stable across exports), else the folder's name as a slug.
  Link it to a person with ``renown link`` (or ingest with ``--network``).
- **Shares.csv** → ``post`` by the owner, text = ShareCommentary, url =
  ShareLink, id and ``post_id`` = the ``urn:li:...`` in ShareLink.  A share
  whose SharedUrl is a LinkedIn post (``linkedin.com/posts/<vanity>_...``) is
  a ``reshare`` of that author (``quote`` when the owner added commentary).
  SharedUrl and SharedURL (the name changed between years) are both read.
- **Comments.csv** → ``comment`` by the owner, ``parent_id`` = the urn in
  Link, subject = the author when Link is a ``/posts/<vanity>_`` URL, else
  none (a ``feed/update/urn:...`` link does not say whose post it was).
  Real files are not valid CSV: a message with line breaks breaks the
  quoting.  A record is therefore a line starting with a date and a link (or
  nothing) plus every following line up to the next such line.
- **Reactions.csv** → ``like`` (every reaction type) by the owner, subject
  as for comments, id ``reaction-<urn>`` (one reaction per post).
- **Connections.csv** (a "Notes:" paragraph before the header) → two
  ``follow`` events, owner → connection and connection → owner (a connection
  is mutual), on the Connected On date; the connection's account is the
  vanity name in its profile URL.  A connection without URL (LinkedIn leaves
  it out for some members) has no account and is quarantined.

Dates: ``2023-05-04 10:22:33 UTC``, ``2023-05-04 10:22:33``, ``04 May 2023``
and a few other spellings, all UTC.  Other files are not read.  Record
numbers are the line a record starts on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import unquote

from renown.sources.account_export import (
    Collector,
    derived_id,
    find_file,
    has_any_file,
    parse_export_date,
    read_text,
    slug,
    text_or_none,
)
from renown.sources.base import Batch, SourceError, SourceOptions

DESCRIPTION: Final = ("LinkedIn data export folder (Shares.csv, Comments.csv, Reactions.csv, "
                      "Connections.csv)")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "linkedin"
DATA_FILES: Final = ("Shares.csv", "Comments.csv", "Reactions.csv", "Connections.csv")
_URN: Final = re.compile(r"urn:li:(activity|ugcPost|share):(\d+)")
_POST_ACTIVITY: Final = re.compile(r"-activity-(\d+)")
_POST_AUTHOR: Final = re.compile(r"linkedin\.com/posts/([^/_?#]+)_", re.IGNORECASE)
_PROFILE: Final = re.compile(r"linkedin\.com/in/([^/?#]+)", re.IGNORECASE)
_RECORD_START: Final = re.compile(r'"?([^,"]{6,40})"?(?:,(.*))?')


def sniff(path: Path, head: bytes) -> bool:
    return has_any_file(path, DATA_FILES)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = {name: find_file(path, name) for name in DATA_FILES}
    if not any(files.values()):
        raise SourceError(path, f"not a LinkedIn export: none of {', '.join(DATA_FILES)}")
    network = options.network or DEFAULT_NETWORK
    owner = owner_account(path)
    for name, handler in (("Shares.csv", _shares), ("Comments.csv", _comments),
                          ("Reactions.csv", _reactions), ("Connections.csv", _connections)):
        if (file := files[name]) is not None:
            out = Collector(network, file)
            handler(file, owner, out)
            yield from out.rest()


def owner_account(folder: Path) -> str:
    """The owner's name from Profile.csv as a slug, else the folder's name as one."""
    profile = find_file(folder, "Profile.csv")
    try:
        for _, row in _rows(profile, {"firstname", "lastname"}) if profile else ():
            if isinstance(row, dict):
                name = slug(f"{row.get('firstname', '')} {row.get('lastname', '')}")
                if name:
                    return name
    except SourceError:
        pass  # an unreadable profile only costs the nicer name
    return slug(folder.resolve().name) or "linkedin-owner"


def _key(column: str) -> str:
    """Column names differ between export years (SharedUrl, SharedURL): compare them loosely."""
    return re.sub(r"[^a-z0-9]", "", column.lower())


def _rows(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str] | list[str]]]:
    """(start line, row by loose column name) after the header; a list for a malformed row.

    Lines before the header (Connections.csv's "Notes:") are not records.
    """
    reader = csv.reader(io.StringIO(read_text(path).replace("\x00", "")))
    header: list[str] | None = None
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if header is None:
                if required <= {_key(c) for c in row}:
                    header = [_key(c) for c in row]
                continue
            if not any(cell.strip() for cell in row):
                continue
            yield start, (dict(zip(header, row, strict=True)) if len(row) == len(header)
                          else row)
    except csv.Error as exc:
        raise SourceError(path, f"unreadable CSV at line {reader.line_num}: {exc}") from exc
    if header is None:
        raise SourceError(path, f"no header row with the columns {', '.join(sorted(required))}")


def _malformed(out: Collector, number: int, row: list[str]) -> None:
    out.reject(number, f"unexpected number of columns ({len(row)})", ",".join(row))


def urn(url: str | None) -> str | None:
    """``urn:li:activity:<n>`` (or ugcPost/share) named in a LinkedIn URL, if any."""
    if not url:
        return None
    text = unquote(url)
    if match := _URN.search(text):
        return f"urn:li:{match.group(1)}:{match.group(2)}"
    if "/posts/" in text and (match := _POST_ACTIVITY.search(text)):
        return f"urn:li:activity:{match.group(1)}"
    return None


def post_author(url: str | None) -> str | None:
    """The author's vanity name when the URL is a ``linkedin.com/posts/<vanity>_...`` link."""
    match = _POST_AUTHOR.search(unquote(url or ""))
    return match.group(1).lower() if match else None


def _shares(file: Path, owner: str, out: Collector) -> None:
    for number, row in _rows(file, {"date", "sharelink"}):
        if isinstance(row, list):
            _malformed(out, number, row)
            continue
        ts = parse_export_date(row.get("date"))
        if ts is None:
            out.reject(number, f"unparseable Date {row.get('date')!r}", row)
            continue
        link, text = text_or_none(row.get("sharelink")), text_or_none(row.get("sharecommentary"))
        shared = text_or_none(row.get("sharedurl"))
        post_id = urn(link)
        event_id = post_id or derived_id("share", ts, text, shared)
        author = post_author(shared)
        kind = "post" if author is None else ("quote" if text else "reshare")
        out.add(event_id, ts, owner, kind, number, subject=author, post_id=post_id,
                parent_id=urn(shared) if author else None, text=text, url=link or shared)


@dataclass(slots=True)
class _Comment:
    line: int
    date: str
    parts: list[str]


def _comment_records(text: str) -> Iterator[_Comment | tuple[int, str]]:
    """Comments.csv records by where they start; (line, text) for lines outside any record."""
    current: _Comment | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _RECORD_START.fullmatch(line)
        rest = (match.group(2) or "") if match else ""
        if match and parse_export_date(match.group(1)) and (
                not rest or rest.lstrip('"').lower().startswith(("http", ","))):
            if current is not None:
                yield current
            current = _Comment(number, match.group(1), [rest])
        elif current is not None:
            current.parts.append(line)
        elif line.strip() and not {"date", "message"} <= {_key(c) for c in line.split(",")}:
            yield number, line
    if current is not None:
        yield current


def _unquote_message(text: str) -> str | None:
    message = text.strip()
    if message.startswith('"'):
        message = message[1:]
        message = message.removesuffix('"') if message.endswith('"') else message
    return text_or_none(message.replace('""', '"').strip())


def _split_link(rest: str) -> tuple[str | None, str]:
    """The Link field (quoted or not) and the raw rest of the record, the message."""
    if rest.startswith('"'):
        link, _, after = rest[1:].partition('"')
        return text_or_none(link.strip()), after.removeprefix(",")
    link, _, after = rest.partition(",")
    return text_or_none(link.strip()), after


def _comments(file: Path, owner: str, out: Collector) -> None:
    for record in _comment_records(read_text(file)):
        if isinstance(record, tuple):
            out.reject(record[0], "line outside any comment (no date and link before it)",
                       record[1])
            continue
        link, message_text = _split_link("\n".join(record.parts))
        message = _unquote_message(message_text)
        ts = parse_export_date(record.date)
        if ts is None or (link is None and message is None):
            out.reject(record.line, "comment with neither link nor message", record.parts)
            continue
        out.add(derived_id("comment", ts, link, message), ts, owner, "comment", record.line,
                subject=post_author(link), parent_id=urn(link), text=message, url=link)


def _reactions(file: Path, owner: str, out: Collector) -> None:
    for number, row in _rows(file, {"date", "link"}):
        if isinstance(row, list):
            _malformed(out, number, row)
            continue
        ts = parse_export_date(row.get("date"))
        if ts is None:
            out.reject(number, f"unparseable Date {row.get('date')!r}", row)
            continue
        link = text_or_none(row.get("link"))
        parent = urn(link)
        event_id = (f"reaction-{parent}" if parent
                    else derived_id("reaction", link or ts, row.get("type")))
        out.add(event_id, ts, owner, "like", number, subject=post_author(link),
                parent_id=parent, url=link)


def _connections(file: Path, owner: str, out: Collector) -> None:
    for number, row in _rows(file, {"url", "connectedon"}):
        if isinstance(row, list):
            _malformed(out, number, row)
            continue
        match = _PROFILE.search(row.get("url", ""))
        other = unquote(match.group(1)).strip().lower() if match else ""
        ts = parse_export_date(row.get("connectedon"))
        if not other:
            out.reject(number, "connection without a profile URL: its account is unknown", row)
        elif ts is None:
            out.reject(number, f"unparseable Connected On {row.get('connectedon')!r}", row)
        else:
            name = f"{row.get('firstname', '')} {row.get('lastname', '')}".strip()
            out.account(other, name or None)
            out.add(f"follow-{owner}-{other}", ts, owner, "follow", number, subject=other)
            out.add(f"follow-{other}-{owner}", ts, other, "follow", number, subject=owner)
