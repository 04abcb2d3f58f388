"""Score snapshots: one per day per model version, written atomically.

A snapshot replaces any earlier one for the same day and model inside one
transaction, so a reader (the API, another CLI) sees the old or the new
snapshot, never a mix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb

from renown.scoring.pipeline import ScoreRun
from renown.store.database import scalar, utc_now


def day_end(day: date) -> datetime:
    """A day's scores count events up to, not including, the next midnight (UTC)."""
    return datetime(day.year, day.month, day.day) + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    run_id: int
    as_of: date
    model_version: str
    people: int
    accounts: int
    #: How the run's signals were obtained (`DayReuse.describe`); empty when not recorded.
    signals: str = field(default="", compare=False)
    #: How the run's topic matches were obtained (`DayReuse.describe`); empty when not recorded.
    topics: str = field(default="", compare=False)


#: Writes more rows of a snapshot (topics, endorsements) under its run id,
#: inside the snapshot's transaction.
SnapshotExtra = Callable[[duckdb.DuckDBPyConnection, int], None]


def write_snapshot(con: duckdb.DuckDBPyConnection, run: ScoreRun, day: date,
                   seconds: float, extras: Sequence[SnapshotExtra] = ()) -> SnapshotInfo:
    """Store ``run`` as the snapshot for ``day`` under its model version."""
    con.execute("BEGIN TRANSACTION")
    try:
        old = scalar(con, "SELECT run_id FROM score_runs WHERE as_of = ? AND model_version = ?",
                     [day, run.model.version])
        if old is not None:
            for table in ("person_scores", "account_scores", "score_runs"):
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [old])
        run_id = int(scalar(con, "SELECT nextval('score_run_ids')"))
        con.execute("INSERT INTO score_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [run_id, day, run.model.version, utc_now(), run.people.num_rows,
                     run.accounts.num_rows, seconds])
        con.register("_snapshot_people", run.people)
        con.register("_snapshot_accounts", run.accounts)
        con.execute("INSERT INTO person_scores SELECT ?, person_id, score, raw, online_points, "
                    "offline_points, offline_units FROM _snapshot_people", [run_id])
        con.execute("INSERT INTO account_scores SELECT ?, network, account, person_id, posts, "
                    "reactors, reactions, reach, amplification, network_value, influence, raw, "
                    "score, points FROM _snapshot_accounts", [run_id])
        for extra in extras:
            extra(con, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("_snapshot_people", "_snapshot_accounts"):
            con.unregister(name)
    reuse = run.signal_reuse.describe() if run.signal_reuse is not None else ""
    return SnapshotInfo(run_id, day, run.model.version, run.people.num_rows,
                        run.accounts.num_rows, reuse)


def latest_run(con: duckdb.DuckDBPyConnection, model_version: str,
               on_or_before: date | None = None) -> SnapshotInfo | None:
    """The newest snapshot under a model version (optionally not after a day)."""
    rows = con.execute(
        "SELECT run_id, as_of, model_version, people, accounts FROM score_runs "
        "WHERE model_version = ? AND (CAST(? AS DATE) IS NULL OR as_of <= ?) "
        "ORDER BY as_of DESC LIMIT 1",
        [model_version, on_or_before, on_or_before]).fetchall()
    if not rows:
        return None
    run_id, as_of, version, people, accounts = rows[0]
    return SnapshotInfo(int(run_id), as_of, str(version), int(people), int(accounts))


def stored_snapshots(con: duckdb.DuckDBPyConnection, model_version: str, start: date,
                     end: date) -> list[SnapshotInfo]:
    """Snapshots already stored under a model version for days in [start, end]."""
    rows = con.execute(
        "SELECT run_id, as_of, model_version, people, accounts FROM score_runs "
        "WHERE model_version = ? AND as_of BETWEEN ? AND ? ORDER BY as_of",
        [model_version, start, end]).fetchall()
    return [SnapshotInfo(int(r), d, str(v), int(p), int(a)) for r, d, v, p, a in rows]
