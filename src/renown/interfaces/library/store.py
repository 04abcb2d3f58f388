"""`Store`: Renown as a Python library, the surface the CLI and notebooks share.

One object per database: get data in (`ingest`, `link`), score it (`score`,
`backfill`), and read it back as frozen dataclasses (`person`, `explain`,
`topics`, `top`, `discover`, `evaluate`) or as Arrow tables for analysis
(`scores`, `history`, `topic_table`), which convert with ``.to_pandas()`` or
``polars.from_arrow`` without either being a dependency.  Files come out
through `export_scores`, `export_history` and `export_topics`.

Every method calls the same core functions the command line calls, so a
notebook and ``renown`` never disagree.  Errors Renown reports on purpose
are `renown.RenownError`; people may be named by person id,
``network:account``, a bare account or a display name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

import duckdb
import pyarrow as pa

from renown.evaluate.bootstrap import DEFAULT_K, DEFAULT_RESAMPLES, DEFAULT_SEED
from renown.evaluate.gamed import GamedEvaluation, evaluate_gamed
from renown.evaluate.gaming import GamingSpec
from renown.evaluate.harness import Evaluation
from renown.evaluate.harness import evaluate as evaluate_split
from renown.scoring.discover import Candidate, DiscoveryQuery
from renown.scoring.discover import discover as discover_people
from renown.scoring.drivers import explain_change
from renown.scoring.explain import Explanation
from renown.scoring.explain import explain as explain_score
from renown.scoring.model import Model
from renown.scoring.queries import (
    LeaderboardRow,
    PersonSummary,
    current_snapshot,
    leaderboard,
    person_summary,
    resolve_person,
)
from renown.scoring.registry import current_model
from renown.scoring.run import backfill, score_day
from renown.scoring.score_tables import TableQuery, history_query, scores_query, topics_query
from renown.scoring.snapshots import SnapshotInfo
from renown.scoring.topics.standings import PersonTopics, person_topics
from renown.sources import SourceOptions, detect_format
from renown.store.database import StoreError, connect, default_db_path
from renown.store.export import write_query
from renown.store.ingest import IngestReport
from renown.store.ingest import ingest as ingest_file
from renown.store.people import Link, link_accounts, read_identity_file, read_identity_yaml
from renown.store.serving import publish_if_served

Day = date | str
_T = TypeVar("_T")


def as_day(value: Day | None, what: str = "day") -> date | None:
    """A day from a `date`, a `datetime` (its UTC day) or ``YYYY-MM-DD``."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise StoreError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)") from None


