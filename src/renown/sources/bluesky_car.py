"""Bluesky repository export (a CAR file, ``com.atproto.sync.getRepo``) → events.

A repository is one account's records, as DAG-CBOR blocks in a CARv1 file:
the root is the signed commit ``{did, rev, data, version, prev, sig}``;
``data`` points to a Merkle Search Tree whose leaves map
``collection/rkey`` to each record's CID.  The CAR is decoded with the
maintained ``atproto`` library (``atproto_core.car.CAR``); the tree is walked
here (the library has no walker), in key order, which is how ``goat repo ls``
lists a repository.

- Actor of every record: the commit's DID (a repository holds one account).
- Records map like Jetstream commits (`renown.sources.bluesky_records`), so
  the same like read from a CAR and from Jetstream is the same event id.
- Time: createdAt when valid and not after the commit's ``rev`` (a TID: the
  time of the repository's latest commit, which no record can postdate), else
  the time in the record key (a TID), else the record is quarantined.
- Record numbers are 1-based positions in key order.
- Not checked: the commit signature (needs the DID document, i.e. the network)
  and block hashes (the decoder does not expose block bytes).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from renown.sources.base import Batch, SourceError, SourceOptions, check_input_path
from renown.sources.bluesky_records import (
    BATCH_ROWS,
    NETWORK,
    BadRecordError,
    Collector,
    check_did,
    check_key,
    choose_time,
    tid_time,
)

DESCRIPTION: Final = "Bluesky repository export (.car from com.atproto.sync.getRepo)"
EXPECTS_FOLDER: Final = False
INSTALL: Final = "pip install 'renown[connectors]'"
log = logging.getLogger(__name__)


def sniff(path: Path, head: bytes) -> bool:
    """A CARv1 header: a varint length, then a DAG-CBOR map naming roots and version."""
    return bool(head) and head[0] < 0x80 and b"eroots" in head[:16] and \
        b"gversion" in head[:head[0] + 1]


@dataclass(frozen=True, slots=True)
class Commit:
    """The repository's signed root, as ``goat repo inspect`` shows it."""

    did: str
    data: str
    rev: str
    version: int
    prev: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One leaf of the tree: ``collection/rkey``, the record's CID, the record (None: absent)."""

    key: str
    cid: str
    record: dict[str, Any] | None


def decode(data: bytes) -> tuple[Commit, list[Entry]]:
    """The commit and every record of a CAR, in key order (``goat repo ls`` order).

    Raises `ValueError`, saying why, when the CAR is unusable.
    """
    from atproto_core.car import CAR
    from atproto_core.cid import CID

    try:
        car = CAR.from_bytes(data)
    except Exception as exc:  # libipld and atproto raise several kinds
        raise ValueError(f"not a readable CAR file ({type(exc).__name__}: {exc})") from None
    blocks: dict[Any, Any] = car.blocks
    root = blocks.get(car.root)
    if not isinstance(root, dict) or not isinstance(root.get("data"), bytes):
        raise ValueError("the root block is not a repository commit")
    commit = Commit(did=str(root.get("did")), data=str(CID.from_decoded_bytes(root["data"])),
                    rev=str(root.get("rev")),
                    version=root["version"] if isinstance(root.get("version"), int) else 0,
                    prev=str(CID.from_decoded_bytes(root["prev"]))
                    if isinstance(root.get("prev"), bytes) else None)
    entries: list[Entry] = []
    _walk(blocks, CID.from_decoded_bytes(root["data"]), entries, set())
    return commit, entries


def _walk(blocks: dict[Any, Any], cid: Any, out: list[Entry], seen: set[Any]) -> None:
    """In-order walk of one MST node: left subtree, then each entry and its right subtree.

    Keys are prefix-compressed: entry ``k`` continues the first ``p`` bytes of
    the previous key.  A tree is a tree: a node reached twice (a cycle or a
    shared subtree, only in a forged file) or a too-deep tree is unusable.
    """
    from atproto_core.cid import CID

    node = blocks.get(cid)
    if not isinstance(node, dict) or not isinstance(node.get("e"), list):
        raise ValueError(f"tree node {cid} is missing or malformed (a partial export?)")
    if cid in seen or len(seen) > len(blocks):
        raise ValueError(f"tree node {cid} is reached twice: not a tree")
    seen.add(cid)
    if isinstance(node.get("l"), bytes):
        _walk(blocks, CID.from_decoded_bytes(node["l"]), out, seen)
    previous = b""
    for entry in node["e"]:
        if not (isinstance(entry, dict) and isinstance(entry.get("k"), bytes)
                and isinstance(entry.get("p"), int) and isinstance(entry.get("v"), bytes)):
            raise ValueError(f"tree node {cid} has a malformed entry")
        key = previous[:entry["p"]] + entry["k"]
        previous = key
        record_cid = CID.from_decoded_bytes(entry["v"])
        record = blocks.get(record_cid)
        out.append(Entry(key.decode("utf-8", "replace"), str(record_cid),
                         record if isinstance(record, dict) else None))
        if isinstance(entry.get("t"), bytes):
            _walk(blocks, CID.from_decoded_bytes(entry["t"]), out, seen)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    check_input_path(path, expects_folder=False)
    try:
        import atproto_core  # noqa: F401  (an optional dependency: say so plainly)
    except ImportError:
        raise SourceError(path, f"reading CAR files needs the atproto package ({INSTALL})") \
            from None
    try:
        commit, entries = decode(path.read_bytes())
        did = check_did(commit.did, "the commit's did")
    except (ValueError, RecursionError) as exc:  # BadRecordError is a ValueError
        raise SourceError(path, str(exc)) from None
    except BaseException as exc:  # a panic in the Rust decoder is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
            raise
        raise SourceError(path, f"not a readable CAR file ({type(exc).__name__})") from None
    out = Collector(options.network or NETWORK)
    last_commit = tid_time(commit.rev)
    for number, entry in enumerate(entries, 1):
        try:
            _entry(out, did, entry, number, last_commit)
        except BadRecordError as exc:
            out.reject(number, f"{entry.key}: {exc}", entry.record or entry.key)
        if out.size() >= BATCH_ROWS:
            yield out.take()
    if out.size():
        yield out.take()
    out.log_notes(log, path)


def _entry(out: Collector, did: str, entry: Entry, number: int,
           last_commit: datetime | None) -> None:
    collection, _, rkey = entry.key.partition("/")
    check_key(collection, rkey)
    if entry.record is None:
        raise BadRecordError("record block missing from the CAR")
    when = choose_time(entry.record.get("createdAt"), last_commit,
                       ("the record key's time", tid_time(rkey)))
    out.add_record(did, collection, rkey, entry.record, when, number)
