"""Bluesky Jetstream capture (JSON Lines, one firehose event a line) → events.

Jetstream (github.com/bluesky-social/jetstream) turns the AT Protocol
firehose into JSON: ``{"did", "time_us", "kind": "commit", "commit":
{"operation", "collection", "rkey", "record", "cid", "rev"}}``, plus
``identity`` and ``account`` events.  A capture is those lines saved to a
file (``.jsonl``, optionally gzipped).

- **create / update** of a post, like, repost or follow → events, mapped by
  `renown.sources.bluesky_records` (shared with the CAR and XRPC sources).
- **deletes** carry no record.  A delete of a record *created earlier in the
  same capture* is applied: that record gives no event (the account took it
  back — unliked, unfollowed, deleted the post — before the capture ended).
  A delete of a record from before the capture is **not** applied to events
  already in the store (ingestion only adds; erase people with
  ``renown forget``): it is counted.
- blocks, profiles, other lexicons, identity and account events are not
  influence: counted and logged, never stored.  A profile's displayName is
  kept as the account's display name.
- time: the record's createdAt when valid and not after ``time_us`` (plus 5
  minutes of clock skew), else ``time_us`` (when Jetstream saw it).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final, cast

from renown.sources.base import Batch, SourceError, SourceOptions, check_input_path
from renown.sources.bluesky_records import (
    BATCH_ROWS,
    NETWORK,
    BadRecordError,
    Collector,
    check_did,
    check_key,
    choose_time,
    epoch_micros,
)
from renown.sources.event_rows import MAX_RECORD_BYTES
from renown.sources.line_guard import bounded_lines
from renown.sources.sniffing import data_lines

DESCRIPTION: Final = "Bluesky Jetstream capture (JSON Lines of firehose events, .jsonl[.gz])"
EXPECTS_FOLDER: Final = False
_OPERATIONS: Final = frozenset({"create", "update", "delete"})

log = logging.getLogger(__name__)


def sniff(path: Path, head: bytes) -> bool:
    """The first complete line is a Jetstream event: did, time_us and kind."""
    lines = data_lines(head, limit=1)
    if not lines:
        return False
    try:
        first = json.loads(lines[0])
    except (ValueError, RecursionError):
        return False
    return isinstance(first, dict) and {"did", "time_us", "kind"} <= set(first)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    check_input_path(path, expects_folder=False)
    capture = _Capture(options.network or NETWORK, _deletions(path))
    for line_no, raw in _lines(path):
        capture.on_line(line_no, raw)
        if capture.out.size() >= BATCH_ROWS:
            yield capture.out.take()
    if capture.first_problem and not capture.parsed:
        raise SourceError(path, "no line is a Jetstream event (is this a Jetstream capture?); "
                                f"first problem: {capture.first_problem}")
    if capture.out.size():
        yield capture.out.take()
    capture.out.log_notes(log, path)


def read_messages(messages: Iterable[tuple[int, bytes]],
                  network: str = NETWORK) -> tuple[Batch, Counter[str]]:
    """Live Jetstream messages (``renown stream bluesky``) → one batch, and the notes.

    The same reading as a capture's lines, except that a stream has no end to
    look ahead to: a delete is never applied (counted, like a delete of a
    record from before a capture), so a message gives the same events
    whichever micro-batch it lands in.
    """
    capture = _Capture(network, {})
    for record, raw in messages:
        capture.on_line(record, raw)
    return capture.out.take(), capture.out.notes


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line) for every non-blank line; a broken gzip is unusable."""
    try:
        with _open(path) as handle:
            for line_no, raw in bounded_lines(handle, MAX_RECORD_BYTES):
                if raw.strip():
                    yield line_no, raw
    except (OSError, EOFError) as exc:
        raise SourceError(path, f"cannot read: {exc}") from exc


def _load(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_RECORD_BYTES:
        raise BadRecordError(f"line longer than {MAX_RECORD_BYTES >> 20} MiB")
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise BadRecordError("line is not UTF-8") from None
    except (ValueError, RecursionError):
        raise BadRecordError("line is not valid JSON") from None
    if not isinstance(value, dict):
        raise BadRecordError("line is not a JSON object")
    return value


def _record_uri(event: dict[str, Any]) -> tuple[str, str]:
    """(the commit's record URI, its operation); raises on a malformed commit."""
    did = check_did(event.get("did"), "did")
    commit = event.get("commit")
    if not isinstance(commit, dict):
        raise BadRecordError("commit event without a commit object")
    operation = commit.get("operation")
    if not isinstance(operation, str) or operation not in _OPERATIONS:
        raise BadRecordError(f"unknown commit operation {str(operation)[:40]!r}")
    collection, rkey = check_key(commit.get("collection"), commit.get("rkey"))
    return f"at://{did}/{collection}/{rkey}", str(operation)


def _deletions(path: Path) -> dict[str, int]:
    """First pass: record URI → line of its delete.  Only lines that mention
    "delete" are parsed, so this costs a fraction of the real pass."""
    deleted: dict[str, int] = {}
    for line_no, raw in _lines(path):
        if b'"delete"' not in raw:
            continue
        try:
            event = _load(raw)
            if event.get("kind") == "commit":
                uri, operation = _record_uri(event)
                if operation == "delete":
                    deleted[uri] = line_no  # the last one: a re-created record can go again
        except BadRecordError:
            continue  # reported by the real pass
    return deleted


class _Capture:
    """The state of one pass over a capture."""

    def __init__(self, network: str, deleted: dict[str, int]) -> None:
        self.out = Collector(network)
        self.deleted = deleted
        self.withdrawn: set[str] = set()
        self.parsed = 0
        self.first_problem = ""

    def on_line(self, line_no: int, raw: bytes) -> None:
        try:
            self._event(line_no, _load(raw))
        except BadRecordError as exc:
            self.out.reject(line_no, str(exc), raw)
            self.first_problem = self.first_problem or f"line {line_no}: {exc}"
            return
        self.parsed += 1

    def _event(self, line_no: int, event: dict[str, Any]) -> None:
        check_did(event.get("did"), "did")
        seen = epoch_micros(event.get("time_us"))
        if seen is None:
            raise BadRecordError("time_us is not a positive integer of microseconds")
        kind = event.get("kind")
        if kind in ("identity", "account"):
            self.out.notes[f"{kind} event (not influence)"] += 1
        elif kind == "commit":
            self._commit(line_no, event, seen)
        else:
            raise BadRecordError(f"unknown event kind {str(kind)[:40]!r}")

    def _commit(self, line_no: int, event: dict[str, Any], seen: datetime) -> None:
        uri, operation = _record_uri(event)
        commit = event["commit"]
        if operation == "delete":
            self.out.notes["delete applied (record created earlier in this capture)"
                           if uri in self.withdrawn else
                           "delete of a record from before this capture (not applied)"] += 1
            return
        if self.deleted.get(uri, 0) > line_no:
            self.withdrawn.add(uri)
            self.out.notes[f"{operation} later deleted in this capture (no event)"] += 1
            return
        record = commit.get("record")
        if not isinstance(record, dict):
            raise BadRecordError(f"{operation} without a record")
        when = choose_time(record.get("createdAt"), seen, ("time_us", seen))
        self.out.add_record(str(event["did"]), commit["collection"], commit["rkey"], record,
                            when, line_no)
