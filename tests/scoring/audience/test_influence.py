"""Influencers and influencees: the propagation's own flows, aggregated to people, with evidence."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.scoring.audience.influence import influence
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.pipeline import compute_scores
from renown.scoring.snapshots import day_end
from tests.scoring.builders import START, World

DAY = START + timedelta(days=20)
_paths = itertools.count()
NAMES = [f"u{i}" for i in range(7)]

reactions = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES),
                               st.integers(0, 19), st.sampled_from(["like", "reply", "reshare"])),
                     min_size=1, max_size=60)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=reactions)
def test_influencee_flows_add_up_to_the_network_component(
        tmp_path: Path, events: list[tuple[str, str, int, str]]) -> None:
    world = World()
    for name in NAMES:
        world.post(name, 0)
    for reactor, author, day, kind in events:
        if reactor != author:
            world.react(reactor, author, day, kind=kind)
    con = world.store(tmp_path / f"w{next(_paths)}.duckdb")
    run = compute_scores(con, day_end(DAY), DEFAULT_MODEL)
    network = dict(zip(run.accounts["person_id"].to_pylist(),
                       run.accounts["network_value"].to_pylist(), strict=True))
    for person, value in network.items():
        report = influence(con, person, DAY, limit=100)
        assert sum(link.flow for link in report.influencees) == pytest.approx(value, abs=1e-9)
        # the person's own attention is shared in proportion to the reach it gives
        flows = [(link.flow, link.reach) for link in report.influencers]
        for (f1, r1), (f2, r2) in itertools.combinations(flows, 2):
            assert f1 * r2 == pytest.approx(f2 * r1, rel=1e-6, abs=1e-12)


def linked_world() -> World:
    world = World()
    post = world.post("star", 1)
    world.post("star_m", 1, network="mastodon")
    for day in range(2, 6):  # carol reacts from both her accounts
        world.react("carol", "star", day, kind="reply", post=post)
        world.react("carol_m", "star_m", day, kind="like", network="mastodon")
    world.react("dan", "star", 3, kind="reshare", post=post)
    world.react("star", "erin", 4, kind="reply")
    world.react("~anonymous", "star", 4, kind="like")
    for person, network, account in (("star-person", "twitter", "star"),
                                     ("star-person", "mastodon", "star_m"),
                                     ("carol-person", "twitter", "carol"),
                                     ("carol-person", "mastodon", "carol_m")):
        world.link(person, network, account)
    return world


def test_links_are_people_with_the_reactions_behind_them(tmp_path: Path) -> None:
    con = linked_world().store(tmp_path / "linked.duckdb")
    report = influence(con, "star-person", DAY, limit=10, examples=2)
    influencees = {link.person_id: link for link in report.influencees}
    assert set(influencees) == {"carol-person", "twitter:dan"}  # no system account
    carol = influencees["carol-person"]
    assert carol.accounts == ["mastodon:carol_m", "twitter:carol"]
    assert carol.reactions == 8 and carol.kinds == {"like": 4, "reply": 4}
    assert [e.ts.day for e in carol.examples] == [6, 6]  # latest first (day 5 = 6 January)
    assert {e.kind for e in carol.examples} == {"like", "reply"}
    assert influencees["twitter:dan"].examples[0].post_id is not None
    assert [link.person_id for link in report.influencers] == ["twitter:erin"]
    assert report.influencers[0].kinds == {"reply": 1}
    ordered = [link.flow for link in report.influencees]
    assert ordered == sorted(ordered, reverse=True)
    assert len(influence(con, "star-person", DAY, limit=1).influencees) == 1
