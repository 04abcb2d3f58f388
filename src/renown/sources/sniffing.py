"""Recognising a format from a file's name and first bytes (``renown ingest`` without --format).

Each source module exposes ``sniff(path, head) -> bool``; the recognisers for
the built-in formats live here, and `detect_format` asks every registered
source.  Recognisers are cheap and never raise: a wrong guess is impossible to
act on silently, because detection must be unanimous (exactly one format says
yes) and the command says what it detected.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path
from typing import Final

HEAD_BYTES: Final = 1 << 16
_HIGGS_LINE: Final = re.compile(rb"\d+ \d+ \d+ (RT|MT|RE)")
_EDGE_LINE: Final = re.compile(rb"\d+[ \t]+\d+[ \t]+\d+([ \t]+\S+)?")


def read_head(path: Path) -> bytes:
    """The first 64 KiB of a file, decompressed (gzip, bz2, zstd); b"" for folders or errors."""
    if not path.is_file():
        return b""
    try:
        with path.open("rb") as handle:
            raw = handle.read(HEAD_BYTES)
        if raw[:2] == b"\x1f\x8b":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, HEAD_BYTES)
    except (OSError, zlib.error, gzip.BadGzipFile):
        return b""
    if raw[:3] == b"BZh" or raw[:4] == b"\x28\xb5\x2f\xfd":
        from renown.sources.compressed import head

        return head(path, HEAD_BYTES)
    return raw


def data_lines(head: bytes, limit: int = 20) -> list[bytes]:
    """Complete, non-empty, non-comment lines at the start of ``head``."""
    lines = head.split(b"\n")[:-1] if b"\n" in head else []
    kept = [line.strip() for line in lines if line.strip() and not line.startswith(b"#")]
    return kept[:limit]


def all_match(pattern: re.Pattern[bytes], head: bytes) -> bool:
    lines = data_lines(head)
    return bool(lines) and all(pattern.fullmatch(line) for line in lines)


def sniff_higgs(path: Path, head: bytes) -> bool:
    return all_match(_HIGGS_LINE, head)


def sniff_snap_temporal(path: Path, head: bytes) -> bool:
    return all_match(_EDGE_LINE, head) and not sniff_higgs(path, head)


def sniff_stackexchange(path: Path, head: bytes) -> bool:
    try:
        return path.is_dir() and any(p.name.lower() == "posts.xml" for p in path.iterdir())
    except OSError:
        return False


def sniff_events(path: Path, head: bytes) -> bool:
    """Parquet with the event columns, or JSON Lines / CSV whose first record names them."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".bz2", ".zst")]
    suffix = suffixes[-1] if suffixes else ""
    if suffix == ".parquet":
        return head[:4] == b"PAR1"
    lines = data_lines(head, limit=1)
    if not lines:
        return False
    if suffix in (".jsonl", ".ndjson", ".json"):
        try:
            first = json.loads(lines[0])
        except ValueError:
            return False
        return isinstance(first, dict) and {"actor", "kind"} <= set(first)
    if suffix == ".csv":
        header = {c.strip().strip('"') for c in lines[0].decode("utf-8", "replace").split(",")}
        return {"actor", "kind", "ts"} <= header
    return False
