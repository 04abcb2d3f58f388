"""Inputs and outputs of a Spark run: Parquet exports, Spark tables, the newest day."""

from __future__ import annotations

from datetime import date

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.engines.spark.files import exists
from renown.events import OFFLINE_NETWORK
from renown.store.day_export import EVENTS_FOLDER

#: Event columns the stages read.
STAGE_COLUMNS = ("network", "event_id", "ts", "actor", "kind", "subject", "parent_id")


def event_columns(events: DataFrame) -> DataFrame:
    """The columns the stages read, with the store's types (``ts`` naive UTC)."""
    return events.select(*[F.col(c).cast("timestamp_ntz").alias(c) if c == "ts" else c
                           for c in STAGE_COLUMNS])


def read_export(spark: SparkSession, path: str) -> tuple[DataFrame, DataFrame | None]:
    """Events and identities from a `renown export --parquet` folder (any Spark path).

    The events are ``events.parquet``, or the day-partitioned ``events/`` of
    ``renown export --parquet DIR --by-day``.  Identities are optional:
    without them every account is its own person.
    """
    root = path.rstrip("/")
    single = f"{root}/events.parquet"
    events = spark.read.parquet(single if exists(spark, single) else partitioned_events(root))
    return events, read_identities(spark, root)


def read_identities(spark: SparkSession, root: str) -> DataFrame | None:
    """An export folder's ``identities.parquet``, or None when it has none."""
    try:
        return spark.read.parquet(f"{root.rstrip('/')}/identities.parquet")
    except AnalysisException:
        return None


def partitioned_events(root: str) -> str:
    """Where an export by day keeps its day-partitioned events."""
    return f"{root.rstrip('/')}/{EVENTS_FOLDER}"


def read_tables(spark: SparkSession, events_table: str,
                identities_table: str | None = None) -> tuple[DataFrame, DataFrame | None]:
    """Events (and identities) straight from tables in Spark's catalog (Hive, Delta, …)."""
    identities = spark.table(identities_table) if identities_table else None
    return spark.table(events_table), identities


def latest_day(events: DataFrame) -> date | None:
    """The day of the newest online event (the natural day to score), or None if none."""
    row = (events.where(F.col("network") != OFFLINE_NETWORK)
           .agg(F.max(F.col("ts").cast("timestamp_ntz")).alias("ts")).first())
    if row is None or row["ts"] is None:
        return None
    return row["ts"].date()  # type: ignore[no-any-return]
