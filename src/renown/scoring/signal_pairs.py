"""The pair stage of the signals: who reached whom, from per-day partial sums.

Two SELECTs, run in order by `renown.scoring.signals`:

`day_pairs_sql` — one row per (network, reactor, author, day): the day's
reactions ``n`` and their weight ``q``, each reaction weighted by kind, by the
reactor's selectivity *that day* and by its decay to the end of its day,
summed as fixed-point integers.  Nothing in a row depends on the scoring
date, so a day's rows, once computed, hold for every later run
(`renown.scoring.signal_cache` keeps them in the store).

`pairs_sql` — one row per (network, reactor, author) from those rows: each
day's weight decayed from the day's end to ``as_of`` (one factor per day) and
summed; then reciprocity (rings), the reactor's overall selectivity, the
one-voice focus and saturation turn it into ``reach``: at most the reactor's
overall selectivity (one person for a selective reactor, a fraction for an
account that reacts to everything), however often they react.

Rounding happens twice, once per event within its day and once per day, and
both sums are exact integers, so the result is independent of the order the
engine adds rows in and identical whether a day's rows were just computed or
read back from the store.
"""

from __future__ import annotations

from typing import Final

from renown.events import SYSTEM_ACCOUNT_PREFIX, VISITOR_ACCOUNT_PREFIX
from renown.scoring.model import Model

#: Fixed-point unit for exact, order-independent sums.
QUANTUM: Final = 1_000_000_000
#: Kind weights as a table (kind, weight), built by `renown.scoring.signals`.
KINDS_TABLE: Final = "_signal_kind_weights"

_SYSTEM: Final = f"'{SYSTEM_ACCOUNT_PREFIX}%'"

#: Where the influence of a discounted voice goes: a system account (never
#: scored, never anyone's audience), so the propagation passes on only the
#: share of an account's influence that counts as a person.
SILENCED_ACCOUNT: Final = f"{SYSTEM_ACCOUNT_PREFIX}silenced"


def within_day_decay(ts: str, model: Model) -> str:
    """Decay of an event at ``ts`` to the end of its own (UTC) day: in (2^(−1/h), 1]."""
    seconds_left = f"(86400.0 - (epoch({ts}) - epoch(CAST(CAST({ts} AS DATE) AS TIMESTAMP))))"
    return f"pow(2.0, -{seconds_left} / 86400.0 / {float(model.half_life_days)})"


def day_decay(day: str, as_of: str, model: Model) -> str:
    """Decay from the end of ``day`` to ``as_of`` (a SQL timestamp literal)."""
    days = f"((epoch({as_of}) - epoch(CAST({day} AS TIMESTAMP))) / 86400.0 - 1.0)"
    return f"pow(2.0, -{days} / {float(model.half_life_days)})"


def _many(reactor: str) -> str:
    """System accounts that stand for many people (anonymous voters) count in full.

    A campaign visitor is one person, discounted like any reactor.
    """
    return f"({reactor} LIKE {_SYSTEM} AND {reactor} NOT LIKE '{VISITOR_ACCOUNT_PREFIX}%')"


def _selectivity(n: str, model: Model) -> str:
    """Each of n reactions in a day counts k·ln(1 + n/k)/n (the daily attention budget)."""
    k = float(model.selectivity_k)
    return f"{k} * ln(1 + {n} / {k}) / {n}"


def day_pairs_sql(model: Model) -> str:
    """Per (network, reactor, author, day): reactions ``n`` and weight ``q`` (fixed point).

    Reads ``_signal_window`` and the kind weights.
    """
    return f"""
        WITH reaction_events AS (
            SELECT w.network, w.actor AS reactor, w.subject AS author, w.ts,
                   kw.weight AS kind_weight
            FROM _signal_window w JOIN {KINDS_TABLE} kw USING (kind)
            WHERE w.subject IS NOT NULL AND w.subject <> w.actor
              AND w.subject NOT LIKE {_SYSTEM}
        ),
        -- One act, one reaction: events by the same reactor about the same
        -- author in the same second are one act seen several ways (a reply
        -- that also mentions its author: SNAP Higgs records both lines; X,
        -- Bluesky and Mastodon posts can carry a reply, a quote and a mention
        -- of one person).  It counts once, at its strongest kind.
        reactions AS (
            SELECT network, reactor, author, ts, max(kind_weight) AS kind_weight
            FROM reaction_events GROUP BY network, reactor, author, ts
        ),
        daily AS (
            SELECT network, reactor, CAST(ts AS DATE) AS day, count(*) AS n
            FROM reactions GROUP BY ALL
        )
        SELECT r.network, r.reactor, r.author, d.day, CAST(count(*) AS BIGINT) AS n,
               CAST(sum(CAST(round(r.kind_weight * {within_day_decay('r.ts', model)} *
                   CASE WHEN {_many('r.reactor')} THEN 1.0
                        ELSE {_selectivity('d.n', model)} END * {QUANTUM}) AS BIGINT))
                    AS BIGINT) AS q
        FROM reactions r
        JOIN daily d ON d.network = r.network AND d.reactor = r.reactor
                    AND d.day = CAST(r.ts AS DATE)
        GROUP BY r.network, r.reactor, r.author, d.day
    """


