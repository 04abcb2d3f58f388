"""Small hand-made worlds for topic tests: who posted what about which topic, who reacted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa

from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.snapshots import day_end
from renown.scoring.topics.compute import TopicResults, compute_topics
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.user_format import parse_ontology
from tests.scoring.builders import START, World

#: health → {diseases, lungs} → asthma (two parents); food → cooking.
ONTOLOGY = parse_ontology({"name": "small", "topics": [
    {"slug": "health", "name": "Health", "children": [
        {"slug": "diseases", "name": "Diseases", "children": [
            {"slug": "asthma", "name": "Asthma", "keywords": ["inhaler"],
             "parents": ["lungs"]}]},
        {"slug": "lungs", "name": "Lungs"}]},
    {"slug": "food", "name": "Food", "children": [
        {"slug": "cooking", "name": "Cooking", "keywords": ["sourdough"]}]},
]})
TEXT = {"asthma": "my inhaler today", "cooking": "sourdough again", "none": "hello world"}


def post_with_reactors(world: World, author: str, day: int, topic: str,
                       reactors: list[str] | tuple[str, ...]) -> str:
    post = world.post(author, day, text=TEXT[topic])
    for reactor in reactors:
        world.react(reactor, author, day, post=post, kind="like")
    return post


def run_topics(world: World, day: int, config: TopicConfig | None = None,
               path: Path | str = ":memory:") -> TopicResults:
    """Topic results as of the end of ``day`` (a fresh store each call)."""
    con = world.store(Path(path))
    try:
        return compute_topics(con, day_end(START + timedelta(days=day)), DEFAULT_MODEL,
                              ONTOLOGY, config)
    finally:
        con.close()


def attributed(results: TopicResults) -> dict[tuple[str, str], dict[str, object]]:
    """(person_id, topic) → its attribution row."""
    rows: list[dict[str, object]] = results.attributions.to_pylist()
    return {(str(r["person_id"]), str(r["topic"])): r for r in rows}


def column(table: pa.Table, name: str) -> list[object]:
    return list(table[name].to_pylist())
