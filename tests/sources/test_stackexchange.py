"""The stackexchange source: the real quantumcomputing dump, and small dumps for each rule."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

import duckdb
import pytest

from renown.sources import SourceError, SourceOptions
from renown.sources.stackexchange_xml import html_to_text, parse_tags
from renown.store.ingest import ingest
from tests.conftest import shared_path

Rows = Sequence[Mapping[str, str]]
SE_DUMP = "stackexchange/quantumcomputing_2018-09"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def _by_key(con: duckdb.DuckDBPyConnection, sql: str) -> dict[object, object]:
    return {row[0]: row[1] for row in _rows(con, sql)}


def _xml(root: str, rows: Rows) -> str:
    body = "".join("  <row " + " ".join(f"{k}={quoteattr(v)}" for k, v in row.items())
                   + " />\n" for row in rows)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{body}</{root}>\n'


def write_dump(folder: Path, *, posts: Rows = (), comments: Rows = (), votes: Rows = (),
               users: Rows = ()) -> Path:
    """A dump folder with the four files the source needs."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, root, rows in (("Posts.xml", "posts", posts), ("Comments.xml", "comments", comments),
                             ("Votes.xml", "votes", votes), ("Users.xml", "users", users)):
        (folder / name).write_text(_xml(root, rows), encoding="utf-8")
    return folder


def _q(post_id: str, owner: str | None, when: str, **extra: str) -> dict[str, str]:
    row = {"Id": post_id, "PostTypeId": "1", "CreationDate": when, "Title": f"Q{post_id}",
           "Body": "<p>Why &amp; how?</p>"}
    if owner is not None:
        row["OwnerUserId"] = owner
    return row | extra


def _a(post_id: str, parent: str, owner: str | None, when: str, **extra: str) -> dict[str, str]:
    row = {"Id": post_id, "PostTypeId": "2", "ParentId": parent, "CreationDate": when,
           "Body": "<p>Because.</p>"}
    if owner is not None:
        row["OwnerUserId"] = owner
    return row | extra


def _vote(vote_id: str, post: str, vote_type: str, day: str, **extra: str) -> dict[str, str]:
    return {"Id": vote_id, "PostId": post, "VoteTypeId": vote_type,
            "CreationDate": f"{day}T00:00:00.000"} | extra


# -- the real dump ---------------------------------------------------------------------------

@pytest.mark.shared_data
def test_quantumcomputing_dump(con: duckdb.DuckDBPyConnection,
                               caplog: pytest.LogCaptureFixture) -> None:
    path = shared_path(SE_DUMP)
    with caplog.at_level(logging.INFO, logger="renown.sources.stackexchange"):
        report = ingest(con, path, "stackexchange")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        16_993, 16_993, 0, 0)
    assert _by_key(con, "SELECT kind, count(*) FROM events GROUP BY kind") == {
        "post": 612, "answer": 1_060, "comment": 3_413, "accept": 405, "upvote": 10_103,
        "downvote": 668, "like": 732}
    # Self-answers, own-post comments, self-accepts, own favourites: kept, no subject.
    assert _by_key(con, "SELECT kind, count(*) FROM events WHERE subject IS NULL "
                           "AND kind <> 'post' GROUP BY kind") == {
        "answer": 43, "comment": 1_131, "accept": 17, "like": 57}
    assert _rows(con, "SELECT count(*) FROM accounts WHERE display_name IS NOT NULL") == [
        (3_461,)]
    assert _rows(con, "SELECT display_name FROM accounts WHERE account IN ('7', '~community') "
                      "ORDER BY account") == [("Riker",), ("Community",)]
    assert "vote type 16 (ApproveEditSuggestion)': 414" in caplog.text
    assert "post type 5 (TagWiki)': 157" in caplog.text


