"""``/v1/campaigns``: create, invite, answer, post, the conversion webhook, report, close
(issue 16), over the real app and a real store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renown.store.database import open_store, scalar
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import ServedWorld

#: A conversion time within every test campaign (they start on the world's first day).
WEBHOOK_TIME = "{last_day}T10:00:00Z"


def _body(world: ServedWorld, campaign_id: str, **changes: Any) -> dict[str, Any]:
    return {"campaign_id": campaign_id, "name": "Spring launch", "brand": "Acme",
            "goal": "sales", "landing_url": f"https://acme.example/{campaign_id}",
            "starts": str(world.first_day), "ends": str(world.last_day + timedelta(days=3650)),
            "target": {"networks": [], "min_score": 1, "max_score": 100}, "budget": 500,
            "currency": "EUR", "offer": "a jacket", **changes}


def _create(client: TestClient, world: ServedWorld, campaign_id: str,
            **changes: Any) -> dict[str, Any]:
    made = client.post("/v1/campaigns", json=_body(world, campaign_id, **changes),
                       headers=world.headers("write"))
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def _invite(client: TestClient, world: ServedWorld, campaign_id: str,
            **body: Any) -> list[dict[str, Any]]:
    made = client.post(f"/v1/campaigns/{campaign_id}/invites", json=body,
                       headers=world.headers("write"))
    assert made.status_code == 201, made.text
    items: list[dict[str, Any]] = made.json()["items"]
    return items


def _accepted(client: TestClient, world: ServedWorld, campaign_id: str) -> dict[str, Any]:
    """A campaign with one accepted invitee; that invite."""
    _create(client, world, campaign_id)
    [invite] = _invite(client, world, campaign_id, limit=1)
    answer = client.post(f"/v1/campaigns/{campaign_id}/responses", headers=world.headers(
        "write"), json={"person": invite["person_id"], "accepted": True})
    assert answer.status_code == 200, answer.text
    return invite


def _convert(client: TestClient, world: ServedWorld, campaign_id: str, payload: dict[str, Any],
             key: str | None) -> Any:
    payload = {k: v.format(last_day=world.last_day) if isinstance(v, str) else v
               for k, v in payload.items()}
    headers = world.headers("write") | ({} if key is None else {"Idempotency-Key": key})
    return client.post(f"/v1/campaigns/{campaign_id}/conversions", json=payload,
                       headers=headers)


def _one(world: ServedWorld, sql: str, params: list[Any]) -> Any:
    with open_store(world.db) as con:
        return scalar(con, sql, params)


def test_a_campaign_is_created_listed_and_shown(client: TestClient,
                                                world: ServedWorld) -> None:
    made = _create(client, world, "spring")
    assert made["campaign_id"] == "spring" and made["outcome"] == "sale"
    assert made["is_open"] and made["starts"] == str(world.first_day)
    assert made["target"]["networks"] == [] and made["budget"] == 500
    error_of(client.post("/v1/campaigns", json=_body(world, "spring"),
                         headers=world.headers("write")), 409, "campaign_exists")
    listed = client.get("/v1/campaigns", headers=world.headers())
    assert listed.status_code == 200
    [item] = [c for c in listed.json()["items"] if c["campaign_id"] == "spring"]
    assert (item["invited"], item["accepted"]) == (0, 0)
    shown = client.get("/v1/campaigns/spring", headers=world.headers())
    assert shown.status_code == 200, shown.text
    assert shown.json()["campaign"]["name"] == "Spring launch" and shown.json()["invites"] == []
    error_of(client.get("/v1/campaigns/no-such", headers=world.headers()), 404,
             "campaign_not_found")


@pytest.mark.parametrize(("changes", "code", "words"), [
    ({"goal": "fame"}, "campaign_refused", "goal 'fame'"),
    ({"landing_url": "javascript:alert(1)"}, "campaign_refused", "http(s) URL"),
    ({"ends": "2000-01-01"}, "campaign_refused", "before it starts"),
    ({"campaign_id": "Bad_Id"}, "campaign_refused", "lower-case"),
    ({"target": {"min_score": 90, "max_score": 10}}, "campaign_refused", "score band"),
    ({"target": {"audience": "/etc/passwd"}}, "invalid_parameter", "target.audience"),
    ({"starts": "20260301"}, "invalid_parameter", "starts"),
    ({"budget": -1}, "invalid_parameter", "budget"),
    ({"colour": "red"}, "invalid_parameter", "colour"),
])
def test_an_invalid_campaign_is_422_with_the_reason(client: TestClient, world: ServedWorld,
                                                     changes: dict[str, Any], code: str,
                                                     words: str) -> None:
    body = _body(world, "invalid-one") | changes
    error = error_of(client.post("/v1/campaigns", json=body, headers=world.headers("write")),
                     422, code)
    assert words in error["message"]
    error_of(client.get("/v1/campaigns/invalid-one", headers=world.headers()), 404)


WRITES = [("/v1/campaigns", {}), ("/v1/campaigns/spring/invites", {"limit": 1}),
          ("/v1/campaigns/spring/responses", {"person": "x", "accepted": True}),
          ("/v1/campaigns/spring/posts", {"person": "x", "post_id": "1"}),
          ("/v1/campaigns/spring/conversions", {"code": "x"}),
          ("/v1/campaigns/spring/close", None)]


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_writes_need_the_write_scope(client: TestClient, world: ServedWorld, path: str,
                                     body: dict[str, Any] | None) -> None:
    error_of(client.post(path, json=body, headers=world.headers("read")), 403, "forbidden")
    error_of(client.post(path, json=body), 401, "unauthorized")


@pytest.mark.parametrize("path", ["/v1/campaigns", "/v1/campaigns/spring",
                                  "/v1/campaigns/spring/report"])
def test_reads_need_a_key(client: TestClient, path: str) -> None:
    error_of(client.get(path), 401, "unauthorized")


def test_invites_propose_with_reasons_and_a_dry_run_stores_nothing(
        client: TestClient, world: ServedWorld) -> None:
    _create(client, world, "invites")
    dry = client.post("/v1/campaigns/invites/invites", json={"limit": 3, "dry_run": True},
                      headers=world.headers("write"))
    assert dry.status_code == 200, dry.text
    proposed = dry.json()
    assert proposed["dry_run"] and proposed["new"] == 3 and len(proposed["items"]) == 3
    assert all(i["reasons"] and i["code"] is None for i in proposed["items"])
    assert client.get("/v1/campaigns/invites", headers=world.headers()).json()["invites"] == []
    invited = _invite(client, world, "invites", limit=3)
    assert {i["person_id"] for i in invited} == {i["person_id"] for i in proposed["items"]}
    assert all(i["new"] and i["link"] == f"/r/{i['code']}" for i in invited)
    shown = client.get("/v1/campaigns/invites", headers=world.headers()).json()["invites"]
    assert {i["code"] for i in shown} == {i["code"] for i in invited}
    assert all(i["status"] == "invited" and i["score"] is not None for i in shown)
    # named people, by network:account; someone invited before keeps their code
    first = invited[0]
    again = _invite(client, world, "invites",
                    people=[f"{first['network']}:{first['account']}"])
    assert [(i["code"], i["new"]) for i in again] == [(first["code"], False)]
    error_of(client.post("/v1/campaigns/invites/invites", json={"people": ["nobody:at-all"]},
                         headers=world.headers("write")), 404, "person_not_found")
    error_of(client.post("/v1/campaigns/nope/invites", json={},
                         headers=world.headers("write")), 404, "campaign_not_found")


def test_answers_and_posts_are_recorded(client: TestClient, world: ServedWorld) -> None:
    _create(client, world, "answers")
    invite, other = _invite(client, world, "answers", limit=2)
    write = world.headers("write")
    post = {"person": invite["person_id"], "post_id": "post-1"}
    error_of(client.post("/v1/campaigns/answers/posts", json=post, headers=write), 422,
             "campaign_refused")  # not accepted yet
    answer = client.post("/v1/campaigns/answers/responses", headers=write, json={
        "person": invite["person_id"], "accepted": True, "cost": 120.5})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["cost"]) == ("accepted", 120.5)
    declined = client.post("/v1/campaigns/answers/responses", headers=write, json={
        "person": other["person_id"], "accepted": False})
    assert declined.json()["status"] == "declined"
    for _ in range(2):  # recording it twice changes nothing
        posted = client.post("/v1/campaigns/answers/posts", json=post, headers=write)
        assert posted.status_code == 201, posted.text
        assert posted.json()["posts"] == ["post-1"]
    error_of(client.post("/v1/campaigns/answers/responses", headers=write, json={
        "person": invite["person_id"], "accepted": True, "cost": -3}), 422)
    uninvited = client.post("/v1/campaigns/answers/responses", headers=write, json={
        "person": _stranger(client, world, "answers"), "accepted": True})
    error_of(uninvited, 404, "invite_not_found")


def _stranger(client: TestClient, world: ServedWorld, campaign_id: str) -> str:
    """A scored person not invited to the campaign."""
    invited = {i["person_id"] for i in client.get(f"/v1/campaigns/{campaign_id}",
                                                 headers=world.headers()).json()["invites"]}
    board = client.get("/v1/leaderboard?limit=20", headers=world.headers()).json()["items"]
    return str(next(p["person_id"] for p in board if p["person_id"] not in invited))


def test_the_webhook_needs_an_idempotency_key(client: TestClient, world: ServedWorld) -> None:
    invite = _accepted(client, world, "hook-keys")
    payload = {"code": invite["code"], "ts": WEBHOOK_TIME}
    error_of(_convert(client, world, "hook-keys", payload, None), 400,
             "missing_idempotency_key")
    error_of(_convert(client, world, "hook-keys", payload, "  "), 400,
             "missing_idempotency_key")
    error_of(_convert(client, world, "hook-keys", payload, "k" * 201), 400,
             "invalid_idempotency_key")
    assert _one(world, "SELECT count(*) FROM campaign_outcomes WHERE campaign_id = ?",
                ["hook-keys"]) == 0


def test_a_replayed_conversion_is_stored_once(client: TestClient, world: ServedWorld) -> None:
    invite = _accepted(client, world, "hook")
    payload = {"code": invite["code"], "ts": WEBHOOK_TIME, "value": "49.90",
               "customer_email": "buyer@example.com"}
    first = _convert(client, world, "hook", payload, "order-7f3a")
    assert first.status_code == 201, first.text
    assert first.json() | {"ts": None} == {
        "campaign_id": "hook", "code": invite["code"], "order_id": "order-7f3a",
        "outcome": "sale", "value": 49.9, "ts": None, "duplicate": False}
    for _ in range(3):
        replay = _convert(client, world, "hook", payload, "order-7f3a")
        assert replay.status_code == 200, replay.text
        assert replay.json()["duplicate"] is True
    assert _one(world, "SELECT count(*) FROM campaign_outcomes WHERE campaign_id = ?",
                ["hook"]) == 1
    assert _one(world, "SELECT count(*) FROM events WHERE kind = 'outcome' AND event_id LIKE "
                       "'outcome-hook-%'", []) == 1
    # an order id in the body identifies the order, whatever the key
    with_order = payload | {"order_id": "A-1"}
    assert _convert(client, world, "hook", with_order, "key-1").status_code == 201
    assert _convert(client, world, "hook", with_order, "key-2").json()["duplicate"] is True
    assert _one(world, "SELECT count(*) FROM campaign_outcomes WHERE campaign_id = ?",
                ["hook"]) == 2
    assert _one(world, "SELECT count(*) FROM events WHERE contains(CAST(tags AS VARCHAR), ?) "
                       "OR contains(actor, ?)", ["buyer@", "buyer@"]) == 0


@pytest.mark.parametrize(("campaign_id", "payload", "reason"), [
    ("unknown-code", {"code": "NoSuchCode12", "ts": WEBHOOK_TIME},
     "unknown tracked-link code 'NoSuchCode12'"),
    ("too-early", {"code": "{code}", "ts": "2001-01-01"}, "before the campaign started"),
    ("no-time", {"code": "{code}"}, "no time"),
    ("negative", {"code": "{code}", "ts": WEBHOOK_TIME, "value": -5}, "non-negative"),
])
def test_a_refused_conversion_is_422_and_quarantined_with_its_reason(
        client: TestClient, world: ServedWorld, campaign_id: str, payload: dict[str, Any],
        reason: str) -> None:
    invite = _accepted(client, world, campaign_id)
    sent = {k: v.replace("{code}", invite["code"]) if k == "code" else v
            for k, v in payload.items()} | {"email": "buyer@example.com"}
    error = error_of(_convert(client, world, campaign_id, sent, "refused-1"), 422,
                     "conversion_refused")
    assert reason in error["details"]["reason"] and error["details"]["quarantined"] is True
    with open_store(world.db) as con:
        rows = con.execute("""
            SELECT q.reason, q.raw FROM quarantine q JOIN ingestions i USING (ingestion_id)
            WHERE i.path = ?""", [f"webhook /v1/campaigns/{campaign_id}/conversions"]
                           ).fetchall()
        assert scalar(con, "SELECT count(*) FROM campaign_outcomes WHERE campaign_id = ?",
                      [campaign_id]) == 0
    [(stored_reason, raw)] = rows
    assert reason in stored_reason
    assert "buyer@example.com" not in raw and "[removed]" in raw


def test_a_code_of_another_campaign_is_refused(client: TestClient, world: ServedWorld) -> None:
    mine, theirs = _accepted(client, world, "mine"), _accepted(client, world, "theirs")
    assert mine["code"] != theirs["code"]
    error = error_of(_convert(client, world, "mine", {"code": theirs["code"],
                                                      "ts": WEBHOOK_TIME}, "x-1"), 422)
    assert "belongs to campaign 'theirs'" in error["message"]


def test_the_report_and_closing(client: TestClient, world: ServedWorld) -> None:
    invite = _accepted(client, world, "reported")
    assert _convert(client, world, "reported", {"code": invite["code"], "ts": WEBHOOK_TIME,
                                                "value": 30}, "r-1").status_code == 201
    response = client.get("/v1/campaigns/reported/report?resamples=50",
                          headers=world.headers())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["campaign"]["campaign_id"] == "reported"
    assert date.fromisoformat(report["campaign"]["starts"]) == world.first_day
    assert isinstance(report["as_of"], str) and "prediction" in report
    assert report["prediction"]["sentence"].startswith("Pre-campaign score vs sales")
    [person] = report["people"]
    assert (person["person_id"], person["conversions"], person["value"]) == (
        invite["person_id"], 1, 30.0)
    assert report["totals"]["conversions"] == 1 and report["pending_clicks"] == 0
    error_of(client.get("/v1/campaigns/nope/report", headers=world.headers()), 404)
    closed = client.post("/v1/campaigns/reported/close", headers=world.headers("write"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["is_open"] is False and closed.json()["closed_at"]
    write = world.headers("write")
    error_of(client.post("/v1/campaigns/reported/close", headers=write), 409, "campaign_closed")
    error_of(_convert(client, world, "reported", {"code": invite["code"], "ts": WEBHOOK_TIME},
                      "r-2"), 409, "campaign_closed")
    error_of(client.post("/v1/campaigns/reported/invites", json={}, headers=write), 409,
             "campaign_closed")
    assert _one(world, "SELECT count(*) FROM campaign_outcomes WHERE campaign_id = ?",
                ["reported"]) == 1
