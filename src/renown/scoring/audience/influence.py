"""Influencers and influencees: who moves a person, and whom they move, with the reactions behind.

The links are the score's own: each reaction edge reactor → author carries
the pair weight of `renown.scoring.signals` (decay, selectivity, saturation,
ring discount), and the propagation passes influence along it.  The weight
of a link is that **influence flow**:

    flow(r → a) = damping × influence(r) × share(r → a)

where influence(r) is r's stationary rank in units of an average account and
share(r → a) the part of r's (saturated) attention that goes to a.  The flows
into an account add up to its Network component, so a person's influencees
are exactly the people their Network component is made of; their
influencers are the people their own attention feeds.

Accounts are aggregated to people (declared identities; an unlinked account
is its own person).  System accounts (``~…``, anonymous voters) are never
listed: they pass no influence on.  Computed over the scoring window of the
current model, as of the newest event's day by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.model import Model
from renown.scoring.propagation import pagerank
from renown.scoring.registry import current_model
from renown.scoring.run import latest_event_day
from renown.scoring.signals import QUANTUM, SignalScope, build_signals
from renown.scoring.snapshots import day_end

_SYSTEM = f"'{SYSTEM_ACCOUNT_PREFIX}%'"


@dataclass(frozen=True, slots=True)
class ReactionExample:
    ts: datetime
    kind: str
    event_id: str
    #: The content reacted to (None where the source does not say).
    post_id: str | None


@dataclass(frozen=True, slots=True)
class InfluenceLink:
    """One person on the other end, with the weight and the reactions behind the link."""

    person_id: str
    #: Their accounts on the link, as ``network:account``.
    accounts: list[str]
    #: Influence flow along the link (units of an average account's influence).
    flow: float
    #: How many people the link counts as in Reach (0..1 per account pair).
    reach: float
    #: Reactions (acts, as the score counts them).
    reactions: int
    #: Events by kind (as stored: a reply that also mentions counts under both).
    kinds: dict[str, int] = field(default_factory=dict)
    #: The latest few reactions.
    examples: list[ReactionExample] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class InfluenceReport:
    person_id: str
    as_of: date
    model_version: str
    #: People whose content this person reacts to, strongest flow first.
    influencers: list[InfluenceLink]
    #: People who react to this person, strongest flow first.
    influencees: list[InfluenceLink]


def influence(con: duckdb.DuckDBPyConnection, person_id: str, day: date | None = None,
              limit: int = 10, examples: int = 3) -> InfluenceReport:
    """The ``limit`` strongest influencers and influencees of a person (see the module doc)."""
    model = current_model(con)
    day = day or latest_event_day(con)
    build_signals(con, SignalScope(day_end(day)), model, keep_window=True)
    try:
        con.register("_influence_ranks", account_influence(con, model))
        links = _links(con, person_id, model, limit, examples)
    finally:
        con.unregister("_influence_ranks")
        con.execute("DROP TABLE IF EXISTS _signal_window")
    return InfluenceReport(person_id, day, model.version,
                           [_link(r) for r in links if r["direction"] == "influencer"],
                           [_link(r) for r in links if r["direction"] == "influencee"])


def account_influence(con: duckdb.DuckDBPyConnection, model: Model) -> pa.Table:
    """Every account of the current signals' graph with its influence (rank × real accounts).

    The same graph, teleport and iteration as `renown.scoring.pipeline`, for
    every account: the pipeline keeps only accounts that publish or are
    reacted to, but a pure reactor's rank is what it passes on.
    """
    nodes: pa.Table = con.sql(f"""
        SELECT network, account, account NOT LIKE {_SYSTEM} AS scored FROM (
            SELECT network, account FROM _signal_accounts
            UNION SELECT network, reactor FROM _signal_pairs
            UNION SELECT network, author FROM _signal_pairs)
        ORDER BY network, account""").to_arrow_table()
    con.register("_influence_nodes", nodes.append_column(
        "idx", pa.array(np.arange(nodes.num_rows, dtype=np.int64))))
    try:
        edges = con.execute("""
            SELECT r.idx AS source, a.idx AS target, p.reach_q FROM _signal_pairs p
            JOIN _influence_nodes r ON r.network = p.network AND r.account = p.reactor
            JOIN _influence_nodes a ON a.network = p.network AND a.account = p.author
            WHERE p.reach_q > 0 ORDER BY source, target""").fetchnumpy()
    finally:
        con.unregister("_influence_nodes")
    scored = nodes["scored"].to_numpy(zero_copy_only=False).astype(np.float64)
    if nodes.num_rows and scored.sum() == 0:
        scored = np.ones(nodes.num_rows)
    result = pagerank(edges["source"].astype(np.int64), edges["target"].astype(np.int64),
                      edges["reach_q"].astype(np.float64) / QUANTUM, nodes.num_rows,
                      personalization=scored, damping=model.damping,
                      tolerance=model.tolerance, max_iterations=model.max_iterations)
    influence_units = result.rank * np.count_nonzero(scored)
    return nodes.select(["network", "account"]).append_column("influence",
                                                               pa.array(influence_units))


_LINKS_SQL = f"""
    WITH mine AS (SELECT network, account FROM account_people WHERE person_id = $person),
    out_weight AS (SELECT network, reactor, sum(reach_q) AS out_q FROM _signal_pairs
                   GROUP BY ALL),
    edges AS (
        SELECT CASE WHEN m.account = p.author THEN 'influencee' ELSE 'influencer' END
                   AS direction,
               p.network, p.reactor, p.author, p.reactions, p.reach_q,
               CASE WHEN o.out_q > 0 THEN p.reach_q / o.out_q ELSE 0 END
                   * $damping * coalesce(n.influence, 0) AS flow
        FROM _signal_pairs p
        JOIN mine m ON m.network = p.network AND m.account IN (p.author, p.reactor)
        JOIN out_weight o ON o.network = p.network AND o.reactor = p.reactor
        LEFT JOIN _influence_ranks n ON n.network = p.network AND n.account = p.reactor
        WHERE p.reactor NOT LIKE {_SYSTEM}),
    named AS (
        SELECT e.*, CASE WHEN direction = 'influencee' THEN e.reactor ELSE e.author END
                        AS other,
               coalesce(i.person_id, e.network || ':' || other) AS person_id
        FROM edges e LEFT JOIN identities i ON i.network = e.network
             AND i.account = CASE WHEN direction = 'influencee' THEN e.reactor ELSE e.author END),
    people AS (
        SELECT direction, person_id, sum(flow) AS flow, sum(reach_q) / {QUANTUM} AS reach,
               CAST(sum(reactions) AS BIGINT) AS reactions,
               list(DISTINCT network || ':' || other ORDER BY network || ':' || other)
                   AS accounts
        FROM named WHERE person_id <> $person GROUP BY direction, person_id
        QUALIFY row_number() OVER (PARTITION BY direction
                                   ORDER BY sum(flow) DESC, sum(reach_q) DESC, person_id)
                <= $limit),
    evidence AS (
        SELECT n.direction, n.person_id, w.kind, w.ts, w.event_id, w.parent_id
        FROM named n JOIN _signal_window w ON w.network = n.network AND w.actor = n.reactor
             AND w.subject = n.author
        WHERE list_contains($kinds, w.kind))
    SELECT p.direction, p.person_id, p.accounts, p.flow, p.reach, p.reactions,
           (SELECT histogram(e.kind) FROM evidence e
            WHERE e.direction = p.direction AND e.person_id = p.person_id) AS kinds,
           (SELECT list({{'ts': e.ts, 'kind': e.kind, 'event_id': e.event_id,
                          'post_id': e.parent_id}} ORDER BY e.ts DESC, e.event_id)[1:$examples]
            FROM evidence e
            WHERE e.direction = p.direction AND e.person_id = p.person_id) AS examples
    FROM people p ORDER BY p.direction, p.flow DESC, p.reach DESC, p.person_id
"""


def _links(con: duckdb.DuckDBPyConnection, person_id: str, model: Model, limit: int,
           examples: int) -> list[dict[str, Any]]:
    counted = sorted(kind for kind, weight in model.kind_weights.items() if weight > 0)
    rows: list[dict[str, Any]] = con.sql(_LINKS_SQL, params={
        "person": person_id, "damping": model.damping, "limit": limit, "kinds": counted,
        "examples": examples}).to_arrow_table().to_pylist()
    return rows


def _link(row: dict[str, Any]) -> InfluenceLink:
    kinds = row["kinds"] or {}
    if isinstance(kinds, list):  # Arrow maps arrive as (key, value) pairs
        kinds = dict(kinds)
    return InfluenceLink(row["person_id"], list(row["accounts"]), float(row["flow"]),
                         float(row["reach"]), int(row["reactions"]),
                         {str(k): int(v) for k, v in sorted(kinds.items())},
                         [ReactionExample(**e) for e in row["examples"] or []])
