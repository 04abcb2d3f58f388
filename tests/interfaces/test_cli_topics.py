"""The topics CLI end to end: ontology show/use, endorse, topics, top --topic, errors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from tests.conftest import shared_path
from tests.evaluate.worlds import qa_site
from tests.scoring.builders import START, World
from tests.scoring.topics.worlds import post_with_reactors

runner = CliRunner()
DAY = str(START + timedelta(days=5))


def cooking_world(db: Path) -> Path:
    world = World()
    for chef in ("chef", "cook"):
        for day in range(1, 5):
            post_with_reactors(world, chef, day, "cooking", [f"{chef}{i}" for i in range(6)])
    world.store(db).close()
    return db


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes else "")


def test_ontology_show_and_use_a_user_file(tmp_path: Path) -> None:
    db = str(cooking_world(tmp_path / "r.duckdb"))
    code, out = invoke("ontology", "show", "--db", db, "--json")
    assert code == 0 and json.loads(out)["name"] == "renown-default"
    code, out = invoke("ontology", "show", "--topic", "asthma", "--db", db, "--json")
    assert code == 0 and "inhaler" in json.loads(out)["keywords"]
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: mine\ntopics:\n  - slug: baking\n    keywords: [sourdough]\n",
                    "utf-8")
    code, out = invoke("ontology", "use", str(mine), "--db", db)
    assert code == 0 and "mine" in out
    assert invoke("score", "--as-of", DAY, "--db", db)[0] == 0
    code, out = invoke("top", "--topic", "baking", "--db", db, "--json")
    assert code == 0 and {r["person_id"] for r in json.loads(out)} == {"twitter:chef",
                                                                         "twitter:cook"}
    code, out = invoke("ontology", "use", str(tmp_path / "missing.txt"), "--db", db)
    assert code == 1 and "expected 'default'" in out


def test_ontology_use_the_stores_own_tags(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    qa_site().store(db).close()
    code, out = invoke("ontology", "use", "tags", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["topics"] == 2
    code, out = invoke("ontology", "show", "--topic", "qubit", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["aliases"] == ["qubits"]
    code, out = invoke("ontology", "use", "tags", "--min-tag-uses", "9", "--db", str(db))
    assert code == 1 and "no tag is used on 9 or more posts" in out


def test_ontology_use_klout(tmp_path: Path) -> None:
    folder = shared_path("klout-topics")
    db = str(cooking_world(tmp_path / "k.duckdb"))
    code, out = invoke("ontology", "use", str(folder), "--db", db, "--json")
    assert code == 0 and json.loads(out)["topics"] == 8_034
    code, out = invoke("ontology", "show", "--topic", "cooking", "--db", db, "--json")
    shown = json.loads(out)
    assert shown["name"] == "Cooking" and "sourdough" in shown["keywords"]  # borrowed
    assert invoke("score", "--as-of", DAY, "--db", db)[0] == 0
    code, out = invoke("topics", "twitter:chef", "--db", db, "--json")
    assert code == 0 and "cooking" in {t["topic"] for t in json.loads(out)["topics"]}


def test_endorse_and_see_it_counted(tmp_path: Path) -> None:
    db = str(cooking_world(tmp_path / "e.duckdb"))
    at = str(START + timedelta(days=4))
    code, out = invoke("endorse", "twitter:chef", "twitter:cook", "--topic", "cooking",
                       "--at", at, "--db", db, "--json")
    assert code == 0 and json.loads(out)["remaining"] == 4
    code, out = invoke("endorse", "twitter:chef", "twitter:cook", "--topic", "cooking",
                       "--at", at, "--db", db)
    assert code == 1 and "already endorsed" in out
    code, out = invoke("endorse", "twitter:chef", "nobody-at-all", "--topic", "cooking",
                       "--db", db)
    assert code == 1 and "no person or account" in out
    code, out = invoke("endorse", "twitter:chef", "twitter:cook", "--topic", "cooking",
                       "--at", "yesterday", "--db", db)
    assert code == 2
    assert invoke("score", "--as-of", DAY, "--db", db)[0] == 0
    code, out = invoke("topics", "twitter:cook", "--db", db, "--json")
    cooking = next(t for t in json.loads(out)["topics"] if t["topic"] == "cooking")
    assert cooking["endorsers"] == 1
    code, out = invoke("explain", "twitter:cook", "--db", db)
    assert code == 0 and "endorsements (+K)" in out


def test_topics_errors_and_live_thresholds(tmp_path: Path) -> None:
    db = str(cooking_world(tmp_path / "t.duckdb"))
    code, out = invoke("topics", "twitter:chef", "--db", db)
    assert code == 1 and "no scores yet" in out
    assert invoke("score", "--as-of", DAY, "--db", db)[0] == 0
    code, out = invoke("topics", "twitter:chef", "--min-reactors", "7", "--db", db, "--json")
    assert code == 0 and json.loads(out)["topics"] == []
    assert json.loads(out)["thresholds"]["min_reactors"] == 7
    code, out = invoke("topics", "twitter:chef", "--db", db)
    assert code == 0 and "cooking" in out and "sourdough again" in out
    code, out = invoke("top", "--topic", "no-such-topic", "--db", db)
    assert code == 1 and "unknown topic" in out
    code, out = invoke("top", "--topic", "cooking", "--network", "twitter", "--db", db)
    assert code == 2 and "cannot be combined" in out
    code, out = invoke("top", "--topic", "cooking", "--db", db)
    assert code == 0 and "twitter:chef" in out
