"""The x-archive source: the real 2026 archive, small archives for each rule, fuzzing."""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import FORMATS, SourceError, SourceOptions
from renown.sources.base import BATCH_SCHEMA
from renown.sources.x_archive import read, sniff, snowflake_time
from renown.store.ingest import ingest
from tests.conftest import shared_path

ARCHIVE = "formats/twitter-archive"
OWNER = "1964312974236991488"
GENERATED = datetime(2026, 3, 6, 13, 15, 31, 187000)
FUZZ = settings(max_examples=40, deadline=2000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Works before and after the format is registered in renown.sources."""
    monkeypatch.setitem(FORMATS, "x-archive", "renown.sources.x_archive")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


# -- the real archive ----------------------------------------------------------------------

@pytest.mark.shared_data
def test_real_archive_ingests_completely(con: duckdb.DuckDBPyConnection,
                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="renown.sources.x_archive"):
        report = ingest(con, shared_path(ARCHIVE), "x-archive")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        664, 664, 0, 0)
    assert _rows(con, "SELECT kind, count(*), count(subject) FROM events GROUP BY kind "
                      "ORDER BY kind") == [
        ("follow", 228, 228), ("like", 300, 1), ("mention", 5, 5), ("post", 10, 0),
        ("quote", 2, 2), ("reply", 102, 100), ("reshare", 17, 12)]
    assert _rows(con, "SELECT count(DISTINCT actor) FROM events WHERE kind <> 'follow'") == [
        (1,)]
    assert "30 deleted tweets not ingested" in caplog.text
    # Deleted tweet 2029583929812873669 (a reply to Dominik_Kettner) is not an event.
    assert _rows(con, "SELECT count(*) FROM events WHERE post_id = '2029583929812873669'") == [
        (0,)]


@pytest.mark.shared_data
def test_real_archive_tweets(con: duckdb.DuckDBPyConnection) -> None:
    ingest(con, shared_path(ARCHIVE), "x-archive")
    sql = ("SELECT event_id, ts, actor, kind, subject, parent_id FROM events WHERE event_id IN "
           "('2029594138174210129', '2029594138174210129-quote', '2029604193200152772', "
           "'2029542712525897999', '2029905358261502168', '2029113669670334850', "
           "'2024767818445504644', '2024767818445504644-mention-1720665183188922368') "
           "ORDER BY event_id")
    assert _rows(con, sql) == [
        # "@grok why did twitter shadowban my account?": answers no tweet, so a post + mention.
        ("2024767818445504644", datetime(2026, 2, 20, 8, 47, 20), OWNER, "post", None, None),
        ("2024767818445504644-mention-1720665183188922368", datetime(2026, 2, 20, 8, 47, 20),
         OWNER, "mention", "1720665183188922368", "2024767818445504644"),
        # A quote of @UnshadowedShow, whose id the archive never gives.
        ("2029113669670334850", datetime(2026, 3, 4, 8, 36, 12), OWNER, "quote",
         "@unshadowedshow", "2029076181236994546"),
        # "RT @milahu104: ...": a retweet of the owner's own tweet is no reaction.
        ("2029542712525897999", datetime(2026, 3, 5, 13, 1, 4), OWNER, "reshare", None, None),
        # Reply to Dominik_Kettner that also links a tweet by MaxBlumenthal (53789862).
        ("2029594138174210129", datetime(2026, 3, 5, 16, 25, 25), OWNER, "reply", "782506632",
         "2029474547875840042"),
        ("2029594138174210129-quote", datetime(2026, 3, 5, 16, 25, 25), OWNER, "quote",
         "53789862", "2029326915606089865"),
        # "RT @StephanRPalm: @CDU ...": reshare of StephanRPalm; @CDU is his mention, not ours.
        ("2029604193200152772", datetime(2026, 3, 5, 17, 5, 22), OWNER, "reshare",
         "1750816407195959296", None),
        # A reply in the owner's own thread: no subject; "@SamaHoole" is the thread's addressee.
        ("2029905358261502168", datetime(2026, 3, 6, 13, 2, 5), OWNER, "reply", None,
         "2029903943413772741"),
    ]
    assert _rows(con, "SELECT count(*) FROM events WHERE event_id LIKE '2029604193200152772%'"
                 ) == [(1,)]
    text, lang, url = _rows(con, "SELECT text, lang, url FROM events "
                                 "WHERE event_id = '2029905358261502168'")[0]
    assert (text, lang) == ("@SamaHoole https://t.co/2UHqruPk7w", None)  # "qme": media only
    assert url == "https://x.com/milahu104/status/2029905358261502168"
    assert _rows(con, "SELECT tags FROM events WHERE event_id = '2029113669670334850'") == [
        (["blackout", "iceagefarmer", "unshadowed", "cyberpandemic"],)]


@pytest.mark.shared_data
def test_real_archive_likes_follows_and_accounts(con: duckdb.DuckDBPyConnection) -> None:
    ingest(con, shared_path(ARCHIVE), "x-archive")
    # The one like whose author the archive knows: the owner replied to that tweet.
    assert _rows(con, "SELECT ts, actor, subject, parent_id FROM events "
                      "WHERE event_id = 'like-2029433085998317711'") == [
        (datetime(2026, 3, 5, 5, 45, 27, 402000), OWNER, "611986351", "2029433085998317711")]
    assert _rows(con, "SELECT min(ts), max(ts), count(text) FROM events WHERE kind = 'like'"
                 ) == [(datetime(2026, 2, 1, 3, 11, 15, 730000),
                        datetime(2026, 3, 6, 12, 38, 41, 7000), 0)]
    assert _rows(con, "SELECT subject = '" + OWNER + "', count(*), min(ts), max(ts) FROM events "
                      "WHERE kind = 'follow' GROUP BY ALL ORDER BY 1") == [
        (False, 167, GENERATED, GENERATED), (True, 61, GENERATED, GENERATED)]
    assert _rows(con, "SELECT actor, subject FROM events "
                      "WHERE event_id = 'follow-1247713933-" + OWNER + "'") == [
        ("1247713933", OWNER)]
    assert _rows(con, "SELECT account, display_name, followers FROM accounts WHERE account IN "
                      f"('{OWNER}', '782506632', '53789862') ORDER BY account") == [
        (OWNER, "Milan Hauth", 61), ("53789862", "Max Blumenthal", None),
        ("782506632", "Dominik Kettner", None)]


@pytest.mark.shared_data
def test_real_archive_data_folder_and_reingest(con: duckdb.DuckDBPyConnection) -> None:
    root = shared_path(ARCHIVE)
    assert ingest(con, root / "data", "x-archive").ingested == 664
    again = ingest(con, root, "x-archive")
    assert (again.ingested, again.duplicates, again.quarantined) == (0, 664, 0)
    assert ingest(con, root, "x-archive").already_ingested


@pytest.mark.shared_data
def test_sniff_real_archive(tmp_path: Path) -> None:
    root = shared_path(ARCHIVE)
    assert sniff(root, b"") and sniff(root / "data", b"")
    assert not sniff(root / "data" / "tweets.js", b"window.YTD")
    (tmp_path / "tweets.js").write_text("[]")
    assert not sniff(tmp_path, b"")
    assert not sniff(shared_path("formats/reddit-pushshift"), b"")


# -- small archives --------------------------------------------------------------------------

def _js(name: str, records: object) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(records, indent=2)


def _tweet(tweet_id: str, text: str, when: str = "Fri Mar 06 13:02:05 +0000 2026",
           mentions: tuple[tuple[str, str, int], ...] = (), **extra: object) -> dict[str, object]:
    """A tweet as the archive writes it: every number a string."""
    return {"tweet": {
        "id_str": tweet_id, "id": tweet_id, "created_at": when, "full_text": text,
        "lang": "en", "display_text_range": ["0", str(len(text))], "favorite_count": "0",
        "entities": {"hashtags": [], "urls": [], "user_mentions": [
            {"screen_name": handle, "name": handle.title(), "id_str": uid,
             "indices": [str(at), str(at + len(handle) + 1)]}
            for handle, uid, at in mentions]},
    } | extra}


def write_archive(folder: Path, *, tweets: list[object] | None = None,
                  likes: list[object] | None = None, manifest: bool = True,
                  account: bool = True) -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    if account:
        (data / "account.js").write_text(_js("account", [{"account": {
            "accountId": "100", "username": "Owner", "accountDisplayName": "The Owner",
            "createdAt": "2025-09-06T13:02:20.496Z"}}]))
    if manifest:
        (data / "manifest.js").write_text("window.__THAR_CONFIG = " + json.dumps({
            "userInfo": {"accountId": "100", "userName": "Owner"},
            "archiveInfo": {"generationDate": "2026-03-06T13:15:31.187Z"}}))
    (data / "tweets.js").write_text(_js("tweets", tweets or []))
    (data / "like.js").write_text(_js("like", likes or []))
    (data / "follower.js").write_text(_js("follower", [{"follower": {"accountId": "7"}}]))
    (data / "following.js").write_text(_js("following", [{"following": {"accountId": "8"}}]))
    return folder


def test_reply_mentions_and_handles(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    tweets = [
        # A reply to 200 in a thread with 300: both handles are X's prefix; @carol is typed.
        _tweet("1000", "@alice @bob thanks, cc @carol", mentions=(
            ("alice", "200", 0), ("bob", "300", 7), ("carol", "400", 23)),
            in_reply_to_status_id_str="999", in_reply_to_user_id_str="200",
            in_reply_to_screen_name="alice"),
        # A retweet of someone the archive never gives an id for.
        _tweet("1001", "RT @Dave: hello @alice", mentions=(("alice", "200", 16),)),
        # X writes id "-1" for accounts it no longer knows; @alice twice is one mention.
        _tweet("1002", "hi @gone and @alice @alice #Graphs", mentions=(
            ("gone", "-1", 3), ("alice", "200", 13), ("alice", "200", 20))),
        # A quote by status link, of @bob whose id the archive knows from tweet 1000.
        _tweet("1003", "look"),
    ]
    tweets[2]["tweet"]["entities"]["hashtags"] = [{"text": "Graphs"}]  # type: ignore[index]
    tweets[3]["tweet"]["entities"]["urls"] = [  # type: ignore[index]
        {"expanded_url": "https://twitter.com/bob/status/555"}]
    write_archive(tmp_path / "a", tweets=tweets)
    report = ingest(con, tmp_path / "a", "x-archive")
    assert report.quarantined == 0
    assert _rows(con, "SELECT event_id, kind, subject, parent_id, tags FROM events "
                      "WHERE kind <> 'follow' ORDER BY event_id") == [
        ("1000", "reply", "200", "999", []),
        ("1000-mention-400", "mention", "400", "1000", None),
        ("1001", "reshare", "@dave", None, []),
        ("1002", "post", None, None, ["graphs"]),
        ("1002-mention-200", "mention", "200", "1002", None),
        ("1002-mention-@gone", "mention", "@gone", "1002", None),
        ("1003", "quote", "300", "555", []),
    ]


def test_likes_time_and_follows_without_manifest(con: duckdb.DuckDBPyConnection,
                                                  tmp_path: Path) -> None:
    likes = [{"like": {"tweetId": "2029433085998317711"}},    # a snowflake: its time
             {"like": {"tweetId": "20"}},                     # 2006: no time in the id
             {"like": {"fullText": "no id"}}]
    write_archive(tmp_path / "a", likes=likes, manifest=False)
    report = ingest(con, tmp_path / "a", "x-archive")
    assert (report.ingested, report.quarantined) == (1, 4)
    assert _rows(con, "SELECT ts FROM events") == [(datetime(2026, 3, 5, 5, 45, 27, 402000),)]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file, record") == [
        ("follower.js", 1, "follow with no time: manifest.js (the archive's generation date) "
                           "is missing"),
        ("following.js", 1, "follow with no time: manifest.js (the archive's generation "
                            "date) is missing"),
        ("like.js", 2, "like of a pre-2010 tweet and no manifest.js generation date: no time "
                       "can be given"),
        ("like.js", 3, "like without a numeric tweetId"),
    ]
    # A 2017 tweet liked by an account made in 2025: not before the account existed.
    write_archive(tmp_path / "b", likes=[*likes[:2], {"like": {"tweetId": "900000000000000000"}}])
    report = ingest(con, tmp_path / "b", "x-archive", SourceOptions(network="x-test"))
    assert (report.ingested, report.quarantined) == (5, 0)
    assert _rows(con, "SELECT event_id, ts FROM events WHERE network = 'x-test' AND "
                      "event_id IN ('like-20', 'like-900000000000000000') ORDER BY 1") == [
        ("like-20", GENERATED),
        ("like-900000000000000000", datetime(2025, 9, 6, 13, 2, 20, 496000))]


def test_split_files_and_bad_tweets(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_archive(tmp_path / "a", tweets=[_tweet("1", "one")], account=False)
    (folder / "data" / "tweets-part1.js").write_text(
        "window.YTD.tweets.part1 = " + json.dumps([_tweet("2", "two"), {"tweet": {"id_str": "x"}},
                                                   _tweet("3", "three", when="yesterday")]))
    report = ingest(con, folder, "x-archive")
    assert (report.ingested, report.quarantined) == (4, 2)
    assert _rows(con, "SELECT event_id, actor FROM events WHERE kind = 'post' ORDER BY 1") == [
        ("1", "100"), ("2", "100")]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY record") == [
        ("tweets-part1.js", 2, "tweet without a numeric id_str"),
        ("tweets-part1.js", 3, "unparseable created_at 'yesterday'")]


def test_unusable_archives_store_nothing(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_archive(tmp_path / "a", account=False, manifest=False)
    with pytest.raises(SourceError, match="cannot tell whose archive this is"):
        ingest(con, folder, "x-archive")
    folder = write_archive(tmp_path / "b", tweets=[_tweet("1", "one")])
    tweets = folder / "data" / "tweets.js"
    tweets.write_text(tweets.read_text()[:-40])
    with pytest.raises(SourceError, match=r"tweets\.js: malformed JSON at line \d+"):
        ingest(con, folder, "x-archive")
    tweets.write_text('[{"tweet": {}}]')
    with pytest.raises(SourceError, match="not an X archive data file"):
        ingest(con, folder, "x-archive")
    assert _rows(con, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine)"
                 ) == [(0, 0)]


def test_snowflake_time() -> None:
    assert snowflake_time("2029433085998317711") == datetime(2026, 3, 5, 5, 45, 27, 402000)
    assert snowflake_time("20") is None
    assert snowflake_time("12a") is None
    assert snowflake_time("2²") is None


# -- fuzzing -----------------------------------------------------------------------------------

def _read_all(folder: Path) -> None:
    """Reading may refuse the input (SourceError) but never crashes otherwise."""
    try:
        for batch in read(folder, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_random_tweets_file(tmp_path: Path, content: bytes) -> None:
    folder = write_archive(tmp_path / "fuzz")
    (folder / "data" / "tweets.js").write_bytes(b"window.YTD.tweets.part0 = " + content)
    _read_all(folder)


_KEYS = ["tweet", "id_str", "created_at", "full_text", "entities", "user_mentions", "urls",
         "hashtags", "screen_name", "indices", "expanded_url", "display_text_range", "text",
         "in_reply_to_status_id_str", "in_reply_to_user_id_str", "in_reply_to_screen_name",
         "like", "tweetId", "follower", "accountId", "lang"]
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
                    st.sampled_from(["2029433085998317711", "Fri Mar 06 13:02:05 +0000 2026",
                                     "RT @a: x", "-1", "²", "https://x.com/a/status/12", "0"]))
_RECORDS = st.recursive(_VALUES, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=6),
                        max_leaves=25)


@FUZZ
@given(st.lists(_RECORDS, max_size=5), st.sampled_from(["tweets", "like", "follower"]))
def test_fuzz_random_records(tmp_path: Path, records: list[object], name: str) -> None:
    """Records of any shape in the right wrapper: rejected or mapped, never a crash."""
    folder = write_archive(tmp_path / "fuzz")
    (folder / "data" / f"{name}.js").write_text(_js(name, records))
    _read_all(folder)


@FUZZ
@given(st.randoms(use_true_random=False), st.sampled_from(["tweets.js", "like.js",
                                                            "account.js", "manifest.js"]))
def test_fuzz_mutated_real_files(tmp_path: Path, rnd: random.Random, name: str) -> None:
    """Real-shaped records with bytes flipped, dropped or repeated."""
    folder = write_archive(tmp_path / "fuzz", tweets=[
        _tweet("1000", "@alice hi", mentions=(("alice", "200", 0),),
               in_reply_to_status_id_str="999", in_reply_to_user_id_str="200")],
        likes=[{"like": {"tweetId": "2029433085998317711", "fullText": "x"}}])
    file = folder / "data" / name
    data = bytearray(file.read_bytes())
    for _ in range(rnd.randint(1, 4)):
        at = rnd.randrange(len(data))
        choice = rnd.randrange(3)
        if choice == 0:
            data[at] = rnd.randrange(256)
        elif choice == 1:
            del data[at]
        else:
            data[at:at] = data[at:at + rnd.randint(1, 20)]
    file.write_bytes(bytes(data))
    _read_all(folder)


# -- format detection across the new sources --------------------------------------------------

NEW_FORMATS = {"x-archive": "renown.sources.x_archive", "reddit": "renown.sources.reddit",
               "linkedin": "renown.sources.linkedin", "facebook": "renown.sources.facebook",
               "credentials": "renown.sources.credentials"}


@pytest.mark.shared_data
def test_detect_format_for_every_new_source(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """Exactly one registered format recognises each kind of input."""
    from renown.sources import detect_format
    from tests.sources.test_credentials import YAML
    from tests.sources.test_facebook import write_export as write_facebook
    from tests.sources.test_linkedin import _full_export as write_linkedin

    for name, module in NEW_FORMATS.items():
        monkeypatch.setitem(FORMATS, name, module)
    (tmp_path / "ann.yaml").write_text(YAML, encoding="utf-8")
    inputs = {
        shared_path(ARCHIVE): "x-archive", shared_path(ARCHIVE) / "data": "x-archive",
        shared_path("formats/reddit-pushshift/RS_2011-01_r-MachineLearning.ndjson"): "reddit",
        write_linkedin(tmp_path / "linkedin"): "linkedin",
        write_facebook(tmp_path / "facebook"): "facebook",
        tmp_path / "ann.yaml": "credentials",
    }
    assert {path: detect_format(path) for path in inputs} == inputs