def pairs_sql(model: Model, as_of: str) -> str:
    """Per (network, reactor, author): reactions, weights and reach, from ``_signal_day_pairs``.

    ``as_of`` is a SQL timestamp literal (`renown.scoring.signals.timestamp_literal`).
    """
    gamma = float(model.repetition_exponent)
    mutual = float(model.mutual_discount)
    focus = "1.0"
    if model.focus_allowance > 0:
        allowance = float(model.focus_allowance)
        elsewhere = float(model.focus_elsewhere)
        top, rest = "max(reactions)", "(sum(reactions) - max(reactions))"
        focus = (f"pow(least(1.0, {allowance} * (1 + {elsewhere} * {rest}) / {top}), "
                 f"{float(model.focus_exponent)})")
    fence = "1.0"
    if model.automation_fence > 0:
        f = float(model.automation_fence)
        fence = f"exp(-greatest(0.0, sum(d.n) / count(*) - {f}) / {f})"
    return f"""
        WITH pairs AS (
            SELECT network, reactor, author,
                   sum(CAST(round(q * {day_decay('day', as_of, model)}) AS BIGINT)) AS q,
                   CAST(sum(n) AS BIGINT) AS reactions
            FROM _signal_day_pairs GROUP BY network, reactor, author
        ),
        daily AS (
            SELECT network, reactor, day, sum(n) AS n
            FROM _signal_day_pairs GROUP BY network, reactor, day
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
        reactor_spread AS (
            SELECT network, reactor, count(*) / sum(reactions) AS spread,
                   CASE WHEN {_many('reactor')} THEN 1.0 ELSE {focus} END AS voice
            FROM pairs GROUP BY network, reactor
        ),
        reactor_selectivity AS (
            SELECT d.network, d.reactor,
                   CASE WHEN {_many('d.reactor')} THEN 1.0
                        ELSE {_selectivity('(sum(d.n) / count(*))', model)}
                             * pow(any_value(sp.spread), {gamma}) * {fence}
                   END AS cap,
                   any_value(sp.voice) AS voice
            FROM daily d JOIN reactor_spread sp USING (network, reactor)
            GROUP BY d.network, d.reactor
        ),
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


#: The group exponent's stage tables, in order (see `mutual_overlap_statements`).
MUTUAL_TABLES: Final = ("_signal_mutual", "_signal_mutual_triangles", "_signal_mutual_overlap")


def mutual_overlap_statements(model: Model) -> list[tuple[str, str]]:
    """``_signal_mutual_overlap`` (network, a, b, overlap) for every exchanging pair.

    overlap(r, a) = |M(r) ∩ M(a)| / (min(|M(r)|, |M(a)|) − 1), M(x) being the
    accounts x exchanged reactions with: 1 for every pair of an all-to-all
    group of three or more (a pod), 0 for two people who only talk to each
    other.  |M(r) ∩ M(a)| is the number of triangles of exchanges through the
    pair, listed from each exchange's lower-ranked end (by mutual degree, then
    name) to its higher: every account then has at most √(2m) higher-ranked
    partners, so the listing costs O(m^1.5) rows for m exchanges, never a hub's
    d² (Chiba & Nishizeki, "Arboricity and subgraph listing algorithms", 1985).
    Each triangle is found once, as (u, v, w) in rank order, and counts for
    each of its three exchanges in both directions.  Three statements, each a
    stage table, so an engine that inlines views (Spark) lists the triangles
    once.  Reads ``_signal_day_pairs``; none when the model does not use it (η = 0).
    """
    if model.mutual_group_exponent <= 0:
        return []
    mutual = """
        WITH pairs AS (SELECT DISTINCT network, reactor, author FROM _signal_day_pairs),
        mutual AS (
            SELECT p.network, p.reactor AS a, p.author AS b FROM pairs p
            JOIN pairs q ON q.network = p.network AND q.reactor = p.author
                        AND q.author = p.reactor
        ),
        degree AS (SELECT network, a, count(*) AS d FROM mutual GROUP BY network, a)
        SELECT m.network, m.a, m.b, da.d AS da, db.d AS db,
               da.d < db.d OR (da.d = db.d AND m.a < m.b) AS up
        FROM mutual m
        JOIN degree da ON da.network = m.network AND da.a = m.a
        JOIN degree db ON db.network = m.network AND db.a = m.b
    """
    triangles = """
        WITH up AS (SELECT network, a AS lo, b AS hi FROM _signal_mutual WHERE up)
        SELECT x.network, x.lo AS u, x.hi AS v, z.hi AS w FROM up x
        JOIN up z ON z.network = x.network AND z.lo = x.hi
        JOIN up y ON y.network = x.network AND y.lo = x.lo AND y.hi = z.hi
    """
    overlap = """
        WITH common AS (
            SELECT network, a, b, count(*) AS c FROM (
                SELECT network, u AS a, v AS b FROM _signal_mutual_triangles
                UNION ALL SELECT network, v, u FROM _signal_mutual_triangles
                UNION ALL SELECT network, u, w FROM _signal_mutual_triangles
                UNION ALL SELECT network, w, u FROM _signal_mutual_triangles
                UNION ALL SELECT network, v, w FROM _signal_mutual_triangles
                UNION ALL SELECT network, w, v FROM _signal_mutual_triangles) t
            GROUP BY network, a, b
        )
        SELECT m.network, m.a, m.b,
               coalesce(c.c, 0) / greatest(least(m.da, m.db) - 1, 1) AS overlap
        FROM _signal_mutual m
        LEFT JOIN common c ON c.network = m.network AND c.a = m.a AND c.b = m.b
    """
    return list(zip(MUTUAL_TABLES, (mutual, triangles, overlap), strict=True))


def _group_factor(model: Model) -> str:
    if model.mutual_group_exponent <= 0:
        return "1.0"
    return f"pow(coalesce(g.overlap, 0.0), {float(model.mutual_group_exponent)})"


def _group_join(model: Model) -> str:
    if model.mutual_group_exponent <= 0:
        return ""
    return ("LEFT JOIN _signal_mutual_overlap g ON g.network = p.network AND g.a = p.reactor "
            "AND g.b = p.author")


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
