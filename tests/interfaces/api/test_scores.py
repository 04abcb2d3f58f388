"""Leaderboard (filters, search, pages), networks, distribution, models and previews."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.scoring.queries import leaderboard
from renown.store.database import open_store
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import ServedWorld


def test_leaderboard_matches_the_core_and_pages_consistently(client: TestClient,
                                                             world: ServedWorld) -> None:
    first = client.get("/v1/leaderboard?limit=50", headers=world.headers()).json()
    with open_store(world.db, read_only=True) as con:
        core = leaderboard(con, limit=50)
    assert [r["person_id"] for r in first["items"]] == [r.person_id for r in core]
    assert [r["rank"] for r in first["items"]] == list(range(1, 51))
    assert first["total"] >= 300 and first["as_of"] == world.last_day.isoformat()
    second = client.get("/v1/leaderboard?limit=10&offset=20", headers=world.headers()).json()
    assert second["items"] == first["items"][20:30]
    beyond = client.get(f"/v1/leaderboard?offset={first['total']}",
                        headers=world.headers()).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_network_filter_search_and_bands(client: TestClient, world: ServedWorld) -> None:
    networks = client.get("/v1/networks", headers=world.headers()).json()["networks"]
    assert networks == ["mastodon", "twitter"]
    mastodon = client.get("/v1/leaderboard?network=mastodon&limit=100",
                          headers=world.headers()).json()
    assert mastodon["items"] and all(r["networks"] == ["mastodon"] for r in mastodon["items"])
    scores = [r["score"] for r in mastodon["items"]]
    assert scores == sorted(scores, reverse=True)
    error = error_of(client.get("/v1/leaderboard?network=myspace", headers=world.headers()),
                     422, "invalid_parameter")
    assert "mastodon, twitter" in error["message"]
    top = client.get("/v1/leaderboard?limit=1", headers=world.headers()).json()["items"][0]
    fragment = top["person_id"][-4:].upper()
    found = client.get("/v1/leaderboard", params={"q": fragment, "limit": 100},
                       headers=world.headers()).json()
    assert top["person_id"] in [r["person_id"] for r in found["items"]]
    assert all(fragment.lower() in r["person_id"].lower() for r in found["items"])
    assert found["items"][0]["rank"] == top["rank"]  # ranks stay overall ranks
    nothing = client.get("/v1/leaderboard", params={"q": "%_%"}, headers=world.headers())
    assert nothing.json()["total"] == 0  # LIKE wildcards are taken literally
    active = client.get("/v1/leaderboard?band=active&limit=100",
                        headers=world.headers()).json()
    assert active["items"] and all(20 <= r["score"] < 40 and r["band"] == "active"
                                   for r in active["items"])
    ranged = client.get("/v1/leaderboard?min_score=30&max_score=50&limit=100",
                        headers=world.headers()).json()
    assert all(30 <= r["score"] <= 50 for r in ranged["items"])


@pytest.mark.parametrize("params", [
    {"band": "famous"}, {"min_score": 60, "max_score": 10}, {"min_score": -1},
    {"max_score": 101}, {"min_score": "nan"}, {"limit": 101}, {"limit": 0}, {"offset": -1},
    {"q": "x" * 101}, {"network": "Twitter"}, {"network": "a" * 40}, {"as_of": "2026-6-1"},
])
def test_bad_leaderboard_parameters_are_422(client: TestClient, world: ServedWorld,
                                            params: dict[str, object]) -> None:
    error = error_of(client.get("/v1/leaderboard", params=params, headers=world.headers()),
                     422, "invalid_parameter")
    assert error["details"], error


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["network", "q", "band", "min_score", "max_score", "as_of", "limit",
                     "offset"]),
    st.one_of(st.text(max_size=20), st.integers(-5, 10_000).map(str),
              st.sampled_from(["twitter", "active", "2026-06-29", "1e309", "-0", "NaN"])),
    max_size=4))
def test_no_parameter_makes_a_500(client: TestClient, world: ServedWorld,
                                  params: dict[str, str]) -> None:
    response = client.get("/v1/leaderboard", params=params, headers=world.headers())
    assert response.status_code in (200, 404, 422), (params, response.text)
    if response.status_code != 200:
        error_of(response, response.status_code)


def test_distribution_counts_everyone(client: TestClient, world: ServedWorld) -> None:
    body = client.get("/v1/scores/distribution", headers=world.headers()).json()
    total = client.get("/v1/leaderboard?limit=1", headers=world.headers()).json()["total"]
    assert body["people"] == total == sum(body["bands"].values())
    assert body["quantiles_all"]["median"] <= body["quantiles_all"]["max"] <= 100


def test_models_and_a_stored_candidate_preview(client: TestClient, world: ServedWorld) -> None:
    models = client.get("/v1/models", headers=world.headers()).json()["items"]
    assert [m["current"] for m in models] == [True, False]
    assert models[1]["version"] == world.candidate
    report = client.get("/v1/models/preview", params={"candidate": world.candidate, "top": 5},
                        headers=world.headers()).json()
    assert report["candidate_version"] == world.candidate
    assert sum(b["people"] for b in report["histogram"]) == report["people"] > 0
    # A faster decay can only lower scores of people with an audience.
    assert report["mean_change"] < 0 and len(report["movers_down"]) == 5
    assert all(m["change"] == pytest.approx(m["after"] - m["before"])
               for m in report["movers_down"])
    error_of(client.get("/v1/models/preview?candidate=no-such-model",
                        headers=world.headers()), 404, "model_not_found")
    error_of(client.get("/v1/models/preview", params={"candidate": models[0]["version"]},
                        headers=world.headers()), 422, "invalid_parameter")
    error_of(client.get("/v1/models/preview", headers=world.headers()), 422)


def test_previewing_a_definition_needs_write_and_a_valid_model(client: TestClient,
                                                               world: ServedWorld) -> None:
    definition = 'version = "posted-candidate"\nweight_reach = 0.6\nweight_network = 0.3\n'
    response = client.post("/v1/models/preview", headers=world.headers("write"),
                           json={"definition": definition, "top": 3})
    assert response.status_code == 200, response.text
    assert response.json()["candidate_version"] == "posted-candidate"
    for body in ({"definition": "version = "}, {"definition": 'version = "x"\nhalf_life_days = -1'},
                 {"definition": 'version = "x"\nno_such_parameter = 1'}):
        error_of(client.post("/v1/models/preview", headers=world.headers("write"), json=body),
                 422, "invalid_model")
    error_of(client.post("/v1/models/preview", headers=world.headers("write"),
                         json={"definition": "version = 'y'", "surprise": 1}), 422,
             "invalid_parameter")
    # Nothing was written: the posted model is not stored.
    versions = [m["version"] for m in
                client.get("/v1/models", headers=world.headers()).json()["items"]]
    assert "posted-candidate" not in versions