class Store:
    """A Renown database, open for reading and (unless ``read_only``) writing.

    Use it as a context manager, or call `close`; DuckDB lets one process
    write a database at a time, so close a writing store before another
    program (``renown score``, a server's writer) needs it.
    """

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self._path = Path(path) if path is not None else default_db_path()
        self._read_only = read_only
        self._con: duckdb.DuckDBPyConnection | None = connect(self._path, read_only=read_only)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection, for SQL of your own (read the tables, never write)."""
        if self._con is None:
            raise StoreError(f"{self._path}: this store is closed")
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._con is None else ("read-only" if self._read_only else "open")
        return f"<renown.Store {str(self._path)!r} ({state})>"

    # -- getting data in ---------------------------------------------------------

    def ingest(self, path: Path | str, format: str | None = None, *,
               network: str | None = None, kind: str | None = None) -> IngestReport:
        """Ingest one file or folder, all or nothing (``format``: detected when None)."""
        source = Path(path)
        return self._write(lambda con: ingest_file(
            con, source, format or detect_format(source), SourceOptions(network, kind)))

    def link(self, person_id: str | None = None, accounts: Sequence[str] = (), *,
             file: Path | str | None = None) -> int:
        """Declare accounts (``network:account``) one person, or read a CSV/YAML of links.

        Returns how many links are new; a conflicting link stores nothing.
        """
        if file is not None:
            file = Path(file)
            yaml = file.suffix.lower() in (".yaml", ".yml")
            links = read_identity_yaml(file) if yaml else read_identity_file(file)
            origin = str(file)
        elif person_id and accounts:
            links = [Link(person_id, *_account(a)) for a in accounts]
            origin = ""
        else:
            raise StoreError("give a person id and one or more network:account, or file=")
        return self._write(lambda con: link_accounts(con, links, origin))

    # -- scoring -----------------------------------------------------------------

    def score(self, as_of: Day | None = None, *, topics: bool = True,
              model: Model | Path | str | None = None) -> SnapshotInfo:
        """Score everyone as of a day (default: the newest event's) and store the snapshot."""
        chosen = _model(model)
        day = as_day(as_of, "as_of")
        return self._write(lambda con: score_day(con, day, chosen, topics=topics))

    def backfill(self, start: Day, end: Day, *, topics: bool = True,
                 replace: bool = False) -> list[SnapshotInfo]:
        """Daily snapshots from ``start`` to ``end`` (days already stored are kept)."""
        first, last = as_day(start, "start"), as_day(end, "end")
        assert first is not None and last is not None
        return self._write(lambda con: backfill(con, first, last, replace=replace,
                                                topics=topics))

    # -- reading: one person -----------------------------------------------------

    def resolve(self, person: str) -> str:
        """The person id that a person id, ``network:account``, account or name names."""
        return resolve_person(self.connection, person)

    def person(self, person: str, *, as_of: Day | None = None) -> PersonSummary:
        """Score, band, percentile, changes and per-network parts on a day."""
        return person_summary(self.connection, self.resolve(person), as_of_day(as_of))

    def explain(self, person: str, *, since: Day | None = None, as_of: Day | None = None,
                top: int = 10) -> Explanation:
        """The parts that add up to the score, the evidence, and with ``since`` what changed."""
        con = self.connection
        result = explain_score(con, self.resolve(person), day=as_of_day(as_of), top=top)
        earlier = as_day(since, "since")
        return explain_change(con, result, earlier) if earlier is not None else result

    def topics(self, person: str, *, as_of: Day | None = None) -> PersonTopics:
        """Topics attributed on evidence, with confidence and the posts behind them."""
        return person_topics(self.connection, self.resolve(person), as_of_day(as_of))

    # -- reading: everyone ---------------------------------------------------------

    def top(self, limit: int = 20, *, offset: int = 0, network: str | None = None,
            as_of: Day | None = None) -> list[LeaderboardRow]:
        """A page of the leaderboard (overall, or on one network)."""
        if limit < 1 or offset < 0:
            raise StoreError(f"limit {limit} must be ≥ 1 and offset {offset} ≥ 0")
        return leaderboard(self.connection, network=network, limit=limit, offset=offset,
                           day=as_of_day(as_of))

    def scores(self, *, as_of: Day | None = None, network: str | None = None) -> pa.Table:
        """Every person of a snapshot (or every account on ``network``), best first.

        Columns: rank, person, score, percentile, band, the points of each
        component (they add up to the score with the floor of 1), per-network
        scores and points, reactors, reactions, posts, day and model version.
        """
        return self._scores_query(as_of, network).fetch(self.connection)

    def history(self, person: str | None = None, *, start: Day | None = None,
                end: Day | None = None) -> pa.Table:
        """Stored daily scores under the current model (one person, or everyone),
        each with that day's percentile."""
        return self._history_query(person, start, end).fetch(self.connection)

    def topic_table(self, *, as_of: Day | None = None) -> pa.Table:
        """Every topic attributed in a snapshot, with its evidence counts."""
        return topics_query(self._snapshot(as_of)).fetch(self.connection)

    def discover(self, *, topic: str | None = None, audience: str | None = None,
                 min_score: float = 1.0, max_score: float = 100.0, min_quality: float = 0.0,
                 limit: int = 20, as_of: Day | None = None) -> list[Candidate]:
        """People to work with: topic, audience (FILE, topic:SLUG, network:NAME), score
        band and audience quality combined."""
        from renown.scoring.audience.spec import parse_audience

        spec = parse_audience(audience) if audience else None
        query = DiscoveryQuery(topic, spec, min_score, max_score, min_quality, limit,
                               as_of_day(as_of))
        return discover_people(self.connection, query)

    def evaluate(self, split: Day, horizon: float = 7.0, *,
                 candidates: Sequence[Model | Path | str] = (), k: int = DEFAULT_K,
                 resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Evaluation:
        """Score before ``split``, measure who drew genuine responders in the ``horizon``
        days after it, and compare with every baseline (intervals by bootstrap)."""
        models = [m for m in (_model(c) for c in candidates) if m is not None]
        return evaluate_split(self.connection, _split(split), horizon,
                              current_model(self.connection), candidates=models, k=k,
                              resamples=resamples, seed=seed)

    def evaluate_gamed(self, split: Day, horizon: float = 7.0, *, gaming: str = "mixed",
                       gaming_seed: int = 0, k: int = DEFAULT_K,
                       resamples: int = DEFAULT_RESAMPLES,
                       seed: int = DEFAULT_SEED) -> GamedEvaluation:
        """`evaluate` on a copy with gaming planted before the split (the store is never
        written): the evaluation, each scorer's gamer share of its top 1%, the truth."""
        spec = GamingSpec.parse(gaming, gaming_seed)
        gamed, _ = evaluate_gamed(self.connection, spec, _split(split), horizon,
                                  current_model(self.connection), k=k, resamples=resamples,
                                  seed=seed)
        return gamed

    # -- files out -----------------------------------------------------------------

    def export_scores(self, path: Path | str, *, as_of: Day | None = None,
                      network: str | None = None) -> int:
        """Write `scores` to a Parquet, CSV or JSON Lines file (by its name); rows written."""
        return self._export(self._scores_query(as_of, network), path)

    def export_history(self, path: Path | str, person: str | None = None, *,
                       start: Day | None = None, end: Day | None = None) -> int:
        """Write `history` (everyone by default) to a file; rows written."""
        return self._export(self._history_query(person, start, end), path)

    def export_topics(self, path: Path | str, *, as_of: Day | None = None) -> int:
        """Write `topic_table` to a file; rows written."""
        return self._export(topics_query(self._snapshot(as_of)), path)

    # -- internals -----------------------------------------------------------------

    def _snapshot(self, as_of: Day | None) -> SnapshotInfo:
        return current_snapshot(self.connection, as_of_day(as_of))

    def _scores_query(self, as_of: Day | None, network: str | None) -> TableQuery:
        con = self.connection
        info = self._snapshot(as_of)
        if network is not None and not con.execute(
                "SELECT 1 FROM account_scores WHERE run_id = ? AND network = ? LIMIT 1",
                [info.run_id, network]).fetchall():
            raise StoreError(f"no scores on network {network!r} on {info.as_of}")
        return scores_query(con, info, current_model(con), network)

    def _history_query(self, person: str | None, start: Day | None,
                       end: Day | None) -> TableQuery:
        person_id = self.resolve(person) if person is not None else None
        return history_query(current_model(self.connection).version, person_id,
                             as_day(start, "start"), as_day(end, "end"))

    def _export(self, query: TableQuery, path: Path | str) -> int:
        return write_query(self.connection, query.sql, query.params, Path(path))

    def _write(self, action: Callable[[duckdb.DuckDBPyConnection], _T]) -> _T:
        """Run a writing action, then publish a read snapshot if the store is served."""
        if self._read_only:
            raise StoreError(f"{self._path}: opened read-only; open it with read_only=False "
                             "to write")
        con = self.connection
        try:
            return action(con)
        finally:
            publish_if_served(con, self._path)


def as_of_day(value: Day | None) -> date | None:
    return as_day(value, "as_of")


def _split(value: Day) -> datetime:
    day = as_day(value, "split")
    assert day is not None
    return datetime(day.year, day.month, day.day)


def _account(text: str) -> tuple[str, str]:
    network, sep, account = text.partition(":")
    if not sep or not network or not account:
        raise StoreError(f"{text!r}: expected network:account")
    return network, account


def _model(model: Model | Path | str | None) -> Model | None:
    if model is None or isinstance(model, Model):
        return model
    return Model.load(Path(model))
