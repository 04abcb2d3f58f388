"""Personalised PageRank by iterated DataFrame joins: the local engine's iteration, in Spark.

The same power iteration as `renown.scoring.propagation.pagerank` (same start,
same update, same L1 stopping rule, same dangling-node convention), so both
engines stop at the same step and agree to rounding.  Each step is one join of
the edges with the current vector and one aggregation by target; the L1
change, the dangling mass and the total come back in one small aggregate.

The vector is renormalised lazily: step k divides by the total of step k-1,
which is 1 up to rounding (the update conserves mass), so no extra pass is
needed per step.  Every step is checkpointed (`lineage.cut`): a step reads
the previous vector twice (along edges, and as its own term), so without
cutting the lineage the query plan would double in size per step.  The
checkpoint is lazy: the summary's job computes the step and keeps it, so a
step costs one Spark job.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F  # noqa: N812  (Spark's own convention)

from renown.engines.spark.lineage import cut
from renown.scoring.model import Model


@dataclass(frozen=True)
class SparkRank:
    """Per-node rank and inflow (columns idx, rank, inflow) and diagnostics."""

    ranks: DataFrame
    iterations: int
    residual: float
    converged: bool


def influence_pairs(pairs: DataFrame) -> DataFrame:
    """The pairs that carry influence: reach_q > 0 (the local engine's edges)."""
    return pairs.where(F.col("reach_q") > 0)


def indexed_edges(pairs: DataFrame, nodes: DataFrame) -> DataFrame:
    """Edges reactor → author by node index, with their weight (src, dst, reach_q)."""
    ids = nodes.select("network", "account", "idx")
    return (influence_pairs(pairs)
            .join(ids.withColumnsRenamed({"account": "reactor", "idx": "src"}),
                  ["network", "reactor"])
            .join(ids.withColumnsRenamed({"account": "author", "idx": "dst"}),
                  ["network", "author"])
            .select("src", "dst", "reach_q"))


def graph_edges(pairs: DataFrame, nodes: DataFrame) -> DataFrame:
    """Edges reactor → author with their share of the reactor's out-weight (src, dst, share).

    Shares are ratios of exact fixed-point sums; the local engine adds the same
    weights in floating point, so the two agree to rounding.
    """
    edges = indexed_edges(pairs, nodes)
    out_weight = edges.groupBy("src").agg(F.sum("reach_q").alias("out_q"))
    return (edges.join(out_weight, "src")
            .select("src", "dst", (F.col("reach_q") / F.col("out_q")).alias("share")))


def pagerank(nodes: DataFrame, edges: DataFrame, model: Model, *, partitions: int,
             start: DataFrame | None = None) -> SparkRank:
    """Stationary distribution over ``nodes`` (idx, scored) along ``edges`` (src, dst, share).

    ``start`` (idx, x) is a warm start: a previous day's ranks, say.  The
    iteration converges to the same vector from any start (the fixed point
    is unique), to the same tolerance, in fewer steps when the start is
    close; nodes it lacks start from the teleport vector.
    """
    spark, d = nodes.sparkSession, model.damping
    edges = cut(edges.repartition(partitions, "src"))
    edges.createOrReplaceTempView("_pr_edges")
    state = _initial_state(nodes, edges, partitions, start)
    total, dangling, residual, iterations = 1.0, _dangling_mass(state), float("inf"), 0
    for iterations in range(1, model.max_iterations + 1):  # noqa: B007  (used after the loop)
        state.createOrReplaceTempView("_pr_state")
        jump = d * dangling + (1 - d)
        # Lazily: the summary's job computes the step and keeps it (one job per step).
        state = cut(spark.sql(_STEP.format(d=_double(d), jump=_double(jump), total=_double(total))
                          ), eager=False)
        total, dangling, residual = _summary(state)
        if residual < model.tolerance:
            break
    rank = state.select("idx", (F.col("x") / total).alias("rank"))
    inflow = _inflow(rank, edges, d)
    ranks = cut(rank.join(inflow, "idx", "left").select(
        "idx", "rank", F.coalesce("inflow", F.lit(0.0)).alias("inflow")))
    for view in ("_pr_state", "_pr_edges"):
        spark.catalog.dropTempView(view)
    return SparkRank(ranks, iterations, residual, residual < model.tolerance)


#: One step, x ← d·P·(x/total) + jump·v, keeping the previous iterate as ``x_old``.
#: Spark SQL (one call per step: the DataFrame API costs hundreds of calls into the JVM).
_STEP = """
    WITH previous AS (SELECT idx, v, dangling, x / {total} AS x FROM _pr_state),
    passed AS (
        SELECT e.dst AS idx, sum(e.share * p.x) AS inflow
        FROM _pr_edges e JOIN previous p ON p.idx = e.src GROUP BY e.dst
    )
    SELECT p.idx, p.v, p.dangling, p.x AS x_old,
           {d} * coalesce(i.inflow, CAST(0 AS DOUBLE)) + {jump} * p.v AS x
    FROM previous p LEFT JOIN passed i ON i.idx = p.idx
"""


def _double(value: float) -> str:
    """A double as an exact Spark SQL literal (a bare 0.85 would be a DECIMAL)."""
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def _initial_state(nodes: DataFrame, edges: DataFrame, partitions: int,
                   start: DataFrame | None) -> DataFrame:
    """(idx, v, dangling, x): the teleport vector, and the first iterate (v, or ``start``).

    Teleport goes to scored accounts (system accounts get none) or, if there
    are none, to everyone; dangling nodes have no out-edge.  A warm start is
    renormalised to total 1, as every iterate is.
    """
    scored = nodes.where("scored").count()
    weight = (F.when(F.col("scored"), F.lit(1.0 / scored)) if scored
              else F.lit(1.0 / max(nodes.count(), 1)))
    teleport = F.coalesce(weight, F.lit(0.0)) if scored else weight
    sources = edges.select(F.col("src").alias("idx")).distinct().withColumn("has_out", F.lit(True))
    state = (nodes.join(sources, "idx", "left")
             .select("idx", teleport.alias("v"), F.col("has_out").isNull().alias("dangling")))
    if start is None:
        return cut(state.withColumn("x", F.col("v")).repartition(partitions, "idx"))
    state = cut(state.join(start.select("idx", F.col("x").alias("start")), "idx", "left")
                .select("idx", "v", "dangling", F.coalesce("start", "v").alias("x"))
                .repartition(partitions, "idx"))
    total = float(state.agg(F.sum("x")).first()[0] or 1.0)  # type: ignore[index]
    return cut(state.withColumn("x", F.col("x") / F.lit(total)))


def _summary(step: DataFrame) -> tuple[float, float, float]:
    """(total, dangling mass, L1 change) of a step, normalised by its total."""
    row = step.agg(F.expr("sum(x)"), F.expr("sum(CASE WHEN dangling THEN x ELSE 0D END)"),
                   F.expr("sum(abs(x - x_old))")).first()
    assert row is not None
    total = float(row[0] or 1.0)
    return total, float(row[1] or 0.0) / total, float(row[2] or 0.0) / total


def _dangling_mass(state: DataFrame) -> float:
    row = state.agg(F.expr("sum(CASE WHEN dangling THEN x ELSE 0D END)")).first()
    return float(row[0] or 0.0) if row is not None else 0.0


def _inflow(rank: DataFrame, edges: DataFrame, d: float) -> DataFrame:
    """d · Σ_in rank(src)·share: the part of each node's rank that arrived along edges."""
    return (edges.join(rank.withColumnRenamed("idx", "src"), "src")
            .groupBy("dst").agg((d * F.sum(F.col("share") * F.col("rank"))).alias("inflow"))
            .withColumnRenamed("dst", "idx"))
