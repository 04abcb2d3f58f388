"""Forgetting (DESIGN.md property 9): no trace in any table or file, kept out afterwards.

The checks use `renown.store.traces`, which looks everywhere (every text-like
column of every table, every byte of every file beside the store) without
consulting the erasure rules, so a rule that misses a place fails here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from renown.scoring.run import score_day
from renown.store.database import StoreError, connect, open_store, scalar
from renown.store.erasure_rules import ERASURE_RULES, unclassified
from renown.store.forget import ErasureError, account_subject, erase, person_subject
from renown.store.ingest import ingest
from renown.store.mentions import MARKERS
from renown.store.optout import key_path
from renown.store.people import IdentityError, Link, link_accounts
from renown.store.scrub import forget_in_store, store_files
from renown.store.traces import file_traces, table_traces
from tests.store import forget_world as w

REDACTED = MARKERS[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return w.build(tmp_path)


def _rows(con: duckdb.DuckDBPyConnection, sql: str,
          params: list[object] | None = None) -> list[tuple[object, ...]]:
    return con.execute(sql, params).fetchall()


def _forget_person(db: Path) -> None:
    forget_in_store(db, lambda con: [person_subject(con, w.PERSON)])


def _alice_score(con: duckdb.DuckDBPyConnection, day: date) -> float:
    return float(scalar(con, "SELECT s.score FROM person_scores s JOIN score_runs r "
                             "USING (run_id) WHERE s.person_id = 'alice' AND r.as_of = ?", [day]))


def test_the_world_holds_the_person_everywhere_before(db: Path) -> None:
    """Positive control: the scans find what forgetting must remove, tables and bytes."""
    with open_store(db, read_only=True) as con:
        found = {t.where for t in table_traces(con, w.FORGOTTEN)}
    assert found >= {
        "events.actor", "events.subject", "events.post_id", "events.parent_id", "events.text",
        "events.tags", "events.url", "accounts.account", "accounts.display_name",
        "identities.account", "identities.person_id", "people.person_id",
        "person_scores.person_id", "account_scores.account", "account_scores.person_id",
        "quarantine.raw", "quarantine.file", "ingestions.path",
        "campaign_invites.person_id", "campaign_invites.account", "campaign_invites.reasons",
        "campaign_posts.person_id", "campaign_outcomes.person_id"}
    files = {Path(t.where).name for t in file_traces(db, w.FORGOTTEN)}
    assert {"renown.duckdb", "1.duckdb"} <= files


def test_forgetting_a_person_leaves_no_trace_in_tables_or_files(db: Path) -> None:
    _forget_person(db)
    with open_store(db, read_only=True) as con:
        assert table_traces(con, w.FORGOTTEN) == []
        assert _rows(con, "SELECT event_id FROM events WHERE kind <> 'outcome' "
                          "ORDER BY event_id") == [
            ("bluesky-12",), ("twitter-21",), ("twitter-4",), ("twitter-6",), ("twitter-7",),
            ("twitter-8",), ("twitter-9",)]
        assert _rows(con, "SELECT text, tags FROM events WHERE event_id = 'twitter-7'") == [
            (f"thanks @{REDACTED} and @{REDACTED} for this", [REDACTED, "ai"])]
        assert _rows(con, "SELECT url FROM events WHERE event_id = 'twitter-8'") == [
            (f"https://twitter.com/{REDACTED}/status/1",)]
        # Ingestion rows stay (without the id); quarantine keeps only others' rows.
        assert scalar(con, "SELECT count(*) FROM ingestions") == 6  # 3 files, 2 clicks, 1 import
        assert _rows(con, "SELECT raw LIKE '%nobody forgotten%' FROM quarantine") == [(True,)]
        assert scalar(con, "SELECT count(*) FROM people WHERE person_id = 'alice'") == 1
        # Their invite, post and outcomes (rows and outcome events) are gone; Alice's stay.
        assert _rows(con, "SELECT person_id FROM campaign_invites") == [("alice",)]
        assert _rows(con, "SELECT person_id, outcome FROM campaign_outcomes ORDER BY 2") == [
            ("alice", "click"), ("alice", "sale")]
        assert scalar(con, "SELECT count(*) FROM campaign_posts") == 0
        assert scalar(con, "SELECT count(*) FROM events WHERE kind = 'outcome'") == 2
    assert file_traces(db, w.FORGOTTEN) == []
    assert file_traces(db, w.OTHERS), "the byte scan must still see everyone else"
    # Snapshots are gone; only the number the next one must exceed stays (see serving.FLOOR).
    assert [p.name for p in store_files(db)] == ["renown.duckdb", "renown.duckdb.key", "FLOOR"]


def test_others_scores_change_on_the_next_run(db: Path) -> None:
    day = date(2024, 3, 4)
    with open_store(db, read_only=True) as con:
        before = _alice_score(con, day)
    _forget_person(db)
    with open_store(db) as con:
        score_day(con, day)
        after = _alice_score(con, day)
    assert after < before  # Zorblax's like of Alice's post is gone with Zorblax


def test_the_audit_log_records_counts_and_a_keyed_hash_only(db: Path) -> None:
    [report], rewrite = forget_in_store(db, lambda con: [person_subject(con, w.PERSON)])
    key = bytes.fromhex(key_path(db).read_text().strip())
    expected = hmac.new(key, f"person\0{w.PERSON}".encode(), hashlib.sha256).hexdigest()
    assert report.subject_hash == expected and report.accounts == 3
    # 7 of theirs and their campaign's 2 outcome events (a click and a sale).
    assert report.deleted["events"] == 9 and report.deleted["people"] == 1
    assert report.redacted == {"accounts.display_name": 1, "events.tags": 1,
                               "events.text": 1, "events.url": 1, "ingestions.path": 1}
    with open_store(db, read_only=True) as con:
        [(scope, subject, accounts, deleted)] = _rows(
            con, "SELECT scope, subject_hash, accounts, rows_deleted FROM erasures")
    assert (scope, subject, accounts) == ("person", expected, 3)
    assert json.loads(str(deleted)) == report.deleted
    assert key_path(db).stat().st_mode & 0o777 == 0o600
    assert rewrite.bytes_after > 0 and len(rewrite.removed) == 1  # the snapshot


def test_opted_out_accounts_stay_out_of_ingestion_and_links(db: Path, tmp_path: Path) -> None:
    _forget_person(db)
    again = [w._event(30, "twitter", w.TWITTER, "post", text="I am back"),
             w._event(31, "twitter", w.ALICE, "reply", subject=w.TWITTER, parent_id="x"),
             w._event(32, "twitter", w.TWITTER, "shout"),   # invalid: still not quarantined
             w._event(33, "bluesky", w.BSKY, "post"),
             w._event(34, "twitter", w.BOB, "post", text="still here"),
             w._event(35, "offline", w.PERSON, "talk", text="Another talk")]
    path = tmp_path / "again.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in again), encoding="utf-8")
    with open_store(db) as con:
        report = ingest(con, path, "events")
        assert (report.records, report.ingested, report.opted_out, report.quarantined) == (
            6, 1, 5, 0)
        assert scalar(con, "SELECT opted_out FROM ingestions ORDER BY ingestion_id DESC "
                           "LIMIT 1") == 5
        with pytest.raises(IdentityError, match="asked to be forgotten"):
            link_accounts(con, [Link("someone", "twitter", w.TWITTER)])
        assert table_traces(con, w.FORGOTTEN) == []
        # The person id is free again for somebody else; the accounts are not.
        link_accounts(con, [Link(w.PERSON, "twitter", "new_account_for_id")])


def test_forgetting_one_account_keeps_its_owner(db: Path) -> None:
    forget_in_store(db, lambda con: [account_subject(con, "bluesky", w.BSKY)])
    with open_store(db, read_only=True) as con:
        assert table_traces(con, [w.BSKY]) == []
        assert _rows(con, "SELECT network, account FROM identities WHERE person_id = ? "
                          "ORDER BY 1", [w.PERSON]) == [("offline", w.PERSON),
                                                        ("twitter", w.TWITTER)]
        assert {t.where for t in table_traces(con, [w.TWITTER])} >= {"events.actor"}
    assert file_traces(db, [w.BSKY]) == []


def test_missing_key_with_opt_outs_refuses_ingestion(db: Path, tmp_path: Path) -> None:
    _forget_person(db)
    key_text = key_path(db).read_text().strip()
    assert [(t.where, t.count) for t in file_traces(db, [key_text])] == [
        (str(key_path(db)), 1)], "the key is in its own file only, not in the database"
    key_path(db).unlink()
    path = tmp_path / "later.jsonl"
    path.write_text(json.dumps(w._event(40, "twitter", w.BOB, "post")) + "\n")
    with open_store(db) as con, pytest.raises(StoreError, match="key file is missing"):
        ingest(con, path, "events")


def test_unknown_person_and_empty_account_are_refused(db: Path) -> None:
    with open_store(db) as con:
        with pytest.raises(ErasureError, match="no person"):
            person_subject(con, "nobody-by-that-name")
        with pytest.raises(ErasureError):
            account_subject(con, "twitter", "")


def test_every_column_of_the_schema_has_an_erasure_rule(con: duckdb.DuckDBPyConnection) -> None:
    assert unclassified(con) == []
    tables = {t for (t,) in _rows(con, "SELECT table_name FROM information_schema.tables "
                                       "WHERE table_type = 'BASE TABLE'")}
    assert tables == set(ERASURE_RULES), "a rule for a table the schema does not have"


def test_an_unclassified_table_blocks_erasure(db: Path) -> None:
    """A table added later (topics, endorsements, API keys...) must be classified first."""
    with open_store(db) as con:
        con.execute("CREATE TABLE mentors (mentor VARCHAR, mentee VARCHAR)")
        assert unclassified(con) == ["table mentors has no erasure rules"]
        con.execute("ALTER TABLE people ADD COLUMN nickname VARCHAR")
        assert "column people.nickname has no erasure rule" in unclassified(con)
        events = scalar(con, "SELECT count(*) FROM events")
        with pytest.raises(ErasureError, match="do not cover the schema"):
            erase(con, [person_subject(con, w.PERSON)])
        assert scalar(con, "SELECT count(*) FROM events") == events


def test_deleted_rows_survive_in_the_file_without_a_rewrite(db: Path) -> None:
    """Why forgetting rewrites the file: DuckDB keeps deleted strings in its blocks."""
    con = connect(db)
    try:
        erase(con, [person_subject(con, w.PERSON)])
        con.execute("CHECKPOINT")
        con.execute("VACUUM")
        assert table_traces(con, w.FORGOTTEN) == []
    finally:
        con.close()
    assert any(Path(t.where).name == "renown.duckdb" for t in file_traces(db, w.FORGOTTEN))


def test_the_rewrite_keeps_schema_constraints_views_and_sequences(db: Path) -> None:
    def shape(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
        return (_rows(con, "SELECT table_name, column_name, data_type, is_nullable, "
                           "column_default FROM information_schema.columns ORDER BY ALL"),
                _rows(con, "SELECT table_name, constraint_type, constraint_column_names "
                           "FROM duckdb_constraints() ORDER BY ALL"),
                _rows(con, "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal "
                           "ORDER BY ALL"),
                _rows(con, "SELECT sequence_name, last_value FROM duckdb_sequences()"),
                _rows(con, "SELECT version FROM schema_version ORDER BY 1"))
    with open_store(db, read_only=True) as con:
        before = shape(con)
    forget_in_store(db, lambda con: [])  # a rewrite with nothing to erase
    with open_store(db) as con:
        assert shape(con) == before
        assert scalar(con, "SELECT nextval('score_run_ids')") == 4  # three runs before
