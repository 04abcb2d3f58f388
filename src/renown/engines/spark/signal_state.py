"""Incremental signals on Spark: per-day partial sums in a state folder, only new days read.

The local engine keeps the signal stage's per-day partial sums in the store
(`renown.scoring.signal_cache`); this is the same idea for the Spark engine,
where the events are a day-partitioned table (`renown.engines.spark.partitions`)
and the sums live beside them on the cluster's file system::

    STATE/signals/basis=KEY/day_pairs/day=YYYY-MM-DD/…   (_signal_day_pairs)
    STATE/signals/basis=KEY/day_output/day=YYYY-MM-DD/…  (_signal_day_output)
    STATE/signals/basis=KEY/days/                          (day, fingerprint)
    STATE/ranks/                                           (network, account, rank)

A run lists the event partitions of its window and compares each day's
fingerprint with the one its stored sums were computed from.  Only the
partitions that differ (new, late events, rewritten by an export after
``forget``) are read; their sums are computed by the same SQL as everywhere
(`renown.scoring.signals.day_statements`) and written; the window's sums are
then taken from the state.  The sums are exact integers, so the scores are
the same bits as a full Spark run's.

The record of days is rewritten first without the days about to change, and
again with them once their sums are written: an interrupted run leaves a
record that claims only days whose sums are whole, and the next run redoes
the rest.  Another basis (kind weights, half-life, selectivity) starts over,
and only one basis is kept.

``ranks`` is the last cluster propagation's result, the next one's warm start
(`renown.engines.spark.propagation.pagerank`; a graph small enough for the
driver is propagated there cold and writes none): any start converges to the same
ranks, so it needs no basis, and a missing or half-written one (no
``_SUCCESS``) only means a cold start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.engines.spark.files import delete, exists, folders
from renown.engines.spark.io import event_columns
from renown.engines.spark.lineage import cut
from renown.engines.spark.partitions import DAY, DayPartitions
from renown.engines.spark.translate import to_spark
from renown.scoring.day_cache import DayReuse
from renown.scoring.model import Model
from renown.scoring.signal_cache import basis
from renown.scoring.signals import DAY_TABLES, SignalScope, signal_statements, window_statements

#: Per-day stage table → (state folder, schema as read back: ``day`` is the partition).
STATE_TABLES: Final = {
    "_signal_day_pairs": ("day_pairs", "network string, reactor string, author string, "
                                       "n bigint, q bigint, day date"),
    "_signal_day_output": ("day_output", "network string, account string, posts bigint, "
                                         "posts_q bigint, day date"),
}
_RECORD_SCHEMA: Final = "day date, fingerprint string"
_RANKS_SCHEMA: Final = "network string, account string, rank double"
_BEFORE_WINDOW: Final = ("_signal_kind_weights", "_signal_window")


@dataclass(frozen=True)
class SignalState:
    """The state folder ``root`` (any Spark path) of incremental Spark runs."""

    spark: SparkSession
    root: str

    def basis_root(self, key: str) -> str:
        return f"{self.root.rstrip('/')}/signals/basis={key}"

    def record(self, key: str) -> dict[date, str]:
        """Day → fingerprint of the event files its stored sums came from."""
        path = f"{self.basis_root(key)}/days"
        if not exists(self.spark, path):
            return {}
        rows = self.spark.read.schema(_RECORD_SCHEMA).parquet(path).collect()
        return {row["day"]: row["fingerprint"] for row in rows}

    def write_record(self, key: str, days: dict[date, str]) -> None:
        rows = sorted(days.items())
        frame = self.spark.createDataFrame(rows, _RECORD_SCHEMA)
        frame.coalesce(1).write.mode("overwrite").parquet(f"{self.basis_root(key)}/days")

    def drop_days(self, key: str, keep: set[date]) -> None:
        """Delete every stored day of ``key`` not in ``keep``."""
        for folder, _ in STATE_TABLES.values():
            root = f"{self.basis_root(key)}/{folder}"
            for name in folders(self.spark, root):
                if date.fromisoformat(name.removeprefix(f"{DAY}=")) not in keep:
                    delete(self.spark, f"{root}/{name}")

    def drop_other_bases(self, key: str) -> None:
        root = f"{self.root.rstrip('/')}/signals"
        for name in folders(self.spark, root):
            if name != f"basis={key}":
                delete(self.spark, f"{root}/{name}")

    def ranks(self) -> DataFrame | None:
        """The last run's ranks (network, account, rank), if a run wrote them whole."""
        path = f"{self.root.rstrip('/')}/ranks"
        if not exists(self.spark, f"{path}/_SUCCESS"):
            return None
        return self.spark.read.schema(_RANKS_SCHEMA).parquet(path)

    def write_ranks(self, ranks: DataFrame) -> None:
        ranks.select("network", "account", "rank").write.mode("overwrite").parquet(
            f"{self.root.rstrip('/')}/ranks")

    def day_table(self, key: str, table: str) -> DataFrame:
        folder, schema = STATE_TABLES[table]
        return self.spark.read.schema(schema).parquet(f"{self.basis_root(key)}/{folder}")


