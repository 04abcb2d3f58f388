"""Hostile inputs: valid seeds turned into what an attacker or a broken exporter sends.

Each mutator takes a copy of a seed input (a file, or a folder whose files it
may rewrite, replace or add to) and a `random.Random`, and changes it in
place.  The mutations are the classic ways parsers fail: random bytes,
truncation, bit rot, structure characters in the wrong place, the wrong text
encoding, nesting deep enough to exhaust a recursive parser, one enormous
line, and, for folder inputs, entries that point outside the folder
(symlinks), never end (FIFOs) or have hostile names.
"""

from __future__ import annotations

import codecs
import itertools
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Final

#: Planted outside the input; a symlink mutation points at it.  Must never be stored.
SECRET_MARKER: Final = "renown-secret-4d1f0c9e-must-not-be-read"
#: Nesting depth for the deep-nesting mutation: far past any recursion limit.
DEEP: Final = 200_000
#: Bytes of the one-line mutation (well over the 8 MiB record limit).
HUGE_LINE: Final = 24 << 20
_STRUCTURE: Final = (b"{", b"}", b"[", b"]", b'"', b"\\", b",", b":", b"<", b">", b"&",
                     b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"<![CDATA[", b"-->", b"0" * 40,
                     b"1e999999", b"-1", b"NaN", b"null", b"\t", b"'", b"\xef\xbb\xbf")

Mutator = Callable[[Path, random.Random], None]


def members(path: Path) -> list[Path]:
    """The regular files of an input, in a stable order (the input itself for a file)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _target(path: Path, rnd: random.Random) -> Path:
    """A regular file of the input to mutate (a new empty one if an earlier mutation left none)."""
    files = members(path)
    if files:
        return rnd.choice(files)
    return _new_member(path)


def _new_member(folder: Path) -> Path:
    """A new empty regular file in ``folder``.

    Never a name already taken: an earlier mutation may have made ``extra.json``
    a FIFO, and opening a FIFO to write blocks until a reader comes, forever.
    """
    for n in itertools.count():
        extra = folder / (f"extra-{n}.json" if n else "extra.json")
        if not os.path.lexists(extra):
            extra.write_bytes(b"")
            return extra
    raise AssertionError("unreachable")


def random_bytes(path: Path, rnd: random.Random) -> None:
    target = _target(path, rnd)
    target.write_bytes(rnd.randbytes(rnd.choice((0, 1, 7, 64, 512, 4096))))


def truncate(path: Path, rnd: random.Random) -> None:
    target = _target(path, rnd)
    data = target.read_bytes()
    target.write_bytes(data[:rnd.randrange(len(data) + 1)])


def garble(path: Path, rnd: random.Random) -> None:
    """A few bytes flipped, inserted, deleted or replaced by structure characters."""
    target = _target(path, rnd)
    data = bytearray(target.read_bytes())
    for _ in range(rnd.randint(1, 12)):
        at = rnd.randrange(len(data) + 1)
        action = rnd.randrange(4)
        if action == 0 and at < len(data):
            data[at] ^= 1 << rnd.randrange(8)
        elif action == 1:
            data[at:at] = rnd.choice(_STRUCTURE)
        elif action == 2 and data:
            del data[at:at + rnd.randint(1, 16)]
        else:
            size = rnd.randint(1, 64)
            start = rnd.randrange(len(data) + 1)
            data[at:at] = data[start:start + size]  # a piece of itself, elsewhere
    target.write_bytes(bytes(data))


def wrong_encoding(path: Path, rnd: random.Random) -> None:
    """The right text in the wrong encoding: UTF-16, latin-1 mojibake, broken UTF-8."""
    target = _target(path, rnd)
    text = target.read_bytes().decode("utf-8", "replace")
    choice = rnd.randrange(4)
    if choice == 0:
        data = text.encode("utf-16")  # with a byte-order mark
    elif choice == 1:
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    elif choice == 2:
        data = text.encode("utf-8").decode("latin-1").encode("utf-8")
    else:
        raw = bytearray(text.encode("utf-8"))
        for _ in range(rnd.randint(1, 8)):
            raw.insert(rnd.randrange(len(raw) + 1), rnd.choice((0x80, 0xC0, 0xED, 0xF8, 0xFF)))
        data = bytes(raw)
    target.write_bytes(data)


def deep_nesting(path: Path, rnd: random.Random) -> None:
    """Brackets (JSON) or elements (XML) nested `DEEP` levels, somewhere in a file."""
    target = _target(path, rnd)
    data = target.read_bytes()
    opener, closer = rnd.choice(((b"[", b"]"), (b'{"a":', b"}"), (b"<a>", b"</a>")))
    depth = rnd.choice((DEEP // 10, DEEP))
    at = rnd.randrange(len(data) + 1)
    target.write_bytes(data[:at] + opener * depth + closer * depth + data[at:])


def huge_line(path: Path, rnd: random.Random) -> None:
    """One line of `HUGE_LINE` bytes (no newline inside), as a JSON string or bare."""
    target = _target(path, rnd)
    data = target.read_bytes()
    filler = b"y" * HUGE_LINE
    piece = rnd.choice((b'{"text": "' + filler + b'"}', filler))
    at = data.find(b"\n") + 1 if rnd.random() < 0.5 else rnd.randrange(len(data) + 1)
    target.write_bytes(data[:at] + piece + data[at:])


def escaping_symlink(path: Path, rnd: random.Random) -> None:
    """A member replaced by a symlink to a file outside the input (a planted secret)."""
    secret = path.parent / "outside-secret.txt"
    secret.write_text((SECRET_MARKER + "\n") * 4, encoding="utf-8")
    if path.is_file():
        return  # a file input the user names is theirs to name
    target = _target(path, rnd)
    target.unlink()
    target.symlink_to(os.path.relpath(secret, target.parent))


def fifo_member(path: Path, rnd: random.Random) -> None:
    """A member that is a FIFO: reading it would block forever."""
    if path.is_file():
        return
    target = _target(path, rnd)
    target.unlink()
    os.mkfifo(target)


def hostile_names(path: Path, rnd: random.Random) -> None:
    """Extra members with names that are not UTF-8, hold newlines, dots or are very long."""
    if path.is_file():
        return
    source = _target(path, rnd)
    names = [b"...", b"\xff\xfe.json", b"a\nb.json", b"-rf.xml", b"x" * 250,
             b"%2e%2e%2fetc%2fpasswd.js", b"tweets.js\x7f", b" Posts.xml"]
    for name in rnd.sample(names, 3):
        copy = source.parent / os.fsdecode(name)
        # An earlier round may have made this name already, even as a FIFO or a link.
        if not os.path.lexists(copy):
            shutil.copyfile(source, copy)


#: name → mutator, in the order reports list them.
MUTATORS: Final[dict[str, Mutator]] = {
    "random-bytes": random_bytes,
    "truncate": truncate,
    "garble": garble,
    "wrong-encoding": wrong_encoding,
    "deep-nesting": deep_nesting,
    "huge-line": huge_line,
    "escaping-symlink": escaping_symlink,
    "fifo": fifo_member,
    "hostile-names": hostile_names,
}

#: The mutations cheap enough to run in every case (the other two write tens of MB).
CHEAP: Final = tuple(sorted(set(MUTATORS) - {"huge-line", "deep-nesting"}))
