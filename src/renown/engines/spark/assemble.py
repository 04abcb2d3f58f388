"""Components, people and the 1–100 scale in Spark: the shared `assemble_scores` per partition.

Account rows and person rows go to partitions by person, so a person's
accounts are never split; each partition then runs the very function the
local engine runs on everyone (`renown.scoring.assemble.assemble_scores`),
with the accounts in the same order, so every score is computed by the same
operations.  Only pyarrow and numpy are needed on the executors (Arrow batches
through ``mapInArrow``; no pandas).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.engines.spark.lineage import cut
from renown.scoring.assemble import ACCOUNT_INPUTS, assemble_scores
from renown.scoring.model import Model

#: Columns of the stored score tables (`renown.scoring.pipeline.ScoreRun`).
ACCOUNT_COLUMNS: Final = ("network", "account", "person_id", "posts", "reactors", "reactions",
                          "reach", "amplification", "network_value", "influence", "raw",
                          "score", "points")
PERSON_COLUMNS: Final = ("person_id", "raw", "score", "online_points", "offline_points",
                         "offline_units")
_OUTPUT: Final = pa.schema(
    [("kind", pa.string()), ("person_id", pa.string()), ("network", pa.string()),
     ("account", pa.string()), ("posts", pa.int64()), ("reactors", pa.int64()),
     ("reactions", pa.int64())]
    + [(name, pa.float64()) for name in ("reach", "amplification", "network_value",
                                         "influence", "raw", "score", "points",
                                         "online_points", "offline_points", "offline_units")])
_SPARK_TYPES: Final = {pa.string(): "string", pa.int64(): "bigint", pa.float64(): "double"}
_SPARK_OUTPUT: Final = ", ".join(f"{field.name} {_SPARK_TYPES[field.type]}" for field in _OUTPUT)


def assemble(accounts: DataFrame, people: DataFrame, n_reference: int, model: Model,
             partitions: int) -> tuple[DataFrame, DataFrame]:
    """Account and person score frames from account inputs and person units.

    ``accounts`` has `ACCOUNT_INPUTS` but ``person_index``; ``people`` has
    person_id and units_q.
    """
    inputs = [name for name in ACCOUNT_INPUTS if name != "person_index"]
    rows = (accounts.select(*inputs, F.lit(None).cast("bigint").alias("units_q"),
                            F.lit(False).alias("is_person"))
            .unionByName(people.select("person_id", "units_q", F.lit(True).alias("is_person")),
                         allowMissingColumns=True))
    scored = cut(rows.repartition(partitions, "person_id")
                 .mapInArrow(partial(assemble_partition, n_reference=n_reference, model=model),
                             _SPARK_OUTPUT))
    return (scored.where(F.col("kind") == "account").select(*ACCOUNT_COLUMNS),
            scored.where(F.col("kind") == "person").select(*PERSON_COLUMNS))


def assemble_partition(batches: Iterator[pa.RecordBatch], n_reference: int,
                       model: Model) -> Iterator[pa.RecordBatch]:
    """Scores for the people in one partition (all their accounts are here)."""
    parts = list(batches)
    if not parts:
        return
    table = pa.Table.from_batches(parts)
    is_person = table["is_person"]
    people = table.filter(is_person).sort_by("person_id")
    accounts = table.filter(pc.invert(is_person)).sort_by(
        [("network", "ascending"), ("account", "ascending")])
    index = pc.index_in(accounts["person_id"], value_set=people["person_id"])
    columns = {name: accounts[name] for name in accounts.column_names}
    columns["person_index"] = np.asarray(index.to_numpy(zero_copy_only=False), np.int64)
    account_table, person_table = assemble_scores(
        columns, {"person_id": people["person_id"], "units_q": people["units_q"]},
        n_reference, model)
    for kind, part in (("account", account_table), ("person", person_table)):
        yield from _conform(part, kind).to_batches()


def _conform(table: pa.Table, kind: str) -> pa.Table:
    """``table`` in the output schema: a ``kind`` column, and nulls for the other kind's."""
    n = table.num_rows
    columns = [pa.array([kind] * n, pa.string())]
    for field in list(_OUTPUT)[1:]:
        if field.name in table.column_names:
            columns.append(table[field.name].cast(field.type))
        else:
            columns.append(pa.nulls(n, field.type))
    return pa.Table.from_arrays(columns, schema=_OUTPUT)
