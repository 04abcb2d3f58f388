"""The selftest's load check: the real server on loopback answers every request."""

from __future__ import annotations

from pathlib import Path

from renown.interfaces.api.loadcheck import load_check


def test_the_server_answers_every_request_under_a_short_load(tmp_path: Path) -> None:
    figures = load_check(tmp_path, seconds=1.0, clients=2)
    assert figures["errors"] == 0
    assert figures["requests"] > 20
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
