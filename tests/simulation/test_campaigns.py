"""Simulated campaigns: deterministic, inside their window, and true to what was planted.

One small world (300 people, 21 days) is generated once for the module; each
test checks one promise of `renown.simulation.campaigns` that a campaign
report's tests will rely on.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.simulation import Truth, load_truth, simulate
from renown.simulation.campaigns import (
    FLOOD_SECONDS,
    VISITS_PER_INFLUENCE,
    CampaignActivity,
    campaign_candidates,
    latent_influence,
    simulate_campaign,
)

START = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    out = tmp_path_factory.mktemp("campaign-world")
    simulate(300, 21, 5, out)
    return load_truth(out)


@pytest.fixture(scope="module")
def ordinary(truth: Truth) -> list[str]:
    """A few people who play no planted role (a spread of latent influence)."""
    table = truth.influence().to_pylist()
    plain = {row["person_id"] for row in table if row["role"] is None}
    ranked = [p for p, _ in sorted(latent_influence(truth).items(), key=lambda kv: kv[1])
              if p in plain]
    return ranked[::len(ranked) // 6][:6]


@pytest.fixture(scope="module")
def invited(truth: Truth, ordinary: list[str]) -> dict[str, str]:
    kinds = campaign_candidates(truth)
    people = kinds["converters"] + kinds["fake_audience"] + ordinary
    return {p: f"code-{i:03d}" for i, p in enumerate(people)}


@pytest.fixture(scope="module")
def activity(truth: Truth, invited: dict[str, str]) -> CampaignActivity:
    return simulate_campaign(truth, invited, start=START, days=7, seed=11)


def codes_of(invited: dict[str, str], people: tuple[str, ...] | list[str]) -> set[str]:
    return {invited[p] for p in people}


def check_invariants(activity: CampaignActivity, invited: dict[str, str], start: datetime,
                     days: int, flood: int) -> None:
    """What must hold for every campaign, whatever the seed and the invitees."""
    end = start + timedelta(days=days)
    codes = set(invited.values())
    visits, conversions = activity.visits, activity.conversions
    assert [v.ts for v in visits] == sorted(v.ts for v in visits)
    assert [c.ts for c in conversions] == sorted(c.ts for c in conversions)
    assert all(v.code in codes and start <= v.ts < end and v.ts.tzinfo is not None
               for v in visits)
    assert all(c.code in codes and start <= c.ts < end and c.ts.tzinfo is not None
               for c in conversions)
    assert len({c.order_id for c in conversions}) == len(conversions)
    assert len({c.customer for c in conversions}) == len(conversions)
    first_visit: dict[str, datetime] = {}
    for v in visits:
        first_visit.setdefault(v.code, v.ts)
    assert all(c.ts > first_visit[c.code] for c in conversions)
    fake_codes = codes_of(invited, activity.fake_audience)
    assert not any(c.code in fake_codes for c in conversions)
    fake_visits = [v for v in visits if v.code in fake_codes]
    assert len(fake_visits) == (flood if activity.fake_audience else 0)
    assert len({(v.code, v.ip, v.user_agent) for v in fake_visits}) <= 1
    genuine = [(v.ip, v.user_agent) for v in visits if v.code not in fake_codes]
    assert len(set(genuine)) == len(genuine), "each genuine visit is its own visitor"
    per_code = Counter(c.code for c in conversions)
    visits_per_code = Counter(v.code for v in visits)
    assert all(n <= visits_per_code[code] for code, n in per_code.items())
    assert all(activity.expected_visits[p] == 0.0 for p in activity.fake_audience)
    assert set(activity.expected_visits) == set(invited)


# --- candidates ---------------------------------------------------------------------------

def test_candidates_are_planted_people_of_the_world(truth: Truth) -> None:
    kinds = campaign_candidates(truth)
    assert kinds == campaign_candidates(truth)
    assert set(truth.people("influencers")) <= set(kinds["converters"])
    assert set(truth.people("topic_experts")) <= set(kinds["converters"])
    assert set(kinds["fake_audience"]) == set(truth.people("pods")) | set(
        truth.people("volume_posters"))
    assert not set(kinds["converters"]) & set(kinds["fake_audience"])
    assert set(kinds["converters"]) | set(kinds["fake_audience"]) <= set(latent_influence(truth))


# --- determinism --------------------------------------------------------------------------

def test_same_seed_same_activity_other_seed_differs(truth: Truth, invited: dict[str, str],
                                                    activity: CampaignActivity) -> None:
    again = simulate_campaign(truth, invited, start=START, days=7, seed=11)
    assert again == activity
    shuffled = dict(reversed(list(invited.items())))
    assert simulate_campaign(truth, shuffled, start=START, days=7, seed=11) == activity
    other = simulate_campaign(truth, invited, start=START, days=7, seed=12)
    assert other.visits != activity.visits
    assert other.conversions != activity.conversions


def test_a_persons_visits_do_not_depend_on_who_else_is_invited(
        truth: Truth, invited: dict[str, str], activity: CampaignActivity) -> None:
    alone = {p: invited[p] for p in activity.converters[:3]}
    few = simulate_campaign(truth, alone, start=START, days=7, seed=11)
    for code in alone.values():
        assert ([v.ts for v in few.visits if v.code == code]
                == [v.ts for v in activity.visits if v.code == code])


def test_simulating_a_campaign_leaves_the_world_untouched(truth: Truth,
                                                         invited: dict[str, str]) -> None:
    def digest() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(Path(truth.directory).iterdir())}

    before = digest()
    simulate_campaign(truth, invited, start=START, seed=3)
    assert digest() == before


# --- planted truth ------------------------------------------------------------------------

def test_activity_satisfies_the_invariants(activity: CampaignActivity,
                                           invited: dict[str, str]) -> None:
    check_invariants(activity, invited, START, 7, 50)


def test_every_converter_drives_visits_and_conversions(activity: CampaignActivity,
                                                       invited: dict[str, str]) -> None:
    visits = Counter(v.code for v in activity.visits)
    conversions = Counter(c.code for c in activity.conversions)
    fake = codes_of(invited, activity.fake_audience)
    assert activity.converters and activity.fake_audience
    for person in activity.converters:
        assert visits[invited[person]] >= 1 and conversions[invited[person]] >= 1
    converter_visits = sum(visits[invited[p]] for p in activity.converters)
    assert converter_visits > sum(n for code, n in visits.items() if code in fake)
    assert min(activity.expected_visits[p] for p in activity.converters) >= 10


def test_fake_audience_only_gets_a_flood_from_one_visitor(activity: CampaignActivity,
                                                         invited: dict[str, str]) -> None:
    fake = codes_of(invited, activity.fake_audience)
    flood = [v for v in activity.visits if v.code in fake]
    assert len(flood) == 50
    assert len({v.code for v in flood}) == 1
    assert len({(v.ip, v.user_agent) for v in flood}) == 1
    assert flood[-1].ts - flood[0].ts <= timedelta(seconds=FLOOD_SECONDS)
    assert not [c for c in activity.conversions if c.code in fake]


def test_expected_visits_follow_latent_influence(truth: Truth, activity: CampaignActivity,
                                                 invited: dict[str, str],
                                                 ordinary: list[str]) -> None:
    influence = latent_influence(truth)
    for person in [*activity.converters, *ordinary]:
        assert activity.expected_visits[person] == pytest.approx(
            VISITS_PER_INFLUENCE * influence[person])
    top = max(activity.expected_visits[p] for p in truth.people("influencers"))
    assert 20 <= top <= 500
    assert sorted(activity.expected_visits[p] for p in ordinary)[len(ordinary) // 2] < 10
    # Poisson draws: the total genuine visits lies within a few standard deviations.
    genuine = [p for p in invited if p not in activity.fake_audience]
    expected = sum(activity.expected_visits[p] for p in genuine)
    drawn = sum(1 for v in activity.visits if v.code in codes_of(invited, genuine))
    assert abs(drawn - expected) <= 5 * math.sqrt(expected) + len(activity.converters)
    rate = len(activity.conversions) / drawn
    assert 0.04 <= rate <= 0.2


def test_sales_have_values_sign_ups_do_not(truth: Truth, invited: dict[str, str],
                                           activity: CampaignActivity) -> None:
    assert all(c.outcome == "sale" and c.value > 0 for c in activity.conversions)
    signups = simulate_campaign(truth, invited, start=START, days=7, seed=11,
                                outcome="signup")
    assert signups.visits == activity.visits
    assert [(c.code, c.ts) for c in signups.conversions] == [
        (c.code, c.ts) for c in activity.conversions]
    assert all(c.outcome == "signup" and c.value == 0.0 for c in signups.conversions)


def test_no_flood_means_no_fake_visits_and_naive_start_is_utc(
        truth: Truth, invited: dict[str, str]) -> None:
    quiet = simulate_campaign(truth, invited, start=START.replace(tzinfo=None), days=7,
                              seed=11, click_flood=0)
    fake = codes_of(invited, quiet.fake_audience)
    assert not [v for v in quiet.visits if v.code in fake]
    assert all(v.ts.utcoffset() == timedelta(0) for v in quiet.visits)
    paris = simulate_campaign(truth, invited, start=START.astimezone(timezone(timedelta(hours=2))),
                              days=7, seed=11, click_flood=0)
    assert paris == quiet


def test_bad_arguments_are_refused(truth: Truth, invited: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="not people"):
        simulate_campaign(truth, {"p-nobody": "x"}, start=START)
    two = dict(list(invited.items())[:2])
    with pytest.raises(ValueError, match="own non-empty code"):
        simulate_campaign(truth, dict.fromkeys(two, "same"), start=START)
    with pytest.raises(ValueError, match="days"):
        simulate_campaign(truth, two, start=START, days=0)
    with pytest.raises(ValueError, match="click_flood"):
        simulate_campaign(truth, two, start=START, click_flood=-1)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), days=st.integers(1, 10), flood=st.integers(0, 120),
       picks=st.sets(st.integers(0, 299), max_size=40), minute=st.integers(0, 59))
def test_invariants_hold_for_any_campaign(truth: Truth, seed: int, days: int, flood: int,
                                          picks: set[int], minute: int) -> None:
    people = sorted(latent_influence(truth))
    invited = {people[i]: f"k{i}" for i in picks if i < len(people)}
    start = START + timedelta(minutes=minute)
    activity = simulate_campaign(truth, invited, start=start, days=days, seed=seed,
                                 click_flood=flood)
    check_invariants(activity, invited, start, days, flood)
    assert set(activity.converters) <= set(campaign_candidates(truth)["converters"])
