"""The simple scorers Renown must beat, and Renown's own parts, per eligible person.

Every baseline reads the same events Renown reads: the scoring window before
the split (``_eval_window``, built by `renown.evaluate.outcomes.build_population`).

* **posts** — content the person published (`CONTENT_KINDS`): output, the
  thing Renown is designed *not* to reward.
* **reactions** — reactions received from others (`REACTION_KINDS`), raw count.
* **reactors** — distinct people who reacted: the plainest outcome-based count.
* **in_degree** — followers where the data knows them: ``follow`` events in
  the window if the network has any, else the stored follower count
  (``accounts.followers``, a snapshot that may postdate the split and so can
  only flatter this baseline), else distinct accounts that did anything to
  the person (any kind, downvotes and follows included).
* **pagerank** — plain PageRank (damping 0.85, uniform teleport, unit weight
  per distinct reactor → author pair) on the interaction graph, through the
  same `renown.scoring.propagation.pagerank` Renown uses.
* **reach / amplification / network** — Renown's three components alone,
  summed over a person's accounts, and **renown** — the full score.
"""

from __future__ import annotations

from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.evaluate.outcomes import PEOPLE_TABLE, PLANTED_TABLE, SYSTEM_LIKE, sql_list
from renown.events import CONTENT_KINDS, REACTION_KINDS
from renown.scoring.pipeline import ScoreRun
from renown.scoring.propagation import pagerank

FloatArray = npt.NDArray[np.float64]

#: Scorer key → label, in the order reports list them (Renown first).
SCORERS: Final[dict[str, str]] = {
    "renown": "Renown score",
    "reach": "Reach (component)",
    "network": "Network (component)",
    "amplification": "Amplification (component)",
    "reactors": "Distinct reactors",
    "reactions": "Reactions received",
    "in_degree": "In-degree / followers",
    "pagerank": "PageRank (unweighted)",
    "posts": "Post count",
}
#: The baselines property 10 names (Renown's own parts are not baselines).
BASELINES: Final = ("reactors", "reactions", "in_degree", "pagerank", "posts")

_REACTIONS: Final = f"""
    SELECT w.network, w.actor, w.subject, sp.person_id,
           coalesce(rp.person_id, w.network || ':' || w.actor) AS actor_person
    FROM _eval_window w
    JOIN account_people sp ON sp.network = w.network AND sp.account = w.subject
    LEFT JOIN account_people rp ON rp.network = w.network AND rp.account = w.actor
    WHERE w.kind IN ({sql_list(REACTION_KINDS)}) AND w.subject NOT LIKE {SYSTEM_LIKE}
      AND coalesce(rp.person_id, w.network || ':' || w.actor) <> sp.person_id
"""


def count_baselines(con: duckdb.DuckDBPyConnection) -> dict[str, FloatArray]:
    """posts, reactions, reactors, in_degree for ``_eval_people``, in its order."""
    columns = con.execute(f"""
        WITH posts AS (
            SELECT ap.person_id, count(*) AS posts FROM _eval_window w
            JOIN account_people ap ON ap.network = w.network AND ap.account = w.actor
            WHERE w.kind IN ({sql_list(CONTENT_KINDS)}) GROUP BY ALL
        ),
        received AS (
            SELECT person_id, count(*) AS reactions, count(DISTINCT actor_person) AS reactors
            FROM ({_REACTIONS}) GROUP BY ALL
        ),
        degree AS (SELECT person_id, sum(in_degree) AS in_degree FROM ({_in_degree_sql()})
                   GROUP BY ALL)
        SELECT coalesce(posts, 0) AS posts, coalesce(reactions, 0) AS reactions,
               coalesce(reactors, 0) AS reactors, coalesce(in_degree, 0) AS in_degree
        FROM {PEOPLE_TABLE} p LEFT JOIN posts USING (person_id)
        LEFT JOIN received USING (person_id) LEFT JOIN degree USING (person_id)
        ORDER BY p.person_id
    """).fetchnumpy()
    return {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()}


