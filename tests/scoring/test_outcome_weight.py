"""renown-2026.12.2 differs from 2026.12.1 only where campaigns ran (outcome events).

The model change note (docs/scoring.md, History) claims every score without
outcome events is unchanged, so the evaluation figures computed with
2026.12.1 stand; this test holds the claim to the real simulated world.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from renown.events import VISITOR_ACCOUNT_PREFIX
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.pipeline import compute_scores
from renown.scoring.snapshots import day_end
from renown.simulation import simulate
from renown.store.database import connect
from renown.store.ingest import ingest
from tests.scoring.builders import World, score, scores_by_person

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.12.1.toml").read_text())
OUTCOMES = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.12.2.toml").read_text())


def test_2026_12_2_weighs_outcomes_and_later_defaults_keep_the_weight() -> None:
    assert OUTCOMES.kind_weights["outcome"] == 1.0
    assert DEFAULT_MODEL.kind_weights["outcome"] == 1.0
    assert OUTCOMES.with_changes(version=PREVIOUS.version, kind_weights=PREVIOUS.kind_weights
                                 ) == PREVIOUS


def test_without_outcome_events_both_models_give_identical_scores(tmp_path: Path) -> None:
    simulate(200, 30, 3, tmp_path / "world")
    con = connect(tmp_path / "renown.duckdb")
    try:
        assert ingest(con, tmp_path / "world" / "events.parquet", "events").quarantined == 0
        day = con.execute("SELECT max(ts) FROM events").fetchone()[0].date()
        before = compute_scores(con, day_end(day), PREVIOUS)
        after = compute_scores(con, day_end(day), OUTCOMES)
    finally:
        con.close()
    assert len(before.people) > 100
    assert scores_by_person(before) == scores_by_person(after)


def campaign_world(with_visitors: bool) -> World:
    """Ann and Bo are alike; only Ann's audience clicked through a campaign link."""
    world = World()
    for author in ("ann", "bo"):
        world.post(author, 1)
        for fan in range(6):
            world.react(f"{author}-fan{fan}", author, 2)
    if with_visitors:
        for visitor in range(5):
            world.react(f"{VISITOR_ACCOUNT_PREFIX}{visitor:024x}", "ann", 3, kind="outcome")
    return world


def test_outcomes_raise_only_their_persons_score_under_2026_12_2(tmp_path: Path) -> None:
    def scores(with_visitors: bool, model: Model, name: str) -> dict[str, float]:
        return scores_by_person(score(campaign_world(with_visitors), tmp_path / name, 5, model))

    old_plain = scores(False, PREVIOUS, "a.duckdb")
    old_visited = scores(True, PREVIOUS, "b.duckdb")
    new_plain = scores(False, OUTCOMES, "c.duckdb")
    new_visited = scores(True, OUTCOMES, "d.duckdb")
    assert old_visited["twitter:ann"] == old_plain["twitter:ann"]  # 2026.12.1: no weight
    assert new_plain == old_plain
    assert new_visited["twitter:ann"] > new_plain["twitter:ann"] + 1.0
    assert new_visited["twitter:bo"] == pytest.approx(new_plain["twitter:bo"], abs=0.5)
    assert not any(p.startswith(f"twitter:{VISITOR_ACCOUNT_PREFIX}") for p in new_visited)
