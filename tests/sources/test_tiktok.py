"""The tiktok and tiktok-api sources, on fixtures built to the documented structures.

No real export exists here.  The export fixture follows TikTok's "Download
your data" JSON (``user_data.json``) as its support page describes it and
as open-source readers of it (qvipin/TikTok-UserData-Toolkit) read it:
``Video.Videos.VideoList`` with ``Date``/``Link``/``Likes``,
``Comment.Comments.CommentsList`` with lower-case ``date``/``comment`` (the
2024 files changed the case), ``Activity."Like List".ItemFavoriteList``,
``Activity."Follower List".FansList``, ``Activity."Following
List".Following``, ``Profile."Profile Information".ProfileMap``; the newer
section names ("Your Activity", "Post", "Profile And Settings") are in the
second fixture, and the TXT variant is a folder of ``Key: value`` blocks.
The API fixtures follow TikTok for Developers' Research API reference
(``/v2/research/video/query/``, ``/v2/research/video/comment/list/``:
comments carry no user), and the Display API's ``/v2/user/info/`` and
``/v2/video/list/``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.tiktok import read
from renown.sources.tiktok_api import read as read_api
from renown.store.ingest import ingest

FUZZ = settings(max_examples=30, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
VIDEO = "https://www.tiktokv.com/share/video/7320000000000000001/"


def user_data() -> dict[str, object]:
    return {
        "Activity": {
            "Like List": {"ItemFavoriteList": [
                {"Date": "2024-01-03 08:00:00", "Link": VIDEO.replace("01/", "99/")}]},
            "Follower List": {"FansList": [{"Date": "2024-01-02 09:00:00", "UserName": "bo"},
                                           {"Date": "2024-01-02 09:30:00"}]},
            "Following List": {"Following": [{"Date": "2024-01-01 10:00:00",
                                              "UserName": "@Cara"}]},
            "Video Browsing History": {"VideoList": [  # watched, not posted: no events
                {"Date": "2024-01-02 20:00:00", "Link": VIDEO.replace("01/", "77/")}]},
        },
        "Comment": {"Comments": {"CommentsList": [
            {"date": "2024-01-04 12:00:00", "comment": "so good 😂", "photo": "N/A",
             "url": ""}]}},
        "Video": {"Videos": {"VideoList": [
            {"Date": "2024-01-05 10:22:33", "Link": VIDEO, "Likes": "12", "Sound": "",
             "Location": ""},
            {"Date": "not a date", "Link": VIDEO}]}},
        "Profile": {"Profile Information": {"ProfileMap": {"userName": "Ann.Lee",
                                                           "bioDescription": "maths"}}},
    }


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_json_export(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "user_data.json"
    path.write_text(json.dumps(user_data(), ensure_ascii=False), encoding="utf-8")
    assert detect_format(path) == "tiktok"
    report = ingest(con, path, "tiktok")
    assert (report.ingested, report.quarantined) == (5, 2)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text FROM events "
                      "ORDER BY ts") == [
        ("follow-ann.lee-cara", datetime(2024, 1, 1, 10), "ann.lee", "follow", "cara", None,
         None),
        ("follow-bo-ann.lee", datetime(2024, 1, 2, 9), "bo", "follow", "ann.lee", None, None),
        (_rows(con, "SELECT event_id FROM events WHERE kind = 'like'")[0][0],
         datetime(2024, 1, 3, 8), "ann.lee", "like", None, "7320000000000000099", None),
        (_rows(con, "SELECT event_id FROM events WHERE kind = 'comment'")[0][0],
         datetime(2024, 1, 4, 12), "ann.lee", "comment", None, None, "so good 😂"),
        ("tt-7320000000000000001", datetime(2024, 1, 5, 10, 22, 33), "ann.lee", "post", None,
         None, None),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY reason") == [
        (2, "followers record without a UserName"),
        (2, "video record without a readable Date")]


def test_newer_section_names(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    data = {"Your Activity": {"Like List": {"ItemFavoriteList": [
                {"date": "2024-02-01 08:00:00", "link": VIDEO}]}},
            "Post": {"Posts": {"VideoList": [{"Date": "2024-02-02 08:00:00", "Link": VIDEO,
                                              "Title": "Fractions in 30 s"}]}},
            "Profile And Settings": {"Profile Info": {"ProfileMap": {"userName": "ann"}},
                                     "Follower": {"FansList": [
                                         {"Date": "2024-02-03 08:00:00", "UserName": "zed"}]}}}
    path = tmp_path / "user_data_tiktok.json"
    path.write_text(json.dumps(data))
    assert ingest(con, path, "tiktok").ingested == 3
    assert _rows(con, "SELECT kind, actor, subject, text FROM events ORDER BY ts") == [
        ("like", "ann", None, None), ("post", "ann", None, "Fractions in 30 s"),
        ("follow", "zed", "ann", None)]


def test_txt_export(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "TikTok_Data_1704450153"
    (folder / "Activity").mkdir(parents=True)
    (folder / "Videos").mkdir()
    (folder / "Profile").mkdir()
    (folder / "Profile" / "Profile Info.txt").write_text("Username: ann\nBio: maths\n")
    (folder / "Activity" / "Follower List.txt").write_text(
        "Date: 2024-01-02 09:00:00\nUsername: bo\n\nDate: 2024-01-02 10:00:00\nUsername: cy\n")
    (folder / "Videos" / "Videos.txt").write_text(
        f"Date: 2024-01-05 10:22:33\nLink: {VIDEO}\nLike(s): 12\n\n"
        "Date: yesterday\nLink: x\n")
    (folder / "Activity" / "Like List.txt").write_text(
        f"Date: 2024-01-03 08:00:00\nLink: {VIDEO}\n\nstray line\n")
    assert detect_format(folder) == "tiktok"
    report = ingest(con, folder, "tiktok")
    assert (report.ingested, report.quarantined) == (4, 2)
    assert _rows(con, "SELECT kind, actor, subject FROM events ORDER BY ts") == [
        ("follow", "bo", "ann"), ("follow", "cy", "ann"), ("like", "ann", None),
        ("post", "ann", None)]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file") == [
        ("Like List.txt", 4, "like record without a readable Date"),
        ("Videos.txt", 5, "video record without a readable Date")]


def test_not_an_export(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "user_data.json"
    path.write_text("[1, 2]")
    with pytest.raises(SourceError, match="not a TikTok export"):
        ingest(con, path, "tiktok")


# -- Research / Display API --------------------------------------------------------------------

def _response(data: object, code: str = "ok") -> str:
    return json.dumps({"data": data, "error": {"code": code, "message": "",
                                               "log_id": "202401050000000000"}})


def write_api(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "query.json").write_text(_response({"videos": [
        {"id": 7320000000000000001, "create_time": 1704450153, "username": "ann.lee",
         "region_code": "FR", "video_description": "Fractions #maths", "like_count": 120,
         "comment_count": 2, "hashtag_names": ["maths", "teacher"]},
        {"id": 7320000000000000002, "username": "ann.lee"}],
        "cursor": 2, "has_more": False, "search_id": "7320"}))
    (folder / "comments.json").write_text(_response({"comments": [
        {"id": 7320000000000100001, "video_id": 7320000000000000001, "text": "merci !",
         "like_count": 3, "reply_count": 1, "parent_comment_id": 7320000000000000001,
         "create_time": 1704453753},
        {"id": 7320000000000100002, "video_id": 7320000000000000001, "text": "de rien",
         "parent_comment_id": 7320000000000100001, "create_time": 1704457353}],
        "cursor": 2, "has_more": False}))
    (folder / "followers.json").write_text(_response({"user_followers": [
        {"display_name": "Bo", "username": "bo"}], "cursor": 1, "has_more": False}))
    return folder


def test_research_api(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_api(tmp_path / "research")
    assert detect_format(folder) == "tiktok-api"
    report = ingest(con, folder, "tiktok-api")
    assert (report.ingested, report.quarantined) == (3, 2)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text, tags "
                      "FROM events ORDER BY ts") == [
        ("tt-7320000000000000001", datetime(2024, 1, 5, 10, 22, 33), "ann.lee", "post", None,
         None, "Fractions #maths", ["maths", "teacher"]),
        ("tt-comment-7320000000000100001", datetime(2024, 1, 5, 11, 22, 33),
         "~tiktok-commenters-7320000000000000001", "comment", "ann.lee",
         "7320000000000000001", "merci !", None),
        ("tt-comment-7320000000000100002", datetime(2024, 1, 5, 12, 22, 33),
         "~tiktok-commenters-7320000000000000001", "reply", None, "7320000000000100001",
         "de rien", None),
    ]
    assert sorted(r for (r,) in _rows(con, "SELECT reason FROM quarantine")) == [
        "user_followers response: it does not name whose list this is (the user is only in "
        "the request) (followers.json)",
        "video without an id, a username (or the set's user info) or a create_time"]


def test_display_api_takes_the_user_from_the_set(con: duckdb.DuckDBPyConnection,
                                                 tmp_path: Path) -> None:
    folder = tmp_path / "display"
    folder.mkdir()
    (folder / "user.json").write_text(_response({"user": {
        "open_id": "-000abc", "username": "Ann.Lee", "display_name": "Ann Lee",
        "follower_count": 5400}}))
    (folder / "videos.json").write_text(_response({"videos": [
        {"id": "7320000000000000003", "create_time": 1704450153, "title": "Hello",
         "share_url": "https://www.tiktok.com/@ann.lee/video/7320000000000000003"}],
        "cursor": 0, "has_more": False}))
    assert ingest(con, folder, "tiktok-api").ingested == 1
    assert _rows(con, "SELECT actor, text FROM events") == [("ann.lee", "Hello")]
    assert _rows(con, "SELECT display_name, followers FROM accounts WHERE account = "
                      "'ann.lee'") == [("Ann Lee", 5400)]


def test_an_error_response_is_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "query.json"
    path.write_text(_response({}, code="access_token_invalid"))
    with pytest.raises(SourceError, match="error code 'access_token_invalid'"):
        ingest(con, path, "tiktok-api")


# -- fuzzing -----------------------------------------------------------------------------------

def _drain(batches: object) -> None:
    try:
        for batch in batches:  # type: ignore[attr-defined]
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from([
                         "VideoList", "CommentsList", "ItemFavoriteList", "FansList",
                         "Following", "ProfileMap", "Date", "Link", "UserName", "userName",
                         "data", "error", "code", "videos", "comments", "user", "id",
                         "create_time", "username", "video_id"]), inner, max_size=5),
                     max_leaves=25)


@FUZZ
@given(_JSON)
def test_fuzz_export(tmp_path: Path, data: object) -> None:
    path = tmp_path / "user_data.json"
    path.write_text(json.dumps(data))
    _drain(read(path, SourceOptions()))


@FUZZ
@given(st.text(alphabet=st.sampled_from("Date: Link Username\n2024-01-05 10:22:33 /video/7"),
               max_size=300))
def test_fuzz_txt(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "txt"
    folder.mkdir(exist_ok=True)
    (folder / "Like List.txt").write_text(text)
    (folder / "Videos.txt").write_text(text[::-1])
    _drain(read(folder, SourceOptions()))


@FUZZ
@given(_JSON)
def test_fuzz_api(tmp_path: Path, data: object) -> None:
    path = tmp_path / "query.json"
    path.write_text(json.dumps({"data": data, "error": {"code": "ok"}}))
    _drain(read_api(path, SourceOptions()))
