"""Topic results stored with each score snapshot, and the hook `score_day` calls.

`topic_layer` runs after the main scores: it computes the topics (reusing the
run's signal tables), adds the endorsement points to the run, and returns a
writer that `write_snapshot` calls inside its transaction, so a reader sees a
snapshot's scores and its topics together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from renown.scoring.pipeline import ScoreRun
from renown.scoring.topics.compute import TopicResults, compute_topics
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.contribution import with_endorsement_points
from renown.scoring.topics.ontology_store import ensure_ontology, stored_ontology

#: Tables holding one run's topic results (cleared with the run they belong to).
RUN_TABLES = ("topic_runs", "topic_attributions", "topic_evidence_posts",
              "endorsement_weights", "endorsement_points")

_INSERTS = {
    "topic_attributions": "person_id, topic, direct, confidence, topic_score, topic_raw, posts, "
                          "days, reactors, endorsers, post_evidence, day_evidence, "
                          "reactor_evidence",
    "topic_evidence_posts": "person_id, topic, network, post_id, ts, reactors, reactions, "
                            "via_topic, weight",
    "endorsement_weights": "endorsement_id, standing, reciprocal, weight",
    "endorsement_points": "person_id, endorsements, units, points",
}


@dataclass(frozen=True, slots=True)
class TopicLayer:
    """A score run with its endorsement points added, and its topic results."""

    run: ScoreRun
    results: TopicResults
    #: Endorsement points as added to the run (after any cap at 100).
    points: pa.Table

    def write(self, con: duckdb.DuckDBPyConnection, run_id: int) -> None:
        write_topic_results(con, run_id, self.results, self.points)


def topic_layer(con: duckdb.DuckDBPyConnection, run: ScoreRun,
                config: TopicConfig | None = None, *, signals_ready: bool = True,
                reuse_matches: bool = False, full: bool = False) -> TopicLayer:
    """Topics for ``run``, with endorsement points added to it.

    ``signals_ready``: ``run`` was just computed on ``con``, whose signal tables
    the topics reuse (otherwise, as after a Spark run, they are rebuilt here).
    ``reuse_matches`` and ``full``: as `compute_topics`.
    """
    ensure_ontology(con)
    results = compute_topics(con, run.as_of, run.model, stored_ontology(con), config,
                             signals_ready=signals_ready, reuse_matches=reuse_matches,
                             full=full)
    scored, points = with_endorsement_points(run, results.endorsement_points)
    return TopicLayer(scored, results, points)


def write_topic_results(con: duckdb.DuckDBPyConnection, run_id: int, results: TopicResults,
                        points: pa.Table) -> None:
    """Store a run's topic results under ``run_id`` (inside the snapshot's transaction).

    Rows of runs that no longer exist (a replaced snapshot) go at the same time.
    """
    for table in RUN_TABLES:
        con.execute(f"DELETE FROM {table} WHERE run_id = ? OR run_id NOT IN "
                    "(SELECT run_id FROM score_runs)", [run_id])
    con.execute("INSERT INTO topic_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, results.ontology, results.fingerprint,
                 json.dumps(results.config.as_dict(), sort_keys=True), results.matched_posts,
                 len(set(results.attributions["topic"].to_pylist())),
                 results.attributions.num_rows, results.seconds])
    for table, rows in (("topic_attributions", results.attributions),
                        ("topic_evidence_posts", results.evidence_posts),
                        ("endorsement_weights", results.endorsement_weights),
                        ("endorsement_points", points)):
        con.register("_topic_rows", rows)
        try:
            con.execute(f"INSERT INTO {table} SELECT ?, {_INSERTS[table]} FROM _topic_rows",
                        [run_id])
        finally:
            con.unregister("_topic_rows")
