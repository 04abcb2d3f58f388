"""Whole snapshots as tables: every person's score with its parts, history, topics.

A notebook wants all 300,000 scores of a data set as one Arrow table, and
`renown export` wants them in a file; both read the same query, so a file and
a table never disagree, and neither loops over people in Python (the file is
written by DuckDB's COPY).

The parts are the points of `renown.scoring.explain.contributions` summed per
component over a person's accounts, so for every row
``score = 1 + reach_points + amplification_points + network_points +
offline_points + endorsement_points`` (up to float rounding), the same
decomposition `renown explain` prints.  Per-network columns
(``score_twitter``, ``points_twitter``) hold the person's best account score
on each network and the points that network contributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from renown.scoring.model import Model
from renown.scoring.percentiles import percentile_sql
from renown.scoring.queries import BANDS
from renown.scoring.snapshots import SnapshotInfo


@dataclass(frozen=True, slots=True)
class TableQuery:
    """A query and its parameters: fetched as Arrow or copied to a file."""

    sql: str
    params: dict[str, object]

    def fetch(self, con: duckdb.DuckDBPyConnection) -> pa.Table:
        return con.sql(self.sql, params=self.params).to_arrow_table()


def network_columns(networks: list[str]) -> dict[str, str]:
    """Each network's column suffix (``score_twitter``): lower case letters, digits and
    underscores, numbered where two networks would read the same."""
    columns: dict[str, str] = {}
    for network in networks:
        base = re.sub(r"[^a-z0-9]+", "_", network.lower()).strip("_") or "network"
        name, n = base, 2
        while name in columns.values():
            name, n = f"{base}_{n}", n + 1
        columns[network] = name
    return columns


def band_sql(score: str = "score") -> str:
    """`renown.scoring.queries.band` as a SQL CASE."""
    cases = " ".join(f"WHEN {score} >= {lower} THEN '{name}'" for lower, name in BANDS)
    return f"CASE {cases} END"


def scores_query(con: duckdb.DuckDBPyConnection, info: SnapshotInfo, model: Model,
                 network: str | None = None) -> TableQuery:
    """Every person of a snapshot (or every account on one network), best first."""
    if network is not None:
        return _network_scores_query(info, network)
    networks = [str(n) for (n,) in con.execute(
        "SELECT DISTINCT network FROM account_scores WHERE run_id = ? ORDER BY 1",
        [info.run_id]).fetchall()]
    weights = model.component_weights()
    columns = network_columns(networks)
    per_network = ", ".join(
        f"max(score) FILTER (WHERE network = {_literal(n)}) AS {_ident('score_' + c)}, "
        f"coalesce(sum(points) FILTER (WHERE network = {_literal(n)}), 0) AS "
        f"{_ident('points_' + c)}" for n, c in columns.items())
    selected = ", ".join(f"a.{_ident(prefix + c)}" for c in columns.values()
                         for prefix in ("score_", "points_"))
    sql = f"""
        WITH accounts_of AS (
            SELECT person_id, network, account, score, points, reactors, reactions, posts,
                   CASE WHEN raw > 0 THEN points / raw ELSE 0 END AS per_raw,
                   reach, amplification, network_value
            FROM account_scores WHERE run_id = $run),
        per_person AS (
            SELECT person_id,
                   sum(per_raw * $w_reach * reach) AS reach_points,
                   sum(per_raw * $w_amplification * amplification) AS amplification_points,
                   sum(per_raw * $w_network * network_value) AS network_points,
                   string_agg(DISTINCT network, ',' ORDER BY network) AS networks,
                   sum(reactors) AS reactors, sum(reactions) AS reactions, sum(posts) AS posts,
                   arg_max(network || ':' || account, points) AS top_account
                   {', ' + per_network if per_network else ''}
            FROM accounts_of GROUP BY person_id),
        ranked AS (
            SELECT p.person_id, p.score, p.offline_points,
                   row_number() OVER (ORDER BY p.score DESC, p.person_id) AS rank,
                   {percentile_sql('p.score')} AS percentile
            FROM person_scores p WHERE p.run_id = $run)
        SELECT r.rank, r.person_id,
               coalesce(pe.display_name, acc.display_name) AS display_name,
               r.score, r.percentile, {band_sql('r.score')} AS band,
               coalesce(a.reach_points, 0) AS reach_points,
               coalesce(a.amplification_points, 0) AS amplification_points,
               coalesce(a.network_points, 0) AS network_points,
               r.offline_points, coalesce(e.points, 0) AS endorsement_points,
               coalesce(a.networks, '') AS networks, coalesce(a.reactors, 0) AS reactors,
               coalesce(a.reactions, 0) AS reactions, coalesce(a.posts, 0) AS posts
               {', ' + selected if selected else ''},
               CAST($as_of AS DATE) AS as_of, CAST($version AS VARCHAR) AS model_version
        FROM ranked r
        LEFT JOIN per_person a USING (person_id)
        LEFT JOIN people pe USING (person_id)
        LEFT JOIN accounts acc ON acc.network || ':' || acc.account = a.top_account
        LEFT JOIN endorsement_points e ON e.run_id = $run AND e.person_id = r.person_id
        ORDER BY r.rank"""
    return TableQuery(sql, {"run": info.run_id, "as_of": info.as_of,
                            "version": info.model_version,
                            **{f"w_{k}": v for k, v in weights.items()}})


def _network_scores_query(info: SnapshotInfo, network: str) -> TableQuery:
    sql = f"""
        WITH ranked AS (
            SELECT s.*, row_number() OVER (ORDER BY s.score DESC, s.person_id, s.account)
                        AS rank,
                   {percentile_sql('s.score')} AS percentile
            FROM account_scores s WHERE s.run_id = $run AND s.network = $network)
        SELECT r.rank, r.person_id, r.network, r.account, a.display_name, r.score,
               r.percentile, {band_sql('r.score')} AS band, r.points, r.reach,
               r.amplification, r.network_value, r.reactors, r.reactions, r.posts,
               CAST($as_of AS DATE) AS as_of, CAST($version AS VARCHAR) AS model_version
        FROM ranked r LEFT JOIN accounts a ON a.network = r.network AND a.account = r.account
        ORDER BY r.rank"""
    return TableQuery(sql, {"run": info.run_id, "network": network, "as_of": info.as_of,
                            "version": info.model_version})


def history_query(model_version: str, person_id: str | None = None,
                  start: date | None = None, end: date | None = None) -> TableQuery:
    """Every stored daily score under a model (one person, or everyone), oldest first.

    The percentile is each day's own: among the people scored that day.
    """
    sql = f"""
        WITH daily AS (
            SELECT r.as_of, p.person_id, p.score,
                   {percentile_sql('p.score', partition='p.run_id')} AS percentile
            FROM person_scores p JOIN score_runs r USING (run_id)
            WHERE r.model_version = $version
              AND (CAST($start AS DATE) IS NULL OR r.as_of >= CAST($start AS DATE))
              AND (CAST($end AS DATE) IS NULL OR r.as_of <= CAST($end AS DATE)))
        SELECT person_id, as_of, score, percentile, CAST($version AS VARCHAR) AS model_version
        FROM daily WHERE CAST($person AS VARCHAR) IS NULL OR person_id = $person
        ORDER BY person_id, as_of"""
    return TableQuery(sql, {"version": model_version, "person": person_id,
                            "start": start, "end": end})


def topics_query(info: SnapshotInfo) -> TableQuery:
    """Every topic attributed in a snapshot, with its evidence counts, strongest first."""
    sql = """
        SELECT person_id, topic, direct, confidence, topic_score, posts, days, reactors,
               endorsers, CAST($as_of AS DATE) AS as_of,
               CAST($version AS VARCHAR) AS model_version
        FROM topic_attributions WHERE run_id = $run
        ORDER BY person_id, topic_score DESC, topic"""
    return TableQuery(sql, {"run": info.run_id, "as_of": info.as_of,
                            "version": info.model_version})


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
