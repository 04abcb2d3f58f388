"""Exact lookups and the searchable, filtered leaderboard on a hand-built world."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renown.scoring.queries import BANDS, band, leaderboard
from renown.scoring.run import score_day
from renown.scoring.search import (
    band_range,
    display_name,
    find_person,
    lookup_account,
    scored_networks,
    search_leaderboard,
)
from tests.scoring.builders import START, World


@pytest.fixture
def scored(db_path: Path) -> duckdb.DuckDBPyConnection:
    world = World()
    for i, author in enumerate(["alice", "bob_1", "carol%", "dave"]):
        post = world.post(author, 1)
        for fan in range(2 + 3 * i):
            world.react(f"fan{fan}", author, 2, post=post)
    world.post("alice_m", 1, network="mastodon")
    world.react("m0", "alice_m", 2, network="mastodon")
    world.link("alice-person", "twitter", "alice")
    world.link("alice-person", "mastodon", "alice_m")
    con = world.store(db_path)
    con.execute("UPDATE accounts SET display_name = 'Dave Example' WHERE account = 'dave'")
    score_day(con, START + timedelta(days=3))
    return con


def test_exact_lookups_never_guess(scored: duckdb.DuckDBPyConnection) -> None:
    assert find_person(scored, "alice-person") == "alice-person"
    assert find_person(scored, "mastodon:alice_m") == "alice-person"
    assert find_person(scored, "twitter:bob_1") == "twitter:bob_1"
    assert find_person(scored, "bob_1") is None  # a bare account is not a person id
    assert find_person(scored, "Dave Example") is None
    assert lookup_account(scored, "twitter", "nobody") is None
    assert display_name(scored, "twitter:dave") == "Dave Example"
    assert scored_networks(scored, 1) == ["mastodon", "twitter"]


def test_unfiltered_search_is_the_leaderboard(scored: duckdb.DuckDBPyConnection) -> None:
    page = search_leaderboard(scored, limit=100)
    assert page.rows == leaderboard(scored, limit=100)
    assert page.total == len(page.rows)


def test_search_keeps_overall_ranks_and_takes_wildcards_literally(
        scored: duckdb.DuckDBPyConnection) -> None:
    ranks = {r.person_id: r.rank for r in leaderboard(scored, limit=100)}
    for query, expected in (("BOB", {"twitter:bob_1"}), ("%", {"twitter:carol%"}),
                            ("_", {"twitter:bob_1", "alice-person"}),
                            ("example", {"twitter:dave"}), ("zzz", set())):
        page = search_leaderboard(scored, query=query)
        assert {r.person_id for r in page.rows} == expected, query
        assert all(r.rank == ranks[r.person_id] for r in page.rows)
        assert page.total == len(expected)


def test_network_band_and_range_filters(scored: duckdb.DuckDBPyConnection) -> None:
    mastodon = search_leaderboard(scored, network="mastodon")
    assert [(r.person_id, r.rank) for r in mastodon.rows] == [("alice-person", 1),
                                                              ("mastodon:m0", 2)]
    assert {r.networks for r in mastodon.rows} == {"mastodon"}
    everyone = search_leaderboard(scored, limit=100).rows
    for name in (name for _, name in BANDS):
        rows = search_leaderboard(scored, band=name, limit=100).rows
        assert {r.person_id for r in rows} == {r.person_id for r in everyone
                                               if band(r.score) == name}
    low, high = sorted(r.score for r in everyone)[1:3]
    ranged = search_leaderboard(scored, min_score=low, max_score=high, limit=100).rows
    assert {r.score for r in ranged} == {s.score for s in everyone if low <= s.score <= high}
    paged = search_leaderboard(scored, limit=2, offset=1)
    assert paged.rows == everyone[1:3] and paged.total == len(everyone)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_every_score_falls_in_exactly_its_band(score: float) -> None:
    containing = [name for _, name in BANDS
                  if band_range(name)[0] <= score < band_range(name)[1]]
    assert containing == [band(score)]
