"""Dashboard pages over HTTP (no browser): content, sections that appear only with their
data, validation as HTML error pages, and the page rate limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from renown.interfaces.api import Settings, create_app
from renown.scoring.run import score_day
from tests.interfaces.served_world import ServedWorld
from tests.scoring.builders import START, World


@pytest.fixture(scope="module")
def client(world: ServedWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.db)) as test_client:
        yield test_client


def test_pages_are_public_html_with_a_strict_policy(client: TestClient) -> None:
    for path in ("/leaderboard", "/discover", "/model-preview"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "<script>" not in response.text and " style=" not in response.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/leaderboard"


def test_a_person_page_has_score_trend_and_sections(client: TestClient,
                                                    world: ServedWorld) -> None:
    top = client.get("/v1/leaderboard?limit=1", headers=world.headers()).json()["items"][0]
    html = client.get(f"/people/{top['person_id']}").text
    assert f"{top['score']:.1f}" in html
    for section in ('id="components"', 'id="history"', 'id="networks"', 'id="topics"',
                    'id="influence"', 'id="why"', 'id="evidence"', "<svg", "Day", "Week",
                    "Month"):
        assert section in html, section


def test_topic_filter_and_discovery_show_the_apis_answers(client: TestClient,
                                                          world: ServedWorld) -> None:
    standings = client.get("/v1/topics/music/standings?limit=25",
                           headers=world.headers()).json()
    html = client.get("/leaderboard?topic=music").text
    assert f"{standings['total']:,} people in {standings['name']}" in html
    assert _people_linked(html) == [row["person_id"] for row in standings["items"]]
    found = client.get("/v1/discover?topic=music&audience=network:mastodon&limit=25",
                       headers=world.headers()).json()
    page = client.get("/discover?topic=music&audience=network%3Amastodon").text
    assert f"{found['total']:,} people found" in page
    assert _people_linked(page) == [c["person_id"] for c in found["items"]]
    assert "<th scope=\"col\" class=\"num\">In audience</th>" in page


def test_account_urls_redirect_to_the_person(client: TestClient, world: ServedWorld) -> None:
    people = client.get("/v1/leaderboard?network=mastodon&limit=100",
                        headers=world.headers()).json()["items"]
    declared = next(r["person_id"] for r in people if ":" not in r["person_id"])
    networks = client.get(f"/v1/people/{declared}", headers=world.headers()).json()["networks"]
    alias = f"{networks[0]['network']}:{networks[0]['account']}"
    response = client.get(f"/people/{alias}?since={world.first_day}", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"/people/{declared}?since={world.first_day}"


def _people_linked(html: str) -> list[str]:
    """Person ids linked from a page's table of people, in order."""
    table = html[html.index('<table class="people'):]
    return [unquote(link) for link in re.findall(r'href="/people/([^"]+)"', table)]


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/people/nobody-here", 404, "no person"),
    ("/leaderboard?network=myspace", 422, "no scores for network"),
    ("/leaderboard?page=0", 422, "page"),
    ("/discover?band=famous", 422, "expected one of"),
    ("/discover?min_score=500", 422, "0 to 100"),
    ("/discover?min_score=60&max_score=40", 422, "min_score"),
    ("/discover?min_quality=150", 422, "percentage"),
    ("/discover?audience=pros.csv", 422, "topic:SLUG or network:NAME"),
    ("/discover?topic=no-such-topic", 404, "no topic"),
    ("/leaderboard?topic=no-such-topic", 404, "no topic"),
    ("/leaderboard?topic=two%20words", 422, "topic"),
    ("/model-preview?candidate=nope", 404, "nope"),
    ("/nowhere", 404, "no such endpoint or page"),
])
def test_bad_requests_get_an_html_error_page(client: TestClient, path: str, status: int,
                                             words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text


def test_a_since_day_without_a_snapshot_is_refused(client: TestClient,
                                                   world: ServedWorld) -> None:
    top = client.get("/v1/leaderboard?limit=1", headers=world.headers()).json()["items"][0]
    day = world.first_day - timedelta(days=5)
    response = client.get(f"/people/{top['person_id']}?since={day}")
    assert response.status_code == 422 and "no stored snapshot" in response.text


def test_sections_without_data_are_left_out(tmp_path: Path) -> None:
    world = World()
    post = world.post("alice", 1)
    world.react("bob", "alice", 1, post=post)
    con = world.store(tmp_path / "one.duckdb")
    score_day(con, START + timedelta(days=1))
    con.close()
    with TestClient(create_app(tmp_path / "one.duckdb")) as fresh:
        html = fresh.get("/people/twitter:alice").text
        preview = fresh.get("/model-preview").text
    assert 'id="history"' in html and 'id="components"' in html
    assert 'id="why"' not in html  # one snapshot: nothing to compare with
    assert 'id="topics"' not in html  # one post: no topic has enough evidence
    assert 'id="influence"' in html and "twitter:bob" in html  # bob reacted to alice
    assert "No candidate model is stored yet" in preview


def test_pages_are_rate_limited_per_address(world: ServedWorld) -> None:
    with TestClient(create_app(world.db, Settings(page_rate_per_minute=2))) as limited:
        statuses = [limited.get("/leaderboard").status_code for _ in range(3)]
        response = limited.get("/discover")
    assert statuses == [200, 200, 429]
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert "Slow down" in response.text
