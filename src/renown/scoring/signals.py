"""Signals: what others did in response to each account, as set-based SQL.

For a window ending at ``as_of`` this builds two tables on the connection:

``_signal_pairs`` — one row per (network, reactor, author) with the pair's
weight: every reaction weighted by kind, by recency (exponential decay), and by
the reactor's selectivity that day, summed, then discounted by reciprocity
(rings), and saturated into ``reach``: at most the reactor's overall
selectivity (one person for a selective reactor, a fraction for an account
that reacts to everything), however often they react.

``_signal_accounts`` — one row per (network, account) with the account's
output (decayed count of content it published) and the sums over its reactors.

Floating-point weights are summed as fixed-point integers (units of 1e-9), so
the sums are exact and independent of the order DuckDB's threads add them in:
the same data and model give bit-identical scores (DESIGN.md property 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import duckdb

from renown.events import CONTENT_KINDS, SYSTEM_ACCOUNT_PREFIX, VISITOR_ACCOUNT_PREFIX
from renown.scoring.model import Model

#: Fixed-point unit for exact, order-independent sums.
QUANTUM: Final = 1_000_000_000

_KINDS_TABLE: Final = "_signal_kind_weights"


@dataclass(frozen=True, slots=True)
class SignalScope:
    """Which events count: the window (ending just before ``as_of``), optionally narrowed.

    ``focus`` names a table (columns network, account) of authors to explain:
    then only their reactors' and their own events are read, which gives the
    same pair weights for those authors at a fraction of the cost.
    """

    as_of: datetime
    networks: tuple[str, ...] | None = None
    focus: str | None = None


def build_signals(con: duckdb.DuckDBPyConnection, scope: SignalScope, model: Model,
                  *, keep_window: bool = False) -> None:
    """(Re)create ``_signal_pairs`` and ``_signal_accounts`` for this scope and model.

    With ``keep_window`` the windowed events stay in ``_signal_window`` (with
    ``age_days``) for callers that want the evidence behind the sums.
    """
    for table, sql in signal_statements(scope, model):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
    if not keep_window:
        con.execute("DROP TABLE _signal_window")


def signal_statements(scope: SignalScope, model: Model) -> list[tuple[str, str]]:
    """The signal stage as (table, SELECT) pairs in DuckDB's dialect, run in order.

    Each SELECT reads ``events`` (and ``identities``) or the tables before it.
    This is the stage's only definition: the local engine runs it on DuckDB,
    the Spark engine translates it (`renown.engines.spark.translate`).
    """
    statements = [(_KINDS_TABLE, _kind_weights_sql(model))]
    if scope.focus is not None:
        statements.append(("_signal_focus_actors", f"""
            SELECT DISTINCT e.network, e.actor FROM events e
            JOIN {scope.focus} f ON e.network = f.network AND e.subject = f.account
            UNION SELECT network, account FROM {scope.focus}
        """))
    return [*statements, ("_signal_window", _window_sql(scope, model)),
            ("_signal_pairs", _pairs_sql(model)), ("_signal_accounts", _accounts_sql(model))]


def timestamp_literal(moment: datetime) -> str:
    """A naive (UTC) timestamp as a SQL literal both DuckDB and Spark read exactly."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return f"CAST('{moment.isoformat(sep=' ')}' AS TIMESTAMP)"


def _kind_weights_sql(model: Model) -> str:
    rows = ", ".join(f"('{kind}', {float(weight)!r})"
                     for kind, weight in sorted(model.kind_weights.items()) if weight > 0)
    if not rows:
        return "SELECT CAST(NULL AS VARCHAR) AS kind, CAST(NULL AS DOUBLE) AS weight WHERE 1 = 0"
    return (f"SELECT CAST(kind AS VARCHAR) AS kind, CAST(weight AS DOUBLE) AS weight "
            f"FROM (VALUES {rows}) AS kw(kind, weight)")


