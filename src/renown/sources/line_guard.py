"""A byte stream of text lines with the lines no parser should see taken out.

Arrow's CSV reader is fast but unforgiving: one line of invalid UTF-8 makes
it refuse the whole file (a single flipped byte in a 500 MB edge list), and
a line of tens of megabytes costs it many times that in memory.  This stream
sits between the file and the reader: a line that is not UTF-8, or longer
than ``max_line`` bytes, is replaced by an empty line (so line numbers stay
true, and the reader drops it as blank) and reported as a `Rejection`.  A
long line is skipped as it streams past, never held whole.

The common case costs one UTF-8 check and one vectorised newline scan per
4 MiB chunk; only a chunk that fails them is looked at line by line.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import BinaryIO, Final, Protocol

import numpy as np

from renown.sources.base import Rejection

CHUNK: Final = 1 << 22


class GuardedLines(io.RawIOBase):
    """Read-only stream over ``raw`` yielding only well-formed lines (module doc)."""

    def __init__(self, raw: BinaryIO, max_line: int, reject: Callable[[Rejection], None]
                 ) -> None:
        self.raw = raw
        self.max_line = max_line
        self.reject = reject
        self._carry = b""
        self._out = bytearray()
        self._line = 1  # number of the first line in ``_carry``
        self._skipping = False
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._out and not self._eof:
            self._fill()
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        del self._out[:size]
        return size

    def _fill(self) -> None:
        chunk = self.raw.read(CHUNK)
        if not chunk:
            self._eof = True
            if self._skipping:
                self._skipping = False
            elif self._carry:
                self._emit(self._carry)
            self._carry = b""
            return
        if self._skipping:
            end = chunk.find(b"\n")
            if end < 0:
                return
            self._skipping = False
            self._out += b"\n"
            self._line += 1
            chunk = chunk[end + 1:]
        data = self._carry + chunk
        cut = data.rfind(b"\n") + 1
        complete, self._carry = data[:cut], data[cut:]
        if complete:
            self._emit(complete)
        if len(self._carry) > self.max_line:  # a line too long to hold: skip the rest of it
            self._refuse(self._carry, f"line longer than {self.max_line:,} bytes")
            self._carry, self._skipping = b"", True

    def _emit(self, lines: bytes) -> None:
        """Pass whole lines on; any that break a rule become empty lines."""
        try:
            lines.decode("utf-8")
            clean = len(lines) <= self.max_line or _longest_line(lines) <= self.max_line
        except UnicodeDecodeError:
            clean = False
        if clean:
            self._out += lines
            self._line += lines.count(b"\n")
            return
        pieces = lines.split(b"\n")
        for index, line in enumerate(pieces):
            last = index == len(pieces) - 1
            reason = self._problem(line)
            if reason is not None:
                self._refuse(line, reason)
                line = b""
            self._out += line if last else line + b"\n"
            if not last:
                self._line += 1

    def _problem(self, line: bytes) -> str | None:
        if len(line) > self.max_line:
            return f"line longer than {self.max_line:,} bytes"
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"invalid UTF-8 at byte {exc.start + 1}"
        return None

    def _refuse(self, line: bytes, reason: str) -> None:
        self.reject(Rejection.of(self._line, reason, line[:4096]))


def _longest_line(data: bytes) -> int:
    """Length of the longest line in ``data`` (vectorised: the common case is many lines)."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 0x0A)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    return int(np.diff(bounds).max()) - 1


class LineReader(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def bounded_lines(handle: LineReader, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(1-based number, line without its end) of every line, never holding a long one whole.

    A line longer than ``max_bytes`` comes out as its first ``max_bytes + 1``
    bytes (so the reader can tell it is too long and reject it) and the rest
    of it is skipped as it streams past: a gzip bomb of one 200 MB line costs
    ``max_bytes``, not 200 MB.
    """
    number = 0
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := handle.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
        yield number, line.rstrip(b"\r\n")
