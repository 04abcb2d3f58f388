"""Evaluate on gamed real data: a scratch copy, planted gaming, and the gamers' share of the top.

The store the user points at is only read: its events, accounts and
identities are copied into an in-memory store, gaming is planted there
(`renown.evaluate.gaming.plant`), and the usual evaluation runs on the copy.
Besides the rank metrics it reports, per scorer, the share of its top 1% held
by planted accounts (in expectation over random tie-breaking, like the top-k
metrics): every planted account is a ranking error, since none of them draws a
genuine responder after the split.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.evaluate.bootstrap import DEFAULT_K, DEFAULT_RESAMPLES, DEFAULT_SEED
from renown.evaluate.gaming import (
    ACTIVE_DAYS,
    BENEFICIARY_ROLES,
    PLANTED_PREFIX,
    PLANTERS,
    Batch,
    Context,
    GamingSpec,
    GamingSpecError,
    KindSummary,
    Planted,
)
from renown.evaluate.harness import Evaluation, EvaluationData, collect, measure
from renown.evaluate.metrics import TOP_SHARE, Ordering
from renown.evaluate.outcomes import PLANTED_TABLE, SYSTEM_LIKE, sql_list
from renown.events import OFFLINE_NETWORK, REACTION_KINDS
from renown.scoring.model import Model
from renown.store.database import connect

FloatArray = npt.NDArray[np.float64]

#: Tables the scorers and the evaluation read; nothing else is copied.
_COPIED: Final = ("events", "accounts", "people", "identities")


def gamed_copy(source: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """An in-memory store holding ``source``'s events, accounts and identities."""
    copy = connect(":memory:")
    try:
        for table in _COPIED:
            columns = [str(row[0]) for row in source.execute(
                f"SELECT column_name FROM (DESCRIBE {table})").fetchall()]
            data = source.sql(f"SELECT {', '.join(columns)} FROM {table}").to_arrow_table()
            copy.register("_copy_source", data)
            try:
                copy.execute(f"INSERT INTO {table} ({', '.join(columns)}) "
                             f"SELECT {', '.join(columns)} FROM _copy_source")
            finally:
                copy.unregister("_copy_source")
    except BaseException:
        copy.close()
        raise
    return copy


def top_share_of(flags: npt.NDArray[np.bool_], scores: FloatArray,
                 share: float = TOP_SHARE) -> float:
    """Expected share of the top ``share`` of ``scores`` held by ``flags`` (random tie-breaking)."""
    n = scores.size
    if n == 0:
        return float("nan")
    slots = max(1, math.ceil(share * n))
    order = Ordering.of(scores)
    groups = order.group_of
    sizes = np.bincount(groups, minlength=order.starts.size).astype(np.float64)
    flagged = np.bincount(groups, weights=flags.astype(np.float64),
                          minlength=order.starts.size)
    starts = order.starts.astype(np.float64)
    taken = np.clip(slots - starts, 0.0, sizes)
    return float(np.sum(np.where(sizes > 0, flagged / np.maximum(sizes, 1.0) * taken, 0.0))
                 / slots)


def gaming_context(con: duckdb.DuckDBPyConnection, split: datetime,
                   window_days: float) -> Context:
    """The network to game and the sizes the data implies, from events before the split."""
    start = split - timedelta(days=window_days)
    params: dict[str, object] = {"start": start, "split": split}
    row = con.execute(f"""
        SELECT network, min(ts) FROM events
        WHERE ts >= $start AND ts < $split AND network <> '{OFFLINE_NETWORK}'
        GROUP BY network ORDER BY count(*) DESC, network LIMIT 1""", params).fetchone()
    if row is None:
        raise GamingSpecError("no events before the split to plant gaming beside")
    network, first = str(row[0]), row[1]
    assert isinstance(first, datetime)
    params["network"] = network
    reactions = con.execute(f"""
        SELECT subject, count(DISTINCT actor) AS reactors FROM events
        WHERE network = $network AND ts >= $start AND ts < $split
          AND kind IN ({sql_list(REACTION_KINDS)}) AND subject IS NOT NULL
          AND subject <> actor AND subject NOT LIKE {SYSTEM_LIKE}
        GROUP BY subject""", params).fetchnumpy()
    people = con.execute("""
        SELECT count(*) FROM (SELECT actor FROM events WHERE network = $network
            AND ts >= $start AND ts < $split
            UNION SELECT subject FROM events WHERE network = $network
            AND ts >= $start AND ts < $split AND subject IS NOT NULL)""", params).fetchone()
    mix = con.execute(f"""
        SELECT kind, count(*) FROM events
        WHERE network = $network AND ts >= $start AND ts < $split
          AND kind IN ({sql_list(REACTION_KINDS)}) AND actor NOT LIKE {SYSTEM_LIKE}
        GROUP BY kind ORDER BY kind""", params).fetchall()
    counts = np.asarray(reactions["reactors"], np.float64)
    top_slots = max(1, math.ceil(0.01 * int(people[0] if people else 0)))
    if counts.size == 0 or not mix:
        raise GamingSpecError(f"{network}: no reactions before the split to size gaming from")
    weights = np.asarray([n for _, n in mix], np.float64)
    low, high = _targets(counts, top_slots)
    return Context(
        network=network, start=max(first, split - timedelta(days=ACTIVE_DAYS)), split=split,
        top_slots=top_slots,
        target_low=low, target_high=high,
        reaction_kinds=tuple(str(k) for k, _ in mix), reaction_mix=weights / weights.sum(),
        popular=np.asarray(reactions["subject"], dtype=str),
        popular_p=np.full(counts.size, 1.0 / counts.size))


