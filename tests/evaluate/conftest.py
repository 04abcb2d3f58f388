"""A small simulated world whose true influence is known, shared by the evaluation tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from renown.simulation import Truth, load_truth, simulate
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file

SIM_PEOPLE, SIM_DAYS, SIM_SEED = 1000, 40, 7
HORIZON_DAYS = 7


@dataclass(frozen=True)
class SimWorld:
    db: Path
    truth: Truth

    @property
    def split(self) -> datetime:
        """A week before the end: scores from 33 days, outcomes over the last 7."""
        return self.truth.end - timedelta(days=HORIZON_DAYS)


@pytest.fixture(scope="session")
def sim_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWorld]:
    folder = tmp_path_factory.mktemp("sim")
    simulate(SIM_PEOPLE, SIM_DAYS, SIM_SEED, folder / "world")
    con = connect(folder / "renown.duckdb")
    try:
        assert ingest(con, folder / "world" / "events.parquet", "events").quarantined == 0
        link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
    finally:
        con.close()
    yield SimWorld(folder / "renown.duckdb", load_truth(folder / "world"))
