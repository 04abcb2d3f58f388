"""Exports of a real store: every one of Higgs' 304,691 people, in each format, reads
back identical, and each row's parts add up to its score."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import renown
from tests.conftest import shared_path

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

HIGGS_PEOPLE = 304_691
PARTS = ("reach_points", "amplification_points", "network_points", "offline_points",
         "endorsement_points")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[renown.Store]:
    source = shared_path("higgs/higgs-activity_time.txt.gz")
    with renown.open(tmp_path_factory.mktemp("higgs") / "higgs.duckdb") as opened:
        opened.ingest(source)
        opened.score()
        yield opened


def test_every_person_is_exported_and_adds_up(store: renown.Store, tmp_path: Path) -> None:
    assert store.export_scores(tmp_path / "scores.parquet") == HIGGS_PEOPLE
    table = pq.read_table(tmp_path / "scores.parquet")
    assert table.num_rows == HIGGS_PEOPLE
    people = table.column("person_id").to_pylist()
    assert len(set(people)) == HIGGS_PEOPLE
    ranks = np.asarray(table.column("rank"))
    scores = np.asarray(table.column("score"))
    assert ranks[0] == 1 and np.all(np.diff(scores) <= 0)  # best first
    parts = sum(np.asarray(table.column(p)) for p in PARTS)
    np.testing.assert_allclose(scores, 1.0 + parts, atol=1e-9)
    percentiles = np.asarray(table.column("percentile"))
    assert percentiles.min() >= 0 and percentiles.max() <= 100


def test_csv_and_json_lines_hold_the_same_rows(store: renown.Store, tmp_path: Path) -> None:
    store.export_scores(tmp_path / "scores.parquet")
    reference = pq.read_table(tmp_path / "scores.parquet")
    expected = dict(zip(reference.column("person_id").to_pylist(),
                        reference.column("score").to_pylist(), strict=True))
    assert store.export_scores(tmp_path / "scores.csv.gz") == HIGGS_PEOPLE
    assert store.export_scores(tmp_path / "scores.jsonl") == HIGGS_PEOPLE
    with gzip.open(tmp_path / "scores.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        from_csv = {row["person_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    with (tmp_path / "scores.jsonl").open(encoding="utf-8") as handle:
        from_json = {row["person_id"]: row["score"] for row in map(json.loads, handle)}
    assert from_csv.keys() == from_json.keys() == expected.keys()
    for exported in (from_csv, from_json):
        assert max(abs(exported[p] - expected[p]) for p in expected) < 1e-9


def test_history_has_one_row_per_person_for_the_one_day(store: renown.Store,
                                                         tmp_path: Path) -> None:
    assert store.export_history(tmp_path / "history.parquet") == HIGGS_PEOPLE
    history = pq.read_table(tmp_path / "history.parquet")
    assert history.num_rows == HIGGS_PEOPLE
    assert len(set(history.column("as_of").to_pylist())) == 1
