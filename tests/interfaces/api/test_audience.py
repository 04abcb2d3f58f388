"""Influencers and influencees, audience quality, discovery and scores within an audience over
HTTP, against the core's own answers; keys, bad parameters, and the heavy-work gate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.interfaces.api import Settings, create_app
from renown.scoring.audience.influence import influence
from renown.scoring.audience.quality import person_quality
from renown.scoring.audience.spec import AudienceSpec
from renown.scoring.audience.targeted import audience_scores
from renown.scoring.discover import DiscoveryQuery, discover
from renown.scoring.run import score_day
from renown.store.api_keys import create_key
from renown.store.database import open_store
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import ServedWorld
from tests.scoring.builders import START, World

TOPIC = "music"
NEW_ENDPOINTS = [("GET", "/v1/topics", None), ("GET", f"/v1/topics/{TOPIC}/standings", None),
                 ("GET", "/v1/people/{p}/topics", None),
                 ("GET", "/v1/people/{p}/influencers", None),
                 ("GET", "/v1/people/{p}/influencees", None),
                 ("GET", "/v1/people/{p}/audience-quality", None),
                 ("GET", "/v1/discover", None), ("POST", "/v1/discover", {}),
                 ("POST", "/v1/audience-scores", {"audience": {"topic": TOPIC}}),
                 ("POST", "/v1/endorsements", {"endorser": "a", "person": "b", "topic": TOPIC})]


@pytest.fixture(scope="module")
def world(shared_world: ServedWorld) -> ServedWorld:
    return shared_world


@pytest.fixture(scope="module")
def leader(client: TestClient, world: ServedWorld) -> str:
    """The person first in the topic's standings (an audience, topics, influence both ways)."""
    return str(client.get(f"/v1/topics/{TOPIC}/standings?limit=1",
                          headers=world.headers()).json()["items"][0]["person_id"])


def _call(client: TestClient, method: str, path: str, body: Any,
          headers: dict[str, str]) -> Any:
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), NEW_ENDPOINTS)
def test_new_endpoints_need_a_valid_key(client: TestClient, leader: str, method: str,
                                        path: str, body: Any) -> None:
    path = path.format(p=leader)
    error = error_of(_call(client, method, path, body, {}), 401, "unauthorized")
    assert "X-API-Key" in error["message"]
    error_of(_call(client, method, path, body, {"X-API-Key": "rnk_nonsense"}), 401)


def test_influencers_and_influencees_match_the_core(client: TestClient, world: ServedWorld,
                                                    leader: str) -> None:
    with open_store(world.db, read_only=True) as con:
        core = influence(con, leader, world.last_day, limit=20)
    for direction, links in (("influencers", core.influencers),
                             ("influencees", core.influencees)):
        body = client.get(f"/v1/people/{leader}/{direction}?limit=20",
                          headers=world.headers()).json()
        assert body["direction"] == direction and body["as_of"] == world.last_day.isoformat()
        assert [i["person_id"] for i in body["items"]] == [link.person_id for link in links]
        assert [i["flow"] for i in body["items"]] == pytest.approx([x.flow for x in links])
        assert body["total"] >= len(body["items"]) > 0
        assert all(i["reactions"] >= 1 and 1 <= len(i["examples"]) <= 3 for i in body["items"])
        page = client.get(f"/v1/people/{leader}/{direction}?limit=3&offset=2",
                          headers=world.headers()).json()
        assert page["items"] == body["items"][2:5] and page["total"] == body["total"]
    error_of(client.get("/v1/people/nobody-here/influencers", headers=world.headers()), 404,
             "person_not_found")
    error_of(client.get(f"/v1/people/{leader}/influencees?limit=101",
                        headers=world.headers()), 422, "invalid_parameter")
    error_of(client.get(f"/v1/people/{leader}/influencers?as_of=soon",
                        headers=world.headers()), 422, "invalid_parameter")


