"""Managing keys over HTTP (admin), and writes that reach a running server through
published snapshots, including while another process holds the store's write lock."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from tests.interfaces.api.conftest import error_of
from tests.interfaces.served_world import ServedWorld

ROOT = Path(__file__).resolve().parents[3]


def renown(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process (as a user or a cron job would run it)."""
    return subprocess.run([sys.executable, "-m", "renown.interfaces.cli.main", *args],
                          capture_output=True, text=True, check=False, timeout=120,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_admin_creates_and_revokes_keys_that_work_at_once(client: TestClient,
                                                          world: ServedWorld) -> None:
    made = client.post("/v1/keys", headers=world.headers("admin"),
                       json={"scope": "write", "name": "robot", "rate_per_minute": 50})
    assert made.status_code == 201, made.text
    token, key_id = made.json()["token"], made.json()["key"]["key_id"]
    me = client.get("/v1/keys/me", headers={"X-API-Key": token}).json()
    assert me == {**made.json()["key"], "revoked_at": None}
    assert me["scope"] == "write" and me["rate_per_minute"] == 50
    listed = client.get("/v1/keys", headers=world.headers("admin")).json()["items"]
    assert key_id in [k["key_id"] for k in listed]
    assert all("token" not in k and "secret_hash" not in k for k in listed)
    revoked = client.delete(f"/v1/keys/{key_id}", headers=world.headers("admin")).json()
    assert revoked["revoked_at"] is not None
    error_of(client.get("/v1/keys/me", headers={"X-API-Key": token}), 401, "unauthorized")
    error_of(client.delete(f"/v1/keys/{'q' * 12}", headers=world.headers("admin")), 404,
             "key_not_found")
    error_of(client.delete("/v1/keys/NOT-AN-ID", headers=world.headers("admin")), 422)
    for body in ({"scope": "root"}, {"scope": "read", "rate_per_minute": 0},
                 {"scope": "read", "name": "x" * 101}, {"scope": "read", "extra": True}):
        error_of(client.post("/v1/keys", headers=world.headers("admin"), json=body), 422,
                 "invalid_parameter")
    error_of(client.post("/v1/keys", headers=world.headers("write"), json={"scope": "read"}),
             403, "forbidden")


def test_cli_writes_reach_the_running_server(client: TestClient, world: ServedWorld) -> None:
    before = client.get("/v1/health").json()["generation"]
    created = renown("keys", "create", "--scope", "read", "--name", "from cli", "--json",
                     "--db", str(world.db))
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)["token"]
    assert client.get("/v1/keys/me", headers={"X-API-Key": token}).status_code == 200
    assert client.get("/v1/health").json()["generation"] > before
    key_id = token[4:16]
    assert renown("keys", "revoke", key_id, "--db", str(world.db)).returncode == 0
    error_of(client.get("/v1/keys/me", headers={"X-API-Key": token}), 401)


def test_reads_go_on_and_writes_say_busy_while_another_process_writes(
        client: TestClient, world: ServedWorld,
        writer_holding_the_lock: subprocess.Popen[str]) -> None:
    assert client.get("/v1/leaderboard", headers=world.headers()).status_code == 200
    clock = time.monotonic()
    busy = client.post("/v1/keys", headers=world.headers("admin"), json={"scope": "read"})
    waited = time.monotonic() - clock
    error = error_of(busy, 503, "busy")
    assert "another process is writing" in error["message"]
    assert int(busy.headers["Retry-After"]) >= 1
    assert 1.5 <= waited < 10  # the short lock timeout (2 s), not a hang
    summary = client.get("/v1/scores/distribution", headers=world.headers())
    assert summary.status_code == 200
