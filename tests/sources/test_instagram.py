"""The instagram and instagram-api sources, on fixtures built to the documented structures.

No real export exists here.  The export fixture follows the layout of Meta's
"Download your information" for Instagram (Accounts Center, 2023–2024 JSON:
``your_instagram_activity/content/posts_1.json``, ``.../comments/
post_comments_1.json``, ``.../likes/liked_posts.json``,
``connections/followers_and_following/followers_1.json`` and
``following.json``, ``personal_information/personal_information/
personal_information.json``) with its quirks: UTF-8 written as latin-1
escapes, the 2024 ``following.json`` that moved the user name from
``value`` to ``title``, and the HTML variant's ``uiBoxWhite`` blocks with a
"Jan 05, 2024 10:22 am" date.  The API fixture follows the Instagram Graph
API reference (``GET /{ig-user-id}/media`` with ``comments{...,replies}``
field expansion, ``GET /{ig-user-id}?fields=username,followers_count``,
``GET /{media-id}/insights``).
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.instagram import read, sniff
from renown.sources.instagram_api import read as read_api
from renown.store.ingest import ingest
from tests.sources.test_facebook import mangle, write_export

FUZZ = settings(max_examples=30, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
T0 = 1704450153  # 2024-01-05 10:22:33 UTC


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mangle(data), indent=2), encoding="ascii")


def _entry(account: str, ts: int, *, in_title: bool = False) -> dict[str, object]:
    item: dict[str, object] = {"href": f"https://www.instagram.com/{account}", "timestamp": ts}
    if not in_title:
        item["value"] = account
    return {"title": account if in_title else "", "media_list_data": [],
            "string_list_data": [item]}


def write_instagram(folder: Path) -> Path:
    activity = folder / "your_instagram_activity"
    _dump(folder / "personal_information" / "personal_information" /
          "personal_information.json", {"profile_user": [{"string_map_data": {
              "Username": {"href": "", "value": "Renee.Dupont", "timestamp": 0},
              "Name": {"href": "", "value": "Renée Dupont", "timestamp": 0}}}]})
    _dump(activity / "content" / "posts_1.json", [
        {"media": [{"uri": "media/posts/202401/1.jpg", "creation_timestamp": T0,
                    "title": "Café et graphes ☕"}]},
        {"media": [{"uri": "media/posts/202401/2.jpg", "creation_timestamp": T0 + 60},
                   {"uri": "media/posts/202401/3.jpg", "creation_timestamp": T0 + 60}],
         "title": "Carousel", "creation_timestamp": T0 + 60},
        {"media": [{"uri": "media/posts/202401/4.jpg", "title": "no time"}]},
    ])
    _dump(activity / "content" / "reels.json", {"ig_reels_media": [
        {"media": [{"uri": "media/reels/1.mp4", "creation_timestamp": T0 + 120,
                    "title": "Reel about PageRank"}]}]})
    _dump(activity / "content" / "stories.json", {"ig_stories": [
        {"uri": "media/stories/1.jpg", "creation_timestamp": T0 + 180, "title": ""}]})
    _dump(activity / "comments" / "post_comments_1.json", [
        {"media_list_data": [{"uri": ""}], "string_map_data": {
            "Comment": {"value": "Très beau !"}, "Media Owner": {"value": "bob.smith"},
            "Time": {"timestamp": T0 + 240}}},
        {"string_map_data": {"Comment": {"value": "mine"}, "Media Owner": {
            "value": "renee.dupont"}, "Time": {"timestamp": T0 + 300}}},
        {"string_map_data": {"Comment": {"value": "when?"}}},
    ])
    _dump(activity / "likes" / "liked_posts.json", {"likes_media_likes": [
        {"title": "carol_j", "string_list_data": [
            {"href": "https://www.instagram.com/p/C1aBcDeF/", "value": "👍",
             "timestamp": T0 + 360}]}]})
    followers = folder / "connections" / "followers_and_following"
    _dump(followers / "followers_1.json", [_entry("bob.smith", T0 - 86400),
                                           _entry("carol_j", T0 - 3600)])
    _dump(followers / "following.json", {"relationships_following": [
        _entry("dave.k", T0 - 7200, in_title=True)]})
    inbox = activity / "messages" / "inbox" / "bob_1"
    inbox.mkdir(parents=True)
    (inbox / "message_1.json").write_text("not read")
    return folder


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_export_events(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    report = ingest(con, write_instagram(tmp_path / "instagram-renee-2024-05-01-x"), "instagram")
    assert (report.ingested, report.quarantined) == (10, 2)
    assert _rows(con, "SELECT ts, actor, kind, subject, text, tags FROM events "
                      "WHERE kind = 'post' ORDER BY ts") == [
        (datetime(2024, 1, 5, 10, 22, 33), "renee.dupont", "post", None, "Café et graphes ☕",
         None),
        (datetime(2024, 1, 5, 10, 23, 33), "renee.dupont", "post", None, "Carousel", None),
        (datetime(2024, 1, 5, 10, 24, 33), "renee.dupont", "post", None,
         "Reel about PageRank", ["reel"]),
        (datetime(2024, 1, 5, 10, 25, 33), "renee.dupont", "post", None, None, ["story"]),
    ]
    assert _rows(con, "SELECT actor, kind, subject, text, parent_id FROM events "
                      "WHERE kind IN ('comment', 'like') ORDER BY ts") == [
        ("renee.dupont", "comment", "bob.smith", "Très beau !", None),
        ("renee.dupont", "comment", None, "mine", None),     # on her own post
        ("renee.dupont", "like", "carol_j", None, "C1aBcDeF"),
    ]
    assert _rows(con, "SELECT actor, subject, ts FROM events WHERE kind = 'follow' "
                      "ORDER BY ts") == [
        ("bob.smith", "renee.dupont", datetime(2024, 1, 4, 10, 22, 33)),
        ("renee.dupont", "dave.k", datetime(2024, 1, 5, 8, 22, 33)),
        ("carol_j", "renee.dupont", datetime(2024, 1, 5, 9, 22, 33)),
    ]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file") == [
        ("post_comments_1.json", 3,
         "record without a time (no timestamp it could be dated by)"),
        ("posts_1.json", 3, "post without a creation_timestamp"),
    ]
    again = ingest(con, tmp_path / "instagram-renee-2024-05-01-x", "instagram",
                   SourceOptions(network="instagram"))
    assert (again.ingested, again.duplicates) == (0, 10)


HTML_COMMENTS = """<html><head><meta charset="utf-8"><title>Comments</title></head><body>
<div class="_a705"><div class="_a706" role="main">
<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder">
 <div class="_3-95 _a6-p"><table style="table-layout: fixed;">
  <tr><td class="_2pin _a6_q">Comment<div><div>Très beau &amp; clair</div></div></td></tr>
  <tr><td class="_2pin _a6_q">Media Owner<div><div>bob.smith</div></div></td></tr>
  <tr><td class="_2pin _a6_q">Time</td><td class="_2piu _a6_r">Jan 05, 2024 10:22 am</td></tr>
 </table></div></div>
