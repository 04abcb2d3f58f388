"""A day-partitioned event table on any Spark file system: its days, their fingerprints, a read.

The layout is Hive-style, ``ROOT/day=YYYY-MM-DD/*.parquet``, as
`renown.store.day_export` writes it and as data lakes commonly hold events.
A day's *fingerprint* hashes the names, sizes and modification times of its
files, read from the file system's listing (Hadoop's ``FileSystem``: local,
HDFS, S3, …) without opening them: a day that gets a new file, loses one or
has one rewritten gets a new fingerprint, so an incremental run reads the
partitions that changed and no other.

Every event must lie in the partition of its own UTC day (the per-day
partial sums are per day of ``ts``); `read_days` checks that on what it reads.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.engines.spark.files import exists, list_files
from renown.errors import RenownError

#: The partition column.
DAY: str = "day"


class PartitionError(ValueError, RenownError):
    """A partitioned event table is not laid out as an incremental run needs."""


@dataclass(frozen=True)
class DayPartitions:
    """The event table under ``root`` (a Spark path), partitioned by ``day=``."""

    spark: SparkSession
    root: str

    def fingerprints(self) -> dict[date, str]:
        """Day → fingerprint of its files, for every day folder holding data files."""
        if not exists(self.spark, self.root):
            raise PartitionError(f"{self.root}: no such folder of day partitions")
        files: dict[date, list[str]] = defaultdict(list)
        for relative, size, modified in list_files(self.spark, self.root):
            day = _day_of(relative, self.root)
            if day is not None:
                files[day].append(f"{relative}\t{size}\t{modified}")
        return {day: hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:32]
                for day, entries in files.items()}

    def frame(self) -> DataFrame:
        """The whole table (Spark prunes partitions on filters of ``day``)."""
        return self.spark.read.parquet(self.root)

    def read_days(self, days: Iterable[date]) -> DataFrame:
        """The events of ``days`` only (other partitions are not opened).

        Raises `PartitionError` when an event lies outside its day's partition.
        """
        frame = self.frame().where(F.col(DAY).isin(sorted(set(days))))
        misplaced = frame.where(F.to_date(F.col("ts").cast("timestamp_ntz")) != F.col(DAY))
        row = misplaced.groupBy(DAY).count().orderBy(DAY).first()
        if row is not None:
            raise PartitionError(
                f"{self.root}/{DAY}={row[DAY]}: {row['count']:,} events whose ts is another UTC "
                "day; an incremental run needs each event in the partition of its own day")
        return frame


def _day_of(relative: str, root: str) -> date | None:
    """The day of a file ``day=YYYY-MM-DD/...`` (None for a file outside a day folder)."""
    head, _, rest = relative.partition("/")
    if not rest or not head.startswith(f"{DAY}="):
        return None
    try:
        return date.fromisoformat(head.removeprefix(f"{DAY}="))
    except ValueError as exc:
        raise PartitionError(f"{root}/{head}: not a day (YYYY-MM-DD)") from exc
