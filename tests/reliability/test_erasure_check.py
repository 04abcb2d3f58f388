"""The selftest's erasure check on a simulated world: found before, gone after, controls hold."""

from __future__ import annotations

from pathlib import Path

from renown.reliability.erasure_check import check


def test_forgotten_simulated_people_leave_no_trace(tmp_path: Path) -> None:
    result = check(tmp_path, people=200, days=20, forget=3, seed=11)
    assert result.verified, result
    assert result.table_hits_before > 0 and result.file_hits_before > 0
    assert result.table_hits_after == 0 and result.file_hits_after == 0
    # Without the rewrite the deleted ids would still be in the file's bytes.
    assert result.file_hits_without_rewrite > 0
    assert result.reingested_rows_dropped > 0 and result.people == 3
