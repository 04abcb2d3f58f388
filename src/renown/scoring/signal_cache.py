"""Incremental signals: per-day partial sums kept in the store, reused while their day holds.

Every row of the signal stage's per-day tables (`renown.scoring.signal_pairs`)
depends on one day's events and a few model parameters, never on the scoring
date: a new day changes only its own rows, and the window's sums are the
stored days' rows decayed to ``as_of`` and added.  So a daily run reads the
events of the days that changed and the stored partial sums, not the window.

Which days changed is checked, not assumed: each stored day carries the count
and an order-independent digest (sum of row hashes) of the events it was
computed from.  Late or back-dated events, events removed by ``forget`` or a
rolled-back ingestion, anything that alters a day's events alters its digest,
and that day is recomputed.  A change of the parameters the sums depend on
(`basis`: kind weights, half-life, selectivity) starts a new basis, computed in
full.  Because the partial sums are exact integers the window's sums are the
same bits whether a day's rows were just computed or stored long ago: an
incremental run and a full one give identical scores (tests compare them).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import duckdb

from renown.scoring.model import Model
from renown.scoring.signals import (
    DAY_TABLES,
    SignalScope,
    day_statements,
    kind_weights_statement,
    timestamp_literal,
    window_sql,
    window_statements,
)
from renown.store.database import utc_now

#: Bump when the per-day SQL changes meaning: every stored day is then recomputed.
FORMULA: Final = "day-partials-1"
#: Stored table per temporary per-day table, and its columns after ``basis``.
STORED: Final = {
    "_signal_day_pairs": ("signal_day_pairs", "network, reactor, author, day, n, q"),
    "_signal_day_output": ("signal_day_output", "network, account, day, posts, posts_q"),
}


@dataclass(frozen=True, slots=True)
class SignalReuse:
    """What a run took from the store and what it computed from events."""

    #: Days of the window that hold events.
    days: int
    #: Days whose stored partial sums were still those of their events.
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
            return f"signals computed from the events of all {self.days:,} days (full run)"
        return (f"signals reused {self.reused:,} of {self.days:,} days and computed "
                f"{self.computed:,} from their events")


def basis(model: Model) -> str:
    """A name for the parameters the per-day sums depend on (and nothing else)."""
    weights = {kind: float(w) for kind, w in sorted(model.kind_weights.items()) if w > 0}
    inputs = {"formula": FORMULA, "kinds": weights,
              "half_life_days": float(model.half_life_days),
              "selectivity_k": float(model.selectivity_k)}
    text = json.dumps(inputs, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def cacheable(scope: SignalScope) -> bool:
    """Whether ``scope`` covers whole days of every network (what the store keeps)."""
    moment = scope.as_of
    whole_day = (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
    return whole_day and scope.networks is None and scope.focus is None


def build_signals_incrementally(con: duckdb.DuckDBPyConnection, scope: SignalScope,
                                model: Model, *, full: bool = False) -> SignalReuse:
    """``_signal_pairs`` and ``_signal_accounts`` as `build_signals` makes them, via the store.

    Days whose stored sums match their events are read back; the others are
    computed from their events and stored (in one transaction with their
    digests).  ``full`` recomputes and replaces every day of the window.
    """
    if not cacheable(scope):
        raise ValueError("incremental signals need a whole-day as_of over every network")
    clock = time.perf_counter()
    key = basis(model)
    start = scope.as_of - timedelta(days=int(model.window_days))
    _digest_days(con, start, scope.as_of)
    known = con.execute("SELECT count(*) FROM signal_days WHERE basis = ?", [key]).fetchall()
    full = full or known[0][0] == 0
    _mark_stale(con, key, everything=full)
    con.execute(kind_weights_statement(model))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _signal_window AS
                    SELECT * FROM ({window_sql(scope, model)})
                    WHERE CAST(ts AS DATE) IN (SELECT day FROM _signal_stale)""")
    for table, sql in day_statements(model):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
    removed = _store_days(con, key, start, scope.as_of)
    for table in DAY_TABLES:
        stored, columns = STORED[table]
        con.execute(f"""CREATE OR REPLACE TEMP VIEW {table} AS SELECT {columns} FROM {stored}
                        WHERE basis = '{key}' AND day >= CAST({timestamp_literal(start)} AS DATE)
                          AND day < CAST({timestamp_literal(scope.as_of)} AS DATE)""")
    for table, sql in window_statements(scope, model):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
    counts = con.execute("""SELECT count(*), count(*) FILTER (WHERE day IN
                            (SELECT day FROM _signal_stale)) FROM _signal_day_digest""").fetchall()
    for name in ("_signal_window", "_signal_stale", "_signal_day_digest"):
        con.execute(f"DROP TABLE {name}")
    for table in DAY_TABLES:
        con.execute(f"DROP VIEW {table}")
    days, computed = int(counts[0][0]), int(counts[0][1])
    return SignalReuse(days, days - computed, computed, removed, full,
                       time.perf_counter() - clock)


