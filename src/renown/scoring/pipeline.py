"""One scoring run: signals → propagation → components → people, for one date.

This is the only module that strings the stages together; each stage is a
pure function elsewhere.  It reads from the store's connection and returns
Arrow tables; it writes nothing (`renown.scoring.snapshots` persists results).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.events import OFFLINE_NETWORK, SYSTEM_ACCOUNT_PREFIX
from renown.scoring.assemble import assemble_scores
from renown.scoring.day_cache import DayReuse
from renown.scoring.model import Model
from renown.scoring.propagation import PageRankResult, pagerank
from renown.scoring.signal_cache import build_signals_incrementally, cacheable
from renown.scoring.signals import QUANTUM, SignalScope, build_signals, timestamp_literal

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ScoreRun:
    """Everything one run computed, ready to show or store."""

    as_of: datetime
    model: Model
    #: One row per scored account (see `_account_table` for columns).
    accounts: pa.Table
    #: One row per person.
    people: pa.Table
    propagation_iterations: int
    propagation_converged: bool
    timings: dict[str, float] = field(default_factory=dict)
    #: What the signal stage took from the store (None: computed from events alone).
    signal_reuse: DayReuse | None = None


def compute_scores(
    con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model,
    personalization_accounts: pa.Table | None = None, *, reuse_signals: bool = False,
    full: bool = False,
) -> ScoreRun:
    """Score every account and person as of ``as_of`` under ``model``.

    ``personalization_accounts`` (columns network, account) restricts the
    propagation's teleport to an audience; by default every real account.
    With ``reuse_signals`` (a writable store, a whole-day ``as_of``) the
    signal stage reads the per-day partial sums stored by earlier runs and
    stores the days it computes (`renown.scoring.signal_cache`); ``full``
    then recomputes every day.  The scores are the same either way.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    scope = SignalScope(as_of)
    reuse = None
    if reuse_signals and cacheable(scope):
        reuse = build_signals_incrementally(con, scope, model, full=full)
    else:
        build_signals(con, scope, model)
    timings["signals"] = time.perf_counter() - clock

    clock = time.perf_counter()
    nodes = _node_table(con)
    result = _propagate(con, nodes, model, personalization_accounts)
    timings["propagation"] = time.perf_counter() - clock

    clock = time.perf_counter()
    accounts = _accounts(con, as_of, model)
    scored_index = np.asarray(accounts.pop("node_index"), np.int64)
    accounts["inflow"] = result.inflow[scored_index]
    accounts["rank"] = result.rank[scored_index]
    people = con.execute("SELECT person_id, units_q FROM _signal_people ORDER BY idx"
                         ).fetchnumpy()
    tables = assemble_scores(accounts, people, int(np.count_nonzero(nodes["scored"])), model)
    timings["combine"] = time.perf_counter() - clock
    return ScoreRun(as_of, model, tables[0], tables[1], result.iterations, result.converged,
                    timings, reuse)


def graph_nodes_sql() -> str:
    """Every account in the graph (network, account, scored), from the signal tables."""
    return f"""
        SELECT network, account, account NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%' AS scored
        FROM (SELECT network, account FROM _signal_accounts
              UNION SELECT network, reactor FROM _signal_pairs
              UNION SELECT network, author FROM _signal_pairs)
    """


def scored_accounts_sql() -> str:
    """``_signal_accounts`` with each account's node index and person."""
    return """
        SELECT s.*, n.idx AS node_index,
               coalesce(i.person_id, s.network || ':' || s.account) AS person_id
        FROM _signal_accounts s
        JOIN _signal_nodes n USING (network, account)
        LEFT JOIN identities i USING (network, account)
    """


def credentials_sql(as_of: datetime, model: Model) -> str:
    """Offline credential units per person (person_id, units_q).

    Credential units are offline events weighted by kind and fading slowly,
    summed as fixed-point integers (exact, order-independent).
    """
    weights = " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, {float(weight)!r} AS weight"
        for kind, weight in sorted(model.offline_weights.items())) or \
        "SELECT NULL AS kind, 0.0 AS weight"
    moment = timestamp_literal(as_of)
    return f"""
        SELECT coalesce(i.person_id, e.network || ':' || e.actor) AS person_id,
               sum(CAST(round(w.weight * pow(2.0, -((epoch({moment})
                    - epoch(e.ts)) / 86400.0) / {float(model.offline_half_life_days)})
                    * {QUANTUM}) AS BIGINT)) AS units_q
        FROM events e JOIN ({weights}) w USING (kind)
        LEFT JOIN identities i ON i.network = e.network AND i.account = e.actor
        WHERE e.network = '{OFFLINE_NETWORK}' AND e.ts < {moment}
        GROUP BY 1
    """


