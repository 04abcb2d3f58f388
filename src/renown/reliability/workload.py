"""A small, deterministic workload for kill tests: input files and the commands run on them.

The commands are the real CLI (`renown ingest`, `renown score`, `renown
forget`), grouped as a user would run them: one ingest of two files, a
backfill of several days.  Each command is made of *steps*, the units that
commit atomically (one input, one scored day, one erasure); a kill can leave
the store only at a step boundary, never inside one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import duckdb

#: An account that is forgotten at the end (distinctive: its bytes are searched for).
FORGOTTEN_ACCOUNT: Final = "zforgetme4242"
FIRST_DAY: Final = date(2024, 3, 1)
DAYS: Final = 4


@dataclass(frozen=True, slots=True)
class Command:
    """One CLI call and the atomic steps it is made of (each a CLI call of its own)."""

    kind: str  # "ingest", "score" or "forget"
    args: tuple[str, ...]
    steps: tuple[tuple[str, ...], ...]


def write_inputs(folder: Path, files: int = 4, events_per_file: int = 40_000,
                 accounts: int = 4_000) -> list[Path]:
    """Parquet files of events over `DAYS` days; a few invalid rows go to quarantine."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(files):
        path = folder / f"part-{n}.parquet"
        duckdb.sql(f"""
            COPY (
              SELECT 'twitter' AS network, 'e{n}-' || i AS event_id,
                     TIMESTAMP '{FIRST_DAY}' + to_seconds((i * 7919 + {n} * 104729)
                         % {DAYS * 86_400}) AS ts,
                     CASE WHEN i % 997 = 0 THEN '{FORGOTTEN_ACCOUNT}'
                          ELSE 'u' || ((i * 31 + {n}) % {accounts}) END AS actor,
                     CASE WHEN i % 1009 = 0 THEN 'shout'
                          ELSE ['post', 'like', 'reshare', 'reply'][1 + i % 4] END AS kind,
                     CASE WHEN i % 4 = 0 THEN NULL
                          WHEN i % 991 = 0 THEN '{FORGOTTEN_ACCOUNT}'
                          ELSE 'u' || ((i * 31 + {n} + 1 + (i * 17) % ({accounts} - 1))
                                       % {accounts}) END AS subject,
                     'text ' || i AS text
              FROM range({events_per_file}) t(i)
            ) TO '{path}' (FORMAT parquet)""")
        paths.append(path)
    return paths


def commands(db: Path, inputs: list[Path]) -> list[Command]:
    """What is run, in order: ingestions, a day's scores, a backfill, an erasure."""
    def ingest(*paths: Path) -> Command:
        return Command("ingest", _ingest(db, *paths), tuple(_ingest(db, p) for p in paths))

    days = [FIRST_DAY + timedelta(days=d) for d in range(DAYS)]
    first, last = str(days[0]), str(days[-1])
    forget = ("forget", "--network", "twitter", "--account", FORGOTTEN_ACCOUNT, "--yes",
              "--db", str(db))
    return [
        ingest(inputs[0]),
        ingest(*inputs[1:3]),
        Command("score", _score(db, str(days[1])), (_score(db, str(days[1])),)),
        ingest(*inputs[3:]),
        # The backfill keeps the day scored above: its steps are the other days.
        Command("score", ("score", "--backfill", first, last, "--db", str(db), "--json"),
                tuple(_score(db, str(d)) for d in days if d != days[1])),
        Command("forget", forget, (forget,)),
    ]


def _ingest(db: Path, *paths: Path) -> tuple[str, ...]:
    return ("ingest", *map(str, paths), "--format", "events", "--db", str(db), "--json")


def _score(db: Path, day: str) -> tuple[str, ...]:
    return ("score", "--as-of", day, "--db", str(db), "--json")
