"""YouTube in Google Takeout ("YouTube and YouTube Music" folder, CSV files) → events.

Takeout holds its owner's side only: the channel's uploads, the comments it
wrote, the channels it subscribes to.  Comments others wrote on the owner's
videos are not in it (the Data API's ``commentThreads``, ``youtube-api``,
has them).  Files read, anywhere in the folder (Takeout names them in the
account's language; the English names are matched, any case):

- ``channels/channel.csv`` → the owner's channel id (``Channel ID``) and title.
- ``video metadata/videos.csv`` → ``post`` by ``Channel ID``, id
  ``yt-<Video ID>`` (as the Data API source, so both inputs name one video
  the same way), text = title, a blank line, description, time = ``Video
  Publish Timestamp`` (else ``Video Create Timestamp``).  Private videos are
  left out: nobody else could react to them.
- ``comments/comments*.csv`` (Takeout splits large ones: ``comments(1).csv``)
  → ``comment`` (``reply`` when ``Parent Comment ID`` is set) by ``Channel
  ID``, ``parent_id`` = the video (or the parent comment).  The subject is
  unknown: Takeout names the video, never its channel.  ``Comment Text`` is
  JSON fragments (``{"text":"Nice "},{"text":"video"}``), joined.
- ``subscriptions/subscriptions.csv`` → ``follow`` of ``Channel Id`` by the
  owner.  Takeout gives no subscription dates: each is dated at the file's
  modification time (when Takeout wrote it), i.e. "subscribed by then".

Record numbers are CSV line numbers (a comment may span lines).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from renown.sources.account_export import Collector, read_text, text_or_none
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.payloads import parse_instant

DESCRIPTION: Final = ("YouTube in Google Takeout: folder with channel.csv, videos.csv, "
                      "comments.csv, subscriptions.csv")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "youtube"
_ROLES: Final = (("channel", re.compile(r"channel\.csv")), ("videos", re.compile(r"videos\.csv")),
                 ("comments", re.compile(r"comments(\s*\(\d+\))?\.csv")),
                 ("subscriptions", re.compile(r"subscriptions\.csv")))
_MAX_DEPTH: Final = 5

Row = dict[str, str]


def takeout_files(folder: Path, max_files: int | None = 5_000) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {role: [] for role, _ in _ROLES}
    base, seen = len(folder.parts), 0
    for root, dirs, files in os.walk(folder):
        seen += len(files) + len(dirs)
        if max_files is not None and seen > max_files:
            break
        dirs[:] = sorted(d for d in dirs if len(Path(root).parts) - base < _MAX_DEPTH)
        for name in sorted(files):
            if role := next((r for r, p in _ROLES if p.fullmatch(name.lower())), None):
                found[role].append(Path(root) / name)
    return found


def sniff(path: Path, head: bytes) -> bool:
    """A folder with a Takeout videos, comments or subscriptions CSV (by their headers)."""
    try:
        if not path.is_dir():
            return False
        files = takeout_files(path)
        return any(_header(f) & {"video id", "comment id", "channel id"}
                   for role in ("videos", "comments", "subscriptions") for f in files[role])
    except (OSError, SourceError):
        return False


def _header(file: Path) -> set[str]:
    with file.open(encoding="utf-8-sig", errors="replace") as handle:
        return {c.strip().lower() for c in handle.readline().split(",")}


def _rows(file: Path) -> Iterator[tuple[int, Row | list[str]]]:
    """(line a row starts on, row by lower-cased column) after the header."""
    reader = csv.reader(io.StringIO(read_text(file).replace("\x00", "")))
    try:
        header = [c.strip().lower() for c in next(reader, [])]
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in row):
                yield start, (dict(zip(header, row, strict=True)) if len(row) == len(header)
                              else row)
    except csv.Error as exc:
        raise SourceError(file, f"unreadable CSV at line {reader.line_num}: {exc}") from exc


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = takeout_files(path, None)
    if not any(files[r] for r in ("videos", "comments", "subscriptions")):
        raise SourceError(path, "not a YouTube Takeout: no videos.csv, comments.csv or "
                          "subscriptions.csv in it")
    network = options.network or DEFAULT_NETWORK
    owner = _owner(files["channel"])
    for role, handler in (("videos", _videos), ("comments", _comments),
                          ("subscriptions", _subscriptions)):
        for file in files[role]:
            out = Collector(network, file)
            handler(out, file, owner)
            yield from out.rest()


def _owner(files: list[Path]) -> str | None:
    for file in files:
        for _, row in _rows(file):
            if isinstance(row, dict) and (channel := text_or_none(row.get("channel id"))):
                return channel.strip()
    return None


def _videos(out: Collector, file: Path, owner: str | None) -> None:
    for number, row in _rows(file):
        if isinstance(row, list):
            out.reject(number, f"unexpected number of columns ({len(row)})", row)
            continue
        video, channel = text_or_none(row.get("video id")), text_or_none(
            row.get("channel id")) or owner
        ts = parse_instant(row.get("video publish timestamp")) or parse_instant(
            row.get("video create timestamp"))
        if video is None or channel is None or ts is None:
            out.reject(number, "video without a Video ID, a Channel ID or a timestamp", row)
            continue
        if (row.get("privacy") or "").strip().lower() == "private":
            continue  # documented: private videos are nobody's to react to
        text = "\n\n".join(t for t in (text_or_none(row.get("video title (original)")),
                                       text_or_none(row.get("video description (original)")))
                           if t)
        out.add(f"yt-{video}", ts, channel.strip(), "post", number, post_id=video,
                text=text or None, url=f"https://www.youtube.com/watch?v={video}")


def comment_text(raw: str | None) -> str | None:
    """``{"text":"a "},{"text":"b"}`` → ``a b``; text that is not such JSON stays as it is."""
    if not raw or not raw.strip().startswith("{"):
        return text_or_none(raw)
    try:
        parts = json.loads(f"[{raw}]")
    except (ValueError, RecursionError):
        return text_or_none(raw)
    texts = [str(p.get("text", "")) for p in parts if isinstance(p, dict)]
    return text_or_none("".join(texts))


def _comments(out: Collector, file: Path, owner: str | None) -> None:
    for number, row in _rows(file):
        if isinstance(row, list):
            out.reject(number, f"unexpected number of columns ({len(row)})", row)
            continue
        ident = text_or_none(row.get("comment id"))
        author = text_or_none(row.get("channel id")) or owner
        ts = parse_instant(row.get("comment create timestamp"))
        if ident is None or author is None or ts is None:
            out.reject(number, "comment without a Comment ID, a Channel ID or a timestamp", row)
            continue
        parent = text_or_none(row.get("parent comment id"))
        video = text_or_none(row.get("video id")) or text_or_none(row.get("post id"))
        out.add(f"yt-comment-{ident}", ts, author.strip(), "reply" if parent else "comment",
                number, post_id=ident, parent_id=parent or video,
                text=comment_text(row.get("comment text")),
                url=f"https://www.youtube.com/watch?v={video}&lc={ident}" if video else None)


def _subscriptions(out: Collector, file: Path, owner: str | None) -> None:
    if owner is None:
        out.reject(1, "subscriptions without the owner's channel (channels/channel.csv)",
                   file.name)
        return
    written = datetime.fromtimestamp(file.stat().st_mtime, UTC).replace(tzinfo=None)
    for number, row in _rows(file):
        channel = text_or_none(row.get("channel id")) if isinstance(row, dict) else None
        if channel is None or isinstance(row, list):
            out.reject(number, "subscription without a Channel Id", row)
            continue
        out.add(f"follow-{owner}-{channel.strip()}", written, owner, "follow", number,
                subject=channel.strip())
        out.account(channel.strip(), text_or_none(row.get("channel title")))
