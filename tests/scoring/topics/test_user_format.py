"""The user ontology format (docs/topics.md): nesting, extra parents, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from renown.scoring.topics.ontology import OntologyError
from renown.scoring.topics.user_format import load_user_ontology, parse_ontology

EXAMPLE = """
name: my-topics
topics:
  - slug: technology
    name: Technology
    keywords: [software, gadgets]
    hashtags: [tech]
    children:
      - slug: machine-learning
        name: Machine Learning
        aliases: [ML]
        keywords: [neural network, gradient descent]
        hashtags: ["#machinelearning"]
        parents: [statistics]
  - slug: statistics
    name: Statistics
"""


def test_the_documented_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    ontology = load_user_ontology(path)
    assert ontology.name == "my-topics" and len(ontology) == 3
    assert ontology.parents["machine-learning"] == ("technology", "statistics")
    assert ontology.topics["machine-learning"].hashtags == ("machinelearning",)
    assert ontology.topics["machine-learning"].aliases == ("ML",)
    assert ontology.source == str(path)


def test_json_files_load_too_and_names_default_to_the_slug(tmp_path: Path) -> None:
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"name": "j", "topics": [{"slug": "real-estate"}]}), "utf-8")
    assert load_user_ontology(path).topics["real-estate"].name == "Real Estate"


@pytest.mark.parametrize(("document", "message"), [
    ({"topics": "nope"}, "'topics' list"),
    ({"name": "", "topics": []}, "'name' must be"),
    ({"topics": [{"name": "No slug"}]}, r"topics\[0\]: 'slug' must be a string"),
    ({"topics": [{"slug": "a", "colour": "red"}]}, "unknown keys colour"),
    ({"topics": [{"slug": "a", "keywords": "one"}]}, "'keywords' must be a list"),
    ({"topics": [{"slug": "a", "keywords": [2024]}]}, "'keywords' must be a list"),
    ({"topics": [{"slug": "a", "parents": ["b"]}, {"slug": "b", "parents": ["a"]}]}, "cycle"),
    ({"topics": [{"slug": "a", "parents": ["missing"]}]}, "unknown topic 'missing'"),
    ({"topics": [{"slug": "a", "children": [{"slug": "b", "children": "x"}]}]},
     r"topics\[0\].children\[0\].children: expected a list"),
])
def test_mistakes_are_reported_with_where_they_are(document: object, message: str) -> None:
    with pytest.raises(OntologyError, match=message):
        parse_ontology(document)


def test_unreadable_files_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("topics: [unclosed", encoding="utf-8")
    with pytest.raises(OntologyError, match=r"broken\.yaml: cannot read ontology"):
        load_user_ontology(path)
