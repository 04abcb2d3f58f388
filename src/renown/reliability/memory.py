"""Peak memory of ingesting huge and deeply nested inputs, per source format.

Each case runs in a forked child of a process that has imported everything
but computed nothing, and the child's peak resident memory (``wait4``) minus
the parent's resident memory at the fork is its cost.  Run as
``python -m renown.reliability.memory`` it prints one JSON object per case,
so a test (or ``renown selftest``) gets clean numbers from a fresh process.

The bound (`bound_bytes`): formats read record by record must not hold a
huge record (128 MiB, whatever the input); formats whose unit is a whole
document (a JSON payload, a feed) may hold it, parsed, at most 10 times its
size on top of that.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from renown.reliability.fuzzing import run_case
from renown.reliability.hostile import MUTATORS, members
from renown.reliability.seeds import SEEDS, write_seed

#: Formats that stream lines: memory must not grow with one line's size.  (A
#: StackExchange row is one XML element, held whole: it counts as a document.)
STREAMING: Final = frozenset({"events", "higgs", "snap-temporal", "bluesky-jetstream",
                              "reddit"})
#: Formats that read .gz: a gzip bomb (one 200 MB line in under 1 MB) is tried on them.
GZIP: Final = ("events", "higgs", "snap-temporal", "bluesky-jetstream", "reddit")
BOMB_LINE: Final = 200 << 20
BASE_ALLOWANCE: Final = 128 << 20


@dataclass(frozen=True, slots=True)
class MemoryCase:
    fmt: str
    case: str
    input_bytes: int
    peak_growth_bytes: int
    bound_bytes: int
    result: str
    detail: str

    @property
    def within_bound(self) -> bool:
        return self.peak_growth_bytes <= self.bound_bytes and self.result != "failed"


def bound_bytes(fmt: str, input_bytes: int) -> int:
    return BASE_ALLOWANCE + (0 if fmt in STREAMING else 10 * input_bytes)


def _build(fmt: str, case: str, folder: Path) -> tuple[Path, int]:
    path, _ = write_seed(fmt, folder / "input")
    if case == "gzip-bomb":
        bomb = path.with_name(path.name + ".gz")
        with gzip.open(bomb, "wb", compresslevel=1) as out:
            out.write(path.read_bytes())
            for _ in range(BOMB_LINE >> 20):
                out.write(b"y" * (1 << 20))
            out.write(b"\n" + path.read_bytes())
        path.unlink()
        return bomb, bomb.stat().st_size
    MUTATORS[case](path, random.Random(f"memory:{fmt}:{case}"))
    return path, sum(p.stat().st_size for p in members(path))


def _resident_bytes() -> int:
    with Path("/proc/self/statm").open(encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def measure(fmt: str, case: str) -> MemoryCase:
    """One case in a forked child; the parent stays clean for the next."""
    folder = Path(tempfile.mkdtemp(prefix="renown-memory-"))
    try:
        path, size = _build(fmt, case, folder)
        options = SEEDS[fmt][1]
        read, write = os.pipe()
        baseline = _resident_bytes()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            outcome = run_case(fmt, path, options, seconds=120)
            os.write(write, json.dumps([outcome.result, outcome.detail]).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            message = pipe.read()
        _, status, usage = os.wait4(pid, 0)
        result, detail = json.loads(message) if message else ["failed", f"child status {status}"]
        growth = usage.ru_maxrss * 1024 - baseline
        return MemoryCase(fmt, case, size, growth, bound_bytes(fmt, size), result, detail)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cases() -> list[tuple[str, str]]:
    """Every format with a huge line and deep nesting; the .gz readers with a bomb."""
    return [(fmt, case) for fmt in SEEDS for case in ("huge-line", "deep-nesting")] + \
        [(fmt, "gzip-bomb") for fmt in GZIP]


def main() -> None:
    import logging

    logging.disable(logging.CRITICAL)
    wanted = sys.argv[1:] or list(SEEDS)
    for fmt, case in cases():
        if fmt in wanted:
            print(json.dumps(asdict(measure(fmt, case))), flush=True)


if __name__ == "__main__":
    main()
