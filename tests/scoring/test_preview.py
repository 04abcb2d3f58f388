"""Previewing a candidate model against the current one (DESIGN.md property 8)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.preview import PreviewReport, preview
from renown.scoring.registry import current_model, register
from renown.scoring.run import score_day
from renown.store.database import scalar
from tests.scoring.builders import START, World

DAY = START + timedelta(days=30)
WHY = re.compile(r"^(Reach|Amplification|Network) [+-]\d+\.\d points$")


def network_world() -> World:
    """'hub' draws 40 fans; 'protege' is reacted to by the hub alone, 'plain' by one fan."""
    world = World()
    posts = [world.post("hub", day) for day in range(0, 30, 3)]
    for i in range(40):
        world.react(f"fan{i}", "hub", (i * 7) % 30, post=posts[i % len(posts)])
    world.post("protege", 5)
    world.react("hub", "protege", 6)
    world.post("plain", 5)
    world.react("fan39", "plain", 6)
    for i in range(5):  # someone with a modest audience of ordinary people
        world.post("middle", i * 4)
        world.react(f"fan{i}", "middle", i * 4 + 1, kind="reply")
    return world


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("preview") / "preview.duckdb"
    con = network_world().store(path)
    score_day(con, DAY)
    con.close()
    return path


@pytest.fixture
def con(db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(db_file))
    try:
        yield connection
    finally:
        connection.close()


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [str(t) for t, in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' AND table_catalog = current_database() "
        "ORDER BY 1").fetchall()]
    return {t: int(scalar(con, f"SELECT count(*) FROM {t}")) for t in tables}


def check_report_shape(report: PreviewReport, people: int) -> None:
    assert report.people == people
    assert sum(count for _, count in report.histogram) == people
    quantiles = list(report.quantiles.values())
    assert list(report.quantiles) == ["p05", "p25", "p50", "p75", "p95"]
    assert quantiles == sorted(quantiles)
    ups = [m.change for m in report.movers_up]
    downs = [m.change for m in report.movers_down]
    assert all(c > 0 for c in ups) and ups == sorted(ups, reverse=True)
    assert all(c < 0 for c in downs) and downs == sorted(downs)
    for mover in report.movers_up + report.movers_down:
        assert WHY.match(mover.why), mover.why


def people_in_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, "SELECT count(*) FROM person_scores"))


def test_preview_writes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    before = table_counts(con)
    models_before = con.execute("SELECT * FROM models ORDER BY version").fetchall()
    candidate = DEFAULT_MODEL.with_changes(version="candidate", weight_network=0.7)
    preview(con, current_model(con), candidate, DAY)
    assert table_counts(con) == before
    assert {"events", "models", "score_runs", "person_scores", "account_scores"} <= set(before)
    assert con.execute("SELECT * FROM models ORDER BY version").fetchall() == models_before


def test_a_candidate_identical_to_the_current_model_changes_nothing(
        con: duckdb.DuckDBPyConnection) -> None:
    for candidate in (DEFAULT_MODEL, DEFAULT_MODEL.with_changes(version="same-numbers")):
        report = preview(con, current_model(con), candidate, DAY)
        people = people_in_snapshot(con)
        check_report_shape(report, people)
        assert report.mean_change == 0.0 and report.mean_abs_change == 0.0
        assert set(report.quantiles.values()) == {0.0}
        assert report.movers_up == [] and report.movers_down == []
        assert dict(report.histogram)["-0.5 to +0.5"] == people
        assert report.spearman == pytest.approx(1.0)
        assert (report.current_version, report.candidate_version) == (
            DEFAULT_MODEL.version, candidate.version)


def test_raising_the_network_weight_moves_people_whose_score_comes_from_network(
        con: duckdb.DuckDBPyConnection) -> None:
    candidate = DEFAULT_MODEL.with_changes(version="more-network", weight_network=0.7)
    report = preview(con, current_model(con), candidate, DAY, top=50)
    check_report_shape(report, people_in_snapshot(con))
    assert report.movers_down == []  # more weight on a component can only raise scores
    moved = {m.person_id: m for m in report.movers_up}
    assert {"twitter:protege", "twitter:plain", "twitter:hub", "twitter:middle"} <= set(moved)
    protege, plain = moved["twitter:protege"], moved["twitter:plain"]
    assert protege.why.startswith("Network +")
    # The hub's reaction carries far more influence than an ordinary fan's.
    assert protege.before > plain.before
    assert protege.change > plain.change
    assert not any(p.startswith("twitter:fan") for p in moved)  # no audience, no change
    assert report.mean_change > 0 and report.spearman > 0.9
    assert sum(c for label, c in report.histogram if label.startswith((">=", "+"))) == len(moved)


def test_top_limits_the_movers_listed(con: duckdb.DuckDBPyConnection) -> None:
    candidate = DEFAULT_MODEL.with_changes(version="more-network", weight_network=0.7)
    report = preview(con, current_model(con), candidate, DAY, top=2)
    assert len(report.movers_up) == 2
    full = preview(con, current_model(con), candidate, DAY, top=50)
    assert report.movers_up == full.movers_up[:2]


def test_a_candidate_that_lowers_a_component_moves_people_down(
        con: duckdb.DuckDBPyConnection) -> None:
    candidate = DEFAULT_MODEL.with_changes(version="less-reach", weight_reach=0.2)
    report = preview(con, current_model(con), candidate, DAY, top=50)
    check_report_shape(report, people_in_snapshot(con))
    assert report.movers_up == []
    assert report.movers_down and all(m.why.startswith("Reach -") for m in report.movers_down)


def test_a_candidate_reusing_the_current_version_name_is_refused(
        con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="reuses the current version name"):
        preview(con, current_model(con), DEFAULT_MODEL.with_changes(damping=0.8), DAY)


def test_a_candidate_reusing_any_stored_version_name_is_refused(
        con: duckdb.DuckDBPyConnection) -> None:
    stored = DEFAULT_MODEL.with_changes(version="older", damping=0.7)
    con.execute("BEGIN TRANSACTION")
    try:
        register(con, stored)
        with pytest.raises(ValueError, match="'older' already exists with different parameters"):
            preview(con, current_model(con), stored.with_changes(damping=0.75), DAY)
        assert preview(con, current_model(con), stored, DAY).candidate_version == "older"
    finally:
        con.execute("ROLLBACK")
