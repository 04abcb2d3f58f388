"""The mastodon-api and mastodon-archive sources: real API payloads, archive fixtures, fuzzing."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import renown.sources
from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import Rejection
from renown.sources.mastodon import account_from_url, account_id, snowflake_time
from renown.sources.mastodon_api import read as read_api
from renown.sources.mastodon_api import sniff as sniff_api
from renown.sources.mastodon_archive import keep_real_items
from renown.sources.mastodon_archive import read as read_archive
from renown.sources.mastodon_archive import sniff as sniff_archive
from renown.store.ingest import ingest
from tests.conftest import shared_path

API = "formats/mastodon-api"
HOST = "localhost:3000"
TEST, ADMIN, TEST2 = f"mastodonpy_test@{HOST}", f"admin@{HOST}", f"mastodonpy_test_2@{HOST}"
STATUS_URI = f"http://{HOST}/ap/users/{{}}/statuses/{{}}"
TEST_ID, ADMIN_ID = "117020565966271181", "117020565693913441"


@pytest.fixture(autouse=True)
def _formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the formats for these tests (the lead registers them for real)."""
    monkeypatch.setitem(renown.sources.FORMATS, "mastodon-api", "renown.sources.mastodon_api")
    monkeypatch.setitem(renown.sources.FORMATS, "mastodon-archive",
                        "renown.sources.mastodon_archive")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _uri(account_number: str, status: str) -> str:
    return STATUS_URI.format(account_number, status)


def _sample(name: str) -> Any:
    return json.loads((shared_path(API) / name).read_text(encoding="utf-8"))


def _folder(tmp_path: Path, **files: Any) -> Path:
    folder = tmp_path / "payloads"
    folder.mkdir(parents=True, exist_ok=True)
    for name, payload in files.items():
        (folder / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")
    return folder


# -- the real API payloads ---------------------------------------------------------------------

@pytest.mark.shared_data
def test_every_real_payload_ingests_completely(con: duckdb.DuckDBPyConnection,
                                               caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="renown.sources.mastodon_api"):
        report = ingest(con, shared_path(API), "mastodon-api")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        28, 28, 0, 0)
    assert dict(_rows(con, "SELECT kind, count(*) FROM events GROUP BY kind")) == {
        "post": 21, "reply": 1, "quote": 1, "reshare": 1, "mention": 2, "like": 2}
    assert _rows(con, "SELECT DISTINCT network FROM events") == [("mastodon",)]
    # The home timeline's two direct messages are private conversations: counted, not stored.
    assert "'direct message (private conversation): not stored': 2" in caplog.text
    assert _rows(con, "SELECT account, display_name, followers IS NOT NULL FROM accounts "
                      "ORDER BY account") == [
        (ADMIN, None, True), (TEST, "John Lennon", True), (TEST2, None, True)]


