"""Influence within a topic: topic-personalised propagation (Haveliwala, "Topic-
sensitive PageRank", WWW 2002), in the score's own units.

A topic's **audience** is every account that, in the scoring window, wrote a
post matched to the topic (or to a narrower topic rolled up into it) or
reacted to one.  On the same reaction graph as the main score (`signals`:
edge reactor → author, weight = the pair's reach), the propagation teleports
only to that audience, so influence flows from the people who care about the
topic.  For each account *a*:

* **topic Network** ``N_t(a) = m · inflow_t(a)``: the influence reaching *a*
  along reaction edges, in units where an average member of the topic's
  ``m`` audience accounts has 1 (the main score's Network with the
  personalisation narrowed to the topic);
* **topic Reach** ``R_t(a) = Σ_r reach(r, a) · share_t(r, a)``: the people
  who responded to *a* — each counted as in the main score — in the share
  ``share_t = min(1, reactions of r to a's posts on t (discounted as in the
  roll-up) / all reactions of r to a)`` that was about the topic.

The account's topic raw influence is their weighted mean with the model's
Reach and Network weights, ``(w_R·R_t + w_N·N_t)/(w_R + w_N)`` (effective
people within the topic); accounts combine into people with the model's
p-norm and map to 1–100 with the model's scale, so a topic score reads like
the main score, restricted to the topic.  The topics' propagations run
together, as blocks of personalisation vectors (`block_pagerank`), to
``TopicConfig.propagation_tolerance``; only attributed people are kept.
"""

from __future__ import annotations

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.model import Model
from renown.scoring.propagation import transition_matrix
from renown.scoring.scale import to_scale
from renown.scoring.signals import QUANTUM
from renown.scoring.topics.block_pagerank import MAX_BLOCK_ENTRIES, BlockPropagation

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCHEMA = pa.schema([("person_id", pa.string()), ("topic", pa.string()),
                    ("topic_raw", pa.float64()), ("topic_score", pa.float64())])


