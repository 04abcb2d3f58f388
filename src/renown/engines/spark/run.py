"""One scoring run on Spark: the local pipeline's stages, on DataFrames.

Signals run the signal stage's SQL (written once, in `renown.scoring.signals`)
translated to Spark SQL; propagation iterates DataFrame joins; the last stage
runs the shared `assemble_scores` per partition of people.  The result stays
distributed (`SparkScores`): write it as Parquet, or collect it into a
`ScoreRun` for the store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.engines.spark.assemble import ACCOUNT_COLUMNS, PERSON_COLUMNS, assemble
from renown.engines.spark.driver_propagation import DRIVER_EDGE_LIMIT, driver_pagerank
from renown.engines.spark.files import exists
from renown.engines.spark.io import event_columns, partitioned_events, read_identities
from renown.engines.spark.lineage import cut
from renown.engines.spark.partitions import DayPartitions, PartitionError
from renown.engines.spark.propagation import (
    SparkRank,
    graph_edges,
    influence_pairs,
    pagerank,
)
from renown.engines.spark.session import required_settings
from renown.engines.spark.signal_state import SignalState, build_signals_on_state
from renown.engines.spark.translate import to_spark
from renown.scoring.day_cache import DayReuse
from renown.scoring.model import Model
from renown.scoring.pipeline import (
    ScoreRun,
    credentials_sql,
    graph_nodes_sql,
    people_units_sql,
    scored_accounts_sql,
)
from renown.scoring.signal_pairs import MUTUAL_TABLES
from renown.scoring.signals import SignalScope, signal_statements

#: Stage tables read more than once: materialised (see `lineage`).
_REUSED = frozenset({"_signal_window", "_signal_day_pairs", "_signal_pairs",
                     "_signal_accounts", *MUTUAL_TABLES})


@dataclass(frozen=True)
class Incremental:
    """An incremental run's inputs: the day-partitioned events and the state folder.

    ``full`` reads every partition of the window (and replaces the state) and
    starts the propagation cold.  Otherwise, with ``warm_start``, it starts
    from the last run's ranks: the same ranks to the iteration's tolerance in
    fewer steps, so scores agree with a cold start to the printed rounding
    rather than bit for bit.
    """

    events: DayPartitions
    state: SignalState
    full: bool = False
    warm_start: bool = True


def incremental_inputs(spark: SparkSession, root: str, state: str, *, full: bool = False
                       ) -> tuple[DataFrame, DataFrame | None, Incremental]:
    """Events, identities and the `Incremental` of an export by day in ``root``."""
    events_root = partitioned_events(root)
    if not exists(spark, events_root):
        raise PartitionError(f"{root}: no day-partitioned events/ folder; write one with "
                             "`renown export --parquet DIR --by-day`")
    partitioned = DayPartitions(spark, events_root)
    return (partitioned.frame(), read_identities(spark, root),
            Incremental(partitioned, SignalState(spark, state), full))


@dataclass(frozen=True)
class SparkScores:
    """A run's results as DataFrames (the `ScoreRun` columns), and diagnostics."""

    as_of: datetime
    model: Model
    accounts: DataFrame
    people: DataFrame
    propagation_iterations: int
    propagation_converged: bool
    timings: dict[str, float] = field(default_factory=dict)
    #: What the signal stage took from the state folder (None: a run from the events alone).
    signal_reuse: DayReuse | None = None

    def to_score_run(self) -> ScoreRun:
        """Collect to the driver in the local engine's row order (for the store)."""
        accounts = self.accounts.orderBy("network", "account").toArrow()
        people = self.people.orderBy("person_id").toArrow()
        return ScoreRun(self.as_of, self.model, accounts, people, self.propagation_iterations,
                        self.propagation_converged, dict(self.timings), self.signal_reuse)

    def write_parquet(self, path: str, mode: str = "overwrite") -> None:
        """``path``/account_scores and ``path``/person_scores (any Spark path: HDFS, S3, …)."""
        self.accounts.write.mode(mode).parquet(f"{path.rstrip('/')}/account_scores")
        self.people.write.mode(mode).parquet(f"{path.rstrip('/')}/person_scores")


