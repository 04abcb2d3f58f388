"""Engagement pods: dense groups of accounts that keep reacting to one another.

A pod is a group whose members all react to each other, again and again.
Detection, per network:

1. **Reciprocal ties** (SQL): pairs who both react to each other, with the
   tie's strength = the smaller of the two directions' reaction counts (acts,
   as in the score).
2. **Sustained ties**: strength beyond the far-out fence of all reciprocal
   ties on the network (`renown.scoring.audience.fences`): friends trade a
   few reactions, pods trade one on every post.  Like every quartile-based
   rule this assumes the unusual are a minority: it holds while pod ties are
   fewer than a quarter of a network's mutual ties (7.6% in the simulated
   world, where ordinary mutual fans abound; on a network made mostly of one
   pod, the pod is what is usual there).
3. **Dense groups**: the 4-truss of the sustained-tie graph, where every tie
   closes at least two triangles of sustained ties (Cohen, "Trusses: cohesive
   subgraphs for social network analysis", 2008).  A pair of friends, a
   chain or a star of mutual fans is peeled away; four or more accounts that
   all keep reacting to each other remain.  Each connected component of the
   truss is one pod.

Arrays in, arrays out for the graph work (SciPy sparse), so it scales with the
number of sustained ties, not with the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from renown.scoring.audience.fences import beyond, far_out_fence

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Every tie of a pod closes at least TRUSS_K − 2 triangles, so a pod has at
#: least TRUSS_K members.  Four: three people trading reactions are a
#: conversation; four who all do, persistently, are coordinating.
TRUSS_K: Final = 4


def k_truss(rows: IntArray, cols: IntArray, n_nodes: int, k: int = TRUSS_K) -> BoolArray:
    """Which undirected edges (rows[i], cols[i]) survive in the k-truss.

    Peels edges that close fewer than k − 2 triangles until none is left to
    peel; duplicate and self edges are not expected.
    """
    alive = np.ones(rows.size, dtype=bool)
    while alive.any():
        r, c = rows[alive], cols[alive]
        ones = np.ones(r.size * 2)
        adjacency = sp.csr_matrix((ones, (np.r_[r, c], np.r_[c, r])), shape=(n_nodes, n_nodes))
        triangles = adjacency @ adjacency
        support = np.asarray(triangles[r, c]).ravel()
        weak = support < k - 2
        if not weak.any():
            break
        alive[np.flatnonzero(alive)[weak]] = False
    return alive


def group_labels(rows: IntArray, cols: IntArray, n_nodes: int) -> IntArray:
    """A group number per node touched by an edge (−1 for the others), numbered by first node."""
    touched = np.zeros(n_nodes, dtype=bool)
    touched[rows] = touched[cols] = True
    graph = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    result = np.full(n_nodes, -1, dtype=np.int64)
    seen: dict[int, int] = {}
    for node in np.flatnonzero(touched):
        result[node] = seen.setdefault(int(labels[node]), len(seen))
    return result


@dataclass(frozen=True, slots=True)
class PodDetection:
    """Pod members (network, account, pod, pod_size) and the tie fence of each network."""

    members: pa.Table
    tie_fences: dict[str, float]


def reciprocal_ties(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Pairs (a < b) who both react to each other in ``_signal_pairs``, with their strength."""
    return con.sql("""
        SELECT p.network, p.reactor AS a, p.author AS b,
               least(p.reactions, q.reactions) AS strength
        FROM _signal_pairs p JOIN _signal_pairs q
          ON q.network = p.network AND q.reactor = p.author AND q.author = p.reactor
        WHERE p.reactor < p.author
        ORDER BY p.network, a, b
    """).to_arrow_table()


def detect_pods(ties: pa.Table) -> PodDetection:
    """Pods on every network from its reciprocal ties (see the module docstring)."""
    parts, fences = [], {}
    for network in sorted(set(ties["network"].to_pylist())):
        mine = ties.filter(pc.equal(ties["network"], network))
        fence = far_out_fence(mine["strength"].to_numpy())
        fences[network] = fence
        strong = mine.filter(pa.array(beyond(mine["strength"].to_numpy(), fence)))
        parts.append(_pods_of(network, strong))
    empty = pa.table({"network": pa.array([], pa.string()), "account": pa.array([], pa.string()),
                      "pod": pa.array([], pa.string()), "pod_size": pa.array([], pa.int64())})
    return PodDetection(pa.concat_tables([empty, *parts]), fences)


def _pods_of(network: str, strong: pa.Table) -> pa.Table:
    names, index = np.unique(np.concatenate([strong["a"].to_numpy(zero_copy_only=False),
                                             strong["b"].to_numpy(zero_copy_only=False)]),
                             return_inverse=True)
    rows, cols = index[:strong.num_rows], index[strong.num_rows:]
    keep = k_truss(rows, cols, names.size)
    labels = group_labels(rows[keep], cols[keep], names.size)
    members = np.flatnonzero(labels >= 0)
    sizes = np.bincount(labels[members]) if members.size else np.zeros(0, np.int64)
    return pa.table({
        "network": pa.array([network] * members.size, pa.string()),
        "account": pa.array(names[members].tolist(), pa.string()),
        "pod": pa.array([f"{network}#{labels[m] + 1}" for m in members], pa.string()),
        "pod_size": pa.array(sizes[labels[members]].astype(np.int64), pa.int64()),
    })
