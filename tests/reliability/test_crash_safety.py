"""Kill -9 at random moments during ingestion, scoring and erasure, again and again.

Real processes run the real CLI commands (forked from a server that has
imported the CLI once, `renown.reliability.forkserver`); each is SIGKILLed
after a random, seeded delay.  After every kill the store must open and
equal a reference store at a whole number of committed steps, and the next
run must complete (`renown.reliability.crash` has the details).  Set
``RENOWN_CRASH_SEED`` to replay another schedule and ``RENOWN_CRASH_KILLS``
for more kills.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from renown.reliability.crash import campaign


@pytest.mark.slow
def test_random_kills_during_ingest_score_and_forget_lose_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("RENOWN_CRASH_SEED", "20261122"))
    kills = int(os.environ.get("RENOWN_CRASH_KILLS", "50"))
    report = campaign(tmp_path, min_kills=kills, seed=seed)
    assert report.violations == [], f"seed {seed}: {report.violations}"
    assert report.total_kills >= kills, report
    assert report.kills["ingest"] >= kills // 4 and report.kills["score"] >= kills // 4, report
    assert report.checks >= report.total_kills
