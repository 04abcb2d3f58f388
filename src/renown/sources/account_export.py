"""What the sources for personal data exports share (X archive, LinkedIn, Facebook, Reddit).

Those exports have no stable event ids for some records, say time in a handful
of ways, and come as folders of loosely specified files; every one of the
sources needs the same few tools to turn them into `BATCH_SCHEMA` rows:

- `Collector`: rows, rejections and account facts of one file, handed out as
  `Batch`\\ es (a reaction to oneself loses its subject here, once, for all).
- `derived_id`: a deterministic event id from a record's identifying fields,
  so re-ingesting an export adds nothing twice.
- `epoch_seconds` and `parse_export_date`: the time formats the exports use,
  always to naive UTC (what the store keeps).
- `find_file` / `has_any_file`: export file names differ in case between
  export tools and years.
- `decode_text` / `load_json_text`: whole-file reads that fail with a
  `SourceError` naming the file, never with a bare exception.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from renown.sources.base import (
    RAW_EXCERPT_CHARS,
    Batch,
    BatchBuffer,
    Rejection,
    SourceError,
)

Row = dict[str, object]
#: Rows per yielded batch: bounds memory on large exports.
BATCH_ROWS: Final = 50_000
#: Epoch seconds outside this range are not real dates (year 9999 is Python's limit).
_MAX_EPOCH: Final = 253_402_300_799
_NUMBER: Final = re.compile(r"\s*-?\d+(\.\d+)?\s*")
#: Date formats seen in exports (LinkedIn changed them between years).
_DATE_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d",
    "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y", "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p", "%m/%d/%y", "%m/%d/%Y",
)


def derived_id(prefix: str, *parts: object) -> str:
    """``prefix-<20 hex digits>``: the SHA-1 of the parts, for records with no id of their own."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:20]}"


def epoch_seconds(value: object) -> datetime | None:
    """Naive UTC from unix seconds given as an int, a float or their text; None if not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value):
            return None
        value = float(value)
    try:
        if not 0 < value <= _MAX_EPOCH:
            return None
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def parse_export_date(text: object) -> datetime | None:
    """Naive UTC from the date texts exports use (``2023-05-04 10:22:33 UTC``, ``04 May 2023``).

    A trailing ``UTC``/``Z`` is dropped (exports write UTC); a date alone is midnight.
    """
    if not isinstance(text, str):
        return None
    cleaned = re.sub(r"\s*(UTC|GMT|Z)$", "", text.strip().strip('"').strip())
    if not cleaned or len(cleaned) > 40:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def raw_excerpt(value: object) -> str:
    """A record as text for quarantine (JSON when it is data, capped like every raw excerpt)."""
    if isinstance(value, str):
        return value[:RAW_EXCERPT_CHARS]
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text[:RAW_EXCERPT_CHARS]


def text_or_none(value: object) -> str | None:
    """A non-blank string, else None: exports use "" and null alike for "nothing"."""
    return value if isinstance(value, str) and value.strip() else None


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (a BOM allowed); anything else makes the file unusable, and says where."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start})") from exc


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    return decode_text(path, data)


def load_json_text(path: Path, text: str, first_line: int = 1) -> object:
    """Parse JSON, or fail naming the file and line (``first_line``: where ``text`` starts)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"malformed JSON at line {exc.lineno + first_line - 1}: "
                          f"{exc.msg}") from exc
    except (ValueError, RecursionError) as exc:
        raise SourceError(path, f"unreadable JSON: {type(exc).__name__}") from exc


def find_file(folder: Path, name: str) -> Path | None:
    """The file called ``name`` in ``folder``, matched without regard to case."""
    exact = folder / name
    if exact.is_file():
        return exact
    try:
        return next((p for p in sorted(folder.iterdir())
                     if p.name.lower() == name.lower() and p.is_file()), None)
    except OSError:
        return None


def has_any_file(folder: Path, names: tuple[str, ...]) -> bool:
    """Whether ``folder`` holds a file with one of ``names`` (any case); never raises."""
    wanted = {n.lower() for n in names}
    try:
        return folder.is_dir() and any(p.name.lower() in wanted for p in folder.iterdir())
    except OSError:
        return False


def slug(text: str) -> str:
    """Lower-case letters, digits and single hyphens: a stable account id from a name."""
    return re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-_")


class Collector(BatchBuffer):
    """Rows, rejections and account facts of one file, handed out in batches."""

    def __init__(self, network: str, file: Path | None) -> None:
        super().__init__(network, str(file) if file is not None else None)

    def add(self, event_id: str, ts: datetime, actor: str, kind: str, record: int, *,
            subject: str | None = None, post_id: str | None = None,
            parent_id: str | None = None, text: str | None = None,
            tags: list[str] | None = None, lang: str | None = None,
            url: str | None = None, topic: str | None = None) -> None:
        """One event; reacting to oneself is no reaction, so such a subject goes."""
        self.rows.append({
            "network": self.network, "event_id": event_id, "ts": ts, "actor": actor,
            "kind": kind, "subject": None if subject == actor else subject,
            "post_id": post_id, "parent_id": parent_id, "text": text, "tags": tags,
            "lang": lang, "topic": topic, "url": url, "record": record,
        })

    def reject(self, record: int, reason: str, raw: object) -> None:
        self.rejections.append(Rejection.of(record, reason, raw_excerpt(raw), self.file))

    def account(self, account: str, display_name: str | None = None,
                followers: int | None = None) -> None:
        """An account fact; a later fact for the same account fills in what it knows."""
        known = self.accounts.get(account)
        if known is None:
            self.accounts[account] = {"network": self.network, "account": account,
                                      "display_name": display_name, "followers": followers}
            return
        known["display_name"] = display_name or known["display_name"]
        known["followers"] = followers if followers is not None else known["followers"]

    def full(self) -> Iterator[Batch]:
        """A batch when enough has gathered (call after each record)."""
        if self.size() >= BATCH_ROWS:
            yield self.take()

    def rest(self) -> Iterator[Batch]:
        """Whatever is left, at the end of the file."""
        if self.size():
            yield self.take()
