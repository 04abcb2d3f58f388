"""Property 6 on hand-made worlds: a topic only on sustained, engaged evidence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.scoring.topics.attribution import confidence, meets_thresholds
from renown.scoring.topics.config import TopicConfig
from tests.scoring.builders import World
from tests.scoring.topics.worlds import attributed, post_with_reactors, run_topics

REACTORS = [f"r{i}" for i in range(9)]
posts_strategy = st.lists(
    st.tuples(st.integers(0, 4), st.lists(st.sampled_from(REACTORS), max_size=6, unique=True)),
    max_size=7)
config_strategy = st.builds(TopicConfig, min_posts=st.integers(1, 4),
                            min_days=st.integers(1, 3), min_reactors=st.integers(1, 7))


def plain_rule(posts: list[tuple[int, list[str]]], config: TopicConfig) -> bool:
    engaged = [(day, reactors) for day, reactors in posts if reactors]
    days = {day for day, _ in engaged}
    people = {r for _, reactors in engaged for r in reactors}
    return (len(engaged) >= config.min_posts and len(days) >= config.min_days
            and len(people) >= config.min_reactors)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts=posts_strategy, config=config_strategy)
def test_attributed_exactly_when_the_thresholds_are_met(
        posts: list[tuple[int, list[str]]], config: TopicConfig) -> None:
    world = World()
    for day, reactors in posts:
        post_with_reactors(world, "alice", day, "cooking", reactors)
    world.post("alice", 0, text="hello world")  # posts on no topic change nothing
    found = attributed(run_topics(world, 5, config))
    expected = plain_rule(posts, config)
    assert (("twitter:alice", "cooking") in found) == expected
    if expected:
        row = found[("twitter:alice", "cooking")]
        assert 0.5 - 1e-12 <= float(row["confidence"]) <= 1.0  # type: ignore[arg-type]
        assert row["direct"] is True


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 50), min_size=3, max_size=3), st.integers(0, 2),
       st.floats(0.1, 20), config_strategy)
def test_confidence_is_bounded_and_never_falls_with_more_evidence(
        values: list[float], which: int, extra: float, config: TopicConfig) -> None:
    before = [[v] for v in values]
    after = [list(v) for v in before]
    after[which][0] += extra
    c_before = float(confidence(*before, config)[0])  # type: ignore[arg-type]
    c_after = float(confidence(*after, config)[0])  # type: ignore[arg-type]
    assert 0.0 <= c_before <= c_after <= 1.0
    met = bool(meets_thresholds(*before, config)[0])  # type: ignore[arg-type]
    assert not met or c_before >= 0.5 - 1e-12


def test_one_viral_post_makes_nobody_an_expert() -> None:
    world = World()
    post_with_reactors(world, "joker", 1, "asthma", [f"fan{i}" for i in range(300)])
    for day in range(1, 5):
        post_with_reactors(world, "joker", day, "cooking", ["a", "b", "c", "d", "e"])
    found = attributed(run_topics(world, 5))
    assert ("twitter:joker", "cooking") in found
    assert not any(topic in ("asthma", "diseases", "lungs", "health") for _, topic in found)


def test_own_reactions_and_the_same_persons_other_accounts_do_not_count() -> None:
    world = World()
    for day in (1, 2, 3):
        post_with_reactors(world, "alice", day, "cooking", ["alice_alt", "b", "c", "d", "e"])
    world.link("alice", "twitter", "alice")
    world.link("alice", "twitter", "alice_alt")
    assert ("alice", "cooking") not in attributed(run_topics(world, 5))  # 4 other people
    world.react("f", "alice", 3, post=world.events[-1].parent_id, kind="reply")
    assert ("alice", "cooking") in attributed(run_topics(world, 5))


def test_expertise_rolls_up_discounted_to_every_parent() -> None:
    def expert(posts: int, days: int, reactors: int) -> World:
        world = World()
        for i in range(posts):
            post_with_reactors(world, "doc", i % days, "asthma",
                               [f"r{j}" for j in range(reactors) if j % posts == i])
        return world

    # 6 posts, 4 days, 10 people: at one level up (×0.5) that is 3, 2 and 5.
    found = attributed(run_topics(expert(6, 4, 10), 5))
    for topic in ("asthma", "diseases", "lungs"):
        assert ("twitter:doc", topic) in found, topic
    assert found[("twitter:doc", "diseases")]["direct"] is False
    assert float(found[("twitter:doc", "diseases")]["post_evidence"]) == 3.0  # type: ignore[arg-type]
    assert ("twitter:doc", "health") not in found  # two levels up: ×0.25
    assert float(found[("twitter:doc", "diseases")]["confidence"]) < float(  # type: ignore[arg-type]
        found[("twitter:doc", "asthma")]["confidence"])  # type: ignore[arg-type]
    # One post fewer and the parents fall below the bar; the topic itself stays.
    found = attributed(run_topics(expert(5, 4, 10), 5))
    assert ("twitter:doc", "asthma") in found and ("twitter:doc", "diseases") not in found


def test_roll_up_can_be_switched_off_and_thresholds_come_from_the_config() -> None:
    world = World()
    for i in range(8):
        post_with_reactors(world, "doc", i % 4, "asthma", [f"r{j}" for j in range(i, i + 3)])
    assert ("twitter:doc", "diseases") not in attributed(
        run_topics(world, 5, TopicConfig(rollup_levels=0)))
    assert ("twitter:doc", "asthma") not in attributed(
        run_topics(world, 5, TopicConfig(min_posts=9)))
