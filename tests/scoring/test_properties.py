"""DESIGN.md §3 properties 1–5 on hand-built worlds (hypothesis where it fits)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.scoring.explain import contributions
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.pipeline import ScoreRun
from tests.scoring.builders import World, score, scores_by_person

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
_paths = itertools.count()


def fresh(tmp_path: Path) -> Path:
    return tmp_path / f"w{next(_paths)}.duckdb"


def audience_world(fans: int, posts: int, *, days: int = 60) -> World:
    """'star' posts ``posts`` times; ``fans`` distinct people each reshare once."""
    world = World()
    post_ids = [world.post("star", day % days) for day in range(posts)]
    for i in range(fans):
        world.react(f"fan{i}", "star", i % days, post=post_ids[i % len(post_ids)])
    world.post("bystander", 1)
    return world


# Property 1 — outcomes, not output ----------------------------------------------------

@SETTINGS
@given(fans=st.integers(1, 300), posts=st.integers(1, 40))
def test_more_posts_without_response_never_raise_the_score(tmp_path: Path, fans: int,
                                                           posts: int) -> None:
    base = scores_by_person(score(audience_world(fans, posts), fresh(tmp_path), 60))
    doubled_world = audience_world(fans, posts)
    for day in range(posts):
        doubled_world.post("star", day % 60)
    doubled = scores_by_person(score(doubled_world, fresh(tmp_path), 60))
    change = doubled["twitter:star"] - base["twitter:star"]
    assert change <= 1e-9
    assert abs(change) < 0.5


def test_hundred_people_beat_one_person_reacting_hundred_times(tmp_path: Path) -> None:
    world = World()
    world.post("many", 1)
    world.post("one", 1)
    for i in range(100):
        world.react(f"fan{i}", "many", 1 + i % 30)
        world.react("superfan", "one", 1 + i % 30)
    scores = scores_by_person(score(world, fresh(tmp_path), 30))
    assert scores["twitter:many"] > scores["twitter:one"] + 20


def test_selective_reactor_counts_more_than_one_who_reacts_to_everything(tmp_path: Path) -> None:
    world = World()
    for author in ("picked", "sprayed"):
        world.post(author, 1)
    world.react("selective", "picked", 2)
    world.react("indiscriminate", "sprayed", 2)
    for i in range(300):  # the same day, to everybody
        world.react("indiscriminate", f"random{i}", 2, kind="like")
    scores = scores_by_person(score(world, fresh(tmp_path), 10))
    assert scores["twitter:picked"] > scores["twitter:sprayed"] + 5


# Property 2 — gaming resistance -------------------------------------------------------

def test_engagement_pod_gains_clearly_less_than_independent_people(tmp_path: Path) -> None:
    world = World()
    pod = [f"pod{i}" for i in range(10)]
    for day in range(0, 30, 3):
        for member in pod:
            world.post(member, day)
        world.post("independent", day)
    for day in range(0, 30, 3):
        for a, b in itertools.permutations(pod, 2):
            world.react(a, b, day, kind="like")
    # The same number of reactions pod0 gets (9 per round), from distinct outsiders.
    for i in range(90):
        world.react(f"outsider{i}", "independent", (i // 9) * 3, kind="like")
    scores = scores_by_person(score(world, fresh(tmp_path), 30))
    assert scores["twitter:independent"] > scores["twitter:pod0"] + 15


def test_automated_accounts_count_little(tmp_path: Path) -> None:
    world = World()
    world.post("target_of_bots", 1)
    world.post("target_of_people", 1)
    for b in range(5):
        for day in range(1, 20):
            for i in range(400):  # likes everything, every day
                world.react(f"bot{b}", f"victim{i}", day, kind="like")
            world.react(f"bot{b}", "target_of_bots", day, kind="like")
    for p in range(5):
        world.react(f"person{p}", "target_of_people", 3, kind="like")
    scores = scores_by_person(score(world, fresh(tmp_path), 20))
    assert scores["twitter:target_of_people"] > scores["twitter:target_of_bots"] + 5


def _accounts_by_id(run: ScoreRun) -> dict[str, dict[str, float]]:
    return {row["account"]: row for row in run.accounts.to_pylist()}


def test_accounts_that_only_boost_one_author_are_one_voice(tmp_path: Path) -> None:
    """Bought engagement: 40 accounts that each react to one customer 10 times and to no
    one else count (and pass on influence) as slivers of people; the same 40 reacting 10
    times but to others as well, or once each to one author, count as 40 people."""
    world = World()
    for day in range(10):
        for author in ("customer", "liked", "once"):
            world.post(author, day)
    for i in range(40):
        for day in range(10):
            world.react(f"bought{i}", "customer", day)
            world.react(f"fan{i}", "liked", day)
            world.react(f"fan{i}", f"friend{i % 4}", day, times=2)
        world.react(f"passerby{i}", "once", i % 10)
        world.react("customer", f"friend{i % 4}", 5)  # the customer passes influence on
    run = score(world, fresh(tmp_path), 10)
    accounts = _accounts_by_id(run)
    scores = scores_by_person(run)
    assert accounts["liked"]["reach"] > 30 and accounts["once"]["reach"] > 30
    assert accounts["customer"]["reach"] < 1.0  # (1.5 / 10)² of a person each
    assert scores["twitter:customer"] < scores["twitter:once"] - 30
    assert accounts["customer"]["network_value"] < accounts["once"]["network_value"] / 5
    without = score(world, fresh(tmp_path), 10, DEFAULT_MODEL.with_changes(
        version="no-focus", focus_allowance=0.0))
    assert _accounts_by_id(without)["customer"]["reach"] > 30


# Property 3 — stability ---------------------------------------------------------------

def test_recomputation_is_bit_identical_whatever_the_ingestion_order(tmp_path: Path) -> None:
    world = World()
    rng = np.random.default_rng(3)
    for i in range(400):
        world.post(f"u{i % 40}", int(rng.integers(0, 50)))
        world.react(f"u{rng.integers(0, 60)}", f"u{rng.integers(60, 100)}",
                    int(rng.integers(0, 50)), kind=str(rng.choice(["like", "reply", "reshare"])))
    first = score(world, fresh(tmp_path), 50)
    shuffled = World(events=[world.events[i] for i in rng.permutation(len(world.events))])
    second = score(shuffled, fresh(tmp_path), 50)
    assert first.people.equals(second.people)
    assert first.accounts.equals(second.accounts)


def steady_audience(fans: int, active_until: int) -> World:
    """An established person: ``fans`` people react across 300 days until ``active_until``.

    Like real audiences, the fans follow other people too (each also reacts to
    one of a few other authors, for the whole 340 days): an account whose every
    reaction goes to one author reads as that author's voice, not as a person
    in their audience (`Model.focus_allowance`; `test_exclusive_superfans_...`).
    """
    world = World()
    for day in range(0, active_until, 2):
        post = world.post("steady", day)
        for i in range(fans):
            if (i + day) % 7 == 0:
                world.react(f"fan{i}", "steady", day, post=post,
                            kind="reshare" if i % 3 else "reply")
    for day in range(0, 340, 2):
        for i in range(fans):
            if (i + day) % 7 == 3:
                world.react(f"fan{i}", f"friend{i % 5}", day)
    for day in range(0, 340, 5):  # unrelated life goes on
        world.post("other", day)
        world.react("other_fan", "other", day)
    return world


@pytest.mark.parametrize("fans", [3, 20, 120, 700])
def test_silence_costs_at_most_2_points_a_week_and_6_a_month(tmp_path: Path, fans: int) -> None:
    world = steady_audience(fans, active_until=300)
    at_stop = scores_by_person(score(world, fresh(tmp_path), 299))["twitter:steady"]
    after_week = scores_by_person(score(world, fresh(tmp_path), 306))["twitter:steady"]
    after_month = scores_by_person(score(world, fresh(tmp_path), 329))["twitter:steady"]
    # Silence may move a score a hair either way (output decays with the
    # audience); what it must not do is cost more than the property allows.
    assert -0.05 <= at_stop - after_week <= 2.0
    assert -0.05 <= at_stop - after_month <= 6.0


# Property 4 — monotone in networks ----------------------------------------------------

@SETTINGS
@given(twitter_fans=st.integers(0, 200), mastodon_fans=st.integers(0, 200))
def test_linking_another_network_never_lowers_the_score(tmp_path: Path, twitter_fans: int,
                                                        mastodon_fans: int) -> None:
    world = World()
    world.post("alice", 1)
    world.post("alice_m", 1, network="mastodon")
    for i in range(twitter_fans):
        world.react(f"t{i}", "alice", 2)
    for i in range(mastodon_fans):
        world.react(f"m{i}", "alice_m", 2, network="mastodon")
    separate = scores_by_person(score(world, fresh(tmp_path), 10))
    world.link("alice", "twitter", "alice")
    world.link("alice", "mastodon", "alice_m")
    linked = scores_by_person(score(world, fresh(tmp_path), 10))
    best_single = max(separate["twitter:alice"], separate["mastodon:alice_m"])
    assert linked["alice"] >= best_single - 1e-9


def test_offline_credentials_add_a_bounded_visible_contribution(tmp_path: Path) -> None:
    world = audience_world(30, 5)
    world.credential("speaker", 3, "talk")
    for day, kind in enumerate(("publication", "course", "award", "press", "talk") * 20):
        world.credential("speaker", day, kind)
    world.link("star-person", "twitter", "star")
    world.link("star-person", "offline", "speaker")
    run = score(world, fresh(tmp_path), 60)
    people = {r["person_id"]: r for r in run.people.to_pylist()}
    star = people["star-person"]
    assert 0 < star["offline_points"] <= DEFAULT_MODEL.offline_max_points
    assert star["score"] == pytest.approx(1 + star["online_points"] + star["offline_points"])


# Property 5 — explainable -------------------------------------------------------------

@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_contributions_add_up_to_every_score(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    world = World()
    for i in range(150):
        network = "twitter" if i % 3 else "mastodon"
        world.post(f"u{rng.integers(0, 20)}", int(rng.integers(0, 30)), network=network)
        reactor, author = f"u{rng.integers(0, 40)}", f"u{rng.integers(0, 20)}"
        if reactor != author:
            world.react(reactor, author, int(rng.integers(0, 30)), network=network)
    world.link("both", "twitter", "u1")
    world.link("both", "mastodon", "u1")
    run = score(world, fresh(tmp_path), 30)
    for person in run.people.to_pylist():
        accounts = [a for a in run.accounts.to_pylist() if a["person_id"] == person["person_id"]]
        rows = [(a["network"], a["account"], a["points"], a["raw"], a["reach"],
                 a["amplification"], a["network_value"]) for a in accounts]
        parts = contributions((person["score"], person["offline_points"], rows), DEFAULT_MODEL)
        assert sum(p.points for p in parts) == pytest.approx(person["score"], abs=1e-9)
