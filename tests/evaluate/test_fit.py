"""The weight fitter: searches only before the split, keeps the design's bounds, writes TOML."""

from __future__ import annotations

import math
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from renown.evaluate.fit import (
    FitResult,
    candidate_toml,
    candidates,
    fit,
    keeps_silence_bound,
    parameters,
    silence_points,
)
from renown.scoring.model import DEFAULT_MODEL, Model
from tests.evaluate.conftest import SimWorld
from tests.evaluate.test_leakage import _add, _flood

VALIDATION_DAYS = 7


def _fit(db: Path, sim_world: SimWorld, **options: float) -> FitResult:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return fit(con, DEFAULT_MODEL, sim_world.split, VALIDATION_DAYS,
                   max_evaluations=int(options.pop("max_evaluations", 6)), resamples=50,
                   **options)  # type: ignore[arg-type]
    finally:
        con.close()


def test_the_default_model_keeps_property_3_and_short_half_lives_are_never_tried() -> None:
    assert keeps_silence_bound(DEFAULT_MODEL)
    assert silence_points(DEFAULT_MODEL, 7) == pytest.approx(1.26, abs=0.05)
    assert silence_points(DEFAULT_MODEL, 30) == pytest.approx(5.45, abs=0.05)
    assert not keeps_silence_bound(DEFAULT_MODEL.with_changes(half_life_days=50.0))
    tried = [m.half_life_days for _, m in candidates("half_life_days", DEFAULT_MODEL)]
    assert tried and min(tried) > DEFAULT_MODEL.half_life_days


def test_component_candidates_keep_the_weight_sum() -> None:
    total = DEFAULT_MODEL.weight_reach + DEFAULT_MODEL.weight_network \
        + DEFAULT_MODEL.weight_amplification
    for parameter in ("weight_network", "weight_amplification"):
        for _, model in candidates(parameter, DEFAULT_MODEL):
            assert model.weight_reach + model.weight_network + model.weight_amplification \
                == pytest.approx(total)
    assert parameters(["reshare"]) == ["weight_network", "weight_amplification",
                                       "kind_weights.reshare", "half_life_days",
                                       "mutual_group_exponent"]


def test_the_group_exponent_is_tried_on_and_off() -> None:
    [(label, off)] = candidates("mutual_group_exponent", DEFAULT_MODEL)
    assert (label, off.mutual_group_exponent) == ("0", 0.0)
    [(_, on)] = candidates("mutual_group_exponent", off)
    assert on.mutual_group_exponent == 1.0


def test_fit_respects_its_budget_and_writes_a_loadable_candidate(sim_world: SimWorld) -> None:
    result = _fit(sim_world.db, sim_world, guard_se=0.0)
    assert result.evaluations <= 6
    assert result.steps and all(math.isfinite(s.objective) for s in result.steps)
    assert result.validation[1] >= result.validation[0]
    assert result.earlier is not None
    if result.changes:  # with guard 0, any improvement is taken
        assert result.fitted.version == f"{DEFAULT_MODEL.version}-fit-" \
                                         f"{sim_world.split:%Y%m%d}"
    loaded = Model.from_toml(candidate_toml(result))
    assert loaded.fingerprint == result.fitted.fingerprint


def test_fit_never_reads_the_test_period(sim_world: SimWorld, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copy(sim_world.db, db)
    before = _fit(db, sim_world, max_evaluations=3)
    con = duckdb.connect(str(db), read_only=True)
    try:
        people = [a for (a,) in con.execute(
            "SELECT DISTINCT subject FROM events WHERE network = 'twitter' "
            "AND subject IS NOT NULL ORDER BY 1 LIMIT 30").fetchall()]
    finally:
        con.close()
    _add(db, _flood(sim_world.split, people))
    after = _fit(db, sim_world, max_evaluations=3)
    assert before.steps == after.steps
    assert before.validation == after.validation and before.earlier == after.earlier


def test_fit_refuses_a_window_with_no_outcomes(sim_world: SimWorld) -> None:
    con = duckdb.connect(str(sim_world.db), read_only=True)
    try:
        with pytest.raises(ValueError, match="nobody was active"):
            fit(con, DEFAULT_MODEL, sim_world.truth.start - timedelta(days=400), 1)
    finally:
        con.close()
