"""Live pull from Mastodon, against a loopback server serving the real recorded payloads."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
import typer
from typer.testing import CliRunner

import renown.sources
from renown.interfaces.cli.pull_mastodon import pull_mastodon_command
from renown.sources.mastodon_pull import TOKEN_ENV, PullError, pull_mastodon
from renown.store.ingest import ingest
from tests.conftest import shared_path

API = "formats/mastodon-api"
ACCOUNT_ID = "117020565966271181"  # mastodonpy_test
pytestmark = pytest.mark.shared_data


class _Instance:
    """What the fake instance serves (the real payloads) and what it was asked."""

    def __init__(self) -> None:
        folder = shared_path(API)
        self.raw = {p.name: p.read_bytes() for p in folder.glob("*.json")}
        statuses = json.loads(self.raw["account_statuses.json"])
        self.account = json.dumps(statuses[0]["account"]).encode()
        self.requests: list[tuple[str, dict[str, list[str]], str | None]] = []
        self.base = ""

    def page(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str | None]:
        """(status, body, next max_id) for one request."""
        max_id = query.get("max_id", [None])[0]
        if path == "/api/v1/accounts/lookup":
            found = query.get("acct") == ["mastodonpy_test"]
            return (200, self.account, None) if found else (404, b'{"error": "Not found"}', None)
        if path == f"/api/v1/accounts/{ACCOUNT_ID}/statuses":
            pages = {None: ("account_statuses.json", "117020580489281910"),
                     "117020580489281910": ("status_reblog.json", "117020574424543529")}
            if max_id not in pages:
                return 200, b"[]", None
            name, next_id = pages[max_id]
            body = self.raw[name]
            return 200, body if body.lstrip().startswith(b"[") else b"[" + body + b"]", next_id
        if path == "/api/v1/notifications":
            pages = {None: ("notifications_v1_mention.json", "20"),
                     "20": ("notifications_v1_status.json", "9")}
            if max_id not in pages:
                return 200, b"[]", None
            name, next_id = pages[max_id]
            return 200, self.raw[name], next_id
        if path in ("/api/v1/instance", "/api/v2/instance"):
            return 200, b'{"uri": "localhost:3000", "version": "4.5.0"}', None
        return 404, b'{"error": "Record not found"}', None


def _handler(instance: _Instance) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            instance.requests.append((url.path, query, self.headers.get("Authorization")))
            status, body, next_id = instance.page(url.path, query)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if next_id is not None:
                self.send_header("Link", f'<{instance.base}{url.path}?limit=40&max_id={next_id}>;'
                                         ' rel="next"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def instance() -> Iterator[_Instance]:
    served = _Instance()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def _setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(renown.sources.FORMATS, "mastodon-api", "renown.sources.mastodon_api")
    monkeypatch.delenv(TOKEN_ENV, raising=False)


def test_pull_writes_the_raw_payloads(instance: _Instance, tmp_path: Path,
                                      con: duckdb.DuckDBPyConnection) -> None:
    out = pull_mastodon(instance.base, "@mastodonpy_test", None, tmp_path / "pull")
    assert sorted(p.name for p in out.iterdir()) == [
        "account.json", "statuses-0001.json", "statuses-0002.json"]
    assert (out / "account.json").read_bytes() == instance.account  # byte for byte
    assert json.loads((out / "statuses-0001.json").read_bytes()) == json.loads(
        instance.raw["account_statuses.json"])
    assert [(path, query.get("max_id"), auth) for path, query, auth in instance.requests] == [
        ("/api/v1/accounts/lookup", None, None),
        (f"/api/v1/accounts/{ACCOUNT_ID}/statuses", None, None),
        (f"/api/v1/accounts/{ACCOUNT_ID}/statuses", ["117020580489281910"], None),
        (f"/api/v1/accounts/{ACCOUNT_ID}/statuses", ["117020574424543529"], None)]
    report = ingest(con, out, "mastodon-api")
    assert (report.ingested, report.quarantined) == (7, 0)
    assert dict(con.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall()) == {
        "post": 6, "reshare": 1}


def test_pull_with_a_token_adds_notifications(instance: _Instance, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              con: duckdb.DuckDBPyConnection) -> None:
    monkeypatch.setenv(TOKEN_ENV, "s3cret")
    out = pull_mastodon(instance.base, "mastodonpy_test", None, tmp_path / "pull")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("notifications")) == [
        "notifications-0001.json", "notifications-0002.json"]
    assert {auth for _, _, auth in instance.requests} == {"Bearer s3cret"}
    ingest(con, out, "mastodon-api")
    assert con.execute("SELECT actor, subject FROM events WHERE kind = 'mention'").fetchall() == [
        ("admin@localhost:3000", "mastodonpy_test@localhost:3000")]


def test_since_stops_paging_and_leaves_older_items_out(instance: _Instance,
                                                       tmp_path: Path) -> None:
    since = datetime(2026, 8, 1, 13, 52, 33, 700000, tzinfo=UTC)  # between Toots 5 and 6
    out = pull_mastodon(instance.base, "mastodonpy_test", since, tmp_path / "pull")
    kept = json.loads((out / "statuses-0001.json").read_bytes())
    assert [s["content"] for s in kept] == [f"<p>Toot number {n}!</p>" for n in (9, 8, 7, 6)]
    assert not (out / "statuses-0002.json").exists()
    assert len(instance.requests) == 2


def test_pull_errors(instance: _Instance, tmp_path: Path) -> None:
    with pytest.raises(PullError, match="Not found"):
        pull_mastodon(instance.base, "nobody", None, tmp_path / "a")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.json").write_text("[]")
    with pytest.raises(PullError, match="not empty"):
        pull_mastodon(instance.base, "mastodonpy_test", None, tmp_path / "full")
    with socket.socket() as probe:  # a loopback port of our own, closed again: refused
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(PullError, match="Could not complete request"):
        pull_mastodon(f"http://127.0.0.1:{closed}", "mastodonpy_test", None, tmp_path / "b")


def test_cli_pulls_then_ingests(instance: _Instance, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(pull_mastodon_command)
    db = tmp_path / "r.duckdb"
    result = CliRunner().invoke(app, [instance.base, "mastodonpy_test", "--out",
                                      str(tmp_path / "pull"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "pulled 3 payload files" in result.output
    assert "ingested 7 events" in result.output
    result = CliRunner().invoke(app, [instance.base, "mastodonpy_test", "--out",
                                      str(tmp_path / "p2"), "--since", "2026-08-01T13:52:33.8Z",
                                      "--no-ingest", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"] == ["account.json", "statuses-0001.json"]
    result = CliRunner().invoke(app, [instance.base, "mastodonpy_test", "--out",
                                      str(tmp_path / "p3"), "--since", "yesterday"])
    assert result.exit_code == 2
    assert "--since 'yesterday': expected a date (2025-01-31), an ISO 8601 time" in result.output
