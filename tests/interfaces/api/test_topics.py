"""Topics over HTTP (topic list, standings, a person's topics) against the core's own answers,
and +K endorsements written through the API: scopes, refusals, and the busy store."""

from __future__ import annotations

import subprocess

import pytest
from fastapi.testclient import TestClient

from renown.scoring.topics.ontology_store import stored_ontology
from renown.scoring.topics.standings import person_topics, topic_standings
from renown.store.database import open_store
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import ServedWorld

#: A topic the simulated world attributes to dozens of people.
TOPIC = "music"


@pytest.fixture(scope="module")
def world(shared_world: ServedWorld) -> ServedWorld:
    return shared_world


def test_topic_list_is_the_ontology_with_attribution_counts(client: TestClient,
                                                            world: ServedWorld) -> None:
    everything = client.get("/v1/topics?limit=100", headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        ontology = stored_ontology(con)
        counts = dict(con.execute("SELECT topic, count(*) FROM topic_attributions WHERE run_id "
                                  "= (SELECT max(run_id) FROM score_runs) GROUP BY 1").fetchall())
    assert everything["total"] == len(ontology.topics) and everything["ontology"] == ontology.name
    slugs = [t["slug"] for t in everything["items"]]
    assert slugs == sorted(slugs) and len(slugs) == min(100, everything["total"])
    pages = [client.get(f"/v1/topics?limit=100&offset={o}", headers=world.headers()).json()
             for o in range(0, everything["total"], 100)]
    listed = {t["slug"]: t for page in pages for t in page["items"]}
    assert set(listed) == set(ontology.topics)
    assert {s: t["people"] for s, t in listed.items() if t["people"]} == counts
    assert listed[TOPIC]["name"] == ontology.topics[TOPIC].name
    assert set(listed[TOPIC]["children"]) == set(ontology.children[TOPIC])
    attributed = client.get("/v1/topics?attributed=true&limit=100",
                            headers=world.headers()).json()
    assert attributed["total"] == len(counts)
    assert all(t["people"] > 0 for t in attributed["items"])
    found = client.get("/v1/topics?q=MUS", headers=world.headers()).json()["items"]
    assert TOPIC in [t["slug"] for t in found]
    assert all("mus" in (t["slug"] + t["name"]).lower() for t in found)
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"attributed": "maybe"},
                   {"q": "x" * 101}):
        error_of(client.get("/v1/topics", params=params, headers=world.headers()), 422,
                 "invalid_parameter")


