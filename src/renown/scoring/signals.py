"""Signals: what others did in response to each account, as set-based SQL.

For a window ending at ``as_of`` this builds two tables on the connection
(through per-day partial sums, `renown.scoring.signal_pairs`, that a later
run can reuse: `renown.scoring.signal_cache`):

``_signal_pairs`` — one row per (network, reactor, author) with the pair's
weight: every reaction weighted by kind, by recency (exponential decay), and by
the reactor's selectivity that day, summed, then discounted by reciprocity
(rings), and saturated into ``reach``: at most the reactor's overall
selectivity (one person for a selective reactor, a fraction for an account
that reacts to everything), however often they react.

``_signal_accounts`` — one row per (network, account) with the account's
output (decayed count of content it published) and the sums over its reactors.

Floating-point weights are summed as fixed-point integers (units of 1e-9), so
the sums are exact and independent of the order DuckDB's threads add them in:
the same data and model give bit-identical scores (DESIGN.md property 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import duckdb

from renown.events import CONTENT_KINDS, SYSTEM_ACCOUNT_PREFIX
from renown.scoring.model import Model
from renown.scoring.signal_pairs import (
    KINDS_TABLE,
    MUTUAL_TABLES,
    QUANTUM,
    SILENCED_ACCOUNT,
    day_decay,
    day_pairs_sql,
    mutual_overlap_statements,
    pairs_sql,
    within_day_decay,
)

__all__ = ["QUANTUM", "SILENCED_ACCOUNT", "SignalScope", "build_signals", "signal_statements",
           "timestamp_literal", "window_sql"]

#: The stages whose rows depend only on one day's events (`renown.scoring.signal_cache`).
DAY_TABLES: Final = ("_signal_day_pairs", "_signal_day_output")


@dataclass(frozen=True, slots=True)
class SignalScope:
    """Which events count: the window (ending just before ``as_of``), optionally narrowed.

    ``focus`` names a table (columns network, account) of authors to explain:
    then only their reactors' and their own events are read, which gives the
    same pair weights for those authors at a fraction of the cost.
    """

    as_of: datetime
    networks: tuple[str, ...] | None = None
    focus: str | None = None


def build_signals(con: duckdb.DuckDBPyConnection, scope: SignalScope, model: Model,
                  *, keep_window: bool = False) -> None:
    """(Re)create ``_signal_pairs`` and ``_signal_accounts`` for this scope and model.

    With ``keep_window`` the windowed events stay in ``_signal_window`` (with
    ``age_days``) for callers that want the evidence behind the sums.
    """
    for table, sql in signal_statements(scope, model):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
    for table in DAY_TABLES:
        con.execute(f"DROP TABLE {table}")
    drop_intermediates(con)
    if not keep_window:
        con.execute("DROP TABLE _signal_window")


def signal_statements(scope: SignalScope, model: Model) -> list[tuple[str, str]]:
    """The signal stage as (table, SELECT) pairs in DuckDB's dialect, run in order.

    Each SELECT reads ``events`` (and ``identities``) or the tables before it.
    This is the stage's only definition: the local engine runs it on DuckDB,
    the Spark engine translates it (`renown.engines.spark.translate`).
    """
    statements = [(KINDS_TABLE, _kind_weights_sql(model))]
    if scope.focus is not None:
        statements.append(("_signal_focus_actors", f"""
            SELECT DISTINCT e.network, e.actor FROM events e
            JOIN {scope.focus} f ON e.network = f.network AND e.subject = f.account
            UNION SELECT network, account FROM {scope.focus}
        """))
    return [*statements, ("_signal_window", window_sql(scope, model)),
            *day_statements(model), *window_statements(scope, model)]


def day_statements(model: Model) -> list[tuple[str, str]]:
    """The per-day partial sums (`DAY_TABLES`), from ``_signal_window``."""
    return [("_signal_day_pairs", day_pairs_sql(model)),
            ("_signal_day_output", _day_output_sql(model))]


def window_statements(scope: SignalScope, model: Model) -> list[tuple[str, str]]:
    """``_signal_pairs`` and ``_signal_accounts`` from the per-day partial sums.

    With the group exponent on, the `MUTUAL_TABLES` come first (stage tables
    only: `drop_intermediates` removes them).
    """
    as_of = timestamp_literal(scope.as_of)
    return [*mutual_overlap_statements(model), ("_signal_pairs", pairs_sql(model, as_of)),
            ("_signal_accounts", _accounts_sql(model, as_of))]


def drop_intermediates(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the stage tables `window_statements` made on the way to the signal tables."""
    for table in MUTUAL_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def kind_weights_statement(model: Model) -> str:
    """The kind-weights table as one statement (the first of `signal_statements`)."""
    return f"CREATE OR REPLACE TEMP TABLE {KINDS_TABLE} AS {_kind_weights_sql(model)}"


