"""Propagation speed: Renown's PageRank beside igraph, GraphBLAS, SciPy and networkx.

Run ``python benchmarks/bench_propagation.py [--quick] [--people N] [--workdir DIR]``.

Every implementation gets the same input: the weighted reaction graph exactly
as the scoring pipeline hands it to `renown.scoring.propagation.pagerank`
(captured from `renown.scoring.pipeline._propagate` after `build_signals`:
edge arrays, weights, personalisation, damping 0.85, tolerance 1e-10), on

* Higgs (real data; skipped with a message when ../shared/data is absent),
* a simulated world of 1,000,000 people (the 10M-event world of
  bench_score.py, loaded straight from Parquet: the graph is the subject
  here, not ingestion), and
* a simulated world of 100,000 people, where networkx runs too (for reference).

Implementations (each also gets a "setup": building its own graph object
from the arrays; Renown's ``pagerank`` takes the arrays, so its setup is part
of its solve):

* ``renown float64`` (what scoring uses) and ``renown float32``;
* ``igraph prpack``: ``Graph.personalized_pagerank(implementation="prpack")``
  (PRPACK solves SCC blocks in topological order by Gauss-Seidel; its
  tolerance is fixed at 1e-10, it does not report iterations);
* ``graphblas-algorithms`` ``pagerank`` (if installed) and a power iteration
  written with python-graphblas ``mxv`` (SuiteSparse:GraphBLAS, 2 threads);
* ``scipy float32``: a minimal power iteration (``P @ x`` in float32).  Float32
  cannot reach an L1 change of 1e-10 (its noise floor is ~1e-7), so it stops at
  1e-6, and is compared with ``renown float32`` run to the same 1e-6;
* ``networkx`` ``pagerank`` on the 100k world only (it needs a DiGraph).

Tolerances are made comparable: networkx and graphblas-algorithms stop when
the L1 change is below ``N·tol``, so they get ``tol = 1e-10 / N``: an L1 change
below 1e-10, as Renown.  Each row reports its tolerance class, iterations and
the largest absolute difference from igraph's ranks, so speed is compared at
equal accuracy.  Times are the best of 5 rounds (1 with ``--quick``; a solve
over 10 s runs once); each round runs every implementation in turn, each
started when the CPUs are idle (waiting at most 10 s; not with ``--quick``).
The requirement: Renown no slower than 1.5× the fastest other implementation
of the same accuracy class (solve time; setup + solve is shown too).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

import renown.scoring.pipeline as pipeline
from bench_score import (
    HIGGS,
    SETTLE_MAX_S,
    days_for,
    fast_load,
    machine_line,
    quiet,
    settle,
    simulated_world,
)
from renown.scoring.model import Model
from renown.scoring.propagation import pagerank
from renown.scoring.run import latest_event_day
from renown.scoring.signals import SignalScope, build_signals
from renown.scoring.snapshots import day_end
from renown.store.database import connect
from renown.store.ingest import ingest

Floats = npt.NDArray[np.float64]
Setup = Callable[[], Callable[[], tuple[Floats, int | None]]]
#: What float32 can reach (an L1 change of 1e-10 is below its rounding noise).
FLOAT32_TOLERANCE = 1e-6


@dataclass
class Graph:
    """The reaction graph and propagation settings exactly as scoring passes them."""

    name: str
    sources: npt.NDArray[np.int64]
    targets: npt.NDArray[np.int64]
    weights: Floats
    n: int
    teleport: Floats
    damping: float
    tolerance: float
    max_iterations: int


@dataclass
class Outcome:
    name: str
    tolerance: float
    setup_s: float
    solve_s: float
    iterations: int | None
    rank: Floats
    note: str = ""


# -- the graphs -----------------------------------------------------------------------

def captured_graph(db: Path, name: str) -> Graph:
    """Build signals and capture the arguments `pipeline._propagate` passes to ``pagerank``."""
    con = quiet(connect(db))
    model = Model()
    build_signals(con, SignalScope(day_end(latest_event_day(con))), model)
    nodes = pipeline._node_table(con)
    captured: dict[str, Any] = {}

    def capture(sources: Any, targets: Any, weights: Any, n_nodes: int, **kwargs: Any) -> Any:
        captured.update(sources=sources, targets=targets, weights=weights, n=n_nodes, **kwargs)
        return pagerank(sources, targets, weights, n_nodes, **kwargs)

    original = pipeline.pagerank
    pipeline.pagerank = capture
    try:
        pipeline._propagate(con, nodes, model, None)
    finally:
        pipeline.pagerank = original
        con.close()
    teleport = np.asarray(captured["personalization"], np.float64)
    return Graph(name, captured["sources"], captured["targets"], captured["weights"],
                 captured["n"], teleport / teleport.sum(), captured["damping"],
                 captured["tolerance"], captured["max_iterations"])


def higgs_graph(folder: Path) -> Graph | None:
    if not HIGGS.exists():
        print(f"skipping Higgs: {HIGGS} is not present (../shared/data sits beside the project)")
        return None
    db = folder / "higgs-propagation.duckdb"
    db.unlink(missing_ok=True)
    con = quiet(connect(db))
    ingest(con, HIGGS, "higgs")
    con.close()
    return captured_graph(db, "higgs")


def world_graph(folder: Path, people: int, days: int, seed: int) -> Graph:
    world = simulated_world(folder, people, days, seed)
    db = folder / f"world-{people}-{days}-{seed}-propagation.duckdb"
    db.unlink(missing_ok=True)
    con = quiet(connect(db))
    fast_load(con, world.events)
    con.close()
    return captured_graph(db, f"world {people:,}p/{days}d")


# -- implementations ------------------------------------------------------------------------

def shares(g: Graph) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """P's entries (each edge's share of its source's out-weight) and the dangling mask."""
    out_weight = np.bincount(g.sources, weights=g.weights, minlength=g.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out_weight[g.sources] > 0, g.weights / out_weight[g.sources], 0.0)
    return share, out_weight <= 0


