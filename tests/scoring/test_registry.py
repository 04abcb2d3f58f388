"""Model versions in the store (DESIGN.md property 8): registered, current, promoted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.queries import history, leaderboard, person_summary
from renown.scoring.registry import (
    ModelRegistryError,
    current_model,
    ensure_current,
    get_model,
    list_models,
    promote,
    register,
)
from renown.scoring.run import score_day
from renown.store.database import scalar
from tests.scoring.builders import START, World

DAY = START + timedelta(days=20)
CANDIDATE = DEFAULT_MODEL.with_changes(version="candidate-1", weight_network=0.7)


def small_world() -> World:
    world = World()
    for day in range(20):
        post = world.post("alice", day)
        for i in range(6):
            if (i + day) % 3 == 0:
                world.react(f"fan{i}", "alice", day, post=post)
    world.post("bob", 2)
    world.react("alice", "bob", 3, kind="reply")
    world.react("fan1", "bob", 4, kind="like")
    return world


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = small_world().store(tmp_path / "registry.duckdb")
    try:
        yield connection
    finally:
        connection.close()


def current_versions(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(v) for v, in con.execute(
        "SELECT version FROM models WHERE is_current ORDER BY version").fetchall()]


def test_an_empty_store_has_no_models_and_reads_the_default(
        con: duckdb.DuckDBPyConnection) -> None:
    assert list_models(con) == []
    assert current_model(con) == DEFAULT_MODEL


def test_the_first_score_registers_and_promotes_the_default_model(
        con: duckdb.DuckDBPyConnection) -> None:
    info = score_day(con, DAY)
    assert info.model_version == DEFAULT_MODEL.version
    assert list_models(con) == [(DEFAULT_MODEL.version, DEFAULT_MODEL.fingerprint, True)]
    assert current_model(con) == DEFAULT_MODEL
    assert scalar(con, "SELECT promoted_at IS NOT NULL FROM models") is True
    assert get_model(con, DEFAULT_MODEL.version) == DEFAULT_MODEL


def test_the_first_score_with_a_candidate_still_makes_the_default_current(
        con: duckdb.DuckDBPyConnection) -> None:
    info = score_day(con, DAY, CANDIDATE)
    assert info.model_version == CANDIDATE.version
    assert current_versions(con) == [DEFAULT_MODEL.version]
    assert {v for v, _, _ in list_models(con)} == {DEFAULT_MODEL.version, CANDIDATE.version}


def test_every_snapshot_row_carries_a_registered_model_version(
        con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, DAY)
    score_day(con, DAY - timedelta(days=1))
    score_day(con, DAY, CANDIDATE)
    for table in ("person_scores", "account_scores"):
        orphans = scalar(con, f"""
            SELECT count(*) FROM {table} s LEFT JOIN score_runs r USING (run_id)
            LEFT JOIN models m ON m.version = r.model_version
            WHERE r.model_version IS NULL OR m.fingerprint IS NULL""")
        assert orphans == 0, table
    versions = con.execute("SELECT r.model_version, count(*) FROM person_scores p "
                           "JOIN score_runs r USING (run_id) GROUP BY 1 ORDER BY 1").fetchall()
    people = scalar(con, "SELECT count(DISTINCT person_id) FROM person_scores")
    assert versions == [(CANDIDATE.version, people), (DEFAULT_MODEL.version, 2 * people)]


def test_promote_switches_the_current_model(con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, DAY)
    promote(con, CANDIDATE)
    assert current_versions(con) == [CANDIDATE.version]
    assert current_model(con) == CANDIDATE
    assert ensure_current(con) == CANDIDATE
    promote(con, DEFAULT_MODEL)  # back again: both stay registered, one is current
    assert current_versions(con) == [DEFAULT_MODEL.version]
    assert len(list_models(con)) == 2


class _Interposed:
    """A connection whose ``execute`` runs ``hook(sql)`` before each statement."""

    def __init__(self, con: duckdb.DuckDBPyConnection, hook: Any) -> None:
        self._con = con
        self._hook = hook

    def execute(self, sql: str, params: object = None) -> Any:
        self._hook(sql)
        return self._con.execute(sql, params)


def test_promote_is_atomic_for_readers_and_on_failure(con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, DAY)
    reader = con.cursor()
    seen: list[list[str]] = []

    def look(sql: str) -> None:  # a concurrent reader, between the promote's statements
        seen.append([str(v) for v, in reader.execute(
            "SELECT version FROM models WHERE is_current").fetchall()])

    promote(_Interposed(con, look), CANDIDATE)  # type: ignore[arg-type]
    assert seen and all(s == [DEFAULT_MODEL.version] for s in seen)
    assert current_versions(con) == [CANDIDATE.version]

    other = DEFAULT_MODEL.with_changes(version="candidate-2", damping=0.8)

    def fail_late(sql: str) -> None:
        if sql.startswith("UPDATE models SET is_current = true"):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        promote(_Interposed(con, fail_late), other)  # type: ignore[arg-type]
    assert current_versions(con) == [CANDIDATE.version]
    assert "candidate-2" not in {v for v, _, _ in list_models(con)}
    reader.close()


def test_a_version_name_cannot_be_reused_for_other_parameters(
        con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, DAY)
    impostor = DEFAULT_MODEL.with_changes(damping=0.8)
    with pytest.raises(ModelRegistryError, match="already exists with different parameters"):
        register(con, impostor)
    with pytest.raises(ModelRegistryError, match="already exists"):
        promote(con, impostor)
    with pytest.raises(ModelRegistryError, match="already exists"):
        score_day(con, DAY, impostor)
    assert current_model(con) == DEFAULT_MODEL
    assert scalar(con, "SELECT count(*) FROM score_runs") == 1
    # The same parameters under the same name are the same model: registering is idempotent.
    register(con, Model.from_toml(DEFAULT_MODEL.to_toml()))
    assert len(list_models(con)) == 1


def test_get_model_of_an_unknown_version_is_a_clear_error(
        con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ModelRegistryError, match="no model version 'nope'"):
        get_model(con, "nope")


def test_snapshots_under_two_versions_coexist_and_queries_read_the_current_one(
        con: duckdb.DuckDBPyConnection) -> None:
    for offset in (1, 0):
        score_day(con, DAY - timedelta(days=offset))
        score_day(con, DAY - timedelta(days=offset), CANDIDATE)
    runs = con.execute("SELECT as_of, model_version FROM score_runs ORDER BY 2, 1").fetchall()
    assert runs == [(DAY - timedelta(days=1), CANDIDATE.version), (DAY, CANDIDATE.version),
                    (DAY - timedelta(days=1), DEFAULT_MODEL.version),
                    (DAY, DEFAULT_MODEL.version)]

    def stored(version: str, person: str) -> float:
        return float(scalar(con, """
            SELECT p.score FROM person_scores p JOIN score_runs r USING (run_id)
            WHERE r.model_version = ? AND r.as_of = ? AND p.person_id = ?""",
            [version, DAY, person]))

    bob = "twitter:bob"
    assert stored(CANDIDATE.version, bob) > stored(DEFAULT_MODEL.version, bob)
    for version in (DEFAULT_MODEL.version, CANDIDATE.version):
        if version == CANDIDATE.version:
            promote(con, CANDIDATE)
        board = {r.person_id: r.score for r in leaderboard(con)}
        assert board[bob] == stored(version, bob)
        summary = person_summary(con, bob)
        assert (summary.model_version, summary.score) == (version, stored(version, bob))
        assert summary.deltas["day"] is not None
        assert [v for _, _, v, _ in history(con, bob)] == [version, version]
        assert history(con, bob)[-1][1] == stored(version, bob)


def test_a_promoted_model_without_snapshots_reads_as_no_scores_yet(
        con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, DAY)
    promote(con, CANDIDATE)
    with pytest.raises(LookupError, match="no scores yet"):
        leaderboard(con)
    assert history(con, "twitter:bob") == []