<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder">
 <div class="_3-95 _a6-p"><table><tr><td>Comment</td><td>no date</td></tr></table></div></div>
</div></div></body></html>"""

HTML_FOLLOWERS = """<html><body><div role="main">
<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder"><div class="_3-95 _a6-p"><div><div>
<a target="_blank" href="https://www.instagram.com/carol_j">carol_j</a></div>
<div>Jan 04, 2024 9:05 pm</div></div></div></div>
</div></body></html>"""


def test_html_variant(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "instagram-renee-2024-05-01-html"
    comments = folder / "your_instagram_activity" / "comments" / "post_comments_1.html"
    comments.parent.mkdir(parents=True)
    comments.write_text(HTML_COMMENTS, encoding="utf-8")
    followers = folder / "connections" / "followers_and_following" / "followers_1.html"
    followers.parent.mkdir(parents=True)
    followers.write_text(HTML_FOLLOWERS, encoding="utf-8")
    assert detect_format(folder) == "instagram"
    report = ingest(con, folder, "instagram")
    assert (report.ingested, report.quarantined) == (2, 1)
    assert _rows(con, "SELECT ts, actor, kind, subject, text FROM events ORDER BY ts") == [
        (datetime(2024, 1, 4, 21, 5), "carol_j", "follow", "renee", None),
        (datetime(2024, 1, 5, 10, 22), "renee", "comment", "bob.smith",
         "Très beau & clair"),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (2, "record without a time (no timestamp it could be dated by)")]


def test_facebook_and_instagram_exports_are_told_apart(tmp_path: Path) -> None:
    assert detect_format(write_instagram(tmp_path / "ig")) == "instagram"
    assert detect_format(write_export(tmp_path / "fb")) == "facebook"
    both = write_export(tmp_path / "both")
    write_instagram(both)  # a Facebook export holding Instagram-looking files stays Facebook
    assert detect_format(both) == "facebook"
    assert not sniff(tmp_path / "fb", b"")


def test_unusable_exports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="not an Instagram export"):
        ingest(con, tmp_path / "empty", "instagram")
    broken = tmp_path / "broken" / "content" / "posts_1.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('[{"media": [')
    with pytest.raises(SourceError, match=r"posts_1\.json: malformed JSON at line 1"):
        ingest(con, tmp_path / "broken", "instagram")
    odd = tmp_path / "odd" / "followers_1.json"
    odd.parent.mkdir()
    odd.write_text('{"a": [1], "b": [2]}')
    report = ingest(con, tmp_path / "odd", "instagram")
    assert (report.ingested, report.quarantined) == (0, 1)


# -- Graph API ---------------------------------------------------------------------------------

def write_graph(folder: Path) -> Path:
    """Two saved pages of /me/media (comments expanded), the /me user, and insights."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "me.json").write_text(json.dumps(
        {"id": "17841400000000001", "username": "renee.dupont", "followers_count": 1520,
         "media_count": 2}))
    (folder / "media_page1.json").write_text(json.dumps({"data": [
        {"id": "17895695668004550", "caption": "Café et graphes", "media_type": "IMAGE",
         "media_product_type": "FEED", "permalink": "https://www.instagram.com/p/C1aBcDeF/",
         "timestamp": "2024-01-05T10:22:33+0000", "owner": {"id": "17841400000000001"},
         "like_count": 87, "comments_count": 2, "comments": {"data": [
             {"id": "17858893269000001", "text": "Magnifique", "timestamp":
              "2024-01-05T11:00:00+0000", "username": "bob.smith",
              "from": {"id": "178414", "username": "bob.smith"}, "replies": {"data": [
                  {"id": "17858893269000002", "text": "Merci Bob", "timestamp":
                   "2024-01-05T12:00:00+0000", "username": "renee.dupont"}]}}]}}],
        "paging": {"cursors": {"after": "QVFIUk"}, "next":
                   "https://graph.facebook.com/v19.0/17841400000000001/media?after=QVFIUk"}}))
    (folder / "media_page2.json").write_text(json.dumps({"data": [
        {"id": "17895695668004551", "caption": "Reel", "media_type": "VIDEO",
         "media_product_type": "REELS", "timestamp": "2024-01-06T09:00:00+0000",
         "username": "renee.dupont"},
        {"id": "17858893269000003", "text": "a comment listed on its own", "timestamp":
         "2024-01-06T10:00:00+0000", "username": "carol_j",
         "media": {"id": "17895695668004551"}},
        {"id": "17895695668004552", "media_type": "IMAGE", "timestamp": "yesterday",
         "username": "renee.dupont"},
        {"what": "is this"},
    ]}))
    (folder / "insights.json").write_text(json.dumps({"data": [
        {"name": "reach", "period": "lifetime", "values": [{"value": 1200}],
         "title": "Reach", "id": "17895695668004550/insights/reach/lifetime"}]}))
    return folder


