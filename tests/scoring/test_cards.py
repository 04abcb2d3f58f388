"""Person cards (the API's summaries) give the CLI's answers, from memory or point queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from renown.scoring.cards import card_context, person_card
from renown.scoring.queries import PersonNotFoundError, current_snapshot, person_summary
from renown.scoring.run import score_day
from tests.scoring.builders import START, World


@pytest.fixture
def scored(db_path: Path) -> duckdb.DuckDBPyConnection:
    world = World()
    for day in range(0, 12):
        post = world.post("alice", day)
        for fan in range(day % 4 + 1):
            world.react(f"fan{fan}", "alice", day, post=post)
    world.post("alice_m", 2, network="mastodon")
    world.react("m0", "alice_m", 3, network="mastodon")
    world.link("alice-person", "twitter", "alice")
    world.link("alice-person", "mastodon", "alice_m")
    con = world.store(db_path)
    con.execute("UPDATE accounts SET display_name = 'Fan Zero' WHERE account = 'fan0'")
    for day in (2, 4, 10, 11):  # 1 and 7 days before day 11 are stored; 30 is not
        score_day(con, START + timedelta(days=day))
    return con


def test_cards_match_the_cli_summary_both_ways(scored: duckdb.DuckDBPyConnection) -> None:
    info = current_snapshot(scored)
    in_memory = card_context(scored, info)
    assert in_memory.cards is not None and len(in_memory.cards) == info.people
    by_query = replace(in_memory, cards=None)
    people = [p for (p,) in scored.execute(
        "SELECT person_id FROM person_scores WHERE run_id = ?", [info.run_id]).fetchall()]
    for person in people:
        expected = person_summary(scored, person)
        for context in (in_memory, by_query):
            card = person_card(scored, context, person)
            assert card.score == expected.score
            assert card.offline_points == expected.offline_points
            assert card.networks == expected.networks
            assert card.deltas == expected.deltas
    alice = person_card(scored, by_query, "alice-person")
    assert {n.network for n in alice.networks} == {"twitter", "mastodon"}
    assert alice.deltas["day"] is not None and alice.deltas["week"] is not None
    assert alice.deltas["month"] is None
    for context in (in_memory, by_query):
        assert person_card(scored, context, "twitter:fan0").display_name == "Fan Zero"
        with pytest.raises(PersonNotFoundError):
            person_card(scored, context, "nobody")