def _in_degree_sql() -> str:
    """Per account: follow events, else the stored follower count, else interacting accounts.

    Which definition a network gets is decided by its genuine accounts' events,
    so planting follows (`renown.evaluate.gaming`) into a network without
    follow data adds to its interacting accounts instead of switching it.
    """
    return f"""
        WITH follow_networks AS (
            SELECT DISTINCT w.network FROM _eval_window w WHERE w.kind = 'follow'
              AND NOT EXISTS (SELECT 1 FROM {PLANTED_TABLE} g
                              WHERE g.network = w.network AND g.account = w.actor)
        ),
        follower_networks AS (
            SELECT DISTINCT network FROM accounts WHERE followers IS NOT NULL
            EXCEPT SELECT network FROM follow_networks
        ),
        interactions AS (
            SELECT network, subject AS account,
                   count(DISTINCT actor) FILTER (WHERE kind = 'follow') AS follows,
                   count(DISTINCT actor) AS interacting
            FROM _eval_window WHERE subject IS NOT NULL AND subject <> actor GROUP BY ALL
        ),
        stored AS (SELECT network, account, followers FROM accounts
                   WHERE network IN (SELECT network FROM follower_networks))
        SELECT ap.person_id,
               CASE WHEN ap.network IN (SELECT network FROM follow_networks)
                        THEN coalesce(i.follows, 0)
                    WHEN ap.network IN (SELECT network FROM follower_networks)
                        THEN coalesce(s.followers, 0)
                    ELSE coalesce(i.interacting, 0) END AS in_degree
        FROM account_people ap
        JOIN (SELECT network, account FROM interactions
              UNION SELECT network, account FROM stored) a USING (network, account)
        LEFT JOIN interactions i USING (network, account)
        LEFT JOIN stored s USING (network, account)
    """


def in_degree_sources(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per network in the window, which definition of in-degree applies (for the report)."""
    rows = con.execute(f"""
        SELECT w.network,
               bool_or(w.kind = 'follow' AND NOT EXISTS (
                   SELECT 1 FROM {PLANTED_TABLE} g
                   WHERE g.network = w.network AND g.account = w.actor)),
               (SELECT count(*) FROM accounts a WHERE a.network = w.network
                AND a.followers IS NOT NULL) > 0
        FROM _eval_window w GROUP BY w.network ORDER BY w.network
    """).fetchall()
    return {network: "follow events" if follows else
            "stored follower counts" if stored else "distinct interacting accounts"
            for network, follows, stored in rows}


def pagerank_baseline(con: duckdb.DuckDBPyConnection) -> FloatArray:
    """Plain PageRank per eligible person: unit weights, uniform teleport, damping 0.85."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _eval_pr_edges AS
        SELECT DISTINCT network, actor, subject FROM ({_REACTIONS})
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _eval_pr_nodes AS
        SELECT network, account, row_number() OVER (ORDER BY network, account) - 1 AS idx
        FROM (SELECT network, actor AS account FROM _eval_pr_edges
              UNION SELECT network, subject FROM _eval_pr_edges)
    """)
    edges = con.execute("""
        SELECT s.idx AS source, t.idx AS target FROM _eval_pr_edges e
        JOIN _eval_pr_nodes s ON s.network = e.network AND s.account = e.actor
        JOIN _eval_pr_nodes t ON t.network = e.network AND t.account = e.subject
        ORDER BY source, target
    """).fetchnumpy()
    n_nodes = len(con.execute("SELECT idx FROM _eval_pr_nodes").fetchnumpy()["idx"])
    sources = np.asarray(edges["source"], np.int64)
    rank = pagerank(sources, np.asarray(edges["target"], np.int64),
                    np.ones(sources.size), n_nodes).rank * max(n_nodes, 1)
    con.register("_eval_pr_rank", pa.table({"idx": np.arange(n_nodes), "rank": rank}))
    try:
        values = con.execute(f"""
            SELECT coalesce(sum(r.rank), 0) AS pagerank FROM {PEOPLE_TABLE} p
            LEFT JOIN account_people ap USING (person_id)
            LEFT JOIN _eval_pr_nodes n ON n.network = ap.network AND n.account = ap.account
            LEFT JOIN _eval_pr_rank r ON r.idx = n.idx
            GROUP BY p.person_id ORDER BY p.person_id
        """).fetchnumpy()["pagerank"]
    finally:
        con.unregister("_eval_pr_rank")
    return np.asarray(values, dtype=np.float64)


def renown_scorers(con: duckdb.DuckDBPyConnection, run: ScoreRun) -> dict[str, FloatArray]:
    """The full score and each component (summed over accounts) per eligible person.

    People the run did not score (no output and no reactions in the window)
    get the floor score 1 and zero components, as `renown show` would say.
    """
    con.register("_eval_run_people", run.people.select(["person_id", "score"]))
    con.register("_eval_run_accounts", run.accounts.select(
        ["person_id", "reach", "amplification", "network_value"]))
    try:
        columns = con.execute(f"""
            WITH parts AS (
                SELECT person_id, sum(reach) AS reach, sum(amplification) AS amplification,
                       sum(network_value) AS network
                FROM _eval_run_accounts GROUP BY person_id
            )
            SELECT coalesce(s.score, 1.0) AS renown, coalesce(reach, 0) AS reach,
                   coalesce(network, 0) AS network, coalesce(amplification, 0) AS amplification
            FROM {PEOPLE_TABLE} p LEFT JOIN _eval_run_people s USING (person_id)
            LEFT JOIN parts USING (person_id) ORDER BY p.person_id
        """).fetchnumpy()
    finally:
        con.unregister("_eval_run_people")
        con.unregister("_eval_run_accounts")
    return {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()}
