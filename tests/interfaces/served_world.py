"""A small simulated world, ingested, scored over several days and given API keys, for
the API, dashboard and serving tests (built once per test module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from renown.scoring.model import Model
from renown.scoring.registry import current_model, register
from renown.scoring.run import backfill, latest_event_day
from renown.simulation import simulate
from renown.store.api_keys import create_key
from renown.store.database import open_store
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file

HISTORY_DAYS = 8


@dataclass(frozen=True)
class ServedWorld:
    db: Path
    last_day: date
    first_day: date
    candidate: str
    #: Tokens by role: read, write, admin, slow (read, 3 requests/min).
    tokens: dict[str, str]

    def headers(self, role: str = "read") -> dict[str, str]:
        return {"X-API-Key": self.tokens[role]}


def candidate_of(model: Model) -> Model:
    return model.with_changes(version=f"{model.version}-test-candidate", half_life_days=30.0)


def build_world(folder: Path, people: int = 300, days: int = 40, seed: int = 5) -> ServedWorld:
    simulate(people, days, seed, folder / "world")
    db = folder / "renown.duckdb"
    with open_store(db) as con:
        report = ingest(con, folder / "world" / "events.parquet", "events")
        assert report.quarantined == 0
        link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
        last = latest_event_day(con)
        first = last - timedelta(days=HISTORY_DAYS - 1)
        backfill(con, first, last)
        candidate = candidate_of(current_model(con))
        register(con, candidate)
        tokens = {role: create_key(con, scope, f"test {role}", rate).token for role, scope, rate
                  in (("read", "read", 100_000), ("write", "write", 100_000),
                      ("admin", "admin", 100_000), ("slow", "read", 3))}
    return ServedWorld(db, last, first, candidate.version, tokens)
