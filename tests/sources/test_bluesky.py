"""The Bluesky sources: Jetstream captures, repository CARs and XRPC responses.

Real samples (../shared/data/formats/bluesky) must ingest completely; small
hand-made inputs pin each mapping rule; hypothesis feeds every parser
mutated input, which may only end in rejections or a `SourceError`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import random
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import renown.sources
from renown.sources import (
    SourceError,
    SourceOptions,
    bluesky_car,
    bluesky_jetstream,
    bluesky_xrpc,
    detect_format,
)
from renown.sources.base import BATCH_SCHEMA, Batch
from renown.sources.bluesky_records import choose_time, parse_datetime, tid_time
from renown.store.ingest import ingest
from tests.conftest import shared_path

JETSTREAM = "formats/bluesky/jetstream-corpus"
XRPC = "formats/bluesky/marshalx-atproto"
FORMATS = {"bluesky-jetstream": "renown.sources.bluesky_jetstream",
           "bluesky-xrpc": "renown.sources.bluesky_xrpc",
           "bluesky-car": "renown.sources.bluesky_car"}
A, B, C = ("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb",
           "did:plc:cccccccccccccccccccccccc")
SDK = "did:plc:kvwvcn5iqfooopmyzvb4qzba"


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, module in FORMATS.items():
        monkeypatch.setitem(renown.sources.FORMATS, name, module)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[Any, Any]:
    return {row[0]: row[1] for row in _rows(con, sql)}


def _drain(batches: Iterator[Batch]) -> tuple[list[dict[str, Any]], list[Any]]:
    rows: list[dict[str, Any]] = []
    rejections: list[Any] = []
    for batch in batches:
        assert batch.events.schema == BATCH_SCHEMA
        rows += batch.events.to_pylist()
        rejections += batch.rejections
    return rows, rejections


# -- Jetstream: the real capture ------------------------------------------------------------

@pytest.mark.shared_data
def test_jetstream_capture_ingests_completely(con: duckdb.DuckDBPyConnection,
                                              caplog: pytest.LogCaptureFixture) -> None:
    path = shared_path(f"{JETSTREAM}/expected_v1.jsonl")
    manifest = json.loads(shared_path(f"{JETSTREAM}/manifest.json").read_text())
    with caplog.at_level(logging.INFO, logger="renown.sources.bluesky_jetstream"):
        report = ingest(con, path, "bluesky-jetstream")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        143, 143, 0, 0)
    kinds = _counts(con, "SELECT kind, count(*) FROM events GROUP BY kind")
    assert kinds == {"like": 105, "reshare": 15, "post": 9, "reply": 8, "follow": 6}
    # Against the capture's own manifest: every create but the one block is an event, and
    # every line is either an event or counted (deletes, updates, identity, account).
    assert sum(kinds.values()) == manifest["creates"] - 1
    assert sum(kinds.values()) + 9 == manifest["v1_events"]
    for note in ("'delete of a record from before this capture (not applied)': 4",
                 "'app.bsky.graph.block records (not influence)': 1",
                 "'identity event (not influence)': 1", "'account event (not influence)': 1"):
        assert note in caplog.text
    assert _rows(con, "SELECT DISTINCT network FROM events") == [("bluesky",)]
    assert _rows(con, "SELECT count(*) FROM events WHERE NOT starts_with(event_id, 'at://') "
                      "OR NOT starts_with(actor, 'did:')") == [(0,)]


@pytest.mark.shared_data
def test_jetstream_capture_concrete_events(con: duckdb.DuckDBPyConnection) -> None:
    ingest(con, shared_path(f"{JETSTREAM}/expected_v1.jsonl"), "bluesky-jetstream")
    got = _rows(con, "SELECT kind, actor, subject, parent_id, ts FROM events WHERE event_id IN ("
                     "'at://did:plc:o2rolxey6s5k7d4lxcz3inl4/app.bsky.feed.post/3mptbyp7lu223', "
                     "'at://did:plc:wq4aajammjtxdomz3e23667t/app.bsky.feed.like/3mptbyplj5d2a', "
                     "'at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyoumc22i')"
                     " ORDER BY kind, actor")
    assert got == [
        ("like", "did:plc:wq4aajammjtxdomz3e23667t", "did:plc:r2zybk6op3ymzpz6jhqpkoy5",
         "at://did:plc:r2zybk6op3ymzpz6jhqpkoy5/app.bsky.feed.post/3mpsjbtci2c2o",
         datetime(2026, 7, 4, 14, 38, 8, 999000)),
        ("reply", "did:plc:o2rolxey6s5k7d4lxcz3inl4", "did:plc:i5y2f3gtpjxs3qg6fwgb6jb4",
         "at://did:plc:i5y2f3gtpjxs3qg6fwgb6jb4/app.bsky.feed.post/3mpt7u2vlgs2c",
         datetime(2026, 7, 4, 14, 38, 7, 112000)),
        # A reply in one's own thread is no reaction: kept as output, no subject.
        ("reply", "did:plc:u4lmvw4wwzaql3z5kcf3r7h4", None,
         "at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyou7ls2i",
         datetime(2026, 7, 4, 14, 38, 6, 692000)),
    ]
    assert _rows(con, "SELECT count(*), count(DISTINCT subject) FROM events "
                      "WHERE kind = 'follow'") == [(6, 6)]
    assert _rows(con, "SELECT subject FROM events WHERE event_id = 'at://did:plc:f2furrjn2jdhjcn2"
                      "td54ivxx/app.bsky.graph.follow/3mptbypmibb2v'") == [
        ("did:plc:mlbpil2fwz43vfn6uuysxtqa",)]
    assert _rows(con, "SELECT lang, url FROM events WHERE event_id = "
                      "'at://did:plc:amnbije7mr5g3pgxuun7q44o/app.bsky.feed.post/3mptbyqhi7s2f'"
                      ) == [("ja", "https://bsky.app/profile/did:plc:amnbije7mr5g3pgxuun7q44o/"
                                   "post/3mptbyqhi7s2f")]


@pytest.mark.shared_data
def test_jetstream_golden_sample_and_profile_names(con: duckdb.DuckDBPyConnection) -> None:
    report = ingest(con, shared_path(f"{JETSTREAM}/subscribe_golden_v1.jsonl"),
                    "bluesky-jetstream")
    assert (report.ingested, report.quarantined) == (4, 0)
    assert _counts(con, "SELECT kind, subject FROM events") == {
        "like": "did:plc:vfnmgxg2yscfliemmcxzyfyh", "reply": "did:plc:j76trmiofvaxxpvx2vnb2vwf",
        "reshare": "did:plc:hjloomm2tkve3pmfgbxegl3v", "follow": "did:plc:anc6s2kher6ltrhhglxrzxsa"}
    assert _rows(con, "SELECT display_name FROM accounts WHERE account = "
                      "'did:plc:o6t5vwyr7ae73foww7bgye4r'") == [("Multiversal Lokis Unit🔞",)]


# -- Jetstream: rules on hand-made lines ----------------------------------------------------

T0 = 1_751_000_000_000_000  # time_us: 2025-06-27T04:53:20Z


def _commit(did: str, collection: str, rkey: str, record: dict[str, Any] | None = None,
            operation: str = "create", time_us: int = T0) -> dict[str, Any]:
    commit: dict[str, Any] = {"rev": "3mptbypluud2a", "operation": operation,
                              "collection": collection, "rkey": rkey}
    if record is not None:
        commit["record"] = {"$type": collection, **record}
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


def _ref(did: str, rkey: str) -> dict[str, str]:
    return {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafyreib"}


def _write_lines(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def test_jetstream_mapping_rules(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    created = "2025-06-27T04:50:00.000Z"
    mention = {"index": {"byteStart": 0, "byteEnd": 2},
               "features": [{"$type": "app.bsky.richtext.facet#mention", "did": B},
                            {"$type": "app.bsky.richtext.facet#mention", "did": A},
                            {"$type": "app.bsky.richtext.facet#tag", "tag": "atproto"}]}
    quote = {"$type": "app.bsky.embed.record", "record": _ref(C, "3quoted")}
    lines = [
        _commit(A, "app.bsky.feed.post", "3post", {"text": "hi @b", "createdAt": created,
                                                    "facets": [mention], "embed": quote,
                                                    "tags": ["Renown"], "langs": ["en"]}),
        _commit(B, "app.bsky.feed.post", "3reply", {
            "text": "re", "createdAt": created, "reply": {"root": _ref(A, "3post"),
                                                          "parent": _ref(A, "3post")},
            "embed": {"$type": "app.bsky.embed.recordWithMedia", "media": {},
                      "record": {"record": _ref(C, "3q2")}}}),
        _commit(C, "app.bsky.feed.like", "3like", {"subject": _ref(A, "3post"),
                                                    "createdAt": "2099-01-01T00:00:00Z"}),
        _commit(C, "app.bsky.feed.repost", "3repost", {"subject": _ref(C, "3own")}),
        _commit(B, "app.bsky.graph.follow", "3follow", {"subject": A,
                                                         "createdAt": "2025-06-27T04:50:00"}),
        _commit(B, "app.bsky.feed.like", "3gone", {"subject": _ref(A, "3post"),
                                                    "createdAt": created}),
        _commit(B, "app.bsky.feed.like", "3gone", operation="delete"),
        _commit(B, "app.bsky.graph.block", "3block", {"subject": C, "createdAt": created}),
        {"did": A, "time_us": T0, "kind": "identity", "identity": {"did": A, "handle": "a.test"}},
    ]
    path = _write_lines(tmp_path / "capture.jsonl", lines)
    with caplog.at_level(logging.INFO, logger="renown.sources.bluesky_jetstream"):
        report = ingest(con, path, "bluesky-jetstream")
    assert (report.ingested, report.quarantined) == (7, 0)
    post = f"at://{A}/app.bsky.feed.post/3post"
    reply = f"at://{B}/app.bsky.feed.post/3reply"
    assert _rows(con, "SELECT event_id, kind, actor, subject, parent_id, post_id, tags FROM events "
                      "ORDER BY event_id") == [
        (post, "quote", A, C, f"at://{C}/app.bsky.feed.post/3quoted", post,
         ["Renown", "atproto"]),
        (f"{post}#mention-{B}", "mention", A, B, None, post, None),   # A mentioning A: no event
        (reply, "reply", B, A, post, reply, []),
        (f"{reply}#quote", "quote", B, C, f"at://{C}/app.bsky.feed.post/3q2", reply, None),
        (f"at://{B}/app.bsky.graph.follow/3follow", "follow", B, A, None, None, None),
        (f"at://{C}/app.bsky.feed.like/3like", "like", C, A, post, None, None),
        (f"at://{C}/app.bsky.feed.repost/3repost", "reshare", C, None,   # own post reshared
         f"at://{C}/app.bsky.feed.post/3own", None, None),
    ]
    assert len(_rows(con, "SELECT * FROM events WHERE event_id LIKE '%3gone'")) == 0
    # createdAt in the future, missing, or without a timezone: time_us instead.
    seen = datetime(2025, 6, 27, 4, 53, 20)
    assert _counts(con, "SELECT rtrim(regexp_extract(event_id, '[^/]+$')), ts FROM events "
                        "WHERE kind IN ('like', 'reshare', 'follow')") == {
        "3like": seen, "3repost": seen, "3follow": seen}
    assert _rows(con, "SELECT DISTINCT ts FROM events WHERE actor = 'did:plc:aaaaaaaaaaaaaaaa"
                      "aaaaaaaa'") == [(datetime(2025, 6, 27, 4, 50),)]
    assert _rows(con, f"SELECT lang FROM events WHERE event_id = '{post}'") == [("en",)]
    for note in ("'createdAt after the record was seen: used time_us': 1",
                 "'createdAt missing: used time_us': 1",
                 "'createdAt not an ISO 8601 time with a timezone: used time_us': 1",
                 "'create later deleted in this capture (no event)': 1",
                 "'delete applied (record created earlier in this capture)': 1",
                 "'mention of oneself (no event)': 1"):
        assert note in caplog.text


def test_jetstream_bad_lines_are_quarantined_with_line_numbers(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    good = _commit(A, "app.bsky.feed.like", "3ok", {"subject": _ref(B, "3p"),
                                                    "createdAt": "2025-06-27T04:50:00Z"})
    lines: list[Any] = [
        good, "{not json", "[1, 2]", "", {**good, "did": "alice.bsky.social"},
        {**good, "time_us": "soon"}, {**good, "kind": "mystery"},
        _commit(A, "app.bsky.feed.like", "3bad", {"subject": {"uri": "https://x.test/p"}}),
        _commit(A, "app.bsky.graph.follow", "3bad2", {"subject": "bob.test"}),
        _commit(A, "app.bsky.feed.post", "3bad3", None),
        _commit(A, "app.bsky.feed.post", "3bad4", {"text": "x", "reply": {"root": {}}}),
        {**good, "commit": {**good["commit"], "operation": "upsert"}},
    ]
    report = ingest(con, _write_lines(tmp_path / "bad.jsonl", lines), "bluesky-jetstream")
    assert (report.ingested, report.quarantined) == (1, 10)
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (2, "line is not valid JSON"),
        (3, "line is not a JSON object"),
        (5, "did is not a DID: 'alice.bsky.social'"),
        (6, "time_us is not a positive integer of microseconds"),
        (7, "unknown event kind 'mystery'"),
        (8, "subject.uri is not an at:// URI: 'https://x.test/p'"),
        (9, "follow subject is not a DID: 'bob.test'"),
        (10, "create without a record"),
        (11, "reply.parent is not an object"),
        (12, "unknown commit operation 'upsert'"),
    ]


def test_jetstream_gzip_and_unusable_files(tmp_path: Path) -> None:
    line = json.dumps(_commit(A, "app.bsky.graph.follow", "3f", {"subject": B})) + "\n"
    packed = tmp_path / "capture.jsonl.gz"
    packed.write_bytes(gzip.compress(line.encode()))
    rows, rejections = _drain(bluesky_jetstream.read(packed, SourceOptions()))
    assert [(r["kind"], r["subject"]) for r in rows] == [("follow", B)] and not rejections
    packed.write_bytes(gzip.compress(line.encode() * 50)[:60])
    with pytest.raises(SourceError, match="cannot read"):
        _drain(bluesky_jetstream.read(packed, SourceOptions()))
    csv = tmp_path / "other.jsonl"
    csv.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError, match="no line is a Jetstream event"):
        _drain(bluesky_jetstream.read(csv, SourceOptions()))


# -- CAR --------------------------------------------------------------------------------------

@pytest.mark.shared_data
def test_car_reproduces_goat_listing_and_commit() -> None:
    data = shared_path(f"{JETSTREAM}/repo.car").read_bytes()
    commit, entries = bluesky_car.decode(data)
    expected = [tuple(line.split("\t")) for line in
                shared_path(f"{JETSTREAM}/car_expected_records.tsv").read_text().splitlines()]
    assert [(e.key, e.cid) for e in entries] == expected
    assert len(entries) == 23 and all(e.record is not None for e in entries)
    inspect = dict(line.split(": ", 1) for line in
                   shared_path(f"{JETSTREAM}/car_expected_commit.txt").read_text().splitlines())
    assert (commit.did, commit.data, commit.rev, str(commit.version)) == (
        inspect["DID"], inspect["Data CID"], inspect["Revision"],
        inspect["ATProto Repo Spec Version"])
    assert commit.prev is None and inspect["Prev CID"] == "<nil>"


@pytest.mark.shared_data
def test_car_ingests_completely(con: duckdb.DuckDBPyConnection) -> None:
    report = ingest(con, shared_path(f"{JETSTREAM}/repo.car"), "bluesky-car")
    assert (report.records, report.ingested, report.quarantined) == (24, 24, 0)
    owner = "did:plc:53iucmf5ldftgqyf2ac7hmhd"
    assert _counts(con, "SELECT kind, count(*) FROM events GROUP BY kind") == {
        "like": 10, "post": 5, "reply": 1, "mention": 2, "reshare": 3, "follow": 3}
    assert _rows(con, "SELECT DISTINCT actor FROM events") == [(owner,)]
    assert _rows(con, "SELECT kind, subject, parent_id, ts FROM events WHERE event_id IN ("
                      f"'at://{owner}/app.bsky.feed.post/3lsbqxwblik2d', "
                      f"'at://{owner}/app.bsky.feed.like/3lqdkdjpy6t2e', "
                      f"'at://{owner}/app.bsky.feed.post/3ly3oz7vwhc2u#mention-did:plc:4uz2445cjiw"
                      "7w4nobfgnu35f') ORDER BY kind") == [
        ("like", "did:plc:p2cp5gopk7mgjegy6wadk3ep",
         "at://did:plc:p2cp5gopk7mgjegy6wadk3ep/app.bsky.feed.post/3lprhqcd5ox2h",
         datetime(2025, 5, 29, 20, 23, 43, 961000)),
        ("mention", "did:plc:4uz2445cjiw7w4nobfgnu35f", None,
         datetime(2025, 9, 5, 12, 47, 42, 106000)),
        ("reply", None, f"at://{owner}/app.bsky.feed.post/3lqcnvhqk622d",  # own thread
         datetime(2025, 6, 23, 14, 7, 34, 595000)),
    ]
    assert _rows(con, "SELECT subject FROM events WHERE kind = 'follow' ORDER BY ts") == [
        ("did:plc:z72i7hdynmk6r22z27h6tvur",), ("did:plc:4uz2445cjiw7w4nobfgnu35f",),
        ("did:plc:duizjhonmmakp2xovqqv562h",)]
    assert _rows(con, f"SELECT display_name FROM accounts WHERE account = '{owner}'") == [
        ("This is a handle with spaces",)]


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if byte < 0x80:
            return value, at


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def _car_without(data: bytes, drop: str) -> bytes:
    """The CAR minus the block whose CID is ``drop`` (CIDv1 sha-256: 36 bytes)."""
    from atproto_core.cid import CID

    size, at = _varint(data, 0)
    out, at = bytearray(data[:at + size]), at + size
    while at < len(data):
        size, start = _varint(data, at)
        if str(CID.from_decoded_bytes(data[start:start + 36])) != drop:
            out += _encode_varint(size) + data[start:start + size]
        at = start + size
    return bytes(out)


@pytest.mark.shared_data
def test_car_missing_blocks(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    data = shared_path(f"{JETSTREAM}/repo.car").read_bytes()
    commit, entries = bluesky_car.decode(data)
    like = next(e for e in entries if e.key == "app.bsky.feed.like/3lsyfcwyams2x")
    partial = tmp_path / "partial.car"
    partial.write_bytes(_car_without(data, like.cid))
    report = ingest(con, partial, "bluesky-car")
    assert (report.ingested, report.quarantined) == (23, 1)
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (4, "app.bsky.feed.like/3lsyfcwyams2x: record block missing from the CAR")]
    partial.write_bytes(_car_without(data, commit.data))
    with pytest.raises(SourceError, match="missing or malformed"):
        ingest(con, partial, "bluesky-car")
    partial.write_bytes(data[:1000])
    with pytest.raises(SourceError, match="not a readable CAR file"):
        ingest(con, partial, "bluesky-car")


def test_car_record_times() -> None:
    """createdAt, else the record key's TID, never after the repository's last commit."""
    last = tid_time("3migo7fijwi2k")
    assert last == datetime(2026, 4, 1, 12, 15, 38, 708878)
    assert choose_time("2025-05-29T20:23:43.961Z", last, ("key", tid_time("3lqdkdjpy6t2e"))) == (
        datetime(2025, 5, 29, 20, 23, 43, 961000), None)
    assert choose_time("2030-01-01T00:00:00Z", last, ("key", tid_time("3lqdkdjpy6t2e")))[1] == (
        "createdAt after the record was seen: used key")
    assert choose_time(None, last, ("key", tid_time("self"))) == (None, "createdAt missing")
    assert parse_datetime("2024-02-22T19:58:13.903293123+02:00") == datetime(
        2024, 2, 22, 17, 58, 13, 903293)
    assert parse_datetime("2023-08-26T12:56:31.044240") is None  # no timezone
    assert tid_time("not-a-tid") is None and tid_time("zzzzzzzzzzzzz") is None


# -- XRPC: the real responses -----------------------------------------------------------------

@pytest.mark.shared_data
def test_xrpc_samples_ingest_completely(con: duckdb.DuckDBPyConnection,
                                        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="renown.sources.bluesky_xrpc"):
        report = ingest(con, shared_path(XRPC), "bluesky-xrpc")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        11, 11, 0, 0)
    assert _counts(con, "SELECT kind, count(*) FROM events GROUP BY kind") == {
        "like": 2, "post": 2, "quote": 1, "follow": 6}
    # Self-likes and a self-quote by the SDK's test account: kept as output, no subject.
    assert _rows(con, "SELECT count(*) FROM events WHERE subject IS NOT NULL") == [(6,)]
    # The like's createdAt has no timezone (the SDK wrote local time): the key's TID wins.
    assert _rows(con, "SELECT ts, parent_id FROM events WHERE event_id = "
                      f"'at://{SDK}/app.bsky.feed.like/3k5u7c7j7a52v'") == [
        (datetime(2023, 8, 26, 10, 56, 31, 229123),
         f"at://{SDK}/app.bsky.feed.post/3k5u7c7eis72y")]
    assert _rows(con, "SELECT kind, parent_id, ts FROM events WHERE event_id = "
                      f"'at://{SDK}/app.bsky.feed.post/3kaheyt6vpc22'") == [
        ("quote", f"at://{SDK}/app.bsky.feed.post/3kahesw26il2z",
         datetime(2023, 9, 28, 12, 49, 36, 735000))]
    assert _rows(con, "SELECT text FROM events WHERE event_id = "
                      f"'at://{SDK}/app.bsky.feed.post/3kahesw26il2z'") == [("test",)]
    # getFollows, asked by the subject itself: viewer.following is its own follow record.
    assert _rows(con, "SELECT event_id, subject, ts FROM events WHERE kind = 'follow' "
                      "ORDER BY ts DESC LIMIT 1") == [
        (f"at://{SDK}/app.bsky.graph.follow/3jueqtsliw22n", "did:plc:vpkhqolt662uhesyj6nxm7ys",
         datetime(2023, 4, 27, 18, 41, 14, 800000))]
    assert _rows(con, "SELECT display_name FROM accounts WHERE account IN "
                      f"('{SDK}', 'did:plc:s6jnht6koorxz7trghirytmf') ORDER BY account") == [
        ("Python SDK",), ("Ilya (Marshal)",)]
    assert caplog.text.count("createdAt not an ISO 8601 time with a timezone: used the record "
                             "key's time") == 2


def _write_json(folder: Path, name: str, payload: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return path


def _view(did: str, rkey: str, record: dict[str, Any], indexed: str | None = None,
          **extra: Any) -> dict[str, Any]:
    view = {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafyreib",
            "author": {"did": did, "handle": f"{did[8:11]}.test"},
            "record": {"$type": "app.bsky.feed.post", **record}, **extra}
    if indexed:
        view["indexedAt"] = indexed
    return view


def test_xrpc_feed_likes_and_errors(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                    caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "pull"
    at = "2025-03-01T10:00:00.000Z"
    own = _view(A, "3a1", {"text": "mine", "createdAt": at}, at)
    _write_json(folder, "1-feed.json", {"feed": [
        {"post": own},
        {"post": _view(C, "3c1", {"text": "theirs", "createdAt": "2025-03-01T09:00:00Z"}, at),
         "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": A, "handle": "a"},
                    "indexedAt": "2025-03-01T11:00:00Z"}},
        {"post": _view(A, "3a2", {"text": "re", "createdAt": "2099-01-01T00:00:00Z",
                                  "reply": {"root": _ref(C, "3c1"), "parent": _ref(B, "3b1")}},
                       "2025-03-01T12:00:00Z"),
         "reply": {"root": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x"},
                   "parent": _view(B, "3b1", {"text": "p", "createdAt": at}, at)}},
        {"post": {**own, "author": {"did": B}}},                 # uri and author disagree
    ], "cursor": "c"})
    _write_json(folder, "2-likes.json", {"uri": own["uri"], "likes": [
        {"actor": {"did": B, "displayName": "Bee"}, "createdAt": at, "indexedAt": at},
        {"actor": {"did": C}, "createdAt": "garbage", "indexedAt": "2025-03-02T00:00:00Z"},
        {"actor": {"did": "nobody"}, "createdAt": at}]})
    _write_json(folder, "3-reposted.json", {"uri": own["uri"], "repostedBy": [{"did": C}]})
    _write_json(folder, "4-error.json", {"error": "NotFound", "message": "Post not found"})
    _write_json(folder, "5-other.json", {"hello": "world"})
    _write_json(folder, "_pull.json", {"handle": "a.test"})
    with caplog.at_level(logging.INFO, logger="renown.sources.bluesky_xrpc"):
        report = ingest(con, folder, "bluesky-xrpc")
    assert (report.ingested, report.quarantined) == (7, 4)
    assert _rows(con, "SELECT event_id, kind, actor, subject, ts FROM events "
                      "ORDER BY event_id") == [
        (f"at://{A}/app.bsky.feed.post/3a1", "post", A, None, datetime(2025, 3, 1, 10)),
        (f"at://{A}/app.bsky.feed.post/3a2", "reply", A, B, datetime(2025, 3, 1, 12)),
        (f"at://{B}/app.bsky.feed.post/3b1", "post", B, None, datetime(2025, 3, 1, 10)),
        (f"at://{C}/app.bsky.feed.post/3c1", "post", C, None, datetime(2025, 3, 1, 9)),
        (f"like:{B}:at://{A}/app.bsky.feed.post/3a1", "like", B, A, datetime(2025, 3, 1, 10)),
        (f"like:{C}:at://{A}/app.bsky.feed.post/3a1", "like", C, A, datetime(2025, 3, 2)),
        (f"reshare:{A}:at://{C}/app.bsky.feed.post/3c1", "reshare", A, C,
         datetime(2025, 3, 1, 11)),
    ]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file, record") == [
        ("1-feed.json", 4, f"at://{A}/app.bsky.feed.post/3a1 is not a post by its author {B}"),
        ("2-likes.json", 3, "actor.did is not a DID: 'nobody'"),
        ("4-error.json", 1, "XRPC error NotFound: Post not found"),
        ("5-other.json", 1, "not an XRPC response Renown knows (keys: hello)"),
    ]
    assert "getRepostedBy entry (no time given: not stored)': 1" in caplog.text
    assert _rows(con, f"SELECT display_name FROM accounts WHERE account = '{B}'") == [("Bee",)]
    _write_json(folder, "6-broken.json", '{"feed": [')
    with pytest.raises(SourceError, match=r"6-broken\.json: not valid JSON"):
        ingest(con, folder, "bluesky-xrpc")


# -- format detection ---------------------------------------------------------------------------

@pytest.mark.shared_data
@pytest.mark.parametrize(("relative", "expected"), [
    (f"{JETSTREAM}/expected_v1.jsonl", "bluesky-jetstream"),
    (f"{JETSTREAM}/subscribe_golden_v1.jsonl", "bluesky-jetstream"),
    (f"{JETSTREAM}/repo.car", "bluesky-car"),
    (XRPC, "bluesky-xrpc"),
])
def test_real_samples_are_detected(relative: str, expected: str) -> None:
    assert detect_format(shared_path(relative)) == expected


@pytest.mark.shared_data
def test_other_formats_are_not_taken_for_bluesky() -> None:
    from renown.sources.sniffing import read_head

    root = shared_path("formats")
    claimed = []
    for path in [root, *root.rglob("*")]:
        head = read_head(path)
        for module in (bluesky_jetstream, bluesky_car, bluesky_xrpc):
            if module.sniff(path, head):
                claimed.append((str(path.relative_to(root)), module.__name__.rsplit(".")[-1]))
    assert sorted(claimed) == [
        ("bluesky/jetstream-corpus/expected_v1.jsonl", "bluesky_jetstream"),
        ("bluesky/jetstream-corpus/repo.car", "bluesky_car"),
        ("bluesky/jetstream-corpus/subscribe_golden_v1.jsonl", "bluesky_jetstream"),
        ("bluesky/marshalx-atproto", "bluesky_xrpc")]


def test_sniffers_on_small_inputs(tmp_path: Path) -> None:
    line = json.dumps(_commit(A, "app.bsky.graph.follow", "3f", {"subject": B})).encode()
    assert bluesky_jetstream.sniff(tmp_path / "x.jsonl", line + b"\n")
    assert not bluesky_jetstream.sniff(tmp_path / "x.jsonl", line)          # incomplete line
    assert not bluesky_jetstream.sniff(tmp_path / "x.jsonl", b'{"actor": "a"}\n')
    assert not bluesky_car.sniff(tmp_path / "x.car", b"")
    assert not bluesky_car.sniff(tmp_path / "x.car", b"\x3a\xa2eroots")
    folder = tmp_path / "pull"
    _write_json(folder, "a.json", {"records": []})
    assert not bluesky_xrpc.sniff(folder, b"")                              # names no account
    _write_json(folder, "b.json", {"follows": [], "subject": {"did": A}})
    assert bluesky_xrpc.sniff(folder, b"")
    assert not bluesky_xrpc.sniff(folder / "b.json", b"")                   # a folder format


# -- fuzzing: mutated input ends in rejections or a SourceError, never anything else --------

_ATOMS = st.sampled_from([A, f"at://{A}/app.bsky.feed.post/3kaheyt6vpc22", "at://x/y",
                          "2025-01-01T00:00:00Z", "2025-01-01T00:00:00", "3kaheyt6vpc22",
                          "app.bsky.feed.post", "app.bsky.embed.record", "\ud800", "",
                          "app.bsky.richtext.facet#mention", "app.bsky.feed.defs#reasonRepost"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=12) | _ATOMS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8) | _ATOMS, inner, max_size=4),
    max_leaves=12)
FUZZ = settings(max_examples=60, deadline=5000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, (*prefix, i))
    return found


def _mutate(value: Any, data: st.DataObject, times: int) -> Any:
    """``value`` with up to ``times`` nodes replaced by random JSON, or removed."""
    value = json.loads(json.dumps(value))
    for _ in range(times):
        path = data.draw(st.sampled_from(_paths(value)))
        if not path:
            value = data.draw(JSON_VALUES)
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JSON_VALUES)
    return value


def _post_record() -> dict[str, Any]:
    return {"text": "hi", "createdAt": "2025-01-01T00:00:00Z", "langs": ["en"],
            "reply": {"root": _ref(B, "3r"), "parent": _ref(B, "3p")},
            "embed": {"$type": "app.bsky.embed.record", "record": _ref(C, "3q")},
            "facets": [{"features": [{"$type": "app.bsky.richtext.facet#mention", "did": C}]}]}


def _jetstream_events() -> list[dict[str, Any]]:
    return [_commit(A, "app.bsky.feed.post", "3post", _post_record()),
            _commit(A, "app.bsky.feed.like", "3like", {"subject": _ref(B, "3p"),
                                                        "createdAt": "2025-01-01T00:00:00Z"}),
            _commit(A, "app.bsky.graph.follow", "3f", {"subject": B}),
            _commit(A, "app.bsky.feed.post", "3post", operation="delete"),
            {"did": A, "time_us": T0, "kind": "account", "account": {"active": True}}]


def _run(read: Any) -> None:
    with contextlib.suppress(SourceError):
        _drain(read)


@FUZZ
@given(data=st.data())
def test_fuzz_jetstream(data: st.DataObject) -> None:
    bases = _jetstream_events()
    lines: list[bytes] = []
    for _ in range(data.draw(st.integers(1, 6))):
        if data.draw(st.integers(0, 5)) == 0:
            lines.append(data.draw(st.binary(max_size=60)).replace(b"\n", b" "))
        else:
            event = _mutate(data.draw(st.sampled_from(bases)), data, data.draw(st.integers(0, 3)))
            lines.append(json.dumps(event).encode())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "capture.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        _run(bluesky_jetstream.read(path, SourceOptions()))
        assert isinstance(bluesky_jetstream.sniff(path, path.read_bytes()), bool)


def _xrpc_payloads() -> list[dict[str, Any]]:
    view = _view(A, "3a1", _post_record(), "2025-01-01T00:00:00Z",
                 embed={"$type": "app.bsky.embed.record#view",
                        "record": _view(C, "3q", {"text": "q"}) | {"value": {"text": "q"}}})
    repost = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": B},
              "uri": f"at://{B}/app.bsky.feed.repost/3kaheyt6vpc22",
              "indexedAt": "2025-01-02T00:00:00Z"}
    return [
        {"feed": [{"post": view, "reason": repost, "reply": {"root": view, "parent": view}}]},
        {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": view,
                    "parent": {"post": view}, "replies": [{"post": view, "replies": []}]}},
        {"uri": view["uri"], "likes": [{"actor": {"did": B}, "createdAt": "2025-01-01T00:00:00Z",
                                        "indexedAt": "2025-01-01T00:00:00Z"}]},
        {"subject": {"did": A}, "follows": [
            {"did": B, "viewer": {"following": f"at://{A}/app.bsky.graph.follow/3jueqtsliw22n"}}]},
        {"uri": f"at://{A}/app.bsky.feed.like/3k5u7c7j7a52v",
         "value": {"$type": "app.bsky.feed.like", "subject": _ref(B, "3p")}},
        {"records": [{"uri": f"at://{A}/app.bsky.graph.follow/3jueqtsliw22n",
                      "value": {"subject": B, "createdAt": "2025-01-01T00:00:00Z"}}]},
        {"posts": [view]}, {"followers": [{"did": B}], "subject": {"did": A}},
        {"repostedBy": [{"did": B}], "uri": view["uri"]}, {"did": A, "handle": "a.test"},
        {"profiles": [{"did": A, "handle": "a.test", "followersCount": 3}]},
    ]


@FUZZ
@given(data=st.data())
def test_fuzz_xrpc(data: st.DataObject) -> None:
    payload = _mutate(data.draw(st.sampled_from(_xrpc_payloads())), data,
                      data.draw(st.integers(0, 4)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "response.json"
        raw = json.dumps(payload).encode()
        if data.draw(st.integers(0, 9)) == 0:
            raw = raw[:data.draw(st.integers(0, len(raw)))]
        path.write_bytes(raw)
        _run(bluesky_xrpc.read(path, SourceOptions()))
        _run(bluesky_xrpc.read(Path(folder), SourceOptions()))
        assert isinstance(bluesky_xrpc.sniff(Path(folder), b""), bool)


_CAR: list[bytes] = []


def _real_car() -> bytes:
    if not _CAR:
        _CAR.append(shared_path(f"{JETSTREAM}/repo.car").read_bytes())
    return _CAR[0]


@pytest.mark.shared_data
@FUZZ
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                      max_size=8),
       cut=st.none() | st.floats(0, 1))
def test_fuzz_car(edits: list[tuple[float, int]], cut: float | None) -> None:
    data = bytearray(_real_car())
    for where, byte in edits:
        data[int(where * len(data))] = byte
    if cut is not None:
        data = data[:int(cut * len(data))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "repo.car"
        path.write_bytes(bytes(data))
        _run(bluesky_car.read(path, SourceOptions()))
        assert isinstance(bluesky_car.sniff(path, bytes(data[:65536])), bool)


@settings(max_examples=100, deadline=None)
@given(head=st.binary(max_size=200))
def test_fuzz_sniffers_never_raise(head: bytes) -> None:
    path = Path("/nonexistent/input.car")
    for module in (bluesky_jetstream, bluesky_car, bluesky_xrpc):
        assert isinstance(module.sniff(path, head), bool)
    assert isinstance(bluesky_xrpc.looks_like_xrpc(head), bool)


def test_random_car_mutations_seeded(tmp_path: Path) -> None:
    """A few hundred random single-byte edits of a CAR-shaped input, without shared data."""
    rng = random.Random(8)
    data = b"\x3a\xa2eroots\x81\xd8*X%\x00" + bytes(rng.randrange(256) for _ in range(300))
    path = tmp_path / "x.car"
    for _ in range(200):
        edited = bytearray(data)
        edited[rng.randrange(len(edited))] = rng.randrange(256)
        path.write_bytes(bytes(edited))
        with pytest.raises(SourceError):
            _drain(bluesky_car.read(path, SourceOptions()))
