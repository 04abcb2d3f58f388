"""The youtube-api and youtube-takeout sources, on fixtures built to the documented structures.

No real payload or Takeout exists here.  The API fixtures follow the YouTube
Data API v3 reference (resources ``youtube#video``, ``youtube#playlistItem``,
``youtube#commentThread`` with ``snippet.topLevelComment`` and
``replies.comments``, ``youtube#comment`` from ``comments.list`` with
``parentId``, ``youtube#channel`` with ``statistics.subscriberCount`` and
``hiddenSubscriberCount``, ``youtube#subscription``).  The Takeout fixture
follows the "YouTube and YouTube Music" folder of Google Takeout since 2023:
``channels/channel.csv``, ``video metadata/videos.csv``,
``comments/comments.csv`` (its ``Comment Text`` as JSON fragments, a text
spanning lines, Takeout's split ``comments(1).csv``) and
``subscriptions/subscriptions.csv`` (no dates).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.youtube_api import read as read_api
from renown.sources.youtube_takeout import comment_text
from renown.sources.youtube_takeout import read as read_takeout
from renown.store.ingest import ingest

FUZZ = settings(max_examples=30, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
ANN = "UCann0000000000000000000"
BO = "UCbo00000000000000000000"
CY = "UCcy00000000000000000000"


def _comment(ident: str, author: str, name: str, text: str, when: str,
             parent: str | None = None) -> dict[str, object]:
    snippet: dict[str, object] = {
        "channelId": ANN, "videoId": "dQw4w9WgXcQ", "textDisplay": text.replace("&", "&amp;"),
        "textOriginal": text, "authorDisplayName": name,
        "authorChannelUrl": f"http://www.youtube.com/channel/{author}",
        "authorChannelId": {"value": author}, "canRate": True, "viewerRating": "none",
        "likeCount": 4, "publishedAt": when, "updatedAt": when}
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "etag": "x", "id": ident, "snippet": snippet}


def write_api(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "videos.json").write_text(json.dumps({
        "kind": "youtube#videoListResponse", "etag": "e", "items": [
            {"kind": "youtube#video", "etag": "e", "id": "dQw4w9WgXcQ", "snippet": {
                "publishedAt": "2024-01-05T10:22:33Z", "channelId": ANN,
                "title": "Fractions & pizza", "description": "A lesson.",
                "channelTitle": "Ann teaches", "tags": ["Maths", "teaching"],
                "defaultLanguage": "en"},
             "statistics": {"viewCount": "1520", "likeCount": "87", "commentCount": "3"}},
            {"kind": "youtube#video", "id": "noTime00000", "snippet": {"channelId": ANN}}],
        "pageInfo": {"totalResults": 2, "resultsPerPage": 2}}))
    (folder / "commentThreads.json").write_text(json.dumps({
        "kind": "youtube#commentThreadListResponse", "nextPageToken": "QURTSl",
        "items": [{"kind": "youtube#commentThread", "id": "UgzTop1", "snippet": {
            "channelId": ANN, "videoId": "dQw4w9WgXcQ", "canReply": True,
            "totalReplyCount": 1, "isPublic": True,
            "topLevelComment": _comment("UgzTop1", BO, "Bo", "Best explanation & so clear",
                                        "2024-01-05T11:00:00Z")},
            "replies": {"comments": [_comment("UgzTop1.AbC", ANN, "Ann teaches", "Thanks Bo!",
                                              "2024-01-05T12:00:00Z", "UgzTop1")]}},
            {"kind": "youtube#commentThread", "id": "UgzGone", "snippet": {
                "channelId": ANN, "videoId": "dQw4w9WgXcQ", "topLevelComment": {
                    "kind": "youtube#comment", "id": "UgzGone", "snippet": {
                        "textOriginal": "author deleted", "publishedAt":
                        "2024-01-05T13:00:00Z"}}}}]}))
    (folder / "comments.json").write_text(json.dumps({
        "kind": "youtube#commentListResponse", "items": [
            _comment("UgzTop1.DeF", CY, "Cy", "+1", "2024-01-06T09:00:00Z", "UgzTop1")]}))
    (folder / "channels.json").write_text(json.dumps({
        "kind": "youtube#channelListResponse", "items": [
            {"kind": "youtube#channel", "id": ANN, "snippet": {"title": "Ann teaches"},
             "statistics": {"viewCount": "9000", "subscriberCount": "1200",
                            "hiddenSubscriberCount": False, "videoCount": "42"}},
            {"kind": "youtube#channel", "id": BO, "snippet": {"title": "Bo"},
             "statistics": {"subscriberCount": "0", "hiddenSubscriberCount": True}}]}))
    (folder / "subscriptions.json").write_text(json.dumps({
        "kind": "youtube#subscriptionListResponse", "items": [
            {"kind": "youtube#subscription", "id": "sub1", "snippet": {
                "publishedAt": "2023-12-01T08:00:00Z", "title": "Ann teaches",
                "channelId": CY, "resourceId": {"kind": "youtube#channel",
                                                "channelId": ANN}}},
            {"kind": "youtube#playlist", "id": "PL1"}]}))
    return folder


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_data_api(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_api(tmp_path / "api")
    assert detect_format(folder) == "youtube-api"
    report = ingest(con, folder, "youtube-api")
    assert (report.ingested, report.quarantined) == (5, 3)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text FROM events "
                      "ORDER BY ts") == [
        (f"follow-{CY}-{ANN}", datetime(2023, 12, 1, 8), CY, "follow", ANN, None, None),
        ("yt-dQw4w9WgXcQ", datetime(2024, 1, 5, 10, 22, 33), ANN, "post", None, None,
         "Fractions & pizza\n\nA lesson."),
        ("yt-comment-UgzTop1", datetime(2024, 1, 5, 11), BO, "comment", ANN, "dQw4w9WgXcQ",
         "Best explanation & so clear"),
        ("yt-comment-UgzTop1.AbC", datetime(2024, 1, 5, 12), ANN, "reply", BO, "UgzTop1",
         "Thanks Bo!"),
        ("yt-comment-UgzTop1.DeF", datetime(2024, 1, 6, 9), CY, "reply", BO, "UgzTop1", "+1"),
    ]
    assert _rows(con, "SELECT tags, lang, url FROM events WHERE kind = 'post'") == [
        (["maths", "teaching"], "en", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")]
    assert _rows(con, "SELECT reason FROM quarantine ORDER BY record") == [  # files by name
        ("comment without an id or an authorChannelId (deleted author?)",),
        ("not a YouTube item this source reads (kind 'youtube#playlist')",),
        ("missing or unparseable publishedAt None",)]
    assert _rows(con, "SELECT account, display_name, followers FROM accounts "
                      "WHERE followers IS NOT NULL OR account = 'UCbo00000000000000000000' "
                      "ORDER BY account") == [(ANN, "Ann teaches", 1200), (BO, "Bo", None)]


def test_a_payload_that_is_not_youtube_is_refused(con: duckdb.DuckDBPyConnection,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "videos.json"
    path.write_text('{"kind": "youtube#videoListResponse", "items": []}')
    with pytest.raises(SourceError, match="no items in the payload"):
        ingest(con, path, "youtube-api")


def write_takeout(folder: Path) -> Path:
    root = folder / "Takeout" / "YouTube and YouTube Music"
    for sub in ("channels", "video metadata", "comments", "subscriptions"):
        (root / sub).mkdir(parents=True)
    (root / "channels" / "channel.csv").write_text(
        "Channel ID,Channel Title (Original),Channel Visibility\n"
        f"{ANN},Ann teaches,Public\n")
    (root / "video metadata" / "videos.csv").write_text(
        "Video ID,Approx Duration (ms),Video Audio Language,Video Category,"
        "Video Description (Original),Channel ID,Video Title (Original),Privacy,Video State,"
        "Video Create Timestamp,Video Publish Timestamp\n"
        f'dQw4w9WgXcQ,212000,en,Education,"A lesson,\nwith a second line",{ANN},'
        "Fractions,Public,Processed,2024-01-05T10:00:00+00:00,2024-01-05T10:22:33+00:00\n"
        f"prvt0000000,1000,en,Education,,{ANN},Draft,Private,Processed,"
        "2024-01-06T10:00:00+00:00,\n"
        f"noTime00000,1000,en,Education,,{ANN},Broken,Public,Processed,,\n")
    (root / "comments" / "comments.csv").write_text(
        "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Post ID,"
        "Video ID,Comment Text\n"
        f'UgwC1,{ANN},2024-01-07T08:00:00+00:00,0,,,abcdefghijk,'
        '"{""text"":""Great ""},{""text"":""talk!""}"\n')
    (root / "comments" / "comments(1).csv").write_text(
        "Comment ID,Channel ID,Comment Create Timestamp,Price,Parent Comment ID,Post ID,"
        "Video ID,Comment Text\n"
        f'UgwC2.x,{ANN},2024-01-08T08:00:00+00:00,0,UgwC0,,abcdefghijk,plain text\n'
        "broken,row\n")
    subscriptions = root / "subscriptions" / "subscriptions.csv"
    subscriptions.write_text("Channel Id,Channel Url,Channel Title\n"
                             f"{BO},http://www.youtube.com/channel/{BO},Bo\n")
    os.utime(subscriptions, (1704067200, 1704067200))  # Takeout wrote it on 2024-01-01
    return folder / "Takeout"


def test_takeout(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_takeout(tmp_path)
    assert detect_format(folder) == "youtube-takeout"
    report = ingest(con, folder, "youtube-takeout")
    assert (report.ingested, report.quarantined) == (4, 2)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text FROM events "
                      "ORDER BY ts") == [
        (f"follow-{ANN}-{BO}", datetime(2024, 1, 1), ANN, "follow", BO, None, None),
        ("yt-dQw4w9WgXcQ", datetime(2024, 1, 5, 10, 22, 33), ANN, "post", None, None,
         "Fractions\n\nA lesson,\nwith a second line"),
        ("yt-comment-UgwC1", datetime(2024, 1, 7, 8), ANN, "comment", None, "abcdefghijk",
         "Great talk!"),
        ("yt-comment-UgwC2.x", datetime(2024, 1, 8, 8), ANN, "reply", None, "UgwC0",
         "plain text"),
    ]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file") == [
        ("comments(1).csv", 3, "unexpected number of columns (2)"),
        ("videos.csv", 5, "video without a Video ID, a Channel ID or a timestamp")]


def test_takeout_and_api_name_a_video_the_same_way(con: duckdb.DuckDBPyConnection,
                                                   tmp_path: Path) -> None:
    ingest(con, write_takeout(tmp_path / "t"), "youtube-takeout")
    report = ingest(con, write_api(tmp_path / "api"), "youtube-api")
    assert report.duplicates == 1  # yt-dQw4w9WgXcQ is in both


def test_comment_text() -> None:
    assert comment_text('{"text":"a "},{"text":"b"}') == "a b"
    assert comment_text('{"text":"x"},{"mention":"@bo"}') == "x"
    assert comment_text("{not json") == "{not json"
    assert comment_text("") is None


# -- fuzzing -----------------------------------------------------------------------------------

def _drain(batches: object) -> None:
    try:
        for batch in batches:  # type: ignore[attr-defined]
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30)
                     | st.sampled_from(["youtube#video", "youtube#commentThread",
                                        "youtube#comment", "youtube#channel",
                                        "youtube#subscription", "2024-01-05T10:22:33Z"]),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from([
                         "kind", "items", "id", "snippet", "channelId", "videoId",
                         "topLevelComment", "replies", "comments", "authorChannelId", "value",
                         "publishedAt", "parentId", "resourceId", "statistics",
                         "subscriberCount", "title"]), inner, max_size=5), max_leaves=25)


@FUZZ
@given(_JSON)
def test_fuzz_api(tmp_path: Path, data: object) -> None:
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(data))
    _drain(read_api(path, SourceOptions()))


@FUZZ
@given(st.text(alphabet=st.sampled_from('Video ID,Channel ID,Comment Create Timestamp"\n{}'
                                        ':2024-01-05T10:22:33 text'), max_size=300))
def test_fuzz_takeout(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "takeout"
    folder.mkdir(exist_ok=True)
    (folder / "comments.csv").write_text("Comment ID,Channel ID,Comment Create Timestamp,"
                                         "Video ID,Comment Text\n" + text)
    (folder / "videos.csv").write_text(text)
    _drain(read_takeout(folder, SourceOptions()))
