"""An ontology from the tags a community already uses (a Q&A site's tag list, hashtags).

A site's own tag vocabulary is often a better topic list for that site than
any general ontology: StackExchange's quantum computing site distinguishes
``quantum-gate`` from ``qubit-state``, which no general list does.  Each tag
used on at least ``min_uses`` posts becomes a flat topic (no hierarchy is
invented): its name is the tag in words ("quantum-gate" → "Quantum Gate"),
and the other grammatical number of its last word is an alias, because text
says "a quantum gate" where the tag says ``quantum-gates`` or the reverse.

Only the *names* of the tags are used, never which post carries which tag, so
topics can still be matched from text alone (``renown evaluate topics`` hides
every post's tags and checks the result against them).
"""

from __future__ import annotations

import re
from typing import Final

import duckdb

from renown.scoring.topics.ontology import Ontology, Topic, slug_to_name

#: A word whose number we know how to change: letters only, at least 4 of them.
_WORD: Final = re.compile(r"[a-z]{4,}")
#: Words ending in s that are not plurals (physics, analysis, ...): left alone.
_SINGULAR_S: Final = ("ss", "is", "us", "ics", "ys")


def number_variant(phrase: str) -> str | None:
    """The phrase with its last word in the other grammatical number, or None.

    English rules only, and only the common ones: -ies ↔ -y, -es after a
    sibilant, -s.  Words that merely end in s (physics, analysis) and words
    with digits or symbols are left alone: a wrong variant would match
    unrelated text, a missing one only loses a match.
    """
    words = phrase.lower().split()
    if not words or not _WORD.fullmatch(words[-1]):
        return None
    last = words[-1]
    if last.endswith("ies"):
        other = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        other = last[:-2]
    elif last.endswith("s"):
        if last.endswith(_SINGULAR_S):
            return None
        other = last[:-1]
    elif last.endswith("y") and last[-2] not in "aeiou":
        other = last[:-1] + "ies"
    elif last.endswith(("ix", "ex")) and len(last) > 4:  # matrix → matrices
        other = last[:-2] + "ices"
    elif last.endswith(("x", "ch", "sh")):
        other = last + "es"
    else:
        other = last + "s"
    return " ".join([*words[:-1], other])


def possessive_variant(phrase: str) -> str | None:
    """"grovers algorithm" → "grover's algorithm": tags cannot spell the apostrophe."""
    words = phrase.lower().split()
    if len(words) < 2 or not _WORD.fullmatch(words[0]) or not words[0].endswith("s") \
            or words[0].endswith(_SINGULAR_S):
        return None
    return " ".join([words[0][:-1] + "'s", *words[1:]])


def tag_topic(tag: str) -> Topic:
    """A topic for one tag: its words as the name; other number and possessive as aliases."""
    name = slug_to_name(tag)
    variants = [number_variant(name), possessive_variant(name)]
    return Topic(tag, name, aliases=tuple(v for v in variants if v), hashtags=(tag,))


def tag_uses(con: duckdb.DuckDBPyConnection, *, min_uses: int = 1,
             kinds: tuple[str, ...] = ("post",)) -> list[tuple[str, int]]:
    """(tag, posts carrying it) for tags on at least ``min_uses`` events of ``kinds``, most used
    first.

    The default counts original posts (questions on StackExchange) only:
    answers repeat their question's tags and would count each use again.
    """
    rows = con.execute("""
        SELECT tag, count(*) AS uses
        FROM (SELECT DISTINCT network, event_id, unnest(tags) AS tag FROM events
              WHERE list_contains($kinds, kind) AND len(tags) > 0)
        WHERE tag <> '' AND NOT regexp_matches(tag, '\\s')
        GROUP BY tag HAVING count(*) >= $min_uses
        ORDER BY uses DESC, tag
    """, {"kinds": list(kinds), "min_uses": min_uses}).fetchall()
    return [(str(tag), int(uses)) for tag, uses in rows]


def tag_ontology(con: duckdb.DuckDBPyConnection, *, min_uses: int = 2,
                 kinds: tuple[str, ...] = ("post",), name: str = "tags") -> Ontology:
    """Topics from the tags on at least ``min_uses`` events of ``kinds`` in the store."""
    topics = [tag_topic(tag) for tag, _ in tag_uses(con, min_uses=min_uses, kinds=kinds)]
    return Ontology.build(name, topics, [], source=f"tags used on >= {min_uses} posts")
