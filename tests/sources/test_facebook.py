"""The facebook source on exports that reproduce the real files' quirks (no real sample exists).

Facebook writes UTF-8 as latin-1 escapes ("\\u00c3\\u00a9" for é) and times as
epoch seconds; file names and top-level keys changed between years.
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

from renown.sources import FORMATS, SourceError, SourceOptions
from renown.sources.base import BATCH_SCHEMA
from renown.sources.facebook import read, records, repair, sniff, title_target
from renown.store.ingest import ingest

FUZZ = settings(max_examples=40, deadline=2000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
OWNER = "Renée Dupont"


def mangle(value: object) -> object:
    """What Facebook does to text: UTF-8 bytes written as latin-1 characters."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [mangle(v) for v in value]
    if isinstance(value, dict):
        return {k: mangle(v) for k, v in value.items()}
    return value


def _dump(path: Path, data: object) -> None:
    """As Facebook writes it: ASCII JSON, so the mis-encoding shows as \\u00c3 escapes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mangle(data), indent=2), encoding="ascii")


def _comment(ts: int, text: str | None, title: str) -> dict[str, object]:
    data = [{"comment": {"timestamp": ts, "comment": text, "author": OWNER}}] if text else []
    return {"timestamp": ts, "data": data, "title": title}


def write_export(folder: Path) -> Path:
    """A 2023-style export: your_facebook_activity/... and personal_information/..."""
    activity = folder / "your_facebook_activity"
    _dump(folder / "personal_information" / "profile_information" / "profile_information.json",
          {"profile_v2": {"name": {"full_name": OWNER, "first_name": "Renée"},
                          "username": "renee.dupont"}})
    _dump(activity / "posts" / "your_posts__check_ins__photos_and_videos_1.json", [
        {"timestamp": 1683195753, "title": f"{OWNER} updated her status.",
         "data": [{"post": "Café talk on graphs 😀"}, {"update_timestamp": 1683195753}],
         "attachments": [{"data": [{"external_context": {"url": "https://example.org/p"}}]}]},
        {"timestamp": 1683282153, "title": f"{OWNER} shared Bob Smith's post.",
         "data": [{"post": "Look at this"}], "tags": [{"name": "Carol Jones"}]},
        {"timestamp": 1683368553, "title": f"{OWNER} wrote on Bob Smith's timeline.",
         "data": [{"post": "Happy birthday!"}]},
        {"title": "no timestamp"},
    ])
    _dump(activity / "comments_and_reactions" / "comments.json", {"comments_v2": [
        _comment(1683400000, "Très bien !", f"{OWNER} commented on Bob Smith's post."),
        _comment(1683400100, "Merci", f"{OWNER} replied to her own comment."),
        _comment(1683400200, "moi", f"{OWNER} commented on {OWNER}'s post."),
        _comment(1683400300, None, f"{OWNER} commented on a photo."),
        _comment(1683400400, "Bravo", f"{OWNER} a commenté la publication de Bob Smith."),
    ]})
    _dump(activity / "comments_and_reactions" / "likes_and_reactions_1.json", [
        {"timestamp": 1683500000, "title": f"{OWNER} likes José García's photo.",
         "data": [{"reaction": {"reaction": "LIKE", "actor": OWNER}}]},
        {"timestamp": 1683500100, "title": f"{OWNER} reacted to Bob Smith's comment.",
         "data": [{"reaction": {"reaction": "HAHA", "actor": OWNER}}]},
        {"timestamp": "soon", "title": f"{OWNER} likes Bob Smith's post."},
    ])
    inbox = activity / "messages" / "inbox" / "bob_123"
    inbox.mkdir(parents=True)
    (inbox / "comments.json").write_text("not even JSON")  # messages/ is never read
    return folder


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "facebook", "renown.sources.facebook")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_export_mapping(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    report = ingest(con, write_export(tmp_path / "facebook-renee"), "facebook")
    assert (report.ingested, report.quarantined) == (12, 2)
    assert _rows(con, "SELECT ts, actor, kind, subject, text FROM events "
                      "WHERE kind IN ('post', 'reshare', 'mention') ORDER BY ts, kind") == [
        (datetime(2023, 5, 4, 10, 22, 33), OWNER, "post", None, "Café talk on graphs 😀"),
        (datetime(2023, 5, 5, 10, 22, 33), OWNER, "mention", "Carol Jones", None),
        (datetime(2023, 5, 5, 10, 22, 33), OWNER, "reshare", "Bob Smith", "Look at this"),
        (datetime(2023, 5, 6, 10, 22, 33), OWNER, "mention", "Bob Smith", None),
        (datetime(2023, 5, 6, 10, 22, 33), OWNER, "post", None, "Happy birthday!"),
    ]
    assert _rows(con, "SELECT url FROM events WHERE text LIKE 'Café%'") == [
        ("https://example.org/p",)]
    assert _rows(con, "SELECT ts, actor, subject, text FROM events WHERE kind = 'comment' "
                      "ORDER BY ts") == [
        (datetime(2023, 5, 6, 19, 6, 40), OWNER, "Bob Smith", "Très bien !"),
        (datetime(2023, 5, 6, 19, 8, 20), OWNER, None, "Merci"),        # her own comment
        (datetime(2023, 5, 6, 19, 10), OWNER, None, "moi"),             # her own post
        (datetime(2023, 5, 6, 19, 11, 40), OWNER, None, None),          # "a photo": whose?
        (datetime(2023, 5, 6, 19, 13, 20), OWNER, None, "Bravo"),       # title not in English
    ]
    assert _rows(con, "SELECT subject FROM events WHERE kind = 'like' ORDER BY ts") == [
        ("José García",), ("Bob Smith",)]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file") == [
        ("likes_and_reactions_1.json", 3, "missing or unparseable timestamp 'soon'"),
        ("your_posts__check_ins__photos_and_videos_1.json", 4,
         "missing or unparseable timestamp None"),
    ]
    again = ingest(con, tmp_path / "facebook-renee", "facebook", SourceOptions(network="facebook"))
    assert (again.ingested, again.duplicates) == (0, 12)


def test_older_layout_and_owner_fallbacks(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "old"
    _dump(folder / "posts" / "your_posts_1.json",
          {"status_updates": [{"timestamp": 1546300800, "data": [{"post": "2019!"}],
                               "title": "Ann Example updated her status."}]})
    _dump(folder / "likes_and_reactions" / "posts_and_comments.json", {"reactions": [
        {"timestamp": 1546300900, "title": "Ann Example likes Bob's post.",
         "data": [{"reaction": {"reaction": "LIKE", "actor": "Ann Example"}}]}]})
    _dump(folder / "comments" / "comments.json", {"comments": [
        {"timestamp": 1546301000, "title": "Ann Example commented on Bob's photo.",
         "data": [{"comment": {"comment": "Nice", "author": "Ann Example"}}]}]})
    _dump(folder / "groups" / "comments.json", "an unknown shape")
    report = ingest(con, folder, "facebook")
    assert (report.ingested, report.quarantined) == (3, 1)
    assert _rows(con, "SELECT actor, kind, subject FROM events ORDER BY ts") == [
        ("Ann Example", "post", None), ("Ann Example", "like", "Bob"),
        ("Ann Example", "comment", "Bob")]
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (1, "unrecognised file shape (expected a list of records, or an object holding one)")]


@pytest.mark.parametrize("key", ["comments_v2", "comments", "reactions_v2", "reactions",
                                 "status_updates", "something_new"])
def test_record_lists_under_any_key(tmp_path: Path, key: str) -> None:
    path = tmp_path / "comments.json"
    _dump(path, {key: [{"timestamp": 1}], "profile_uri": "https://facebook.com/x"})
    assert records(path) == [{"timestamp": 1}]


def test_unusable_exports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="not a Facebook export"):
        ingest(con, tmp_path / "empty", "facebook")
    broken = tmp_path / "broken" / "comments.json"
    broken.parent.mkdir()
    broken.write_text('{"comments_v2": [')
    with pytest.raises(SourceError, match=r"comments\.json: malformed JSON at line 1"):
        ingest(con, tmp_path / "broken", "facebook")
    assert _rows(con, "SELECT count(*) FROM events") == [(0,)]


def test_repair_and_titles() -> None:
    assert repair("Caf\u00c3\u00a9 \u00f0\u009f\u0098\u0080") == "Café 😀"
    assert repair("Café") == "Café"          # correct text stays (not valid UTF-8 as bytes)
    assert repair("日本") == "日本"            # not latin-1 at all
    verbs = ("commented on", "replied to")
    assert title_target("Ann commented on Bob Smith's post.", verbs) == "Bob Smith"
    assert title_target("Ann replied to J. R. Doe's comment in Graphs.", verbs) == "J. R. Doe"
    assert title_target("Ann commented on his own post.", verbs) is None
    assert title_target("Ann likes Bob's post.", verbs) is None
    assert title_target(None, verbs) is None


def test_sniff(tmp_path: Path) -> None:
    assert sniff(write_export(tmp_path / "fb"), b"")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "profile_information.json").write_text("{}")
    assert not sniff(tmp_path / "other", b"")
    assert not sniff(tmp_path / "fb" / "nothing", b"")


# -- fuzzing -----------------------------------------------------------------------------------

def _read_all(folder: Path) -> None:
    try:
        for batch in read(folder, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "comments.json").write_bytes(content)
    _read_all(folder)


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(["timestamp", "title", "data", "post",
                                                        "comment", "reaction", "tags", "name",
                                                        "attachments", "comments_v2"]),
                                       inner, max_size=5), max_leaves=20)


@FUZZ
@given(_JSON, st.sampled_from(["comments.json", "your_posts_1.json",
                               "likes_and_reactions_1.json", "profile_information.json"]))
def test_fuzz_random_json(tmp_path: Path, data: object, name: str) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / "your_posts_1.json").write_text("[]")
    (folder / name).write_text(json.dumps(data), encoding="utf-8")
    _read_all(folder)


@FUZZ
@given(st.randoms(use_true_random=False))
def test_fuzz_mutated_export(tmp_path: Path, rnd: random.Random) -> None:
    folder = tmp_path / "fuzz"
    if not folder.exists():
        write_export(folder)
    file = folder / "your_facebook_activity" / "comments_and_reactions" / "comments.json"
    pristine = tmp_path / "comments.pristine"
    if not pristine.exists():
        pristine.write_bytes(file.read_bytes())
    data = bytearray(pristine.read_bytes())
    for _ in range(rnd.randint(1, 6)):
        at = rnd.randrange(len(data))
        data[at] = rnd.choice(b'{}[]",:0\\u\n')
    file.write_bytes(bytes(data))
    _read_all(folder)
