"""Shared fixtures: real data sets beside the project, and fresh stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

from renown.store.database import connect

# Locally every run draws new examples (that is how bugs get found); CI
# (HYPOTHESIS_PROFILE=ci, set by .ci/run) draws the same ones every time, so
# its verdict is reproducible.  A failure prints the blob that replays it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(relative: str) -> Path:
    """A file under ../shared/data, or skip (fail when RENOWN_REQUIRE_SHARED_DATA=1)."""
    path = SHARED_DATA / relative
    if not path.exists():
        reason = f"real data set {path} is not present (../shared/data sits beside the project)"
        if os.environ.get("RENOWN_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"RENOWN_REQUIRE_SHARED_DATA=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "renown.duckdb"


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(db_path)
    try:
        yield connection
    finally:
        connection.close()
