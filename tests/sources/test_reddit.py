"""The reddit source: the real 2011 and 2018 submission dumps, comment lines, fuzzing."""

from __future__ import annotations

import gzip
import importlib.util
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
from renown.sources.reddit import read, sniff
from renown.store.ingest import ingest
from tests.conftest import shared_path

RS_2011 = "formats/reddit-pushshift/RS_2011-01_r-MachineLearning.ndjson"
RS_2018 = "formats/reddit-pushshift/RS_2018-12_r-MachineLearning.ndjson"
FUZZ = settings(max_examples=40, deadline=2000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "reddit", "renown.sources.reddit")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def _comment_2018(comment_id: str, parent: str, author: str, body: str,
                  created: int | str = 1543630000) -> str:
    """A comment line in the 2018 Pushshift schema (RC_2018-12)."""
    return json.dumps({
        "author": author, "author_created_utc": 1374324847, "author_flair_css_class": None,
        "author_flair_text": None, "author_fullname": "t2_cg5xo", "body": body,
        "can_gild": True, "collapsed": False, "controversiality": 0, "created_utc": created,
        "distinguished": None, "edited": False, "gilded": 0,
        "gildings": {"gid_1": 0, "gid_2": 0, "gid_3": 0}, "id": comment_id,
        "is_submitter": False, "link_id": "t3_a1y3z2", "no_follow": True, "parent_id": parent,
        "permalink": f"/r/MachineLearning/comments/a1y3z2/r_training/{comment_id}/",
        "retrieved_on": 1546232020, "score": 3, "send_replies": True, "stickied": False,
        "subreddit": "MachineLearning", "subreddit_id": "t5_2r3gv",
        "subreddit_name_prefixed": "r/MachineLearning", "subreddit_type": "public"},
        separators=(",", ":"))


def _comment_2011(comment_id: str, parent: str, author: str, body: str) -> str:
    """A comment line in the 2011 schema: created_utc is a string, no permalink."""
    return json.dumps({
        "author_flair_css_class": None, "body": body, "author": author,
        "subreddit_id": "t5_2r3gv", "link_id": "t3_eukv4", "parent_id": parent,
        "name": f"t1_{comment_id}", "score_hidden": False, "controversiality": 0,
        "id": comment_id, "retrieved_on": 1426210000, "created_utc": "1293905321", "ups": 2,
        "downs": 0, "gilded": 0, "edited": False, "archived": True,
        "subreddit": "MachineLearning", "distinguished": None, "author_flair_text": None,
        "score": 2}, separators=(",", ":"))


# -- the real dumps --------------------------------------------------------------------------

@pytest.mark.shared_data
def test_real_2011_submissions(con: duckdb.DuckDBPyConnection) -> None:
    report = ingest(con, shared_path(RS_2011), "reddit")
    assert (report.records, report.ingested, report.quarantined) == (60, 60, 0)
    assert _rows(con, "SELECT kind, count(*), count(DISTINCT actor), "
                      "count(*) FILTER (WHERE actor LIKE '~deleted-t3_%') FROM events "
                      "GROUP BY kind") == [("post", 60, 41, 10)]
    assert _rows(con, "SELECT event_id, ts, actor, post_id, text, tags, url FROM events "
                      "WHERE event_id = 't3_eukv4'") == [(
        "t3_eukv4", datetime(2011, 1, 1, 17, 7, 1), "talgalili", "t3_eukv4",
        "Top 14 R posts of 2010 (from over 140 R bloggers)", ["machinelearning"],
        "https://www.reddit.com/r/MachineLearning/comments/eukv4/"
        "top_14_r_posts_of_2010_from_over_140_r_bloggers/")]
    actor, text = _rows(con, "SELECT actor, text FROM events WHERE event_id = 't3_euuqv'")[0]
    assert actor == "~deleted-t3_euuqv"  # [deleted] author: the post still drew reactions
    assert str(text).startswith("Ask ML:  Detecting variable, recurring signals\n\nI'm looking")


