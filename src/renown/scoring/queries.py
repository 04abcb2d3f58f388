"""Reading scores back: finding a person, leaderboards, summaries, history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import duckdb

from renown.errors import RenownError
from renown.scoring.percentiles import percentile_of, percentile_sql
from renown.scoring.registry import current_model
from renown.scoring.snapshots import SnapshotInfo, latest_run
from renown.store.database import scalar

#: Score bands, so a number comes with words (lower bound, name).
BANDS: Final = ((80.0, "leading"), (60.0, "influential"), (40.0, "notable"),
                (20.0, "active"), (0.0, "quiet"))


class PersonNotFoundError(LookupError, RenownError):
    """No person matches, or several do (the message says which)."""


class NoScoresError(LookupError, RenownError):
    """No snapshot to read (nothing scored yet, or nothing on or before the day asked)."""


def band(score: float) -> str:
    return next(name for lower, name in BANDS if score >= lower)


def resolve_person(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """A person id from a person id, ``network:account``, a bare account or a display name."""
    if scalar(con, "SELECT count(*) FROM people WHERE person_id = ?", [text]):
        return text
    network, sep, account = text.partition(":")
    if sep:
        found = scalar(con, "SELECT person_id FROM account_people WHERE network = ? AND "
                            "account = ?", [network, account])
        if found is not None:
            return str(found)
    matches = con.execute(
        "SELECT DISTINCT ap.person_id FROM account_people ap JOIN accounts a USING "
        "(network, account) WHERE a.account = ? OR lower(a.display_name) = lower(?) "
        "ORDER BY 1 LIMIT 6", [text, text]).fetchall()
    if len(matches) == 1:
        return str(matches[0][0])
    if not matches:
        raise PersonNotFoundError(f"no person or account matches {text!r}")
    names = ", ".join(str(m[0]) for m in matches[:5])
    raise PersonNotFoundError(f"{text!r} is ambiguous: {names}; use network:account")


def current_snapshot(con: duckdb.DuckDBPyConnection, day: date | None = None) -> SnapshotInfo:
    info = latest_run(con, current_model(con).version, day)
    if info is None:
        where = f" on or before {day}" if day is not None else ""
        raise NoScoresError(f"no scores{where} yet: run `renown score` first")
    return info


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    rank: int
    person_id: str
    score: float
    networks: str
    reactors: int
    display_name: str | None
    #: Percentile rank among everyone scored that day (on the network, for a network's
    #: leaderboard): `renown.scoring.percentiles`.
    percentile: float


def leaderboard(con: duckdb.DuckDBPyConnection, *, network: str | None = None,
                limit: int = 20, offset: int = 0, day: date | None = None) -> list[LeaderboardRow]:
    """People by score (overall, or by their score on one network)."""
    info = current_snapshot(con, day)
    if network is None:
        sql = f"""
            WITH page AS (
                SELECT person_id, score, {percentile_sql()} AS percentile FROM person_scores
                WHERE run_id = $run ORDER BY score DESC, person_id LIMIT $limit OFFSET $offset)
            SELECT p.person_id, p.score, string_agg(DISTINCT s.network, ',' ORDER BY s.network),
                   sum(s.reactors), any_value(a.display_name), p.percentile
            FROM page p
            LEFT JOIN account_scores s ON s.run_id = $run AND s.person_id = p.person_id
            LEFT JOIN accounts a ON a.network = s.network AND a.account = s.account
            GROUP BY p.person_id, p.score, p.percentile
            ORDER BY p.score DESC, p.person_id"""
    else:
        sql = f"""
            WITH ranked AS (
                SELECT *, {percentile_sql()} AS percentile FROM account_scores
                WHERE run_id = $run AND network = $network)
            SELECT s.person_id, s.score, s.network, s.reactors, a.display_name, s.percentile
            FROM ranked s
            LEFT JOIN accounts a ON a.network = s.network AND a.account = s.account
            ORDER BY s.score DESC, s.person_id LIMIT $limit OFFSET $offset"""
    params: dict[str, object] = {"run": info.run_id, "limit": limit, "offset": offset}
    if network is not None:
        params["network"] = network
    rows = con.execute(sql, params).fetchall()
    return [LeaderboardRow(offset + i + 1, str(pid), float(score), str(nets or ""),
                           int(reactors or 0), name, float(percentile))
            for i, (pid, score, nets, reactors, name, percentile) in enumerate(rows)]


@dataclass(frozen=True, slots=True)
class NetworkScore:
    network: str
    account: str
    score: float
    points: float
    reach: float
    amplification: float
    network_value: float
    reactors: int
    reactions: int
    posts: int


@dataclass(frozen=True, slots=True)
class PersonSummary:
    person_id: str
    as_of: date
    model_version: str
    score: float
    band: str
    #: Percentile rank among everyone scored that day under the model (0–100).
    percentile: float
    offline_points: float
    networks: list[NetworkScore]
    #: Change since 1, 7 and 30 days earlier (None where no snapshot exists).
    deltas: dict[str, float | None] = field(default_factory=dict)


def person_summary(con: duckdb.DuckDBPyConnection, person_id: str,
                   day: date | None = None) -> PersonSummary:
    info = current_snapshot(con, day)
    row = con.execute("SELECT score, offline_points FROM person_scores "
                      "WHERE run_id = ? AND person_id = ?", [info.run_id, person_id]).fetchall()
    if not row:
        raise PersonNotFoundError(f"{person_id!r} has no score on {info.as_of}")
    score, offline = float(row[0][0]), float(row[0][1])
    networks = [NetworkScore(*r) for r in con.execute(
        "SELECT network, account, score, points, reach, amplification, network_value, "
        "reactors, reactions, posts FROM account_scores WHERE run_id = ? AND person_id = ? "
        "ORDER BY points DESC, network, account", [info.run_id, person_id]).fetchall()]
    deltas = {label: _delta(con, person_id, info, days, score)
              for label, days in (("day", 1), ("week", 7), ("month", 30))}
    return PersonSummary(person_id, info.as_of, info.model_version, score, band(score),
                         percentile_of(con, info.run_id, score), offline, networks, deltas)


def _delta(con: duckdb.DuckDBPyConnection, person_id: str, info: SnapshotInfo, days: int,
           score: float) -> float | None:
    earlier = scalar(con, """
        SELECT p.score FROM person_scores p JOIN score_runs r USING (run_id)
        WHERE r.model_version = ? AND r.as_of = ? AND p.person_id = ?""",
        [info.model_version, info.as_of - timedelta(days=days), person_id])
    return None if earlier is None else score - float(earlier)


def history(con: duckdb.DuckDBPyConnection, person_id: str, start: date | None = None,
            end: date | None = None) -> list[tuple[date, float, str, float]]:
    """(day, score, model version, that day's percentile) for every stored snapshot of a
    person under the current model, oldest first."""
    rows = con.execute("""
        WITH mine AS (
            SELECT p.run_id, r.as_of, p.score, r.model_version FROM person_scores p
            JOIN score_runs r USING (run_id) WHERE p.person_id = ? AND r.model_version = ?
              AND (CAST(? AS DATE) IS NULL OR r.as_of >= ?)
              AND (CAST(? AS DATE) IS NULL OR r.as_of <= ?))
        SELECT m.as_of, m.score, m.model_version,
               100.0 * (count(*) FILTER (WHERE o.score < m.score)
                        + 0.5 * count(*) FILTER (WHERE o.score = m.score)) / count(*)
        FROM mine m JOIN person_scores o ON o.run_id = m.run_id
        GROUP BY m.as_of, m.score, m.model_version ORDER BY m.as_of""",
        [person_id, current_model(con).version, start, start, end, end]).fetchall()
    return [(d, float(s), str(v), float(pct)) for d, s, v, pct in rows]


@dataclass(frozen=True, slots=True)
class ScoreDistribution:
    """How scores spread in the current snapshot (everyone, and people with an audience)."""

    as_of: date
    model_version: str
    people: int
    with_audience: int
    #: Quantiles over everyone and over people with at least one reactor.
    quantiles_all: dict[str, float]
    quantiles_audience: dict[str, float]
    #: People per score band.
    bands: dict[str, int]


_QUANTILES: Final = (("p10", 0.1), ("p25", 0.25), ("median", 0.5), ("p75", 0.75),
                     ("p90", 0.9), ("p99", 0.99), ("max", 1.0))


def score_distribution(con: duckdb.DuckDBPyConnection) -> ScoreDistribution:
    """The spread of the current snapshot's scores (`renown status --scores`)."""
    info = current_snapshot(con)
    probabilities = [p for _, p in _QUANTILES]

    def quantiles(where: str) -> dict[str, float]:
        values = scalar(con, f"""
            SELECT quantile_cont(p.score, {probabilities}) FROM person_scores p
            WHERE p.run_id = $run {where}""", {"run": info.run_id})
        return {name: float(v) for (name, _), v in zip(_QUANTILES, values or [], strict=False)}

    audience = """AND p.person_id IN (SELECT person_id FROM account_scores
                                      WHERE run_id = $run AND reactors > 0)"""
    with_audience = scalar(con, f"SELECT count(*) FROM person_scores p WHERE p.run_id = $run "
                                f"{audience}", {"run": info.run_id})
    band_case = " ".join(f"WHEN score >= {lower} THEN '{name}'" for lower, name in BANDS)
    bands = {name: 0 for _, name in BANDS}
    bands.update({str(name): int(n) for name, n in con.execute(
        f"SELECT CASE {band_case} END, count(*) FROM person_scores WHERE run_id = ? GROUP BY 1",
        [info.run_id]).fetchall()})
    return ScoreDistribution(info.as_of, info.model_version, info.people, int(with_audience),
                             quantiles(""), quantiles(audience), bands)
