"""Attribution (DESIGN.md property 6): a topic only on sustained, engaged evidence.

A person is attributed a topic when, in the scoring window,

* their **engaged posts** on it (posts that drew at least one reaction from
  someone else) add up to at least ``min_posts`` (default 3),
* on at least ``min_days`` different days (default 2),
* drawing at least ``min_reactors`` distinct people (default 5), counting
  people who endorsed them for it.

Evidence from a narrower topic counts discounted (see `evidence`), so for a
topic with posts of its own these are plain counts, and a broad topic is
attributed when enough narrower expertise adds up.  One viral joke is one
post on one day: it never makes anybody an expert, however many react.

**Confidence** (0–1) says how far the evidence clears the bar:

    confidence = (s(posts) · s(days) · s(people))^(1/3),   s(x) = 1 − 2^(−x/threshold)

each factor is ½ exactly at its threshold, ¾ at twice it and → 1 beyond, and
the geometric mean keeps the weakest criterion decisive: ≥ 0.5 for every
attributed topic, about 0.94 at four times every threshold.
"""

from __future__ import annotations

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.evidence import EPSILON

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def meets_thresholds(post_evidence: FloatArray, day_evidence: FloatArray,
                     reactor_evidence: FloatArray, config: TopicConfig) -> BoolArray:
    """Which (person, topic) rows clear all three evidence thresholds."""
    return np.asarray(
        (np.asarray(post_evidence) >= config.min_posts - EPSILON)
        & (np.asarray(day_evidence) >= config.min_days - EPSILON)
        & (np.asarray(reactor_evidence) >= config.min_reactors - EPSILON), dtype=np.bool_)


def confidence(post_evidence: FloatArray, day_evidence: FloatArray,
               reactor_evidence: FloatArray, config: TopicConfig) -> FloatArray:
    """The documented confidence in [0, 1] (module docstring)."""
    factors = [1.0 - np.exp2(-np.maximum(np.asarray(x, np.float64), 0.0) / threshold)
               for x, threshold in ((post_evidence, config.min_posts),
                                    (day_evidence, config.min_days),
                                    (reactor_evidence, config.min_reactors))]
    return np.asarray(np.cbrt(factors[0] * factors[1] * factors[2]), dtype=np.float64)


def attributions(con: duckdb.DuckDBPyConnection, config: TopicConfig) -> pa.Table:
    """Rows of ``_topic_evidence`` that clear the thresholds, with their confidence.

    Columns: person_id, topic, direct, posts, days, reactors, endorsers,
    post_evidence, day_evidence, reactor_evidence, confidence; sorted by
    person and topic.
    """
    evidence = con.sql("SELECT * FROM _topic_evidence ORDER BY person_id, topic"
                       ).to_arrow_table()
    posts, days, people = (np.asarray(evidence[name].to_numpy(zero_copy_only=False), np.float64)
                           for name in ("post_evidence", "day_evidence", "reactor_evidence"))
    keep = meets_thresholds(posts, days, people, config)
    kept = evidence.filter(pa.array(keep))
    return kept.append_column("confidence", pa.array(
        confidence(posts[keep], days[keep], people[keep], config), pa.float64()))
