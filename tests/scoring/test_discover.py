"""Discovery on the simulated world: topic experts found, pods filtered by quality,
the score band respected, and an audience that flips the order (issue 4, item 8)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.scoring.audience.spec import AudienceSpec
from renown.scoring.discover import DiscoveryError, DiscoveryQuery, discover
from renown.scoring.run import score_day
from renown.simulation import Truth, load_truth, simulate
from renown.store.database import connect
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file

runner = CliRunner()


@dataclass(frozen=True)
class Scored:
    db: Path
    truth: Truth
    person_of: dict[str, str]  # twitter account → person id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scored]:
    folder = tmp_path_factory.mktemp("discover-world")
    simulate(1500, 60, 11, folder / "world")
    db = folder / "renown.duckdb"
    con = connect(db)
    ingest(con, folder / "world" / "events.parquet", "events")
    link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
    score_day(con)
    person_of = dict(con.execute("SELECT account, person_id FROM account_people "
                                 "WHERE network = 'twitter'").fetchall())
    con.close()
    yield Scored(db, load_truth(folder / "world"), person_of)


def run(world: Scored, query: DiscoveryQuery) -> list[str]:
    con = connect(world.db, read_only=True)
    try:
        return [c.person_id for c in discover(con, query)]
    finally:
        con.close()


def test_a_topic_lists_only_its_attributed_people_with_the_planted_experts_first(
        world: Scored) -> None:
    by_topic = world.truth["roles"]["topic_experts"]["by_topic"]
    for topic, accounts in by_topic.items():
        experts = {world.person_of[a] for a in accounts}
        found = run(world, DiscoveryQuery(topic=topic, limit=len(experts) + 5))
        assert found, topic
        assert len(experts & set(found)) >= len(experts) - 1, topic


def test_min_quality_drops_people_whose_reactions_come_from_their_pod(world: Scored) -> None:
    pod_people = {world.person_of[a] for a in world.truth.accounts("pods")}
    everyone = set(run(world, DiscoveryQuery(limit=1000)))
    assert pod_people & everyone  # pods draw reactions, so they rank without the filter
    con = connect(world.db, read_only=True)
    try:
        clean = discover(con, DiscoveryQuery(min_quality=0.5, limit=1000))
    finally:
        con.close()
    assert clean and all(c.quality >= 0.5 for c in clean)
    assert not pod_people & {c.person_id for c in clean}


def test_the_score_band_bounds_everyone_listed(world: Scored) -> None:
    con = connect(world.db, read_only=True)
    try:
        found = discover(con, DiscoveryQuery(min_score=30, max_score=60, limit=1000))
    finally:
        con.close()
    assert found and all(30 <= c.score <= 60 for c in found)
    assert [c.rank for c in found] == list(range(1, len(found) + 1))
    assert all(a.match >= b.match for a, b in itertools.pairwise(found))


def test_an_audience_puts_the_niche_expert_above_the_mass_star(world: Scored) -> None:
    audience = AudienceSpec.accounts(
        [("twitter", a) for a in world.truth["audience"]["accounts"]], "capital_markets")
    star, niche = (world.person_of[world.truth["audience"][k]]
                   for k in ("mass_star", "niche_expert"))
    overall = run(world, DiscoveryQuery(limit=1000))
    assert overall.index(star) < overall.index(niche)
    within = run(world, DiscoveryQuery(audience=audience, limit=1000))
    assert within.index(niche) < 3 and within.index(niche) < within.index(star)


@pytest.mark.parametrize("query", [DiscoveryQuery(min_score=60, max_score=30),
                                   DiscoveryQuery(min_quality=1.5),
                                   DiscoveryQuery(limit=0)])
def test_impossible_queries_are_refused(query: DiscoveryQuery) -> None:
    with pytest.raises(DiscoveryError):
        query.check()


def test_the_command_prints_json_and_refuses_an_inverted_band(world: Scored) -> None:
    topic = next(iter(world.truth["roles"]["topic_experts"]["by_topic"]))
    result = runner.invoke(app, ["discover", "--topic", topic, "--limit", "3", "--json",
                                 "--db", str(world.db)])
    assert result.exit_code == 0, result.output
    people = json.loads(result.output)["people"]
    assert 1 <= len(people) <= 3 and people[0]["topic_confidence"] > 0
    table = runner.invoke(app, ["discover", "--topic", topic, "--db", str(world.db)])
    assert table.exit_code == 0 and "People to work with" in table.output
    bad = runner.invoke(app, ["discover", "--min-score", "70", "--max-score", "20",
                              "--db", str(world.db)])
    assert bad.exit_code == 2 and "score band" in bad.output
