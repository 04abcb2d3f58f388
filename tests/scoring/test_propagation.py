"""Personalised PageRank: checked against networkx, and its edge cases."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.propagation import pagerank


def random_graph(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sources, targets = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = sources != targets
    return sources[keep], targets[keep], rng.random(int(keep.sum())) + 0.01


def networkx_rank(sources: np.ndarray, targets: np.ndarray, weights: np.ndarray, n: int,
                  personalization: dict[int, float] | None = None) -> np.ndarray:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for s, t, w in zip(sources.tolist(), targets.tolist(), weights.tolist(), strict=True):
        previous = graph.get_edge_data(s, t, {"weight": 0.0})["weight"]
        graph.add_edge(s, t, weight=previous + w)
    ranks = nx.pagerank(graph, alpha=0.85, personalization=personalization,
                        dangling=personalization, tol=1e-13, max_iter=10_000)
    return np.array([ranks[i] for i in range(n)])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), m=st.integers(0, 300))
def test_matches_networkx_including_dangling_and_isolated_nodes(seed: int, n: int, m: int) -> None:
    sources, targets, weights = random_graph(seed, n, m)
    result = pagerank(sources, targets, weights, n + 3)  # three isolated accounts
    expected = networkx_rank(sources, targets, weights, n + 3)
    assert result.converged
    assert np.abs(result.rank - expected).max() < 1e-9
    assert result.rank.sum() == pytest.approx(1.0, abs=1e-12)


def test_personalisation_matches_networkx_and_starves_the_rest() -> None:
    sources, targets, weights = random_graph(5, 50, 200)
    audience = np.zeros(50)
    audience[:5] = 1.0
    result = pagerank(sources, targets, weights, 50, personalization=audience)
    expected = networkx_rank(sources, targets, weights, 50, dict.fromkeys(range(5), 1.0))
    assert np.abs(result.rank - expected).max() < 1e-9
    unreachable = np.setdiff1d(np.arange(50), np.concatenate([np.arange(5), targets]))
    assert np.all(result.rank[unreachable] < 1e-15)


def test_isolated_accounts_hold_exactly_their_teleport_share() -> None:
    # Node 0 → 1; nodes 2..4 are isolated.  Dangling mass (nodes 1..4) is
    # redistributed uniformly, so the isolated accounts all hold the same rank.
    result = pagerank(np.array([0]), np.array([1]), np.array([1.0]), 5)
    assert result.rank[2] == pytest.approx(result.rank[3]) == pytest.approx(result.rank[4])
    assert result.rank[1] > result.rank[0]
    assert result.inflow[0] == 0.0 and result.inflow[1] > 0.0
    assert np.allclose(result.inflow[2:], 0.0)


def test_inflow_is_the_part_that_arrived_along_edges() -> None:
    sources, targets, weights = random_graph(9, 40, 150)
    result = pagerank(sources, targets, weights, 40)
    out = np.bincount(sources, weights=weights, minlength=40)
    expected = np.zeros(40)
    np.add.at(expected, targets, 0.85 * result.rank[sources] * weights / out[sources])
    assert np.allclose(result.inflow, expected, atol=1e-12)


def test_float32_agrees_with_float64() -> None:
    sources, targets, weights = random_graph(3, 2000, 20_000)
    exact = pagerank(sources, targets, weights, 2000)
    single = pagerank(sources, targets, weights, 2000, dtype=np.float32)
    assert single.converged
    assert np.abs(single.rank - exact.rank).sum() < 1e-6


def test_empty_graph_and_unconverged_runs_are_reported() -> None:
    empty = pagerank(np.array([], np.int64), np.array([], np.int64), np.array([]), 0)
    assert empty.converged and empty.rank.size == 0
    sources, targets, weights = random_graph(1, 100, 800)
    capped = pagerank(sources, targets, weights, 100, max_iterations=2)
    assert not capped.converged and capped.iterations == 2


@pytest.mark.parametrize(("weights", "personalization", "message"), [
    (np.array([-1.0]), None, "non-negative"),
    (np.array([np.nan]), None, "finite"),
    (np.array([1.0]), np.zeros(2), "positive mass"),
    (np.array([1.0]), np.ones(3), "shape"),
])
def test_bad_input_is_refused(weights: np.ndarray, personalization: np.ndarray | None,
                              message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pagerank(np.array([0]), np.array([1]), weights, 2, personalization=personalization)
