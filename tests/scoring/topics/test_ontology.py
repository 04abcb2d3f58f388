"""The ontology model: a DAG with shortest-path roll-up, and the built-in ontology."""

from __future__ import annotations

import pytest

from renown.scoring.topics.default import default_ontology
from renown.scoring.topics.ontology import Ontology, OntologyError, Topic
from renown.simulation.topics import TOPICS


def diamond() -> Ontology:
    """health → {medicine, lungs} → asthma (two parents), medicine → diseases → asthma."""
    topics = [Topic(s, s.title()) for s in ("health", "medicine", "lungs", "diseases", "asthma")]
    edges = [("health", "medicine"), ("health", "lungs"), ("medicine", "diseases"),
             ("diseases", "asthma"), ("lungs", "asthma")]
    return Ontology.build("test", topics, edges)


def test_ancestors_take_the_shortest_path_through_any_parent() -> None:
    ontology = diamond()
    assert ontology.parents["asthma"] == ("diseases", "lungs")
    assert ontology.ancestors("asthma") == {"asthma": 0, "diseases": 1, "lungs": 1,
                                            "medicine": 2, "health": 2}
    assert ontology.ancestors("asthma", max_levels=1) == {"asthma": 0, "diseases": 1,
                                                          "lungs": 1}
    assert ontology.descendants("health") == {"health": 0, "medicine": 1, "lungs": 1,
                                              "diseases": 2, "asthma": 2}
    assert ontology.roots == ("health",)
    assert ontology.depth() == 3
    assert ("asthma", "health", 2) in ontology.closure(4)
    assert ("asthma", "health", 2) not in ontology.closure(1)


def test_cycles_unknown_topics_and_duplicates_are_refused() -> None:
    topics = [Topic("a", "A"), Topic("b", "B")]
    with pytest.raises(OntologyError, match="cycle"):
        Ontology.build("t", topics, [("a", "b"), ("b", "a")])
    with pytest.raises(OntologyError, match="unknown topic 'c'"):
        Ontology.build("t", topics, [("a", "c")])
    with pytest.raises(OntologyError, match="defined twice"):
        Ontology.build("t", [*topics, Topic("a", "again")], [])
    with pytest.raises(OntologyError, match="bad topic slug"):
        Ontology.build("t", [Topic("two words", "x")], [])
    inferred = Ontology.build("t", topics, [("a", "c-d")], infer_missing=True)
    assert inferred.inferred == ("c-d",) and inferred.topics["c-d"].name == "C D"


def test_fingerprint_changes_with_words_and_edges_only() -> None:
    base = diamond()
    assert base.fingerprint == diamond().fingerprint
    renamed = Ontology(base.name, {**base.topics, "asthma": Topic("asthma", "Asthma",
                                                                    ("inhaler",))},
                       base.parents)
    assert renamed.fingerprint != base.fingerprint


def test_terms_are_borrowed_for_shared_slugs() -> None:
    names_only = Ontology.build("k", [Topic("asthma", "Asthma"), Topic("other", "Other")], [])
    words = Ontology.build("d", [Topic("asthma", "Asthma", ("inhaler",), ("asthma",),
                                       ("Asthme",))], [])
    merged = names_only.with_terms_from(words)
    assert merged.topics["asthma"].keywords == ("inhaler",)
    assert merged.topics["asthma"].hashtags == ("asthma",)
    assert merged.topics["asthma"].aliases == ("Asthme",)
    assert merged.topics["other"] == names_only.topics["other"]


def test_built_in_ontology_covers_the_major_areas_with_words_for_every_topic() -> None:
    ontology = default_ontology.__wrapped__()
    assert 250 <= len(ontology) <= 500
    assert {"technology", "business", "science", "health", "arts-and-humanities", "sports",
            "politics", "lifestyle", "entertainment", "environment"} <= set(ontology.roots)
    assert ontology.depth() >= 3
    assert sum(1 for parents in ontology.parents.values() if len(parents) > 1) >= 20
    for slug, topic in ontology.topics.items():
        assert topic.keywords or topic.aliases, slug
        assert topic.hashtags, slug


def test_built_in_ontology_has_every_simulated_topic() -> None:
    ontology = default_ontology()
    assert {t.slug for t in TOPICS} <= set(ontology.topics)
