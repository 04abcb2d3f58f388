"""The linkedin source on exports that reproduce the real files' quirks (no real sample exists).

Quirks (../shared/data/formats/README.md): Comments.csv is not valid CSV (a
multi-line message breaks the quoting; rows come out with 0 to 9 columns),
Connections.csv starts with a "Notes:" paragraph, SharedUrl vs SharedURL,
dates as "2023-05-04 10:22:33 UTC" or "04 May 2023".
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import FORMATS, SourceError, SourceOptions
from renown.sources.base import BATCH_SCHEMA
from renown.sources.linkedin import owner_account, post_author, read, sniff, urn
from renown.store.ingest import ingest

FUZZ = settings(max_examples=40, deadline=2000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

PROFILE = """\
First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,\
Geo Location,Twitter Handles,Websites,Instant Messengers
Ann,Example,,,,"Data scientist, graphs",,Research,,"Berlin, Germany",,,
"""
BOB_POST = ("https://www.linkedin.com/posts/bob-smith-12345_graphs-activity-"
            "7068888888888888888-AbCd")
SHARES = f"""\
Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility
2023-05-04 10:22:33,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7059876543210987654,\
"Our paper is out!
Read it here, and tell me what you think: ""influence"" without follower counts.",\
https://example.org/paper,,MEMBER_NETWORK
2023-06-01 08:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A7069999999999999999,\
,{BOB_POST},,MEMBER_NETWORK
2023-06-02 09:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A7070000000000000001,\
Worth reading,https://www.linkedin.com/posts/carol-jones_ml-activity-7067777777777777777-XyZw,,PUBLIC
2023-06-03 09:00:00,too,few
"""
COMMENTS = f"""\
Date,Link,Message
2023-05-05 11:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A7060000000000000000\
?commentUrn=urn%3Ali%3Acomment%3A%28ugcPost%3A7060000000000000000%2C7060000000000000001%29,\
"Great work!"
2023-05-06 12:30:00,{BOB_POST},"Congrats Bob, well deserved.
Looking forward to the "next" one,
2023-05-09 we met, at the conference
and the one after."
2023-05-07 08:15:00,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A7061111111111111111,\
Thanks, that's a ""fair"" point, see you, at, the, next, one