@pytest.mark.shared_data
def test_real_reply_reblog_quote_and_mention(con: duckdb.DuckDBPyConnection) -> None:
    ingest(con, shared_path(API), "mastodon-api")
    columns = "kind, actor, subject, parent_id, ts, text, lang"
    reply = _uri(ADMIN_ID, "117020583258292382")
    assert _rows(con, f"SELECT {columns} FROM events WHERE event_id = '{reply}'") == [
        ("reply", ADMIN, TEST2, None, datetime(2026, 8, 1, 13, 53, 15, 910000),
         "@mastodonpy_test_2 same!", "en")]
    # The reply already reacts to mastodonpy_test_2: no second (mention) reaction.
    assert _rows(con, f"SELECT count(*) FROM events WHERE event_id LIKE '{reply}#%'") == [(0,)]
    # The sample reblog is mastodonpy_test boosting its own status: a reshare, no subject.
    boosted = _uri(TEST_ID, "117020574416668515")
    assert _rows(con, "SELECT kind, actor, subject, parent_id, post_id, ts FROM events "
                      f"WHERE event_id = '{boosted}#reshare:{TEST}'") == [
        ("reshare", TEST, None, boosted, _uri(TEST_ID, "117020574424543529") + "/activity",
         datetime(2026, 8, 1, 13, 51, 1, 118000))]
    assert _rows(con, f"SELECT kind, text FROM events WHERE event_id = '{boosted}'") == [
        ("post", "Toot!")]
    quoting, quoted = _uri(TEST_ID, "117020583142008690"), _uri(TEST_ID, "117020583121982310")
    # A (self-)reply carrying a quote is a quote; the "RE: link" fallback paragraph is dropped.
    assert _rows(con, f"SELECT {columns} FROM events WHERE event_id = '{quoting}'") == [
        ("quote", TEST, None, quoted, datetime(2026, 8, 1, 13, 53, 14, 135000),
         "@mastodonpy_test yoooo check this out", "en")]
    assert _rows(con, f"SELECT kind, actor FROM events WHERE event_id = '{quoted}'") == [
        ("post", TEST)]
    mention = _uri(ADMIN_ID, "117020576916218297")
    assert _rows(con, "SELECT kind, actor, subject, post_id, ts FROM events "
                      f"WHERE event_id = '{mention}#mention:{TEST}'") == [
        ("mention", ADMIN, TEST, mention, datetime(2026, 8, 1, 13, 51, 39, 138000))]


@pytest.mark.shared_data
def test_real_grouped_favourite_expands_to_its_sample_accounts(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    payload = _sample("notifications_v2_grouped_favourite.json")
    folder = _folder(tmp_path, grouped=payload)
    ingest(con, folder, "mastodon-api")
    status = _uri(TEST_ID, "117020579695730951")
    assert _rows(con, "SELECT actor, subject, parent_id, ts FROM events WHERE kind = 'like' "
                      "ORDER BY actor") == [
        (ADMIN, TEST, status, datetime(2026, 8, 1, 13, 52, 23, 230000)),
        (TEST2, TEST, status, datetime(2026, 8, 1, 13, 52, 23, 230000))]
    # A group counting more notifications than it lists accounts: the rest is only counted.
    payload["notification_groups"][0]["notifications_count"] = 5
    again = _folder(tmp_path / "more", grouped=payload)
    with caplog.at_level(logging.INFO, logger="renown.sources.mastodon_api"):
        report = ingest(con, again, "mastodon-api")
    assert (report.ingested, report.duplicates) == (0, 3)
    assert "'grouped notifications not expandable (accounts not listed)': 3" in caplog.text


@pytest.mark.shared_data
def test_reblog_of_someone_else_reacts_to_the_original_author(
    con: duckdb.DuckDBPyConnection, tmp_path: Path,
) -> None:
    reblog = _sample("status_reblog.json")
    reblog["reblog"]["account"] = _sample("home_timeline.json")[1]["account"]  # admin's
    ingest(con, _folder(tmp_path, reblog=reblog), "mastodon-api")
    original = _uri(TEST_ID, "117020574416668515")
    assert _rows(con, "SELECT kind, actor, subject, parent_id FROM events ORDER BY kind") == [
        ("post", ADMIN, None, None), ("reshare", TEST, ADMIN, original)]


@pytest.mark.shared_data
def test_notifications_v1_reactions_and_follows_need_the_owner(
    con: duckdb.DuckDBPyConnection, tmp_path: Path,
) -> None:
    owner = _sample("account_statuses.json")[0]["account"]
    status = _sample("account_statuses.json")[0]
    admin = _sample("home_timeline.json")[1]["account"]
    notifications = [
        {"id": "40", "type": "favourite", "created_at": "2026-08-01T14:00:00.000Z",
         "account": admin, "status": status},
        {"id": "41", "type": "reblog", "created_at": "2026-08-01T14:01:00.000Z",
         "account": admin, "status": status},
        {"id": "42", "type": "follow", "created_at": "2026-08-01T14:02:00.000Z",
         "account": admin},
        {"id": "43", "type": "poll", "created_at": "2026-08-01T14:03:00.000Z",
         "account": admin},
    ]
    ingest(con, _folder(tmp_path, notifications=notifications, account=owner), "mastodon-api")
    uri = status["uri"]
    assert _rows(con, "SELECT event_id, kind, actor, subject, ts FROM events "
                      "WHERE kind <> 'post' ORDER BY ts") == [
        (f"{uri}#like:{ADMIN}", "like", ADMIN, TEST, datetime(2026, 8, 1, 14, 0)),
        (f"{uri}#reshare:{ADMIN}", "reshare", ADMIN, TEST, datetime(2026, 8, 1, 14, 1)),
        (f"{TEST}#follower:{ADMIN}", "follow", ADMIN, TEST, datetime(2026, 8, 1, 14, 2))]
    # Without account.json nobody can say who was followed: that notification is quarantined.
    lone = _folder(tmp_path / "lone", notifications=notifications)
    report = ingest(con, lone, "mastodon-api", SourceOptions(network="mastodon-b"))
    assert report.quarantined == 1
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine") == [
        ("notifications.json", 3, "follow notification, but the input has no account.json "
                                   "saying who was followed")]


