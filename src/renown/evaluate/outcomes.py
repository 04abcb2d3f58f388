"""Who is evaluated, and what happened to them after the split (set-based SQL).

A temporal holdout: scores may use only events strictly before the split
instant; the outcome is what other people did in response to each person from
the split up to ``horizon_days`` later.  Nothing after the split is read to
build a score, and nothing before it is read to build an outcome.

**Population.** Everyone *eligible* at the split: every person with an account
seen in the scoring window before the split (as actor or as the subject of
someone's event; system accounts ``~…`` are never people).  Restricting to
people active after the split would leak the outcome into who is counted, so
the population is fixed before looking.  A second view restricts it to people
who had an *audience* before the split (at least one reaction from someone
else): everyone outside it scores the minimum under every audience-based
scorer, so that view asks the harder question "among people with some
audience, who will draw more?".

**Outcome.** The number of distinct people who responded to any of the
person's accounts within the horizon: reshared, quoted, replied to, commented
on, mentioned or answered them (`RESPONSE_KINDS`); self-responses, and system
actors (anonymous or deleted accounts, which cannot be told apart) are not
people.  On StackExchange, where most verdicts are votes whose voters the
dump hides, each upvote and each accepted answer received is added
(`VOTE_KINDS`): StackExchange allows one vote per person per post, so each is
a distinct person's explicit verdict, and reputation is built from exactly
these.  Accounts planted by a gaming injection (`PLANTED_TABLE`) never count
as responders.  Likes are left out everywhere: a click is output-cheap and the
simple baselines already count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt

from renown.events import OFFLINE_NETWORK, REACTION_KINDS, SYSTEM_ACCOUNT_PREFIX

#: Kinds that count as a person responding to someone (the outcome).
RESPONSE_KINDS: Final = ("answer", "comment", "mention", "quote", "reply", "reshare")
#: Per network, kinds counted once per event on top of distinct responders.
VOTE_KINDS: Final[dict[str, tuple[str, ...]]] = {"stackexchange": ("accept", "upvote")}

SYSTEM_LIKE: Final = f"'{SYSTEM_ACCOUNT_PREFIX}%'"
PEOPLE_TABLE: Final = "_eval_people"
#: Accounts planted by `renown.evaluate.gaming` (empty on clean data): never responders.
PLANTED_TABLE: Final = "_eval_planted"


def sql_list(values: tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


@dataclass(frozen=True, slots=True)
class Period:
    """The split instant, the outcome horizon, and the scoring window before the split."""

    split: datetime
    horizon_days: float
    window_days: float

    def __post_init__(self) -> None:
        if not self.horizon_days > 0:
            raise ValueError("the horizon must be longer than 0 days")
        if not self.window_days > 0:
            raise ValueError("the scoring window must be longer than 0 days")

    @property
    def window_start(self) -> datetime:
        return self.split - timedelta(days=self.window_days)

    @property
    def horizon_end(self) -> datetime:
        return self.split + timedelta(days=self.horizon_days)

    def params(self) -> dict[str, datetime]:
        return {"start": self.window_start, "split": self.split, "end": self.horizon_end}


def build_population(con: duckdb.DuckDBPyConnection, period: Period) -> int:
    """(Re)create ``_eval_people`` (person_id, audience) for the split; returns its size."""
    reactions = sql_list(REACTION_KINDS)
    con.execute(f"""CREATE TEMP TABLE IF NOT EXISTS {PLANTED_TABLE}
                    (network VARCHAR, account VARCHAR, gaming_kind VARCHAR, role VARCHAR)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _eval_window AS
        SELECT network, actor, kind, subject, ts FROM events
        WHERE ts >= $start AND ts < $split AND network <> '{OFFLINE_NETWORK}'
    """, {"start": period.window_start, "split": period.split})
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {PEOPLE_TABLE} AS
        WITH seen AS (
            SELECT network, actor AS account FROM _eval_window
            UNION SELECT network, subject FROM _eval_window WHERE subject IS NOT NULL
        ),
        people AS (
            SELECT DISTINCT ap.person_id FROM seen s
            JOIN account_people ap USING (network, account)
            WHERE s.account NOT LIKE {SYSTEM_LIKE}
        ),
        audience AS (
            SELECT DISTINCT sp.person_id FROM _eval_window w
            JOIN account_people sp ON sp.network = w.network AND sp.account = w.subject
            LEFT JOIN account_people rp ON rp.network = w.network AND rp.account = w.actor
            WHERE w.kind IN ({reactions})
              AND coalesce(rp.person_id, w.network || ':' || w.actor) <> sp.person_id
        )
        SELECT p.person_id, a.person_id IS NOT NULL AS audience
        FROM people p LEFT JOIN audience a USING (person_id)
        ORDER BY p.person_id
    """)
    return len(con.execute(f"SELECT person_id FROM {PEOPLE_TABLE}").fetchall())


def _vote_filter() -> str:
    clauses = [f"(h.network = '{network}' AND h.kind IN ({sql_list(kinds)}))"
               for network, kinds in sorted(VOTE_KINDS.items())]
    return " OR ".join(clauses) or "false"


def outcome_sql() -> str:
    """Per eligible person: distinct responders + votes received within the horizon."""
    return f"""
        WITH horizon AS (
            SELECT h.network, h.actor, h.kind, sp.person_id AS subject_person,
                   coalesce(rp.person_id, h.network || ':' || h.actor) AS actor_person
            FROM events h
            JOIN account_people sp ON sp.network = h.network AND sp.account = h.subject
            LEFT JOIN account_people rp ON rp.network = h.network AND rp.account = h.actor
            WHERE h.ts >= $split AND h.ts < $end AND h.network <> '{OFFLINE_NETWORK}'
              AND h.subject NOT LIKE {SYSTEM_LIKE}
              AND NOT EXISTS (SELECT 1 FROM {PLANTED_TABLE} g
                              WHERE g.network = h.network AND g.account = h.actor)
        ),
        responders AS (
            SELECT subject_person AS person_id, count(DISTINCT actor_person) AS responders
            FROM horizon
            WHERE kind IN ({sql_list(RESPONSE_KINDS)}) AND actor NOT LIKE {SYSTEM_LIKE}
              AND actor_person <> subject_person
            GROUP BY ALL
        ),
        votes AS (
            SELECT subject_person AS person_id, count(*) AS votes FROM horizon h
            WHERE ({_vote_filter()}) AND actor_person <> subject_person
            GROUP BY ALL
        )
        SELECT p.person_id, p.audience,
               coalesce(r.responders, 0) AS responders, coalesce(v.votes, 0) AS votes,
               coalesce(r.responders, 0) + coalesce(v.votes, 0) AS outcome
        FROM {PEOPLE_TABLE} p
        LEFT JOIN responders r USING (person_id) LEFT JOIN votes v USING (person_id)
        ORDER BY p.person_id
    """


def outcomes(con: duckdb.DuckDBPyConnection,
             period: Period) -> dict[str, npt.NDArray[np.generic]]:
    """Outcome columns for ``_eval_people`` in its order (person_id, audience, outcome, ...)."""
    result: dict[str, npt.NDArray[np.generic]] = con.execute(
        outcome_sql(), {"split": period.split, "end": period.horizon_end}).fetchnumpy()
    return result
