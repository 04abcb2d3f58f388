"""Engines: where a scoring run computes (this machine, or a Spark cluster).

Every engine runs the same stages, defined once: the signal SQL
(`renown.scoring.signals.signal_statements`, DuckDB's dialect, translated for
Spark), the same power iteration, and the same final maths
(`renown.scoring.assemble.assemble_scores`, per partition of people on Spark).
`STAGES` says which function implements each stage in each engine.

The ``local`` engine (DuckDB + SciPy) is the default; ``spark``
(`renown.engines.spark`, optional: ``pip install 'renown[spark]'``) is for data
that outgrows one machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Protocol

import duckdb

from renown.scoring.model import Model
from renown.scoring.pipeline import ScoreRun, compute_scores

ENGINES: Final = ("local", "spark")


@dataclass(frozen=True, slots=True)
class Stage:
    """One scoring stage and its implementation in each engine (dotted names)."""

    name: str
    local: str
    spark: str


#: The stages in order.  Shared definitions appear in both columns.
STAGES: Final = (
    Stage("signals", "renown.scoring.signals.signal_statements",
          "renown.engines.spark.translate.to_spark"),
    Stage("graph", "renown.scoring.pipeline.graph_nodes_sql",
          "renown.scoring.pipeline.graph_nodes_sql"),
    Stage("propagation", "renown.scoring.propagation.pagerank",
          "renown.engines.spark.propagation.pagerank"),
    Stage("people", "renown.scoring.pipeline.credentials_sql",
          "renown.scoring.pipeline.credentials_sql"),
    Stage("components", "renown.scoring.assemble.assemble_scores",
          "renown.engines.spark.assemble.assemble_partition"),
    Stage("score", "renown.scoring.combine.combine_people",
          "renown.scoring.combine.combine_people"),
    Stage("topics", "renown.scoring.topics.snapshot.topic_layer",
          "renown.scoring.topics.snapshot.topic_layer"),
)


class Engine(Protocol):
    """Computes a `ScoreRun` for a store (reading it, or inputs it names)."""

    name: str

    def score(self, con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model, *,
              full: bool = False) -> ScoreRun:
        """Everyone's scores as of ``as_of`` under ``model``.

        An engine that keeps per-day partial sums reuses them unless ``full``;
        the scores are the same either way (`LocalEngine` keeps none: it
        only reads the store, and `score_day` reuses the store's own).
        """
        ...

    def latest_day(self, con: duckdb.DuckDBPyConnection) -> date:
        """The day of the newest event in this engine's input (the default day to score)."""
        ...

    @property
    def signals_on_store(self) -> bool:
        """Whether `score` leaves the signal tables on ``con`` (topics reuse them)."""
        ...

    @property
    def topics_from_store(self) -> bool:
        """Whether the store's events are this run's input, so topics can come from them."""
        ...


@dataclass(frozen=True, slots=True)
class LocalEngine:
    """DuckDB + SciPy on this machine: the default."""

    name: str = "local"

    def score(self, con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model, *,
              full: bool = False) -> ScoreRun:
        return compute_scores(con, as_of, model)  # (reads only: no per-day sums to reuse)

    def latest_day(self, con: duckdb.DuckDBPyConnection) -> date:
        from renown.scoring.run import latest_event_day  # (run imports this module)

        return latest_event_day(con)

    @property
    def signals_on_store(self) -> bool:
        return True

    @property
    def topics_from_store(self) -> bool:
        return True