def test_bad_records_are_quarantined_and_bad_json_refused(
    con: duckdb.DuckDBPyConnection, tmp_path: Path,
) -> None:
    account = {"id": "1", "username": "ann", "acct": "ann", "url": "https://a.example/@ann"}
    good = {"id": "5", "uri": "https://a.example/users/ann/statuses/5", "account": account,
            "created_at": "2024-01-01T00:00:00Z", "content": "<p>hi #x</p>",
            "tags": [{"name": "X"}], "visibility": "public", "mentions": [], "reblog": None}
    # Lone surrogates (valid JSON escapes, not UTF-8) and absurd counts must not break a batch.
    odd = good | {"uri": "https://a.example/users/ann/statuses/6", "content": "<p>\ud800!</p>",
                  "account": account | {"display_name": "\udfff", "followers_count": 10**30}}
    folder = _folder(tmp_path, statuses=[good, good | {"created_at": "soon"}, 7,
                                         good | {"account": {"acct": "nobody"}}, odd])
    report = ingest(con, folder, "mastodon-api")
    assert (report.ingested, report.quarantined) == (2, 3)
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (2, "status with missing or unparseable created_at 'soon'"),
        (3, "not a Mastodon status, notification or account"),
        (4, "status without a readable account (acct and profile url)")]
    assert _rows(con, "SELECT actor, tags, text FROM events ORDER BY event_id") == [
        ("ann@a.example", ["x"], "hi #x"), ("ann@a.example", ["x"], "?!")]
    assert _rows(con, "SELECT display_name, followers FROM accounts") == [("?", None)]
    (folder / "broken.json").write_text('[{"id": "6",', encoding="utf-8")
    with pytest.raises(SourceError, match=r"broken\.json: not valid JSON"):
        ingest(con, folder, "mastodon-api", SourceOptions(network="other"))


# -- account ids and URLs ----------------------------------------------------------------------

@pytest.mark.parametrize(("acct", "url", "expected"), [
    ("Gargron", "https://mastodon.social/@Gargron", "gargron@mastodon.social"),
    ("@bob@Other.Example", "https://other.example/@bob", "bob@other.example"),
    ("admin", "http://localhost:3000/@admin", "admin@localhost:3000"),
    ("ann", None, None), ("", "https://a.example/@x", None), ("a@b@c", None, None),
])
def test_account_ids(acct: str, url: str | None, expected: str | None) -> None:
    assert account_id(acct, url) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("https://h.example/users/Bob/statuses/1234567", "bob@h.example"),
    ("https://h.example/@bob/1234567", "bob@h.example"),
    ("https://h.example/@bob@far.example/1234567", "bob@far.example"),
    ("https://h.example/ap/users/1234567/statuses/7654321", None),
    ("https://pl.example/objects/9f3c", None), ("not a url", None),
])
def test_accounts_read_from_urls(url: str, expected: str | None) -> None:
    assert account_from_url(url) == expected