@pytest.mark.shared_data
def test_real_2018_submissions(con: duckdb.DuckDBPyConnection) -> None:
    report = ingest(con, shared_path(RS_2018), "reddit")
    assert (report.records, report.ingested, report.quarantined) == (60, 60, 0)
    assert _rows(con, "SELECT count(*) FILTER (WHERE actor LIKE '~deleted-%') FROM events") == [
        (9,)]
    assert _rows(con, "SELECT ts, actor, text FROM events WHERE event_id IN "
                      "('t3_a1y3z2', 't3_a209tp', 't3_a24b7z') ORDER BY event_id") == [
        (datetime(2018, 12, 1, 0, 22, 44), "FlyingOctopus0",
         "[R] Training ResNet-50 on ImageNet in 35 Epochs using Second-order Optimization "
         "Method for Large Mini-batch"),
        # selftext "[removed]" and "[deleted]" are not text.
        (datetime(2018, 12, 1, 5, 18, 31), "Sudhi10",
         "A Beginner Mathematics Book For Machine Learning."),
        (datetime(2018, 12, 1, 16, 21, 16), "~deleted-t3_a24b7z",
         "Inside the world of AI that forges beautiful art and terrifying deepfakes"),
    ]
    assert ingest(con, shared_path(RS_2018), "reddit").already_ingested


@pytest.mark.shared_data
def test_comments_find_their_parents_in_the_file(con: duckdb.DuckDBPyConnection,
                                                 tmp_path: Path) -> None:
    """The real 2018 submissions plus comment lines in the same month's schema."""
    dump = tmp_path / "r-MachineLearning_2018-12.ndjson"
    comments = [
        _comment_2018("eaty001", "t3_a1y3z2", "reader1", "Nice &amp; fast"),  # on a post
        _comment_2018("eaty003", "t1_eaty002", "reader1", "after", "1543631000"),  # parent later
        _comment_2018("eaty002", "t1_eaty001", "FlyingOctopus0", "thanks"),  # OP answers
        _comment_2018("eaty004", "t1_eaty002", "FlyingOctopus0", "me again"),  # own comment
        _comment_2018("eaty005", "t3_a24b7z", "[deleted]", "[removed]"),  # on a deleted user
        _comment_2018("eaty006", "t3_zzzzzz", "reader2", "parent not in this file"),
    ]
    dump.write_text(shared_path(RS_2018).read_text(encoding="utf-8") + "\n".join(comments)
                    + "\n", encoding="utf-8")
    report = ingest(con, dump, "reddit")
    assert (report.ingested, report.quarantined) == (66, 0)
    assert _rows(con, "SELECT event_id, ts, actor, subject, parent_id, text, tags FROM events "
                      "WHERE kind = 'comment' ORDER BY event_id") == [
        ("t1_eaty001", datetime(2018, 12, 1, 2, 6, 40), "reader1", "FlyingOctopus0",
         "t3_a1y3z2", "Nice & fast", ["machinelearning"]),
        ("t1_eaty002", datetime(2018, 12, 1, 2, 6, 40), "FlyingOctopus0", "reader1",
         "t1_eaty001", "thanks", ["machinelearning"]),
        ("t1_eaty003", datetime(2018, 12, 1, 2, 23, 20), "reader1", "FlyingOctopus0",
         "t1_eaty002", "after", ["machinelearning"]),
        ("t1_eaty004", datetime(2018, 12, 1, 2, 6, 40), "FlyingOctopus0", None, "t1_eaty002",
         "me again", ["machinelearning"]),
        ("t1_eaty005", datetime(2018, 12, 1, 2, 6, 40), "~deleted-t1_eaty005",
         "~deleted-t3_a24b7z", "t3_a24b7z", None, ["machinelearning"]),
        ("t1_eaty006", datetime(2018, 12, 1, 2, 6, 40), "reader2", None, "t3_zzzzzz",
         "parent not in this file", ["machinelearning"]),
    ]
    assert _rows(con, "SELECT url FROM events WHERE event_id = 't1_eaty001'") == [
        ("https://www.reddit.com/r/MachineLearning/comments/a1y3z2/r_training/eaty001/",)]


def test_2011_comment_schema(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    dump = tmp_path / "RC_2011-01.ndjson"
    dump.write_text(_comment_2011("c1abcd", "t3_eukv4", "someone", "R &lt;3") + "\n",
                    encoding="utf-8")
    assert ingest(con, dump, "reddit").ingested == 1
    assert _rows(con, "SELECT ts, actor, subject, text, url FROM events") == [(
        datetime(2011, 1, 1, 18, 8, 41), "someone", None, "R <3",
        "https://www.reddit.com/r/machinelearning/comments/eukv4/_/c1abcd/")]


def test_bad_lines_are_quarantined_with_their_line(con: duckdb.DuckDBPyConnection,
                                                   tmp_path: Path) -> None:
    good = json.dumps({"id": "abc", "title": "ok", "author": "a", "created_utc": 1600000000})
    lines = [good, "", "{not json", "[1, 2]",
             json.dumps({"id": "abd", "title": "no time", "author": "a"}),
             json.dumps({"id": "ABC!", "title": "bad id", "created_utc": 1600000000}),
             json.dumps({"id": "abe", "author": "a", "created_utc": 1600000000}),
             json.dumps({"id": "abf", "title": "t", "created_utc": "soon"}),
             b"\xff\xfe".decode("latin-1")]
    dump = tmp_path / "dump.ndjson"
    dump.write_bytes("\n".join(lines).encode("utf-8").replace("ÿþ".encode(), b"\xff\xfe"))
    report = ingest(con, dump, "reddit")
    assert (report.ingested, report.quarantined) == (1, 7)
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (3, "not JSON"), (4, "not a JSON object"),
        (5, "missing or unparseable created_utc None"),
        (6, "missing or malformed id"),
        (7, "neither a submission (no title) nor a comment (no body)"),
        (8, "missing or unparseable created_utc 'soon'"),
        (9, "invalid UTF-8"),
    ]