def timestamp_literal(moment: datetime) -> str:
    """A naive (UTC) timestamp as a SQL literal both DuckDB and Spark read exactly."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return f"CAST('{moment.isoformat(sep=' ')}' AS TIMESTAMP)"


def _kind_weights_sql(model: Model) -> str:
    rows = ", ".join(f"('{kind}', {float(weight)!r})"
                     for kind, weight in sorted(model.kind_weights.items()) if weight > 0)
    if not rows:
        return "SELECT CAST(NULL AS VARCHAR) AS kind, CAST(NULL AS DOUBLE) AS weight WHERE 1 = 0"
    return (f"SELECT CAST(kind AS VARCHAR) AS kind, CAST(weight AS DOUBLE) AS weight "
            f"FROM (VALUES {rows}) AS kw(kind, weight)")


def window_sql(scope: SignalScope, model: Model) -> str:
    """Events inside the window with their age in days (0 = at as_of).

    The window starts whole days before ``as_of`` (a fractional
    ``window_days`` is truncated, as a SQL day interval is).
    """
    network_filter = ""
    if scope.networks is not None:
        quoted = ", ".join("'" + n.replace("'", "''") + "'" for n in scope.networks) or "NULL"
        network_filter = f"AND network IN ({quoted})"
    focus_filter = ""
    if scope.focus is not None:
        focus_filter = """AND EXISTS (SELECT 1 FROM _signal_focus_actors fa
                                  WHERE fa.network = events.network AND fa.actor = events.actor)"""
    as_of = timestamp_literal(scope.as_of)
    start = timestamp_literal(scope.as_of - timedelta(days=int(model.window_days)))
    return f"""
        SELECT network, actor, kind, subject, ts, event_id, parent_id,
               (epoch({as_of}) - epoch(ts)) / 86400.0 AS age_days
        FROM events
        WHERE ts < {as_of} AND ts >= {start}
          AND network <> 'offline' {network_filter} {focus_filter}
    """


def _day_output_sql(model: Model) -> str:
    """Per (network, account, day): content published and its weight decayed to the day's end."""
    content = ", ".join(f"'{kind}'" for kind in sorted(CONTENT_KINDS))
    return f"""
        SELECT network, actor AS account, CAST(ts AS DATE) AS day,
               CAST(count(*) AS BIGINT) AS posts,
               CAST(sum(CAST(round({within_day_decay('ts', model)} * {QUANTUM}) AS BIGINT))
                    AS BIGINT) AS posts_q
        FROM _signal_window WHERE kind IN ({content}) GROUP BY ALL
    """


def _accounts_sql(model: Model, as_of: str) -> str:
    return f"""
        WITH output AS (
            SELECT network, account,
                   sum(CAST(round(posts_q * {day_decay('day', as_of, model)}) AS BIGINT))
                       AS posts_q,
                   CAST(sum(posts) AS BIGINT) AS posts
            FROM _signal_day_output GROUP BY network, account
        ),
        received AS (
            SELECT network, author AS account, count(*) AS reactors,
                   sum(reactions) AS reactions, sum(reach_q) AS reach_q, sum(sat_q) AS sat_q
            FROM _signal_pairs GROUP BY ALL
        )
        SELECT network, account,
               coalesce(o.posts, 0) AS posts, coalesce(o.posts_q, 0) AS posts_q,
               coalesce(r.reactors, 0) AS reactors, coalesce(r.reactions, 0) AS reactions,
               coalesce(r.reach_q, 0) AS reach_q, coalesce(r.sat_q, 0) AS sat_q
        FROM output o FULL OUTER JOIN received r USING (network, account)
        WHERE account NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%'
    """