def build_signals_on_state(spark: SparkSession, events: DayPartitions, state: SignalState,
                           scope: SignalScope, model: Model, *, full: bool = False) -> DayReuse:
    """Views ``_signal_pairs`` and ``_signal_accounts`` (materialised), as a full run makes them.

    Reads the event partitions whose fingerprints differ from the state's
    record (every one with ``full`` or under a new basis) and the stored sums.
    """
    clock = time.perf_counter()
    key = basis(model)
    end = scope.as_of.date()
    start = end - timedelta(days=int(model.window_days))
    now = {day: mark for day, mark in events.fingerprints().items() if start <= day < end}
    before = {} if full else state.record(key)
    reused = {day: mark for day, mark in before.items() if now.get(day) == mark}
    # Days after this window stay for later runs (a backfill, an earlier --as-of); they are
    # checked when a window holds them.  Days before it are dropped: later windows start later.
    kept = {**reused, **{day: mark for day, mark in before.items() if day >= end}}
    stale = sorted(day for day in now if day not in reused)
    if kept != before:
        state.write_record(key, kept)  # first: the record never claims a day being rewritten
    state.drop_days(key, set(kept))
    if stale:
        _compute_days(spark, events, state, key, scope, model, stale)
        state.write_record(key, {**kept, **{day: now[day] for day in stale}})
    state.drop_other_bases(key)
    window = (F.col(DAY) >= F.lit(start)) & (F.col(DAY) < F.lit(end))
    for table in DAY_TABLES:
        state.day_table(key, table).where(window).createOrReplaceTempView(table)
    for table, sql in window_statements(scope, model):
        cut(spark.sql(to_spark(sql))).createOrReplaceTempView(table)
    for table in DAY_TABLES:
        spark.catalog.dropTempView(table)
    return DayReuse("signals", "event partitions", len(now), len(reused), len(stale),
                    len(before) - len(kept), full or not before, time.perf_counter() - clock)


def _compute_days(spark: SparkSession, events: DayPartitions, state: SignalState, key: str,
                  scope: SignalScope, model: Model, days: list[date]) -> None:
    """Compute the per-day sums of ``days`` from their partitions alone and append them."""
    whole = spark.table("events")
    event_columns(events.read_days(days)).createOrReplaceTempView("events")
    try:
        statements = dict(signal_statements(scope, model))
        for table in _BEFORE_WINDOW:
            cut(spark.sql(to_spark(statements[table]))).createOrReplaceTempView(table)
        for table in DAY_TABLES:
            folder, _ = STATE_TABLES[table]
            (spark.sql(to_spark(statements[table])).write.mode("append").partitionBy(DAY)
             .parquet(f"{state.basis_root(key)}/{folder}"))
    finally:
        whole.createOrReplaceTempView("events")
        spark.catalog.dropTempView("_signal_window")
