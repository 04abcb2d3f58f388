"""``renown score --audience``, ``renown influence`` and ``renown quality`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interfaces.test_cli_scores import clean_error, ok, ok_json, run, words
from tests.scoring.audience.worlds import bot_world, star_and_niche


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The star (read by outsiders) and the niche expert (read by members a0…a9)."""
    world = star_and_niche(60, 10)
    world.post("a0", 5, text="Why capital markets froze")
    world.post("a0", 6, text="More on #CapitalMarkets")
    world.link("niche-person", "twitter", "niche")
    path = tmp_path_factory.mktemp("cli-audience") / "renown.duckdb"
    world.store(path).close()
    return path


@pytest.fixture(scope="module")
def audience_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-audience") / "members.csv"
    path.write_text("network,account\n" + "".join(f"twitter,a{i}\n" for i in range(10)),
                    encoding="utf-8")
    return path


def test_score_within_an_audience_explains_the_person(store: Path, audience_file: Path) -> None:
    text = words(ok("score", "niche", "--audience", audience_file, "--db", store))
    assert "Within audience members.csv (10 accounts, 10 active): rank 1 of" in text
    assert "What adds up to the score" in text and "twitter reach (@niche)" in text
    result = ok_json("score", "niche-person", "--audience", audience_file, "--db", store)
    assert result["rank"] == 1 and result["audience_reactors"] == 10
    explanation = result["explanation"]
    assert explanation["person_id"] == "niche-person"
    assert {r["reactor"] for r in explanation["top_reactors"]} <= {f"a{i}" for i in range(10)}
    star = ok_json("score", "star", "--audience", audience_file, "--db", store)
    assert star["explanation"]["score"] == 1.0 and star["audience_reactors"] == 0


def test_score_lists_the_most_influential_within_an_audience(store: Path,
                                                              audience_file: Path) -> None:
    board = ok_json("score", "--audience", audience_file, "--db", store)
    assert board["audience"] == "members.csv" and board["members"] == 10
    assert board["people"][0]["person_id"] == "niche-person"
    everyone = ok_json("score", "--audience", "network:twitter", "--db", store)
    assert everyone["people"][0]["person_id"] == "twitter:star"
    assert "Most influential within topic:capital-markets" in words(
        ok("score", "--audience", "topic:capital-markets", "--db", store))


def test_score_audience_errors_are_clean(store: Path, tmp_path: Path) -> None:
    clean_error(run("score", "niche", "--db", store), "PERSON needs --audience")
    clean_error(run("score", "--audience", "network:twitter", "--backfill", "2025-01-01",
                    "2025-01-02", "--db", store), "takes no --backfill")
    clean_error(run("score", "--audience", tmp_path / "missing.csv", "--db", store),
                "cannot read audience file")
    clean_error(run("score", "--audience", "network:bluesky", "--db", store),
                "holds no account")
    clean_error(run("score", "nobody", "--audience", "network:twitter", "--db", store),
                "no person or account matches 'nobody'")


def test_influence_lists_both_directions(store: Path) -> None:
    text = words(ok("influence", "a1", "--db", store))
    assert "Who influences twitter:a1" in text and "Whom twitter:a1 influences" in text
    report = ok_json("influence", "niche-person", "--limit", "3", "--db", store)
    assert report["person_id"] == "niche-person" and len(report["influencees"]) == 3
    first = report["influencees"][0]
    assert set(first) == {"person_id", "accounts", "flow", "reach", "reactions", "kinds",
                          "examples"}
    assert report["influencers"] == []
    assert "nobody in the window" in words(ok("influence", "niche", "--db", store))


def test_quality_names_the_accounts_behind_it(tmp_path: Path) -> None:
    path = tmp_path / "bots.duckdb"
    bot_world().store(path).close()
    text = words(ok("quality", "p0", "--db", path))
    assert "audience quality" in text and "twitter:bot" in text
    result = ok_json("quality", "p0", "--db", path)
    assert result["automated_reactors"] == 1 and result["pod_share"] == 0.0
    assert [a["account"] for a in result["automated"]] == ["bot"]
    assert "reacts to far more authors than people do" in result["automated"][0]["reasons"]
    assert result["fences"]["twitter"]["per_day"] > 0
    clean_error(run("quality", "bot", "--db", path), "has no reactors")
