"""The ``spark-submit`` entry point: score Parquet or catalog tables on a cluster.

    spark-submit --master yarn "$(python -c 'import renown.engines.spark.submit as m;
        print(m.__file__)')" --input hdfs:///renown/export --output hdfs:///renown/scores

(also ``python -m renown.engines.spark.submit --master local[4] …``).  With
``--state DIR`` and an ``--input`` exported by day (``renown export --parquet
--by-day``) the run is incremental: only the day partitions that changed since
the last run are read (`renown.engines.spark.signal_state`).  Writes
``OUTPUT/account_scores``, ``OUTPUT/person_scores`` and ``OUTPUT/score_runs``
(one row: day, model, counts, iterations) as Parquet, and prints that row as
JSON.  No store is touched: load the Parquet wherever the scores are served.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from renown.engines.spark.driver_propagation import DRIVER_EDGE_LIMIT
from renown.engines.spark.io import latest_day, read_export, read_tables
from renown.engines.spark.run import Incremental, incremental_inputs, score_spark
from renown.engines.spark.session import spark_session
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.snapshots import day_end


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="renown-spark", description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", help="folder written by `renown export --parquet`")
    source.add_argument("--events-table", help="catalog table with the store's event columns")
    parser.add_argument("--identities-table", help="catalog table: network, account, person_id")
    parser.add_argument("--output", required=True, help="folder for the score tables")
    parser.add_argument("--as-of", type=date.fromisoformat,
                        help="day to score, YYYY-MM-DD (default: the newest event's)")
    parser.add_argument("--model", type=Path, help="model TOML (default: the built-in model)")
    parser.add_argument("--master", help="Spark master (default: from spark-submit)")
    parser.add_argument("--partitions", type=int, help="partitions for the graph and people")
    parser.add_argument("--checkpoint-dir", help="reliable checkpoints here (HDFS, S3, …)")
    parser.add_argument("--state", help="keep the signals' per-day sums here and read only the "
                        "changed day partitions of --input (`renown export --parquet --by-day`)")
    parser.add_argument("--full", action="store_true",
                        help="with --state: read every day partition of the window")
    parser.add_argument("--driver-edges", type=int, default=DRIVER_EDGE_LIMIT,
                        help="propagate on the driver when the graph has at most this many "
                        "edges (0: always on the cluster)")
    args = parser.parse_args(argv)
    if args.state and args.events_table:
        parser.error("--state reads a day-partitioned --input, not --events-table")
    return args


def _inputs(spark: SparkSession, args: argparse.Namespace
            ) -> tuple[DataFrame, DataFrame | None, Incremental | None]:
    """Events, identities and (with --state) what an incremental run reads."""
    if args.events_table:
        return (*read_tables(spark, args.events_table, args.identities_table), None)
    if not args.state:
        return (*read_export(spark, args.input), None)
    return incremental_inputs(spark, args.input, args.state, full=args.full)


def main(argv: Sequence[str] | None = None) -> int:
    """Score one day and write the results; the exit status says whether it worked."""
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    spark = spark_session(args.master, app_name="renown-score")
    if args.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(args.checkpoint_dir)
    events, identities, incremental = _inputs(spark, args)
    day = args.as_of or latest_day(events)
    if day is None:
        print("error: the input holds no online events", file=sys.stderr)
        return 1
    model = Model.load(args.model) if args.model else DEFAULT_MODEL
    scores = score_spark(spark, events, day_end(day), model, identities,
                         partitions=args.partitions, incremental=incremental,
                         driver_edges=args.driver_edges)
    scores.write_parquet(args.output)
    summary = {"as_of": day.isoformat(), "model_version": model.version,
               "accounts": scores.accounts.count(), "people": scores.people.count(),
               "iterations": scores.propagation_iterations,
               "converged": scores.propagation_converged, "seconds": scores.timings,
               "signals": scores.signal_reuse.describe() if scores.signal_reuse else None}
    spark.createDataFrame([(summary["as_of"], model.version, summary["accounts"],
                            summary["people"], scores.propagation_iterations,
                            scores.propagation_converged)],
                          "as_of string, model_version string, accounts long, people long, "
                          "iterations int, converged boolean"
                          ).write.mode("overwrite").parquet(f"{args.output.rstrip('/')}/score_runs")
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