def test_compressed_dumps(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    line = json.dumps({"id": "abc", "title": "ok", "author": "a", "created_utc": 1600000000})
    packed = gzip.compress((line + "\n").encode())
    (tmp_path / "RS_2020-09.ndjson.gz").write_bytes(packed)
    assert ingest(con, tmp_path / "RS_2020-09.ndjson.gz", "reddit").ingested == 1
    (tmp_path / "broken.ndjson.gz").write_bytes(packed[:-12])
    with pytest.raises(SourceError, match="cannot read"):
        ingest(con, tmp_path / "broken.ndjson.gz", "reddit")
    assert _rows(con, "SELECT count(*) FROM events") == [(1,)]


@pytest.mark.skipif(importlib.util.find_spec("zstandard") is None,
                    reason="zstandard is not installed")
def test_zstd_dump(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import zstandard

    line = json.dumps({"id": "abc", "title": "ok", "author": "a", "created_utc": 1600000000})
    path = tmp_path / "RS_2020-09.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress((line + "\n").encode()))
    assert ingest(con, path, "reddit", SourceOptions(network="reddit-ml")).ingested == 1
    path.write_bytes(b"\x28\xb5\x2f\xfd garbage")
    with pytest.raises(SourceError):
        list(read(path, SourceOptions()))


@pytest.mark.shared_data
def test_sniff(tmp_path: Path) -> None:
    for relative in (RS_2011, RS_2018):
        path = shared_path(relative)
        assert sniff(path, path.read_bytes()[:65536])
    assert sniff(tmp_path / "RC_2019-01.zst", b"\x28\xb5\x2f\xfd")
    event = b'{"network": "x", "actor": "a", "kind": "post", "ts": 1}\n'
    assert not sniff(tmp_path / "events.jsonl", event)
    assert not sniff(tmp_path / "x.json", b'{"subreddit": "a"}\n')
    assert not sniff(tmp_path / "x.json", b"\xff[[[[")


# -- fuzzing -----------------------------------------------------------------------------------

def _read_all(path: Path) -> None:
    try:
        for batch in read(path, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.ndjson"
    path.write_bytes(content)
    _read_all(path)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                    st.sampled_from(["t1_abc", "t3_abc", "abc", "[deleted]", "1543623764",
                                     "MachineLearning", "/r/x/"]))
_RECORD = st.dictionaries(
    st.sampled_from(["id", "name", "author", "created_utc", "title", "selftext", "body",
                     "parent_id", "link_id", "subreddit", "permalink"]),
    st.one_of(_VALUES, st.lists(_VALUES, max_size=2)), max_size=8)


@FUZZ
@given(st.lists(st.one_of(_RECORD, _VALUES), max_size=8))
def test_fuzz_random_records(tmp_path: Path, records: list[object]) -> None:
    path = tmp_path / "fuzz.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    _read_all(path)


@FUZZ
@given(st.randoms(use_true_random=False))
def test_fuzz_mutated_lines(tmp_path: Path, rnd: random.Random) -> None:
    data = bytearray("\n".join([
        _comment_2018("e1", "t3_a1y3z2", "x", "hi"), _comment_2011("c1", "t1_e1", "y", "yo"),
        json.dumps({"id": "a1y3z2", "title": "t", "author": "z", "created_utc": "1543623764"}),
    ]).encode())
    for _ in range(rnd.randint(1, 6)):
        at = rnd.randrange(len(data))
        if rnd.random() < 0.5:
            data[at] = rnd.choice(b'{}[]",:0\\\n\xff')
        else:
            del data[at]
    path = tmp_path / "fuzz.ndjson"
    path.write_bytes(bytes(data))
    _read_all(path)
