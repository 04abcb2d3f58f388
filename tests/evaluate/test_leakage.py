"""No leakage: events on or after the split never change what is known before it."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np

from renown.evaluate.harness import EvaluationData, collect
from renown.events import Event, events_to_table
from renown.scoring.model import DEFAULT_MODEL
from renown.store.ingest import ingest_table
from tests.evaluate.conftest import HORIZON_DAYS, SimWorld


def _collect(db: Path, split: datetime) -> EvaluationData:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return collect(con, split, HORIZON_DAYS, DEFAULT_MODEL)
    finally:
        con.close()


def _add(db: Path, events: list[Event]) -> None:
    con = duckdb.connect(str(db))
    try:
        assert ingest_table(con, events_to_table(events), "after the split").quarantined == 0
    finally:
        con.close()


def _flood(split: datetime, people: list[str]) -> list[Event]:
    """At the split instant and after it: reactions, posts, follows, brand-new accounts."""
    events = []
    for i, (offset, kind) in enumerate([(timedelta(0), "reshare"), (timedelta(0), "follow"),
                                        (timedelta(hours=1), "mention"),
                                        (timedelta(days=2), "reply"),
                                        (timedelta(days=30), "quote")]):
        for j, target in enumerate(people):
            events.append(Event("twitter", f"leak-{i}-{j}", split + offset, f"newfan{j % 7}",
                                kind, target))
            events.append(Event("twitter", f"leak-post-{i}-{j}", split + offset, target, "post",
                                post_id=f"leak-p-{i}-{j}"))
    return events


def test_events_after_the_split_change_no_score(sim_world: SimWorld, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copy(sim_world.db, db)
    before = _collect(db, sim_world.split)
    quiet = [p.removeprefix("twitter:") for p in before.person_ids.tolist()
             if p.startswith("twitter:")][:40]
    _add(db, _flood(sim_world.split, quiet))
    after = _collect(db, sim_world.split)
    np.testing.assert_array_equal(before.person_ids, after.person_ids)
    np.testing.assert_array_equal(before.audience, after.audience)
    for name, values in before.scores.items():
        np.testing.assert_array_equal(values, after.scores[name], err_msg=name)
    assert after.outcome.sum() > before.outcome.sum()  # the outcome does see them


def test_an_offline_credential_dated_on_the_split_day_changes_no_score(
        sim_world: SimWorld, tmp_path: Path) -> None:
    """Offline events carry a date (midnight): one dated on the split day is after it.

    This found a leak (credentials were selected with ``ts <= as_of``), fixed in
    the pipeline in 3745fab; it stays as a regression test.
    """
    db = tmp_path / "copy.duckdb"
    shutil.copy(sim_world.db, db)
    before = _collect(db, sim_world.split)
    person = next(p for p in before.person_ids.tolist() if not p.startswith(("twitter:",
                                                                             "mastodon:")))
    con = duckdb.connect(str(db))
    try:
        con.execute("INSERT INTO identities VALUES ('offline', 'cv', ?, ?)",
                    [person, sim_world.split])
    finally:
        con.close()
    _add(db, [Event("offline", "leak-talk", sim_world.split, "cv", "talk",
                    text="A talk", url="https://example.org/talk")])
    after = _collect(db, sim_world.split)
    np.testing.assert_array_equal(before.scores["renown"], after.scores["renown"])
