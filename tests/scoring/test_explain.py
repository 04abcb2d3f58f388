"""Explanations (DESIGN.md property 5): parts that add up, evidence, what changed and why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.combine import round_preserving_sum
from renown.scoring.drivers import describe, explain_change
from renown.scoring.explain import (
    Explanation,
    component_points,
    contributions,
    explain,
    snapshot_rows,
)
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.run import score_day
from renown.store.database import scalar
from tests.scoring.builders import START, World


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def evidence_world() -> World:
    """'alice' on two linked networks with posts that drew different crowds."""
    world = World()
    popular = world.post("alice", 1, text="the popular one")
    middling = world.post("alice", 2, text="so-so")
    quiet = world.post("alice", 3, text="nobody cared")
    for i in range(4):
        world.react(f"r{i}", "alice", 2, post=popular)
    world.react("r0", "alice", 3, kind="reply", post=popular)  # same person, again
    world.react("r4", "alice", 4, post=middling)
    world.react("r5", "alice", 4, kind="like", post=middling)
    world.react("r6", "alice", 5, kind="like", post=quiet)
    world.react("hater", "alice", 5, kind="downvote", post=quiet)  # not a reaction
    edited = world.events[0]  # the popular post, stored again after an edit
    world.events.append(replace(edited, event_id="edit-1", text="the popular one (edited)"))
    # r1 is influential in their own right: many people reshare them.
    r1_post = world.post("r1", 1)
    for i in range(25):
        world.react(f"crowd{i}", "r1", 1 + i % 5, post=r1_post)
    world.post("alice_m", 2, network="mastodon")
    world.react("m0", "alice_m", 3, network="mastodon")
    world.react("m1", "alice_m", 4, kind="reply", network="mastodon")
    world.link("alice", "twitter", "alice")
    world.link("alice", "mastodon", "alice_m")
    return world


@pytest.fixture(scope="module")
def evidence_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explain") / "evidence.duckdb"
    con = evidence_world().store(path)
    score_day(con, day(10))
    con.close()
    return path


@pytest.fixture
def con(evidence_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(evidence_db), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def test_contributions_add_up_to_the_score(con: duckdb.DuckDBPyConnection) -> None:
    run_id = int(scalar(con, "SELECT max(run_id) FROM score_runs"))
    people = [str(p) for p, in con.execute("SELECT person_id FROM person_scores").fetchall()]
    for person in people:
        rows = snapshot_rows(con, run_id, person)
        parts = contributions(rows, DEFAULT_MODEL)
        assert sum(c.points for c in parts) == pytest.approx(rows[0], abs=1e-9), person
        assert parts[0].points == 1.0
        assert all(c.points >= 0 for c in parts)
    alice = explain(con, "alice")
    assert sum(c.points for c in alice.contributions) == pytest.approx(alice.score, abs=1e-9)
    labels = {c.label for c in alice.contributions}
    assert {"twitter reach", "twitter amplification", "twitter network", "mastodon reach",
            "mastodon amplification", "mastodon network"} <= labels
    parts = component_points(alice.contributions)
    assert min(parts["reach"], parts["amplification"], parts["network"]) > 0
    assert parts["offline"] == 0
    assert (alice.person_id, alice.as_of, alice.model_version) == (
        "alice", day(10), DEFAULT_MODEL.version)


def test_top_reactors_are_the_people_who_reacted_most_weighty_first(
        con: duckdb.DuckDBPyConnection) -> None:
    result = explain(con, "alice", top=50)
    reactors = {(r.network, r.reactor) for r in result.top_reactors}
    assert reactors == {("twitter", f"r{i}") for i in range(7)} | {
        ("mastodon", "m0"), ("mastodon", "m1")}
    weights = [r.reach * (1 + r.reactor_influence) for r in result.top_reactors]
    assert weights == sorted(weights, reverse=True)
    assert result.top_reactors[0].reactor == "r1"  # the influential reactor leads
    r0 = next(r for r in result.top_reactors if r.reactor == "r0")
    assert r0.reactions == 2 and all(0 < r.reach <= 1 for r in result.top_reactors)
    assert [r.reactor for r in explain(con, "alice", top=3).top_reactors] == [
        r.reactor for r in result.top_reactors[:3]]


def test_top_posts_list_post_ids_with_distinct_reactor_counts(
        con: duckdb.DuckDBPyConnection) -> None:
    posts = explain(con, "alice").top_posts
    texts = dict(con.execute("SELECT post_id, text FROM events WHERE kind = 'post' "
                             "AND event_id <> 'edit-1'").fetchall())
    popular, middling, quiet = (next(p for p, t in texts.items() if t == text)
                                for text in ("the popular one", "so-so", "nobody cared"))
    assert [(p.post_id, p.reactors, p.reactions) for p in posts] == [
        (popular, 4, 5), (middling, 2, 2), (quiet, 1, 1)]
    assert posts[0].text in ("the popular one", "the popular one (edited)")
    assert {p.network for p in posts} == {"twitter"}


def test_explaining_someone_without_a_score_is_a_lookup_error(
        con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(LookupError, match="no score"):
        explain(con, "nobody")


# Why a score changed -------------------------------------------------------------------

def fading_world() -> World:
    """'writer' had 10 repliers early on; later only 5 resharers remain in the window."""
    world = World()
    first = world.post("writer", 1)
    for i in range(10):
        world.react(f"replier{i}", "writer", 1, kind="reply", post=first)
    later = world.post("writer", 200)
    for i in range(5):
        world.react(f"sharer{i}", "writer", 200, kind="reshare", post=later)
    return world


@pytest.fixture(scope="module")
def fading_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explain") / "fading.duckdb"
    con = fading_world().store(path)
    score_day(con, day(310))
    con.close()
    return path


def check_change(result: Explanation, since: date) -> None:
    assert result.since == since
    assert result.previous_score is not None
    # The headline is the change between the scores as shown (one decimal).
    difference = round(result.score, 1) - round(result.previous_score, 1)
    assert result.drivers[0] == f"score {difference:+.1f}"
    reach = next(line for line in result.drivers if line.startswith("Reach"))
    assert re.match(r"Reach -\d+\.\d points: 100% fewer distinct people replied \(10 → 0\)$",
                    reach), reach


def test_explain_change_names_lost_repliers(fading_db: Path) -> None:
    con = duckdb.connect(str(fading_db), read_only=True)
    try:
        now = explain(con, "twitter:writer")
        result = explain_change(con, now, day(250))
    finally:
        con.close()
    check_change(result, day(250))
    assert result.previous_score is not None and result.previous_score > result.score + 5
    assert (result.score, result.contributions) == (now.score, now.contributions)


def test_explain_change_reads_a_stored_earlier_snapshot_the_same_way(
        fading_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(fading_db), read_only=True)
    computed = explain_change(con, explain(con, "twitter:writer"), day(250))
    con.close()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(fading_db.read_bytes())
    writable = duckdb.connect(str(copy))
    try:
        score_day(writable, day(250))
        assert scalar(writable, "SELECT count(*) FROM score_runs") == 2
        stored = explain_change(writable, explain(writable, "twitter:writer"), day(250))
    finally:
        writable.close()
    check_change(stored, day(250))
    assert stored.previous_score == pytest.approx(computed.previous_score, abs=1e-9)
    assert stored.drivers == computed.drivers


def test_explain_change_for_someone_new_starts_from_the_floor(fading_db: Path) -> None:
    con = duckdb.connect(str(fading_db), read_only=True)
    try:
        result = explain_change(con, explain(con, "twitter:writer"), day(0))
        assert result.previous_score == 1.0
        assert result.drivers[0] == f"score {result.score - 1.0:+.1f}"
        with pytest.raises(ValueError, match="must be before"):
            explain_change(con, explain(con, "twitter:writer"), day(310))
    finally:
        con.close()


def test_explain_change_names_only_reactions_the_model_counts(tmp_path: Path) -> None:
    world = World()
    for d in (1, 20):
        post = world.post("newbie", d)
        world.react(f"early{d}", "newbie", d, post=post)
    for i in range(3):  # later: three more people reshare ...
        world.react(f"sharer{i}", "newbie", 25, post=post)
    for i in range(12):  # ... and a crowd follows, which is not a reaction
        world.react(f"follower{i}", "newbie", 25, kind="follow")
    con = world.store(tmp_path / "follows.duckdb")
    try:
        score_day(con, day(26))
        result = explain_change(con, explain(con, "twitter:newbie"), day(21))
    finally:
        con.close()
    reach = next(line for line in result.drivers if line.startswith("Reach"))
    assert reach.startswith("Reach +") and "reshared (2 → 5)" in reach, reach
    assert "follow" not in " ".join(result.drivers)


def test_describe_names_gains_and_unchanged_components() -> None:
    before = {"reach": 10.0, "amplification": 2.0, "network": 3.0, "offline": 0.0}
    after = {"reach": 14.0, "amplification": 2.01, "network": 3.0, "offline": 0.0}
    lines = describe(4.01, before, after, {"reply": 2}, {"reply": 2, "like": 6})
    assert lines[0] == "score +4.0"
    assert lines[1] == "Reach +4.0 points: 6 people liked where none had before"
    assert "Amplification component unchanged" in lines
    assert not any(line.startswith("Offline") for line in lines)


# Rounding that adds up -----------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=12))
def test_rounded_parts_add_up_exactly_to_the_rounded_total(parts: list[float]) -> None:
    values = np.array(parts)
    total = float(values.sum())
    shown = round_preserving_sum(values, total)
    tenths = shown * 10
    assert np.allclose(tenths, np.round(tenths), atol=1e-6)
    assert int(np.round(tenths).sum()) == round(float(f"{total:.1f}") * 10)
    assert np.all(np.abs(shown - values) < 0.1 + 1e-9)


@pytest.mark.parametrize(("parts", "total"), [
    ([1.0, 47.45], 48.45),  # 48.45 is stored just above: shown as 48.5
    ([0.05, 0.05, 0.05], 0.15000000000000002),
    ([33.333, 33.333, 33.334], 100.0),
])
def test_rounded_parts_match_the_total_as_printed(parts: list[float], total: float) -> None:
    shown = round_preserving_sum(np.array(parts), total)
    assert f"{shown.sum():.1f}" == f"{total:.1f}"
