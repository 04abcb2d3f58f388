"""The github source, on fixtures built to GitHub's event types reference and GH Archive.

No real file is read here.  Event objects follow GitHub's "Event types"
reference (``id``, ``type``, ``actor.login``, ``repo.name``, ``payload``,
``public``, ``created_at``; ``WatchEvent``, ``ForkEvent`` with
``payload.forkee``, ``IssuesEvent``/``PullRequestEvent`` with ``action``,
``IssueCommentEvent`` with ``payload.issue.user`` and ``payload.comment``,
``PullRequestReviewEvent``); the Events API answers a JSON array of them;
GH Archive publishes one hour per file, ``2015-01-01-15.json.gz``, one event
a line, and its 2011–2014 timeline files name the actor as a string and the
repository as ``repository.owner``/``name``.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.github import read
from renown.store.ingest import ingest

FUZZ = settings(max_examples=30, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _event(ident: int, kind: str, actor: str, repo: str, when: str,
           payload: dict[str, object] | None = None) -> dict[str, object]:
    return {"id": str(ident), "type": kind, "actor": {
        "id": ident, "login": actor, "display_login": actor, "gravatar_id": "",
        "url": f"https://api.github.com/users/{actor}"},
        "repo": {"id": 1, "name": repo, "url": f"https://api.github.com/repos/{repo}"},
        "payload": payload or {}, "public": True, "created_at": when}


def events() -> list[dict[str, object]]:
    issue = {"html_url": "https://github.com/Ann/graphs/issues/7", "title": "Faster PageRank",
             "body": "Idea", "user": {"login": "Ann"}}
    return [
        _event(1, "WatchEvent", "bo", "Ann/graphs", "2015-01-01T15:00:01Z",
               {"action": "started"}),
        _event(2, "ForkEvent", "cy", "Ann/graphs", "2015-01-01T15:00:02Z",
               {"forkee": {"full_name": "cy/graphs"}}),
        _event(3, "IssuesEvent", "Ann", "Ann/graphs", "2015-01-01T15:00:03Z",
               {"action": "opened", "issue": issue}),
        _event(4, "IssueCommentEvent", "bo", "Ann/graphs", "2015-01-01T15:00:04Z",
               {"action": "created", "issue": issue, "comment": {
                   "html_url": "https://github.com/Ann/graphs/issues/7#issuecomment-1",
                   "body": "+1, with a benchmark"}}),
        _event(5, "PushEvent", "Ann", "Ann/graphs", "2015-01-01T15:00:05Z", {"size": 1}),
        _event(6, "IssuesEvent", "Ann", "Ann/graphs", "2015-01-01T15:00:06Z",
               {"action": "closed", "issue": issue}),
        _event(7, "WatchEvent", "dee", "Ann/graphs", "not a time"),
        _event(8, "MysteryEvent", "dee", "Ann/graphs", "2015-01-01T15:00:08Z"),
    ]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_gh_archive_hour(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "2015-01-01-15.json.gz"
    lines = [json.dumps(e) for e in events()] + ["{broken"]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    assert detect_format(path) == "github"
    report = ingest(con, path, "github")
    assert (report.ingested, report.quarantined) == (4, 3)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text FROM events "
                      "ORDER BY ts") == [
        ("gh-1", datetime(2015, 1, 1, 15, 0, 1), "bo", "like", "ann", "ann/graphs", None),
        ("gh-2", datetime(2015, 1, 1, 15, 0, 2), "cy", "reshare", "ann", "ann/graphs", None),
        ("gh-3", datetime(2015, 1, 1, 15, 0, 3), "ann", "post", None, None,
         "Faster PageRank\n\nIdea"),
        ("gh-4", datetime(2015, 1, 1, 15, 0, 4), "bo", "comment", "ann",
         "https://github.com/Ann/graphs/issues/7", "+1, with a benchmark"),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (7, "event without a type, an actor login or a created_at"),
        (8, "unknown GitHub event type 'MysteryEvent'"),
        (9, "not a JSON object (an event)")]


def test_events_api_array_and_old_timeline(con: duckdb.DuckDBPyConnection,
                                           tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events()[:2], indent=2))
    assert detect_format(path) == "github"
    assert ingest(con, path, "github").ingested == 2
    old = tmp_path / "2012-03-10-23.json"
    old.write_text(json.dumps({
        "type": "FollowEvent", "actor": "bo", "created_at": "2012-03-10T23:00:00-08:00",
        "payload": {"target": {"login": "Ann"}}, "repository": {}}) + "\n" + json.dumps({
        "type": "WatchEvent", "actor": "cy", "created_at": "2012-03-10T23:10:00-08:00",
        "payload": {"action": "started"}, "repository": {"owner": "Ann", "name": "graphs"}}) + "\n")
    assert ingest(con, old, "github").ingested == 2
    assert _rows(con, "SELECT ts, actor, kind, subject FROM events WHERE event_id LIKE "
                      "'timeline-%' ORDER BY ts") == [
        (datetime(2012, 3, 11, 7), "bo", "follow", "ann"),
        (datetime(2012, 3, 11, 7, 10), "cy", "like", "ann")]


def test_an_empty_or_truncated_file_is_refused(con: duckdb.DuckDBPyConnection,
                                               tmp_path: Path) -> None:
    empty = tmp_path / "2015-01-01-16.json"
    empty.write_text("\n")
    with pytest.raises(SourceError, match="no events in the file"):
        ingest(con, empty, "github")
    cut = tmp_path / "2015-01-01-17.json.gz"
    cut.write_bytes(gzip.compress(json.dumps(events()[0]).encode() * 50)[:60])
    with pytest.raises(SourceError, match="truncated or corrupt"):
        ingest(con, cut, "github")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30)
                     | st.sampled_from(["WatchEvent", "ForkEvent", "IssueCommentEvent",
                                        "2015-01-01T15:00:00Z", "opened"]),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from([
                         "id", "type", "actor", "login", "repo", "name", "payload", "action",
                         "issue", "user", "comment", "body", "created_at", "forkee",
                         "repository", "owner", "target"]), inner, max_size=5),
                     max_leaves=25)


@FUZZ
@given(st.lists(_JSON, max_size=5), st.booleans())
def test_fuzz(tmp_path: Path, records: list[object], as_array: bool) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(records) if as_array
                    else "".join(json.dumps(r) + "\n" for r in records))
    try:
        for batch in read(path, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass
