"""Running hostile inputs through the real ingestion path and judging what happened.

A case passes when ingestion either stores the input consistently (every
record counted as ingested, duplicate, quarantined or opted out; nothing
read from outside the input) or refuses it as a whole with `SourceError`, the
documented way out.  Anything else is a failure: another exception, a hang
past the time limit, or a planted secret that reached the store.
"""

from __future__ import annotations

import random
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Final

from renown.reliability.hostile import MUTATORS, SECRET_MARKER
from renown.reliability.seeds import SEEDS, write_seed
from renown.sources import SourceError, SourceOptions
from renown.store.database import connect, scalar
from renown.store.ingest import ingest
from renown.store.traces import table_traces

#: Mutations too slow to run hundreds of times (tens of MB each): run every Nth case.
_EXPENSIVE: Final = {"huge-line": 25, "deep-nesting": 5}


class CaseTimeoutError(BaseException):
    """A case ran past its time limit (a BaseException so no parser can swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time (main thread only).

    Nests inside an alarm already set (a test runner's own time limit): that
    one still fires on time, through its own handler, and keeps the time it
    has left after the block.
    """
    clock = time.monotonic()
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer_first = 0 < outer_left <= seconds  # then the alarm that comes is the outer one

    def expire(signum: int, frame: FrameType | None) -> None:
        if outer_first and callable(outer_handler):
            outer_handler(signum, frame)
        raise CaseTimeoutError(f"no result after {seconds:g}s")

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, outer_left if outer_first else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        left = outer_left - (time.monotonic() - clock)
        if outer_left and (left > 0 or not outer_first or not callable(outer_handler)):
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), outer_interval)


@dataclass(frozen=True, slots=True)
class Outcome:
    """``stored``, ``refused`` (SourceError) or ``failed``, with a reason."""

    result: str
    detail: str = ""


def run_case(fmt: str, path: Path, options: SourceOptions, *,
             seconds: float = 20.0) -> Outcome:
    """Ingest ``path`` into a fresh in-memory store and judge the result."""
    con = connect(":memory:")
    try:
        with time_limit(seconds):
            report = ingest(con, path, fmt, options)
        stored = int(scalar(con, "SELECT count(*) FROM events"))
        quarantined = int(scalar(con, "SELECT count(*) FROM quarantine"))
        accounted = report.ingested + report.duplicates + report.quarantined + report.opted_out
        if report.records != accounted or stored != report.ingested or \
                quarantined != report.quarantined:
            return Outcome("failed", f"counts disagree: {report} vs {stored} events, "
                                     f"{quarantined} quarantined")
        if table_traces(con, [SECRET_MARKER]):
            return Outcome("failed", "a file outside the input reached the store")
        return Outcome("stored", f"{report.ingested} events, {report.quarantined} quarantined")
    except SourceError as exc:
        return Outcome("refused", str(exc)[:200])
    except CaseTimeoutError as exc:
        return Outcome("failed", f"hang: {exc}")
    except Exception as exc:  # the point: anything but SourceError is a bug
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome("failed", f"{type(exc).__name__}: {str(exc)[:200]} "
                                 f"({Path(where.filename).name}:{where.lineno})")
    finally:
        con.close()


@dataclass
class FormatStats:
    """Cases run on one format, by result, with every failure's reproducer."""

    cases: int = 0
    stored: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)


def mutate(fmt: str, folder: Path, mutations: list[str], rnd: random.Random,
           ) -> tuple[Path, SourceOptions]:
    """A seed of ``fmt`` under ``folder`` with ``mutations`` applied in order."""
    path, options = write_seed(fmt, folder / "input")
    for name in mutations:
        MUTATORS[name](path, rnd)
    return path, options


def choose_mutations(case: int, rnd: random.Random) -> list[str]:
    """One or two mutations; the expensive ones only every Nth case."""
    cheap = [m for m in MUTATORS if m not in _EXPENSIVE]
    for name, every in _EXPENSIVE.items():
        if case % every == every - 1:
            return [name]
    return rnd.sample(cheap, rnd.choice((1, 1, 2)))


def fuzz_format(fmt: str, cases: int, seed: int, *, seconds: float = 20.0) -> FormatStats:
    """``cases`` hostile variants of ``fmt``'s seed, reproducible from ``seed``."""
    stats = FormatStats()
    for case in range(cases):
        rnd = random.Random(f"{seed}:{fmt}:{case}")
        mutations = choose_mutations(case, rnd)
        folder = Path(tempfile.mkdtemp(prefix="renown-fuzz-"))
        try:
            path, options = mutate(fmt, folder, mutations, rnd)
            outcome = run_case(fmt, path, options, seconds=seconds)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        stats.cases += 1
        if outcome.result == "failed":
            stats.failures.append(f"{fmt} case {case} (seed {seed}, {'+'.join(mutations)}): "
                                  f"{outcome.detail}")
        elif outcome.result == "stored":
            stats.stored += 1
        else:
            stats.refused += 1
    return stats


def fuzz_all(cases: int, seed: int, *, seconds: float = 20.0) -> dict[str, FormatStats]:
    """`fuzz_format` for every format with a seed (every format of `FORMATS`)."""
    started = time.perf_counter()
    results = {fmt: fuzz_format(fmt, cases, seed, seconds=seconds) for fmt in SEEDS}
    del started
    return results
