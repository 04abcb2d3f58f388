"""One topic run: match → evidence → attribution → topic scores → endorsements.

The only module that strings the topic stages together (each is a function
elsewhere).  It reads the store and returns Arrow tables; it writes nothing
(`snapshot` persists, with the score snapshot).

Endorsements are weighed by their givers' standing *before* endorsements
count (pass 1: posts and reactions only), then counted as evidence (pass 2),
so no endorsement can lift the standing that weighs it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from renown.scoring.day_cache import DayReuse
from renown.scoring.model import Model
from renown.scoring.signals import SignalScope, build_signals
from renown.scoring.topics.attribution import attributions
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.endorsements import points_by_receiver, weigh_endorsements
from renown.scoring.topics.evidence import (
    build_candidates,
    build_evidence,
    build_post_evidence,
    register_closure,
    top_posts,
)
from renown.scoring.topics.influence import topic_scores
from renown.scoring.topics.match_cache import (
    match_posts_incrementally,
    matches_cacheable,
)
from renown.scoring.topics.matching import TopicScope, match_posts, prepare_terms
from renown.scoring.topics.ontology import Ontology


@dataclass(frozen=True, slots=True)
class TopicResults:
    """Everything one topic run computed, ready to store or show."""

    as_of: datetime
    ontology: str
    fingerprint: str
    config: TopicConfig
    #: person_id, topic, direct, posts, days, reactors, endorsers, post_evidence,
    #: day_evidence, reactor_evidence, confidence, topic_raw, topic_score.
    attributions: pa.Table
    #: person_id, topic, network, post_id, ts, reactors, reactions, via_topic, weight.
    evidence_posts: pa.Table
    #: endorsement_id, receiver, topic, giver, standing, reciprocal, weight.
    endorsement_weights: pa.Table
    #: person_id, endorsements, units, points (before any cap at 100).
    endorsement_points: pa.Table
    matched_posts: int
    seconds: float
    #: What matching took from the store (None: every post matched from its events).
    matches: DayReuse | None = None


def compute_topics(con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model,
                   ontology: Ontology, config: TopicConfig | None = None, *,
                   signals_ready: bool = False, focus: str | None = None,
                   standings: pa.Table | None = None, reuse_matches: bool = False,
                   full: bool = False) -> TopicResults:
    """Topic results for everyone (or only ``focus``'s authors) as of ``as_of``.

    ``signals_ready`` says the caller has just built ``_signal_pairs`` for this
    ``as_of`` and ``model`` (`compute_scores` does), so topic scores reuse it.
    With ``focus`` (a table of network, account) only those authors' posts are
    read and no topic scores are computed (topic_score is null): explaining
    one person costs a fraction of a run.  Endorsements are then weighed by
    ``standings`` (person_id, topic, topic_score: a stored run's attributions).
    """
    clock = time.perf_counter()
    config = config or TopicConfig.for_model(model)
    scope = TopicScope(as_of, model.window_days, focus)
    prepare_terms(con, ontology)
    reuse = None
    if reuse_matches and matches_cacheable(scope):
        matched, reuse = match_posts_incrementally(con, scope, config, ontology.fingerprint,
                                                   full=full)
    else:
        matched = match_posts(con, scope, config)
    register_closure(con, ontology, config)
    build_post_evidence(con, scope, model)
    build_candidates(con, config)
    build_evidence(con)
    first = attributions(con, config)
    scores = _scores(con, first, model, config, as_of, scored=focus is None,
                     ready=signals_ready)
    if standings is None:
        standings = _with_scores(first, scores).select(["person_id", "topic", "topic_score"])
    weights = weigh_endorsements(con, as_of, model, config.endorsements, standings)
    final = first
    if weights.num_rows:
        con.register("_topic_endorsement_weights", weights)
        try:
            build_evidence(con, "_topic_endorsement_weights")
        finally:
            con.unregister("_topic_endorsement_weights")
        final = attributions(con, config)
        if focus is None:  # score only the pairs the endorsements added
            known = pc.is_in(pc.binary_join_element_wise(final["person_id"], final["topic"], "\t"),
                             pc.binary_join_element_wise(first["person_id"], first["topic"], "\t"))
            added = final.filter(pc.invert(known))
            scores = pa.concat_tables([scores, _scores(con, added, model, config, as_of,
                                                       scored=True, ready=True)])
    final = _with_scores(final, scores, fill=focus is None)
    posts = _evidence_posts(con, final, config)
    return TopicResults(as_of, ontology.name, ontology.fingerprint, config, final, posts,
                        weights, points_by_receiver(weights, config.endorsements), matched,
                        time.perf_counter() - clock, reuse)


def _scores(con: duckdb.DuckDBPyConnection, attributed: pa.Table, model: Model,
            config: TopicConfig, as_of: datetime, *, scored: bool, ready: bool) -> pa.Table:
    wanted = attributed.select(["person_id", "topic"])
    if not scored:
        wanted = wanted.slice(0, 0)
    if wanted.num_rows and not ready:
        build_signals(con, SignalScope(as_of), model)
    return topic_scores(con, wanted, model, config.propagation_tolerance)


def _with_scores(attributed: pa.Table, scores: pa.Table, *, fill: bool = True) -> pa.Table:
    """Attributions with topic_raw and topic_score.

    With ``fill``, someone the topic's propagation never reached gets raw 0
    and score 1 (the floor); otherwise they stay null (not computed).
    """
    keys = attributed.select(["person_id", "topic"]).append_column(
        "_row", pa.array(range(attributed.num_rows), pa.int64()))
    joined = keys.join(scores, ["person_id", "topic"], join_type="left outer").sort_by("_row")
    raw, score = joined["topic_raw"], joined["topic_score"]
    if fill:
        raw, score = pc.fill_null(raw, 0.0), pc.fill_null(score, 1.0)
    return attributed.append_column("topic_raw", raw).append_column("topic_score", score)


def _evidence_posts(con: duckdb.DuckDBPyConnection, final: pa.Table,
                    config: TopicConfig) -> pa.Table:
    con.register("_topic_attributed", final.select(["person_id", "topic"]))
    try:
        return top_posts(con, "_topic_attributed", config.evidence_posts)
    finally:
        con.unregister("_topic_attributed")
