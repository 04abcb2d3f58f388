"""The built-in ontology, shipped as package data (``data/default_ontology.yaml``).

Written for this project in the user format (`user_format`): a few hundred
topics across technology, business and finance, science, health, the arts,
entertainment, sport, politics, the environment, education, food, travel and
lifestyle, each with keywords, hashtags and aliases.  Slugs follow the Klout
Topic Ontology wherever Klout has the topic (the simulated world uses Klout
slugs too), so the two ontologies can be combined.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

import yaml

from renown.scoring.topics.ontology import Ontology
from renown.scoring.topics.user_format import parse_ontology

DEFAULT_ONTOLOGY_FILE: Final = "default_ontology.yaml"
#: How a store records that it uses the built-in ontology.
PACKAGE_SOURCE: Final = "package:renown/scoring/topics/data/" + DEFAULT_ONTOLOGY_FILE


@cache
def default_ontology() -> Ontology:
    """The built-in ontology (parsed once per process; it is immutable)."""
    text = resources.files("renown.scoring.topics").joinpath(
        "data", DEFAULT_ONTOLOGY_FILE).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: 10x faster
    return parse_ontology(yaml.load(text, Loader=loader), source=PACKAGE_SOURCE)
