"""The Python API a notebook user sees: only names exported from `renown`.

Follows the README's "Python API" walk: simulate a world, open a store,
ingest, link, score, read the leaderboard (with paging and percentiles), one
person, their explanation and history, and export what was scored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import renown


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> renown.Store:
    root = tmp_path_factory.mktemp("api")
    world = renown.simulate(root / "world", people=200, days=21, seed=3)
    store = renown.open(root / "renown.duckdb")
    events = next(f for f in world.files if f.startswith("events"))
    report = store.ingest(world.out / events)
    assert report.ingested == world.events and report.quarantined == 0
    identities = next(f for f in world.files if f.startswith("identities"))
    store.link(file=world.out / identities)
    store.score(topics=False)
    return store


def test_public_names_are_lazy_and_listed() -> None:
    for name in ("open", "simulate", "Store", "RenownError", "Model"):
        assert name in dir(renown) and getattr(renown, name) is not None
    with pytest.raises(AttributeError):
        renown.not_a_name  # noqa: B018


def test_leaderboard_pages_and_percentiles(scored: renown.Store) -> None:
    first = scored.top(10)
    second = scored.top(10, offset=10)
    assert len(first) == len(second) == 10
    assert [r.rank for r in first + second] == list(range(1, 21))
    assert {r.person_id for r in first}.isdisjoint(r.person_id for r in second)
    percentiles = [r.percentile for r in first + second]
    assert percentiles == sorted(percentiles, reverse=True)
    assert all(0 < p <= 100 for p in percentiles)


def test_one_person_reads_consistently(scored: renown.Store) -> None:
    best = scored.top(1)[0]
    summary = scored.person(best.person_id)
    assert summary.score == pytest.approx(best.score)
    assert summary.percentile == pytest.approx(best.percentile)
    why = scored.explain(best.person_id)
    assert sum(c.points for c in why.contributions) == pytest.approx(why.score)
    assert why.percentile == pytest.approx(best.percentile)
    days = scored.history(best.person_id)
    assert days.num_rows == 1 and days.column("score")[0].as_py() == pytest.approx(best.score)


def test_scores_table_components_add_up(scored: renown.Store) -> None:
    table = scored.scores().to_pandas()
    assert len(table) == len(scored.top(10_000))
    # score = 1 + the parts by kind of outcome, and 1 + the parts by network.
    kinds = ["reach_points", "amplification_points", "network_points", "offline_points",
             "endorsement_points"]
    networks = [c for c in table.columns if c.startswith("points_")]
    assert networks, table.columns
    assert (1 + table[kinds].sum(axis=1) - table["score"]).abs().max() < 1e-6
    assert (1 + table[networks].sum(axis=1) + table["offline_points"]
            + table["endorsement_points"] - table["score"]).abs().max() < 1e-6
    assert table["percentile"].between(0, 100).all()


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".csv.gz", ".jsonl", ".json"])
def test_export_scores_in_every_format(scored: renown.Store, tmp_path: Path,
                                       suffix: str) -> None:
    path = tmp_path / f"scores{suffix}"
    rows = scored.export_scores(path)
    expected = scored.scores()
    assert rows == expected.num_rows > 0
    if suffix == ".parquet":
        assert pq.read_table(path).column("person_id").to_pylist() == (
            expected.column("person_id").to_pylist())
    elif suffix.startswith(".csv"):
        assert pacsv.read_csv(path).num_rows == rows
    elif suffix == ".jsonl":
        assert len(path.read_text().splitlines()) == rows
    else:
        assert len(json.loads(path.read_text())) == rows


def test_errors_are_renown_errors(scored: renown.Store, tmp_path: Path) -> None:
    with pytest.raises(renown.RenownError, match="nobody"):
        scored.person("nobody-at-all")
    with pytest.raises(renown.RenownError):
        scored.export_scores(tmp_path / "scores.xlsx")
    with pytest.raises(renown.RenownError):
        scored.ingest(tmp_path / "missing.jsonl", "events")
