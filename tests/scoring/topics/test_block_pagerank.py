"""Block personalised PageRank equals the single-vector propagation, column by column."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.propagation import pagerank, transition_matrix
from renown.scoring.topics import block_pagerank as module
from renown.scoring.topics.block_pagerank import block_pagerank


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 25))
    m = draw(st.integers(0, 80))
    sources = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), np.int64)
    targets = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), np.int64)
    weights = np.array(draw(st.lists(st.floats(0.01, 5), min_size=m, max_size=m)))
    k = draw(st.integers(1, 4))
    teleport = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=k,
                                               max_size=k), min_size=n, max_size=n)))
    teleport[0, :] += 1.0  # every column has mass somewhere
    return n, sources, targets, weights, teleport


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_each_column_is_the_single_vector_pagerank(
        graph: tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
    n, sources, targets, weights, teleport = graph
    matrix, dangling = transition_matrix(sources, targets, weights, n)
    rank, inflow = block_pagerank(matrix, dangling, teleport, tolerance=1e-12)
    for j in range(teleport.shape[1]):
        single = pagerank(sources, targets, weights, n, personalization=teleport[:, j],
                          tolerance=1e-12)
        np.testing.assert_allclose(rank[:, j], single.rank, atol=1e-10)
        np.testing.assert_allclose(inflow[:, j], single.inflow, atol=1e-10)
    np.testing.assert_allclose(rank.sum(axis=0), 1.0)


def test_columns_are_computed_in_bounded_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    sources, targets = np.array([0, 1, 2, 3]), np.array([1, 2, 0, 0])
    matrix, dangling = transition_matrix(sources, targets, np.ones(4), 4)
    teleport = np.eye(4)
    whole = block_pagerank(matrix, dangling, teleport)
    monkeypatch.setattr(module, "MAX_BLOCK_ENTRIES", 4)  # one column per block
    np.testing.assert_allclose(block_pagerank(matrix, dangling, teleport)[0], whole[0])


def test_bad_personalisations_are_refused() -> None:
    matrix, dangling = transition_matrix(np.array([0]), np.array([1]), np.ones(1), 2)
    with pytest.raises(ValueError, match="positive mass"):
        block_pagerank(matrix, dangling, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="must be"):
        block_pagerank(matrix, dangling, np.ones(2))


def test_the_result_does_not_depend_on_the_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    # 0-199 core, 200-249 sinks, 250-399 sources, 400-419 isolated
    n, m = 420, 3000
    sources = rng.choice(np.r_[0:200, 250:400], m)
    targets = rng.integers(0, 250, m)
    matrix, dangling = transition_matrix(sources, targets, rng.random(m) + 0.1, n)
    teleport = (rng.random((n, 5)) < 0.2).astype(float)
    teleport[0] = 1.0
    monkeypatch.setattr(module, "_cpus", lambda: 1)
    alone = block_pagerank(matrix, dangling, teleport)
    monkeypatch.setattr(module, "_cpus", lambda: 4)
    monkeypatch.setattr(module, "MIN_ENTRIES_PER_THREAD", 1)
    shared = block_pagerank(matrix, dangling, teleport)
    assert np.array_equal(alone[0], shared[0]) and np.array_equal(alone[1], shared[1])
    split = module._Split.of(matrix, dangling, 0.85)  # the graph has every part
    assert (split.n_core, split.reached.size, split.sources.size, split.isolated.size) == (
        200, 250, 170, 20)


def test_one_prepared_graph_solves_any_number_of_blocks() -> None:
    """`BlockPropagation` cuts the graph once; each solve equals a fresh `block_pagerank`."""
    rng = np.random.default_rng(9)
    n, m = 300, 2000
    sources, targets = rng.integers(0, n, m), rng.integers(0, n, m)
    matrix, dangling = transition_matrix(sources, targets, rng.random(m) + 0.1, n)
    prepared = module.BlockPropagation(matrix, dangling, damping=0.8)
    for seed in (1, 2):
        teleport = (np.random.default_rng(seed).random((n, 3)) < 0.3).astype(float)
        teleport[0] = 1.0
        fresh = block_pagerank(matrix, dangling, teleport, damping=0.8)
        solved = prepared.solve(teleport)
        assert np.array_equal(fresh[0], solved[0]) and np.array_equal(fresh[1], solved[1])


def test_column_sums_are_the_double_precision_sums() -> None:
    block = np.random.default_rng(3).random((1000, 7)).astype(np.float32)
    np.testing.assert_allclose(module.column_sums(block), block.sum(axis=0, dtype=np.float64),
                               rtol=1e-12)
    assert module.column_sums(block).dtype == np.float64
