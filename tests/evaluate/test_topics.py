"""``renown evaluate topics``: topics from text alone vs the tags people answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renown.evaluate.topics import NoTaggedAnswersError, blind_copy, evaluate_topics
from renown.interfaces.cli.main import app
from renown.store.database import connect
from renown.store.ingest import ingest
from tests.conftest import shared_path
from tests.evaluate.worlds import qa_site

runner = CliRunner()


def test_topics_come_from_text_alone_and_are_checked_against_answered_tags(
        tmp_path: Path) -> None:
    con = qa_site().store(tmp_path / "renown.duckdb")
    result = evaluate_topics(con, top=10, k=3, resamples=50)
    people = {p.account: p for p in result.people}
    assert set(people) == {"expert", "tagged"}
    assert people["expert"].shown == ("qubit",) and people["expert"].hits == 1
    assert people["tagged"].shown == ()
    assert dict(people["tagged"].answered) == {"noise": 4}
    assert result.precision.value == 1.0 and result.coverage.value == 0.5
    assert result.strict_precision.value == pytest.approx(1 / 6)
    assert result.popular_tags == ("noise", "qubit")
    assert result.popular_precision.value == pytest.approx((2 + 1) / 6)
    assert result.ontology_topics == 2
    con.close()


def test_the_blind_copy_has_no_tags_and_the_store_is_untouched(tmp_path: Path) -> None:
    con = qa_site().store(tmp_path / "renown.duckdb")
    blind = blind_copy(con)
    assert blind.execute("SELECT count(*), max(len(tags)) FROM events").fetchall() == [(64, 0)]
    assert con.execute("SELECT count(*) FROM events WHERE len(tags) > 0").fetchall() == [(16,)]
    blind.close()
    con.close()


def test_a_store_without_tagged_answers_is_a_clear_error(tmp_path: Path) -> None:
    con = connect(tmp_path / "renown.duckdb")
    with pytest.raises(NoTaggedAnswersError, match="stackexchange"):
        evaluate_topics(con)
    con.close()
    result = runner.invoke(app, ["evaluate", "topics", "--db", str(tmp_path / "renown.duckdb")])
    assert result.exit_code == 1 and "Q&A source" in result.output
    con = qa_site().store(tmp_path / "qa.duckdb")
    with pytest.raises(NoTaggedAnswersError, match="lower --min-tag-uses"):
        evaluate_topics(con, min_tag_uses=9)
    con.close()
    result = runner.invoke(app, ["evaluate", "--db", str(tmp_path / "renown.duckdb")])
    assert result.exit_code == 2 and "--split is required" in result.output


@pytest.mark.shared_data
def test_stackexchange_topics_from_text_match_the_tags_answered(tmp_path: Path) -> None:
    """The must-show figure: the 50 most active answerers of the real dump, tags hidden."""
    db = tmp_path / "renown.duckdb"
    with connect(db) as con:
        ingest(con, shared_path("stackexchange/quantumcomputing_2018-09"), "stackexchange")
    result = runner.invoke(app, ["evaluate", "topics", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert len(body["people"]) == 50 and body["ontology_topics"] > 100
    assert body["precision"]["value"] >= 0.6, body["precision"]
    assert body["coverage"]["value"] >= 0.7, body["coverage"]
    assert body["precision"]["value"] > body["strict_precision"]["value"]
    human = runner.invoke(app, ["evaluate", "topics", "--no-people", "--db", str(db)])
    assert human.exit_code == 0 and "precision@3" in human.output