def test_audience_quality_matches_the_core(client: TestClient, world: ServedWorld,
                                           leader: str) -> None:
    body = client.get(f"/v1/people/{leader}/audience-quality?limit=5",
                      headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        core = person_quality(con, leader, world.last_day, 5)
        silent = con.execute("""SELECT person_id FROM account_scores
            WHERE run_id = (SELECT max(run_id) FROM score_runs)
            GROUP BY person_id HAVING sum(reactors) = 0 ORDER BY 1 LIMIT 1""").fetchall()
    assert body["quality"] == pytest.approx(core.quality) and 0 <= body["quality"] <= 1
    assert body["automated_share"] == pytest.approx(core.automated_share)
    assert body["reactors"] == core.reactors and body["reactions"] == core.reactions
    assert [(r["network"], r["account"]) for r in body["automated"]] == [
        (r.network, r.account) for r in core.automated]
    assert len(body["automated"]) <= 5 and set(body["fences"]) == set(core.fences)
    assert silent, "the world should hold someone nobody reacted to"
    error_of(client.get(f"/v1/people/{silent[0][0]}/audience-quality",
                        headers=world.headers()), 404, "no_audience")
    error_of(client.get(f"/v1/people/{leader}/audience-quality?limit=0",
                        headers=world.headers()), 422, "invalid_parameter")


def test_discover_matches_the_cli_core(client: TestClient, world: ServedWorld) -> None:
    with open_store(world.db, read_only=True) as con:
        core = discover(con, DiscoveryQuery(topic=TOPIC, min_quality=0.3, limit=1000))
        with_audience = discover(con, DiscoveryQuery(
            topic=TOPIC, audience=AudienceSpec.network("mastodon"), limit=10))
    body = client.get(f"/v1/discover?topic={TOPIC}&min_quality=0.3&limit=100",
                      headers=world.headers()).json()
    assert body["total"] == len(core) > 0
    assert [c["person_id"] for c in body["items"]] == [c.person_id for c in core][:100]
    assert [c["match"] for c in body["items"]] == pytest.approx([c.match for c in core][:100])
    assert all(c["quality"] >= 0.3 and c["topic_score"] is not None for c in body["items"])
    page = client.get(f"/v1/discover?topic={TOPIC}&min_quality=0.3&limit=4&offset=3",
                      headers=world.headers()).json()
    assert page["items"] == body["items"][3:7]
    mixed = client.get(f"/v1/discover?topic={TOPIC}&audience=network:mastodon&limit=10",
                       headers=world.headers()).json()
    assert mixed["audience"] == "network:mastodon"
    assert [c["person_id"] for c in mixed["items"]] == [c.person_id for c in with_audience]
    assert all(c["audience_score"] is not None for c in mixed["items"])


def test_discover_bands_and_the_posted_form(client: TestClient, world: ServedWorld) -> None:
    notable = client.get("/v1/discover?band=notable&limit=100", headers=world.headers()).json()
    assert notable["items"] and all(40 <= c["score"] < 60 and c["band"] == "notable"
                                    for c in notable["items"])
    ranged = client.get("/v1/discover?band=notable&min_score=50&max_score=55&limit=100",
                        headers=world.headers()).json()
    assert ranged["total"] <= notable["total"]
    assert all(50 <= c["score"] <= 55 for c in ranged["items"])
    by_get = client.get(f"/v1/discover?topic={TOPIC}&audience=network:mastodon&limit=10",
                        headers=world.headers()).json()
    by_post = client.post("/v1/discover", headers=world.headers(), json={
        "topic": TOPIC, "audience": {"network": "mastodon"}, "limit": 10}).json()
    assert by_post == by_get
    with open_store(world.db, read_only=True) as con:
        accounts = [{"network": "mastodon", "account": a} for (a,) in con.execute(
            "SELECT account FROM accounts WHERE network = 'mastodon' AND account NOT LIKE '~%'"
        ).fetchall()]
    listed = client.post("/v1/discover", headers=world.headers(), json={
        "topic": TOPIC, "audience": {"accounts": accounts}, "limit": 10}).json()
    assert [c["person_id"] for c in listed["items"]] == [c["person_id"] for c in by_get["items"]]
    assert [c["audience_score"] for c in listed["items"]] == pytest.approx(
        [c["audience_score"] for c in by_get["items"]])


@pytest.mark.parametrize(("params", "status", "words"), [
    ({"topic": "no-such-topic"}, 404, "no-such-topic"),
    ({"audience": "pros.csv"}, 422, "topic:SLUG or network:NAME"),
    ({"audience": "/etc/passwd"}, 422, "topic:SLUG or network:NAME"),
    ({"audience": "network:"}, 422, "audience"),
    ({"audience": "network:myspace"}, 422, "no account known"),
    ({"min_score": 60, "max_score": 40}, 422, "min_score"),
    ({"band": "leading", "max_score": 30}, 422, "do not overlap"),
    ({"band": "famous"}, 422, "band"),
    ({"min_quality": 1.5}, 422, "min_quality"),
    ({"min_score": 0}, 422, "min_score"),
    ({"limit": 0}, 422, "limit"),
])
def test_discover_refuses_bad_parameters(client: TestClient, world: ServedWorld,
                                         params: dict[str, Any], status: int,
                                         words: str) -> None:
    error = error_of(client.get("/v1/discover", params=params, headers=world.headers()), status)
    assert words in error["message"], error


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["topic", "audience", "band", "min_score", "max_score", "min_quality",
                     "limit", "offset"]),
    st.one_of(st.text(max_size=12), st.sampled_from([
        TOPIC, "no-such-topic", "network:mastodon", f"topic:{TOPIC}", "network:myspace",
        "topic:", "pros.csv", "notable", "0", "1", "45", "100", "0.5", "-1", "1e309", "NaN"])),
    max_size=4))
def test_no_discover_parameter_makes_a_500(client: TestClient, world: ServedWorld,
                                           params: dict[str, str]) -> None:
    response = client.get("/v1/discover", params=params, headers=world.headers())
    assert response.status_code in (200, 404, 422), (params, response.text)
    if response.status_code != 200:
        error_of(response, response.status_code)


