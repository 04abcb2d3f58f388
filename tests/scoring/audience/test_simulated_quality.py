"""Issue 4's must-show: planted bots and pod members are found with precision and recall ≥ 0.9.

On simulated worlds of two sizes and three seeds; the detectors know nothing of
the simulator (fences are read from each world's own distributions).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from renown.scoring.audience.quality import Detection, detect
from renown.simulation import Truth, load_truth, simulate
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file


def detect_in_world(folder: Path, people: int, days: int, seed: int) -> tuple[Detection, Truth]:
    simulate(people, days, seed, folder / "world")
    con = connect(folder / "renown.duckdb")
    try:
        assert ingest(con, folder / "world" / "events.parquet", "events").quarantined == 0
        link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
        truth = load_truth(folder / "world")
        return detect(con, (truth.end - timedelta(days=1)).date()), truth
    finally:
        con.close()


def planted(truth: Truth, role: str) -> set[tuple[str, str]]:
    return {(a["network"], a["account"]) for a in truth["roles"][role]["accounts"]}


def precision_recall(found: set[tuple[str, str]],
                     wanted: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(found & wanted)
    return hits / max(len(found), 1), hits / max(len(wanted), 1)


def check(detection: Detection, truth: Truth) -> None:
    for role, found in (("bots", detection.flagged_accounts()),
                        ("pods", detection.pod_accounts())):
        wanted = planted(truth, role)
        assert wanted, role
        precision, recall = precision_recall(found, wanted)
        assert precision >= 0.9 and recall >= 0.9, (role, precision, recall,
                                                    sorted(found ^ wanted))


@pytest.mark.parametrize("seed", [7, 11])
def test_bots_and_pods_are_found_in_a_2000_person_world(tmp_path: Path, seed: int) -> None:
    check(*detect_in_world(tmp_path, 2000, 60, seed))


@pytest.mark.slow
def test_bots_and_pods_are_found_in_a_10000_person_world(tmp_path: Path) -> None:
    check(*detect_in_world(tmp_path, 10_000, 60, 3))