def _node_table(con: duckdb.DuckDBPyConnection) -> dict[str, npt.NDArray[np.generic]]:
    """Every account in the graph, indexed in a fixed order (network, account)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _signal_nodes AS
        SELECT network, account, row_number() OVER (ORDER BY network, account) - 1 AS idx,
               scored
        FROM ({graph_nodes_sql()})
    """)
    return con.execute("SELECT idx, scored FROM _signal_nodes ORDER BY idx").fetchnumpy()


def _propagate(
    con: duckdb.DuckDBPyConnection, nodes: dict[str, npt.NDArray[np.generic]], model: Model,
    audience: pa.Table | None,
) -> PageRankResult:
    edges = con.execute("""
        SELECT r.idx AS source, a.idx AS target, p.reach_q
        FROM _signal_pairs p
        JOIN _signal_nodes r ON r.network = p.network AND r.account = p.reactor
        JOIN _signal_nodes a ON a.network = p.network AND a.account = p.author
        WHERE p.reach_q > 0 ORDER BY source, target
    """).fetchnumpy()
    n_nodes = len(nodes["idx"])
    teleport = np.asarray(nodes["scored"], dtype=np.float64)
    if audience is not None:
        teleport = _audience_vector(con, audience, n_nodes)
    if n_nodes and teleport.sum() == 0:
        teleport = np.ones(n_nodes)
    return pagerank(
        np.asarray(edges["source"], np.int64), np.asarray(edges["target"], np.int64),
        np.asarray(edges["reach_q"], np.float64) / QUANTUM, n_nodes,
        personalization=teleport, damping=model.damping, tolerance=model.tolerance,
        max_iterations=model.max_iterations,
    )


def _audience_vector(con: duckdb.DuckDBPyConnection, audience: pa.Table, n: int) -> FloatArray:
    con.register("_audience", audience)
    try:
        idx = con.execute("SELECT DISTINCT n.idx FROM _signal_nodes n JOIN _audience a "
                          "USING (network, account) WHERE n.scored").fetchnumpy()["idx"]
    finally:
        con.unregister("_audience")
    vector = np.zeros(n)
    vector[np.asarray(idx, np.int64)] = 1.0
    return vector


def _accounts(con: duckdb.DuckDBPyConnection, as_of: datetime,
              model: Model) -> dict[str, npt.NDArray[np.generic]]:
    """Scored accounts with their signals and person index, in a fixed order.

    Builds ``_signal_people`` (person_id, idx, offline units) on the way: every
    person with a scored account or an offline credential, indexed by id.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE _signal_scored AS {scored_accounts_sql()}")
    _build_people(con, as_of, model)
    return con.execute("""
        SELECT s.network, s.account, s.person_id, p.idx AS person_index, s.node_index,
               s.posts, s.posts_q, s.reactors, s.reactions, s.reach_q, s.sat_q
        FROM _signal_scored s JOIN _signal_people p USING (person_id)
        ORDER BY s.network, s.account
    """).fetchnumpy()


def people_units_sql() -> str:
    """Every person with a scored account or a credential, with credential units.

    Reads ``_signal_scored`` and ``_signal_credentials`` (`credentials_sql`).
    """
    return """
        SELECT person_id, coalesce(c.units_q, 0) AS units_q
        FROM (SELECT person_id FROM _signal_scored
              UNION SELECT person_id FROM _signal_credentials)
        LEFT JOIN _signal_credentials c USING (person_id)
    """


def _build_people(con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model) -> None:
    """``_signal_people``: persons indexed by id, with offline credential units."""
    con.execute("CREATE OR REPLACE TEMP TABLE _signal_credentials AS "
                + credentials_sql(as_of, model))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _signal_people AS
        SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS idx, units_q
        FROM ({people_units_sql()})
    """)
