"""Inputs and outputs of a Spark run: Parquet exports, Spark tables, the newest day."""

from __future__ import annotations

from datetime import date

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.events import OFFLINE_NETWORK


def read_export(spark: SparkSession, path: str) -> tuple[DataFrame, DataFrame | None]:
    """Events and identities from a `renown export --parquet` folder (any Spark path).

    Identities are optional: without them every account is its own person.
    """
    root = path.rstrip("/")
    events = spark.read.parquet(f"{root}/events.parquet")
    try:
        identities: DataFrame | None = spark.read.parquet(f"{root}/identities.parquet")
    except AnalysisException:
        identities = None
    return events, identities


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
