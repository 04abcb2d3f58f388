"""``DELETE /v1/people/{person}``: the admin API's ``renown forget`` (issue 9)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from renown.interfaces.api import create_app
from renown.store.database import open_store
from renown.store.traces import table_traces
from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import build_world


def test_an_admin_forgets_a_person_and_the_next_read_no_longer_finds_them(
        tmp_path: Path) -> None:
    world = build_world(tmp_path, people=200, days=20)
    with TestClient(create_app(world.db)) as client:
        top = client.get("/v1/leaderboard?limit=1", headers=world.headers()).json()
        person = top["items"][0]["person_id"]
        assert client.get(f"/v1/people/{person}", headers=world.headers()).status_code == 200
        error_of(client.delete(f"/v1/people/{person}", headers=world.headers("read")), 403)
        error_of(client.delete(f"/v1/people/{person}"), 401)
        error_of(client.delete("/v1/people/nobody-at-all", headers=world.headers("admin")),
                 404, "person_not_found")
        done = client.delete(f"/v1/people/{person}", headers=world.headers("admin"))
        assert done.status_code == 200, done.text
        [erasure] = done.json()["erasures"]
        assert erasure["scope"] in ("person", "account") and person not in done.text
        error_of(client.get(f"/v1/people/{person}", headers=world.headers()), 404)
    with open_store(world.db, read_only=True) as con:
        assert table_traces(con, [person]) == []
