"""DuckDB → Spark SQL: the rewrites that keep both engines' numbers identical."""

from __future__ import annotations

import importlib.util

from tests.engines.spark.conftest import skip_or_fail

if importlib.util.find_spec("sqlglot") is None:
    skip_or_fail("sqlglot is not installed (pip install -e '.[spark]')")

from renown.engines.spark.translate import to_spark


def test_epoch_keeps_microseconds() -> None:
    sql = to_spark("SELECT epoch(ts) AS s FROM events")
    assert "UNIX_MICROS(CAST(ts AS TIMESTAMP_LTZ))" in sql
    assert "UNIX_TIMESTAMP" not in sql


def test_decimal_literals_become_doubles_and_integers_stay() -> None:
    sql = to_spark("SELECT 86400.0 AS a, 2 AS b, 1e9 AS c")
    assert "CAST(86400.0 AS DOUBLE) AS a" in sql
    assert "2 AS b" in sql and "CAST(1e9" not in sql


def test_timestamps_are_naive_in_spark() -> None:
    assert "TIMESTAMP_NTZ" in to_spark("SELECT CAST('2024-01-01 00:00:00' AS TIMESTAMP) AS t")


def test_duckdb_only_syntax_translates() -> None:
    sql = to_spark("SELECT network, count(*) AS n FROM t GROUP BY ALL")
    assert "GROUP BY ALL" in sql
    values = to_spark("SELECT * FROM (VALUES ('like', 1.0)) AS kw(kind, weight)")
    assert "VALUES" in values and "AS kw(kind, weight)" in values
