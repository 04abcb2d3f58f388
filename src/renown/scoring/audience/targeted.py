"""Influence within an audience (DESIGN.md property 7).

"Influence among capital-markets professionals" must not be a mass-market
star's overall influence seen through a filter: the star is read by
millions, and some of them are read by the professionals, so propagation
personalised to the audience alone still ranks the star near the top (on
the simulated world, at the 98th–99th percentile of the audience ranking,
with no reaction from the audience at all).  So every component is taken *within
the audience*, with the same formulas and model as the main score:

- **Reach** counts only reactors who are audience members: how many of the
  audience respond to you (same pair weights: decay, selectivity,
  saturation, ring discount).
- **Amplification**: the same, saturated reactions per post from audience
  members only.
- **Network**: the influence the audience's own attention sends you through
  the reaction graph: PageRank whose teleport is the audience (Haveliwala's
  topic-sensitive PageRank), so influence starts in the audience and flows
  along reactions, reaching you directly or through the people the audience
  listens to.  Units: an average audience member (the main score's unit is
  an average account).

Raw influence is the model's mix of the three, accounts combine into people
by the model's p-norm, and the model's 1–100 scale applies, so "40 within
this audience" reads like "40 overall": about five effective audience
members.  Offline credentials do not count (they are no audience's
response).  The audience is everyone when it lists every account: then the
audience score equals the main online score (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.stats import rankdata

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.audience.spec import AudienceError, AudienceSpec, audience_members
from renown.scoring.combine import combine_people
from renown.scoring.components import Components, amplification
from renown.scoring.model import Model
from renown.scoring.pipeline import compute_scores
from renown.scoring.registry import current_model
from renown.scoring.run import latest_event_day
from renown.scoring.scale import to_scale
from renown.scoring.signals import QUANTUM
from renown.scoring.snapshots import day_end

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class AudienceRun:
    """Scores within one audience as of one day."""

    label: str
    as_of: date
    model: Model
    #: The accounts the audience names that the database knows (network, account).
    member_accounts: pa.Table
    #: How many they are.
    members: int
    #: Of them, accounts active in the scoring window (where the teleport goes).
    active_members: int
    #: Per account: network, account, person_id, reach, amplification,
    #: network_value, influence (rank in units of an average audience member),
    #: raw, score, points, audience_reactors, audience_reactions.
    accounts: pa.Table
    #: Per person, best first: person_id, score, raw, rank, percentile,
    #: reach, amplification, network_value, audience_reactors, audience_reactions.
    people: pa.Table


def audience_scores(con: duckdb.DuckDBPyConnection, audience: AudienceSpec,
                    day: date | None = None) -> pa.Table:
    """Per person, best first: person_id, score (1–100), raw, rank, percentile and the parts.

    ``day`` defaults to the newest event's day.  See `AudienceRun.people`.
    """
    return score_audience(con, audience, day).people


def score_audience(con: duckdb.DuckDBPyConnection, audience: AudienceSpec,
                   day: date | None = None) -> AudienceRun:
    """Score everyone within ``audience`` (see the module docstring).

    Leaves the window's ``_signal_pairs`` on the connection for evidence queries.
    """
    model = current_model(con)
    day = day or latest_event_day(con)
    as_of = day_end(day)
    members = audience_members(con, audience, before=as_of)
    run = compute_scores(con, as_of, model, personalization_accounts=members)
    n_nodes, active = _node_counts(con, members)
    if active == 0:
        raise AudienceError(f"none of the {members.num_rows} accounts of audience "
                            f"{audience.label} is active in the window ending {day}")
    accounts = _audience_accounts(con, run.accounts, members, model, active / n_nodes)
    return AudienceRun(audience.label, day, model, members, members.num_rows, active,
                       *_people(accounts, model))


def _node_counts(con: duckdb.DuckDBPyConnection, members: pa.Table) -> tuple[int, int]:
    """Accounts in the window's reaction graph (counted as the pipeline does), and members."""
    con.register("_audience_members", members)
    try:
        rows = con.execute(f"""
            WITH nodes AS (
                SELECT network, account FROM _signal_accounts
                UNION SELECT network, reactor FROM _signal_pairs
                UNION SELECT network, author FROM _signal_pairs)
            SELECT count(*), count(m.account) FROM nodes n
            LEFT JOIN _audience_members m USING (network, account)
            WHERE n.account NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%'""").fetchall()
    finally:
        con.unregister("_audience_members")
    return int(rows[0][0]), int(rows[0][1])


