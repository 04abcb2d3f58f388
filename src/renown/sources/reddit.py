"""Reddit dumps (Pushshift, Arctic Shift): NDJSON submissions (RS_) and comments (RC_) → events.

One JSON object per line; a file may hold submissions, comments or both.  Plain,
``.gz``, ``.bz2`` (Pushshift's older months) or ``.zst`` (the dumps' own
compression since 2018 and Arctic Shift's; needs the ``zstandard`` package),
streamed.  Both field sets are read: the 2011 one (ups/downs, no
``retrieved_on``) and the 2018+ one (``author_fullname``, ``gildings``...).

- **submission** (has ``title``) → ``post``, id and ``post_id`` ``t3_<id>``
  (Reddit's own "fullname", unique across the site), text = title, a blank
  line, then the self text (unless empty, ``[deleted]`` or ``[removed]``),
  tags = the subreddit (lower-case), url = the permalink.
- **comment** (has ``body``) → ``comment``, id and ``post_id`` ``t1_<id>``,
  ``parent_id`` = its ``parent_id`` (``t1_``: a comment, ``t3_``: the
  submission), subject = that parent's author when the parent is in the same
  file, else none.  A dump says who wrote a comment, not whom it answered, and
  guessing would invent reactions; ingest RS and RC files of the same
  subreddit as one concatenated file to resolve top-level comments.  Tags =
  the subreddit, because a comment in a community is evidence in its topic.
- **authors** are usernames (the public id comments and links use).  A
  ``[deleted]`` (or missing) author is ``~deleted-<fullname>``: the content
  still drew reactions and the reactions were still made by someone, but the
  person is gone; system accounts count as outcomes and are never scored.
  Commenting on one's own content keeps no subject.
- **time**: ``created_utc``, integer or text (some months store a string).
  The 2011 ``created`` field is local server time and is not used.
- **not events**: ``score``, ``ups``, ``downs``, ``num_comments``, gildings.
  They are anonymous, fuzzed totals as of the dump's crawl, not acts by
  anyone: turning them into votes would invent voters.  Text is HTML-unescaped
  (Reddit stores ``&amp;``, ``&lt;``, ``&gt;``).

The file is read twice: first into an index of fullname → author (about 100
bytes per record), then into events, so a comment finds its parent wherever
it is in the file.  Record numbers are line numbers.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.sources.account_export import Collector, epoch_seconds, text_or_none
from renown.sources.base import Batch, SourceOptions
from renown.sources.compressed import open_stream, read_errors
from renown.sources.event_rows import MAX_RECORD_BYTES
from renown.sources.line_guard import bounded_lines

DESCRIPTION: Final = ("Reddit dump (Pushshift / Arctic Shift NDJSON of submissions RS_ and "
                      "comments RC_), plain, .gz, .bz2 or .zst")
EXPECTS_FOLDER: Final = False
DEFAULT_NETWORK: Final = "reddit"
#: Records per batch: a Reddit record is large (a 2018 comment has 40 fields), and a
#: month-sized file must stream in small steps (peak memory, docs/formats.md).
BATCH_RECORDS: Final = 4_000
#: Read natively, streaming (no decompressed copy).
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})
GONE: Final = frozenset({"[deleted]", "[removed]", ""})
_BASE36: Final = re.compile(r"[0-9a-z]{1,16}")
_FULLNAME: Final = re.compile(r"t[1-6]_[0-9a-z]{1,16}")
_DUMP_NAME: Final = re.compile(r"R[SC]_\d{4}-\d{2}")

Record = dict[str, object]


def sniff(path: Path, head: bytes) -> bool:
    """``RS_YYYY-MM``/``RC_YYYY-MM`` file names, or a first line that is a Reddit record."""
    try:
        if path.is_dir():
            return False
        if _DUMP_NAME.match(path.name):
            return True
        first = head.split(b"\n", 1)[0] if b"\n" in head else b""
        record = json.loads(first) if first.strip() else None
    except (ValueError, RecursionError):
        return False
    return (isinstance(record, dict) and "subreddit" in record and "created_utc" in record
            and ("title" in record or "body" in record))


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    network = options.network or DEFAULT_NETWORK
    authors = _index(path)
    out = Collector(network, None)
    for number, line in _lines(path):
        record, reason = _parse(line)
        if record is None:
            out.reject(number, reason, line)
        elif "body" in record or "parent_id" in record:
            _comment(out, number, record, authors)
        elif "title" in record:
            _submission(out, number, record)
        else:
            out.reject(number, "neither a submission (no title) nor a comment (no body)", line)
        if out.size() >= BATCH_RECORDS:
            yield out.take()
    yield from out.rest()


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines with their 1-based numbers; a broken stream refuses the file.

    Compressed files (gz, bz2, zst, told by their first bytes) decompress as they
    stream (`renown.sources.compressed`): a month of comments is never held whole.
    """
    with read_errors(path), open_stream(path) as handle:
        for number, line in bounded_lines(handle, MAX_RECORD_BYTES):
            if line.strip():
                yield number, line