@pytest.mark.shared_data
def test_quantumcomputing_question_one(con: duckdb.DuckDBPyConnection) -> None:
    """Question 1 by Riker (7), answer 18 by Nat (15), accepted; known comments."""
    ingest(con, shared_path(SE_DUMP), "stackexchange")
    sql = ("SELECT kind, actor, subject, post_id, parent_id, ts FROM events "
           "WHERE event_id IN ('post-1', 'post-18', 'accept-18', 'comment-114', 'comment-116')"
           " ORDER BY event_id")
    assert _rows(con, sql) == [
        ("accept", "7", "15", None, "18", datetime(2018, 3, 12, 17, 59, 39, 560000)),
        ("comment", "113", "15", "c114", "18", datetime(2018, 3, 12, 22, 18, 42, 63000)),
        ("comment", "15", None, "c116", "18", datetime(2018, 3, 12, 22, 23, 32, 883000)),
        ("post", "7", None, "1", None, datetime(2018, 3, 12, 17, 0, 45, 567000)),
        ("answer", "15", "7", "18", "1", datetime(2018, 3, 12, 17, 59, 39, 560000)),
    ]
    text, tags = _rows(con, "SELECT text, tags FROM events WHERE event_id = 'post-1'")[0]
    assert str(text).startswith("Can a Turing machine simulate a quantum computer?\n\nI know")
    assert "<" not in str(text) and "&quot;" not in str(text)
    assert tags == ["simulation", "quantum-turing-machine"]
    assert _rows(con, "SELECT tags FROM events WHERE event_id = 'post-18'") == [
        (["simulation", "quantum-turing-machine"],)]
    # A bounty award: 1386 started a bounty on question 2697, awarded to 391's answer.
    assert _rows(con, "SELECT kind, actor, subject, parent_id FROM events "
                      "WHERE event_id = 'vote-13991'") == [("accept", "1386", "391", "3799")]
    # The deleted user user306 answered question 1192.
    assert _rows(con, "SELECT actor, subject FROM events WHERE event_id = 'post-1200'") == [
        ("~deleted-user306", "253")]


@pytest.mark.shared_data
def test_quantumcomputing_votes_are_anonymous_and_reingest_adds_nothing(
    con: duckdb.DuckDBPyConnection,
) -> None:
    path = shared_path(SE_DUMP)
    ingest(con, path, "stackexchange")
    assert _rows(con, "SELECT count(*), count(DISTINCT actor), "
                      "count(*) FILTER (WHERE actor LIKE '~anon-vote-%') FROM events "
                      "WHERE kind IN ('upvote', 'downvote')") == [(10_771, 10_771, 10_771)]
    # 154 up- and 242 downvotes went to posts deleted before the dump.
    assert _by_key(con, "SELECT kind, count(*) FROM events "
                           "WHERE subject LIKE '~deleted-post-%' GROUP BY kind") == {
        "upvote": 154, "downvote": 242, "like": 4, "accept": 1}
    assert ingest(con, path, "stackexchange").already_ingested
    reread = ingest(con, path, "stackexchange", SourceOptions(network="stackexchange"))
    assert (reread.ingested, reread.duplicates, reread.quarantined) == (0, 16_993, 0)
    assert _rows(con, "SELECT count(*) FROM events") == [(16_993,)]


# -- small dumps -------------------------------------------------------------------------------

