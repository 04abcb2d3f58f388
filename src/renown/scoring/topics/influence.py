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
the main score, restricted to the topic.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.model import Model
from renown.scoring.propagation import pagerank
from renown.scoring.scale import to_scale
from renown.scoring.signals import QUANTUM

FloatArray = npt.NDArray[np.float64]

_EMPTY = pa.schema([("person_id", pa.string()), ("topic", pa.string()),
                    ("topic_raw", pa.float64()), ("topic_score", pa.float64())])


def topic_scores(con: duckdb.DuckDBPyConnection, topics: Iterable[str], model: Model
                 ) -> pa.Table:
    """(person_id, topic, topic_raw, topic_score) for everyone the topics' propagation reaches.

    Needs the signal tables of the same window and model (``_signal_pairs``)
    and the topic evidence tables (`evidence.build_post_evidence`).
    """
    wanted = sorted(set(topics))
    if not wanted:
        return _EMPTY.empty_table()
    _graph(con)
    edges = con.execute("""
        SELECT r.idx AS source, a.idx AS target, p.reach_q
        FROM _signal_pairs p
        JOIN _topic_graph_nodes r ON r.network = p.network AND r.account = p.reactor
        JOIN _topic_graph_nodes a ON a.network = p.network AND a.account = p.author
        WHERE p.reach_q > 0 ORDER BY source, target""").fetchnumpy()
    nodes = con.execute("SELECT idx, person_index, scored FROM _topic_graph_nodes ORDER BY idx"
                        ).fetchnumpy()
    persons = [str(p) for p in con.execute(
        "SELECT person_id FROM _topic_graph_people ORDER BY person_index").fetchnumpy()[
            "person_id"]]
    audience, reach = _topic_inputs(con, wanted)
    parts = []
    for topic in wanted:
        raw_account = _topic_account_raw(edges, nodes, audience.get(topic), reach.get(topic),
                                         model)
        raw_person = _combine(raw_account, np.asarray(nodes["person_index"], np.int64),
                              len(persons), model)
        present = np.flatnonzero(raw_person > 0)
        parts.append(pa.table({
            "person_id": pa.array([persons[i] for i in present], pa.string()),
            "topic": pa.array([topic] * len(present), pa.string()),
            "topic_raw": pa.array(raw_person[present], pa.float64()),
            "topic_score": pa.array(to_scale(raw_person[present], model), pa.float64())}))
    return pa.concat_tables(parts) if parts else _EMPTY.empty_table()


def _graph(con: duckdb.DuckDBPyConnection) -> None:
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


def _topic_inputs(con: duckdb.DuckDBPyConnection, topics: list[str]
                  ) -> tuple[dict[str, npt.NDArray[np.int64]],
                             dict[str, tuple[npt.NDArray[np.int64], FloatArray]]]:
    """Per topic: audience node indices, and (author index, reach share) rows."""
    audience_rows = con.execute("""
        SELECT DISTINCT a.topic, n.idx FROM (
            SELECT topic, network, author AS account FROM _topic_post_evidence
            WHERE list_contains($topics, topic)
            UNION
            SELECT pe.topic, r.network, r.actor FROM _topic_post_evidence pe
            JOIN _topic_reactions r USING (network, post_id)
            WHERE list_contains($topics, pe.topic)) a
        JOIN _topic_graph_nodes n USING (network, account)
        WHERE n.scored ORDER BY a.topic, n.idx""", {"topics": topics}).fetchnumpy()
    reach_rows = con.execute(f"""
        WITH on_topic AS (
            SELECT pe.topic, r.network, r.actor AS reactor, pe.author,
                   sum(r.reactions * pe.weight) AS topic_reactions
            FROM _topic_post_evidence pe JOIN _topic_reactions r USING (network, post_id)
            WHERE list_contains($topics, pe.topic) GROUP BY ALL
        )
        SELECT t.topic, n.idx, sum(p.reach_q / {float(QUANTUM)}
               * least(1.0, t.topic_reactions / p.reactions)) AS reach
        FROM on_topic t
        JOIN _signal_pairs p ON p.network = t.network AND p.reactor = t.reactor
                            AND p.author = t.author
        JOIN _topic_graph_nodes n ON n.network = t.network AND n.account = t.author
        GROUP BY t.topic, n.idx ORDER BY t.topic, n.idx""", {"topics": topics}).fetchnumpy()
    audience = _split(audience_rows["topic"], np.asarray(audience_rows["idx"], np.int64))
    authors = _split(reach_rows["topic"], np.asarray(reach_rows["idx"], np.int64))
    values = _split(reach_rows["topic"], np.asarray(reach_rows["reach"], np.float64))
    return ({t: np.asarray(a, np.int64) for t, a in audience.items()},
            {t: (np.asarray(authors[t], np.int64), np.asarray(values[t], np.float64))
             for t in authors})


def _split(keys: npt.NDArray[np.generic], values: npt.NDArray[np.generic]
           ) -> dict[str, npt.NDArray[np.generic]]:
    """Rows sorted by key, as one array per key."""
    keys = np.asarray(keys, dtype=object)
    if len(keys) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return {str(keys[s]): values[s:e] for s, e in zip(starts, ends, strict=True)}


def _topic_account_raw(edges: dict[str, npt.NDArray[np.generic]],
                       nodes: dict[str, npt.NDArray[np.generic]],
                       audience: npt.NDArray[np.int64] | None,
                       reach: tuple[npt.NDArray[np.int64], FloatArray] | None,
                       model: Model) -> FloatArray:
    """Topic raw influence of every graph account (module docstring)."""
    n_nodes = len(nodes["idx"])
    raw_reach = np.zeros(n_nodes)
    if reach is not None:
        np.add.at(raw_reach, reach[0], reach[1])
    network = np.zeros(n_nodes)
    if audience is not None and len(audience) and n_nodes:
        teleport = np.zeros(n_nodes)
        teleport[audience] = 1.0
        result = pagerank(np.asarray(edges["source"], np.int64),
                          np.asarray(edges["target"], np.int64),
                          np.asarray(edges["reach_q"], np.float64) / QUANTUM, n_nodes,
                          personalization=teleport, damping=model.damping,
                          tolerance=model.tolerance, max_iterations=model.max_iterations)
        network = result.inflow * len(audience)
    weight_sum = model.weight_reach + model.weight_network
    raw = (model.weight_reach * raw_reach + model.weight_network * network) / weight_sum \
        if weight_sum > 0 else np.zeros(n_nodes)
    return np.asarray(np.where(np.asarray(nodes["scored"], bool), raw, 0.0), np.float64)


def _combine(account_raw: FloatArray, person_of_account: npt.NDArray[np.int64],
             n_people: int, model: Model) -> FloatArray:
    """Accounts into people with the model's p-norm (as the main score does)."""
    p = model.network_norm_p
    powered = np.bincount(person_of_account, weights=np.power(np.maximum(account_raw, 0), p),
                          minlength=n_people)
    return np.asarray(np.power(powered, 1.0 / p), np.float64)
