"""Reading stored topic results: who stands where in a topic, and a person's topics.

Results are read from the score snapshot (the current model's newest, or the
newest on or before a day), so the API, the dashboard and the CLI show what
the run computed without recomputing it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pyarrow as pa

from renown.errors import RenownError
from renown.scoring.queries import current_snapshot
from renown.scoring.snapshots import SnapshotInfo
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.ontology import Ontology
from renown.scoring.topics.ontology_store import stored_ontology

STANDINGS_SCHEMA = pa.schema([("person_id", pa.string()), ("topic_score", pa.float64()),
                              ("confidence", pa.float64()), ("posts", pa.int64()),
                              ("reactors", pa.int64())])


class UnknownTopicError(LookupError, RenownError):
    """A topic slug the store's ontology does not have."""


def known_topic(ontology: Ontology, slug: str) -> str:
    if slug not in ontology.topics:
        raise UnknownTopicError(f"unknown topic {slug!r} in ontology {ontology.name!r} "
                                "(`renown ontology show` lists them)")
    return slug


def topic_standings(con: duckdb.DuckDBPyConnection, slug: str, day: date | None = None
                    ) -> pa.Table:
    """One row per person attributed ``slug`` or a narrower topic, best first.

    Columns person_id, topic_score (1–100), confidence (0–1), posts, reactors.
    Someone attributed the topic itself is shown with that attribution;
    someone attributed only narrower topics with the closest of them (fewest
    levels down, then most confident), its confidence discounted by the
    roll-up discount per level (DAG paths: the shortest).
    """
    ontology = stored_ontology(con)
    known_topic(ontology, slug)
    info = current_snapshot(con, day)
    below = ontology.descendants(slug)
    con.register("_standing_topics", pa.table({
        "topic": list(below), "distance": pa.array(list(below.values()), pa.int32())}))
    try:
        return con.sql("""
            SELECT person_id, topic_score,
                   confidence * pow(CAST($discount AS DOUBLE), distance) AS confidence,
                   posts, reactors
            FROM (SELECT a.*, t.distance, row_number() OVER (PARTITION BY a.person_id
                         ORDER BY t.distance, a.confidence DESC, a.topic) AS r
                  FROM topic_attributions a JOIN _standing_topics t USING (topic)
                  WHERE a.run_id = $run)
            WHERE r = 1
            ORDER BY topic_score DESC, confidence DESC, person_id
        """, params={"run": info.run_id, "discount": _run_discount(con, info)}
        ).to_arrow_table().cast(STANDINGS_SCHEMA)
    finally:
        con.unregister("_standing_topics")


@dataclass(frozen=True, slots=True)
class TopicLeaderboardRow:
    rank: int
    person_id: str
    topic_score: float
    confidence: float
    posts: int
    reactors: int
    display_name: str | None


def topic_leaderboard(con: duckdb.DuckDBPyConnection, slug: str, *, limit: int = 20,
                      day: date | None = None) -> list[TopicLeaderboardRow]:
    """The first ``limit`` of `topic_standings`, with display names."""
    standings = topic_standings(con, slug, day).slice(0, limit)
    con.register("_topic_top", standings)
    try:
        rows = con.execute("""
            SELECT t.person_id, t.topic_score, t.confidence, t.posts, t.reactors,
                   (SELECT min(a.display_name) FROM account_people ap JOIN accounts a
                    USING (network, account) WHERE ap.person_id = t.person_id)
            FROM _topic_top t
            ORDER BY t.topic_score DESC, t.confidence DESC, t.person_id""").fetchall()
    finally:
        con.unregister("_topic_top")
    return [TopicLeaderboardRow(i + 1, str(p), float(s), float(c), int(n), int(r), name)
            for i, (p, s, c, n, r, name) in enumerate(rows)]


def _run_discount(con: duckdb.DuckDBPyConnection, info: SnapshotInfo) -> float:
    """The roll-up discount the run used (the default when the run stored none)."""
    rows = con.execute("SELECT json_extract(config, '$.rollup_discount') FROM topic_runs "
                       "WHERE run_id = ?", [info.run_id]).fetchall()
    if rows and rows[0][0] is not None:
        return float(rows[0][0])
    return TopicConfig().rollup_discount


@dataclass(frozen=True, slots=True)
class TopicPost:
    network: str
    post_id: str
    ts: datetime
    reactors: int
    reactions: int
    #: The topic the post was matched to (the attributed one, or a narrower one).
    via_topic: str
    weight: float
    text: str | None