def test_graph_api_events(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_graph(tmp_path / "graph")
    assert detect_format(folder) == "instagram-api"
    report = ingest(con, folder, "instagram-api")
    assert (report.ingested, report.quarantined) == (5, 2)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text FROM events "
                      "ORDER BY ts") == [
        ("ig-17895695668004550", datetime(2024, 1, 5, 10, 22, 33), "renee.dupont", "post",
         None, None, "Café et graphes"),
        ("ig-17858893269000001", datetime(2024, 1, 5, 11), "bob.smith", "comment",
         "renee.dupont", "17895695668004550", "Magnifique"),
        ("ig-17858893269000002", datetime(2024, 1, 5, 12), "renee.dupont", "reply",
         "bob.smith", "17858893269000001", "Merci Bob"),
        ("ig-17895695668004551", datetime(2024, 1, 6, 9), "renee.dupont", "post", None, None,
         "Reel"),
        ("ig-17858893269000003", datetime(2024, 1, 6, 10), "carol_j", "comment",
         "renee.dupont", "17895695668004551", "a comment listed on its own"),
    ]
    assert _rows(con, "SELECT reason FROM quarantine ORDER BY record") == [
        ("missing or unparseable timestamp 'yesterday'",),
        ("not a media, thread, comment, user or insights object (media_page2.json)",)]
    assert _rows(con, "SELECT followers FROM accounts WHERE account = 'renee.dupont' "
                      "AND network = 'instagram'") == [(1520,)]


