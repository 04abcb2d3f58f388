"""Offline credentials: the YAML and CSV formats, and ``renown credentials add``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from renown.interfaces.cli.credentials import credentials_add_command
from renown.sources import FORMATS, SourceError, SourceOptions
from renown.sources.base import BATCH_SCHEMA
from renown.sources.credentials import CredentialError, credential_row, read, sniff
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.people import Link, link_accounts

FUZZ = settings(max_examples=40, deadline=2000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
YAML = """\
# Ann's offline record
person: ann
credentials:
  - kind: talk
    date: 2023-11-14
    title: Influence without follower counts, PyData Berlin
    url: https://example.org/talks/42
    tags: [graphs, influence]
  - kind: Publications
    date: 2022-06
    title: Measuring reach honestly
    url: https://doi.org/10.1234/reach
  - {kind: award, date: 2019, title: Best paper, url: "https://example.org/award"}
  - kind: talk
    date: 2023-01-01
    title: A talk without evidence
  - kind: keynote
    date: 2023-02-01
    title: Wrong kind
    url: https://example.org/k
  - kind: press
    date: 2999-01-01
    title: From the future
    url: https://example.org/f
"""
CSV = """\
person,kind,date,title,url,tags
ann,course,2021-09-01,Network science (taught),https://example.edu/ns,graphs; teaching
bo,press,2024-02-03T10:00:00+01:00,Interview in Der Standard,https://example.at/bo,
bo,talk,not a date,Oops,https://example.org/x,
"""


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "credentials", "renown.sources.credentials")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_yaml_credentials(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "ann.yaml"
    path.write_text(YAML, encoding="utf-8")
    report = ingest(con, path, "credentials")
    assert (report.ingested, report.quarantined) == (3, 3)
    assert _rows(con, "SELECT network, ts, actor, kind, subject, text, url, tags FROM events "
                      "ORDER BY ts") == [
        ("offline", datetime(2019, 1, 1), "ann", "award", None, "Best paper",
         "https://example.org/award", []),
        ("offline", datetime(2022, 6, 1), "ann", "publication", None,
         "Measuring reach honestly", "https://doi.org/10.1234/reach", []),
        ("offline", datetime(2023, 11, 14), "ann", "talk", None,
         "Influence without follower counts, PyData Berlin", "https://example.org/talks/42",
         ["graphs", "influence"]),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (14, "a credential needs an evidence URL (http:// or https://), got None"),
        (17, "unknown credential kind 'keynote' (expected one of: talk, publication, course, "
             "award, press)"),
        (21, "timestamp lies in the future"),
    ]
    again = ingest(con, path, "credentials", SourceOptions(network="offline"))
    assert (again.ingested, again.duplicates) == (0, 3)


def test_csv_credentials(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "credentials.csv"
    path.write_text(CSV, encoding="utf-8")
    report = ingest(con, path, "credentials")
    assert (report.ingested, report.quarantined) == (2, 1)
    assert _rows(con, "SELECT ts, actor, kind, tags FROM events ORDER BY ts") == [
        (datetime(2021, 9, 1), "ann", "course", ["graphs", "teaching"]),
        (datetime(2024, 2, 3, 9), "bo", "press", []),
    ]
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (4, "unparseable date 'not a date' (expected YYYY-MM-DD, YYYY-MM or YYYY)")]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("a.yaml", "person: ann\ncredentials:\n  - kind: talk\n   date: x\n",
     "malformed YAML at line 4"),
    ("a.yaml", "- just a list\n", "expected 'person:' and a 'credentials:' list"),
    ("a.csv", "person,kind,date\nann,talk,2020-01-01\n", "missing column"),
])
def test_unusable_files(con: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, text: str,
                        message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        ingest(con, path, "credentials")
    with pytest.raises(SourceError, match="always on network offline"):
        list(read(path, SourceOptions(network="twitter")))


def test_credential_row_rules() -> None:
    row = credential_row("ann", "Talks", "2023-11-14", " Title ", "https://x.org/1")
    assert (row["kind"], row["ts"], row["text"]) == ("talk", datetime(2023, 11, 14), "Title")
    same = credential_row("ann", "talk", datetime(2023, 11, 14, 0, 0), "Title", "https://y.org")
    assert same["event_id"] == row["event_id"]  # the URL is evidence, not identity
    for bad in (("", "talk", "2020", "t", "https://x"), ("ann", "talk", "2020", "", "https://x"),
                ("a:b", "talk", "2020", "t", "https://x"), ("ann", "talk", "2020-13", "t",
                                                            "https://x")):
        with pytest.raises(CredentialError):
            credential_row(*bad)


# -- renown credentials add ------------------------------------------------------------------

def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Stand-in for `renown credentials` until main.py registers it."""

    app.command("add")(credentials_add_command)
    return app


def test_cli_add_links_declared_people(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    runner = CliRunner()
    args = ["add", "ann", "talk", "2023-11-14", "PyData Berlin", "https://example.org/t",
            "--db", str(db)]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "added talk 2023-11-14 'PyData Berlin' for ann" in result.output
    assert "ann is not a declared person" in result.output
    with connect(db) as con:
        link_accounts(con, [Link("ann", "twitter", "123")])
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "already recorded" in result.output and "linked offline:ann to ann" in result.output
    with connect(db) as con:
        assert _rows(con, "SELECT network, account FROM identities ORDER BY 1") == [
            ("offline", "ann"), ("twitter", "123")]
        assert _rows(con, "SELECT count(*) FROM events WHERE network = 'offline'") == [(1,)]
    # The same credential from a file is the same event.
    path = tmp_path / "ann.yaml"
    path.write_text("person: ann\ncredentials:\n  - {kind: talk, date: 2023-11-14, "
                    "title: PyData Berlin, url: 'https://example.org/other'}\n")
    with connect(db) as con:
        assert ingest(con, path, "credentials").duplicates == 1


@pytest.mark.parametrize(("args", "code", "message"), [
    (["ann", "keynote", "2023-01-01", "T", "https://x.org"], 2, "unknown credential kind"),
    (["ann", "talk", "2023-01-01", "T", "ftp://x.org"], 2, "needs an evidence URL"),
    (["ann", "talk", "2999-01-01", "T", "https://x.org"], 1,
     "credential refused: timestamp lies in the future"),
])
def test_cli_add_refuses(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(_app(), ["add", *args, "--db", str(tmp_path / "r.duckdb")])
    assert result.exit_code == code
    assert message in result.output


def test_sniff(tmp_path: Path) -> None:
    assert sniff(tmp_path / "ann.yaml", YAML.encode())
    assert sniff(tmp_path / "c.csv", CSV.encode())
    assert not sniff(tmp_path / "people.yaml", b"people:\n  ann: [twitter:1]\n")
    assert not sniff(tmp_path / "e.csv", b"network,ts,actor,kind,date,title,url\n")
    assert not sniff(tmp_path / "ann.txt", YAML.encode())


# -- fuzzing -----------------------------------------------------------------------------------

def _read_all(path: Path) -> None:
    try:
        for batch in read(path, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass


@FUZZ
@given(st.text(max_size=300), st.sampled_from(["f.yaml", "f.csv"]))
def test_fuzz_random_text(tmp_path: Path, text: str, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _read_all(path)


@FUZZ
@given(st.lists(st.sampled_from(YAML.splitlines()), max_size=25))
def test_fuzz_shuffled_yaml_lines(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    _read_all(path)