def _audience_accounts(con: duckdb.DuckDBPyConnection, scored: pa.Table, members: pa.Table,
                       model: Model, unit: float) -> pa.Table:
    """Per account: the three components within the audience, raw and score.

    ``unit`` converts the pipeline's "average account" units into "average
    audience member" units (active members / accounts in the graph).
    """
    con.register("_audience_members", members)
    con.register("_audience_scored", scored)
    try:
        rows = con.execute("""
            WITH within AS (
                SELECT p.network, p.author AS account, sum(p.reach_q) AS reach_q,
                       sum(p.sat_q) AS sat_q, count(*) AS reactors,
                       CAST(sum(p.reactions) AS BIGINT) AS reactions
                FROM _signal_pairs p JOIN _audience_members m
                  ON m.network = p.network AND m.account = p.reactor
                GROUP BY ALL)
            SELECT s.network, s.account, s.person_id, a.posts_q, s.network_value, s.influence,
                   coalesce(w.reach_q, 0) AS reach_q, coalesce(w.sat_q, 0) AS sat_q,
                   coalesce(w.reactors, 0) AS reactors, coalesce(w.reactions, 0) AS reactions
            FROM _audience_scored s JOIN _signal_accounts a USING (network, account)
            LEFT JOIN within w USING (network, account)
            ORDER BY s.network, s.account""").fetchnumpy()
    finally:
        con.unregister("_audience_members")
        con.unregister("_audience_scored")
    comps = Components(
        reach=rows["reach_q"].astype(np.float64) / QUANTUM,
        amplification=amplification(rows["sat_q"].astype(np.float64) / QUANTUM,
                                    rows["posts_q"].astype(np.float64) / QUANTUM, model),
        network=rows["network_value"].astype(np.float64) * unit)
    raw = comps.raw(model)
    return pa.table({
        "network": rows["network"], "account": rows["account"], "person_id": rows["person_id"],
        "reach": comps.reach, "amplification": comps.amplification,
        "network_value": comps.network, "influence": rows["influence"] * unit, "raw": raw,
        "score": to_scale(raw, model), "audience_reactors": rows["reactors"],
        "audience_reactions": rows["reactions"],
    })


def _people(accounts: pa.Table, model: Model) -> tuple[pa.Table, pa.Table]:
    """Accounts into people (p-norm, no offline points), ranked best first."""
    ids, person_of = np.unique(accounts["person_id"].to_numpy(zero_copy_only=False),
                               return_inverse=True)
    raw = accounts["raw"].to_numpy()
    scores = combine_people(person_of, raw, np.zeros(ids.size), model)
    accounts = accounts.append_column("points", pa.array(scores.account_points))

    def per_person(column: str) -> FloatArray:
        values = accounts[column].to_numpy().astype(np.float64)
        return np.asarray(np.bincount(person_of, weights=values, minlength=ids.size),
                          np.float64)

    order = np.lexsort((ids, -scores.raw))
    people = pa.table({
        "person_id": ids, "score": scores.score, "raw": scores.raw,
        "rank": rankdata(-scores.raw, method="min").astype(np.int64),
        "percentile": rankdata(scores.raw, method="average") / max(ids.size, 1),
        "reach": per_person("reach"), "amplification": per_person("amplification"),
        "network_value": per_person("network_value"),
        "audience_reactors": per_person("audience_reactors").astype(np.int64),
        "audience_reactions": per_person("audience_reactions").astype(np.int64),
    }).take(pa.array(order))
    return accounts, people