@dataclass(frozen=True, slots=True)
class PersonTopic:
    topic: str
    name: str
    confidence: float
    #: Influence within the topic, 1–100 (None when not computed: a live check).
    topic_score: float | None
    #: True when the person posted on the topic itself (not only narrower ones).
    direct: bool
    posts: int
    days: int
    reactors: int
    endorsers: int
    post_evidence: float
    day_evidence: float
    reactor_evidence: float
    top_posts: list[TopicPost] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PersonTopics:
    person_id: str
    as_of: date
    model_version: str
    thresholds: dict[str, int]
    topics: list[PersonTopic]


_ATTRIBUTION_COLUMNS = ("topic", "confidence", "topic_score", "direct", "posts", "days",
                        "reactors", "endorsers", "post_evidence", "day_evidence",
                        "reactor_evidence")


def person_topics(con: duckdb.DuckDBPyConnection, person_id: str, day: date | None = None,
                  ) -> PersonTopics:
    """A person's attributed topics in the stored snapshot, most confident first."""
    info = current_snapshot(con, day)
    attributed = con.sql(f"""
        SELECT {', '.join(_ATTRIBUTION_COLUMNS)} FROM topic_attributions
        WHERE run_id = $run AND person_id = $person""",
        params={"run": info.run_id, "person": person_id}).to_arrow_table()
    posts = con.sql("""
        SELECT topic, network, post_id, ts, reactors, reactions, via_topic, weight
        FROM topic_evidence_posts WHERE run_id = $run AND person_id = $person""",
        params={"run": info.run_id, "person": person_id}).to_arrow_table()
    thresholds = _run_thresholds(con, info.run_id)
    return assemble(con, person_id, info, thresholds, attributed, posts)


def thresholds_of(config: TopicConfig) -> dict[str, int]:
    return {"min_posts": config.min_posts, "min_days": config.min_days,
            "min_reactors": config.min_reactors}


def _run_thresholds(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, int]:
    """The thresholds a stored run used (the defaults when it stored no topic run)."""
    rows = con.execute("SELECT config FROM topic_runs WHERE run_id = ?", [run_id]).fetchall()
    if not rows:
        return thresholds_of(TopicConfig())
    stored = json.loads(rows[0][0])
    return {k: int(stored[k]) for k in ("min_posts", "min_days", "min_reactors")}


def assemble(con: duckdb.DuckDBPyConnection, person_id: str, info: SnapshotInfo,
             thresholds: dict[str, int], attributed: pa.Table, posts: pa.Table) -> PersonTopics:
    """`PersonTopics` from attribution and evidence-post rows (stored or live)."""
    ontology = stored_ontology(con)
    texts = _texts(con, posts)
    by_topic: dict[str, list[TopicPost]] = {}
    for row in posts.to_pylist():
        by_topic.setdefault(row["topic"], []).append(TopicPost(
            row["network"], row["post_id"], row["ts"], int(row["reactors"]),
            int(row["reactions"]), row["via_topic"], float(row["weight"]),
            texts.get((row["network"], row["post_id"]))))
    topics = []
    for row in attributed.to_pylist():
        topic = ontology.topics.get(row["topic"])
        values = {k: row[k] for k in _ATTRIBUTION_COLUMNS}
        topics.append(PersonTopic(**values, name=topic.name if topic else row["topic"],
                                  top_posts=by_topic.get(row["topic"], [])))
    topics.sort(key=lambda t: (-t.confidence, not t.direct, t.topic))
    return PersonTopics(person_id, info.as_of, info.model_version, thresholds, topics)


def _texts(con: duckdb.DuckDBPyConnection, posts: pa.Table) -> dict[tuple[str, str], str]:
    if posts.num_rows == 0:
        return {}
    con.register("_topic_post_keys", posts.select(["network", "post_id"]))
    try:
        rows = con.execute("""
            SELECT e.network, e.post_id, first(e.text ORDER BY e.ts DESC, e.event_id DESC)
            FROM events e SEMI JOIN _topic_post_keys k USING (network, post_id)
            GROUP BY e.network, e.post_id""").fetchall()
    finally:
        con.unregister("_topic_post_keys")
    return {(str(n), str(p)): t for n, p, t in rows if t is not None}
