"""Campaign tables: campaigns, invites with tracked-link codes, answers, posts, closing."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from renown.sources.conversions import ConversionRecord
from renown.store.campaigns import (
    Campaign,
    CampaignError,
    CampaignTarget,
    InviteCandidate,
    close_campaign,
    create_campaign,
    get_campaign,
    invite_by_code,
    invite_of,
    invite_people,
    invites,
    list_campaigns,
    open_campaign,
    record_post,
    respond,
)
from renown.store.database import connect, scalar
from renown.store.outcomes import record_click, record_conversions

STARTS, ENDS = date(2026, 3, 1), date(2026, 3, 31)
CODE = re.compile(r"[A-Za-z0-9_-]{12,}")


def _campaign(con: duckdb.DuckDBPyConnection, campaign_id: str = "spring", **changes: Any
              ) -> Campaign:
    fields: dict[str, Any] = {"name": "Spring sale", "brand": "Acme", "goal": "sales",
                              "landing_url": "https://acme.example/spring", "starts": STARTS,
                              "ends": ENDS, **changes}
    return create_campaign(con, campaign_id=campaign_id, **fields)


def _people(*names: str) -> list[InviteCandidate]:
    return [InviteCandidate(name, "twitter", f"{name}_tw", (f"score {40 + i}",), 40.0 + i,
                            date(2026, 2, 28), "renown-2026.12.2")
            for i, name in enumerate(names)]


@pytest.fixture
def spring(con: duckdb.DuckDBPyConnection) -> Campaign:
    return _campaign(con, budget=300.0, currency="EUR", offer="a free kettle",
                     target=CampaignTarget(topic="tea", networks=("twitter",), min_score=10.0))


# --- Campaigns -----------------------------------------------------------------------------


def test_create_get_and_list(con: duckdb.DuckDBPyConnection, spring: Campaign) -> None:
    assert spring.is_open and spring.closed_at is None
    assert spring.outcome == "sale"
    assert get_campaign(con, "spring") == spring
    other = _campaign(con, "autumn", goal="clicks", name="  Autumn  ", brand=" Acme ")
    assert (other.name, other.brand, other.outcome) == ("Autumn", "Acme", "click")
    assert [c.campaign_id for c in list_campaigns(con)] == ["spring", "autumn"]
    stored = get_campaign(con, "spring")
    assert stored.target == CampaignTarget(topic="tea", networks=("twitter",), min_score=10.0)
    assert (stored.budget, stored.currency, stored.offer) == (300.0, "EUR", "a free kettle")
    assert (stored.starts, stored.ends) == (STARTS, ENDS)


def test_an_empty_store_lists_no_campaigns(con: duckdb.DuckDBPyConnection) -> None:
    assert list_campaigns(con) == []


def test_custom_goals_count_their_own_outcome(con: duckdb.DuckDBPyConnection) -> None:
    assert _campaign(con, goal="custom:demo-booked").outcome == "demo-booked"
    assert _campaign(con, "b", goal="signups").outcome == "signup"
    assert _campaign(con, "c", goal="installs").outcome == "install"


def test_a_target_round_trips_through_json() -> None:
    target = CampaignTarget(topic="t", audience="network:twitter", networks=("a", "b"),
                            min_score=2.0, max_score=50.0, min_quality=0.4)
    assert CampaignTarget.from_json(target.to_json()) == target


@pytest.mark.parametrize(("changes", "message"), [
    ({"campaign_id": "Bad Id!"}, "id 'Bad Id!' must be lower-case"),
    ({"campaign_id": "x" * 49}, "at most 48 characters"),
    ({"campaign_id": "-dash"}, "must be lower-case"),
    ({"goal": "fame"}, "goal 'fame' must be one of clicks, signups, sales, installs"),
    ({"goal": "custom:"}, "custom:NAME"),
    ({"goal": "custom:Bad Name"}, "custom:NAME"),
    ({"name": "  "}, "needs a name and a brand"),
    ({"brand": ""}, "needs a name and a brand"),
    ({"landing_url": "ftp://acme.example"}, "must be an http(s) URL"),
    ({"landing_url": "https://acme.example/a b"}, "must be an http(s) URL"),
    ({"landing_url": "acme.example"}, "must be an http(s) URL"),
    ({"ends": date(2026, 2, 1)}, "ends (2026-02-01) before it starts (2026-03-01)"),
    ({"budget": -1.0}, "budget -1.0 must be a non-negative number"),
    ({"budget": float("nan")}, "must be a non-negative number"),
    ({"target": CampaignTarget(min_score=0.5)}, "score band [0.5, 100.0] must lie within"),
    ({"target": CampaignTarget(min_score=60.0, max_score=50.0)}, "score band"),
    ({"target": CampaignTarget(max_score=101.0)}, "score band"),
    ({"target": CampaignTarget(min_quality=1.5)}, "minimum audience quality 1.5"),
])
def test_malformed_campaigns_are_refused_with_the_reason(
        con: duckdb.DuckDBPyConnection, changes: dict[str, Any], message: str) -> None:
    campaign_id = changes.pop("campaign_id", "spring")
    with pytest.raises(CampaignError) as caught:
        _campaign(con, campaign_id, **changes)
    assert message in str(caught.value)
    assert list_campaigns(con) == []


def test_every_problem_is_named_at_once(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(CampaignError) as caught:
        _campaign(con, "BAD", goal="fame", budget=-5.0)
    text = str(caught.value)
    assert "id 'BAD'" in text and "goal 'fame'" in text and "budget -5.0" in text


def test_a_zero_budget_and_a_one_day_campaign_are_fine(con: duckdb.DuckDBPyConnection) -> None:
    campaign = _campaign(con, budget=0.0, starts=STARTS, ends=STARTS)
    assert campaign.budget == 0.0 and campaign.starts == campaign.ends


def test_a_taken_id_is_refused(con: duckdb.DuckDBPyConnection, spring: Campaign) -> None:
    with pytest.raises(CampaignError, match="campaign 'spring' exists already"):
        _campaign(con, "spring", brand="Other")
    assert get_campaign(con, "spring").brand == "Acme"


def test_an_unknown_campaign_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    for action in (lambda: get_campaign(con, "nope"), lambda: close_campaign(con, "nope"),
                   lambda: invite_people(con, "nope", _people("ann")),
                   lambda: respond(con, "nope", "ann", accepted=True),
                   lambda: record_post(con, "nope", "ann", "p1")):
        with pytest.raises(CampaignError, match="no campaign 'nope'"):
            action()


def test_close(con: duckdb.DuckDBPyConnection, spring: Campaign) -> None:
    closed = close_campaign(con, "spring")
    assert not closed.is_open and closed.closed_at is not None
    assert get_campaign(con, "spring") == closed
    with pytest.raises(CampaignError, match="campaign 'spring' was closed on"):
        close_campaign(con, "spring")
    with pytest.raises(CampaignError, match="was closed"):
        open_campaign(con, "spring")


# --- Invites -------------------------------------------------------------------------------


def test_invites_record_who_why_and_a_code(con: duckdb.DuckDBPyConnection,
                                           spring: Campaign) -> None:
    made = invite_people(con, "spring", _people("ann", "bob"))
    assert [(i.person_id, i.network, i.account, i.status) for i in made] == [
        ("ann", "twitter", "ann_tw", "invited"), ("bob", "twitter", "bob_tw", "invited")]
    ann = made[0]
    assert ann.reasons == ("score 40",) and ann.score == 40.0
    assert (ann.score_day, ann.model_version) == (date(2026, 2, 28), "renown-2026.12.2")
    assert ann.responded_at is None and ann.cost is None and ann.posts == ()
    assert isinstance(ann.invited_at, datetime)
    assert invites(con, "spring") == made
    assert invite_of(con, "spring", "bob") == made[1]
    assert invite_by_code(con, ann.code) == ann
    assert invite_by_code(con, "no-such-code") is None


def test_inviting_twice_keeps_the_first_code(con: duckdb.DuckDBPyConnection,
                                             spring: Campaign) -> None:
    [first] = invite_people(con, "spring", _people("ann"))
    again = invite_people(con, "spring", [
        InviteCandidate("ann", "bluesky", "ann.bsky", ("other reason",), 99.0), *_people("bob")])
    assert [i.person_id for i in again] == ["ann", "bob"]
    assert again[0] == first  # same code, same account, same reasons
    assert scalar(con, "SELECT count(*) FROM campaign_invites") == 2


def test_codes_are_unguessable_url_safe_and_unique(con: duckdb.DuckDBPyConnection) -> None:
    names = [f"p{i}" for i in range(40)]
    codes = []
    for n in range(3):
        _campaign(con, f"c{n}")
        codes += [i.code for i in invite_people(con, f"c{n}", _people(*names))]
    assert all(CODE.fullmatch(code) for code in codes), codes
    assert len(set(codes)) == len(codes) == 120


def test_someone_not_invited_cannot_answer(con: duckdb.DuckDBPyConnection,
                                           spring: Campaign) -> None:
    with pytest.raises(CampaignError, match="zed was not invited to campaign 'spring'"):
        respond(con, "spring", "zed", accepted=True)
    with pytest.raises(CampaignError, match="not invited"):
        invite_of(con, "spring", "zed")


# --- Answers and posts ---------------------------------------------------------------------


def test_accept_with_a_cost_and_decline(con: duckdb.DuckDBPyConnection,
                                        spring: Campaign) -> None:
    invite_people(con, "spring", _people("ann", "bob"))
    ann = respond(con, "spring", "ann", accepted=True, cost=50.0)
    bob = respond(con, "spring", "bob", accepted=False)
    assert (ann.status, ann.cost) == ("accepted", 50.0) and ann.responded_at is not None
    assert (bob.status, bob.cost) == ("declined", None) and bob.responded_at is not None
    assert ann.code == invite_people(con, "spring", _people("ann"))[0].code


@pytest.mark.parametrize("cost", [-0.01, float("nan")])
def test_a_negative_cost_is_refused(con: duckdb.DuckDBPyConnection, spring: Campaign,
                                    cost: float) -> None:
    invite_people(con, "spring", _people("ann"))
    with pytest.raises(CampaignError, match="must be a non-negative number"):
        respond(con, "spring", "ann", accepted=True, cost=cost)
    assert invite_of(con, "spring", "ann").status == "invited"


def test_a_post_needs_acceptance(con: duckdb.DuckDBPyConnection, spring: Campaign) -> None:
    invite_people(con, "spring", _people("ann", "bob"))
    with pytest.raises(CampaignError, match="ann has not accepted campaign 'spring'"):
        record_post(con, "spring", "ann", "p1")
    respond(con, "spring", "bob", accepted=False)
    with pytest.raises(CampaignError, match="has not accepted"):
        record_post(con, "spring", "bob", "p1")
    assert scalar(con, "SELECT count(*) FROM campaign_posts") == 0


def test_posts_are_recorded_once_each(con: duckdb.DuckDBPyConnection, spring: Campaign) -> None:
    invite_people(con, "spring", _people("ann"))
    respond(con, "spring", "ann", accepted=True)
    record_post(con, "spring", "ann", "p1")
    record_post(con, "spring", "ann", " p2 ")
    after = record_post(con, "spring", "ann", "p1")
    assert sorted(after.posts) == ["p1", "p2"]
    assert con.execute("SELECT network FROM campaign_posts WHERE post_id = 'p2'").fetchall() == [
        ("twitter",)]  # the invite's network unless named
    record_post(con, "spring", "ann", "at://x/1", network="bluesky")
    assert scalar(con, "SELECT network FROM campaign_posts WHERE post_id = 'at://x/1'") == (
        "bluesky")
    with pytest.raises(CampaignError, match="a post id"):
        record_post(con, "spring", "ann", "   ")


def test_a_closed_campaign_takes_nothing_more(con: duckdb.DuckDBPyConnection,
                                              spring: Campaign) -> None:
    [ann] = invite_people(con, "spring", _people("ann"))
    respond(con, "spring", "ann", accepted=True)
    close_campaign(con, "spring")
    record = ConversionRecord(1, ann.code, "o1", datetime(2026, 3, 5), 10.0)
    for action in (lambda: invite_people(con, "spring", _people("bob")),
                   lambda: respond(con, "spring", "ann", accepted=False),
                   lambda: record_post(con, "spring", "ann", "p1"),
                   lambda: record_conversions(con, "spring", [record], label="orders.csv")):
        with pytest.raises(CampaignError, match="campaign 'spring' was closed"):
            action()
    click = record_click(con, ann.code, ip="192.0.2.1", user_agent="UA",
                         ts=datetime(2026, 3, 5))
    assert click is not None and not click.counted
    assert invite_of(con, "spring", "ann").status == "accepted"
    for table in ("campaign_posts", "campaign_outcomes", "events"):
        assert scalar(con, f"SELECT count(*) FROM {table}") == 0, table
    assert [i.person_id for i in invites(con, "spring")] == ["ann"]


# --- Migration -----------------------------------------------------------------------------


def test_a_fresh_store_has_the_campaign_tables(tmp_path: Path) -> None:
    con = connect(tmp_path / "fresh.duckdb")
    try:
        tables = {str(t) for t, in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name LIKE 'campaign%'").fetchall()}
        assert tables == {"campaigns", "campaign_invites", "campaign_posts",
                          "campaign_outcomes"}
        assert scalar(con, "SELECT max(version) FROM schema_version") >= 7
    finally:
        con.close()


def test_reopening_a_store_keeps_its_campaigns(tmp_path: Path) -> None:
    path = tmp_path / "kept.duckdb"
    con = connect(path)
    _campaign(con)
    [ann] = invite_people(con, "spring", _people("ann"))
    con.close()
    con = connect(path)
    try:
        assert get_campaign(con, "spring").name == "Spring sale"
        assert invite_by_code(con, ann.code) == ann
    finally:
        con.close()