def run_renown(g: Graph, dtype: type[np.floating]) -> Callable[[], tuple[Floats, int | None]]:
    def solve() -> tuple[Floats, int | None]:
        result = pagerank(g.sources, g.targets, g.weights, g.n, personalization=g.teleport,
                          damping=g.damping, tolerance=g.tolerance,
                          max_iterations=g.max_iterations, dtype=dtype)
        return result.rank, result.iterations
    return solve


def setup_igraph(g: Graph) -> Callable[[], tuple[Floats, int | None]]:
    import igraph

    graph = igraph.Graph(n=g.n, edges=np.column_stack([g.sources, g.targets]), directed=True)
    graph.es["weight"] = g.weights.tolist()
    graph.vs["reset"] = g.teleport.tolist()

    def solve() -> tuple[Floats, int | None]:
        rank = graph.personalized_pagerank(damping=g.damping, reset="reset", weights="weight",
                                           implementation="prpack")
        return np.asarray(rank, np.float64), None
    return solve


def setup_graphblas_algorithms(g: Graph) -> Callable[[], tuple[Floats, int | None]]:
    import graphblas as gb
    import graphblas_algorithms as ga

    matrix = gb.Matrix.from_coo(g.sources, g.targets, g.weights, nrows=g.n, ncols=g.n,
                                dup_op=gb.binary.plus)
    graph = ga.Graph(matrix)
    personalization = gb.Vector.from_dense(g.teleport)

    def solve() -> tuple[Floats, int | None]:
        rank = ga.pagerank(graph, alpha=g.damping, personalization=personalization,
                           tol=g.tolerance / g.n, max_iter=g.max_iterations)
        return rank.to_dense(0.0), None
    return solve


