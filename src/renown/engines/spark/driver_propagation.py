"""Propagation on the driver when the graph fits: collect the edges once, iterate in NumPy.

The join-based iteration (`renown.engines.spark.propagation`) costs one Spark
job per step over every edge: on one machine, 4.4 s a step on a 7-million-edge
graph, about 160 s a run, more than the signals themselves.  The same graph
is 170 MB of arrays, which the local engine's solver
(`renown.scoring.propagation.pagerank`) iterates in about a second.  So when
the graph has at most ``limit`` edges, the edges come to the driver once,
in the local engine's order (nodes numbered by network and account, edges by
source and target), and the local solver runs on them from a cold start:
the same arrays give the same iterates, so the ranks are the local engine's
to the last bit whenever the signals are, and an incremental run's are its
full run's.  Larger graphs (hundreds of millions of edges at internet scale)
stay on the cluster.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame

from renown.engines.spark.lineage import cut
from renown.engines.spark.propagation import SparkRank, indexed_edges
from renown.scoring.model import Model
from renown.scoring.propagation import pagerank
from renown.scoring.signal_pairs import QUANTUM

#: Graphs up to this many edges are propagated on the driver: about 24 bytes an
#: edge while collecting and 20 in the solver's matrix, so under 1 GB of driver
#: memory at the limit.
DRIVER_EDGE_LIMIT: Final = 20_000_000


def driver_pagerank(nodes: DataFrame, pairs: DataFrame, model: Model) -> SparkRank:
    """Ranks of ``nodes`` (network, account, idx, scored) along ``pairs``, solved on the driver.

    The result has the cluster path's shape: (idx, rank, inflow) per node.
    """
    spark = nodes.sparkSession
    node_rows = nodes.select("idx", "scored").orderBy("network", "account").toArrow()
    node_ids = np.asarray(node_rows["idx"], np.int64)
    by_id = np.argsort(node_ids, kind="stable")
    edges = indexed_edges(pairs, nodes).toArrow()

    def position(column: str) -> np.ndarray:
        found = np.asarray(edges[column], np.int64)
        return by_id[np.searchsorted(node_ids[by_id], found)]

    sources, targets = position("src"), position("dst")
    order = np.lexsort((targets, sources))
    teleport = np.asarray(node_rows["scored"], np.float64)
    if teleport.size and teleport.sum() == 0:
        teleport = np.ones(teleport.size)
    result = pagerank(sources[order], targets[order],
                      np.asarray(edges["reach_q"], np.float64)[order] / QUANTUM,
                      node_ids.size, personalization=teleport, damping=model.damping,
                      tolerance=model.tolerance, max_iterations=model.max_iterations)
    ranks = spark.createDataFrame(pa.table({"idx": node_ids, "rank": result.rank,
                                            "inflow": result.inflow}))
    return SparkRank(cut(ranks), result.iterations, result.residual, result.converged)
