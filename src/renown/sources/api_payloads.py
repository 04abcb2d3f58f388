"""Saved API responses as input: one JSON file, or a folder of them read as one set.

People save what an API answered (``curl ... > page1.json``), page by page;
a reply on page 3 may answer a post on page 1.  So the API sources (YouTube
Data API, Instagram Graph, Threads, TikTok, Pinterest) take a file or a
folder of ``.json`` files (any depth, names in order, compressed allowed) as
one all-or-nothing input, and index the whole set before making events.

`sniff_payload` is the cheap detection they share: the first JSON file's
first 64 KiB must hold all of a set of marker strings (key names the API
always writes) and none of another's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from renown.sources.account_export import load_json_text
from renown.sources.base import SourceError
from renown.sources.compressed import open_stream, read_errors, stripped_name
from renown.sources.sniffing import HEAD_BYTES, read_head

#: Largest saved response read (a JSON document is held whole while parsed).
MAX_PAYLOAD_BYTES: Final = 256 << 20
_SUFFIXES: Final = (".json", ".ndjson", ".jsonl")


def payload_files(path: Path) -> list[Path]:
    """The input's JSON files: the file itself, or a folder's ``*.json`` in name order."""
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file()
                   and stripped_name(p.name).lower().endswith(_SUFFIXES)
                   and not p.name.startswith("."))
    if not files:
        raise SourceError(path, "no .json files in the folder")
    return files


def load_payload(file: Path) -> object:
    """One saved response, parsed; a SourceError naming the file and line if it is not JSON."""
    with read_errors(file), open_stream(file) as stream:
        data = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(data) > MAX_PAYLOAD_BYTES:
        raise SourceError(file, f"larger than {MAX_PAYLOAD_BYTES >> 20} MiB: save the "
                          "responses page by page")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(file, f"not UTF-8 text (byte {exc.start})") from exc
    return load_json_text(file, text)


def first_head(path: Path, files: int = 8) -> bytes:
    """The first 64 KiB of the file, or of a folder's first few JSON files (joined by
    newlines, the first file first); b"" if none."""
    if path.is_file():
        return read_head(path)
    try:
        found = sorted(p for p in path.iterdir() if p.is_file()
                       and stripped_name(p.name).lower().endswith(_SUFFIXES))[:files]
    except OSError:
        return b""
    return b"\n".join(read_head(p)[:HEAD_BYTES] for p in found)


def sniff_payload(path: Path, head: bytes, needs: tuple[bytes, ...],
                  never: tuple[bytes, ...] = ()) -> bool:
    """Whether the (first) payload starts as JSON and holds every marker of ``needs``."""
    data = head if path.is_file() else first_head(path)
    text = data.lstrip()
    if not text.startswith((b"{", b"[")):
        return False
    return all(m in data for m in needs) and not any(m in data for m in never)


def json_or_none(data: bytes) -> object:
    """``data`` parsed when it is one whole JSON document, else None (for sniffers)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None
