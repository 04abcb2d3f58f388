"""The real app over a real store built from a small simulated world, once per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from renown.interfaces.api import create_app
from tests.interfaces.served_world import ServedWorld, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ServedWorld:
    return build_world(tmp_path_factory.mktemp("api"))


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
