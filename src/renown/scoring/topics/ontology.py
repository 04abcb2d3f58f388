"""The topic ontology: topics with the words that name them, in a DAG.

A topic may have several parents (the Klout ontology files "asthma" under both
"diseases" and "internal-medicine"), so the hierarchy is a directed acyclic
graph, not a tree.  The model is plain data: loaders (`default`, `klout`,
`user_format`) build it, the store keeps a copy, matching reads its terms and
attribution its ancestor closure.
"""

from __future__ import annotations

import graphlib
import hashlib
import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from renown.errors import RenownError

#: Kinds of term a topic is known by.  Names, aliases and keywords match words
#: in text; hashtags match tags and ``#tags`` in text; every term also matches
#: a tag spelled as one word ("machine learning" ↔ #machinelearning).
TERM_KINDS: Final = ("name", "alias", "keyword", "hashtag")


class OntologyError(ValueError, RenownError):
    """An ontology that cannot be used (unknown parents, a cycle, a bad slug …)."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic: a stable slug, a display name, and the words that signal it."""

    slug: str
    name: str
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def terms(self) -> Iterable[tuple[str, str]]:
        """(kind, term) for every way of naming this topic, the name first."""
        yield "name", self.name
        for kind, values in (("alias", self.aliases), ("keyword", self.keywords),
                             ("hashtag", self.hashtags)):
            for value in values:
                yield kind, value


def check_slug(slug: str) -> str:
    """Slugs are identifiers: non-empty, no whitespace or control characters."""
    if not slug or not slug.isprintable() or any(c.isspace() for c in slug):
        raise OntologyError(f"bad topic slug {slug!r}: expected one word, e.g. 'machine-learning'")
    return slug


@dataclass(frozen=True)
class Ontology:
    """Topics by slug and each topic's parents (roots have none)."""

    name: str
    topics: Mapping[str, Topic]
    parents: Mapping[str, tuple[str, ...]]
    #: Where it came from (a path, or "package" for the built-in one).
    source: str = ""
    #: Topics the edges named but the topic list lacked (kept, with a derived name).
    inferred: tuple[str, ...] = field(default=())

    @staticmethod
    def build(name: str, topics: Iterable[Topic], edges: Iterable[tuple[str, str]], *,
              source: str = "", infer_missing: bool = False) -> Ontology:
        """An ontology from topics and (parent, child) edges, checked to be a DAG.

        With ``infer_missing`` an edge may name a topic the list lacks (the
        Klout files do this for "economics"): it is kept with a name derived
        from its slug and listed in ``inferred``; otherwise it is an error.
        """
        by_slug: dict[str, Topic] = {}
        for topic in topics:
            if check_slug(topic.slug) in by_slug:
                raise OntologyError(f"topic {topic.slug!r} is defined twice")
            by_slug[topic.slug] = topic
        parents: dict[str, list[str]] = {slug: [] for slug in by_slug}
        inferred: list[str] = []
        for parent, child in edges:
            for slug in (parent, child):
                if slug not in by_slug:
                    if not infer_missing:
                        raise OntologyError(f"an edge names unknown topic {slug!r}")
                    by_slug[check_slug(slug)] = Topic(slug, slug_to_name(slug))
                    parents[slug] = []
                    inferred.append(slug)
            if parent != child and parent not in parents[child]:
                parents[child].append(parent)
        ontology = Ontology(name, by_slug, {k: tuple(v) for k, v in parents.items()}, source,
                            tuple(inferred))
        ontology.check_acyclic()
        return ontology

    def check_acyclic(self) -> None:
        try:
            graphlib.TopologicalSorter(self.parents).prepare()
        except graphlib.CycleError as exc:
            cycle = " → ".join(exc.args[1])
            raise OntologyError(f"the topic hierarchy has a cycle: {cycle}") from None

    def __len__(self) -> int:
        return len(self.topics)

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {slug: [] for slug in self.topics}
        for child, parents in self.parents.items():
            for parent in parents:
                found[parent].append(child)
        return {slug: tuple(sorted(kids)) for slug, kids in found.items()}

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return tuple(sorted(slug for slug, parents in self.parents.items() if not parents))

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(parent, child) pairs, sorted."""
        return sorted((p, c) for c, ps in self.parents.items() for p in ps)

    def ancestors(self, slug: str, max_levels: int | None = None) -> dict[str, int]:
        """Every ancestor of ``slug`` (itself at 0) with its shortest distance."""
        return _shortest_distances(slug, self.parents, max_levels)

    def descendants(self, slug: str, max_levels: int | None = None) -> dict[str, int]:
        """Every descendant of ``slug`` (itself at 0) with its shortest distance."""
        return _shortest_distances(slug, self.children, max_levels)

    def closure(self, max_levels: int) -> list[tuple[str, str, int]]:
        """(topic, ancestor, shortest distance) for every topic, itself included at 0."""
        return [(slug, ancestor, distance) for slug in sorted(self.topics)
                for ancestor, distance in sorted(self.ancestors(slug, max_levels).items())]

    def depth(self) -> int:
        """Edges on the longest root-to-leaf path."""
        order = graphlib.TopologicalSorter(self.parents).static_order()
        level: dict[str, int] = {}
        for slug in order:
            level[slug] = max((level[p] + 1 for p in self.parents[slug]), default=0)
        return max(level.values(), default=0)

    @cached_property
    def fingerprint(self) -> str:
        """Short hash of topics, terms and edges: equal fingerprints match alike."""
        digest = hashlib.sha256()
        for slug in sorted(self.topics):
            topic = self.topics[slug]
            digest.update(json.dumps([slug, list(topic.terms()), self.parents[slug]],
                                     ensure_ascii=False).encode())
        return digest.hexdigest()[:12]

    def with_terms_from(self, other: Ontology) -> Ontology:
        """This hierarchy, each topic also known by ``other``'s words for the same slug.

        Lets the Klout ontology (names only) borrow the default ontology's
        keywords, hashtags and aliases wherever the two share a slug.
        """
        merged = {}
        for slug, topic in self.topics.items():
            extra = other.topics.get(slug)
            merged[slug] = topic if extra is None else Topic(
                slug, topic.name, _union(topic.keywords, extra.keywords),
                _union(topic.hashtags, extra.hashtags),
                _union(topic.aliases, tuple(a for a in (extra.name, *extra.aliases)
                                            if a.casefold() != topic.name.casefold())))
        return Ontology(self.name, merged, self.parents, self.source, self.inferred)


def slug_to_name(slug: str) -> str:
    """A readable name for a topic known only by its slug: "real-estate" → "Real Estate"."""
    return " ".join(word.capitalize() for word in slug.replace("_", "-").split("-") if word)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    seen = {value.casefold() for value in first}
    extra = [v for v in second if v.casefold() not in seen]
    return first + tuple(dict.fromkeys(extra))


def _shortest_distances(start: str, neighbours: Mapping[str, tuple[str, ...]],
                        max_levels: int | None) -> dict[str, int]:
    if start not in neighbours:
        raise KeyError(start)
    distance = {start: 0}
    queue = deque([start])
    while queue:
        slug = queue.popleft()
        if max_levels is not None and distance[slug] >= max_levels:
            continue
        for nxt in neighbours[slug]:
            if nxt not in distance:
                distance[nxt] = distance[slug] + 1
                queue.append(nxt)
    return distance
