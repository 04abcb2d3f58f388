"""Personalised PageRank for many personalisations at once (one per topic).

The same walk as `renown.scoring.propagation.pagerank` (edges reactor →
author in proportion to weight; with probability 1 − damping, and always
from a node without out-edges, a jump drawn from the personalisation), for a
block of personalisation vectors iterated together: one sparse
matrix × dense block product per step reads the graph once for every topic,
where one product per topic would read it once each (Haveliwala, "Topic-
sensitive PageRank", 2002, computes its topic vectors the same way).  As in
`pagerank`, the early steps run in single precision (half the memory traffic)
and the last ones in double precision, so the result meets the tolerance.
Arrays in, arrays out; the matrix is `propagation.transition_matrix`'s.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from renown.scoring.propagation import FLOAT32_HANDOFF

FloatMatrix = npt.NDArray[np.float64]
#: Node × topic values per block (8 bytes each; a few such arrays are alive).
MAX_BLOCK_ENTRIES: Final = 8_000_000
#: Columns iterated together: enough to read the graph once for many topics,
#: few enough that the blocks spread over threads.
COLUMNS_PER_BLOCK: Final = 16
MAX_THREADS: Final = 8


def block_pagerank(matrix: sp.csr_matrix, dangling: npt.NDArray[np.bool_],
                   personalizations: FloatMatrix, *, damping: float = 0.85,
                   tolerance: float = 1e-10, max_iterations: int = 300,
                   ) -> tuple[FloatMatrix, FloatMatrix]:
    """(rank, inflow), each nodes × columns, for the personalisation columns given.

    ``matrix`` and ``dangling`` are `transition_matrix`'s.  ``inflow`` is the
    part of each rank that arrived along edges (as `PageRankResult.inflow`).
    Each column of ``personalizations`` must be non-negative with positive
    mass; it is normalised to sum to 1.  Columns are solved in blocks of at
    most `COLUMNS_PER_BLOCK` (fixed, so results never depend on the machine),
    the blocks on threads (SciPy's sparse products release the GIL); a block
    runs until its slowest column's L1 change is below ``tolerance``.
    """
    n_nodes = matrix.shape[0]
    teleport = np.asarray(personalizations, np.float64)
    if teleport.ndim != 2 or teleport.shape[0] != n_nodes:
        raise ValueError(f"personalizations must be ({n_nodes}, k), got {teleport.shape}")
    mass = teleport.sum(axis=0)
    if np.any(teleport < 0) or np.any(mass <= 0):
        raise ValueError("each personalisation must be non-negative with positive mass")
    rank = np.empty_like(teleport)
    inflow = np.empty_like(teleport)
    width = max(1, min(COLUMNS_PER_BLOCK, MAX_BLOCK_ENTRIES // max(n_nodes, 1)))
    starts = range(0, teleport.shape[1], width)
    single = matrix.astype(np.float32)

    def solve(start: int) -> None:
        block = teleport[:, start:start + width] / mass[start:start + width]
        # Single precision while the change is far above its noise floor (half the
        # memory traffic), then double precision to the tolerance.
        values, _ = _iterate(single, dangling, block.astype(np.float32),
                             block.astype(np.float32), damping, max(tolerance, FLOAT32_HANDOFF),
                             max_iterations, stop_when_stalled=True)
        values, _ = _iterate(matrix, dangling, block, values.astype(np.float64), damping,
                             tolerance, max_iterations)
        rank[:, start:start + width] = values
        inflow[:, start:start + width] = damping * np.asarray(matrix @ values)

    threads = min(len(starts), os.cpu_count() or 1, MAX_THREADS)
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(solve, starts))
    else:
        for start in starts:
            solve(start)
    return rank, inflow


def _iterate(matrix: sp.csr_matrix, dangling: npt.NDArray[np.bool_], block: npt.NDArray[Any],
             values: npt.NDArray[Any], damping: float, tolerance: float, max_iterations: int,
             *, stop_when_stalled: bool = False) -> tuple[npt.NDArray[Any], int]:
    """Power iteration of a block until every column's L1 change is below ``tolerance``."""
    previous = np.inf
    for step in range(1, max_iterations + 1):
        jump = damping * values[dangling].sum(axis=0) + (1.0 - damping)
        updated = damping * np.asarray(matrix @ values) + block * jump
        updated /= updated.sum(axis=0)
        residual = float(np.abs(updated - values).sum(axis=0).max())
        values = updated
        if residual < tolerance or (stop_when_stalled and residual >= previous):
            return values, step
        previous = residual
    return values, max_iterations