2023-05-08 09:00:00,,"A comment whose post link LinkedIn left out"
2023-05-10 09:00:00
"""
REACTIONS = f"""\
Date,Type,Link
2023-05-05 11:01:00,LIKE,https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A7060000000000000000
2023-05-06 12:31:00,PRAISE,{BOB_POST}
someday,LIKE,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A1
"""
CONNECTIONS = """\
Notes:
"When exporting your connection data, you may notice that some of the email addresses are \
missing. You will only see email addresses for connections who have allowed their connections \
to see or download their email address using this setting \
https://www.linkedin.com/psettings/privacy/email. You can learn more here: \
https://www.linkedin.com/help/linkedin/answer/261"

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Bob,Smith,https://www.linkedin.com/in/bob-smith-12345,,Acme,"Head of Data, EMEA",04 May 2023
Carol,Jones,https://www.linkedin.com/in/carol-jones,carol@example.org,Beta,Engineer,12 Jan 2021
Dan,Hidden,,,,,01 Feb 2022
"""


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "linkedin", "renown.sources.linkedin")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def write_export(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _full_export(folder: Path) -> Path:
    return write_export(folder, Profile=PROFILE, Shares=SHARES, Comments=COMMENTS,
                        Reactions=REACTIONS, Connections=CONNECTIONS)


def test_export_mapping(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    report = ingest(con, _full_export(tmp_path / "export"), "linkedin")
    assert (report.ingested, report.quarantined) == (13, 4)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, post_id, parent_id FROM events "
                      "WHERE kind IN ('post', 'reshare', 'quote') ORDER BY ts") == [
        ("urn:li:share:7059876543210987654", datetime(2023, 5, 4, 10, 22, 33), "ann-example",
         "post", None, "urn:li:share:7059876543210987654", None),
        ("urn:li:activity:7069999999999999999", datetime(2023, 6, 1, 8), "ann-example",
         "reshare", "bob-smith-12345", "urn:li:activity:7069999999999999999",
         "urn:li:activity:7068888888888888888"),
        ("urn:li:activity:7070000000000000001", datetime(2023, 6, 2, 9), "ann-example",
         "quote", "carol-jones", "urn:li:activity:7070000000000000001",
         "urn:li:activity:7067777777777777777"),
    ]
    assert _rows(con, "SELECT text, url FROM events WHERE kind = 'post'") == [(
        'Our paper is out!\nRead it here, and tell me what you think: "influence" without '
        "follower counts.",
        "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7059876543210987654")]


def test_comments_that_are_not_valid_csv(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, _full_export(tmp_path / "export"), "linkedin")
    assert _rows(con, "SELECT ts, subject, parent_id, text FROM events WHERE kind = 'comment' "
                      "ORDER BY ts") == [
        (datetime(2023, 5, 5, 11), None, "urn:li:ugcPost:7060000000000000000", "Great work!"),
        (datetime(2023, 5, 6, 12, 30), "bob-smith-12345", "urn:li:activity:7068888888888888888",
         'Congrats Bob, well deserved.\nLooking forward to the "next" one,\n'
         "2023-05-09 we met, at the conference\nand the one after."),
        (datetime(2023, 5, 7, 8, 15), None, "urn:li:activity:7061111111111111111",
         'Thanks, that\'s a "fair" point, see you, at, the, next, one'),
        (datetime(2023, 5, 8, 9), None, None, "A comment whose post link LinkedIn left out"),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine WHERE file LIKE '%Comments.csv'") == [
        (10, "comment with neither link nor message")]


def test_reactions_and_connections(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(con, _full_export(tmp_path / "export"), "linkedin")
    assert _rows(con, "SELECT event_id, actor, subject, parent_id FROM events "
                      "WHERE kind = 'like' ORDER BY ts") == [
        ("reaction-urn:li:ugcPost:7060000000000000000", "ann-example", None,
         "urn:li:ugcPost:7060000000000000000"),
        ("reaction-urn:li:activity:7068888888888888888", "ann-example", "bob-smith-12345",
         "urn:li:activity:7068888888888888888"),
    ]
    assert _rows(con, "SELECT event_id, ts, actor, subject FROM events WHERE kind = 'follow' "
                      "ORDER BY ts, event_id") == [
        ("follow-ann-example-carol-jones", datetime(2021, 1, 12), "ann-example", "carol-jones"),
        ("follow-carol-jones-ann-example", datetime(2021, 1, 12), "carol-jones", "ann-example"),
        ("follow-ann-example-bob-smith-12345", datetime(2023, 5, 4), "ann-example",
         "bob-smith-12345"),
        ("follow-bob-smith-12345-ann-example", datetime(2023, 5, 4), "bob-smith-12345",
         "ann-example"),
    ]
    assert _rows(con, "SELECT account, display_name FROM accounts "
                      "WHERE display_name IS NOT NULL ORDER BY 1") == [
        ("bob-smith-12345", "Bob Smith"), ("carol-jones", "Carol Jones")]
    assert _rows(con, "SELECT regexp_extract(file, '[^/]+$'), record, reason FROM quarantine "
                      "WHERE file NOT LIKE '%Comments.csv' ORDER BY file") == [
        ("Connections.csv", 7, "connection without a profile URL: its account is unknown"),
        ("Reactions.csv", 4, "unparseable Date 'someday'"),
        ("Shares.csv", 6, "unexpected number of columns (3)"),
    ]
    again = ingest(con, tmp_path / "export", "linkedin", SourceOptions(network="linkedin"))
    assert (again.ingested, again.duplicates) == (0, 13)


def test_older_export_spellings_and_folder_owner(con: duckdb.DuckDBPyConnection,
                                                 tmp_path: Path) -> None:
    folder = write_export(
        tmp_path / "Basic_LinkedInDataExport_05-04-2020",
        Shares="Date,ShareLink,ShareCommentary,SharedURL,MediaUrl\n"
               "2020-01-05 10:22:33 UTC,https://www.linkedin.com/feed/update/"
               f"urn:li:activity:6619999999999999999,,{BOB_POST},\n",
        Connections="First Name,Last Name,URL,Connected On\n"
                    "Bob,Smith,https://www.linkedin.com/in/Bob-Smith-12345/,05 Jan 2020\n")
    assert owner_account(folder) == "basic_linkedindataexport_05-04-2020"
    report = ingest(con, folder, "linkedin")
    assert (report.ingested, report.quarantined) == (3, 0)
    assert _rows(con, "SELECT kind, ts, actor, subject FROM events ORDER BY kind, actor") == [
        ("follow", datetime(2020, 1, 5), "basic_linkedindataexport_05-04-2020",
         "bob-smith-12345"),
        ("follow", datetime(2020, 1, 5), "bob-smith-12345",
         "basic_linkedindataexport_05-04-2020"),
        ("reshare", datetime(2020, 1, 5, 10, 22, 33), "basic_linkedindataexport_05-04-2020",
         "bob-smith-12345"),
    ]


def test_unusable_exports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a LinkedIn export"):
        ingest(con, write_export(tmp_path / "empty", Profile=PROFILE), "linkedin")
    folder = write_export(tmp_path / "bad", Connections="Notes:\nnothing here\n")
    with pytest.raises(SourceError, match="no header row with the columns connectedon, url"):
        ingest(con, folder, "linkedin")
    (folder / "Connections.csv").write_bytes(b"First Name,URL,Connected On\n\xff\xfe\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        ingest(con, folder, "linkedin")
    assert _rows(con, "SELECT count(*) FROM events") == [(0,)]


def test_url_helpers() -> None:
    assert urn("https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A123?x=1") == (
        "urn:li:ugcPost:123")
    assert urn(BOB_POST) == "urn:li:activity:7068888888888888888"
    assert urn("https://example.org/activity-1") is None
    assert post_author(BOB_POST) == "bob-smith-12345"
    assert post_author("https://www.linkedin.com/feed/update/urn:li:activity:1") is None


def test_sniff(tmp_path: Path) -> None:
    assert sniff(_full_export(tmp_path / "export"), b"")
    assert sniff(write_export(tmp_path / "c", connections=CONNECTIONS), b"")
    assert not sniff(write_export(tmp_path / "p", Profile=PROFILE), b"")
    assert not sniff(tmp_path / "export" / "Shares.csv", SHARES.encode())


# -- fuzzing -----------------------------------------------------------------------------------

def _read_all(folder: Path) -> None:
    try:
        for batch in read(folder, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


@FUZZ
@given(st.sampled_from(["Comments", "Connections", "Shares", "Reactions", "Profile"]),
       st.text(max_size=300))
def test_fuzz_random_text(tmp_path: Path, name: str, text: str) -> None:
    folder = write_export(tmp_path / "fuzz", Reactions=REACTIONS)
    (folder / f"{name}.csv").write_text(text, encoding="utf-8", errors="surrogatepass")
    _read_all(folder)


@FUZZ
@given(st.randoms(use_true_random=False),
       st.sampled_from([("Comments", COMMENTS), ("Connections", CONNECTIONS),
                        ("Shares", SHARES)]))
def test_fuzz_mutated_fixtures(tmp_path: Path, rnd: random.Random,
                               file: tuple[str, str]) -> None:
    data = bytearray(file[1].encode())
    for _ in range(rnd.randint(1, 8)):
        at = rnd.randrange(len(data))
        if rnd.random() < 0.5:
            data[at] = rnd.choice(b'",\n\r\x00\xff:')
        else:
            del data[at]
    folder = write_export(tmp_path / "fuzz", Profile=PROFILE)
    (folder / f"{file[0]}.csv").write_bytes(bytes(data))
    _read_all(folder)
