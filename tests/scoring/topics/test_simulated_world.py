"""Property 6 on the simulated world, whose truth is planted: the viral joke makes
nobody an asthma expert, the planted experts get their topics and lead them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.scoring.registry import current_model
from renown.scoring.run import score_day
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.live import live_person_topics
from renown.scoring.topics.standings import person_topics, topic_standings
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
    folder = tmp_path_factory.mktemp("topics-world")
    simulate(1500, 60, 11, folder / "world")
    db = folder / "renown.duckdb"
    con = connect(db)
    assert ingest(con, folder / "world" / "events.parquet", "events").quarantined == 0
    link_accounts(con, read_identity_file(folder / "world" / "identities.csv"))
    score_day(con)
    person_of = dict(con.execute("SELECT account, person_id FROM account_people "
                                 "WHERE network = 'twitter'").fetchall())
    con.close()
    yield Scored(db, load_truth(folder / "world"), person_of)


def read(world: Scored) -> duckdb.DuckDBPyConnection:
    return connect(world.db, read_only=True)


def test_the_viral_joke_does_not_make_its_author_an_expert(world: Scored) -> None:
    joke = world.truth["roles"]["viral_joke"]
    joker = world.person_of[world.truth.accounts("viral_joke")[0]]
    con = read(world)
    try:
        stored = {t.topic for t in person_topics(con, joker).topics}
        relaxed = live_person_topics(con, joker, TopicConfig.for_model(current_model(con))
                                     .with_thresholds(min_posts=1, min_days=1))
    finally:
        con.close()
    assert joke["topic"] == "asthma" and joke["reactors"] >= 100
    assert "asthma" not in stored
    assert joke["home_topic"] in stored  # their sustained topic is found
    # Only the evidence bar keeps the joke out: one post, one day, hundreds of people.
    joke_row = next(t for t in relaxed.topics if t.topic == "asthma")
    assert (joke_row.posts, joke_row.days) == (1, 1) and joke_row.reactors >= 100


def test_planted_experts_get_their_topics_with_high_confidence(world: Scored) -> None:
    by_topic = world.truth["roles"]["topic_experts"]["by_topic"]
    con = read(world)
    try:
        for topic, accounts in by_topic.items():
            assert accounts, topic
            for account in accounts:
                found = {t.topic: t for t in person_topics(con, world.person_of[account]).topics}
                assert topic in found, (topic, account)
                assert found[topic].confidence >= 0.9 and found[topic].direct
                assert len(found[topic].top_posts) == TopicConfig().evidence_posts
    finally:
        con.close()


def test_top_topic_ranks_planted_experts_among_the_leaders(world: Scored) -> None:
    by_topic = world.truth["roles"]["topic_experts"]["by_topic"]
    for topic, accounts in by_topic.items():
        result = runner.invoke(app, ["top", "--topic", topic, "--limit", "10", "--db",
                                     str(world.db), "--json"])
        assert result.exit_code == 0, result.output
        leaders = [row["person_id"] for row in json.loads(result.stdout)]
        for account in accounts:
            assert world.person_of[account] in leaders, (topic, account, leaders)


def test_standings_are_the_documented_table_and_include_narrower_topics(world: Scored) -> None:
    experts = [world.person_of[a] for a in
               world.truth["roles"]["topic_experts"]["by_topic"]["asthma"]]
    con = read(world)
    try:
        asthma = topic_standings(con, "asthma")
        health = topic_standings(con, "health")
    finally:
        con.close()
    assert asthma.schema == pa.schema([
        ("person_id", pa.string()), ("topic_score", pa.float64()),
        ("confidence", pa.float64()), ("posts", pa.int64()), ("reactors", pa.int64())])
    scores = asthma["topic_score"].to_pylist()
    assert scores == sorted(scores, reverse=True)
    assert all(1.0 <= s <= 100.0 for s in scores)
    assert all(0.0 < c <= 1.0 for c in asthma["confidence"].to_pylist())
    assert set(experts) <= set(health["person_id"].to_pylist())
    assert health.num_rows >= asthma.num_rows


def test_live_check_with_the_runs_thresholds_agrees_with_the_stored_run(world: Scored) -> None:
    con = read(world)
    try:
        for account in world.truth["roles"]["topic_experts"]["by_topic"]["physics"][:2]:
            person = world.person_of[account]
            stored = person_topics(con, person)
            live = live_person_topics(con, person, TopicConfig.for_model(current_model(con)))
            assert [(t.topic, round(t.confidence, 9), t.posts, t.reactors, t.topic_score)
                    for t in live.topics] == \
                [(t.topic, round(t.confidence, 9), t.posts, t.reactors, t.topic_score)
                 for t in stored.topics]
    finally:
        con.close()


def test_topics_command_prints_the_evidence(world: Scored) -> None:
    account = world.truth["roles"]["topic_experts"]["by_topic"]["soccer"][0]
    result = runner.invoke(app, ["topics", f"twitter:{account}", "--db", str(world.db),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    soccer = next(t for t in data["topics"] if t["topic"] == "soccer")
    assert soccer["posts"] >= 3 and soccer["days"] >= 2 and soccer["reactors"] >= 5
    assert soccer["top_posts"][0]["text"]
    assert data["thresholds"] == {"min_posts": 3, "min_days": 2, "min_reactors": 5}
    text = runner.invoke(app, ["topics", f"twitter:{account}", "--db", str(world.db)])
    assert text.exit_code == 0 and "soccer" in text.stdout and "league table" in text.stdout
