"""Identity lookup, person summary, history and explanation, against the core's own answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from renown.scoring.queries import history, person_summary
from renown.store.database import open_store
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import HISTORY_DAYS, ServedWorld


def _linked(world: ServedWorld) -> tuple[str, str, str]:
    """(person id, network, account) of a declared person with an account on two networks."""
    with open_store(world.db, read_only=True) as con:
        rows = con.execute("""SELECT i.person_id, i.network, i.account FROM identities i
            JOIN person_scores p ON p.person_id = i.person_id
            WHERE p.run_id = (SELECT max(run_id) FROM score_runs)
              AND i.person_id IN (SELECT person_id FROM identities GROUP BY 1
                                  HAVING count(DISTINCT network) > 1)
            ORDER BY p.score DESC, i.network LIMIT 1""").fetchall()
    return rows[0]


def test_identity_lookup_finds_declared_and_undeclared_people(client: TestClient,
                                                              world: ServedWorld) -> None:
    person, network, account = _linked(world)
    found = client.get(f"/v1/identities/{network}/{account}", headers=world.headers()).json()
    assert found == {"network": network, "account": account, "person_id": person,
                     "display_name": None}
    top = client.get("/v1/leaderboard?limit=100", headers=world.headers()).json()["items"]
    alone = next(r["person_id"] for r in top if ":" in r["person_id"])
    net, acc = alone.split(":", 1)
    assert client.get(f"/v1/identities/{net}/{acc}",
                      headers=world.headers()).json()["person_id"] == alone
    error_of(client.get("/v1/identities/twitter/nobody-here", headers=world.headers()), 404,
             "account_not_found")
    error_of(client.get("/v1/identities/Twitter!/x", headers=world.headers()), 422,
             "invalid_parameter")


def test_summary_matches_the_core_and_its_parts_add_up(client: TestClient,
                                                       world: ServedWorld) -> None:
    person, network, account = _linked(world)
    body = client.get(f"/v1/people/{person}", headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        core = person_summary(con, person)
    assert body["person_id"] == person
    assert body["score"] == pytest.approx(core.score)
    assert body["as_of"] == world.last_day.isoformat()
    assert body["band"] == core.band
    assert {n["network"] for n in body["networks"]} == {n.network for n in core.networks}
    assert len({n["network"] for n in body["networks"]}) == 2
    parts = body["components"]
    assert sum(parts.values()) == pytest.approx(body["score"], abs=1e-6)
    assert parts["reach"] > 0 and parts["floor"] == 1.0
    # History is stored for every day, so all three deltas but the month exist.
    assert body["deltas"]["day"] == pytest.approx(core.deltas["day"])
    assert body["deltas"]["week"] is not None and body["deltas"]["month"] is None
    # network:account names the same person.
    alias = client.get(f"/v1/people/{network}:{account}", headers=world.headers()).json()
    assert alias == body


def test_summary_on_an_earlier_day_and_clear_errors(client: TestClient,
                                                    world: ServedWorld) -> None:
    person = _linked(world)[0]
    day = world.last_day - timedelta(days=3)
    earlier = client.get(f"/v1/people/{person}?as_of={day}", headers=world.headers()).json()
    assert earlier["as_of"] == day.isoformat()
    error_of(client.get("/v1/people/nobody-at-all", headers=world.headers()), 404,
             "person_not_found")
    before = world.first_day - timedelta(days=30)
    error_of(client.get(f"/v1/people/{person}?as_of={before}", headers=world.headers()), 404,
             "no_scores")
    for bad in ("2026-13-01", "2026-02-30", "20260101", "1700000000", "2026-01-01T00:00:00",
                "yesterday", ""):
        error = error_of(client.get(f"/v1/people/{person}", params={"as_of": bad},
                                    headers=world.headers()), 422, "invalid_parameter")
        assert "as_of" in error["message"], error


def test_history_pages_through_stored_days(client: TestClient, world: ServedWorld) -> None:
    person = _linked(world)[0]
    body = client.get(f"/v1/people/{person}/history", headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        core = history(con, person)
    assert body["total"] == len(core) == HISTORY_DAYS
    assert [i["as_of"] for i in body["items"]] == [d.isoformat() for d, _, _, _ in core]
    assert [i["score"] for i in body["items"]] == pytest.approx([s for _, s, _, _ in core])
    page = client.get(f"/v1/people/{person}/history?limit=3&offset=2",
                      headers=world.headers()).json()
    assert page["items"] == body["items"][2:5] and page["total"] == HISTORY_DAYS
    window = client.get(f"/v1/people/{person}/history", headers=world.headers(), params={
        "start": str(world.last_day - timedelta(days=1)), "end": str(world.last_day)}).json()
    assert window["total"] == 2
    error_of(client.get(f"/v1/people/{person}/history", headers=world.headers(), params={
        "start": str(world.last_day), "end": str(world.first_day)}), 422, "invalid_parameter")
    for params in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "ten"}):
        error_of(client.get(f"/v1/people/{person}/history", params=params,
                            headers=world.headers()), 422, "invalid_parameter")


def test_explain_adds_up_and_names_drivers(client: TestClient, world: ServedWorld) -> None:
    person = _linked(world)[0]
    body = client.get(f"/v1/people/{person}/explain", headers=world.headers()).json()
    shown = sum(c["shown_points"] for c in body["contributions"])
    assert shown == pytest.approx(round(body["score"], 1), abs=1e-6)
    assert body["top_reactors"] and body["top_posts"] and body["change"] is None
    since = world.first_day
    changed = client.get(f"/v1/people/{person}/explain?since={since}&top=3",
                         headers=world.headers()).json()
    change = changed["change"]
    assert change["since"] == since.isoformat()
    assert change["change"] == pytest.approx(changed["score"] - change["previous_score"])
    assert change["drivers"][0].startswith("score ")
    assert len(changed["top_reactors"]) <= 3
    error_of(client.get(f"/v1/people/{person}/explain?since={world.last_day}",
                        headers=world.headers()), 422, "invalid_parameter")
    error_of(client.get(f"/v1/people/{person}/explain?top=0", headers=world.headers()), 422)
    error_of(client.get(f"/v1/people/{person}/explain?top=51", headers=world.headers()), 422)