def _parse(line: bytes) -> tuple[Record | None, str]:
    if len(line) > MAX_RECORD_BYTES:
        return None, f"line longer than {MAX_RECORD_BYTES >> 20} MiB"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, "invalid UTF-8"
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None, "not JSON"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    return record, ""


def fullname(record: Record, prefix: str) -> str | None:
    """``t3_<id>`` / ``t1_<id>`` from ``id`` (or ``name``); None when there is no usable id."""
    raw = record.get("id")
    if isinstance(raw, str) and _BASE36.fullmatch(raw):
        return f"{prefix}_{raw}"
    name = record.get("name")
    if isinstance(name, str) and name.startswith(f"{prefix}_") and _FULLNAME.fullmatch(name):
        return name
    return None


def author_account(author: object, name: str) -> str:
    """The username, or the system account of a deleted author of ``name``."""
    if isinstance(author, str) and author.strip() not in GONE:
        return author.strip()
    return f"{SYSTEM_ACCOUNT_PREFIX}deleted-{name}"


def _index(path: Path) -> dict[str, str]:
    """Fullname → author account of every record, for comments' subjects."""
    authors: dict[str, str] = {}
    for _, line in _lines(path):
        record, _ = _parse(line)
        if record is None:
            continue
        prefix = "t1" if "body" in record or "parent_id" in record else "t3"
        if name := fullname(record, prefix):
            authors[name] = author_account(record.get("author"), name)
    return authors


def _common(record: Record, number: int, prefix: str,
            out: Collector) -> tuple[str, datetime, str, list[str]] | None:
    """Id, time, actor and tags every record needs, or None after rejecting it."""
    name = fullname(record, prefix)
    if name is None:
        out.reject(number, "missing or malformed id", record)
        return None
    ts = epoch_seconds(record.get("created_utc"))
    if ts is None:
        out.reject(number, f"missing or unparseable created_utc "
                   f"{record.get('created_utc')!r}", record)
        return None
    subreddit = record.get("subreddit")
    tags = [subreddit.strip().lower()] if isinstance(subreddit, str) and subreddit.strip() else []
    return name, ts, author_account(record.get("author"), name), tags


def _text(value: object) -> str | None:
    text = text_or_none(value)
    return None if text is None or text.strip() in GONE else html.unescape(text)


def _permalink(record: Record) -> str | None:
    link = record.get("permalink")
    if isinstance(link, str) and link.startswith("/"):
        return f"https://www.reddit.com{link}"
    return None


def _submission(out: Collector, number: int, record: Record) -> None:
    common = _common(record, number, "t3", out)
    if common is None:
        return
    name, ts, actor, tags = common
    text = "\n\n".join(t for t in (_text(record.get("title")), _text(record.get("selftext")))
                       if t)
    out.add(name, ts, actor, "post", number, post_id=name, text=text or None, tags=tags,
            url=_permalink(record))


def _comment(out: Collector, number: int, record: Record, authors: dict[str, str]) -> None:
    common = _common(record, number, "t1", out)
    if common is None:
        return
    name, ts, actor, tags = common
    parent = record.get("parent_id")
    parent_id = parent if isinstance(parent, str) and _FULLNAME.fullmatch(parent) else None
    url = _permalink(record)
    link, subreddit = record.get("link_id"), tags[0] if tags else None
    if url is None and isinstance(link, str) and _FULLNAME.fullmatch(link) and subreddit:
        url = f"https://www.reddit.com/r/{subreddit}/comments/{link[3:]}/_/{name[3:]}/"
    out.add(name, ts, actor, "comment", number, subject=authors.get(parent_id or ""),
            post_id=name, parent_id=parent_id, text=_text(record.get("body")), tags=tags,
            url=url)
