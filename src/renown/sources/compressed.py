"""Compressed inputs (``.gz``, ``.bz2``, ``.zst``) read as streams, never whole.

Dumps come compressed: Pushshift used bz2, then zstd; Arctic Shift and GH
Archive ship ``.zst`` and ``.gz``.  A month of Reddit comments is tens of
gigabytes once decompressed, so no reader may hold a file whole: every
decompressor here is a stream that hands out a few MiB at a time.

- `codec` tells the compression from the first bytes (the name can lie, and
  a ``.json`` that is really gzip is common after a browser download).
- `open_stream` opens a file decompressed, whatever its codec, as a binary
  stream; a broken stream surfaces as `SourceError` through `read_errors`.
- `decompressed_copy` is for the sources that open a file by path in their
  own way (Arrow's CSV reader, expat): the file is decompressed, streaming,
  into a temporary folder under its name without the suffix, read, and
  removed.  Memory stays bounded; disk holds the decompressed copy while the
  file is read.  Sources list what they read natively in ``COMPRESSIONS``
  (or in `NATIVE` for the ones written before this module), and the store
  only makes a copy when the source cannot read the codec itself.

zstd needs the ``zstandard`` package (in the ``connectors`` extra; Python
3.11 has no zstd of its own); without it a ``.zst`` file is refused with
the command that installs it.
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import io
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final, cast

from renown.sources.base import SourceError

#: Magic numbers of the codecs read here.
_MAGIC: Final = ((b"\x1f\x8b", "gz"), (b"BZh", "bz2"), (b"\x28\xb5\x2f\xfd", "zst"))
#: File name suffixes of each codec (what is stripped for a decompressed copy).
SUFFIXES: Final = {"gz": (".gz", ".gzip"), "bz2": (".bz2",), "zst": (".zst", ".zstd")}
#: The codecs the sources written before this module read themselves.
NATIVE: Final[dict[str, frozenset[str]]] = {
    "events": frozenset({"gz"}), "higgs": frozenset({"gz"}),
    "snap-temporal": frozenset({"gz"}), "bluesky-jetstream": frozenset({"gz"}),
}
INSTALL_ZSTD: Final = ("a .zst file needs the zstandard package: pip install "
                       "'renown[connectors]' (or decompress it first: zstd -d FILE)")
#: zstd frames of the Reddit dumps use windows up to 2 GiB (``--long=31``).
_ZSTD_WINDOW: Final = 1 << 31
_CHUNK: Final = 1 << 20
#: Compressed bytes decompressed at a time: at most 128 KiB of output per 4-byte RLE
#: block, so even a bomb yields a bounded piece (64 MiB) before lines are cut from it.
_ZSTD_FEED: Final = 2048


def codec(path: Path) -> str | None:
    """``gz``, ``bz2`` or ``zst`` from the file's first bytes; None for anything else."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError:
        return None
    return next((name for prefix, name in _MAGIC if magic.startswith(prefix)), None)


def stripped_name(name: str) -> str:
    """The file name without a compression suffix (``RC_2023-01.zst`` → ``RC_2023-01``)."""
    lower = name.lower()
    for suffixes in SUFFIXES.values():
        for suffix in suffixes:
            if lower.endswith(suffix) and len(name) > len(suffix):
                return name[:-len(suffix)]
    return name


class _ZstdStream(io.RawIOBase):
    """zstd frames decompressed as read; a stream that ends inside a frame is an error.

    zstandard's own ``stream_reader`` ends quietly at a truncated frame (half a
    month would look like a whole one); here the end of the input must be the
    end of a frame.  Concatenated frames (``cat a.zst b.zst``) are read on.
    """

    def __init__(self, path: Path, raw: IO[bytes], zstandard: Any) -> None:
        self.path, self.raw, self.zstandard = path, raw, zstandard
        self.frame = self._new_frame()
        self.pending, self.offset = b"", 0
        self.started = False  # whether the current frame has had any input

    def _new_frame(self) -> Any:
        return self.zstandard.ZstdDecompressor(max_window_size=_ZSTD_WINDOW).decompressobj()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self.offset >= len(self.pending):
            chunk = self.raw.read(_ZSTD_FEED)
            if not chunk:
                if self.started and not self.frame.eof:
                    raise SourceError(self.path, "truncated zstd stream (ends inside a frame)")
                return 0
            self.pending, self.offset = self._feed(chunk), 0
        size = min(len(buffer), len(self.pending) - self.offset)
        buffer[:size] = self.pending[self.offset:self.offset + size]
        self.offset += size
        return size

    def _feed(self, chunk: bytes) -> bytes:
        """Decompress a small piece of input (small: a bomb's output per piece stays bounded)."""
        out = []
        while chunk:
            self.started = True
            out.append(self.frame.decompress(chunk))
            if not self.frame.eof:
                break
            chunk = self.frame.unused_data
            self.frame, self.started = self._new_frame(), False
        return b"".join(out)

    def close(self) -> None:
        self.raw.close()
        super().close()


def _zstd_reader(path: Path, raw: IO[bytes]) -> IO[bytes]:
    try:
        zstandard = importlib.import_module("zstandard")
    except ImportError:
        raw.close()
        raise SourceError(path, INSTALL_ZSTD) from None
    return cast(IO[bytes], io.BufferedReader(_ZstdStream(path, raw, zstandard), _CHUNK))


def open_stream(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed as they are read (plain files as they are)."""
    kind = codec(path)
    try:
        if kind == "gz":
            return cast(IO[bytes], gzip.open(path, "rb"))
        if kind == "bz2":
            return cast(IO[bytes], bz2.open(path, "rb"))
        raw = path.open("rb")
    except OSError as exc:
        raise SourceError(path, f"cannot read: {exc.strerror or exc}") from exc
    return _zstd_reader(path, raw) if kind == "zst" else raw


def head(path: Path, size: int) -> bytes:
    """Up to ``size`` decompressed bytes from the start (for format detection); b"" on error."""
    try:
        with open_stream(path) as stream:
            return stream.read(size)
    except (SourceError, OSError, EOFError, ValueError, zlib.error):
        return b""
    except Exception as exc:  # zstandard.ZstdError is no OSError
        if _is_zstd_error(exc):
            return b""
        raise


def _is_zstd_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("zstandard")


@contextmanager
def read_errors(path: Path) -> Iterator[None]:
    """Turn a broken stream (truncated, corrupt, not what its magic says) into a SourceError."""
    try:
        yield
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        if isinstance(exc, UnicodeError):
            raise
        raise SourceError(path, f"cannot read (truncated or corrupt?): {exc}") from exc
    except Exception as exc:
        if _is_zstd_error(exc):
            raise SourceError(path, f"cannot decompress: {exc}") from exc
        raise


def needs_copy(path: Path, native: frozenset[str]) -> bool:
    """Whether ``path`` is compressed with a codec its source cannot read itself."""
    kind = codec(path) if path.is_file() else None
    return kind is not None and kind not in native


@contextmanager
def decompressed_copy(path: Path) -> Iterator[Path]:
    """A decompressed copy of ``path`` in a temporary folder, removed afterwards (module doc)."""
    with tempfile.TemporaryDirectory(prefix="renown-decompressed-") as folder:
        target = Path(folder) / stripped_name(path.name)
        with read_errors(path), open_stream(path) as stream, target.open("wb") as out:
            shutil.copyfileobj(stream, out, _CHUNK)
        yield target