def test_small_dump_mapping(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                            caplog: pytest.LogCaptureFixture) -> None:
    folder = write_dump(
        tmp_path / "site",
        posts=[
            _q("1", "1", "2020-01-01T10:00:00.000", Tags="<qubit><gates>", AcceptedAnswerId="3"),
            _a("2", "1", "1", "2020-01-01T11:00:00.000"),            # self-answer
            _a("3", "1", "2", "2020-01-02T09:30:00.000"),
            _a("5", "6", "2", "2020-01-03T09:00:00.000"),            # before its question
            _q("6", None, "2020-01-03T08:00:00.000", Tags="|alpha|beta|",
               OwnerDisplayName="Ghost", AcceptedAnswerId="7"),
            _a("7", "6", None, "2020-01-03T10:00:00.000"),           # no owner, no name
            {"Id": "8", "PostTypeId": "5", "CreationDate": "2020-01-01T00:00:00.000",
             "OwnerUserId": "-1", "Body": ""},                       # tag wiki: no event
            _q("9", "1", "2020-01-04T08:00:00.000", AcceptedAnswerId="10"),
            _a("10", "9", "1", "2020-01-04T09:00:00.000"),           # self-answer, accepted
        ],
        comments=[
            {"Id": "1", "PostId": "1", "UserId": "1", "Text": "mine",
             "CreationDate": "2020-01-01T12:00:00.000"},
            {"Id": "2", "PostId": "3", "UserId": "1", "Text": "thanks",
             "CreationDate": "2020-01-02T12:00:00.000"},
            {"Id": "3", "PostId": "6", "UserDisplayName": "Gone", "Text": "hm",
             "CreationDate": "2020-01-03T12:00:00.000"},
            {"Id": "4", "PostId": "42", "Text": "orphan",
             "CreationDate": "2020-01-04T12:00:00.000"},
        ],
        votes=[
            _vote("1", "3", "2", "2020-01-02"),
            _vote("2", "3", "3", "2020-01-05"),
            _vote("3", "1", "5", "2020-01-06", UserId="2"),
            _vote("4", "3", "1", "2020-01-02"),                      # accept: day < answer time
            _vote("5", "1", "8", "2020-01-07", UserId="4", BountyAmount="50"),
            _vote("6", "3", "9", "2020-01-10", BountyAmount="50"),
            _vote("7", "999", "2", "2020-01-08"),                    # post deleted
            _vote("8", "1", "6", "2020-01-09"),                      # close vote: no event
            _vote("9", "6", "9", "2020-01-11"),                      # bounty ended unawarded
        ],
        users=[{"Id": "1", "DisplayName": "Ann"}, {"Id": "2", "DisplayName": "Bo"},
               {"Id": "-1", "DisplayName": "Community"}],
    )
    with caplog.at_level(logging.INFO, logger="renown.sources.stackexchange"):
        report = ingest(con, folder, "stackexchange", SourceOptions(network="se-test"))
    assert (report.quarantined, report.ingested) == (0, 21)
    got = _rows(con, "SELECT event_id, kind, actor, subject, parent_id, tags FROM events "
                     "WHERE network = 'se-test' ORDER BY event_id")
    assert got == [
        ("accept-10", "accept", "1", None, "10", None),          # accepting oneself
        ("accept-3", "accept", "1", "2", "3", None),
        ("accept-7", "accept", "~deleted-Ghost", "~deleted-post-7", "7", None),
        ("comment-1", "comment", "1", None, "1", None),
        ("comment-2", "comment", "1", "2", "3", None),
        ("comment-3", "comment", "~deleted-Gone", "~deleted-Ghost", "6", None),
        ("comment-4", "comment", "~deleted-comment-4", "~deleted-post-42", "42", None),
        ("post-1", "post", "1", None, None, ["qubit", "gates"]),
        ("post-10", "answer", "1", None, "9", []),
        ("post-2", "answer", "1", None, "1", ["qubit", "gates"]),
        ("post-3", "answer", "2", "1", "1", ["qubit", "gates"]),
        ("post-5", "answer", "2", "~deleted-Ghost", "6", ["alpha", "beta"]),
        ("post-6", "post", "~deleted-Ghost", None, None, ["alpha", "beta"]),
        ("post-7", "answer", "~deleted-post-7", "~deleted-Ghost", "6", ["alpha", "beta"]),
        ("post-9", "post", "1", None, None, []),
        ("vote-1", "upvote", "~anon-vote-1", "2", "3", None),
        ("vote-2", "downvote", "~anon-vote-2", "2", "3", None),
        ("vote-3", "like", "2", "1", "1", None),
        ("vote-5", "like", "4", "1", "1", None),
        ("vote-6", "accept", "4", "2", "3", None),               # bounty award by its starter
        ("vote-7", "upvote", "~anon-vote-7", "~deleted-post-999", "999", None),
    ]
    times = _by_key(con, "SELECT event_id, ts FROM events WHERE event_id IN "
                            "('accept-3', 'vote-1', 'vote-2')")
    assert times == {"accept-3": datetime(2020, 1, 2, 9, 30),
                     "vote-1": datetime(2020, 1, 2, 9, 30), "vote-2": datetime(2020, 1, 5)}
    assert _rows(con, "SELECT account, display_name FROM accounts "
                      "WHERE display_name IS NOT NULL ORDER BY account") == [
        ("1", "Ann"), ("2", "Bo"), ("~community", "Community")]
    assert _rows(con, "SELECT text FROM events WHERE event_id IN ('post-1', 'post-3') "
                      "ORDER BY event_id") == [("Q1\n\nWhy & how?",), ("Because.",)]
    assert "'vote type 6 (Close)': 1" in caplog.text
    assert "'vote type 9 (BountyClose) not on an answer: no award': 1" in caplog.text
    assert "'post type 5 (TagWiki)': 1" in caplog.text
    again = ingest(con, folder, "stackexchange", SourceOptions(network="se-test"))
    assert again.already_ingested
    # An optional file appears (a new content hash): read again, every event a duplicate.
    (folder / "Badges.xml").write_text(_xml("badges", []), encoding="utf-8")
    reread = ingest(con, folder, "stackexchange", SourceOptions(network="se-test"))
    assert (reread.already_ingested, reread.ingested, reread.duplicates) == (False, 0, 21)