def _digest_days(con: duckdb.DuckDBPyConnection, start: datetime, as_of: datetime) -> None:
    """``_signal_day_digest``: per day of the window, its events' count and digest.

    The digest hashes every column the signals read, so any change to a
    day's events (not only its count) changes it.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _signal_day_digest AS
        SELECT CAST(ts AS DATE) AS day, count(*) AS events,
               CAST(sum(hash(network, event_id, ts, actor, kind, subject)) AS HUGEINT)
                   AS digest
        FROM events
        WHERE ts >= {timestamp_literal(start)} AND ts < {timestamp_literal(as_of)}
          AND network <> 'offline'
        GROUP BY 1
    """)


def _mark_stale(con: duckdb.DuckDBPyConnection, key: str, *, everything: bool) -> None:
    """``_signal_stale`` (day): the window's days to compute from their events."""
    if everything:
        con.execute("CREATE OR REPLACE TEMP TABLE _signal_stale AS "
                    "SELECT day FROM _signal_day_digest")
        return
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _signal_stale AS
        SELECT d.day FROM _signal_day_digest d
        LEFT JOIN signal_days s ON s.basis = ? AND s.day = d.day
        WHERE s.day IS NULL OR s.events <> d.events OR s.digest <> d.digest
    """, [key])


def _store_days(con: duckdb.DuckDBPyConnection, key: str, start: datetime,
                as_of: datetime) -> int:
    """Replace the stale days' rows of ``key`` and drop what no run will read again.

    Removed: this basis' stale days, its days that no longer hold events, its
    days before the window (a later run's window starts later still), and
    every other basis (one model's sums are kept at a time).  Returns the
    number of this basis' days removed.
    """
    first, end = (f"CAST({timestamp_literal(moment)} AS DATE)" for moment in (start, as_of))
    stale = f"""basis = '{key}' AND (day IN (SELECT day FROM _signal_stale) OR day < {first}
                OR (day < {end} AND day NOT IN (SELECT day FROM _signal_day_digest)))"""
    con.execute("BEGIN TRANSACTION")
    try:
        removed = con.execute(f"SELECT count(*) FROM signal_days WHERE {stale}").fetchall()[0][0]
        for stored in ("signal_days", "signal_day_pairs", "signal_day_output"):
            con.execute(f"DELETE FROM {stored} WHERE basis <> ? OR ({stale})", [key])
        for table, (stored, columns) in STORED.items():
            con.execute(f"INSERT INTO {stored} SELECT '{key}', {columns} FROM {table}")
        con.execute("""INSERT INTO signal_days SELECT ?, day, events, digest, ?
                       FROM _signal_day_digest WHERE day IN (SELECT day FROM _signal_stale)""",
                    [key, utc_now()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for table in DAY_TABLES:
        con.execute(f"DROP TABLE {table}")
    return int(removed)
