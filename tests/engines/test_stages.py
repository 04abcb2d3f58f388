"""The engine table: every stage names a real implementation in every engine."""

from __future__ import annotations

import importlib
from datetime import datetime

import duckdb
import pytest

from renown.engines import ENGINES, STAGES, LocalEngine
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.signals import SignalScope, signal_statements


@pytest.mark.parametrize("stage", STAGES, ids=[stage.name for stage in STAGES])
def test_every_stage_names_functions_that_exist(stage: object) -> None:
    for engine in ENGINES:
        dotted = getattr(stage, engine)
        module, _, name = dotted.rpartition(".")
        if engine == "spark" and module.startswith("renown.engines.spark"):
            pytest.importorskip("pyspark", reason="the Spark engine needs renown[spark]")
        assert callable(getattr(importlib.import_module(module), name)), dotted


def test_local_engine_is_the_plain_pipeline() -> None:
    engine = LocalEngine()
    assert engine.name == "local" and engine.signals_on_store and engine.topics_from_store


def test_signal_statements_are_plain_selects_in_order() -> None:
    statements = signal_statements(SignalScope(datetime(2024, 5, 1)), DEFAULT_MODEL)
    assert [table for table, _ in statements] == [
        "_signal_kind_weights", "_signal_window", "_signal_day_pairs", "_signal_day_output",
        "_signal_mutual", "_signal_mutual_triangles", "_signal_mutual_overlap",
        "_signal_pairs", "_signal_accounts"]
    for _, sql in statements:
        assert sql.lstrip().upper().startswith(("SELECT", "WITH"))
        assert "$" not in sql  # no parameters: the text alone defines the stage


def test_kind_weights_are_doubles_even_when_none_count() -> None:
    con = duckdb.connect()
    model = DEFAULT_MODEL.with_changes(kind_weights=dict.fromkeys(DEFAULT_MODEL.kind_weights, 0.0))
    _, sql = signal_statements(SignalScope(datetime(2024, 5, 1)), model)[0]
    assert con.execute(f"DESCRIBE {sql}").fetchall()[1][1] == "DOUBLE"
    assert con.execute(f"SELECT count(*) FROM ({sql})").fetchall() == [(0,)]
