"""The Spark engine: Renown's scoring pipeline on Apache Spark (``pip install 'renown[spark]'``).

From Python, with your own session::

    from renown.engines.spark import read_export, score_spark
    events, identities = read_export(spark, "s3://bucket/renown-export")
    scores = score_spark(spark, events, as_of, Model(), identities)
    scores.write_parquet("s3://bucket/renown-scores")

From the command line: ``renown score --engine spark`` (into the store) or
`renown.engines.spark.submit` (``spark-submit``, Parquet in and out).
See docs/scale.md.
"""

from __future__ import annotations

from renown.engines.spark.io import latest_day, read_export, read_tables
from renown.engines.spark.run import SparkScores, score_spark
from renown.engines.spark.session import spark_session

__all__ = ["SparkScores", "latest_day", "read_export", "read_tables", "score_spark",
           "spark_session"]