def test_snowflake_times() -> None:
    assert snowflake_time("111856110796800000") == datetime(2024, 2, 1, 12, 0)
    assert snowflake_time("https://h.example/users/a/statuses/111856110796800000") == \
        datetime(2024, 2, 1, 12, 0)
    assert snowflake_time("12345") is None  # a pre-2017 id carries no time
    assert snowflake_time("https://pl.example/objects/9f3c") is None


# -- the account archive (fixtures reproducing the real quirks) --------------------------------

OWNER = "alice@social.example"
SNOW = "111856110796800000"  # 2024-02-01T12:00:00Z
PUBLIC = ["https://www.w3.org/ns/activitystreams#Public"]
FOLLOWERS = ["https://social.example/users/alice/followers"]


def _note(number: int, published: str, **extra: Any) -> dict[str, Any]:
    uri = f"https://social.example/users/alice/statuses/11100000000000000{number}"
    note = {"id": uri, "type": "Note", "published": published, "url": uri,
            "attributedTo": "https://social.example/users/alice", "to": PUBLIC,
            "cc": FOLLOWERS, "content": f"<p>note {number}</p>", "contentMap": {"en": "x"},
            "tag": []}
    return note | extra


def _create(note: dict[str, Any]) -> dict[str, Any]:
    return {"id": note["id"] + "/activity", "type": "Create", "actor":
            "https://social.example/users/alice", "published": note["published"],
            "to": note["to"], "cc": note["cc"], "object": note}


def _announce(number: int, target: str, to: list[str] = PUBLIC) -> dict[str, Any]:
    return {"id": f"https://social.example/users/alice/statuses/2220{number}/activity",
            "type": "Announce", "actor": "https://social.example/users/alice",
            "published": f"2024-03-0{number}T10:00:00Z", "to": to, "cc": [], "object": target}


def _mention(href: str, name: str) -> dict[str, str]:
    return {"type": "Mention", "href": href, "name": name}


def archive_items() -> list[dict[str, Any]]:
    """The outbox of the fixture archive: one item for every rule."""
    bob = _mention("https://other.example/users/bob", "@bob@other.example")
    return [
        _create(_note(1, "2024-03-01T09:30:00Z", content="<p>Graphs! <a>#Graphs</a></p>",
                      tag=[{"type": "Hashtag", "name": "#Graphs"}, bob,
                           _mention("https://social.example/users/alice", "@alice")])),
        _create(_note(2, "2024-03-02T09:30:00Z", tag=[bob], summary="CW: graphs",
                      inReplyTo="https://other.example/users/bob/statuses/222")),
        _create(_note(3, "2024-03-03T09:30:00Z",
                      inReplyTo="https://new.example/ap/users/123456/statuses/987654",
                      tag=[_mention("https://new.example/ap/users/123456",
                                    "@carol@new.example")])),
        _announce(4, "https://other.example/@bob/112233445566778899"),
        _announce(5, "https://social.example/users/alice/statuses/111000000000000001"),
        _create(_note(6, "2024-03-06T09:30:00Z", to=["https://other.example/users/bob"],
                      cc=[], tag=[bob])),
        _create(_note(7, "2024-03-07T09:30:00Z", to=FOLLOWERS, cc=[],
                      quoteUri="https://third.example/users/dave/statuses/333")),
        {"id": "https://social.example/d/1", "type": "Delete", "object": "x"},
        _announce(9, "https://pl.example/objects/9f3c"),
        {"id": "https://social.example/x", "type": "Create", "published":
         "2024-03-10T00:00:00Z", "object": "https://social.example/users/alice/statuses/1"},
    ]


