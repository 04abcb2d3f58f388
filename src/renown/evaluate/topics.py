"""``renown evaluate topics``: are the topics Renown attributes the ones people work on?

On a Q&A site every question carries tags its asker chose, and each answer
inherits them (the StackExchange source stores them on the answer), so the
tags of the questions a person answered are an independent record of what
they know.  The check:

1. **Vocabulary**: topics are the site's tags (`tag_vocabulary`): their
   names only, never which post carries which tag.
2. **Blind copy**: the store's events are copied into an in-memory database
   with every tag removed, so the topic engine sees text and titles only
   (the store itself is only read).
3. **Attribution as the product runs it**: the current model's evidence
   thresholds, over the whole period of the data.
4. **Truth**: for each of the ``top`` most active answerers, the tags of the
   questions they answered.
5. **Metrics**, over people (each with a percentile-bootstrap 95% interval):
   *precision@k*, the share of the topics shown (a person's ``k`` most
   confident, fewer when fewer meet the evidence thresholds) that are tags of
   questions they answered; the same against each person's ten most used tags
   (a stricter truth); *coverage*, the share of people given any topic; and
   *strict precision@k*, counting a topic not shown as a miss.  Beside them, a
   baseline that shows everyone the site's ``k`` most used tags: on a site
   about one subject the most common tags are in almost everyone's answers,
   so that baseline is high, and what Renown adds is that its topics are
   *each person's* (see the per-person table).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt

from renown.errors import RenownError
from renown.evaluate.bootstrap import Estimate
from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.registry import current_model
from renown.scoring.topics.compute import compute_topics
from renown.scoring.topics.ontology import Ontology
from renown.scoring.topics.tag_vocabulary import tag_ontology, tag_uses
from renown.store.database import migrate

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Tables the topic engine reads, and what is copied of each: events without their tags.
_COPIED: Final = {"events": "* REPLACE (CAST([] AS VARCHAR[]) AS tags)", "identities": "*",
                  "endorsements": "*"}
#: The stricter truth: a person's this many most used tags.
MAIN_TAGS: Final = 10


class NoTaggedAnswersError(ValueError, RenownError):
    """The store holds no answers carrying their question's tags (no truth to compare with)."""


@dataclass(frozen=True, slots=True)
class PersonTopics:
    """One answerer: what Renown shows and what they answered."""

    network: str
    account: str
    answers: int
    #: Topics shown, most confident first (at most k).
    shown: tuple[str, ...]
    #: Tags of the questions they answered, with how many answers carried each.
    answered: tuple[tuple[str, int], ...]

    @property
    def hits(self) -> int:
        tags = {tag for tag, _ in self.answered}
        return sum(topic in tags for topic in self.shown)

    @property
    def main_hits(self) -> int:
        main = {tag for tag, _ in self.answered[:MAIN_TAGS]}
        return sum(topic in main for topic in self.shown)


@dataclass(frozen=True, slots=True)
class TopicEvaluation:
    """The metrics, the baseline and every person behind them."""

    k: int
    ontology_topics: int
    matched_posts: int
    people: tuple[PersonTopics, ...]
    precision: Estimate
    precision_main: Estimate
    coverage: Estimate
    strict_precision: Estimate
    popular_tags: tuple[str, ...]
    popular_precision: Estimate
    seconds: float


def evaluate_topics(con: duckdb.DuckDBPyConnection, *, top: int = 50, k: int = 3,
                    min_tag_uses: int = 2, resamples: int = 1000,
                    seed: int = 20261203) -> TopicEvaluation:
    """The whole check (module docstring) on the store behind ``con`` (only read)."""
    clock = time.perf_counter()
    answerers = _answerers(con, top)
    ontology = tag_ontology(con, min_uses=min_tag_uses)
    if not ontology.topics:
        raise NoTaggedAnswersError(f"no tag is used on {min_tag_uses} or more questions: "
                                   "lower --min-tag-uses")
    blind = blind_copy(con)
    try:
        shown, matched = _shown_topics(blind, con, ontology, k)
    finally:
        blind.close()
    people = tuple(PersonTopics(network, account, answers, shown.get((network, account), ()),
                                tuple(tags.most_common()))
                   for network, account, answers, tags in answerers)
    popular = tuple(tag for tag, _ in tag_uses(con)[:k])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(people), size=(resamples, len(people)))
    hits = np.array([p.hits for p in people], np.float64)
    shown_counts = np.array([len(p.shown) for p in people], np.float64)
    popular_hits = np.array([sum(t in dict(p.answered) for t in popular) for p in people],
                            np.float64)
    slots = np.full(len(people), float(k))
    return TopicEvaluation(
        k, len(ontology), matched, people,
        precision=_ratio(hits, shown_counts, draws),
        precision_main=_ratio(np.array([p.main_hits for p in people], np.float64),
                              shown_counts, draws),
        coverage=_ratio((shown_counts > 0).astype(np.float64), np.ones(len(people)), draws),
        strict_precision=_ratio(hits, slots, draws),
        popular_tags=popular, popular_precision=_ratio(popular_hits, slots, draws),
        seconds=time.perf_counter() - clock)


