"""Small hand-built worlds for scoring tests: say who did what on which day."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from renown.events import Event, events_to_table
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.snapshots import day_end
from renown.store.database import connect, utc_now
from renown.store.ingest import ingest_table

START = date(2025, 1, 1)


@dataclass
class World:
    """Builds events; days are offsets from `START`."""

    network: str = "twitter"
    events: list[Event] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    _serial: itertools.count[int] = field(default_factory=itertools.count)

    def _ts(self, day: int, minute: int = 0) -> datetime:
        return datetime.combine(START, datetime.min.time()) + timedelta(days=day, minutes=minute)

    def post(self, author: str, day: int, *, network: str | None = None,
             text: str = "hello") -> str:
        post_id = f"p{next(self._serial)}"
        self.events.append(Event(network or self.network, f"e{post_id}", self._ts(day, 1),
                                 author, "post", None, post_id, None, text))
        return post_id

    def react(self, reactor: str, author: str, day: int, *, kind: str = "reshare",
              post: str | None = None, times: int = 1, network: str | None = None) -> None:
        for _ in range(times):
            serial = next(self._serial)
            self.events.append(Event(network or self.network, f"r{serial}",
                                     self._ts(day, 2 + serial % 1000), reactor, kind, author,
                                     None, post))

    def credential(self, account: str, day: int, kind: str = "talk") -> None:
        serial = next(self._serial)
        self.events.append(Event("offline", f"o{serial}", self._ts(day), account, kind,
                                 text=f"A {kind}", url="https://example.org/evidence"))

    def link(self, person: str, network: str, account: str) -> None:
        self.links.append((person, network, account))

    def store(self, path: Path) -> duckdb.DuckDBPyConnection:
        con = connect(path)
        if self.events:
            report = ingest_table(con, events_to_table(self.events), "world")
            assert report.quarantined == 0, con.execute("SELECT * FROM quarantine").fetchall()
        for person, network, account in self.links:
            con.execute("INSERT OR IGNORE INTO people VALUES (?, NULL, ?)", [person, utc_now()])
            con.execute("INSERT INTO identities VALUES (?, ?, ?, ?)",
                        [network, account, person, utc_now()])
        return con


def score(world: World, path: Path, day: int, model: Model = DEFAULT_MODEL) -> ScoreRun:
    con = world.store(path)
    try:
        return compute_scores(con, day_end(START + timedelta(days=day)), model)
    finally:
        con.close()


def scores_by_person(run: ScoreRun) -> dict[str, float]:
    return dict(zip(run.people["person_id"].to_pylist(), run.people["score"].to_pylist(),
                    strict=True))