def test_new_endpoints_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, _ in NEW_ENDPOINTS:
        documented = path.replace("{p}", "{person_id}").replace(f"/{TOPIC}/", "/{slug}/")
        operation = spec["paths"][documented][method.lower()]
        assert operation["description"] or operation["summary"], path
        ok = operation["responses"]["201" if path == "/v1/endorsements" else "200"]
        assert "$ref" in ok["content"]["application/json"]["schema"], path
        assert {"401", "422", "429", "503"} <= set(operation["responses"]), path


def test_audience_scores_match_the_core_and_name_what_is_missing(
        client: TestClient, world: ServedWorld, leader: str) -> None:
    with open_store(world.db, read_only=True) as con:
        core = audience_scores(con, AudienceSpec.topic(TOPIC), world.last_day).to_pylist()
    ranking = client.post("/v1/audience-scores", headers=world.headers(), json={
        "audience": {"topic": TOPIC}, "limit": 10, "offset": 5}).json()
    assert ranking["audience"] == f"topic:{TOPIC}" and ranking["total"] == len(core)
    assert [r["person_id"] for r in ranking["items"]] == [r["person_id"] for r in core[5:15]]
    assert [r["score"] for r in ranking["items"]] == pytest.approx(
        [r["score"] for r in core[5:15]])
    assert ranking["members"] >= ranking["active_members"] > 0
    silent = core[-1]["person_id"]
    chosen = client.post("/v1/audience-scores", headers=world.headers(), json={
        "audience": {"accounts": [leader, "twitter:nobody-at-all"]},
        "people": [leader, silent], "as_of": str(world.last_day)}).json()
    assert chosen["unmatched"] == ["twitter:nobody-at-all"]
    assert [r["person_id"] for r in chosen["items"]] == [leader, silent]
    assert chosen["unscored"] == [] and chosen["members"] >= 1


def test_people_without_activity_are_unscored_not_errors(tmp_path: Path) -> None:
    world = World()
    world.post("carol", 0)
    post = world.post("alice", 400)
    world.react("bob", "alice", 400, post=post)
    con = world.store(tmp_path / "small.duckdb")
    score_day(con, START + timedelta(days=400))
    token = create_key(con, "read", "test", 1000).token
    con.close()
    with TestClient(create_app(tmp_path / "small.duckdb")) as small:
        body = small.post("/v1/audience-scores", headers={"X-API-Key": token}, json={
            "audience": {"accounts": ["twitter:bob"]},
            "people": ["twitter:alice", "twitter:carol", "twitter:alice"]}).json()
        topics = small.get("/v1/people/twitter:alice/topics", headers={"X-API-Key": token})
    assert [r["person_id"] for r in body["items"]] == ["twitter:alice"]
    assert body["unscored"] == ["twitter:carol"] and body["total"] == 1
    assert topics.status_code == 200 and topics.json()["items"] == []


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"audience": {"topic": TOPIC, "network": "twitter"}}, 422, "exactly one"),
    ({"audience": {}}, 422, "exactly one"),
    ({"audience": {"accounts": []}}, 422, "accounts"),
    ({"audience": {"accounts": ["nobody-here"]}}, 422, "none of the listed"),
    ({"audience": {"accounts": [{"network": "Twitter!", "account": "x"}]}}, 422, "network"),
    ({"audience": {"network": "myspace"}}, 422, "no account known"),
    ({"audience": {"topic": TOPIC}, "people": ["nobody-here"]}, 404, "nobody-here"),
    ({"audience": {"topic": TOPIC}, "as_of": "2026-13-40"}, 422, "as_of"),
    ({"audience": {"topic": TOPIC}, "limit": 500}, 422, "limit"),
    ({"audience": {"topic": TOPIC}, "extra": 1}, 422, "extra"),
])
def test_audience_scores_refuse_bad_bodies(client: TestClient, world: ServedWorld,
                                           body: dict[str, Any], status: int,
                                           words: str) -> None:
    error = error_of(client.post("/v1/audience-scores", headers=world.headers(), json=body),
                     status)
    assert words in error["message"], error


def test_heavy_requests_pass_the_gate_once_per_snapshot(world: ServedWorld) -> None:
    app = create_app(world.db, Settings(heavy_wait=0.2))
    state = app.state.renown
    body = {"audience": {"network": "mastodon"}, "limit": 3}
    with TestClient(app) as fresh:
        state.heavy.acquire()
        try:
            busy = fresh.post("/v1/audience-scores", headers=world.headers(), json=body)
            error_of(busy, 503, "busy")
            assert int(busy.headers["Retry-After"]) >= 1
            error_of(fresh.get("/v1/discover?band=active", headers=world.headers()), 503)
        finally:
            state.heavy.release()
        first = fresh.post("/v1/audience-scores", headers=world.headers(), json=body)
        assert first.status_code == 200
        state.heavy.acquire()
        try:  # memoised with the snapshot: no second pass through the gate
            again = fresh.post("/v1/audience-scores", headers=world.headers(),
                               json={**body, "offset": 3})
        finally:
            state.heavy.release()
    assert again.status_code == 200 and again.json()["total"] == first.json()["total"]
