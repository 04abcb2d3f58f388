"""The scoring inputs as a day-partitioned Parquet table, rewritten only where days changed.

``FOLDER/events/day=YYYY-MM-DD/data_0.parquet`` holds the events of one UTC day
(the day of their ``ts``), ``FOLDER/identities.parquet`` links accounts to
people.  This is the layout an incremental Spark run reads
(`renown.engines.spark.partitions`): it notices a day has changed by its files
(names, sizes, modification times), so only a day whose events changed may
get new files.  An export therefore keeps, in ``FOLDER/events/_renown_days.json``
(Spark skips names starting with ``_``), each day's event count and digest (an
order-independent sum of row hashes over every column), and rewrites a day's
partition only when they differ: a new day, late or back-dated events, events
removed by ``forget``.  Days with no events left lose their folder.

Each day's new folder is written beside the old one and swapped in by rename,
and the record is replaced last (atomically), so an interrupted export leaves
every day either as it was or as it is now, and the next export finishes it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import duckdb

from renown.store.export import EXPORTS

#: The partitioned events folder inside an export folder.
EVENTS_FOLDER: Final = "events"
#: Per-day counts and digests of the last export (ignored by Parquet readers).
RECORD: Final = "_renown_days.json"
_DIGEST: Final = ("SELECT CAST(ts AS DATE) AS day, count(*) AS events, "
                  "CAST(sum(hash(COLUMNS(*))) AS VARCHAR) AS digest FROM events GROUP BY 1")


@dataclass(frozen=True, slots=True)
class DayExport:
    """What an export by day wrote."""

    folder: Path
    days: int
    written: int
    removed: int
    events_written: int

    def describe(self) -> str:
        return (f"events by day in {self.folder / EVENTS_FOLDER}: wrote {self.written:,} of "
                f"{self.days:,} days ({self.events_written:,} events), removed {self.removed:,}")


def export_by_day(con: duckdb.DuckDBPyConnection, folder: Path) -> DayExport:
    """Bring ``folder``'s day-partitioned copy of the store's events up to date."""
    events_root = folder / EVENTS_FOLDER
    events_root.mkdir(parents=True, exist_ok=True)
    now = _day_digests(con)
    before = _read_record(events_root)
    changed = sorted(day for day, entry in now.items() if before.get(day) != entry)
    gone = sorted(day for day in before.keys() | _folders(events_root) if day not in now)
    written = _write_days(con, events_root, changed)
    for day in gone:
        shutil.rmtree(events_root / f"day={day}", ignore_errors=True)
    _write_record(events_root, now)
    _write_identities(con, folder)
    return DayExport(folder, len(now), len(changed), len(gone), written)


def _day_digests(con: duckdb.DuckDBPyConnection) -> dict[str, list[object]]:
    """Day (ISO) → [events, digest] for every day of the store's events."""
    rows = con.execute(_DIGEST.replace("COLUMNS(*)", _columns(con))).fetchall()
    return {day.isoformat(): [int(events), str(digest)] for day, events, digest in rows}


def _columns(con: duckdb.DuckDBPyConnection) -> str:
    names = [row[0] for row in con.execute("DESCRIBE events").fetchall()]
    return ", ".join(f'"{name}"' for name in names)


def _write_days(con: duckdb.DuckDBPyConnection, root: Path, days: list[str]) -> int:
    """Write the events of ``days`` in one pass, then swap each day's folder in."""
    if not days:
        return 0
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        listed = ", ".join(f"DATE '{day}'" for day in days)
        query = (f"SELECT *, CAST(ts AS DATE) AS day FROM events "
                 f"WHERE CAST(ts AS DATE) IN ({listed}) ORDER BY network, ts, event_id")
        target = str(staging / "out").replace("'", "''")
        con.execute(f"COPY ({query}) TO '{target}' "
                    "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))")
        written = int(con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0])
        for day in days:
            _swap_in(staging / "out" / f"day={day}", root / f"day={day}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _swap_in(new: Path, final: Path) -> None:
    """Replace ``final`` by ``new`` with renames: readers see the old day or the new one."""
    if final.exists():
        old = final.with_name(f".old-{final.name}")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
        new.rename(final)
        shutil.rmtree(old)
    else:
        new.rename(final)


def _folders(root: Path) -> set[str]:
    return {child.name.removeprefix("day=") for child in root.iterdir()
            if child.is_dir() and child.name.startswith("day=")}


def _read_record(root: Path) -> dict[str, list[object]]:
    """The last export's record, or nothing (then every day is written)."""
    path = root / RECORD
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return {str(day): list(entry) for day, entry in record["days"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: rewrite every day rather than trust it


def _write_record(root: Path, days: dict[str, list[object]]) -> None:
    text = json.dumps({"format": 1, "days": days}, sort_keys=True)
    partial = root / f".{RECORD}.partial"
    partial.write_text(text, encoding="utf-8")
    partial.replace(root / RECORD)


def _write_identities(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    partial = str(folder / ".identities.parquet.partial").replace("'", "''")
    con.execute(f"COPY ({EXPORTS['identities.parquet']}) TO '{partial}' "
                "(FORMAT parquet, COMPRESSION zstd)")
    (folder / ".identities.parquet.partial").replace(folder / "identities.parquet")


def exported_days(folder: Path) -> list[date]:
    """The days an export by day holds (from its folders)."""
    return sorted(date.fromisoformat(day) for day in _folders(folder / EVENTS_FOLDER))
