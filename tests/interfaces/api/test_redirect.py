"""``GET /r/{code}``: tracked links count a visitor once, redirect, store no address or agent,
publish lazily and keep redirecting while another process holds the store (issue 16)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renown.store.database import open_store, scalar
from renown.store.serving import read_pointer
from tests.interfaces.api.conftest import another_writer
from tests.interfaces.served_world import ServedWorld
from tests.interfaces.store_traces import traces

LANDING = "https://acme.example/links"
SECRET_IP, SECRET_AGENT = "203.0.113.77", "PrivacyProbe/9.9 (+unmistakable-agent)"


@pytest.fixture(scope="module")
def codes(client: TestClient, world: ServedWorld) -> dict[str, str]:
    """Four invitees of an open campaign: person id -> tracked-link code."""
    body = {"campaign_id": "links", "name": "Links", "brand": "Acme", "goal": "clicks",
            "landing_url": LANDING, "starts": str(world.first_day),
            "ends": str(world.last_day + timedelta(days=3650))}
    made = client.post("/v1/campaigns", json=body, headers=world.headers("write"))
    assert made.status_code == 201, made.text
    invited = client.post("/v1/campaigns/links/invites", json={"limit": 4},
                          headers=world.headers("write"))
    assert invited.status_code == 201, invited.text
    found = {i["person_id"]: i["code"] for i in invited.json()["items"]}
    assert len(found) == 4
    return found


def _visitor(client: TestClient, ip: str, agent: str = "Browser/1.0") -> TestClient:
    """Another client of the same app, connecting from ``ip``."""
    return TestClient(client.app, client=(ip, 40000), headers={"User-Agent": agent},
                      follow_redirects=False)


def _clicks(world: ServedWorld, code: str) -> int:
    with open_store(world.db) as con:
        return int(scalar(con, "SELECT count(*) FROM campaign_outcomes WHERE code = ? AND "
                               "outcome = 'click'", [code]))


def _report(client: TestClient, world: ServedWorld) -> dict[str, Any]:
    response = client.get("/v1/campaigns/links/report?resamples=0", headers=world.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _clicks_reported(report: dict[str, Any], code: str) -> int:
    [person] = [p for p in report["people"] if p["code"] == code]
    return int(person["clicks"])


def test_a_link_redirects_to_the_landing_page_without_a_key(
        client: TestClient, codes: dict[str, str]) -> None:
    code = next(iter(codes.values()))
    response = client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302, response.text
    assert response.headers["location"] == LANDING
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    head = client.head(f"/r/{code}", follow_redirects=False)
    assert (head.status_code, head.headers["location"]) == (302, LANDING)


@pytest.mark.parametrize("code", ["unknowncode1", "x", "a" * 65, "bad.code!"])
def test_an_unknown_or_malformed_code_is_404(client: TestClient, world: ServedWorld,
                                             code: str) -> None:
    response = client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers


def test_one_visitor_counts_once_and_another_counts_again(
        client: TestClient, world: ServedWorld, codes: dict[str, str]) -> None:
    code = list(codes.values())[1]
    first = _visitor(client, "198.51.100.10")
    answers = {first.get(f"/r/{code}").status_code for _ in range(50)}
    assert answers == {302}
    assert _clicks(world, code) == 1
    assert _visitor(client, "198.51.100.11").get(f"/r/{code}").status_code == 302
    assert _clicks(world, code) == 2
    # the same address with another browser is another visitor; HEAD counts nothing
    assert _visitor(client, "198.51.100.11", "Other/2.0").get(f"/r/{code}").status_code == 302
    assert _visitor(client, "198.51.100.12").head(f"/r/{code}").status_code == 302
    assert _clicks(world, code) == 3


def test_the_report_counts_clicks_without_a_publish_per_click(
        client: TestClient, world: ServedWorld, codes: dict[str, str]) -> None:
    code = list(codes.values())[2]
    before = _clicks_reported(_report(client, world), code)
    generation = read_pointer(world.db)
    assert generation is not None
    for n in range(20):
        assert _visitor(client, f"198.51.100.{100 + n}").get(f"/r/{code}").status_code == 302
    after = read_pointer(world.db)
    assert after is not None and after.generation - generation.generation < 10
    report = _report(client, world)
    assert _clicks_reported(report, code) == before + 20
    assert report["pending_clicks"] == 0


def test_no_address_or_user_agent_is_stored_anywhere(
        client: TestClient, world: ServedWorld, codes: dict[str, str]) -> None:
    code = list(codes.values())[3]
    visitor = _visitor(client, SECRET_IP, SECRET_AGENT)
    for _ in range(3):
        assert visitor.get(f"/r/{code}").status_code == 302
    assert _clicks_reported(_report(client, world), code) == 1  # stored and published
    needles = (SECRET_IP, SECRET_AGENT, "unmistakable-agent")
    assert traces(world.db, needles) == []
    assert "campaign_outcomes.visitor: ~v:" in traces(world.db, ("~v:",))  # the scan sees
    pointer = read_pointer(world.db)
    assert pointer is not None
    assert traces(pointer.path, needles, read_only=True) == []
    assert SECRET_AGENT.encode() not in world.db.read_bytes()


def test_a_visitor_is_redirected_while_another_process_writes_and_the_click_counts_later(
        client: TestClient, world: ServedWorld, codes: dict[str, str]) -> None:
    code = next(iter(codes.values()))
    before = _clicks_reported(_report(client, world), code)
    with another_writer(world.db):
        clock = time.monotonic()
        response = _visitor(client, "192.0.2.50").get(f"/r/{code}")
        assert (response.status_code, response.headers["location"]) == (302, LANDING)
        assert time.monotonic() - clock < 5  # the visitor does not wait for the store
        waiting = _report(client, world)  # the store is busy: it reports what is published
        assert _clicks_reported(waiting, code) == before
        assert waiting["pending_clicks"] == 1
    report = _report(client, world)  # the next write stores the queued click
    assert _clicks_reported(report, code) == before + 1
    assert report["pending_clicks"] == 0


def test_a_closed_campaign_still_redirects_but_counts_nothing(
        client: TestClient, world: ServedWorld, codes: dict[str, str]) -> None:
    person = next(iter(codes))
    body = {"campaign_id": "closed-links", "name": "Closed", "brand": "Acme",
            "goal": "clicks", "landing_url": "https://acme.example/closed",
            "starts": str(world.first_day), "ends": str(world.last_day + timedelta(days=30))}
    write = world.headers("write")
    assert client.post("/v1/campaigns", json=body, headers=write).status_code == 201
    invited = client.post("/v1/campaigns/closed-links/invites", json={"people": [person]},
                          headers=write)
    assert invited.status_code == 201, invited.text
    code = invited.json()["items"][0]["code"]
    assert client.post("/v1/campaigns/closed-links/close", headers=write).status_code == 200
    response = _visitor(client, "192.0.2.60").get(f"/r/{code}")
    assert (response.status_code, response.headers["location"]) == (
        302, "https://acme.example/closed")
    assert _clicks(world, code) == 0