def test_graph_api_refuses_what_is_not_json(con: duckdb.DuckDBPyConnection,
                                            tmp_path: Path) -> None:
    path = tmp_path / "media.json"
    path.write_text('{"data": [{"id": 1,')
    with pytest.raises(SourceError, match=r"media\.json: malformed JSON"):
        ingest(con, path, "instagram-api")


# -- fuzzing -----------------------------------------------------------------------------------

def _drain(batches: object) -> None:
    try:
        for batch in batches:  # type: ignore[attr-defined]
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from([
                         "media", "title", "creation_timestamp", "string_map_data",
                         "string_list_data", "value", "href", "timestamp", "Comment",
                         "Media Owner", "Time", "data", "id", "caption", "media_type",
                         "username", "comments", "replies", "text", "from"]), inner,
                         max_size=5), max_leaves=25)


@FUZZ
@given(_JSON, st.sampled_from(["posts_1.json", "post_comments_1.json", "liked_posts.json",
                               "followers_1.json", "following.json", "reels.json"]))
def test_fuzz_export_json(tmp_path: Path, data: object, name: str) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / "posts_1.json").write_text("[]")
    (folder / name).write_text(json.dumps(data), encoding="utf-8")
    _drain(read(folder, SourceOptions()))


@FUZZ
@given(st.text(alphabet=st.sampled_from('<>/="div class uiBoxWhite td tr a href Jan 05, 2024'
                                        ' 10:22 am\n&;'), max_size=400))
def test_fuzz_export_html(tmp_path: Path, html: str) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "post_comments_1.html").write_text(html, encoding="utf-8")
    _drain(read(folder, SourceOptions()))


@FUZZ
@given(_JSON)
def test_fuzz_graph_api(tmp_path: Path, data: object) -> None:
    path = tmp_path / "media.json"
    path.write_text(json.dumps({"data": [data]} if not isinstance(data, dict) else data))
    _drain(read_api(path, SourceOptions()))


@FUZZ
@given(st.randoms(use_true_random=False))
def test_fuzz_mutated_graph_payload(tmp_path: Path, rnd: random.Random) -> None:
    folder = tmp_path / "graph"
    if not folder.exists():
        write_graph(folder)
    file = folder / "media_page1.json"
    pristine = tmp_path / "pristine"
    if not pristine.exists():
        pristine.write_bytes(file.read_bytes())
    data = bytearray(pristine.read_bytes())
    for _ in range(rnd.randint(1, 6)):
        data[rnd.randrange(len(data))] = rnd.choice(b'{}[]",:0\\u\n')
    file.write_bytes(bytes(data))
    _drain(read_api(folder, SourceOptions()))