def write_archive(folder: Path, items: list[Any] | None = None) -> Path:
    body = json.dumps(archive_items() if items is None else items)
    folder.mkdir(parents=True, exist_ok=True)
    # Real archives repeat "orderedItems": an empty list first, then the real one.
    (folder / "outbox.json").write_text(
        '{"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", '
        '"type": "OrderedCollection", "totalItems": 12, "orderedItems": [], '
        f'"orderedItems": {body}}}', encoding="utf-8")
    (folder / "actor.json").write_text(json.dumps({
        "id": "https://social.example/users/alice", "type": "Person",
        "preferredUsername": "alice", "name": "Alice Example"}), encoding="utf-8")
    (folder / "likes.json").write_text(json.dumps({
        "type": "OrderedCollection", "orderedItems": [
            f"https://other.example/users/bob/statuses/{SNOW}",
            "https://pl.example/objects/abc", f"https://x.example/ap/users/1/statuses/{SNOW}"]}),
        encoding="utf-8")
    return folder


def test_archive_maps_every_activity(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                     caplog: pytest.LogCaptureFixture) -> None:
    folder = write_archive(tmp_path / "archive")
    with caplog.at_level(logging.INFO, logger="renown.sources.mastodon_archive"):
        report = ingest(con, folder, "mastodon-archive")
    assert (report.ingested, report.quarantined) == (10, 2)
    note = "https://social.example/users/alice/statuses/11100000000000000{}".format
    assert _rows(con, "SELECT event_id, kind, actor, subject, parent_id FROM events "
                      "ORDER BY ts, event_id") == [
        (f"https://other.example/users/bob/statuses/{SNOW}#like:{OWNER}", "like", OWNER,
         "bob@other.example", f"https://other.example/users/bob/statuses/{SNOW}"),
        (f"https://x.example/ap/users/1/statuses/{SNOW}#like:{OWNER}", "like", OWNER, None,
         f"https://x.example/ap/users/1/statuses/{SNOW}"),
        (note(1), "post", OWNER, None, None),
        (f"{note(1)}#mention:bob@other.example", "mention", OWNER, "bob@other.example", None),
        (note(2), "reply", OWNER, "bob@other.example",
         "https://other.example/users/bob/statuses/222"),
        (note(3), "reply", OWNER, "carol@new.example",
         "https://new.example/ap/users/123456/statuses/987654"),
        (f"https://other.example/@bob/112233445566778899#reshare:{OWNER}", "reshare", OWNER,
         "bob@other.example", "https://other.example/@bob/112233445566778899"),
        (f"{note(1)}#reshare:{OWNER}", "reshare", OWNER, None, note(1)),
        (note(7), "quote", OWNER, "dave@third.example",
         "https://third.example/users/dave/statuses/333"),
        (f"https://pl.example/objects/9f3c#reshare:{OWNER}", "reshare", OWNER, None,
         "https://pl.example/objects/9f3c"),
    ]
    assert _rows(con, f"SELECT ts, text, tags, lang FROM events WHERE event_id = '{note(1)}'"
                 ) == [(datetime(2024, 3, 1, 9, 30), "Graphs! #Graphs", ["graphs"], "en")]
    assert _rows(con, f"SELECT text FROM events WHERE event_id = '{note(2)}'") == [
        ("CW: graphs\n\nnote 2",)]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file, record") == [
        ("likes.json", 2, "liked URL carries no Mastodon status id, so the like has no time"),
        ("outbox.json", 10, "Create without an inline Note")]
    assert _rows(con, "SELECT display_name FROM accounts WHERE account = 'alice@social.example'"
                 ) == [("Alice Example",)]
    assert "totalItems says 12, the file holds 10 items" in caplog.text
    assert "'direct message (private conversation): not stored': 1" in caplog.text
    assert "'activity type Delete': 1" in caplog.text


def test_repeated_ordered_items_keep_the_real_list() -> None:
    for text in ('{"orderedItems": [], "orderedItems": [1, 2]}',
                 '{"orderedItems": [1, 2], "orderedItems": []}'):
        assert json.loads(text, object_pairs_hook=keep_real_items) == {"orderedItems": [1, 2]}
    assert json.loads('{"a": 1, "a": 2}', object_pairs_hook=keep_real_items) == {"a": 2}


