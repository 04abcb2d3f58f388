"""The Spark engine behind ``renown score --engine spark``: a store in, a `ScoreRun` out.

Its input is the store itself (exported to Parquet in a temporary folder), a
folder from ``renown export --parquet``, or tables in Spark's catalog; its
results go back into the store (the caller writes the snapshot) and, with
``output``, to Parquet as well.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
from pyspark.sql import DataFrame, SparkSession

from renown.engines.spark.driver_propagation import DRIVER_EDGE_LIMIT
from renown.engines.spark.io import latest_day, read_export, read_tables
from renown.engines.spark.run import SparkScores, incremental_inputs, score_spark
from renown.engines.spark.session import spark_session
from renown.errors import RenownError
from renown.scoring.model import Model
from renown.scoring.pipeline import ScoreRun
from renown.scoring.run import NothingToScoreError, latest_event_day
from renown.store.day_export import export_by_day
from renown.store.export import export_parquet


class EngineError(ValueError, RenownError):
    """The Spark engine cannot run as configured (the message says why)."""


@dataclass
class SparkEngine:
    """Scores on Spark (`renown.engines.Engine`).

    ``master`` is used when no ``spark`` session is given (None: from
    ``spark-submit``).  ``source`` is a Parquet export folder; ``events_table``
    (and ``identities_table``) name catalog tables instead; with neither the
    store's own events are used.  ``output`` also writes the scores as Parquet.

    ``state`` (a folder, any Spark path) makes runs incremental: the signals'
    per-day sums are kept there and only the event partitions that changed
    are read (`renown.engines.spark.signal_state`).  The events are then a
    day-partitioned export (``source`` written by ``renown export --parquet
    DIR --by-day``) or, with no ``source``, the store's, exported by day into
    ``state``/input (only changed days are rewritten; ``state`` must then be
    on this machine).

    A graph of at most ``driver_edges`` edges is propagated on the driver
    (`renown.engines.spark.driver_propagation`); 0 keeps it on the cluster.
    """

    master: str | None = "local[2]"
    source: str | None = None
    events_table: str | None = None
    identities_table: str | None = None
    output: str | None = None
    partitions: int | None = None
    state: str | None = None
    driver_edges: int = DRIVER_EDGE_LIMIT
    spark: SparkSession | None = None
    name: str = "spark"

    @property
    def signals_on_store(self) -> bool:
        return False

    @property
    def topics_from_store(self) -> bool:
        return self.source is None and self.events_table is None

    def session(self) -> SparkSession:
        if self.spark is None:
            self.spark = spark_session(self.master)
        return self.spark

    def latest_day(self, con: duckdb.DuckDBPyConnection) -> date:
        if self.topics_from_store:
            return latest_event_day(con)
        day = latest_day(self._inputs(self.session())[0])
        if day is None:
            raise NothingToScoreError("the Spark input holds no online events")
        return day

    def score(self, con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model, *,
              full: bool = False) -> ScoreRun:
        spark = self.session()
        if self.state is not None:
            return self._finish(self._score_on_state(con, as_of, model, self.state, full=full))
        with tempfile.TemporaryDirectory(prefix="renown-spark-") as folder:
            if self.topics_from_store:
                export_parquet(con, Path(folder))
                events, identities = read_export(spark, folder)
            else:
                events, identities = self._inputs(spark)
            return self._finish(score_spark(spark, events, as_of, model, identities,
                                            partitions=self.partitions,
                                            driver_edges=self.driver_edges))

    def _finish(self, scores: SparkScores) -> ScoreRun:
        if self.output is not None:
            scores.write_parquet(self.output)
        return scores.to_score_run()

    def _score_on_state(self, con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model,
                        state: str, *, full: bool) -> SparkScores:
        spark = self.session()
        if self.events_table is not None:
            raise EngineError("an incremental Spark run (--state) reads a day-partitioned "
                              "--input folder or the store, not --events-table")
        if self.source is None:
            if "://" in state and not state.startswith("file:"):
                raise EngineError(f"{state}: scoring the store incrementally exports it into "
                                  "the state folder, which must be on this machine")
            root = str(Path(state.removeprefix("file:")) / "input")
            export_by_day(con, Path(root))
        else:
            root = self.source
        events, identities, incremental = incremental_inputs(spark, root, state, full=full)
        return score_spark(spark, events, as_of, model, identities, partitions=self.partitions,
                           incremental=incremental, driver_edges=self.driver_edges)

    def _inputs(self, spark: SparkSession) -> tuple[DataFrame, DataFrame | None]:
        if self.events_table is not None:
            return read_tables(spark, self.events_table, self.identities_table)
        assert self.source is not None
        return read_export(spark, self.source)
