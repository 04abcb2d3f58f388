"""How each account reacts: the behaviour the automation detector judges (set-based SQL).

Read from ``_signal_window`` (the scoring window, built by
`renown.scoring.signals.build_signals` with ``keep_window``), so the detector
sees exactly the events the score counts.  One row per reacting account per
network:

- ``reactions``: acts (one act, one reaction, as in the score), of the kinds
  the model counts; ``active_days``: days with at least one;
- ``per_day``: reactions per active day (a person's attention is bounded by the day);
- ``authors``: distinct authors reacted to (breadth);
- ``latency_s``: median seconds from the content to the reaction, where the
  content is in the store (NULL where it never is: Higgs has no posts; a
  reaction stamped before its content, a clock error, tells nothing);
- ``posts``: original posts of its own in the window; ``output_ratio``:
  reactions per own post, ``reactions / (1 + posts)`` (NULL on a network
  where nobody posts in the window, where the ratio says nothing).

System accounts (``~…``) stand for many people and are never judged.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.model import Model


def reactor_behaviour(con: duckdb.DuckDBPyConnection, model: Model) -> pa.Table:
    """Behaviour of every reacting account in ``_signal_window`` (see the module docstring)."""
    counted = sorted(kind for kind, weight in model.kind_weights.items() if weight > 0)
    system = f"'{SYSTEM_ACCOUNT_PREFIX}%'"
    return con.sql(f"""
        WITH acts AS (
            SELECT network, actor, subject, ts, min(parent_id) AS parent_id
            FROM _signal_window
            WHERE list_contains($kinds, kind) AND subject IS NOT NULL AND subject <> actor
              AND subject NOT LIKE {system} AND actor NOT LIKE {system}
            GROUP BY network, actor, subject, ts
        ),
        parents AS (
            SELECT e.network, e.post_id, min(e.ts) AS posted
            FROM events e SEMI JOIN acts a ON a.network = e.network AND a.parent_id = e.post_id
            WHERE e.post_id IS NOT NULL GROUP BY e.network, e.post_id
        ),
        features AS (
            SELECT a.network, a.actor AS account, count(*) AS reactions,
                   count(DISTINCT CAST(a.ts AS DATE)) AS active_days,
                   count(DISTINCT a.subject) AS authors,
                   median(CASE WHEN a.ts >= p.posted
                               THEN greatest(epoch(a.ts) - epoch(p.posted), 1.0) END) AS latency_s
            FROM acts a LEFT JOIN parents p ON p.network = a.network AND p.post_id = a.parent_id
            GROUP BY a.network, a.actor
        ),
        own_posts AS (
            SELECT network, actor AS account, count(*) AS posts
            FROM _signal_window WHERE kind = 'post' GROUP BY ALL
        ),
        posting_networks AS (SELECT DISTINCT network FROM own_posts)
        SELECT f.network, f.account, f.reactions, f.active_days,
               f.reactions / f.active_days AS per_day, f.authors, f.latency_s,
               coalesce(o.posts, 0) AS posts,
               CASE WHEN f.network IN (SELECT network FROM posting_networks)
                    THEN f.reactions / (1.0 + coalesce(o.posts, 0)) END AS output_ratio
        FROM features f LEFT JOIN own_posts o USING (network, account)
        ORDER BY f.network, f.account
    """, params={"kinds": counted}).to_arrow_table()
