"""The threads and threads-api sources, on fixtures built to the documented structures.

No real export or payload exists here.  The export fixture follows Meta's
Accounts Center "Download your information" for Threads, in the Instagram
export's shapes: ``your_instagram_activity/threads/threads_and_replies.json``
(``text_post_app_text_posts``: ``media[].title`` is the text),
``liked_threads.json`` (``text_post_app_media_likes``), ``followers.json``
and ``following.json`` (``text_post_app_text_app_followers`` /
``..._following``), with Meta's latin-1 mis-encoding.  The API fixture
follows the Threads API reference: ``GET /me/threads`` (``id``,
``media_product_type: THREADS``, ``media_type``, ``text``, ``timestamp``,
``username``, ``permalink``, ``is_quote_post``, ``quoted_post``,
``reposted_post``), ``GET /{id}/replies`` (``replied_to``, ``root_post``,
``is_reply``) and ``GET /{id}/insights`` (``views``, ``likes``...).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.threads import read
from renown.sources.threads_api import read as read_api
from renown.store.ingest import ingest
from tests.sources.test_facebook import mangle
from tests.sources.test_instagram import T0, write_instagram

FUZZ = settings(max_examples=30, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mangle(data)), encoding="ascii")


def write_threads(folder: Path) -> Path:
    threads = folder / "your_instagram_activity" / "threads"
    _dump(threads / "threads_and_replies.json", {"text_post_app_text_posts": [
        {"media": [{"uri": "", "creation_timestamp": T0, "title": "Les fractions, enfin ✨",
                    "media_metadata": {}, "cross_post_source": {"source_app": "THREADS"}}]},
        {"media": [{"uri": "", "title": "no time"}]}]})
    _dump(threads / "liked_threads.json", {"text_post_app_media_likes": [
        {"title": "bob.smith", "string_list_data": [
            {"href": "https://www.threads.net/@bob.smith/post/C1x", "timestamp": T0 + 60}]}]})
    _dump(threads / "followers.json", {"text_post_app_text_app_followers": [
        {"title": "", "string_list_data": [{"href": "https://www.threads.net/@carol_j",
                                            "value": "carol_j", "timestamp": T0 - 60}]}]})
    _dump(threads / "following.json", {"text_post_app_text_app_following": [
        {"title": "dave.k", "string_list_data": [{"href": "https://www.threads.net/@dave.k",
                                                  "timestamp": T0 - 120}]}]})
    return folder


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_export(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_threads(tmp_path / "instagram-renee.dupont-2024-05-01-x")
    assert detect_format(folder) == "threads"
    report = ingest(con, folder, "threads")
    assert (report.ingested, report.quarantined) == (4, 1)
    assert _rows(con, "SELECT network, ts, actor, kind, subject, text FROM events "
                      "ORDER BY ts") == [
        ("threads", datetime(2024, 1, 5, 10, 20, 33), "renee.dupont", "follow", "dave.k", None),
        ("threads", datetime(2024, 1, 5, 10, 21, 33), "carol_j", "follow", "renee.dupont",
         None),
        ("threads", datetime(2024, 1, 5, 10, 22, 33), "renee.dupont", "post", None,
         "Les fractions, enfin ✨"),
        ("threads", datetime(2024, 1, 5, 10, 23, 33), "renee.dupont", "like", "bob.smith",
         None),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (2, "thread without a creation_timestamp")]


def test_an_instagram_export_with_threads_is_instagram_unless_told(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_threads(write_instagram(tmp_path / "instagram-renee-2024-05-01-x"))
    assert detect_format(folder) == "instagram"
    ingest(con, folder, "instagram")
    assert _rows(con, "SELECT count(*) FROM events WHERE text LIKE 'Les fractions%'") == [(0,)]
    assert ingest(con, folder, "threads").ingested == 4  # its Threads part, asked for


def write_api(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "threads.json").write_text(json.dumps({"data": [
        {"id": "18050206876707110", "media_product_type": "THREADS", "media_type": "TEXT_POST",
         "permalink": "https://www.threads.net/@renee.dupont/post/C1a", "username":
         "renee.dupont", "text": "Fractions thread", "timestamp": "2024-01-05T10:22:33+0000",
         "shortcode": "C1a", "is_quote_post": False},
        {"id": "18050206876707111", "media_product_type": "THREADS",
         "media_type": "REPOST_FACADE", "username": "renee.dupont",
         "timestamp": "2024-01-06T09:00:00+0000", "reposted_post": {"id": "18050206876707200"}},
    ], "paging": {"cursors": {"before": "BA", "after": "AB"}}}))
    (folder / "replies.json").write_text(json.dumps({"data": [
        {"id": "18050206876707200", "media_product_type": "THREADS", "media_type":
         "TEXT_POST", "text": "So clear, thanks", "username": "bob.smith", "timestamp":
         "2024-01-05T11:00:00+0000", "is_reply": True, "replied_to": {
             "id": "18050206876707110"}, "root_post": {"id": "18050206876707110"}},
        {"id": "18050206876707201", "media_product_type": "THREADS", "media_type":
         "TEXT_POST", "text": "Quoting", "username": "carol_j", "timestamp":
         "2024-01-05T12:00:00+0000", "is_quote_post": True,
         "quoted_post": {"id": "18050206876707110"}},
        {"id": "18050206876707202", "media_product_type": "THREADS", "media_type":
         "TEXT_POST", "text": "who am I"}]}))
    (folder / "insights.json").write_text(json.dumps({"data": [
        {"name": "views", "period": "lifetime", "values": [{"value": 430}], "title": "Views",
         "id": "18050206876707110/insights/views/lifetime"}]}))
    return folder


def test_api(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_api(tmp_path / "api")
    assert detect_format(folder) == "threads-api"
    report = ingest(con, folder, "threads-api")
    assert (report.ingested, report.quarantined) == (4, 1)
    assert _rows(con, "SELECT event_id, actor, kind, subject, parent_id, text FROM events "
                      "ORDER BY ts") == [
        ("th-18050206876707110", "renee.dupont", "post", None, None, "Fractions thread"),
        ("th-18050206876707200", "bob.smith", "reply", "renee.dupont", "18050206876707110",
         "So clear, thanks"),
        ("th-18050206876707201", "carol_j", "quote", "renee.dupont", "18050206876707110",
         "Quoting"),
        ("th-18050206876707111", "renee.dupont", "reshare", "bob.smith",
         "18050206876707200", None),
    ]
    assert _rows(con, "SELECT reason FROM quarantine") == [
        ("content without an id or a username (request the id and username fields)",)]


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30)
                     | st.just("THREADS"),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from([
                         "data", "id", "media_product_type", "media_type", "text",
                         "timestamp", "username", "replied_to", "quoted_post",
                         "reposted_post", "media", "title", "creation_timestamp",
                         "string_list_data", "text_post_app_text_posts"]), inner,
                         max_size=5), max_leaves=25)


def _drain(batches: object) -> None:
    try:
        for batch in batches:  # type: ignore[attr-defined]
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


@FUZZ
@given(_JSON)
def test_fuzz_api(tmp_path: Path, data: object) -> None:
    path = tmp_path / "threads.json"
    path.write_text(json.dumps(data))
    _drain(read_api(path, SourceOptions()))


@FUZZ
@given(_JSON, st.sampled_from(["threads_and_replies.json", "liked_threads.json",
                               "followers.json", "following.json"]))
def test_fuzz_export(tmp_path: Path, data: object, name: str) -> None:
    folder = tmp_path / "threads"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / "threads_and_replies.json").write_text("[]")
    (folder / name).write_text(json.dumps(data))
    _drain(read(folder, SourceOptions()))
