"""The real app over a real store built from a small simulated world, once per module
(read-mostly modules may share one world for the session), and another process holding
the store's write lock."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from renown.interfaces.api import create_app
from tests.interfaces.served_world import ServedWorld, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ServedWorld:
    return build_world(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="session")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> ServedWorld:
    """One world for modules that only read it, or write nothing the others read."""
    return build_world(tmp_path_factory.mktemp("api-shared"))


@pytest.fixture(scope="module")
def client(world: ServedWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.db)) as test_client:
        yield test_client


def error_of(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with the expected status and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["message"], str) and error["message"], error
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


@contextmanager
def another_writer(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process with the store open for writing (as a long `renown score` would),
    until the block ends."""
    code = ("import sys, time, duckdb\n"
            f"con = duckdb.connect({str(db)!r})\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    try:
        yield process
    finally:
        process.communicate("done\n", timeout=30)


@pytest.fixture
def writer_holding_the_lock(world: ServedWorld) -> Iterator[subprocess.Popen[str]]:
    """Another process with the store open for writing (as a long `renown score` would)."""
    with another_writer(world.db) as process:
        yield process
