"""``renown forget`` end to end: confirmation, JSON, the audit log, finishing an interruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.store.database import connect, open_store
from renown.store.forget import erase, person_subject
from renown.store.traces import file_traces, table_traces
from tests.store import forget_world as w

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return w.build(tmp_path)


def test_forget_a_person_by_one_of_their_accounts(db: Path) -> None:
    result = run("forget", f"twitter:{w.TWITTER}", "--yes", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    [erasure] = out["erasures"]
    assert erasure["scope"] == "person" and erasure["accounts"] == 3
    removed = out["rewrite"]["removed"]  # the published read snapshots, rewritten away
    assert removed and all(".serving" in path for path in removed)
    assert w.TWITTER not in result.stdout and w.PERSON not in result.stdout
    with open_store(db, read_only=True) as con:
        assert table_traces(con, w.FORGOTTEN) == []
    assert file_traces(db, w.FORGOTTEN) == []
    log = run("forget", "--log", "--json", "--db", db)
    [entry] = json.loads(log.stdout)
    assert entry["subject_hash"] == erasure["subject_hash"]
    assert json.loads(entry["rows_deleted"])["events"] == 9  # 7 + 2 campaign outcomes


def test_without_yes_and_without_a_terminal_nothing_is_erased(db: Path) -> None:
    result = run("forget", w.PERSON, "--db", db)
    assert result.exit_code == 2
    assert "Pass --yes" in result.output and "3 account(s)" in result.output
    with open_store(db, read_only=True) as con:
        assert table_traces(con, [w.TWITTER])


@pytest.mark.parametrize(("args", "code", "message"), [
    (("nobody-here", "--yes"), 1, "no person 'nobody-here'"),
    (("--network", "twitter"), 2, "--network and --account go together"),
    ((), 2, "give PERSON"),
])
def test_clear_errors(db: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = run("forget", *args, "--db", db)
    assert result.exit_code == code and message in result.output, result.output


def test_an_interrupted_erasure_is_finished_by_scrub(db: Path) -> None:
    """Killed between the erasure's commit and the file rewrite: the bytes are still there."""
    con = connect(db)
    try:
        erase(con, [person_subject(con, w.PERSON)])
    finally:
        con.close()
    db.with_name(db.name + ".scrub-pending").touch()
    assert file_traces(db, w.FORGOTTEN)
    result = run("forget", "--scrub", "--db", db)
    assert result.exit_code == 0 and "interrupted erasure" in result.output, result.output
    assert file_traces(db, w.FORGOTTEN) == []
    assert not db.with_name(db.name + ".scrub-pending").exists()


def test_ingest_says_how_many_records_were_dropped(db: Path, tmp_path: Path) -> None:
    assert run("forget", w.PERSON, "--yes", "--db", db).exit_code == 0
    path = tmp_path / "back.jsonl"
    path.write_text(json.dumps(w._event(50, "twitter", w.TWITTER, "post")) + "\n")
    result = run("ingest", path, "--format", "events", "--db", db)
    assert result.exit_code == 0, result.output
    assert "1 records dropped" in " ".join(result.output.split())
