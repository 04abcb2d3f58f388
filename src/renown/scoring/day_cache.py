"""What the store's per-day caches share: which days are stale, what is dropped, what was reused.

Two caches keep rows per day of events under one *basis* (a hash of what the
rows depend on): the signals' partial sums (`renown.scoring.signal_cache`)
and the topic matches (`renown.scoring.topics.match_cache`).  Each has a
days table (basis, day, events, digest, computed_at) recording the count and
digest of the events a stored day was computed from, and a run's temporary
digest table (day, events, digest) of the same days now.  A day is stale when
its record is missing or differs; stale days are recomputed and replace
their rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from renown.scoring.signals import timestamp_literal
from renown.store.database import utc_now


@dataclass(frozen=True, slots=True)
class DayReuse:
    """What a run took from a per-day cache and what it computed from the events."""

    #: What the cache holds, as ``renown score`` names it ("signals", "topic matches").
    what: str
    #: What a day is computed from ("events", "posts").
    source: str
    #: Days of the window that hold events.
    days: int
    #: Days whose stored rows were still those of their events.
    reused: int
    #: Days computed from their events (new, changed, or never stored).
    computed: int
    #: Stored days of this basis removed (changed, emptied, or left the window).
    removed: int
    #: True when the run ignored the store (``--full`` or a new basis).
    full: bool
    seconds: float

    def describe(self) -> str:
        """One line for ``renown score``."""
        if self.full:
            return (f"{self.what} computed from the {self.source} of all {self.days:,} days "
                    "(full run)")
        return (f"{self.what} reused {self.reused:,} of {self.days:,} days and computed "
                f"{self.computed:,} from their {self.source}")


def whole_day(moment: datetime) -> bool:
    """Whether ``moment`` is a midnight: a window of whole days ends there."""
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def has_basis(con: duckdb.DuckDBPyConnection, days_table: str, key: str) -> bool:
    """Whether ``days_table`` records any day under basis ``key``."""
    rows = con.execute(f"SELECT count(*) FROM {days_table} WHERE basis = ?", [key]).fetchall()
    return bool(rows[0][0])


def mark_stale(con: duckdb.DuckDBPyConnection, days_table: str, digest: str, stale: str,
               key: str, *, everything: bool) -> None:
    """Temporary table ``stale`` (day): the days of ``digest`` to compute from their events."""
    if everything:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {stale} AS SELECT day FROM {digest}")
        return
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {stale} AS
        SELECT d.day FROM {digest} d
        LEFT JOIN {days_table} s ON s.basis = ? AND s.day = d.day
        WHERE s.day IS NULL OR s.events <> d.events OR s.digest <> d.digest
    """, [key])


def store_days(con: duckdb.DuckDBPyConnection, days_table: str, row_tables: Sequence[str],
               digest: str, stale: str, key: str, window: tuple[datetime, datetime],
               insert_rows: Callable[[], None]) -> int:
    """Replace the stale days' rows of ``key`` and drop what no run will read again.

    Removed: this basis' stale days, its days that no longer hold events, its
    days before the window (a later run's window starts later still), and
    every other basis (one basis is kept at a time).  ``insert_rows`` writes
    the recomputed rows, inside the same transaction.  Returns the number of
    this basis' days removed.
    """
    first, end = (f"CAST({timestamp_literal(moment)} AS DATE)" for moment in window)
    dropped = f"""basis = '{key}' AND (day IN (SELECT day FROM {stale}) OR day < {first}
                  OR (day < {end} AND day NOT IN (SELECT day FROM {digest})))"""
    con.execute("BEGIN TRANSACTION")
    try:
        removed = con.execute(f"SELECT count(*) FROM {days_table} WHERE {dropped}"
                              ).fetchall()[0][0]
        for table in (days_table, *row_tables):
            con.execute(f"DELETE FROM {table} WHERE basis <> ? OR ({dropped})", [key])
        insert_rows()
        con.execute(f"""INSERT INTO {days_table} SELECT ?, day, events, digest, ?
                        FROM {digest} WHERE day IN (SELECT day FROM {stale})""",
                    [key, utc_now()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return int(removed)


def day_counts(con: duckdb.DuckDBPyConnection, digest: str, stale: str) -> tuple[int, int]:
    """(days of the window with events, days computed from their events)."""
    rows = con.execute(f"""SELECT count(*), count(*) FILTER (WHERE day IN
                           (SELECT day FROM {stale})) FROM {digest}""").fetchall()
    return int(rows[0][0]), int(rows[0][1])
