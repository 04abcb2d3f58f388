"""Property 7 on hand-made worlds: influence within an audience, and its explanation."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.scoring.audience.evidence import explain_audience
from renown.scoring.audience.spec import AudienceError, AudienceSpec
from renown.scoring.audience.targeted import audience_scores
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.pipeline import compute_scores
from renown.scoring.snapshots import day_end
from tests.scoring.audience.worlds import star_and_niche
from tests.scoring.builders import START

SETTINGS = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
DAY = START + timedelta(days=30)
_paths = itertools.count()


def fresh(tmp_path: Path) -> Path:
    return tmp_path / f"w{next(_paths)}.duckdb"


def by_person(table: object) -> dict[str, dict[str, float]]:
    return {r["person_id"]: r for r in table.to_pylist()}  # type: ignore[attr-defined]


def members(count: int) -> AudienceSpec:
    return AudienceSpec.accounts([("twitter", f"a{i}") for i in range(count)], "members")


@SETTINGS
@given(outside=st.integers(1, 60), inside=st.integers(2, 30), posts=st.integers(1, 8))
def test_an_audience_of_everyone_scores_like_the_main_score(
        tmp_path: Path, outside: int, inside: int, posts: int) -> None:
    con = star_and_niche(outside, inside, posts=posts).store(fresh(tmp_path))
    main = by_person(compute_scores(con, day_end(DAY), DEFAULT_MODEL).people)
    within = by_person(audience_scores(con, AudienceSpec.network("twitter"), DAY))
    assert within.keys() <= main.keys()
    for person, row in within.items():
        assert row["raw"] == pytest.approx(main[person]["raw"], rel=1e-9, abs=1e-12)
        assert row["score"] == pytest.approx(main[person]["score"], abs=1e-9)


@SETTINGS
@given(outside=st.integers(0, 80), times=st.integers(1, 5))
def test_outsiders_nobody_in_the_audience_listens_to_change_nothing(
        tmp_path: Path, outside: int, times: int) -> None:
    base = by_person(audience_scores(star_and_niche(0, 8).store(fresh(tmp_path)), members(8),
                                     DAY))
    world = star_and_niche(0, 8)
    for i in range(outside):
        world.react(f"out{i}", "niche", 10 + i % 15, times=times)
        world.react(f"out{i}", "a3", 11 + i % 15)
    after = by_person(audience_scores(world.store(fresh(tmp_path)), members(8), DAY))
    for person, row in base.items():
        assert after[person]["score"] == pytest.approx(row["score"], abs=1e-9), person


@SETTINGS
@given(fans=st.integers(2, 40))
def test_one_more_audience_member_responding_raises_the_score(tmp_path: Path,
                                                              fans: int) -> None:
    audience = members(fans + 1)
    before = by_person(audience_scores(star_and_niche(0, fans).store(fresh(tmp_path)),
                                       audience, DAY))
    world = star_and_niche(0, fans)
    world.react(f"a{fans}", "niche", 20)
    after = by_person(audience_scores(world.store(fresh(tmp_path)), audience, DAY))
    assert after["twitter:niche"]["score"] > before["twitter:niche"]["score"]


def test_the_mass_star_and_the_niche_expert_swap_places(tmp_path: Path) -> None:
    con = star_and_niche(200, 12).store(fresh(tmp_path))
    overall = by_person(compute_scores(con, day_end(DAY), DEFAULT_MODEL).people)
    within = by_person(audience_scores(con, members(12), DAY))
    assert overall["twitter:star"]["score"] > overall["twitter:niche"]["score"] + 20
    assert within["twitter:niche"]["rank"] == 1
    assert within["twitter:star"]["score"] == 1.0  # nobody in the audience reacts to the star
    assert within["twitter:star"]["audience_reactors"] == 0


def test_the_explanation_adds_up_and_shows_the_audience_behind_it(tmp_path: Path) -> None:
    world = star_and_niche(30, 10)
    for i in range(30):  # outsiders also react to niche: not part of the audience's evidence
        world.react(f"out{i}", "niche", 25)
    con = world.store(fresh(tmp_path))
    result = explain_audience(con, "twitter:niche", members(10), DAY, top=50)
    explanation = result.explanation
    assert sum(c.points for c in explanation.contributions) == pytest.approx(explanation.score)
    assert {r.reactor for r in explanation.top_reactors} == {f"a{i}" for i in range(10)}
    assert max(p.reactors for p in explanation.top_posts) <= 10
    assert (result.rank, result.audience_reactors, result.members) == (1, 10, 10)


def test_an_audience_nobody_can_find_is_an_error(tmp_path: Path) -> None:
    world = star_and_niche(5, 5)
    world.post("late", 40)  # exists, but only after the day scored
    con = world.store(fresh(tmp_path))
    with pytest.raises(AudienceError, match="no account known"):
        audience_scores(con, AudienceSpec.accounts([("twitter", "nobody")]), DAY)
    with pytest.raises(AudienceError, match="none of the 1 accounts"):
        audience_scores(con, AudienceSpec.accounts([("twitter", "late")]), DAY)
