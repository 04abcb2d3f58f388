"""Finding people in a score snapshot: exact lookups and a filtered, paged leaderboard.

`renown.scoring.queries` answers the CLI's questions (one leaderboard, one
person); the HTTP API and the dashboard also need exact, non-guessing lookups
(an API must not resolve a display name to whoever happens to match) and a
leaderboard that can be searched, filtered by network and score band, and
paged with a total.  Ranks are positions in the unfiltered ranking, so a
search result still says where the person stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from renown.scoring.percentiles import percentile_sql
from renown.scoring.queries import BANDS, LeaderboardRow, current_snapshot
from renown.scoring.snapshots import SnapshotInfo
from renown.store.database import scalar


@dataclass(frozen=True, slots=True)
class AccountMatch:
    network: str
    account: str
    person_id: str
    display_name: str | None


@dataclass(frozen=True, slots=True)
class LeaderboardPage:
    snapshot: SnapshotInfo
    #: People (or accounts, with a network filter) matching the filters, all pages.
    total: int
    rows: list[LeaderboardRow]


def band_range(name: str) -> tuple[float, float]:
    """[lower, upper) of a score band by name (KeyError for an unknown band)."""
    bounds = {band: (lower, upper) for (lower, band), upper in
              zip(BANDS, (float("inf"), *(lower for lower, _ in BANDS[:-1])), strict=True)}
    return bounds[name]


def lookup_account(con: duckdb.DuckDBPyConnection, network: str,
                   account: str) -> AccountMatch | None:
    """The person behind exactly ``network:account`` (None when the account is unknown)."""
    rows = con.execute(
        "SELECT ap.network, ap.account, ap.person_id, a.display_name FROM account_people ap "
        "JOIN accounts a USING (network, account) WHERE ap.network = ? AND ap.account = ?",
        [network, account]).fetchall()
    return AccountMatch(*rows[0]) if rows else None


def find_person(con: duckdb.DuckDBPyConnection, text: str) -> str | None:
    """The person id for a person id or an exact ``network:account`` (never a guess)."""
    if scalar(con, "SELECT count(*) FROM people WHERE person_id = ?", [text]):
        return text
    network, sep, account = text.partition(":")
    if not sep:
        return None
    match = lookup_account(con, network, account)
    return match.person_id if match else None


def display_name(con: duckdb.DuckDBPyConnection, person_id: str) -> str | None:
    """The declared person's name, else any of their accounts' display names."""
    name = scalar(con, """
        SELECT coalesce((SELECT display_name FROM people WHERE person_id = $p),
                        (SELECT min(a.display_name) FROM account_people ap
                         JOIN accounts a USING (network, account) WHERE ap.person_id = $p))""",
                  {"p": person_id})
    return None if name is None else str(name)


def scored_networks(con: duckdb.DuckDBPyConnection, run_id: int) -> list[str]:
    """Networks with at least one scored account in a snapshot, sorted."""
    rows = con.execute("SELECT DISTINCT network FROM account_scores WHERE run_id = ? "
                       "ORDER BY 1", [run_id]).fetchall()
    return [str(r[0]) for r in rows]


_OVERALL = """
    WITH ranked AS (
        SELECT person_id, score, row_number() OVER (ORDER BY score DESC, person_id) AS rank,
               {percentile} AS percentile
        FROM person_scores WHERE run_id = $run),
    accounts_of AS (
        SELECT s.person_id, string_agg(DISTINCT s.network, ',' ORDER BY s.network) AS networks,
               sum(s.reactors) AS reactors, min(a.display_name) AS display_name,
               bool_or(s.account ILIKE $pattern ESCAPE '\\'
                       OR a.display_name ILIKE $pattern ESCAPE '\\') AS matched
        FROM account_scores s
        LEFT JOIN accounts a ON a.network = s.network AND a.account = s.account
        WHERE s.run_id = $run GROUP BY s.person_id),
    filtered AS (
        SELECT r.rank, r.person_id, r.score, coalesce(c.networks, '') AS networks,
               coalesce(c.reactors, 0) AS reactors, c.display_name, r.percentile
        FROM ranked r LEFT JOIN accounts_of c USING (person_id)
        WHERE ($pattern IS NULL OR r.person_id ILIKE $pattern ESCAPE '\\'
               OR coalesce(c.matched, false))
          AND r.score >= $low AND r.score < $high)
""".replace("{percentile}", percentile_sql("score"))

_BY_NETWORK = """
    WITH ranked AS (
        SELECT s.person_id, s.account, s.score, s.reactors, a.display_name,
               row_number() OVER (ORDER BY s.score DESC, s.person_id, s.account) AS rank,
               {percentile} AS percentile
        FROM account_scores s
        LEFT JOIN accounts a ON a.network = s.network AND a.account = s.account
        WHERE s.run_id = $run AND s.network = $network),
    filtered AS (
        SELECT rank, person_id, score, $network AS networks, reactors, display_name,
               percentile
        FROM ranked
        WHERE ($pattern IS NULL OR person_id ILIKE $pattern ESCAPE '\\'
               OR account ILIKE $pattern ESCAPE '\\' OR display_name ILIKE $pattern ESCAPE '\\')
          AND score >= $low AND score < $high)""".replace("{percentile}", percentile_sql("s.score"))


def search_leaderboard(
    con: duckdb.DuckDBPyConnection, *, network: str | None = None, query: str | None = None,
    band: str | None = None, min_score: float | None = None, max_score: float | None = None,
    limit: int = 20, offset: int = 0, day: date | None = None,
) -> LeaderboardPage:
    """People by score, filtered (substring ``query`` on ids, accounts and names; a
    network; a band; an inclusive score range) and paged.  With a network, rows are
    that network's accounts ranked by their score there."""
    info = current_snapshot(con, day)
    low, high = band_range(band) if band is not None else (0.0, float("inf"))
    if min_score is not None:
        low = max(low, min_score)
    if max_score is not None:
        high = min(high, float(max_score) + 1e-9)
    params: dict[str, object] = {"run": info.run_id, "low": low, "high": high,
                                 "pattern": _like_pattern(query)}
    sql = _OVERALL
    if network is not None:
        sql, params["network"] = _BY_NETWORK, network
    total = int(scalar(con, sql + " SELECT count(*) FROM filtered", params))
    rows = con.execute(sql + """ SELECT rank, person_id, score, networks, reactors, display_name,
                                        percentile
                                 FROM filtered ORDER BY rank LIMIT $limit OFFSET $offset""",
                       {**params, "limit": limit, "offset": offset}).fetchall()
    return LeaderboardPage(info, total, [
        LeaderboardRow(int(rank), str(pid), float(score), str(nets), int(reactors or 0), name,
                       float(percentile))
        for rank, pid, score, nets, reactors, name, percentile in rows])


def _like_pattern(query: str | None) -> str | None:
    """A case-insensitive substring pattern with LIKE's wildcards taken literally."""
    if query is None or not query.strip():
        return None
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
