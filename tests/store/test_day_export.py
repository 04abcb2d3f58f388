"""Exporting the events by day: each partition holds its day's events, and only changed days
get new files (what an incremental Spark run relies on to read only them)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from renown.events import Event, events_to_table
from renown.interfaces.cli.main import app
from renown.store.database import open_store
from renown.store.day_export import EVENTS_FOLDER, RECORD, export_by_day, exported_days
from renown.store.forget import account_subject, erase
from renown.store.ingest import ingest_table

START = datetime(2026, 3, 1, 9)


def events(days: int, per_day: int = 4, prefix: str = "e") -> list[Event]:
    return [Event("bluesky", f"{prefix}-{d}-{k}", START + timedelta(days=d, minutes=k),
                  f"fan{k}", "reply" if k % 2 else "reshare", f"star{d % 3}")
            for d in range(days) for k in range(per_day)]


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    db = tmp_path / "renown.duckdb"
    with open_store(db) as con:
        ingest_table(con, events_to_table(events(5)), "first")
    return db


def files(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder / EVENTS_FOLDER)): p.stat().st_mtime_ns
            for p in (folder / EVENTS_FOLDER).rglob("*.parquet")}


def partition_rows(folder: Path) -> list[tuple[object, ...]]:
    pattern = str(folder / EVENTS_FOLDER / "*" / "*.parquet")
    return duckdb.sql(f"""SELECT day, event_id, CAST(ts AS DATE) FROM read_parquet('{pattern}',
                          hive_partitioning = true) ORDER BY event_id""").fetchall()


def test_every_day_lands_in_its_own_partition_with_all_its_events(store: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "export"
    with open_store(store) as con:
        result = export_by_day(con, out)
        stored = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    assert (result.days, result.written, result.removed) == (5, 5, 0)
    assert result.events_written == stored == 20
    rows = partition_rows(out)
    assert len(rows) == 20 and all(day == ts_day for day, _, ts_day in rows)
    assert exported_days(out) == [START.date() + timedelta(days=d) for d in range(5)]
    assert (out / "identities.parquet").is_file()
    assert "ingestion_id" not in duckdb.sql(
        f"DESCRIBE SELECT * FROM '{out / EVENTS_FOLDER}/*/*.parquet'").fetchall()[0]


def test_only_changed_days_get_new_files(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with open_store(store) as con:
        export_by_day(con, out)
        before = files(out)
        again = export_by_day(con, out)
        assert (again.written, again.removed) == (0, 0) and files(out) == before

        late = Event("bluesky", "late", START + timedelta(days=2, hours=5), "fan9", "reply",
                     "star1")
        new_day = Event("bluesky", "new", START + timedelta(days=9), "fan1", "reply", "star0")
        ingest_table(con, events_to_table([late, new_day]), "late")
        result = export_by_day(con, out)
        after = files(out)
    changed = {name for name in after if before.get(name) != after[name]}
    assert (result.written, result.events_written) == (2, 5 + 1)
    assert {name.split("/")[0] for name in changed} == {
        f"day={START.date() + timedelta(days=2)}", f"day={START.date() + timedelta(days=9)}"}
    assert len(partition_rows(out)) == 22


def test_forgetting_rewrites_the_days_and_a_day_left_empty_loses_its_folder(
        store: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with open_store(store) as con:
        ingest_table(con, events_to_table([
            Event("bluesky", "lonely", START + timedelta(days=7), "loner", "reply", "star0")]),
            "lonely")
        export_by_day(con, out)
        assert START.date() + timedelta(days=7) in exported_days(out)
        erase(con, [account_subject(con, "bluesky", "loner")])
        result = export_by_day(con, out)
    assert result.removed == 1
    assert exported_days(out) == [START.date() + timedelta(days=d) for d in range(5)]
    assert "lonely" not in {event_id for _, event_id, _ in partition_rows(out)}


def test_a_missing_or_unreadable_record_rewrites_every_day(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with open_store(store) as con:
        export_by_day(con, out)
        (out / EVENTS_FOLDER / RECORD).write_text("{not json")
        assert export_by_day(con, out).written == 5
        (out / EVENTS_FOLDER / RECORD).unlink()
        assert export_by_day(con, out).written == 5
        assert export_by_day(con, out).written == 0
    record = json.loads((out / EVENTS_FOLDER / RECORD).read_text())
    assert sorted(record["days"]) == [str(START.date() + timedelta(days=d)) for d in range(5)]
    assert not list((out / EVENTS_FOLDER).glob(".*"))  # no staging left behind


def test_the_cli_exports_by_day(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--parquet", str(out), "--by-day", "--db", str(store),
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inputs"]["days_written"] == 5
    result = runner.invoke(app, ["export", "--parquet", str(out), "--by-day", "--db", str(store)])
    assert result.exit_code == 0 and "wrote 0 of 5 days" in " ".join(result.stdout.split())
    result = runner.invoke(app, ["export", "--by-day", "--db", str(store)])
    assert result.exit_code == 2 and "--by-day goes with --parquet" in result.output
    assert exported_days(out)[0] == date(2026, 3, 1)