def _window_sql(scope: SignalScope, model: Model) -> str:
    """Events inside the window with their age in days (0 = at as_of).

    The window starts whole days before ``as_of`` (a fractional
    ``window_days`` is truncated, as a SQL day interval is).
    """
    network_filter = ""
    if scope.networks is not None:
        quoted = ", ".join("'" + n.replace("'", "''") + "'" for n in scope.networks) or "NULL"
        network_filter = f"AND network IN ({quoted})"
    focus_filter = ""
    if scope.focus is not None:
        focus_filter = """AND EXISTS (SELECT 1 FROM _signal_focus_actors fa
                                  WHERE fa.network = events.network AND fa.actor = events.actor)"""
    as_of = timestamp_literal(scope.as_of)
    start = timestamp_literal(scope.as_of - timedelta(days=int(model.window_days)))
    return f"""
        SELECT network, actor, kind, subject, ts, event_id, parent_id,
               (epoch({as_of}) - epoch(ts)) / 86400.0 AS age_days
        FROM events
        WHERE ts < {as_of} AND ts >= {start}
          AND network <> 'offline' {network_filter} {focus_filter}
    """


def _pairs_sql(model: Model) -> str:
    k = float(model.selectivity_k)
    gamma = float(model.repetition_exponent)
    mutual = float(model.mutual_discount)
    focus = "1.0"
    if model.focus_allowance > 0:
        allowance = float(model.focus_allowance)
        elsewhere = float(model.focus_elsewhere)
        top, rest = "max(n)", "(sum(n) - max(n))"
        focus = (f"pow(least(1.0, {allowance} * (1 + {elsewhere} * {rest}) / {top}), "
                 f"{float(model.focus_exponent)})")
    fence = "1.0"
    if model.automation_fence > 0:
        f = float(model.automation_fence)
        fence = f"exp(-greatest(0.0, sum(d.n) / count(*) - {f}) / {f})"
    decay = f"pow(2.0, -age_days / {float(model.half_life_days)})"
    system = f"'{SYSTEM_ACCOUNT_PREFIX}%'"
    # System accounts that stand for many people (anonymous voters) count in
    # full; a campaign visitor is one person, discounted like any reactor.
    def many(reactor: str) -> str:
        return f"({reactor} LIKE {system} AND {reactor} NOT LIKE '{VISITOR_ACCOUNT_PREFIX}%')"
    return f"""
        WITH reaction_events AS (
            SELECT w.network, w.actor AS reactor, w.subject AS author, w.ts, w.age_days,
                   kw.weight AS kind_weight
            FROM _signal_window w JOIN {_KINDS_TABLE} kw USING (kind)
            WHERE w.subject IS NOT NULL AND w.subject <> w.actor
              AND w.subject NOT LIKE {system}
        ),
        -- One act, one reaction: events by the same reactor about the same
        -- author in the same second are one act seen several ways (a reply
        -- that also mentions its author: SNAP Higgs records both lines; X,
        -- Bluesky and Mastodon posts can carry a reply, a quote and a mention
        -- of one person).  It counts once, at its strongest kind.
        reactions AS (
            SELECT network, reactor, author, ts, min(age_days) AS age_days,
                   max(kind_weight) AS kind_weight
            FROM reaction_events GROUP BY network, reactor, author, ts
        ),
        daily AS (
            SELECT network, reactor, CAST(ts AS DATE) AS day, count(*) AS n
            FROM reactions GROUP BY ALL
        ),
        -- Overall selectivity: the same attention budget at the reactor's mean
        -- daily volume.  It caps how much of a person the reactor can count
        -- as for anyone, so an account that reacts to everything every day
        -- never adds up to a person by persistence.
        -- Automation fence: beyond a human's daily volume (on average over
        -- the reactor's active days) the cap falls by e per fence's worth.
        -- Spread: distinct authors per reaction over the window.  An account
        -- that reacts to one author over and over and to nobody else (a
        -- bought or automated booster) is one voice, not an audience; its cap
        -- shrinks as spread^γ.  A reactor who reacts once counts fully.
        -- (γ is 0 by default: it discounts a loyal fan just as much.)
        -- Focus: reactions to the reactor's most-reacted author against its
        -- reactions to anyone else (each worth `focus_elsewhere`), plus one.
        -- Beyond the allowance an account is one author's voice, not a person
        -- in their audience: all it adds (reach, saturated weight and, through
        -- the silenced edge, the influence it passes on) is scaled by
        -- voice = (allowance / focus)^δ.  A life beyond one author is never hit.
        pair_counts AS (
            SELECT network, reactor, author, count(*) AS n FROM reactions GROUP BY ALL
        ),
        reactor_spread AS (
            SELECT network, reactor, count(*) / sum(n) AS spread,
                   CASE WHEN {many('reactor')} THEN 1.0 ELSE {focus} END AS voice
            FROM pair_counts GROUP BY network, reactor
        ),
        reactor_selectivity AS (
            SELECT d.network, d.reactor,
                   CASE WHEN {many('d.reactor')} THEN 1.0
                        ELSE {k} * ln(1 + (sum(d.n) / count(*)) / {k}) / (sum(d.n) / count(*))
                             * pow(any_value(sp.spread), {gamma}) * {fence}
                   END AS cap,
                   any_value(sp.voice) AS voice
            FROM daily d JOIN reactor_spread sp USING (network, reactor)
            GROUP BY d.network, d.reactor
        ),
        quantized AS (
            SELECT r.network, r.reactor, r.author,
                   CAST(round(r.kind_weight * {decay} *
                       CASE WHEN {many('r.reactor')} THEN 1.0
                            ELSE {k} * ln(1 + d.n / {k}) / d.n END * {QUANTUM}) AS BIGINT) AS q
            FROM reactions r
            JOIN daily d ON d.network = r.network AND d.reactor = r.reactor
                        AND d.day = CAST(r.ts AS DATE)
        ),
        pairs AS (
            SELECT network, reactor, author, sum(q) AS q, count(*) AS reactions
            FROM quantized GROUP BY ALL
        ),
        {_mutual_groups_sql(model)}
        discounted AS (
            SELECT p.network, p.reactor, p.author, p.reactions, p.q AS q_raw,
                   CASE WHEN b.q IS NULL OR p.q = 0 THEN p.q
                        ELSE CAST(round(p.q * (1 - {float(model.reciprocity_discount)}
                                 * least(b.q, p.q) / p.q)) AS BIGINT) END AS q,
                   CASE WHEN b.q IS NULL OR p.q = 0 THEN 1.0
                        ELSE 1 - {mutual} * least(b.q, p.q) / p.q * {_group_factor(model)}
                   END AS kept
            FROM pairs p LEFT JOIN pairs b
              ON b.network = p.network AND b.reactor = p.author AND b.author = p.reactor
            {_group_join(model)}
        ),
        voiced AS (
            SELECT d.network, d.reactor, d.author, d.reactions, d.q_raw, d.q, s.voice,
                   CAST(round(d.kept * s.voice * s.cap * (1 - exp(-(d.q / {float(QUANTUM)})
                                              / ({float(model.pair_saturation)} * s.cap)))
                              * {QUANTUM}) AS BIGINT) AS reach_q,
                   CAST(round(d.kept * s.voice * s.cap * ln(1 + d.q / ({float(QUANTUM)} * s.cap))
                              * {QUANTUM}) AS BIGINT) AS sat_q
            FROM discounted d JOIN reactor_selectivity s USING (network, reactor)
        )
        SELECT network, reactor, author, reactions, q_raw, q, reach_q, sat_q FROM voiced
        {_silenced_share_sql(model)}
    """


