"""Issue 4's must-show for property 7 on the simulated world's planted capital_markets audience.

The world plants a mass-market star (top influence, no reaction from the
community) and a niche expert (ordinary influence, followed by 90% of the
community): overall the star leads; within the community the order flips.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy.stats import rankdata

from renown.scoring.audience.evidence import explain_audience
from renown.scoring.audience.spec import parse_audience
from renown.scoring.audience.targeted import audience_scores
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.pipeline import compute_scores
from renown.scoring.snapshots import day_end
from renown.simulation import Truth, load_truth, simulate
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file

#: The store, the world's truth, and an audience file listing the planted community.
World = tuple[duckdb.DuckDBPyConnection, Truth, Path]


@pytest.fixture(scope="module", params=[7, 11])
def world(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("audience-world")
    simulate(2000, 60, request.param, folder / "world")
    con = connect(folder / "renown.duckdb")
    ingest(con, folder / "world" / "events.parquet", "events")
    link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
    truth = load_truth(folder / "world")
    audience = folder / "capital_markets.csv"
    audience.write_text("network,account\n" + "".join(
        f"twitter,{a}\n" for a in truth["audience"]["accounts"]), encoding="utf-8")
    yield con, truth, audience
    con.close()


def percentiles(people: dict[str, float]) -> dict[str, float]:
    ids = list(people)
    ranks = rankdata(np.array([people[i] for i in ids]), method="average") / len(ids)
    return dict(zip(ids, ranks.tolist(), strict=True))


def test_the_star_leads_overall_and_the_niche_expert_within_the_audience(
        world: World) -> None:
    con, truth, audience = world
    day = (truth.end - timedelta(days=1)).date()
    star, niche = (f"twitter:{truth['audience'][k]}" for k in ("mass_star", "niche_expert"))
    overall_run = compute_scores(con, day_end(day), DEFAULT_MODEL).people.to_pylist()
    overall = percentiles({r["person_id"]: r["raw"] for r in overall_run})
    within = {r["person_id"]: r for r in
              audience_scores(con, parse_audience(str(audience)), day).to_pylist()}
    assert overall[star] >= 0.99 and overall[niche] < overall[star]
    assert within[niche]["rank"] <= 3 and within[niche]["percentile"] >= 0.99
    assert within[star]["percentile"] < 0.9 and within[star]["audience_reactors"] == 0
    assert within[star]["score"] < 20 <= 60 < within[niche]["score"]


def test_the_topic_community_also_puts_the_niche_expert_first(
        world: World) -> None:
    con, truth, _ = world
    star, niche = (f"twitter:{truth['audience'][k]}" for k in ("mass_star", "niche_expert"))
    within = {r["person_id"]: r for r in
              audience_scores(con, parse_audience("topic:capital-markets")).to_pylist()}
    assert within[niche]["percentile"] >= 0.99
    assert within[star]["score"] < within[niche]["score"] - 30


def test_the_explanation_names_audience_members(
        world: World) -> None:
    con, truth, audience = world
    niche = f"twitter:{truth['audience']['niche_expert']}"
    result = explain_audience(con, niche, parse_audience(str(audience)))
    members = set(truth["audience"]["accounts"])
    assert result.explanation.top_reactors
    assert {r.reactor for r in result.explanation.top_reactors} <= members
    parts = sum(c.points for c in result.explanation.contributions)
    assert parts == pytest.approx(result.explanation.score)
    assert result.audience_reactors >= 0.5 * len(members)
