"""Personalised PageRank for many personalisations at once (one per topic).

The same walk as `renown.scoring.propagation.pagerank` (edges reactor →
author in proportion to weight; with probability 1 − damping, and always
from a node without out-edges, a jump drawn from the personalisation), for a
block of personalisation vectors iterated together: one sparse
matrix × dense block product per step reads the graph once for every topic,
where one product per topic would read it once each (Haveliwala, "Topic-
sensitive PageRank", 2002, computes its topic vectors the same way).

It iterates the same reduced system as `pagerank` (see its module
docstring): accounts that only react (*sources*) hold the jump mass times
their personalisation at every step, one scalar per topic, and are never
iterated; accounts that are only reacted to (*sinks*) are computed but never
multiplied; only the edges out of the *core* take part in each product (on
a simulated 1M-person world half of them).  The product's rows are split
over the cores (SciPy's kernel releases the GIL; each row is still summed by
one thread in one order, so the result does not depend on the machine).  As
in `pagerank`, the early steps run in single precision (half the memory
traffic) and the last ones in double precision, so the result meets the
tolerance.  Arrays in, arrays out; the matrix is
`propagation.transition_matrix`'s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from renown.scoring.propagation import FLOAT32_HANDOFF, RowBlock, available_cpus, row_blocks

try:  # SciPy's in-place Y += A·X kernel for a dense block X: no allocation per product.
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover  (private SciPy API; fall back to A @ X)
    _csr_matvecs = None

FloatMatrix = npt.NDArray[np.float64]
Block = npt.NDArray[Any]
#: Node × topic values per block (8 bytes each; a few such arrays are alive).
MAX_BLOCK_ENTRIES: Final = 8_000_000
#: Columns iterated together: enough to read the graph once for many topics,
#: few enough that the blocks spread over threads.
COLUMNS_PER_BLOCK: Final = 16
MAX_THREADS: Final = 8
#: A product is split over threads only with at least this many entries per thread.
MIN_ENTRIES_PER_THREAD: Final = 32_768
#: Runs of rows each step is cut into, whatever the number of threads.
ROW_RUNS: Final = 8

_T = TypeVar("_T")


def block_pagerank(matrix: sp.csr_matrix, dangling: npt.NDArray[np.bool_],
                   personalizations: FloatMatrix, *, damping: float = 0.85,
                   tolerance: float = 1e-10, max_iterations: int = 300,
                   ) -> tuple[FloatMatrix, FloatMatrix]:
    """(rank, inflow), each nodes × columns, for the personalisation columns given.

    ``matrix`` and ``dangling`` are `transition_matrix`'s.  ``inflow`` is the
    part of each rank that arrived along edges (as `PageRankResult.inflow`).
    Each column of ``personalizations`` must be non-negative with positive
    mass; it is normalised to sum to 1.  Columns are solved in blocks of at
    most `COLUMNS_PER_BLOCK` (fixed, so results never depend on the machine);
    blocks run on threads, and a block's products use the cores left over; a
    block runs until its slowest column's L1 change is below ``tolerance``.
    To solve several calls' worth of columns on one graph, make one
    `BlockPropagation` and call its ``solve``: the graph is cut once.
    """
    return BlockPropagation(matrix, dangling, damping=damping).solve(
        personalizations, tolerance=tolerance, max_iterations=max_iterations)


class BlockPropagation:
    """One graph, cut into sources, core and sinks once, for any number of blocks."""

    def __init__(self, matrix: sp.csr_matrix, dangling: npt.NDArray[np.bool_], *,
                 damping: float = 0.85) -> None:
        self.matrix, self.damping = matrix, damping
        self.split = _Split.of(matrix, dangling, damping)

    def solve(self, personalizations: FloatMatrix, *, tolerance: float = 1e-10,
              max_iterations: int = 300) -> tuple[FloatMatrix, FloatMatrix]:
        """`block_pagerank` of ``personalizations`` on this graph."""
        n_nodes = self.matrix.shape[0]
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
        cpus = _cpus()
        outer = max(1, min(len(starts), cpus))
        inner = max(1, cpus // outer)

        def solve(start: int) -> None:
            columns = slice(start, start + width)
            values = self._solve_block(teleport[:, columns] / mass[columns], tolerance,
                                       max_iterations, inner)
            rank[:, columns] = values
            inflow[:, columns] = self.damping * np.asarray(self.matrix @ values)

        if outer > 1:
            with ThreadPoolExecutor(outer) as pool:
                list(pool.map(solve, starts))
        else:
            for start in starts:
                solve(start)
        return rank, inflow

    def _solve_block(self, block: FloatMatrix, tolerance: float, max_iterations: int,
                     threads: int) -> FloatMatrix:
        system = _BlockSystem.build(self.split, block)
        state = system.start().as_dtype(np.float32)
        # Single precision while the change is far above its noise floor (half the
        # memory traffic), then double precision to the tolerance.
        state, residual, steps = system.as_dtype(np.float32).iterate(
            state, max(tolerance, FLOAT32_HANDOFF), max_iterations, threads,
            stop_when_stalled=True)
        state = state.as_dtype(np.float64)
        if residual >= tolerance and steps < max_iterations:
            state, _, _ = system.iterate(state, tolerance, max_iterations, threads)
        return system.assemble(state)


@dataclass(frozen=True, slots=True)
class _Split:
    """The graph cut into sources, core and sinks (independent of the personalisation)."""

    damping: float
    has_in: npt.NDArray[np.bool_]
    sources: npt.NDArray[np.intp]
    isolated: npt.NDArray[np.intp]
    #: Core nodes, then sinks.
    reached: npt.NDArray[np.intp]
    n_core: int
    #: d·P from the core (columns) and from the sources (columns) to the reached nodes.
    from_core: sp.csr_matrix
    from_sources: sp.csr_matrix
    #: ``from_core`` in single precision, for the first steps.
    from_core_single: sp.csr_matrix

    @staticmethod
    def of(matrix: sp.csr_matrix, dangling: npt.NDArray[np.bool_], damping: float) -> _Split:
        has_in = np.diff(matrix.indptr) > 0
        core = np.flatnonzero(has_in & ~dangling)
        reached = np.concatenate([core, np.flatnonzero(has_in & dangling)])
        sources = np.flatnonzero(~has_in)
        rows = (damping * matrix[reached]).tocsc()
        from_core = rows[:, core].tocsr()
        return _Split(damping, has_in, sources, np.flatnonzero(~has_in & dangling), reached,
                      core.size, from_core, rows[:, sources].tocsr(),
                      from_core.astype(np.float32))


@dataclass(frozen=True, slots=True)
class _State:
    """One iterate: the reached nodes' values, and per column the scale of the sources'."""

    values: Block
    scale: npt.NDArray[np.float64]

    def as_dtype(self, dtype: type[np.floating]) -> _State:
        return _State(np.ascontiguousarray(self.values, dtype=dtype), self.scale)


@dataclass(frozen=True, slots=True)
class _BlockSystem:
    """`propagation._ReducedSystem` for a block of personalisation columns."""

    split: _Split
    teleport: FloatMatrix
    v_reached: Block
    #: What the sources pass on along their edges per unit of their scale (times d).
    passed_on: Block
    matrix: sp.csr_matrix
    source_mass: npt.NDArray[np.float64]
    isolated_mass: npt.NDArray[np.float64]

    @staticmethod
    def build(split: _Split, teleport: FloatMatrix) -> _BlockSystem:
        passed_on = np.ascontiguousarray(split.from_sources @ teleport[split.sources])
        return _BlockSystem(
            split, teleport, np.ascontiguousarray(teleport[split.reached]), passed_on,
            split.from_core, teleport[split.sources].sum(axis=0),
            teleport[split.isolated].sum(axis=0))

    def as_dtype(self, dtype: type[np.floating]) -> _BlockSystem:
        matrix = self.split.from_core_single if dtype is np.float32 else \
            self.matrix.astype(dtype)
        return replace(self, v_reached=self.v_reached.astype(dtype),
                       passed_on=self.passed_on.astype(dtype), matrix=matrix)

    def start(self) -> _State:
        """The personalisation itself, as the plain power iteration starts."""
        return _State(self.v_reached.copy(), np.ones(self.teleport.shape[1]))

    def iterate(self, state: _State, tolerance: float, max_iterations: int, threads: int, *,
                stop_when_stalled: bool = False) -> tuple[_State, float, int]:
        """Steps until every column's L1 change is below ``tolerance`` (or it stalls)."""
        threads = max(1, min(threads, MAX_THREADS, self.matrix.nnz // MIN_ENTRIES_PER_THREAD))
        with ThreadPoolExecutor(threads) if threads > 1 else nullcontext() as pool:
            runs = _Runs(self.matrix, pool)
            return self._iterate(state, tolerance, max_iterations, stop_when_stalled, runs)

    def _iterate(self, state: _State, tolerance: float, max_iterations: int,
                 stop_when_stalled: bool, runs: _Runs) -> tuple[_State, float, int]:
        d, n_core = self.split.damping, self.split.n_core
        values, scale = state.values, state.scale
        updated, spare = np.empty_like(values), np.empty_like(values)
        sink_mass = column_sums(values[n_core:])
        residual, previous, step = np.inf, np.inf, 0
        for step in range(1, max_iterations + 1):  # noqa: B007  (used after the loop)
            jump = d * (sink_mass + scale * self.isolated_mass) + (1 - d)
            spread = functools.partial(self._spread, runs, values, updated, spare,
                                       jump.astype(values.dtype), scale.astype(values.dtype))
            total = _in_order(runs.map(spread)) + jump * self.source_mass
            settled = runs.map(functools.partial(self._settle, values, updated, spare,
                                                 total.astype(values.dtype)))
            new_scale = jump / total
            change = _in_order([c for c, _ in settled]) \
                + np.abs(new_scale - scale) * self.source_mass
            sink_mass = _in_order([m for _, m in settled])
            residual = float(change.max())
            values, updated = updated, values
            scale = new_scale
            if residual < tolerance or (stop_when_stalled and residual >= previous):
                break
            previous = residual
        return _State(values, scale), residual, step

    def _spread(self, runs: _Runs, values: Block, updated: Block, spare: Block, jump: Block,
                scale: Block, run: RowBlock) -> npt.NDArray[np.float64]:
        """A run's rows of the next iterate before normalising; their column sums."""
        lo, hi = run[0], run[1]
        out, extra = updated[lo:hi], spare[lo:hi]
        np.multiply(self.v_reached[lo:hi], jump, out=out)
        np.multiply(self.passed_on[lo:hi], scale, out=extra)
        out += extra
        runs.product(run, values[:self.split.n_core], out)
        return column_sums(out)

    def _settle(self, values: Block, updated: Block, spare: Block, total: Block,
                run: RowBlock) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Normalise a run's rows; their L1 change, and the mass of its sinks."""
        lo, hi = run[0], run[1]
        out, diff = updated[lo:hi], spare[lo:hi]
        out /= total
        np.subtract(out, values[lo:hi], out=diff)
        np.abs(diff, out=diff)
        first_sink = min(max(self.split.n_core - lo, 0), hi - lo)
        return column_sums(diff), column_sums(out[first_sink:])

    def assemble(self, state: _State) -> FloatMatrix:
        """Every node's value (float64) from an iterate."""
        rank = np.where(self.split.has_in[:, None], 0.0, state.scale * self.teleport)
        rank[self.split.reached] = state.values
        return rank


class _Runs:
    """The reached rows cut into `ROW_RUNS` runs of about equal entries, worked on threads.

    Each step's elementwise work, its product and its column sums are done run
    by run; the runs are the same on every machine, and their partial sums are
    added in run order, so the result never depends on the number of threads.
    """

    def __init__(self, matrix: sp.csr_matrix, pool: ThreadPoolExecutor | None) -> None:
        self.matrix, self.pool = matrix, pool
        self.blocks = row_blocks(matrix, ROW_RUNS)

    def map(self, work: Callable[[RowBlock], _T]) -> list[_T]:
        if self.pool is None:
            return [work(block) for block in self.blocks]
        return list(self.pool.map(work, self.blocks))

    def product(self, run: RowBlock, block: Block, out: Block) -> None:
        """``out += matrix[run rows] @ block`` in place (``out``: the run's rows)."""
        lo, hi, indptr, indices, data = run
        if _csr_matvecs is None or not (block.flags.c_contiguous and out.flags.c_contiguous):
            out += self.matrix[lo:hi] @ block  # pragma: no cover
            return
        _csr_matvecs(hi - lo, self.matrix.shape[1], block.shape[1], indptr, indices, data,
                     block.reshape(-1), out.reshape(-1))


def _in_order(parts: list[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
    """Partial sums added one after another, in the order given."""
    return functools.reduce(np.add, parts)


def column_sums(block: Block) -> npt.NDArray[np.float64]:
    """Each column's sum, accumulated in double precision.

    ``block.sum(axis=0)`` on a tall, narrow C-ordered block adds it row by row
    (a short inner loop, about 12 ms for 700,000 × 7); einsum runs down the
    columns, 2-4× faster, and is as deterministic.
    """
    return np.einsum("ij->j", block, dtype=np.float64)  # type: ignore[no-any-return]


def _cpus() -> int:
    return min(available_cpus(), MAX_THREADS)
