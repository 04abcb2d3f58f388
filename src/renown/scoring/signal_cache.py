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
from datetime import datetime, timedelta
from typing import Final

import duckdb

from renown.scoring.day_cache import (
    DayReuse,
    day_counts,
    has_basis,
    mark_stale,
    store_days,
    whole_day,
)
from renown.scoring.model import Model
from renown.scoring.signals import (
    DAY_TABLES,
    SignalScope,
    day_statements,
    drop_intermediates,
    kind_weights_statement,
    timestamp_literal,
    window_sql,
    window_statements,
)

#: Bump when the per-day SQL changes meaning: every stored day is then recomputed.
FORMULA: Final = "day-partials-1"
#: Stored table per temporary per-day table, and its columns after ``basis``.
STORED: Final = {
    "_signal_day_pairs": ("signal_day_pairs", "network, reactor, author, day, n, q"),
    "_signal_day_output": ("signal_day_output", "network, account, day, posts, posts_q"),
}


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
    return whole_day(scope.as_of) and scope.networks is None and scope.focus is None


def build_signals_incrementally(con: duckdb.DuckDBPyConnection, scope: SignalScope,
                                model: Model, *, full: bool = False) -> DayReuse:
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
    full = full or not has_basis(con, "signal_days", key)
    mark_stale(con, "signal_days", "_signal_day_digest", "_signal_stale", key, everything=full)
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
    drop_intermediates(con)
    days, computed = day_counts(con, "_signal_day_digest", "_signal_stale")
    for name in ("_signal_window", "_signal_stale", "_signal_day_digest"):
        con.execute(f"DROP TABLE {name}")
    for table in DAY_TABLES:
        con.execute(f"DROP VIEW {table}")
    return DayReuse("signals", "events", days, days - computed, computed, removed, full,
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


def _store_days(con: duckdb.DuckDBPyConnection, key: str, start: datetime,
                as_of: datetime) -> int:
    """Replace the stale days' sums of ``key`` (`day_cache.store_days`); returns days removed."""
    def insert_rows() -> None:
        for table, (stored, columns) in STORED.items():
            con.execute(f"INSERT INTO {stored} SELECT '{key}', {columns} FROM {table}")

    removed = store_days(con, "signal_days", [stored for stored, _ in STORED.values()],
                         "_signal_day_digest", "_signal_stale", key, (start, as_of),
                         insert_rows)
    for table in DAY_TABLES:
        con.execute(f"DROP TABLE {table}")
    return removed