def test_archive_without_its_files_is_refused(con: duckdb.DuckDBPyConnection,
                                              tmp_path: Path) -> None:
    folder = write_archive(tmp_path / "archive")
    (folder / "actor.json").unlink()
    with pytest.raises(SourceError, match=r"no actor\.json"):
        ingest(con, folder, "mastodon-archive")
    (folder / "actor.json").write_text("[]", encoding="utf-8")
    with pytest.raises(SourceError, match="not an ActivityPub actor"):
        ingest(con, folder, "mastodon-archive")
    assert _rows(con, "SELECT count(*) FROM events") == [(0,)]


# -- sniffing ----------------------------------------------------------------------------------

@pytest.mark.shared_data
def test_sniffing(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "archive")
    assert detect_format(archive) == "mastodon-archive"
    assert sniff_api(archive, b"") is False
    payloads = tmp_path / "pulled"
    payloads.mkdir()
    shutil.copy(shared_path(API) / "account_statuses.json", payloads / "statuses-0001.json")
    assert detect_format(payloads) == "mastodon-api"
    assert sniff_archive(payloads, b"") is False
    assert sniff_api(payloads / "statuses-0001.json", b"[") is False  # the format is a folder
    assert sniff_api(tmp_path / "missing", b"") is False
    (tmp_path / "empty").mkdir()
    assert sniff_api(tmp_path / "empty", b"") is False


# -- fuzzing: nothing but SourceError (whole input) or Rejection (one record) ------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from([
        "id", "uri", "url", "acct", "username", "account", "created_at", "content", "reblog",
        "quote", "quoted_status", "mentions", "tags", "name", "type", "status", "visibility",
        "in_reply_to_id", "in_reply_to_account_id", "notification_groups", "statuses",
        "accounts", "sample_account_ids", "status_id", "notifications_count",
        "latest_page_notification_at", "object", "orderedItems", "published", "tag", "to",
        "preferredUsername", "inReplyTo", "href"]), children, max_size=6),
    max_leaves=25)
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _drain(batches: Iterator[Any]) -> None:
    try:
        for batch in batches:
            assert all(isinstance(r, Rejection) for r in batch.rejections)
    except SourceError:
        pass


def _mutated(value: Any, data: st.DataObject) -> Any:
    """``value`` with a few of its members replaced by random JSON."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return value | {key: data.draw(JSON) if data.draw(st.booleans())
                        else _mutated(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(value) - 1))
        return [*value[:at], _mutated(value[at], data), *value[at + 1:]]
    return value if data.draw(st.booleans()) else data.draw(JSON)


@pytest.mark.shared_data
@FUZZ
@given(data=st.data())
def test_fuzz_api_payloads(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(p.name for p in shared_path(API).glob("*.json"))))
    folder = tmp_path_factory.mktemp("fuzz")
    payload = _mutated(_sample(name), data)
    (folder / name).write_text(json.dumps(payload), encoding="utf-8")
    if data.draw(st.booleans()):
        (folder / "account.json").write_text(json.dumps(data.draw(JSON)), encoding="utf-8")
    _drain(read_api(folder, SourceOptions()))


@FUZZ
@given(data=st.data(), actor=JSON, likes=JSON, raw=st.binary(max_size=64))
def test_fuzz_archive(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject,
                      actor: Any, likes: Any, raw: bytes) -> None:
    folder = write_archive(tmp_path_factory.mktemp("archive"), _mutated(archive_items(), data))
    _drain(read_archive(folder, SourceOptions()))
    (folder / "likes.json").write_text(json.dumps({"orderedItems": [likes]}), encoding="utf-8")
    _drain(read_archive(folder, SourceOptions()))
    (folder / "actor.json").write_text(json.dumps(actor), encoding="utf-8")
    _drain(read_archive(folder, SourceOptions()))
    (folder / "outbox.json").write_bytes(raw)
    _drain(read_archive(folder, SourceOptions()))
