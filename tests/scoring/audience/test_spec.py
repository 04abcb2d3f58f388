"""Naming audiences: files of accounts and people, topic communities, networks."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from renown.scoring.audience.community import slug_pattern, slug_tags, topic_community
from renown.scoring.audience.spec import (
    AudienceError,
    AudienceSpec,
    audience_members,
    parse_audience,
    read_audience_file,
)
from tests.scoring.builders import World


def accounts(table: object) -> list[tuple[str, str]]:
    rows = table.to_pylist()  # type: ignore[attr-defined]
    return [(r["network"], r["account"]) for r in rows]


def test_audience_files_name_accounts_and_people(tmp_path: Path) -> None:
    path = tmp_path / "audience.csv"
    path.write_text("network,account\n# professionals\ntwitter,alice\n\n mastodon , bob \n"
                    "carol-person\ntwitter:dave\n", encoding="utf-8")
    assert read_audience_file(path) == [("twitter", "alice"), ("mastodon", "bob"),
                                        (None, "carol-person"), (None, "twitter:dave")]
    tabbed = tmp_path / "audience.tsv"
    tabbed.write_text("twitter\talice\n", encoding="utf-8")
    assert read_audience_file(tabbed) == [("twitter", "alice")]


@pytest.mark.parametrize(("text", "message"), [
    ("twitter,alice,extra\n", "line 1 has 3 fields"), ("# nobody\n\n", "lists nobody")])
def test_bad_audience_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AudienceError, match=message):
        read_audience_file(path)
    with pytest.raises(AudienceError, match="cannot read"):
        read_audience_file(tmp_path / "missing.csv")


def test_parse_audience_tells_topics_and_networks_from_files(tmp_path: Path) -> None:
    assert parse_audience("topic:capital-markets") == AudienceSpec.topic("capital-markets")
    assert parse_audience("network:mastodon").label == "network:mastodon"
    path = tmp_path / "pros.txt"
    path.write_text("twitter,a\n", encoding="utf-8")
    assert parse_audience(str(path)) == AudienceSpec("accounts", "pros.txt", (("twitter", "a"),))
    with pytest.raises(AudienceError, match="name the topic"):
        parse_audience("topic:")


def test_people_stand_for_all_their_accounts(tmp_path: Path) -> None:
    world = World()
    for network, account in (("twitter", "carol"), ("mastodon", "carol_m"), ("twitter", "dave"),
                             ("twitter", "erin")):
        world.post(account, 1, network=network)
    world.link("carol-person", "twitter", "carol")
    world.link("carol-person", "mastodon", "carol_m")
    con = world.store(tmp_path / "w.duckdb")
    spec = AudienceSpec.accounts([(None, "carol-person"), (None, "twitter:dave"),
                                  ("twitter", "dave"), ("twitter", "unknown")])
    assert accounts(audience_members(con, spec)) == [
        ("mastodon", "carol_m"), ("twitter", "carol"), ("twitter", "dave")]
    assert accounts(audience_members(con, AudienceSpec.network("mastodon"))) == [
        ("mastodon", "carol_m")]
    with pytest.raises(AudienceError, match="network:bluesky holds no account"):
        audience_members(con, AudienceSpec.network("bluesky"))


def test_slug_words_match_joined_or_apart_but_not_inside_other_words() -> None:
    assert slug_tags("capital-markets") == ["capital-markets", "capital_markets",
                                            "capitalmarkets"]
    pattern = slug_pattern("capital-markets")
    assert pattern.startswith("(?i)")
    # RE2 (DuckDB) and Python agree on this subset, \p classes aside
    python = re.compile(pattern.replace(r"\pL\pN", r"\w"))
    for text in ("Capital markets today", "#CapitalMarkets", "on capital-markets."):
        assert python.search(text), text
    for text in ("venturecapital marketsize", "capitalmarketsabc"):
        assert not python.search(text), text


def test_a_topic_community_needs_two_pieces_on_the_topic(tmp_path: Path) -> None:
    world = World()
    world.post("pro", 1, text="Bond yields and #CapitalMarkets")
    world.post("pro", 2, text="Why capital markets froze")
    world.post("once", 1, text="Capital markets, once")
    world.post("tagger", 1, text="thread 1")
    world.post("other", 1, text="capital-marketsish? no: venturecapital markets")
    world.post("other", 2, text="nothing here")
    world.react("tagger", "pro", 3, kind="reply")
    con = world.store(tmp_path / "w.duckdb")
    con.execute("UPDATE events SET tags = ['Capital_Markets'] WHERE actor = 'tagger' "
                "AND kind = 'post'")
    community = accounts(topic_community(con, "capital-markets"))
    assert community == [("twitter", "pro")]
    con.execute("UPDATE events SET text = 'Capital markets!' WHERE actor = 'tagger' "
                "AND kind = 'reply'")
    assert accounts(topic_community(con, "capital-markets")) == [("twitter", "pro"),
                                                                 ("twitter", "tagger")]
    before = datetime(2025, 1, 3)  # only pro's first post and tagger's thread are earlier
    assert accounts(topic_community(con, "capital-markets", before=before, min_posts=1)) == [
        ("twitter", "once"), ("twitter", "pro"), ("twitter", "tagger")]
