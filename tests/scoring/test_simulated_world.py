"""Issue 3's "must show" list on a simulated world whose truth is planted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.compute as pc
import pytest

from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.snapshots import day_end
from renown.simulation import Truth, load_truth, simulate
from renown.store.database import connect
from renown.store.ingest import ingest, ingest_table
from renown.store.people import link_accounts, read_identity_file


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Truth]]:
    folder = tmp_path_factory.mktemp("world")
    simulate(1500, 60, 11, folder / "world")
    con = connect(folder / "renown.duckdb")
    report = ingest(con, folder / "world" / "events.parquet", "events")
    assert report.quarantined == 0
    link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
    con.close()
    yield folder / "renown.duckdb", load_truth(folder / "world")


def run_at(db: Path, truth: Truth, days_before_end: int = 0) -> ScoreRun:
    con = duckdb.connect(str(db), read_only=True)
    try:
        day = (truth.end - timedelta(days=1 + days_before_end)).date()
        return compute_scores(con, day_end(day), DEFAULT_MODEL)
    finally:
        con.close()


def person_scores(run: ScoreRun) -> dict[str, float]:
    return dict(zip(run.people["person_id"].to_pylist(), run.people["score"].to_pylist(),
                    strict=True))


def role_scores(run: ScoreRun, truth: Truth, role: str) -> list[float]:
    account = {(a["network"], a["account"]): a["person_id"] for a in run.accounts.to_pylist()}
    scores = person_scores(run)
    people = {account[(a["network"], a["account"])] for a in truth["roles"][role]["accounts"]
              if (a["network"], a["account"]) in account}
    return [scores[p] for p in people]


def test_influencers_rank_above_volume_posters_pods_and_bots(world: tuple[Path, Truth]) -> None:
    db, truth = world
    run = run_at(db, truth)
    weakest_influencer = min(role_scores(run, truth, "influencers"))
    for role in ("volume_posters", "pods", "bots"):
        assert max(role_scores(run, truth, role) or [1.0]) < weakest_influencer, role


def test_calibration_median_active_and_top_percent(world: tuple[Path, Truth]) -> None:
    db, truth = world
    run = run_at(db, truth)
    active = set(pc.filter(run.accounts["person_id"],
                           pc.greater(run.accounts["reactors"], 0)).to_pylist())
    scores = np.array([s for p, s in person_scores(run).items() if p in active])
    assert 20 <= float(np.median(scores)) <= 40
    assert float(np.quantile(scores, 0.99)) > 80


def test_silent_people_lose_at_most_2_points_a_week_and_6_a_month(
        world: tuple[Path, Truth]) -> None:
    db, truth = world
    now = run_at(db, truth)
    for role, days, allowed in (("silent_7", 7, 2.0), ("silent_30", 30, 6.0)):
        then = run_at(db, truth, days_before_end=days)
        for before, after in zip(role_scores(then, truth, role), role_scores(now, truth, role),
                                 strict=True):
            assert before - after <= allowed, (role, before, after)


def test_two_network_person_scores_at_least_their_best_network(
        world: tuple[Path, Truth]) -> None:
    db, truth = world
    run = run_at(db, truth)
    person = truth["roles"]["two_network"]["accounts"][0]["person_id"]
    accounts = run.accounts.filter(pc.equal(run.accounts["person_id"], person)).to_pylist()
    assert {a["network"] for a in accounts} == {"twitter", "mastodon"}
    assert person_scores(run)[person] >= max(a["score"] for a in accounts)


def test_recomputation_is_bit_identical(world: tuple[Path, Truth]) -> None:
    db, truth = world
    first, second = run_at(db, truth), run_at(db, truth)
    assert first.people.equals(second.people) and first.accounts.equals(second.accounts)


@pytest.mark.parametrize("role", ["influencers", "topic_experts"])
def test_doubling_posts_without_reactions_moves_a_score_less_than_half_a_point(
        world: tuple[Path, Truth], tmp_path: Path, role: str) -> None:
    db, truth = world
    copy = tmp_path / "doubled.duckdb"
    copy.write_bytes(db.read_bytes())
    account = truth["roles"][role]["accounts"][0]
    con = connect(copy)
    posts = con.sql("SELECT * FROM events WHERE network = ? AND actor = ? AND kind = 'post'",
                    params=[account["network"], account["account"]]).to_arrow_table()
    assert posts.num_rows > 0
    extra = posts.drop_columns(["ingestion_id"])
    extra = extra.set_column(extra.schema.get_field_index("event_id"), "event_id",
                             pc.binary_join_element_wise(extra["event_id"], "x", ""))
    extra = extra.set_column(extra.schema.get_field_index("post_id"), "post_id",
                             pc.binary_join_element_wise(extra["post_id"], "x", ""))
    assert ingest_table(con, extra, "more posts").ingested == posts.num_rows
    con.close()
    before = person_scores(run_at(db, truth))
    after = person_scores(run_at(copy, truth))
    person = next(p for p in before if p.endswith(account["account"]) or
                  p == account["person_id"])
    assert after[person] <= before[person] + 1e-9
    assert before[person] - after[person] < 0.5
