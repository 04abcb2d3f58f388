"""Keys, scopes, rate limits, the error shape, security headers and CORS on the real app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from renown.interfaces.api import Settings, create_app
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import ServedWorld

READ_ENDPOINTS = ("/v1/leaderboard", "/v1/networks", "/v1/scores/distribution", "/v1/models",
                  "/v1/keys/me")


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_reads_need_a_key(client: TestClient, path: str) -> None:
    error = error_of(client.get(path), 401, "unauthorized")
    assert "X-API-Key" in error["message"]


def test_a_key_works_as_header_or_bearer(client: TestClient, world: ServedWorld) -> None:
    token = world.tokens["read"]
    by_header = client.get("/v1/keys/me", headers={"X-API-Key": token})
    by_bearer = client.get("/v1/keys/me", headers={"Authorization": f"Bearer {token}"})
    assert by_header.status_code == by_bearer.status_code == 200
    assert by_header.json() == by_bearer.json()
    assert by_header.json()["scope"] == "read"
    assert token not in by_header.text


def test_bad_keys_are_refused_without_saying_which_part_is_wrong(client: TestClient,
                                                                 world: ServedWorld) -> None:
    token = world.tokens["read"]
    key_id, secret = token[4:16], token[17:]
    wrong_secret = f"rnk_{key_id}_{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"
    unknown_id = f"rnk_{'z' * 12}_{secret}"
    for bad in (wrong_secret, unknown_id):
        error_of(client.get("/v1/leaderboard", headers={"X-API-Key": bad}), 401, "unauthorized")
    for malformed in ("hello", token + "x", token.upper(), "rnk__"):
        error = error_of(client.get("/v1/leaderboard", headers={"X-API-Key": malformed}), 401)
        assert "malformed" in error["message"]
    error_of(client.get("/v1/leaderboard", headers={"Authorization": "Basic abc"}), 401)


def test_scopes_nest(client: TestClient, world: ServedWorld) -> None:
    for role, status in (("read", 403), ("write", 403), ("admin", 200)):
        response = client.get("/v1/keys", headers=world.headers(role))
        assert response.status_code == status, (role, response.text)
    error = error_of(client.get("/v1/keys", headers=world.headers("write")), 403, "forbidden")
    assert error["details"] == {"required_scope": "admin", "key_scope": "write"}
    error_of(client.post("/v1/models/preview", headers=world.headers("read"),
                         json={"definition": "version = 'x'"}), 403, "forbidden")
    for role in ("read", "write", "admin"):
        assert client.get("/v1/leaderboard", headers=world.headers(role)).status_code == 200


def test_a_key_over_its_rate_gets_429_with_retry_after(client: TestClient,
                                                       world: ServedWorld) -> None:
    statuses = [client.get("/v1/keys/me", headers=world.headers("slow")) for _ in range(4)]
    assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
    error = error_of(statuses[3], 429, "rate_limited")
    retry = int(statuses[3].headers["Retry-After"])
    assert 1 <= retry <= 20  # 3/min: one token every 20 s
    assert error["details"] == {"retry_after_seconds": retry}
    # Other keys are not affected.
    assert client.get("/v1/keys/me", headers=world.headers("read")).status_code == 200


def test_guessing_keys_is_rate_limited_per_address(world: ServedWorld) -> None:
    app = create_app(world.db, Settings(key_checks_per_minute=3))
    with TestClient(app) as fresh:
        guesses = [fresh.get("/v1/leaderboard",
                             headers={"X-API-Key": f"rnk_{'a' * 12}_{str(i).zfill(43)}"})
                   for i in range(5)]
    assert [g.status_code for g in guesses] == [401, 401, 401, 429, 429]
    assert int(guesses[3].headers["Retry-After"]) >= 1


def test_every_error_has_the_one_shape(client: TestClient, world: ServedWorld) -> None:
    error_of(client.get("/v1/no-such-thing"), 404, "not_found")
    error_of(client.post("/v1/leaderboard", headers=world.headers()), 405, "method_not_allowed")
    error = error_of(client.get("/v1/leaderboard?limit=500&offset=-2",
                                headers=world.headers()), 422, "invalid_parameter")
    assert {d["parameter"] for d in error["details"]} == {"limit", "offset"}
    error_of(client.post("/v1/models/preview", headers=world.headers("write"),
                         content=b"{not json", ), 422, "invalid_parameter")


def test_security_headers_and_closed_cors(client: TestClient, world: ServedWorld) -> None:
    for path in ("/v1/health", "/leaderboard", "/static/renown.css"):
        response = client.get(path, headers={"Origin": "https://elsewhere.example"})
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert "access-control-allow-origin" not in response.headers
    preflight = client.options("/v1/leaderboard", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_opens_only_to_configured_origins(world: ServedWorld) -> None:
    app = create_app(world.db, Settings(cors_origins=("https://app.example",)))
    with TestClient(app) as fresh:
        allowed = fresh.get("/v1/health", headers={"Origin": "https://app.example"})
        other = fresh.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers


def test_health_needs_no_key_and_names_the_snapshot(client: TestClient,
                                                    world: ServedWorld) -> None:
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["generation"] >= 1
    assert body["as_of"] == world.last_day.isoformat()
