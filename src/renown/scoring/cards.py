"""A person's summary in two queries, for serving many requests a second.

`renown.scoring.queries.person_summary` answers the CLI with a handful of
small queries; a server pays DuckDB's per-query overhead (about a
millisecond) on every request, so this reads the same facts (score, offline
points, accounts with their components, the scores 1, 7 and 30 days earlier,
a display name) in two plain queries, with what every request shares (the
earlier snapshots, declared names) looked up once per snapshot.  The API
tests check that both give the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import duckdb

from renown.scoring.explain import AccountRow
from renown.scoring.queries import NetworkScore, PersonNotFoundError
from renown.scoring.snapshots import SnapshotInfo

#: Deltas reported, by name and days back.
DELTAS: Final = (("day", 1), ("week", 7), ("month", 30))

@dataclass(frozen=True, slots=True)
class CardContext:
    """What every card of one snapshot shares: look it up once, reuse it per request."""

    info: SnapshotInfo
    #: Run ids of the snapshots 1, 7 and 30 days earlier under the same model.
    earlier_runs: dict[str, int]
    #: Declared people's display names (accounts' names are read per card).
    declared_names: dict[str, str]


def card_context(con: duckdb.DuckDBPyConnection, info: SnapshotInfo) -> CardContext:
    days = {info.as_of - timedelta(days=n): label for label, n in DELTAS}
    runs = con.execute("SELECT as_of, run_id FROM score_runs WHERE model_version = ? AND "
                       "list_contains(?, as_of)", [info.model_version, list(days)]).fetchall()
    names = con.execute("SELECT person_id, display_name FROM people "
                        "WHERE display_name IS NOT NULL").fetchall()
    return CardContext(info, {days[day]: int(run) for day, run in runs},
                       {str(p): str(n) for p, n in names})


@dataclass(frozen=True, slots=True)
class PersonCard:
    person_id: str
    display_name: str | None
    score: float
    offline_points: float
    networks: list[NetworkScore]
    #: Rows for `renown.scoring.explain.contributions` (points split by component).
    account_rows: list[AccountRow]
    #: Change since 1, 7 and 30 days earlier (None where no snapshot exists).
    deltas: dict[str, float | None]


def person_card(con: duckdb.DuckDBPyConnection, context: CardContext,
                person_id: str) -> PersonCard:
    """The person's summary in the context's snapshot (PersonNotFoundError when not scored).

    Plain queries (scores at the snapshot and the earlier ones; accounts; the
    top account's name by primary key): DuckDB plans these far faster than one
    query with subqueries or a join.
    """
    info = context.info
    runs = [info.run_id, *context.earlier_runs.values()]
    scores = {int(run): (float(score), float(offline)) for run, score, offline in con.execute(
        f"SELECT run_id, score, offline_points FROM person_scores WHERE person_id = ? "
        f"AND run_id IN ({', '.join(str(int(r)) for r in runs)})", [person_id]).fetchall()}
    if info.run_id not in scores:
        raise PersonNotFoundError(f"{person_id!r} has no score on {info.as_of}")
    score, offline = scores[info.run_id]
    accounts = con.execute(
        "SELECT network, account, score, points, reach, amplification, network_value, "
        "reactors, reactions, posts, raw FROM account_scores WHERE run_id = ? AND "
        "person_id = ? ORDER BY points DESC, network, account",
        [info.run_id, person_id]).fetchall()
    name = context.declared_names.get(person_id)
    if name is None and accounts:  # the top account's name: a primary-key lookup
        found = con.execute("SELECT display_name FROM accounts WHERE network = ? AND "
                            "account = ?", [accounts[0][0], accounts[0][1]]).fetchall()
        name = found[0][0] if found else None
    deltas = {label: (score - scores[run][0]) if run in scores else None
              for label, run in ((label, context.earlier_runs.get(label)) for label, _ in DELTAS)}
    return PersonCard(
        person_id, name, score, offline, [NetworkScore(*a[:10]) for a in accounts],
        [(a[0], a[1], a[3], a[10], a[4], a[5], a[6]) for a in accounts], deltas)
