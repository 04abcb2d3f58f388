"""Population, outcomes and baselines on hand-built worlds, checked against hand counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from renown.evaluate.harness import EvaluationData, collect
from renown.evaluate.outcomes import Period
from renown.scoring.model import DEFAULT_MODEL
from tests.evaluate.worlds import SPLIT, stackexchange_world, twitter_world


def by_person(data: EvaluationData, values: object) -> dict[str, float]:
    return dict(zip(data.person_ids.tolist(), list(values), strict=True))  # type: ignore[call-overload]


@pytest.fixture
def twitter(tmp_path: Path) -> EvaluationData:
    con = twitter_world().store(tmp_path / "t.duckdb")
    try:
        return collect(con, SPLIT, 7, DEFAULT_MODEL)
    finally:
        con.close()


def test_population_is_everyone_seen_before_the_split(twitter: EvaluationData) -> None:
    assert twitter.person_ids.tolist() == [
        "mastodon:m1", "p-alice", "twitter:bob", "twitter:carol", "twitter:dave", "twitter:eve"]
    audience = by_person(twitter, twitter.audience)
    assert audience == {"mastodon:m1": False, "p-alice": True, "twitter:bob": True,
                        "twitter:carol": False, "twitter:dave": False, "twitter:eve": False}


def test_outcome_counts_distinct_people_responding_within_the_horizon(
        twitter: EvaluationData) -> None:
    outcome = by_person(twitter, twitter.outcome)
    # alice: bob and frank on Twitter, m1 on Mastodon (not herself, ~system, gina's like, hank).
    assert outcome == {"mastodon:m1": 0, "p-alice": 3, "twitter:bob": 0, "twitter:carol": 0,
                       "twitter:dave": 0, "twitter:eve": 1}


def test_count_baselines_by_hand(twitter: EvaluationData) -> None:
    s = {name: by_person(twitter, values) for name, values in twitter.scores.items()}
    assert s["posts"] == {"mastodon:m1": 1, "p-alice": 3, "twitter:bob": 2, "twitter:carol": 2,
                          "twitter:dave": 0, "twitter:eve": 1}
    assert s["reactions"]["p-alice"] == 5 and s["reactions"]["twitter:bob"] == 1
    assert s["reactors"]["p-alice"] == 4 and s["reactors"]["twitter:eve"] == 0
    assert s["in_degree"]["p-alice"] == 4  # 3 on Twitter + 1 on Mastodon, no follow data
    assert twitter.in_degree_sources == {"mastodon": "distinct interacting accounts",
                                         "twitter": "distinct interacting accounts"}
    assert max(s["pagerank"], key=s["pagerank"].__getitem__) == "p-alice"
    assert max(s["renown"], key=s["renown"].__getitem__) == "p-alice"
    assert s["renown"]["twitter:eve"] == 1.0 and s["reach"]["twitter:eve"] == 0.0


def test_stackexchange_outcome_adds_votes_and_accepts(tmp_path: Path) -> None:
    con = stackexchange_world().store(tmp_path / "se.duckdb")
    try:
        data = collect(con, SPLIT, 7, DEFAULT_MODEL)
    finally:
        con.close()
    # u3's comment (a person) + two upvotes + one accept; not the downvote or ~community.
    assert by_person(data, data.outcome) == {"stackexchange:u1": 0, "stackexchange:u2": 4}


def test_follow_events_make_the_in_degree(tmp_path: Path) -> None:
    world = twitter_world()
    for fan in ("f1", "f2", "f3"):
        world.react(fan, "eve", 4, kind="follow")
    con = world.store(tmp_path / "f.duckdb")
    try:
        data = collect(con, SPLIT, 7, DEFAULT_MODEL)
    finally:
        con.close()
    degree = by_person(data, data.scores["in_degree"])
    assert degree["twitter:eve"] == 3 and degree["twitter:bob"] == 0
    assert data.in_degree_sources["twitter"] == "follow events"


def test_period_refuses_empty_horizon() -> None:
    with pytest.raises(ValueError, match="horizon"):
        Period(SPLIT, 0, 300)


def test_empty_store_gives_empty_population(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    from renown.store.database import migrate
    migrate(con)
    try:
        data = collect(con, SPLIT, 7, DEFAULT_MODEL)
    finally:
        con.close()
    assert data.outcome.size == 0