def _mutual_groups_sql(model: Model) -> str:
    """CTE ``mutual_overlap``: for each exchanging pair, how far it sits inside a group.

    overlap(r, a) = |M(r) ∩ M(a)| / (min(|M(r)|, |M(a)|) − 1), M(x) being the
    accounts x exchanged reactions with: 1 for every pair of an all-to-all
    group of three or more (a pod), 0 for two people who only talk to each
    other.  Only written when the model uses it (η > 0).
    """
    if model.mutual_group_exponent <= 0:
        return ""
    return """
        mutual AS (
            SELECT p.network, p.reactor AS a, p.author AS b FROM pairs p
            JOIN pairs q ON q.network = p.network AND q.reactor = p.author
                        AND q.author = p.reactor
        ),
        mutual_degree AS (SELECT network, a, count(*) AS d FROM mutual GROUP BY ALL),
        mutual_common AS (
            SELECT m.network, m.a, m.b, count(*) AS c FROM mutual m
            JOIN mutual x ON x.network = m.network AND x.a = m.a
            JOIN mutual y ON y.network = m.network AND y.a = m.b AND y.b = x.b
            GROUP BY ALL
        ),
        mutual_overlap AS (
            SELECT m.network, m.a, m.b,
                   coalesce(c.c, 0) / greatest(least(da.d, db.d) - 1, 1) AS overlap
            FROM mutual m
            JOIN mutual_degree da ON da.network = m.network AND da.a = m.a
            JOIN mutual_degree db ON db.network = m.network AND db.a = m.b
            LEFT JOIN mutual_common c ON c.network = m.network AND c.a = m.a AND c.b = m.b
        ),"""


