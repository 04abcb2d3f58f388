"""Engagement pods: the 4-truss of sustained reciprocal ties (pure graph part and end to end)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.audience.pods import detect_pods, group_labels, k_truss
from renown.scoring.audience.quality import detect
from tests.scoring.audience.worlds import pod_world
from tests.scoring.builders import START


def edges_of(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    unique = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    rows = np.array([a for a, _ in unique], dtype=np.int64)
    cols = np.array([b for _, b in unique], dtype=np.int64)
    return rows, cols


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=80),
       k=st.integers(3, 6))
def test_k_truss_matches_networkx(pairs: list[tuple[int, int]], k: int) -> None:
    rows, cols = edges_of(pairs)
    alive = k_truss(rows, cols, 15, k)
    graph = nx.Graph(list(zip(rows.tolist(), cols.tolist(), strict=True)))
    expected = {tuple(sorted(e)) for e in nx.k_truss(graph, k).edges()}
    assert {(int(a), int(b)) for a, b in zip(rows[alive], cols[alive], strict=True)} == expected


def test_a_clique_survives_and_what_hangs_off_it_is_peeled() -> None:
    clique = list(itertools.combinations(range(5), 2))
    rows, cols = edges_of([*clique, (4, 5), (5, 6), (6, 7), (7, 5), (0, 8), (1, 8)])
    alive = k_truss(rows, cols, 9)
    kept = {(int(a), int(b)) for a, b in zip(rows[alive], cols[alive], strict=True)}
    assert kept == set(clique)


def test_two_cliques_joined_by_one_tie_are_two_groups() -> None:
    first = list(itertools.combinations(range(4), 2))
    second = list(itertools.combinations(range(4, 9), 2))
    rows, cols = edges_of([*first, *second, (3, 4)])
    alive = k_truss(rows, cols, 9)
    labels = group_labels(rows[alive], cols[alive], 9)
    assert labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_no_sustained_tie_means_no_pod() -> None:
    ties = pa.table({"network": ["x"] * 3, "a": ["a", "b", "a"], "b": ["b", "c", "c"],
                     "strength": pa.array([1, 1, 2], pa.int64())})
    detection = detect_pods(ties)
    assert detection.members.num_rows == 0 and detection.tie_fences["x"] > 2
    assert detect_pods(ties.slice(0, 0)).members.num_rows == 0


def test_a_pod_is_found_and_friends_are_not(tmp_path: Path) -> None:
    con = pod_world().store(tmp_path / "pods.duckdb")
    detection = detect(con, date.fromordinal(START.toordinal() + 41))
    members = detection.pods.members.to_pylist()
    assert {m["account"] for m in members} == {f"pod{i}" for i in range(6)}
    assert {m["pod"] for m in members} == {"twitter#1"} and {m["pod_size"] for m in members} == {6}
    assert detection.pods.tie_fences["twitter"] > 0
    assert not detection.flagged_accounts()  # a pod is busy, not automated