def _targets(reactors: npt.NDArray[np.float64], top_slots: int) -> tuple[int, int]:
    """1.5 × the distinct reactors at rank ``top_slots`` (at least 10) and at rank 100."""
    ranked = np.sort(reactors)[::-1]
    low = max(10, math.ceil(1.5 * float(ranked[min(top_slots, ranked.size) - 1])))
    high = max(low, math.ceil(1.5 * float(ranked[min(100, ranked.size) - 1])))
    return low, high


def plant(con: duckdb.DuckDBPyConnection, spec: GamingSpec, split: datetime,
          window_days: float) -> Planted:
    """Insert the planted events and accounts into ``con``; truth goes to ``_eval_planted``.

    ``con`` must be a scratch copy (`renown.evaluate.gamed.gamed_copy`): this writes.
    """
    ctx = gaming_context(con, split, window_days)
    rng = np.random.default_rng(spec.seed)
    summaries = []
    con.execute(f"""CREATE TEMP TABLE IF NOT EXISTS {PLANTED_TABLE}
                    (network VARCHAR, account VARCHAR, gaming_kind VARCHAR, role VARCHAR)""")
    for kind, share in spec.shares:
        batch = Batch(kind, ctx, rng)
        sizing = PLANTERS[kind](batch, share)
        _insert(con, batch)
        roles = list(batch.roles.values())
        beneficiaries = sum(role in BENEFICIARY_ROLES for role in roles)
        summaries.append(KindSummary(kind, beneficiaries, len(roles) - beneficiaries,
                                     len(batch.columns["actor"]), sizing))
    return Planted(spec, ctx.network, ctx.target_low, ctx.target_high, ctx.top_slots,
                   tuple(summaries))



def _insert(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    network = batch.ctx.network
    n = len(batch.columns["actor"])
    events = pa.table({
        "network": [network] * n,
        "event_id": [f"{PLANTED_PREFIX}{batch.kind}-{i}" for i in range(n)],
        "ts": pa.array(batch.columns["ts"], pa.timestamp("us")),
        "actor": batch.columns["actor"], "kind": batch.columns["kind"],
        "subject": pa.array(batch.columns["subject"], pa.string()),
    })
    truth = pa.table({"network": [network] * len(batch.roles),
                      "account": list(batch.roles), "gaming_kind": [batch.kind] * len(batch.roles),
                      "role": list(batch.roles.values())})
    con.register("_planted_events", events)
    con.register("_planted_truth", truth)
    try:
        con.execute("""INSERT INTO events (network, event_id, ts, actor, kind, subject,
                                           ingestion_id)
                       SELECT network, event_id, ts, actor, kind, subject, -1
                       FROM _planted_events""")
        con.execute("""INSERT INTO accounts (network, account, first_seen, last_seen)
                       SELECT network, account, NULL, NULL FROM _planted_truth
                       ON CONFLICT DO NOTHING""")
        con.execute(f"INSERT INTO {PLANTED_TABLE} SELECT * FROM _planted_truth")
    finally:
        con.unregister("_planted_events")
        con.unregister("_planted_truth")


@dataclass(frozen=True, slots=True)
class GamedEvaluation:
    """An evaluation on gamed data, what was planted, and the gamers' share of each top 1%."""

    planted: Planted
    evaluation: Evaluation
    #: Scorer → share of its top 1% (eligible people) held by planted accounts.
    gamer_share: dict[str, float]
    #: Planted people among the eligible.
    gamers: int
    #: Ground truth: every planted account (network, account, gaming_kind, role).
    truth: pa.Table

    def to_dict(self) -> dict[str, object]:
        """What was planted and each scorer's gamer share (for --json and reports)."""
        return {"spec": self.planted.spec.label, "seed": self.planted.spec.seed,
                "network": self.planted.network,
                "targets": [self.planted.target_low, self.planted.target_high],
                "top_slots": self.planted.top_slots, "gamers_eligible": self.gamers,
                "kinds": [asdict(kind) for kind in self.planted.kinds],
                "gamer_share_top1%": self.gamer_share}


def planted_flags(con: duckdb.DuckDBPyConnection, data: EvaluationData) -> npt.NDArray[np.bool_]:
    """Which of ``data``'s people are planted accounts (in its person order)."""
    planted = {str(row[0]) for row in con.execute(f"""
        SELECT DISTINCT ap.person_id FROM {PLANTED_TABLE} g
        JOIN account_people ap USING (network, account)""").fetchall()}
    return np.fromiter((person in planted for person in data.person_ids), dtype=bool,
                       count=data.person_ids.size)


def evaluate_gamed(source: duckdb.DuckDBPyConnection, spec: GamingSpec, split: datetime,
                   horizon_days: float, model: Model, *, candidates: tuple[Model, ...] = (),
                   k: int = DEFAULT_K, resamples: int = DEFAULT_RESAMPLES,
                   seed: int = DEFAULT_SEED) -> tuple[GamedEvaluation, EvaluationData]:
    """Plant ``spec`` into a copy of ``source`` before ``split``, then evaluate as usual."""
    copy = gamed_copy(source)
    try:
        planted = plant(copy, spec, split, model.window_days)
        data = collect(copy, split, horizon_days, model, candidates)
        flags = planted_flags(copy, data)
        truth = copy.sql(f"SELECT * FROM {PLANTED_TABLE} ORDER BY account").to_arrow_table()
    finally:
        copy.close()
    evaluation = measure(data, k=k, resamples=resamples, seed=seed)
    shares = {key: top_share_of(flags, values) for key, values in data.scores.items()}
    return GamedEvaluation(planted, evaluation, shares, int(flags.sum()), truth), data
