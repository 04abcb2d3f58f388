"""+K endorsements: the cap, self and repeat refusals, weight by standing, reciprocal
discount, evidence they add, and the bounded score contribution explain shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.explain import explain
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.run import score_day
from renown.scoring.snapshots import day_end
from renown.scoring.topics.compute import compute_topics
from renown.scoring.topics.config import EndorsementConfig, TopicConfig
from renown.scoring.topics.contribution import add_points
from renown.scoring.topics.endorsements import (
    EndorsementError,
    endorsement_points,
    endorsement_weights,
    give_endorsement,
)
from renown.scoring.topics.ontology_store import use_ontology
from tests.scoring.builders import START, World
from tests.scoring.topics.worlds import ONTOLOGY, attributed, post_with_reactors

CONFIG = EndorsementConfig()
TOPICS = set(ONTOLOGY.topics)


def at(day: int) -> datetime:
    return datetime.combine(START, datetime.min.time()) + timedelta(days=day, hours=12)


def kitchen() -> World:
    """Two cooking experts, a novice just short of the bar (4 people), bystanders."""
    world = World()
    for chef in ("chef1", "chef2"):
        for day in range(1, 5):
            post_with_reactors(world, chef, day, "cooking", [f"{chef}-fan{i}" for i in range(20)])
            for i in range(20):  # fans follow others too (an exclusive one is one voice)
                world.react(f"{chef}-fan{i}", f"pal{i}", day)
    for day in (1, 2, 3):
        post_with_reactors(world, "novice", day, "cooking", ["a", "b", "c", "d"])
        for friend in ("a", "b", "c", "d"):  # they follow others too: a real audience
            world.react(friend, f"pal-{friend}", day)
    for name in ("nobody1", "nobody2"):
        world.post(name, 1, text="hello world")
    return world


def test_a_giver_is_capped_per_thirty_days(tmp_path: Path) -> None:
    con = kitchen().store(tmp_path / "k.duckdb")
    receivers = [f"twitter:r{i}" for i in range(7)]
    for i in range(5):
        made = give_endorsement(con, "twitter:chef1", receivers[i], "cooking", CONFIG,
                                known_topics=TOPICS, at=at(i))
        assert made.remaining == 4 - i
    with pytest.raises(EndorsementError, match="the cap is 5"):
        give_endorsement(con, "twitter:chef1", receivers[5], "cooking", CONFIG,
                         known_topics=TOPICS, at=at(10))
    # 30 days after the first, one slot is free again.
    give_endorsement(con, "twitter:chef1", receivers[5], "cooking", CONFIG,
                     known_topics=TOPICS, at=at(30))
    # Others are not affected by chef1's cap.
    give_endorsement(con, "twitter:chef2", receivers[6], "cooking", CONFIG,
                     known_topics=TOPICS, at=at(10))
    con.close()


@pytest.mark.parametrize(("giver", "receiver", "topic", "message"), [
    ("twitter:a", "twitter:a", "cooking", "themselves"),
    ("twitter:a", "twitter:b", "knitting", "unknown topic"),
    ("twitter:a", "twitter:c", "cooking", "already endorsed"),
])
def test_self_unknown_topic_and_repeats_are_refused(tmp_path: Path, giver: str, receiver: str,
                                                    topic: str, message: str) -> None:
    con = World().store(tmp_path / "e.duckdb")
    give_endorsement(con, "twitter:a", "twitter:c", "cooking", CONFIG, known_topics=TOPICS,
                     at=at(1))
    with pytest.raises(EndorsementError, match=message):
        give_endorsement(con, giver, receiver, topic, CONFIG, known_topics=TOPICS, at=at(2))
    con.close()


def test_weights_follow_standing_reciprocity_and_age() -> None:
    standing = np.array([0.0, 1.0, 0.5, 0.5, 0.5])
    reciprocal = np.array([False, False, False, True, False])
    age = np.array([0.0, 0.0, 0.0, 0.0, DEFAULT_MODEL.half_life_days])
    weights = endorsement_weights(standing, reciprocal, age, DEFAULT_MODEL, CONFIG)
    assert weights[0] == pytest.approx(CONFIG.floor_weight)
    assert weights[1] == pytest.approx(1.0)
    assert weights[3] == pytest.approx(weights[2] * (1 - CONFIG.reciprocal_discount))
    assert weights[4] == pytest.approx(weights[2] / 2)


def endorsed_run(tmp_path: Path, endorsements: list[tuple[str, str]]
                 ) -> tuple[dict[tuple[str, str], dict[str, object]], dict[int, dict[str, object]]]:
    tmp_path.mkdir(exist_ok=True)
    con = kitchen().store(tmp_path / "run.duckdb")
    try:
        for i, (giver, receiver) in enumerate(endorsements):
            give_endorsement(con, f"twitter:{giver}", f"twitter:{receiver}", "cooking", CONFIG,
                             known_topics=TOPICS, at=at(4) + timedelta(minutes=i))
        results = compute_topics(con, day_end(START + timedelta(days=5)), DEFAULT_MODEL,
                                 ONTOLOGY)
    finally:
        con.close()
    weights = {int(r["endorsement_id"]): r for r in results.endorsement_weights.to_pylist()}
    return attributed(results), weights


def test_endorsements_by_people_of_standing_count_as_topic_evidence(tmp_path: Path) -> None:
    before, _ = endorsed_run(tmp_path / "a", [])
    assert ("twitter:novice", "cooking") not in before
    assert ("twitter:chef1", "cooking") in before
    after, weights = endorsed_run(tmp_path / "b", [("chef1", "novice"), ("chef2", "novice")])
    row = after[("twitter:novice", "cooking")]
    assert row["endorsers"] == 2 and row["reactors"] == 4
    assert float(row["reactor_evidence"]) == pytest.approx(  # type: ignore[arg-type]
        4 + sum(float(w["weight"]) for w in weights.values()))  # type: ignore[arg-type]
    assert all(float(w["standing"]) > 0.3 for w in weights.values())  # type: ignore[arg-type]
    # The same two endorsements from people without standing fall short of the bar.
    unknown, weights = endorsed_run(tmp_path / "c", [("nobody1", "novice"),
                                                      ("nobody2", "novice")])
    assert ("twitter:novice", "cooking") not in unknown
    assert all(float(w["standing"]) == 0.0 for w in weights.values())  # type: ignore[arg-type]


def test_reciprocal_pairs_are_discounted(tmp_path: Path) -> None:
    _, one_way = endorsed_run(tmp_path / "a", [("chef1", "chef2")])
    _, both = endorsed_run(tmp_path / "b", [("chef1", "chef2"), ("chef2", "chef1")])
    first = both[min(both)]
    assert first["reciprocal"] is True and one_way[min(one_way)]["reciprocal"] is False
    assert float(first["weight"]) == pytest.approx(  # type: ignore[arg-type]
        float(one_way[min(one_way)]["weight"]) * (1 - CONFIG.reciprocal_discount))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1e6), st.floats(0, 10))
def test_the_contribution_is_bounded_and_grows_with_weight(units: float, more: float) -> None:
    low, high = endorsement_points(np.array([units, units + more]), CONFIG)
    assert 0.0 <= low <= high <= CONFIG.max_points


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 99), st.floats(0, 10), st.floats(0, CONFIG.max_points))
def test_added_points_keep_the_parts_adding_up_under_100(online: float, offline: float,
                                                         extra: float) -> None:
    score, on, off, ext, _ = add_points(np.array([online]), np.array([offline]),
                                        np.array([extra]))
    assert score[0] <= 100.0 + 1e-9
    assert score[0] == pytest.approx(1.0 + on[0] + off[0] + ext[0])
    assert min(on[0], off[0], ext[0]) >= 0.0


def test_explain_shows_the_endorsements_as_their_own_line(tmp_path: Path) -> None:
    con = kitchen().store(tmp_path / "x.duckdb")
    use_ontology(con, ONTOLOGY)
    day = START + timedelta(days=5)
    score_day(con, day)
    plain = explain(con, "twitter:novice")
    for giver in ("chef1", "chef2", "nobody1"):
        give_endorsement(con, f"twitter:{giver}", "twitter:novice", "cooking", CONFIG,
                         known_topics=TOPICS, at=at(4))
    score_day(con, day)
    endorsed = explain(con, "twitter:novice")
    con.close()
    lines = {c.label: c.points for c in endorsed.contributions}
    points = lines["endorsements (+K)"]
    assert 0 < points < CONFIG.max_points
    assert "endorsements (+K)" not in {c.label for c in plain.contributions}
    assert endorsed.score == pytest.approx(plain.score + points)
    assert sum(lines.values()) == pytest.approx(endorsed.score)
    assert TopicConfig().endorsements == CONFIG
