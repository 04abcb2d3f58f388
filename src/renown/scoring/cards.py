"""A person's summary, fast enough to serve hundreds of requests a second.

`renown.scoring.queries.person_summary` answers the CLI with a handful of
small queries; a server pays DuckDB's per-query overhead (about a
millisecond) on every request, so this reads the same facts (score, offline
points, accounts with their components, the scores 1, 7 and 30 days earlier,
a display name) with what every request shares (the earlier snapshots,
declared names) looked up once per snapshot: a small snapshot's cards are all
built at once, in two bulk queries, and kept for as long as the snapshot is
served; a large one's are read with plain point queries.  The API tests check
that these give the CLI's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Final

import duckdb
import numpy as np

from renown.scoring.explain import AccountRow
from renown.scoring.percentiles import FloatArray, percentile_in
from renown.scoring.queries import NetworkScore, PersonNotFoundError
from renown.scoring.snapshots import SnapshotInfo

#: Deltas reported, by name and days back.
DELTAS: Final = (("day", 1), ("week", 7), ("month", 30))

#: Snapshots with at most this many people are held in memory as ready cards
#: (about 1 KB each); larger ones are read with point queries per request.
MAX_CARDS_IN_MEMORY: Final = 50_000
_ACCOUNT_COLUMNS: Final = ("network, account, score, points, reach, amplification, "
                           "network_value, reactors, reactions, posts, raw")
ScoreByRun = dict[int, tuple[float, float]]


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


@dataclass(frozen=True, slots=True)
class CardContext:
    """What every card of one snapshot shares: look it up once, reuse it per request."""

    info: SnapshotInfo
    #: Run ids of the snapshots 1, 7 and 30 days earlier under the same model.
    earlier_runs: dict[str, int]
    #: Declared people's display names (accounts' names are read per card).
    declared_names: dict[str, str]
    #: Every score of the snapshot, ascending: percentiles by binary search (8 bytes a
    #: person, so kept for large snapshots too).
    sorted_scores: FloatArray = field(default_factory=lambda: np.zeros(0))
    #: Every card of a small snapshot, ready (None above `MAX_CARDS_IN_MEMORY`).
    cards: dict[str, PersonCard] | None = None

    def percentile(self, score: float) -> float:
        """The percentile rank of a score in this snapshot (`renown.scoring.percentiles`)."""
        return percentile_in(self.sorted_scores, score)

    @property
    def runs(self) -> str:
        """The snapshot's run id and the earlier ones, as a SQL list of integers."""
        return ", ".join(str(int(r)) for r in (self.info.run_id, *self.earlier_runs.values()))


def card_context(con: duckdb.DuckDBPyConnection, info: SnapshotInfo) -> CardContext:
    days = {info.as_of - timedelta(days=n): label for label, n in DELTAS}
    runs = con.execute("SELECT as_of, run_id FROM score_runs WHERE model_version = ? AND "
                       "list_contains(?, as_of)", [info.model_version, list(days)]).fetchall()
    names = con.execute("SELECT person_id, display_name FROM people "
                        "WHERE display_name IS NOT NULL").fetchall()
    scores = con.sql("SELECT score FROM person_scores WHERE run_id = $run ORDER BY score",
                     params={"run": info.run_id}).fetchnumpy()["score"]
    context = CardContext(info, {days[day]: int(run) for day, run in runs},
                          {str(p): str(n) for p, n in names},
                          np.asarray(scores, dtype=np.float64))
    if info.people > MAX_CARDS_IN_MEMORY:
        return context
    return replace(context, cards=_all_cards(con, context))


def _all_cards(con: duckdb.DuckDBPyConnection, context: CardContext) -> dict[str, PersonCard]:
    """Every person's card from two bulk queries (a small snapshot, once per snapshot)."""
    scores: dict[str, ScoreByRun] = {}
    for person, run, score, offline in con.execute(
            "SELECT person_id, run_id, score, offline_points FROM person_scores "
            f"WHERE run_id IN ({context.runs})").fetchall():
        scores.setdefault(str(person), {})[int(run)] = (float(score), float(offline))
    accounts: dict[str, list[tuple[Any, ...]]] = {}
    for row in con.execute(
            f"SELECT s.person_id, {', '.join('s.' + c for c in _ACCOUNT_COLUMNS.split(', '))}, "
            "a.display_name FROM account_scores s LEFT JOIN accounts a ON a.network = "
            "s.network AND a.account = s.account WHERE s.run_id = ? "
            "ORDER BY s.person_id, s.points DESC, s.network, s.account",
            [context.info.run_id]).fetchall():
        accounts.setdefault(str(row[0]), []).append(row[1:])
    return {person: _card(context, person, by_run, accounts.get(person, []))
            for person, by_run in scores.items() if context.info.run_id in by_run}


def person_card(con: duckdb.DuckDBPyConnection, context: CardContext,
                person_id: str) -> PersonCard:
    """The person's summary in the context's snapshot (PersonNotFoundError when not scored).

    From memory for a small snapshot; otherwise plain point queries (scores at
    the snapshot and the earlier ones; accounts; the top account's name by
    primary key), which DuckDB plans far faster than one query with subqueries.
    """
    info = context.info
    if context.cards is not None:
        card = context.cards.get(person_id)
        if card is None:
            raise PersonNotFoundError(f"{person_id!r} has no score on {info.as_of}")
        return card
    by_run: ScoreByRun = {int(run): (float(score), float(offline)) for run, score, offline in
                          con.execute("SELECT run_id, score, offline_points FROM person_scores "
                                      f"WHERE person_id = ? AND run_id IN ({context.runs})",
                                      [person_id]).fetchall()}
    if info.run_id not in by_run:
        raise PersonNotFoundError(f"{person_id!r} has no score on {info.as_of}")
    rows = [(*row, None) for row in con.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM account_scores WHERE run_id = ? AND person_id = ? "
        "ORDER BY points DESC, network, account", [info.run_id, person_id]).fetchall()]
    if rows and person_id not in context.declared_names:  # the top account's name, by key
        found = con.execute("SELECT display_name FROM accounts WHERE network = ? AND "
                            "account = ?", [rows[0][0], rows[0][1]]).fetchall()
        rows[0] = (*rows[0][:-1], found[0][0] if found else None)
    return _card(context, person_id, by_run, rows)


def _card(context: CardContext, person_id: str, by_run: ScoreByRun,
          rows: list[tuple[Any, ...]]) -> PersonCard:
    """A card from score rows by run and account rows (columns as `_ACCOUNT_COLUMNS`,
    then the account's display name), best account first."""
    score, offline = by_run[context.info.run_id]
    deltas = {label: score - by_run[run][0] if run in by_run else None
              for label, run in ((label, context.earlier_runs.get(label))
                                 for label, _ in DELTAS)}
    name = context.declared_names.get(person_id) or (rows[0][11] if rows else None)
    return PersonCard(person_id, name, score, offline,
                      [NetworkScore(*row[:10]) for row in rows],
                      [(r[0], r[1], r[3], r[10], r[4], r[5], r[6]) for r in rows], deltas)