def setup_graphblas_power(g: Graph) -> Callable[[], tuple[Floats, int | None]]:
    """The same power iteration as Renown's, written with python-graphblas mxv."""
    import graphblas as gb

    share, dangling = shares(g)
    damped = gb.Matrix.from_coo(g.targets, g.sources, g.damping * share, nrows=g.n, ncols=g.n,
                                dup_op=gb.binary.plus)
    teleport = gb.Vector.from_dense(g.teleport)
    dangling_nodes = np.flatnonzero(dangling)
    indicator = gb.Vector.from_coo(dangling_nodes, np.ones(dangling_nodes.size), size=g.n)

    def solve() -> tuple[Floats, int | None]:
        rank, updated = teleport.dup(), gb.Vector(float, g.n)
        iterations = 0
        for iterations in range(1, g.max_iterations + 1):  # noqa: B007
            dangling_mass = (indicator @ rank).new().get(0.0)
            updated << teleport * (g.damping * dangling_mass + 1 - g.damping)
            updated(gb.binary.plus) << damped @ rank
            updated << updated / updated.reduce().get()
            residual = gb.unary.abs(updated - rank).new().reduce().get()
            rank, updated = updated, rank
            if residual < g.tolerance:
                break
        return rank.to_dense(0.0), iterations
    return solve


def setup_scipy_float32(g: Graph) -> Callable[[], tuple[Floats, int | None]]:
    """A minimal float32 power iteration: what a few lines of SciPy give."""
    share, dangling = shares(g)
    matrix = sp.csr_matrix((share.astype(np.float32), (g.targets, g.sources)),
                           shape=(g.n, g.n))
    teleport = g.teleport.astype(np.float32)

    def solve() -> tuple[Floats, int | None]:
        rank, iterations = teleport.copy(), 0
        for iterations in range(1, g.max_iterations + 1):  # noqa: B007
            jump = g.damping * float(rank[dangling].sum()) + 1 - g.damping
            updated = g.damping * (matrix @ rank) + jump * teleport
            updated /= updated.sum()
            residual = float(np.abs(updated - rank).sum())
            rank = updated
            if residual < g.tolerance:
                break
        return rank.astype(np.float64), iterations
    return solve


def setup_networkx(g: Graph) -> Callable[[], tuple[Floats, int | None]]:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(g.n))
    graph.add_weighted_edges_from(zip(g.sources.tolist(), g.targets.tolist(),
                                      g.weights.tolist(), strict=True))
    personalization = dict(enumerate(g.teleport.tolist()))

    def solve() -> tuple[Floats, int | None]:
        rank = nx.pagerank(graph, alpha=g.damping, personalization=personalization,
                           weight="weight", tol=g.tolerance / g.n, max_iter=g.max_iterations)
        return np.array([rank[i] for i in range(g.n)], np.float64), None
    return solve


def measure(candidates: list[tuple[str, Graph, Setup]], repeats: int) -> list[Outcome]:
    """Time each setup once, then the solves in ``repeats`` rounds, keeping each one's best.

    Rounds go through every implementation in turn, so that a burst of other
    work on the machine hits them alike; a solve over 10 s runs only once.
    """
    prepared: list[tuple[Outcome, Callable[[], tuple[Floats, int | None]]]] = []
    for name, graph, setup in candidates:
        settle(10.0)
        started = time.perf_counter()
        try:
            solve = setup()
        except ImportError as exc:
            print(f"  {name}: not installed ({exc.name}); skipped")
            continue
        outcome = Outcome(name, graph.tolerance, time.perf_counter() - started, np.inf, None,
                          np.zeros(0))
        prepared.append((outcome, solve))
    for attempt in range(repeats):
        for outcome, solve in prepared:
            if attempt and outcome.solve_s > 10:
                continue
            settle(10.0)
            started = time.perf_counter()
            outcome.rank, outcome.iterations = solve()
            outcome.solve_s = min(outcome.solve_s, time.perf_counter() - started)
    return [outcome for outcome, _ in prepared]


