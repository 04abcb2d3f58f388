"""``pull_bluesky`` and ``renown pull bluesky`` against a local AppView on 127.0.0.1.

The server answers the XRPC paths the ``atproto`` client asks for with the
real sample responses (getPostThread, getFollows) and, for endpoints without
a public sample, small responses shaped like the AppView's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
import typer
from typer.testing import CliRunner

import renown.sources
from renown.interfaces.cli.common import parse_since
from renown.interfaces.cli.pull_bluesky import pull_bluesky_command
from renown.sources.bluesky_pull import PullError, pull_bluesky
from renown.store.database import connect
from renown.store.ingest import ingest
from tests.conftest import shared_path

XRPC = "formats/bluesky/marshalx-atproto"
SDK = "did:plc:kvwvcn5iqfooopmyzvb4qzba"           # the real account behind the samples
B, C, D = ("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", "did:plc:cccccccccccccccccccccccc",
           "did:plc:dddddddddddddddddddddddd")
THREAD_POST = f"at://{SDK}/app.bsky.feed.post/3kaheyt6vpc22"
P2 = f"at://{SDK}/app.bsky.feed.post/3kb2qqvz2mk2a"
OLD = f"at://{SDK}/app.bsky.feed.post/3jzfcijpj2z2a"
GONE = f"at://{SDK}/app.bsky.feed.post/3kb2zzzzzzz2a"
OTHER = f"at://{C}/app.bsky.feed.post/3kb2aaaaaaa2a"
Query = dict[str, list[str]]


def _profile(did: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"did": did, "handle": f"{name.lower()}.test", "displayName": name, "labels": [],
            "createdAt": "2023-04-26T19:05:34.249Z", "indexedAt": "2024-01-01T00:00:00.000Z",
            **extra}


def _post(uri: str, author: dict[str, Any], created: str, **extra: Any) -> dict[str, Any]:
    record = {"$type": "app.bsky.feed.post", "createdAt": created, "langs": ["en"],
              "text": extra.pop("text", "a post")} | extra.pop("record", {})
    return {"uri": uri, "cid": "bafyreigb666sdjyyaczcahxmf5tzh7dec6bwr3nhdab7llebn7vhsxzgr4",
            "author": author, "record": record, "replyCount": 0, "repostCount": 0,
            "likeCount": 0, "quoteCount": 0, "indexedAt": created, "labels": []} | extra


def _sample(name: str) -> dict[str, Any]:
    return dict(json.loads(shared_path(f"{XRPC}/{name}").read_text()))


def _appview() -> dict[str, Callable[[Query], tuple[int, dict[str, Any]]]]:
    """XRPC method → answer, from the real samples plus AppView-shaped fixtures."""
    sdk = _profile(SDK, "Python SDK", handle="test.marshal.dev")
    thread = _sample("thread_view_post_with_embed_media.json")
    p2 = _post(P2, sdk, "2023-10-02T10:00:00.000Z", likeCount=3, repostCount=1, quoteCount=1)
    gone = _post(GONE, sdk, "2023-10-03T10:00:00.000Z", likeCount=9)
    pages: dict[str | None, dict[str, Any]] = {
        None: {"feed": [{"post": gone}, {"post": thread["thread"]["post"]}, {"post": p2}, {
            "post": _post(OTHER, _profile(C, "Cee"), "2023-10-01T08:00:00.000Z"),
            "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": sdk,
                       "uri": f"at://{SDK}/app.bsky.feed.repost/3kb2bbbbbbb2a",
                       "indexedAt": "2023-10-01T09:00:00.000Z"}}], "cursor": "page2"},
        "page2": {"feed": [{"post": _post(OLD, sdk, "2023-01-01T00:00:00.000Z")}],
                  "cursor": "page3"},
        "page3": {"feed": []},
    }
    likes = {None: {"uri": P2, "cursor": "l2", "likes": [
        {"actor": _profile(B, "Bee"), "createdAt": "2023-10-02T11:00:00.000Z",
         "indexedAt": "2023-10-02T11:00:01.000Z"},
        {"actor": _profile(C, "Cee"), "createdAt": "2023-10-02T12:00:00.000Z",
         "indexedAt": "2023-10-02T12:00:01.000Z"}]},
        "l2": {"uri": P2, "likes": [{"actor": _profile(D, "Dee"),
                                     "createdAt": "2023-10-03T00:00:00.000Z",
                                     "indexedAt": "2023-10-03T00:00:01.000Z"}]}}
    reply = _post(f"at://{C}/app.bsky.feed.post/3kb2ccccccc2a", _profile(C, "Cee"),
                  "2023-10-02T13:00:00.000Z", record={"reply": {
                      "root": {"uri": P2, "cid": "bafyrei"}, "parent": {"uri": P2, "cid": "x"}}})
    quote = _post(f"at://{B}/app.bsky.feed.post/3kb2ddddddd2a", _profile(B, "Bee"),
                  "2023-10-02T14:00:00.000Z", record={"embed": {
                      "$type": "app.bsky.embed.record", "record": {"uri": P2, "cid": "x"}}})

    def by_uri(answers: dict[str, dict[str, Any]], empty: dict[str, Any]) -> Any:
        def answer(q: Query) -> tuple[int, dict[str, Any]]:
            uri = q["uri"][0]
            if uri == GONE:
                return 400, {"error": "NotFound", "message": "Post not found"}
            return 200, answers.get(uri, empty)
        return answer

    return {
        "app.bsky.actor.getProfile": lambda q: (200, sdk | {"followersCount": 42}),
        "app.bsky.feed.getAuthorFeed": lambda q: (200, pages[q.get("cursor", [None])[0]]),
        "app.bsky.feed.getLikes": lambda q: (400, {"error": "NotFound"}) if q["uri"][0] == GONE
        else (200, likes[q.get("cursor", [None])[0]] if q["uri"][0] == P2
              else {"uri": q["uri"][0], "likes": []}),
        "app.bsky.feed.getRepostedBy": by_uri({P2: {"uri": P2, "repostedBy": [
            _profile(D, "Dee")]}}, {"repostedBy": []}),
        "app.bsky.feed.getQuotes": by_uri({P2: {"uri": P2, "posts": [quote]}}, {"posts": []}),
        "app.bsky.feed.getPostThread": by_uri({THREAD_POST: thread, P2: {"thread": {
            "$type": "app.bsky.feed.defs#threadViewPost", "post": p2, "replies": [
                {"$type": "app.bsky.feed.defs#threadViewPost", "post": reply, "replies": []}]}}},
            {"error": "NotFound"}),
        "app.bsky.graph.getFollows": lambda q: (200, _sample("get_follows.json")),
        "app.bsky.graph.getFollowers": lambda q: (200, {"subject": sdk, "followers": [
            _profile(B, "Bee"), _profile(D, "Dee")]}),
    }


class _AppView:
    """A threaded HTTP server on 127.0.0.1 that logs every request it answers."""

    def __init__(self, routes: dict[str, Callable[[Query], tuple[int, dict[str, Any]]]]) -> None:
        self.requests: list[tuple[str, Query]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                method = url.path.removeprefix("/xrpc/")
                query = parse_qs(url.query)
                outer.requests.append((method, query))
                route = routes.get(method)
                status, body = route(query) if route else (
                    501, {"error": "MethodNotImplemented", "message": method})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def called(self, method: str) -> list[Query]:
        return [q for m, q in self.requests if m == method]


@pytest.fixture
def appview() -> Iterator[_AppView]:
    server = _AppView(_appview())
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(renown.sources.FORMATS, "bluesky-xrpc", "renown.sources.bluesky_xrpc")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


@pytest.mark.shared_data
def test_pull_writes_raw_responses(appview: _AppView, tmp_path: Path) -> None:
    since = datetime(2023, 6, 1, tzinfo=UTC)
    folder = pull_bluesky("test.marshal.dev", since, tmp_path / "pulls", appview.url,
                          top_posts=3, include_follows=True)
    assert folder.parent == tmp_path / "pulls" and folder.name.startswith("test.marshal.dev-")
    # The feed is paged until a page reaches back before `since`; page 3 is never asked.
    assert [q.get("cursor") for q in appview.called("app.bsky.feed.getAuthorFeed")] == [
        None, ["page2"]]
    assert appview.called("app.bsky.feed.getAuthorFeed")[0]["actor"] == [SDK]
    # Top 3 own posts since `since` by engagement: the vanished one, P2, the sample thread.
    assert [q["uri"][0] for q in appview.called("app.bsky.feed.getLikes")] == [
        GONE, P2, P2, THREAD_POST]
    assert [q.get("cursor") for q in appview.called("app.bsky.feed.getLikes")][2] == ["l2"]
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "0001-app.bsky.actor.getProfile.json" and names[-1] == "_pull.json"
    assert len(names) == len(appview.requests)  # every call but the 400, plus _pull.json
    notes = json.loads((folder / "_pull.json").read_text())
    assert (notes["did"], notes["calls"], notes["top_posts"]) == (
        SDK, len(names) - 1, [GONE, P2, THREAD_POST])
    assert notes["skipped"][0].startswith(f"{GONE}: app.bsky.feed.getLikes failed")
    thread = next(p for p in folder.iterdir() if p.name.endswith("getPostThread.json")
                  and THREAD_POST in p.read_text())
    assert json.loads(thread.read_text()) == _sample("thread_view_post_with_embed_media.json")


@pytest.mark.shared_data
def test_pulled_folder_ingests(appview: _AppView, tmp_path: Path,
                               con: duckdb.DuckDBPyConnection) -> None:
    folder = pull_bluesky("test.marshal.dev", datetime(2023, 6, 1, tzinfo=UTC),
                          tmp_path / "pulls", appview.url, top_posts=3, include_follows=True)
    report = ingest(con, folder, "bluesky-xrpc")
    assert report.quarantined == 0
    reactions = _rows(con, "SELECT kind, actor, ts FROM events WHERE subject = "
                           f"'{SDK}' AND kind <> 'follow' ORDER BY ts")
    assert reactions == [
        ("like", B, datetime(2023, 10, 2, 11)), ("like", C, datetime(2023, 10, 2, 12)),
        ("reply", C, datetime(2023, 10, 2, 13)), ("quote", B, datetime(2023, 10, 2, 14)),
        ("like", D, datetime(2023, 10, 3))]
    assert _rows(con, "SELECT event_id, subject, parent_id FROM events WHERE kind = 'reshare'"
                 ) == [(f"at://{SDK}/app.bsky.feed.repost/3kb2bbbbbbb2a", C, OTHER)]
    assert _rows(con, f"SELECT count(*) FROM events WHERE kind = 'follow' AND actor = '{SDK}'"
                 ) == [(6,)]
    # Every own post of the fetched pages is stored, the older page-2 post included.
    assert _rows(con, f"SELECT count(*) FROM events WHERE actor = '{SDK}' AND kind IN "
                      "('post', 'quote')") == [(5,)]
    assert _rows(con, f"SELECT display_name, followers FROM accounts WHERE account = '{SDK}'"
                 ) == [("Python SDK", 42)]
    assert ingest(con, folder, "bluesky-xrpc").already_ingested


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(pull_bluesky_command)
    return app


@pytest.mark.shared_data
def test_pull_command(appview: _AppView, tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    result = CliRunner().invoke(_cli(), [
        "test.marshal.dev", "--since", "2023-06-01", "--out", str(tmp_path / "p"),
        "--base-url", appview.url, "--db", str(db), "--top-posts", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ingested"]["quarantined"] == 0 and summary["ingested"]["ingested"] > 0
    assert Path(summary["folder"]).is_dir()
    con = connect(db)
    try:
        assert _rows(con, "SELECT count(*) FROM events WHERE kind = 'like'") == [(3,)]
    finally:
        con.close()
    result = CliRunner().invoke(_cli(), ["test.marshal.dev", "--out", str(tmp_path / "q"),
                                         "--base-url", appview.url, "--no-ingest",
                                         "--top-posts", "0", "--db", str(tmp_path / "n.duckdb")])
    assert result.exit_code == 0, result.output
    assert "pulled test.marshal.dev into" in result.output
    assert not (tmp_path / "n.duckdb").exists()
    # No --since: the feed is read to its end (page 3 is empty).
    assert len(appview.called("app.bsky.feed.getAuthorFeed")) == 2 + 3


def test_pull_failures(tmp_path: Path) -> None:
    server = _AppView({"app.bsky.actor.getProfile": lambda q: (200, {"did": SDK,
                                                                     "handle": "a.test"}),
                       "app.bsky.feed.getAuthorFeed": lambda q: (500, {"error": "Internal"})})
    server.thread.start()
    try:
        with pytest.raises(PullError, match=r"app\.bsky\.feed\.getAuthorFeed failed"):
            pull_bluesky("a.test", None, tmp_path, server.url)
        [partial] = tmp_path.iterdir()
        assert partial.name.endswith(".partial")
        assert [p.name for p in partial.iterdir()] == ["0001-app.bsky.actor.getProfile.json"]
        result = CliRunner().invoke(_cli(), ["a.test", "--out", str(tmp_path), "--base-url",
                                             server.url, "--db", str(tmp_path / "r.duckdb")])
        assert result.exit_code == 1
        assert "getAuthorFeed failed" in result.output
        result = CliRunner().invoke(_cli(), ["a.test", "--since", "last week"])
        assert result.exit_code == 2 and "--since 'last week'" in result.output
    finally:
        server.server.shutdown()
        server.server.server_close()


def test_parse_since() -> None:
    now = datetime(2025, 3, 31, 12, tzinfo=UTC)
    assert parse_since(None) is None and parse_since(" ") is None
    assert parse_since("30d", now) == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert parse_since("2025-01-31") == datetime(2025, 1, 31, tzinfo=UTC)
    assert parse_since("2025-01-31T12:00:00Z") == datetime(2025, 1, 31, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected a date"):
        parse_since("yesterday")
