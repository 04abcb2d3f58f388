"""Automated and indiscriminate reactors, pod reactions and audience quality, on small worlds."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from renown.scoring.audience.automation import AutomationFences, Behaviour, judge
from renown.scoring.audience.quality import audience_quality, detect, person_quality
from tests.scoring.audience.worlds import bot_world, pod_world
from tests.scoring.builders import START

LAST_DAY = START + timedelta(days=41)


def test_each_detector_needs_volume_and_its_own_evidence() -> None:
    nan = math.nan
    behaviour = Behaviour(
        per_day=np.array([200.0, 200.0, 200.0, 200.0, 3.0, 200.0]),
        authors=np.array([900.0, 5.0, 5.0, 900.0, 900.0, 5.0]),
        latency_s=np.array([600.0, 5.0, 5.0, nan, 5.0, 5.0]),
        output_ratio=np.array([10.0, 9000.0, 2.0, nan, 9000.0, nan]))
    verdicts = judge(behaviour, AutomationFences(per_day=20.0, authors=100.0, latency_s=60.0,
                                                 output_ratio=1000.0))
    # broad spammer; narrow fast silent bot; busy fast pod member; broad, no timing known;
    # a quiet person; fast but nothing known about output.
    assert verdicts.indiscriminate.tolist() == [True, False, False, True, False, False]
    assert verdicts.automated.tolist() == [False, True, False, False, False, False]
    assert verdicts.flagged.tolist() == [True, True, False, True, False, False]
    assert verdicts.reasons(1) == ["reacts far more often than people do",
                                   "reacts far faster than people do",
                                   "publishes far less than it reacts"]
    assert verdicts.reasons(2) == []


def test_a_bot_is_flagged_and_a_keen_fan_is_not(tmp_path: Path) -> None:
    con = bot_world().store(tmp_path / "bots.duckdb")
    detection = detect(con, LAST_DAY)
    assert detection.flagged_accounts() == {("twitter", "bot")}
    row = detection.behaviour.filter(detection.behaviour["flagged"]).to_pylist()[0]
    assert "reacts to far more authors than people do" in row["reasons"]
    assert not detection.pod_accounts()


def test_quality_shares_count_reactors_and_reactions(tmp_path: Path) -> None:
    con = bot_world().store(tmp_path / "bots.duckdb")
    table = {r["person_id"]: r for r in audience_quality(con, LAST_DAY).to_pylist()}
    p3 = table["twitter:p3"]
    # p3's reactors: two friends and the bot; the bot liked p3's latest post every day.
    assert (p3["reactors"], p3["automated_reactors"]) == (3, 1)
    assert p3["automated_share"] == pytest.approx(1 / 3)
    assert p3["pod_share"] == 0.0
    assert p3["quality"] == pytest.approx(p3["clean_reactions"] / p3["reactions"])
    assert p3["automated_reactions"] + p3["clean_reactions"] == p3["reactions"]
    assert "twitter:bot" not in table  # nobody reacts to the bot


def test_pod_members_get_their_reactions_from_the_pod(tmp_path: Path) -> None:
    con = pod_world().store(tmp_path / "pods.duckdb")
    day = date.fromordinal(START.toordinal() + 41)
    table = {r["person_id"]: r for r in audience_quality(con, day).to_pylist()}
    member, ordinary = table["twitter:pod0"], table["twitter:p7"]
    assert member["pod_share"] == pytest.approx(member["pod_reactions"] / member["reactions"])
    assert member["pod_share"] == 1.0 and member["quality"] == 0.0
    # pod members reading an ordinary person are ordinary reactors to them
    assert ordinary["pod_share"] == 0.0 and ordinary["quality"] == 1.0
    detail = person_quality(con, "twitter:pod0", day)
    assert [(p.pod, len(p.members), p.reactions) for p in detail.pods] == [
        ("twitter#1", 6, member["pod_reactions"])]
    assert detail.automated == []


def test_person_quality_lists_the_flagged_reactors(tmp_path: Path) -> None:
    con = bot_world().store(tmp_path / "bots.duckdb")
    detail = person_quality(con, "twitter:p0", LAST_DAY, limit=5)
    assert [(r.network, r.account) for r in detail.automated] == [("twitter", "bot")]
    assert detail.automated[0].reactions == 40  # one like a day
    assert detail.fences["twitter"].per_day < detail.automated[0].per_day
    with pytest.raises(LookupError, match="no reactors"):
        person_quality(con, "twitter:bot", LAST_DAY)
