"""The detectors on real data: SNAP Higgs (a week of retweets, replies and mentions, no posts)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from renown.scoring.audience.quality import detect, quality_table
from renown.sources import SourceOptions
from renown.store.database import connect
from renown.store.ingest import ingest
from tests.conftest import shared_path

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def test_higgs_flags_a_few_indiscriminate_retweeters_and_nothing_it_cannot_judge(
        tmp_path: Path) -> None:
    con = connect(tmp_path / "higgs.duckdb")
    try:
        ingest(con, shared_path("higgs/higgs-activity_time.txt.gz"), "higgs", SourceOptions())
        detection = detect(con)
        quality = quality_table(con, detection)
    finally:
        con.close()
    fences = detection.fences["twitter"]
    # No content times and nobody posts: only the indiscriminate detector can fire.
    assert math.isnan(fences.latency_s) and math.isnan(fences.output_ratio)
    flagged = detection.behaviour.filter(detection.behaviour["flagged"])
    reactors = detection.behaviour.num_rows
    assert 0 < flagged.num_rows < 0.001 * reactors
    assert pc.all(pc.greater(flagged["per_day"], fences.per_day)).as_py()
    assert pc.all(pc.greater(flagged["authors"], fences.authors)).as_py()
    # Most people's audience is untouched by them.
    assert float(np.median(quality["quality"].to_numpy())) == 1.0
