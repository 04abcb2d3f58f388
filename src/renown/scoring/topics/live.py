"""A person's topics under other thresholds, computed on the spot (nothing stored).

``renown topics PERSON --min-posts 5`` asks "what would the bar say if it were
higher?"  Only the person's own posts are matched and weighed, with the same
code as a full run; topic scores and the standing that weighs endorsements
come from the stored snapshot (a topic the snapshot did not attribute has no
topic score here).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from renown.scoring.queries import current_snapshot
from renown.scoring.registry import current_model
from renown.scoring.snapshots import day_end
from renown.scoring.topics.compute import compute_topics
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.ontology_store import stored_ontology
from renown.scoring.topics.standings import PersonTopics, assemble, thresholds_of


def live_person_topics(con: duckdb.DuckDBPyConnection, person_id: str, config: TopicConfig,
                       day: date | None = None) -> PersonTopics:
    """`person_topics` recomputed for one person with ``config``'s thresholds."""
    info = current_snapshot(con, day)
    con.execute("CREATE OR REPLACE TEMP TABLE _topic_focus AS SELECT network, account "
                "FROM account_people WHERE person_id = ?", [person_id])
    stored = con.sql("SELECT person_id, topic, topic_score FROM topic_attributions "
                     "WHERE run_id = $run", params={"run": info.run_id}).to_arrow_table()
    results = compute_topics(con, day_end(info.as_of), current_model(con), stored_ontology(con),
                             config, focus="_topic_focus", standings=stored)
    mine = results.attributions.filter(pc.equal(results.attributions["person_id"], person_id))
    scores = stored.filter(pc.equal(stored["person_id"], person_id))
    mine = _stored_scores(mine, scores)
    posts = results.evidence_posts.filter(
        pc.equal(results.evidence_posts["person_id"], person_id))
    return assemble(con, person_id, info, thresholds_of(config), mine, posts)


def _stored_scores(attributed: pa.Table, scores: pa.Table) -> pa.Table:
    """The live rows with topic_score taken from the snapshot (null where it has none)."""
    lookup = dict(zip(scores["topic"].to_pylist(), scores["topic_score"].to_pylist(),
                      strict=True))
    values = pa.array([lookup.get(t) for t in attributed["topic"].to_pylist()], pa.float64())
    return attributed.set_column(attributed.schema.get_field_index("topic_score"),
                                 "topic_score", values)