def compare(g: Graph, repeats: int, with_networkx: bool) -> list[Outcome]:
    share_edges = f"{g.sources.size:,} edges"
    print(f"\n== {g.name}: {g.n:,} nodes, {share_edges}, damping {g.damping}, "
          f"tolerance {g.tolerance:g}")
    g32 = replace(g, tolerance=FLOAT32_TOLERANCE)
    candidates: list[tuple[str, Graph, Setup]] = [
        ("renown float64", g, lambda: run_renown(g, np.float64)),
        ("renown float32", g, lambda: run_renown(g, np.float32)),
        ("igraph prpack", g, lambda: setup_igraph(g)),
        ("graphblas-algorithms", g, lambda: setup_graphblas_algorithms(g)),
        ("graphblas power (mxv)", g, lambda: setup_graphblas_power(g)),
    ]
    if with_networkx:
        candidates.append(("networkx", g, lambda: setup_networkx(g)))
    candidates += [
        ("renown float32", g32, lambda: run_renown(g32, np.float32)),
        ("scipy float32", g32, lambda: setup_scipy_float32(g32)),
    ]
    outcomes = measure(candidates, repeats)
    print_outcomes(g, outcomes)
    return outcomes


def fastest_other(outcomes: list[Outcome], tolerance: float, *,
                  with_setup: bool = False) -> Outcome:
    others = [o for o in outcomes
              if not o.name.startswith("renown") and o.tolerance == tolerance]
    return min(others, key=lambda o: o.solve_s + (o.setup_s if with_setup else 0.0))


def print_outcomes(g: Graph, outcomes: list[Outcome]) -> None:
    reference = next((o.rank for o in outcomes if o.name == "igraph prpack"), None)
    print(f"{'implementation':<24}{'tol':>7}{'setup s':>9}{'solve s':>9}{'total s':>9}"
          f"{'iters':>7}{'max |Δ| vs igraph':>19}{'solve / fastest':>17}")
    for o in outcomes:
        iters = f"{o.iterations}" if o.iterations is not None else "-"
        diff = (f"{np.abs(o.rank - reference).max():.1e}" if reference is not None
                else "n/a")
        fastest = fastest_other(outcomes, o.tolerance).solve_s
        print(f"{o.name:<24}{o.tolerance:7.0e}{o.setup_s:9.3f}{o.solve_s:9.3f}"
              f"{o.setup_s + o.solve_s:9.3f}{iters:>7}{diff:>19}{o.solve_s / fastest:17.2f}")


def verdicts(graph: Graph, outcomes: list[Outcome]) -> list[str]:
    """Requirement: Renown no slower than 1.5× the fastest other implementation, per class."""
    lines = []
    for name, tolerance in (("renown float64", graph.tolerance),
                            ("renown float32", FLOAT32_TOLERANCE)):
        renown = next(o for o in outcomes if o.name == name and o.tolerance == tolerance)
        for with_setup in (False, True):
            other = fastest_other(outcomes, tolerance, with_setup=with_setup)
            other_s = other.solve_s + (other.setup_s if with_setup else 0.0)
            ratio = renown.solve_s / other_s
            what = "setup+solve" if with_setup else "solve"
            lines.append(
                f"{graph.name}, tol {tolerance:.0e}: {name} {renown.solve_s:.3f} s vs fastest "
                f"{what} ({other.name}) {other_s:.3f} s: {ratio:.2f}× "
                f"{'PASS' if ratio <= 1.5 else 'FAIL'} (≤ 1.5×)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="Higgs and a 10,000-person world only (< 30 s)")
    parser.add_argument("--people", type=int, default=None,
                        help="people in the large world (default 1,000,000)")
    parser.add_argument("--networkx-people", type=int, default=None,
                        help="people in the world networkx also runs on (default 100,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep files here and reuse simulated worlds already there")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 5
    if args.quick:
        SETTLE_MAX_S["value"] = 0.0
    checks: list[str] = []
    with tempfile.TemporaryDirectory(prefix="renown-bench-propagation-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        higgs = higgs_graph(folder)
        if higgs is not None:
            checks += verdicts(higgs, compare(higgs, repeats, with_networkx=False))
        small_people = args.networkx_people or (10_000 if args.quick else 100_000)
        small = world_graph(folder, small_people, 7 if args.quick else days_for(
            1_000_000), args.seed)
        checks += verdicts(small, compare(small, repeats, with_networkx=True))
        if not args.quick:
            people = args.people or 1_000_000
            large = world_graph(folder, people, days_for(people), args.seed)
            checks += verdicts(large, compare(large, repeats, with_networkx=False))
    print("\nrequirements:")
    for line in checks:
        print(f"  {line}")
    print(f"\n{machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