def test_standings_match_the_core_and_filter_without_renumbering(client: TestClient,
                                                                world: ServedWorld) -> None:
    body = client.get(f"/v1/topics/{TOPIC}/standings?limit=100",
                      headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        core = topic_standings(con, TOPIC).to_pylist()
    assert body["total"] == len(core) > 20 and body["topic"] == TOPIC
    assert [r["person_id"] for r in body["items"]] == [r["person_id"] for r in core][:100]
    assert [r["topic_score"] for r in body["items"]] == pytest.approx(
        [r["topic_score"] for r in core][:100])
    assert [r["rank"] for r in body["items"]] == list(range(1, len(body["items"]) + 1))
    page = client.get(f"/v1/topics/{TOPIC}/standings?limit=5&offset=10",
                      headers=world.headers()).json()
    assert page["items"] == body["items"][10:15]
    mastodon = client.get(f"/v1/topics/{TOPIC}/standings?network=mastodon&limit=100",
                          headers=world.headers()).json()
    assert 0 < mastodon["total"] < body["total"]
    for row in mastodon["items"][:3]:
        summary = client.get(f"/v1/people/{row['person_id']}", headers=world.headers()).json()
        assert "mastodon" in {n["network"] for n in summary["networks"]}
        assert row == next(r for r in body["items"] if r["person_id"] == row["person_id"])
    target = body["items"][7]
    found = client.get(f"/v1/topics/{TOPIC}/standings", params={"q": target["person_id"]},
                       headers=world.headers()).json()
    assert target in found["items"] and found["items"][0]["rank"] >= 1


def test_standings_refuse_unknown_topics_and_bad_parameters(client: TestClient,
                                                            world: ServedWorld) -> None:
    error = error_of(client.get("/v1/topics/no-such-topic/standings", headers=world.headers()),
                     404, "topic_not_found")
    assert "no-such-topic" in error["message"]
    error_of(client.get("/v1/topics/two%20words/standings", headers=world.headers()), 422,
             "invalid_parameter")
    error_of(client.get(f"/v1/topics/{TOPIC}/standings?network=myspace",
                        headers=world.headers()), 422, "invalid_parameter")
    error_of(client.get(f"/v1/topics/{TOPIC}/standings?as_of=2026-02-30",
                        headers=world.headers()), 422, "invalid_parameter")
    error_of(client.get(f"/v1/topics/{TOPIC}/standings?as_of=1990-01-01",
                        headers=world.headers()), 404, "no_scores")
    error_of(client.get(f"/v1/topics/{TOPIC}/standings?limit=1000",
                        headers=world.headers()), 422, "invalid_parameter")


def test_person_topics_carry_confidence_and_evidence_posts(client: TestClient,
                                                           world: ServedWorld) -> None:
    leader = client.get(f"/v1/topics/{TOPIC}/standings?limit=1",
                        headers=world.headers()).json()["items"][0]["person_id"]
    body = client.get(f"/v1/people/{leader}/topics", headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        core = person_topics(con, leader)
    assert [t["topic"] for t in body["items"]] == [t.topic for t in core.topics]
    assert TOPIC in [t["topic"] for t in body["items"]]
    assert body["total"] == len(core.topics) and body["thresholds"] == core.thresholds
    bar = body["thresholds"]
    for topic, mine in zip(body["items"], core.topics, strict=True):
        assert topic["confidence"] == pytest.approx(mine.confidence) and 0 < mine.confidence <= 1
        assert topic["post_evidence"] >= bar["min_posts"]
        assert topic["reactor_evidence"] >= bar["min_reactors"]
        posts = topic["evidence_posts"]
        assert 1 <= len(posts) <= 5 and len(posts) == len(mine.top_posts)
        assert [p["reactors"] for p in posts] == sorted((p["reactors"] for p in posts),
                                                        reverse=True)
        assert all(p["text"] for p in posts)
    one = client.get(f"/v1/people/{leader}/topics?limit=1&offset=0",
                     headers=world.headers()).json()
    assert one["items"] == body["items"][:1] and one["total"] == body["total"]
    error_of(client.get("/v1/people/nobody-here/topics", headers=world.headers()), 404,
             "person_not_found")
    error_of(client.get(f"/v1/people/{leader}/topics?offset=-3", headers=world.headers()), 422)


def test_endorsements_need_write_scope_and_are_stored_and_published(
        client: TestClient, world: ServedWorld) -> None:
    standings = client.get(f"/v1/topics/{TOPIC}/standings?limit=3",
                           headers=world.headers()).json()["items"]
    giver, receiver = standings[1]["person_id"], standings[0]["person_id"]
    body = {"endorser": giver, "person": receiver, "topic": TOPIC}
    error_of(client.post("/v1/endorsements", json=body), 401, "unauthorized")
    error = error_of(client.post("/v1/endorsements", headers=world.headers("read"), json=body),
                     403, "forbidden")
    assert error["details"] == {"required_scope": "write", "key_scope": "read"}
    before = client.get("/v1/health").json()["generation"]
    made = client.post("/v1/endorsements", headers=world.headers("write"), json=body)
    assert made.status_code == 201, made.text
    assert made.json()["endorser"] == giver and made.json()["person"] == receiver
    assert made.json()["remaining"] == 4
    assert client.get("/v1/health").json()["generation"] > before
    with open_store(world.db, read_only=True) as con:
        stored = con.execute("SELECT giver, receiver, topic FROM endorsements WHERE "
                             "endorsement_id = ?", [made.json()["endorsement_id"]]).fetchall()
    assert stored == [(giver, receiver, TOPIC)]
    again = error_of(client.post("/v1/endorsements", headers=world.headers("admin"), json=body),
                     409, "endorsement_refused")
    assert "already endorsed" in again["message"]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"endorser": "nobody-here", "person": "{receiver}", "topic": TOPIC}, 404,
     "person_not_found"),
    ({"endorser": "{giver}", "person": "{receiver}", "topic": "no-such-topic"}, 404,
     "topic_not_found"),
    ({"endorser": "{receiver}", "person": "{receiver}", "topic": TOPIC}, 422,
     "invalid_parameter"),
    ({"endorser": "{giver}", "person": "{receiver}"}, 422, "invalid_parameter"),
    ({"endorser": "{giver}", "person": "{receiver}", "topic": TOPIC, "weight": "9"}, 422,
     "invalid_parameter"),
    ({"endorser": "{giver}", "person": "{receiver}", "topic": "two words"}, 422,
     "invalid_parameter"),
])
def test_bad_endorsements_are_refused_clearly(client: TestClient, world: ServedWorld,
                                              body: dict[str, str], status: int,
                                              code: str) -> None:
    people = client.get("/v1/leaderboard?limit=2", headers=world.headers()).json()["items"]
    filled = {k: v.format(giver=people[1]["person_id"], receiver=people[0]["person_id"])
              for k, v in body.items()}
    error_of(client.post("/v1/endorsements", headers=world.headers("write"), json=filled),
             status, code)


def test_endorsing_while_another_process_writes_says_busy(
        client: TestClient, world: ServedWorld,
        writer_holding_the_lock: subprocess.Popen[str]) -> None:
    people = client.get("/v1/leaderboard?limit=6", headers=world.headers()).json()["items"]
    body = {"endorser": people[5]["person_id"], "person": people[4]["person_id"],
            "topic": TOPIC}
    busy = client.post("/v1/endorsements", headers=world.headers("write"), json=body)
    error_of(busy, 503, "busy")
    assert int(busy.headers["Retry-After"]) >= 1
    assert client.get(f"/v1/topics/{TOPIC}/standings", headers=world.headers()).status_code \
        == 200