def score_spark(spark: SparkSession, events: DataFrame, as_of: datetime, model: Model,
                identities: DataFrame | None = None, *, partitions: int | None = None,
                incremental: Incremental | None = None,
                driver_edges: int = DRIVER_EDGE_LIMIT) -> SparkScores:
    """Score everyone as of ``as_of`` from ``events`` (the store's columns) on ``spark``.

    ``identities`` (network, account, person_id) links accounts to people, as
    the store's table does.  With ``incremental`` the signals read only the
    event partitions that changed since the state's last run
    (`renown.engines.spark.signal_state`); the scores are the same.  Results
    are materialised before returning.  A graph of at most ``driver_edges``
    edges is propagated on the driver (`renown.engines.spark.driver_propagation`);
    0 keeps every propagation on the cluster.
    """
    parts = partitions or int(spark.conf.get("spark.sql.shuffle.partitions") or 200)
    timings: dict[str, float] = {}
    with required_settings(spark):
        clock = time.perf_counter()
        _register_inputs(spark, events, identities)
        reuse = _signals(spark, SignalScope(as_of), model, incremental)
        timings["signals"] = time.perf_counter() - clock

        clock = time.perf_counter()
        nodes = (spark.sql(to_spark(graph_nodes_sql()))
                 .withColumn("idx", F.monotonically_increasing_id()))
        nodes = cut(nodes)
        nodes.createOrReplaceTempView("_signal_nodes")
        rank = _propagate(nodes, model, parts, incremental, driver_edges)
        timings["propagation"] = time.perf_counter() - clock

        clock = time.perf_counter()
        accounts, people = _account_inputs(spark, as_of, model, rank.ranks)
        n_reference = nodes.where("scored").count()
        scored_accounts, scored_people = assemble(accounts, people, n_reference, model, parts)
        timings["combine"] = time.perf_counter() - clock
        _drop_stage_tables(spark)
    return SparkScores(as_of, model, scored_accounts, scored_people, rank.iterations,
                       rank.converged, timings, reuse)


def _propagate(nodes: DataFrame, model: Model, partitions: int,
               incremental: Incremental | None, driver_edges: int) -> SparkRank:
    """On the driver when the graph fits (cold: the local engine's ranks), else on the
    cluster (warm-started from the state's last ranks, which it then replaces)."""
    pairs = nodes.sparkSession.table("_signal_pairs")
    if driver_edges > 0 and influence_pairs(pairs).count() <= driver_edges:
        return driver_pagerank(nodes, pairs, model)
    rank = pagerank(nodes, graph_edges(pairs, nodes), model, partitions=partitions,
                    start=_warm_start(incremental, nodes))
    if incremental is not None and incremental.warm_start:
        incremental.state.write_ranks(rank.ranks.join(nodes, "idx"))
    return rank


def _warm_start(incremental: Incremental | None, nodes: DataFrame) -> DataFrame | None:
    """The last run's ranks by this run's node index (idx, x), or None for a cold start."""
    if incremental is None or incremental.full or not incremental.warm_start:
        return None
    previous = incremental.state.ranks()
    if previous is None:
        return None
    return previous.join(nodes, ["network", "account"]).select("idx", F.col("rank").alias("x"))


def _signals(spark: SparkSession, scope: SignalScope, model: Model,
             incremental: Incremental | None) -> DayReuse | None:
    """Views ``_signal_pairs`` and ``_signal_accounts``: from the window, or via the state."""
    if incremental is not None:
        return build_signals_on_state(spark, incremental.events, incremental.state, scope,
                                      model, full=incremental.full)
    for table, sql in signal_statements(scope, model):
        frame = spark.sql(to_spark(sql))
        (cut(frame) if table in _REUSED else frame).createOrReplaceTempView(table)
    return None


def _register_inputs(spark: SparkSession, events: DataFrame,
                     identities: DataFrame | None) -> None:
    """``events`` and ``identities`` views with the store's types (naive UTC times)."""
    event_columns(events).createOrReplaceTempView("events")
    if identities is None:
        identities = spark.createDataFrame(
            [], "network string, account string, person_id string")
    identities.select("network", "account", "person_id").createOrReplaceTempView("identities")


def _account_inputs(spark: SparkSession, as_of: datetime, model: Model,
                    ranks: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Scored accounts with rank and inflow, and people with credential units."""
    spark.sql(to_spark(scored_accounts_sql())).createOrReplaceTempView("_signal_scored")
    spark.sql(to_spark(credentials_sql(as_of, model))).createOrReplaceTempView(
        "_signal_credentials")
    people = spark.sql(to_spark(people_units_sql()))
    accounts = spark.table("_signal_scored").join(
        ranks.withColumnRenamed("idx", "node_index"), "node_index")
    return accounts, people


def _drop_stage_tables(spark: SparkSession) -> None:
    for table in spark.catalog.listTables():
        if table.name.startswith("_signal") and table.isTemporary:
            spark.catalog.dropTempView(table.name)


__all__ = ["ACCOUNT_COLUMNS", "PERSON_COLUMNS", "Incremental", "SparkScores", "incremental_inputs",
           "score_spark"]
