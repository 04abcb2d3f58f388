"""Schemathesis against the app's own OpenAPI spec (issue 9): generated requests for
every operation, valid and invalid, must never produce a 5xx, hang, or break the
documented response shapes; with and without a key."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from renown.interfaces.api import create_app
from tests.interfaces.served_world import ServedWorld

#: Examples per operation: enough to hit every parameter's edge cases, small
#: enough that the whole API is fuzzed in about a minute on two cores.
EXAMPLES = 25


def test_no_request_makes_a_server_error(shared_world: ServedWorld) -> None:
    """Every operation of the spec, driven by schemathesis' Hypothesis strategies.

    The strategies are used directly (not schemathesis' pytest plugin, whose
    hooks follow pytest's internals and break across pytest releases).
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(shared_world.db))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(headers=shared_world.headers("admin"))
            not_a_server_error_check(case, response)
            anonymous = case.call()
            assert anonymous.status_code < 500, anonymous.text

        check()


def not_a_server_error_check(case: Any, response: Any) -> None:
    """No 5xx, and every JSON error in the one documented shape."""
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            return  # a dashboard page's HTML error
        if isinstance(body, dict):
            assert set(body) == {"error"}, response.text


def test_a_key_name_with_control_characters_is_a_422_not_a_500(
        shared_world: ServedWorld) -> None:
    """The first 500 schemathesis found: the store's own check was not mapped to a 4xx."""
    from fastapi.testclient import TestClient

    with TestClient(create_app(shared_world.db)) as client:
        response = client.post("/v1/keys", headers=shared_world.headers("admin"),
                               json={"scope": "read", "name": "bad\x00name"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"]
