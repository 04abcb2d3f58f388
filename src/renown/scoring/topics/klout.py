"""Loading the Klout Topic Ontology from its published CSV files.

The open data release (Ellinger et al., "Klout Topics for Modeling Interests
and Expertise of Users Across Social Networks", 2017; CC BY 3.0) is three files:

* ``klout_topic_ontology_*.csv``: ``topicId, topicSlug, topicDisplayName,
  wikiItemId, freebaseMachineId`` (8,033 topics in the 2018-06-01 release);
* ``klout_topic_edge_*.csv``: ``parentTopicId, parrentTopicSlug (sic),
  childTopicId, childTopicSlug``, a DAG under the pseudo-topic ``_ROOT_``;
* ``klout_topic_display_*.csv``: ``topicId, language, topicDisplayName`` in
  en/ar/fr/de/es/it (optional).

Klout topics come with names only, no keywords: the English name is the
topic's name and the other languages' names are aliases.  ``_ROOT_`` is not a
topic (its children, the 16 "-super" areas, become roots).  Ids reach 10¹⁹,
beyond a signed 64-bit integer, so they are read as strings.  The release's
edges name one topic ("economics") that its topic list lacks; it is kept, with
its names from the display file where there are any.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Final

from renown.scoring.topics.ontology import Ontology, OntologyError, Topic, slug_to_name

ROOT_SLUG: Final = "_ROOT_"
_FILES: Final = {"ontology": "klout_topic_ontology_*.csv", "edges": "klout_topic_edge_*.csv",
                 "display": "klout_topic_display_*.csv"}


def klout_files(folder: Path) -> dict[str, Path | None]:
    """The release's files in ``folder`` (newest release when several are there)."""
    found: dict[str, Path | None] = {}
    for role, pattern in _FILES.items():
        matches = sorted(folder.glob(pattern))
        found[role] = matches[-1] if matches else None
    for role in ("ontology", "edges"):
        if found[role] is None:
            raise OntologyError(f"{folder}: no {_FILES[role]} (the Klout ontology needs the "
                                "topic list and the edge list)")
    return found


def _rows(path: Path, columns: tuple[str, ...]) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header[:len(columns)]) != columns:
            raise OntologyError(f"{path}: expected columns {', '.join(columns)}, "
                                f"found {', '.join(header or [])}")
        return [row for row in reader if row]


def load_klout(folder: Path | str) -> Ontology:
    """The Klout Topic Ontology from a folder holding its CSV files."""
    files = klout_files(Path(folder))
    ontology_path, edges_path = files["ontology"], files["edges"]
    assert ontology_path is not None and edges_path is not None
    topic_rows = _rows(ontology_path, ("topicId", "topicSlug", "topicDisplayName"))
    slug_of = {row[0]: row[1] for row in topic_rows}
    names: dict[str, dict[str, str]] = defaultdict(dict)
    if files["display"] is not None:
        for topic_id, language, name in _rows(files["display"],
                                              ("topicId", "language", "topicDisplayName")):
            if name.strip():
                names[topic_id][language] = name.strip()
    edge_rows = _rows(edges_path, ("parentTopicId", "parrentTopicSlug", "childTopicId",
                                   "childTopicSlug"))
    for parent_id, parent_slug, child_id, child_slug in edge_rows:
        slug_of.setdefault(parent_id, parent_slug)
        slug_of.setdefault(child_id, child_slug)
    topics = [_topic(row[1], row[2], names.get(row[0], {})) for row in topic_rows]
    listed = {row[1] for row in topic_rows}
    extra = [_topic(slug, names.get(topic_id, {}).get("en", ""), names.get(topic_id, {}))
             for topic_id, slug in slug_of.items() if slug not in listed and slug != ROOT_SLUG]
    edges = [(p, c) for _, p, _, c in edge_rows if ROOT_SLUG not in (p, c)]
    built = Ontology.build("klout", topics + extra, edges, source=str(Path(folder)))
    inferred = tuple(sorted(t.slug for t in extra))
    return Ontology(built.name, built.topics, built.parents, built.source, inferred)


def _topic(slug: str, name: str, names: dict[str, str]) -> Topic:
    """A Klout topic: its English name, the other languages' names as aliases."""
    english = name.strip() or names.get("en") or slug_to_name(slug)
    seen = {english.casefold()}
    aliases = []
    for _, other in sorted(names.items()):
        if other.casefold() not in seen:
            seen.add(other.casefold())
            aliases.append(other)
    return Topic(slug, english, aliases=tuple(aliases))
