"""Topics from a community's own tags: names, number and possessive variants, use counts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from renown.events import Event, events_to_table
from renown.scoring.topics.tag_vocabulary import (
    number_variant,
    possessive_variant,
    tag_ontology,
    tag_topic,
)
from renown.store.database import connect
from renown.store.ingest import ingest_table


@pytest.mark.parametrize(("phrase", "variant"), [
    ("Quantum Gate", "quantum gates"), ("Quantum Algorithms", "quantum algorithm"),
    ("Complexity Theory", "complexity theories"), ("Key", None), ("Qubit", "qubits"),
    ("Density Matrix", "density matrices"), ("Quantum Circuit Batches", "quantum circuit batch"),
    ("Physics", None), ("Analysis", None), ("Q#", None), ("Python3", None),
])
def test_number_variants_follow_the_common_english_rules_and_nothing_else(
        phrase: str, variant: str | None) -> None:
    assert number_variant(phrase) == variant


def test_possessives_are_spelt_as_text_spells_them() -> None:
    assert possessive_variant("Grovers Algorithm") == "grover's algorithm"
    assert possessive_variant("Physics Lab") is None
    assert possessive_variant("Qubit") is None
    topic = tag_topic("shors-algorithm")
    assert topic.name == "Shors Algorithm" and topic.hashtags == ("shors-algorithm",)
    assert set(topic.aliases) == {"shors algorithms", "shor's algorithm"}


def test_the_ontology_holds_tags_used_often_enough_on_original_posts(tmp_path: Path) -> None:
    def event(i: int, kind: str, tags: tuple[str, ...]) -> Event:
        return Event("stackexchange", f"e{i}", datetime(2024, 3, 1, 12), f"u{i}", kind,
                     post_id=f"p{i}", text="question text", tags=tags)

    rows = [event(1, "post", ("qubit", "noise")), event(2, "post", ("qubit",)),
            event(3, "post", ("rare",)), event(4, "answer", ("noise",)),
            event(5, "answer", ("noise",))]
    con = connect(tmp_path / "renown.duckdb")
    ingest_table(con, events_to_table(rows), "tags")
    assert sorted(tag_ontology(con).topics) == ["qubit"]  # answers repeat their question's tags
    assert sorted(tag_ontology(con, min_uses=1).topics) == ["noise", "qubit", "rare"]
    assert tag_ontology(con, min_uses=1).parents == {"noise": (), "qubit": (), "rare": ()}
    con.close()
