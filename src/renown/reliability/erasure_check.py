"""Forget a handful of simulated people and prove they left nothing behind.

A simulated world (`renown.simulation`) is ingested, its identities linked and
scored over a few days, and a read-only snapshot is published beside the
store, as the service does.  Then some people (drawn with a seed) are
forgotten through the same code as ``renown forget``, and every table and
every file is searched for their ids.  The simulator's ids are fixed-width
(``u000021``, ``p000021``), so a byte search for one cannot hit another.

Two controls keep the check honest: before forgetting, the same searches must
find the people (in tables and in the file's bytes); and a copy erased
without the file rewrite must still hold their ids in its bytes, which is
why forgetting rewrites the file.
"""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from renown.scoring.run import backfill
from renown.simulation import simulate
from renown.store.database import connect, open_store
from renown.store.forget import erase, person_subject
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file
from renown.store.scrub import forget_in_store
from renown.store.traces import file_traces, table_traces


@dataclass(frozen=True, slots=True)
class ErasureCheck:
    """What was forgotten and what the searches found, before and after."""

    people: int
    accounts: int
    rows_deleted: int
    table_hits_before: int
    file_hits_before: int
    table_hits_after: int
    file_hits_after: int
    others_still_in_file: bool
    file_hits_without_rewrite: int
    rewrite_seconds: float
    database_bytes: int
    reingested_rows_dropped: int

    @property
    def verified(self) -> bool:
        return (self.table_hits_before > 0 and self.file_hits_before > 0
                and self.table_hits_after == 0 and self.file_hits_after == 0
                and self.others_still_in_file and self.reingested_rows_dropped > 0)


def _build(workdir: Path, people: int, days: int, seed: int) -> tuple[Path, Path]:
    world = simulate(people, days, seed, workdir / "world")
    db = workdir / "store" / "renown.duckdb"
    db.parent.mkdir(parents=True)
    with open_store(db) as con:
        ingest(con, world.out / "events.parquet", "events")
        link_accounts(con, read_identity_file(world.out / "identities.csv"))
        last = world.end.date() - timedelta(days=1)
        backfill(con, last - timedelta(days=2), last)
        con.execute("CHECKPOINT")
    serving = db.with_name(db.name + ".serving")
    serving.mkdir()
    shutil.copyfile(db, serving / "1.duckdb")
    return db, world.out


def check(workdir: Path, *, people: int = 300, days: int = 30, forget: int = 5,
          seed: int = 7) -> ErasureCheck:
    db, world = _build(workdir, people, days, seed)
    with open_store(db, read_only=True) as con:
        declared = [str(p) for (p,) in con.execute(
            "SELECT DISTINCT person_id FROM identities ORDER BY 1").fetchall()]
        chosen = random.Random(seed).sample(declared, forget)
        subjects = [person_subject(con, p) for p in chosen]
        other = next(str(a) for (a,) in con.execute(
            "SELECT account FROM identities WHERE person_id NOT IN (SELECT unnest($p)) "
            "ORDER BY 1 LIMIT 1", {"p": chosen}).fetchall())
    ids = sorted({t for s in subjects for t in s.tokens()})
    with open_store(db, read_only=True) as con:
        table_before = sum(t.count for t in table_traces(con, ids))
    file_before = sum(t.count for t in file_traces(db, ids))
    without_rewrite = _erase_without_rewrite(db, chosen, ids)
    clock = time.perf_counter()
    reports, _ = forget_in_store(db, lambda con: [person_subject(con, p) for p in chosen])
    seconds = time.perf_counter() - clock
    dropped = _reingest(db, world)
    with open_store(db, read_only=True) as con:
        table_after = sum(t.count for t in table_traces(con, ids))
    return ErasureCheck(
        people=len(chosen), accounts=sum(r.accounts for r in reports),
        rows_deleted=sum(sum(r.deleted.values()) for r in reports),
        table_hits_before=table_before, file_hits_before=file_before,
        table_hits_after=table_after, file_hits_after=sum(
            t.count for t in file_traces(db, ids)),
        others_still_in_file=bool(file_traces(db, [other])),
        file_hits_without_rewrite=without_rewrite, rewrite_seconds=seconds,
        database_bytes=db.stat().st_size, reingested_rows_dropped=dropped)


def _erase_without_rewrite(db: Path, people: list[str], ids: list[str]) -> int:
    """A copy erased and checkpointed but not rewritten: how many id bytes survive."""
    copy = db.parent.parent / "no-rewrite" / db.name
    copy.parent.mkdir()
    shutil.copyfile(db, copy)
    con = connect(copy)
    try:
        erase(con, [person_subject(con, p) for p in people])
        con.execute("CHECKPOINT")
        con.execute("VACUUM")
    finally:
        con.close()
    return sum(t.count for t in file_traces(copy, ids))


def _reingest(db: Path, world: Path) -> int:
    """The same events again, as a new file: the forgotten people's rows are dropped."""
    again = world / "events-again.parquet"
    with open_store(db) as con:
        con.execute(f"COPY (SELECT *, 1 AS export FROM '{world / 'events.parquet'}') "
                    f"TO '{again}' (FORMAT parquet)")
        return ingest(con, again, "events").opted_out
