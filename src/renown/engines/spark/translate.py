"""DuckDB SQL → Spark SQL, so each stage's SQL is written once (in DuckDB's dialect).

sqlglot does the dialect work; two rewrites keep the numbers identical to DuckDB's:

- ``epoch(ts)`` (seconds as a DOUBLE, with microseconds) becomes
  ``unix_micros(ts) / 1e6``: the same double DuckDB computes.  sqlglot's default,
  ``unix_timestamp``, would drop the fraction of a second.
- Decimal literals (``86400.0``) become DOUBLE.  Both engines evaluate the
  stage's arithmetic in doubles then; Spark would otherwise do exact DECIMAL
  arithmetic with its own precision rules, and round differently.

Timestamps are naive UTC in the store; in Spark they are ``TIMESTAMP_NTZ``
(sqlglot's rendering of DuckDB's ``TIMESTAMP``), so no time zone enters.
"""

from __future__ import annotations

from typing import Final

import sqlglot
from sqlglot import exp

#: Spark's name for a timestamp with time zone semantics (UTC in our sessions).
_LTZ: Final = "TIMESTAMP_LTZ"


def to_spark(sql: str) -> str:
    """One DuckDB SELECT as Spark SQL (see the module docstring for the rewrites)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(_rewrite).sql(dialect="spark")


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(this="UNIX_MICROS", expressions=[exp.cast(node.this, _LTZ)])
        return exp.Paren(this=exp.Div(this=micros, expression=_double("1000000.0")))
    if isinstance(node, exp.Literal) and node.is_number and _is_decimal(node.this):
        return _double(node.this)
    return node


def _double(text: str) -> exp.Expression:
    return exp.cast(exp.Literal.number(text), exp.DataType.Type.DOUBLE)


def _is_decimal(text: str) -> bool:
    return "." in text and "e" not in text.lower()