def blind_copy(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """An in-memory store holding ``con``'s events without any tags (and what topics read)."""
    blind = duckdb.connect()
    blind.execute("SET TimeZone = 'UTC'")
    migrate(blind)
    for table, select in _COPIED.items():
        rows = con.sql(f"SELECT {select} FROM {table}").to_arrow_table()
        blind.register("_blind_rows", rows)
        blind.execute(f"INSERT INTO {table} SELECT * FROM _blind_rows")
        blind.unregister("_blind_rows")
    return blind


def _answerers(con: duckdb.DuckDBPyConnection, top: int
               ) -> list[tuple[str, str, int, Counter[str]]]:
    """The ``top`` accounts with the most tagged answers, and the tags they answered."""
    rows = con.execute(f"""
        WITH answers AS (
            SELECT network, actor, post_id, any_value(tags) AS tags FROM events
            WHERE kind = 'answer' AND len(tags) > 0
              AND actor NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%'
            GROUP BY network, actor, post_id
        ), ranked AS (
            SELECT network, actor, count(*) AS answers FROM answers GROUP BY ALL
            ORDER BY answers DESC, network, actor LIMIT $top
        )
        SELECT r.network, r.actor, r.answers, list(a.tags) AS tag_lists
        FROM ranked r JOIN answers a USING (network, actor)
        GROUP BY ALL ORDER BY r.answers DESC, r.network, r.actor
    """, {"top": top}).fetchall()
    if not rows:
        raise NoTaggedAnswersError(
            "no answers with their questions' tags in the store: this evaluation needs a Q&A "
            "source such as `renown ingest DIR --format stackexchange`")
    return [(str(n), str(a), int(c), Counter(t for tags in lists for t in tags))
            for n, a, c, lists in rows]


def _shown_topics(blind: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection,
                  ontology: Ontology, k: int) -> tuple[dict[tuple[str, str], tuple[str, ...]], int]:
    """Each account's ``k`` most confident topics, attributed from the blind copy."""
    first, last = blind.execute("SELECT min(ts), max(ts) FROM events").fetchall()[0]
    as_of = datetime(last.year, last.month, last.day) + timedelta(days=1)
    model = current_model(con)
    model = model.with_changes(window_days=max(model.window_days, (as_of - first).days + 1.0))
    results = compute_topics(blind, as_of, model, ontology)
    blind.register("_evaluated", results.attributions)
    try:
        rows = blind.execute("""
            SELECT i.network, i.account, list(a.topic ORDER BY a.confidence DESC,
                                              a.topic_score DESC, a.topic)
            FROM _evaluated a
            JOIN (SELECT network, account, coalesce(p.person_id, network || ':' || account)
                         AS person_id
                  FROM (SELECT DISTINCT network, actor AS account FROM events) e
                  LEFT JOIN identities p USING (network, account)) i USING (person_id)
            GROUP BY ALL
        """).fetchall()
    finally:
        blind.unregister("_evaluated")
    return {(str(n), str(a)): tuple(topics[:k]) for n, a, topics in rows}, results.matched_posts


def _ratio(numerator: FloatArray, denominator: FloatArray, draws: IntArray) -> Estimate:
    """Σ numerator / Σ denominator over people, with a percentile-bootstrap 95% interval."""
    def value(num: FloatArray, den: FloatArray) -> FloatArray:
        total = den.sum(axis=-1)
        ratio: FloatArray = np.divide(num.sum(axis=-1), total, out=np.zeros_like(total),
                                      where=total > 0)
        return ratio

    point = float(value(numerator, denominator))
    if draws.size == 0:
        return Estimate(point, point, point)
    resampled = value(numerator[draws], denominator[draws])
    low, high = np.percentile(resampled, [2.5, 97.5])
    return Estimate(point, float(low), float(high))