def topic_scores(con: duckdb.DuckDBPyConnection, wanted: pa.Table, model: Model,
                 tolerance: float) -> pa.Table:
    """(person_id, topic, topic_raw, topic_score) for the ``wanted`` (person_id, topic) pairs.

    Needs the signal tables of the same window and model (``_signal_pairs``)
    and the topic evidence tables (`evidence.build_post_evidence`).  Pairs the
    topic's propagation never reaches are left out.
    """
    topics = sorted(set(wanted["topic"].to_pylist()))
    if not topics:
        return SCHEMA.empty_table()
    graph = _Graph.load(con)
    # Topics travel as their position in ``topics``: millions of (topic, node) rows
    # fetched as integers rather than as Python strings.
    con.register("_topic_wanted", pa.table({"topic": topics,
                                            "tid": pa.array(range(len(topics)), pa.int32())}))
    try:
        audience, reach = _topic_inputs(con, topics)
    finally:
        con.unregister("_topic_wanted")
    want = _wanted_people(wanted, graph)
    width = max(1, MAX_BLOCK_ENTRIES // max(graph.n_nodes, 1))
    propagation = BlockPropagation(graph.matrix, graph.dangling, damping=model.damping)
    parts = [graph.scores(topics[i:i + width], audience, reach, want, model, tolerance,
                          propagation)
             for i in range(0, len(topics), width)]
    return pa.concat_tables(parts)


class _Graph:
    """The reaction graph's accounts (indexed), their people, and its transition matrix."""

    def __init__(self, nodes: dict[str, npt.NDArray[np.generic]], people: list[str],
                 edges: dict[str, npt.NDArray[np.generic]]) -> None:
        self.n_nodes = len(nodes["idx"])
        self.scored = np.asarray(nodes["scored"], bool)
        self.person_of = np.asarray(nodes["person_index"], np.int64)
        self.people = people
        self.matrix, self.dangling = transition_matrix(
            np.asarray(edges["source"], np.int64), np.asarray(edges["target"], np.int64),
            np.asarray(edges["reach_q"], np.float64) / QUANTUM, self.n_nodes)
        #: people × nodes: sums a node-level column into its people.
        self.membership = sp.csr_matrix(
            (np.ones(self.n_nodes), (self.person_of, np.arange(self.n_nodes))),
            shape=(len(people), self.n_nodes))

    @staticmethod
    def load(con: duckdb.DuckDBPyConnection) -> _Graph:
        _index_graph(con)
        edges = con.execute("SELECT source, target, reach_q FROM _topic_graph_edges "
                            "ORDER BY source, target").fetchnumpy()
        nodes = con.execute("SELECT idx, person_index, scored FROM _topic_graph_nodes "
                            "ORDER BY idx").fetchnumpy()
        people = [str(p) for p in con.execute(
            "SELECT person_id FROM _topic_graph_people ORDER BY person_index"
        ).fetchnumpy()["person_id"]]
        return _Graph(nodes, people, edges)

    def scores(self, topics: list[str], audience: dict[str, IntArray],
               reach: dict[str, tuple[IntArray, FloatArray]],
               want: dict[str, IntArray], model: Model, tolerance: float,
               propagation: BlockPropagation) -> pa.Table:
        """Topic scores of the wanted people in a block of topics (on ``propagation``)."""
        k = len(topics)
        teleport = np.zeros((self.n_nodes, k))
        raw_reach = np.zeros((self.n_nodes, k))
        for j, topic in enumerate(topics):
            teleport[audience.get(topic, np.zeros(0, np.int64)), j] = 1.0
            if topic in reach:
                np.add.at(raw_reach[:, j], reach[topic][0], reach[topic][1])
        network = np.zeros((self.n_nodes, k))
        reached = teleport.sum(axis=0) > 0
        if reached.any():
            _, inflow = propagation.solve(teleport[:, reached], tolerance=tolerance,
                                          max_iterations=model.max_iterations)
            network[:, reached] = inflow * teleport[:, reached].sum(axis=0)
        weight_sum = model.weight_reach + model.weight_network
        raw = (model.weight_reach * raw_reach + model.weight_network * network) / weight_sum
        raw[~self.scored] = 0.0
        p = model.network_norm_p
        person_raw = np.power(np.asarray(self.membership @ np.power(np.maximum(raw, 0.0), p)),
                              1.0 / p)
        rows: list[tuple[str, str, float]] = []
        for j, topic in enumerate(topics):
            for person in want.get(topic, np.zeros(0, np.int64)):
                rows.append((self.people[person], topic, float(person_raw[person, j])))
        values = np.array([r[2] for r in rows], np.float64)
        return pa.table({"person_id": pa.array([r[0] for r in rows], pa.string()),
                         "topic": pa.array([r[1] for r in rows], pa.string()),
                         "topic_raw": pa.array(values, pa.float64()),
                         "topic_score": pa.array(to_scale(values, model), pa.float64())})


def _index_graph(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts of the reaction graph, indexed, with their person's index."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _topic_graph_nodes AS
        SELECT n.network, n.account, row_number() OVER (ORDER BY n.network, n.account) - 1
               AS idx, n.account NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%' AS scored,
               coalesce(i.person_id, n.network || ':' || n.account) AS person_id
        FROM (SELECT network, reactor AS account FROM _signal_pairs
              UNION SELECT network, author FROM _signal_pairs) n
        LEFT JOIN identities i USING (network, account)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_graph_people AS
        SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS person_index
        FROM (SELECT DISTINCT person_id FROM _topic_graph_nodes)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_graph_nodes AS
        SELECT n.*, p.person_index FROM _topic_graph_nodes n JOIN _topic_graph_people p
        USING (person_id)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_graph_edges AS
        SELECT r.idx AS source, a.idx AS target, p.reach_q, p.reactions
        FROM _signal_pairs p
        JOIN _topic_graph_nodes r ON r.network = p.network AND r.account = p.reactor
        JOIN _topic_graph_nodes a ON a.network = p.network AND a.account = p.author
        WHERE p.reach_q > 0
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _topic_account_nodes AS
        SELECT a.aid, n.idx, n.scored FROM _topic_accounts a
        JOIN _topic_graph_nodes n USING (network, account)
    """)


def _wanted_people(wanted: pa.Table, graph: _Graph) -> dict[str, IntArray]:
    """Per topic, the indices of the wanted people the graph has."""
    index = {person: i for i, person in enumerate(graph.people)}
    found: dict[str, list[int]] = {}
    for person, topic in zip(wanted["person_id"].to_pylist(), wanted["topic"].to_pylist(),
                             strict=True):
        if person in index:
            found.setdefault(topic, []).append(index[person])
    return {t: np.asarray(v, np.int64) for t, v in found.items()}


def _topic_inputs(con: duckdb.DuckDBPyConnection, topics: list[str]
                  ) -> tuple[dict[str, IntArray], dict[str, tuple[IntArray, FloatArray]]]:
    """Per wanted topic: audience node indices, and (author index, reach share) rows."""
    audience_rows = con.execute("""
        WITH posts AS (
            SELECT w.tid, pe.doc, pe.author FROM _topic_post_evidence pe
            JOIN _topic_wanted w USING (topic)
        )
        SELECT DISTINCT a.tid, n.idx FROM (
            SELECT tid, author AS aid FROM posts
            UNION ALL
            SELECT p.tid, r.actor FROM posts p JOIN _topic_reactions r USING (doc)) a
        JOIN _topic_account_nodes n USING (aid)
        WHERE n.scored ORDER BY a.tid, n.idx""").fetchnumpy()
    # Fixed-point sums (QUANTUM units), as in the signals: DuckDB adds doubles in
    # whatever order its threads meet them, integers come out the same every run.
    reach_rows = con.execute(f"""
        WITH on_topic AS (
            SELECT w.tid, r.actor, pe.author,
                   sum(CAST(round(r.reactions * pe.weight * {QUANTUM}) AS BIGINT))
                       AS topic_reactions_q
            FROM _topic_post_evidence pe JOIN _topic_wanted w USING (topic)
            JOIN _topic_reactions r USING (doc)
            GROUP BY ALL
        )
        SELECT t.tid, a.idx, sum(CAST(round(e.reach_q * least(1.0, t.topic_reactions_q
               / ({QUANTUM} * e.reactions))) AS BIGINT)) AS reach_q
        FROM on_topic t
        JOIN _topic_account_nodes r ON r.aid = t.actor
        JOIN _topic_account_nodes a ON a.aid = t.author
        JOIN _topic_graph_edges e ON e.source = r.idx AND e.target = a.idx
        GROUP BY t.tid, a.idx ORDER BY t.tid, a.idx""").fetchnumpy()
    audience = _split(topics, audience_rows["tid"], np.asarray(audience_rows["idx"], np.int64))
    authors = _split(topics, reach_rows["tid"], np.asarray(reach_rows["idx"], np.int64))
    values = _split(topics, reach_rows["tid"],
                    np.asarray(reach_rows["reach_q"], np.float64) / QUANTUM)
    return ({t: np.asarray(a, np.int64) for t, a in audience.items()},
            {t: (np.asarray(authors[t], np.int64), np.asarray(values[t], np.float64))
             for t in authors})


def _split(topics: list[str], ids: npt.ArrayLike, values: npt.NDArray[np.generic]
           ) -> dict[str, npt.NDArray[np.generic]]:
    """Rows sorted by topic position, as one array per topic."""
    keys = np.asarray(ids, dtype=np.int64)
    if keys.size == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], keys.size]
    return {topics[int(keys[s])]: values[s:e] for s, e in zip(starts, ends, strict=True)}