def _group_factor(model: Model) -> str:
    if model.mutual_group_exponent <= 0:
        return "1.0"
    return f"pow(coalesce(g.overlap, 0.0), {float(model.mutual_group_exponent)})"


def _group_join(model: Model) -> str:
    if model.mutual_group_exponent <= 0:
        return ""
    return ("LEFT JOIN mutual_overlap g ON g.network = p.network AND g.a = p.reactor "
            "AND g.b = p.author")


#: Where the influence of a discounted voice goes: a system account (never
#: scored, never anyone's audience), so the propagation passes on only the
#: share of an account's influence that counts as a person.
SILENCED_ACCOUNT: Final = f"{SYSTEM_ACCOUNT_PREFIX}silenced"


def _silenced_share_sql(model: Model) -> str:
    """Rows reactor → `SILENCED_ACCOUNT` carrying the discounted share of each reactor's edges.

    PageRank divides a reactor's influence among its edges by weight, so
    scaling all of one reactor's edges by its voice v changes nothing: its
    whole influence still flows to the one author it boosts.  One more edge,
    of weight (1 − v)/v times the rest, keeps exactly v of it on the real
    edges; the silenced account has no out-edges, so the remainder returns to
    everyone through the teleport, as a dangling node's does.  (Off, no rows.)
    """
    if model.focus_allowance <= 0:
        return ""
    return f"""
        UNION ALL
        SELECT network, reactor, '{SILENCED_ACCOUNT}' AS author, CAST(0 AS BIGINT) AS reactions,
               CAST(0 AS BIGINT) AS q_raw, CAST(0 AS BIGINT) AS q,
               CAST(round(least(sum(reach_q) * (1 - any_value(voice)) / any_value(voice),
                                1e18)) AS BIGINT) AS reach_q,
               CAST(0 AS BIGINT) AS sat_q
        FROM voiced WHERE voice < 1 GROUP BY network, reactor HAVING sum(reach_q) > 0
    """


def _accounts_sql(model: Model) -> str:
    content = ", ".join(f"'{kind}'" for kind in sorted(CONTENT_KINDS))
    decay = f"pow(2.0, -age_days / {float(model.half_life_days)})"
    return f"""
        WITH output AS (
            SELECT network, actor AS account,
                   sum(CAST(round({decay} * {QUANTUM}) AS BIGINT)) AS posts_q,
                   count(*) AS posts
            FROM _signal_window WHERE kind IN ({content}) GROUP BY ALL
        ),
        received AS (
            SELECT network, author AS account, count(*) AS reactors,
                   sum(reactions) AS reactions, sum(reach_q) AS reach_q, sum(sat_q) AS sat_q
            FROM _signal_pairs GROUP BY ALL
        )
        SELECT network, account,
               coalesce(o.posts, 0) AS posts, coalesce(o.posts_q, 0) AS posts_q,
               coalesce(r.reactors, 0) AS reactors, coalesce(r.reactions, 0) AS reactions,
               coalesce(r.reach_q, 0) AS reach_q, coalesce(r.sat_q, 0) AS sat_q
        FROM output o FULL OUTER JOIN received r USING (network, account)
        WHERE account NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%'
    """
