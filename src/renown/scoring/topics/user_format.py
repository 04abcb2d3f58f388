"""A user's own ontology, in a simple YAML or JSON format (docs/topics.md).

::

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
            hashtags: [machinelearning]
            parents: [statistics]     # more parents, besides the enclosing topic
      - slug: statistics
        name: Statistics

Nesting gives the first parent; ``parents`` adds more (the hierarchy is a
DAG).  Only ``slug`` is required; ``name`` defaults to the slug in words.  The
built-in ontology is written in this format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from renown.scoring.topics.ontology import Ontology, OntologyError, Topic, slug_to_name

_TOPIC_KEYS = frozenset({"slug", "name", "keywords", "hashtags", "aliases", "parents",
                         "children"})
_LISTS = ("keywords", "hashtags", "aliases", "parents")


def load_user_ontology(path: Path | str) -> Ontology:
    """An ontology from a ``.yaml``/``.yml`` or ``.json`` file in the format above."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise OntologyError(f"{path}: cannot read ontology: {exc}") from exc
    try:
        return parse_ontology(document, source=str(path))
    except OntologyError as exc:
        raise OntologyError(f"{path}: {exc}") from exc


def parse_ontology(document: Any, *, source: str = "") -> Ontology:
    """An ontology from the parsed document (a mapping with ``name`` and ``topics``)."""
    if not isinstance(document, dict) or not isinstance(document.get("topics"), list):
        raise OntologyError("expected a mapping with a 'topics' list")
    name = document.get("name", "custom")
    if not isinstance(name, str) or not name.strip():
        raise OntologyError("'name' must be a non-empty string")
    topics: list[Topic] = []
    edges: list[tuple[str, str]] = []
    for where, entry, parent in _walk(document["topics"], "topics", None):
        topic, extra_parents = _topic(entry, where)
        topics.append(topic)
        edges.extend((p, topic.slug) for p in ([parent] if parent else []) + extra_parents)
    return Ontology.build(name.strip(), topics, edges, source=source)


def _walk(entries: Any, where: str, parent: str | None
          ) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    if not isinstance(entries, list):
        raise OntologyError(f"{where}: expected a list of topics")
    for i, entry in enumerate(entries):
        here = f"{where}[{i}]"
        if not isinstance(entry, dict):
            raise OntologyError(f"{here}: expected a mapping with at least 'slug'")
        yield here, entry, parent
        if "children" in entry:
            yield from _walk(entry["children"], f"{here}.children", str(entry.get("slug")))


def _topic(entry: dict[str, Any], where: str) -> tuple[Topic, list[str]]:
    unknown = sorted(set(entry) - _TOPIC_KEYS)
    if unknown:
        raise OntologyError(f"{where}: unknown keys {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(_TOPIC_KEYS))})")
    slug = entry.get("slug")
    if not isinstance(slug, str):
        raise OntologyError(f"{where}: 'slug' must be a string")
    name = entry.get("name", slug_to_name(slug))
    if not isinstance(name, str) or not name.strip():
        raise OntologyError(f"{where} ({slug}): 'name' must be a non-empty string")
    values: dict[str, tuple[str, ...]] = {}
    for key in _LISTS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise OntologyError(f"{where} ({slug}): '{key}' must be a list of non-empty strings")
        values[key] = tuple(v.strip() for v in value)
    topic = Topic(slug, name.strip(), values["keywords"],
                  tuple(h.lstrip("#") for h in values["hashtags"]), values["aliases"])
    return topic, list(values["parents"])
