"""Scoring the store: one day, or every day in a range (history backfill)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import duckdb

from renown.errors import RenownError
from renown.scoring.model import Model
from renown.scoring.pipeline import compute_scores
from renown.scoring.registry import ensure_current, register
from renown.scoring.snapshots import SnapshotInfo, day_end, stored_snapshots, write_snapshot
from renown.scoring.topics.snapshot import topic_layer
from renown.store.database import scalar

if TYPE_CHECKING:
    from renown.engines import Engine


class NothingToScoreError(ValueError, RenownError):
    """The store holds no events, so there is no day to score."""


def latest_event_day(con: duckdb.DuckDBPyConnection) -> date:
    """The day of the newest event: the natural 'today' of a data set.

    Scores default to data time, not wall-clock time, so a historical data set
    (Higgs, 2012) scores as it stood rather than decayed to nothing.
    """
    latest = scalar(con, "SELECT max(ts) FROM events WHERE network <> 'offline'")
    if latest is None:
        raise NothingToScoreError("the database holds no events yet: run `renown ingest` first")
    return latest.date()  # type: ignore[no-any-return]


def score_day(con: duckdb.DuckDBPyConnection, day: date | None = None,
              model: Model | None = None, engine: Engine | None = None, *,
              topics: bool = True, full: bool = False) -> SnapshotInfo:
    """Score everyone as of the end of ``day`` and store the snapshot, with its topics.

    The first run makes the default model current even when ``model`` is a
    candidate, so reads always have a current version to follow.  ``engine``
    (default: this machine) computes the scores; topics are computed here from
    the store's events when they were the engine's input.  Without
    ``topics`` the snapshot has scores only (no topics, topic scores or
    endorsement points): on text-heavy data topics cost several times the
    score itself (docs/topics.md §7).  On this machine the signals reuse the
    per-day sums earlier runs stored (`renown.scoring.signal_cache`), and topics
    the per-day post matches (`renown.scoring.topics.match_cache`), unless
    ``full``: the results are identical, only the cost differs.
    """
    current = ensure_current(con)
    model = model or current
    register(con, model)
    day = day or (engine.latest_day(con) if engine is not None else latest_event_day(con))
    clock = time.perf_counter()
    if engine is None:
        run = compute_scores(con, day_end(day), model, reuse_signals=True, full=full)
    else:
        run = engine.score(con, day_end(day), model, full=full)
    if not topics or (engine is not None and not engine.topics_from_store):
        return write_snapshot(con, run, day, time.perf_counter() - clock)
    layer = topic_layer(con, run, signals_ready=engine is None or engine.signals_on_store,
                        reuse_matches=True, full=full)
    info = write_snapshot(con, layer.run, day, time.perf_counter() - clock, (layer.write,))
    matches = layer.results.matches
    return replace(info, topics=matches.describe()) if matches is not None else info


def backfill(
    con: duckdb.DuckDBPyConnection, start: date, end: date, model: Model | None = None,
    on_day: Callable[[SnapshotInfo], None] | None = None, *, replace: bool = False,
    engine: Engine | None = None, topics: bool = True, full: bool = False,
) -> list[SnapshotInfo]:
    """Snapshots for every day from ``start`` to ``end`` inclusive.

    Days that already have a snapshot under this model are kept (history is
    filled incrementally) unless ``replace``: data ingested late for a past
    day is the reason to replace.
    """
    if end < start:
        raise ValueError(f"backfill range is empty: {start} is after {end}")
    model = model or ensure_current(con)
    register(con, model)
    stored = {} if replace else {
        info.as_of: info for info in stored_snapshots(con, model.version, start, end)}
    infos = []
    day = start
    while day <= end:
        info = stored.get(day) or score_day(con, day, model, engine, topics=topics, full=full)
        infos.append(info)
        if on_day is not None:
            on_day(info)
        day += timedelta(days=1)
    return infos