def _small_valid_dump(folder: Path) -> Path:
    return write_dump(folder, posts=[_q("1", "1", "2020-01-01T10:00:00.000")],
                      comments=[{"Id": "1", "PostId": "1", "UserId": "2", "Text": "ok",
                                 "CreationDate": "2020-01-01T11:00:00.000"}],
                      users=[{"Id": "1", "DisplayName": "Ann"}])


def test_malformed_xml_is_unusable_and_stores_nothing(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = _small_valid_dump(tmp_path / "site")
    comments = folder / "Comments.xml"
    comments.write_text(comments.read_text(encoding="utf-8").replace(
        "</comments>", '  <row Id="2" PostId="1" Text="a < b" />\n</comments>'), encoding="utf-8")
    with pytest.raises(SourceError, match=r"Comments\.xml: malformed XML at line 4, column \d+"):
        ingest(con, folder, "stackexchange")
    assert _rows(con, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM accounts), "
                      "(SELECT count(*) FROM quarantine), (SELECT count(*) FROM ingestions)"
                 ) == [(0, 0, 0, 0)]


def test_missing_attributes_are_quarantined_with_file_and_record(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = write_dump(
        tmp_path / "site",
        posts=[_q("1", "1", "2020-01-01T10:00:00.000"),
               {"Id": "2", "PostTypeId": "1", "OwnerUserId": "1"},
               {"Id": "3", "PostTypeId": "2", "CreationDate": "2020-01-01T10:00:00.000"},
               _q("4", "1", "yesterday")],
        votes=[_vote("1", "1", "2", "2020-01-02"), {"Id": "2", "VoteTypeId": "2"},
               _vote("3", "1", "up", "2020-01-02")],
        comments=[{"PostId": "1", "CreationDate": "2020-01-01T11:00:00.000"}],
        users=[{"Id": "1"}, {"DisplayName": "nobody"}],
    )
    report = ingest(con, folder, "stackexchange")
    assert (report.ingested, report.quarantined) == (2, 7)
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "ORDER BY file, record") == [
        ("Comments.xml", 1, "missing attribute Id"),
        ("Posts.xml", 2, "missing attribute CreationDate"),
        ("Posts.xml", 3, "answer (PostTypeId 2) without ParentId"),
        ("Posts.xml", 4, "unparseable CreationDate 'yesterday'"),
        ("Users.xml", 2, "missing attribute Id"),
        ("Votes.xml", 2, "missing attribute PostId, CreationDate"),
        ("Votes.xml", 3, "VoteTypeId 'up' is not a number"),
    ]
    assert _rows(con, "SELECT raw FROM quarantine WHERE reason LIKE 'unparseable%'") == [
        ('<row Id="4" PostTypeId="1" CreationDate="yesterday" Title="Q4" '
         'Body="&lt;p&gt;Why &amp;amp; how?&lt;/p&gt;" OwnerUserId="1" />',)]


def test_folder_that_is_not_a_dump(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _small_valid_dump(tmp_path / "site")
    (folder / "Votes.xml").unlink()
    with pytest.raises(SourceError, match=r"missing Votes\.xml"):
        ingest(con, folder, "stackexchange")
    (folder / "Votes.xml").write_text('<?xml version="1.0"?>\n<html></html>\n', encoding="utf-8")
    with pytest.raises(SourceError, match="expected a <votes> dump file"):
        ingest(con, folder, "stackexchange")
    assert _rows(con, "SELECT count(*) FROM events") == [(0,)]


def test_file_names_match_case_insensitively(con: duckdb.DuckDBPyConnection,
                                             tmp_path: Path) -> None:
    folder = _small_valid_dump(tmp_path / "site")
    (folder / "Posts.xml").rename(folder / "posts.xml")
    assert ingest(con, folder, "stackexchange").ingested == 2


def test_html_to_text_keeps_it_readable() -> None:
    html = ("<p>Use <code>&lt;b&gt;</code> &amp; <a href='x'>links</a>.</p>\n\n\n\n"
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<pre><code>for x in y:\n    pass\n"
            "</code></pre>line<br/>break")
    assert html_to_text(html) == ("Use <b> & links.\n\n- one\n- two\n\nfor x in y:\n    pass\n"
                                  "line\nbreak")
    assert html_to_text(None) == ""


@pytest.mark.parametrize(("text", "tags"), [
    ("<quantum-gate><q#>", ["quantum-gate", "q#"]),
    ("|quantum-gate|q#|", ["quantum-gate", "q#"]),
    ("", []),
    (None, []),
])
def test_both_tag_syntaxes(text: str | None, tags: list[str]) -> None:
    assert parse_tags(text) == tags
