"""+K endorsements: one person vouching for another on a topic, given through Renown.

* **Scarce**: a giver may endorse at most ``cap`` times in any ``cap_days``
  days (default 5 in 30), never themselves, and a receiver once per topic.
* **Weighted by the giver's standing**: ``weight = floor + (1 − floor) ×
  score/100``, *score* the giver's own topic score where the giver is
  attributed the topic on their posts alone (else 0, so weight = floor).
* **Reciprocal pairs discounted**: when the receiver has also endorsed the
  giver (any topic), both endorsements lose ``reciprocal_discount``.
* **Fading** like a reaction: × 2^(−age/half-life) of the model, and gone
  after the model's window.

Endorsements count as topic evidence (an endorser counts like a person who
reacted, at the endorsement's weight: `evidence`) and add a small bounded
contribution to the overall score, its own line in ``renown explain``:

    points = max_points × (1 − exp(−Σ weight / points_scale))      (≤ 5 points)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.errors import RenownError
from renown.scoring.model import Model
from renown.scoring.topics.config import EndorsementConfig
from renown.store.database import scalar, utc_now

FloatArray = npt.NDArray[np.float64]


class EndorsementError(ValueError, RenownError):
    """An endorsement that may not be given (cap reached, self, repeat, unknown topic)."""


@dataclass(frozen=True, slots=True)
class Endorsement:
    endorsement_id: int
    giver: str
    receiver: str
    topic: str
    given_at: datetime
    #: Endorsements the giver has left in the current cap window, after this one.
    remaining: int


def give_endorsement(con: duckdb.DuckDBPyConnection, giver: str, receiver: str, topic: str,
                     config: EndorsementConfig, *, known_topics: set[str],
                     at: datetime | None = None) -> Endorsement:
    """Record that person ``giver`` endorses person ``receiver`` on ``topic``."""
    at = at or utc_now()
    if giver == receiver:
        raise EndorsementError("nobody can endorse themselves")
    if topic not in known_topics:
        raise EndorsementError(f"unknown topic {topic!r} (see `renown ontology show`)")
    if scalar(con, "SELECT count(*) FROM endorsements WHERE giver = ? AND receiver = ? "
                   "AND topic = ?", [giver, receiver, topic]):
        raise EndorsementError(f"{giver} has already endorsed {receiver} on {topic}")
    since = at - timedelta(days=config.cap_days)
    used = int(scalar(con, "SELECT count(*) FROM endorsements WHERE giver = ? AND given_at > ? "
                           "AND given_at <= ?", [giver, since, at]))
    if used >= config.cap:
        raise EndorsementError(f"{giver} has given {used} endorsements in the {config.cap_days} "
                               f"days to {at:%Y-%m-%d}: the cap is {config.cap}")
    endorsement_id = int(scalar(con, "SELECT nextval('endorsement_ids')"))
    con.execute("INSERT INTO endorsements VALUES (?, ?, ?, ?, ?)",
                [endorsement_id, giver, receiver, topic, at])
    return Endorsement(endorsement_id, giver, receiver, topic, at, config.cap - used - 1)


def weigh_endorsements(con: duckdb.DuckDBPyConnection, as_of: datetime, model: Model,
                       config: EndorsementConfig, standings: pa.Table) -> pa.Table:
    """Each endorsement in the window with its weight (module docstring).

    ``standings`` (person_id, topic, topic_score) are the givers' attributed
    topics before endorsements count.  Returns endorsement_id, receiver,
    topic, giver, standing, reciprocal, weight.
    """
    con.register("_endorsement_standings", standings)
    try:
        table = con.sql(f"""
            WITH valid AS (
                SELECT *, (epoch(CAST($as_of AS TIMESTAMP)) - epoch(given_at)) / 86400.0 AS age
                FROM endorsements
                WHERE given_at < CAST($as_of AS TIMESTAMP)
                  AND given_at >= CAST($as_of AS TIMESTAMP)
                                  - INTERVAL ({float(model.window_days)}) DAY
            )
            SELECT v.endorsement_id, v.receiver, v.topic, v.giver,
                   coalesce(s.topic_score, 0.0) / 100.0 AS standing,
                   EXISTS (SELECT 1 FROM valid b WHERE b.giver = v.receiver
                           AND b.receiver = v.giver) AS reciprocal,
                   v.age
            FROM valid v LEFT JOIN _endorsement_standings s
              ON s.person_id = v.giver AND s.topic = v.topic
            ORDER BY v.endorsement_id
        """, params={"as_of": as_of}).to_arrow_table()
    finally:
        con.unregister("_endorsement_standings")
    weights = endorsement_weights(
        np.asarray(table["standing"].to_numpy(), np.float64),
        np.asarray(table["reciprocal"].to_numpy(zero_copy_only=False), bool),
        np.asarray(table["age"].to_numpy(), np.float64), model, config)
    return table.drop_columns(["age"]).append_column("weight", pa.array(weights, pa.float64()))


def endorsement_weights(standing: FloatArray, reciprocal: npt.NDArray[np.bool_],
                        age_days: FloatArray, model: Model,
                        config: EndorsementConfig) -> FloatArray:
    """floor + (1 − floor)·standing, discounted when reciprocal, fading with age."""
    base = config.floor_weight + (1.0 - config.floor_weight) * np.clip(standing, 0.0, 1.0)
    kept = np.where(reciprocal, 1.0 - config.reciprocal_discount, 1.0)
    return np.asarray(base * kept * np.exp2(-age_days / model.half_life_days), np.float64)


def endorsement_points(units: FloatArray, config: EndorsementConfig) -> FloatArray:
    """Bounded points for a receiver's summed endorsement weight (never above max_points)."""
    units = np.maximum(np.asarray(units, np.float64), 0.0)
    return np.asarray(config.max_points * (1.0 - np.exp(-units / config.points_scale)),
                      np.float64)


def points_by_receiver(weights: pa.Table, config: EndorsementConfig) -> pa.Table:
    """(person_id, endorsements, units, points) per receiver of weighed endorsements."""
    receivers = np.asarray(weights["receiver"].to_numpy(zero_copy_only=False), dtype=object)
    people, index = np.unique(receivers, return_inverse=True) if len(receivers) else (
        np.array([], dtype=object), np.array([], dtype=np.int64))
    units = np.bincount(index, weights=np.asarray(weights["weight"].to_numpy(), np.float64),
                        minlength=len(people))
    counts = np.bincount(index, minlength=len(people))
    return pa.table({"person_id": pa.array(people.tolist(), pa.string()),
                     "endorsements": pa.array(counts, pa.int64()),
                     "units": pa.array(units, pa.float64()),
                     "points": pa.array(endorsement_points(np.asarray(units, np.float64), config),
                                        pa.float64())})


def stored_points(con: duckdb.DuckDBPyConnection, run_id: int, person_id: str) -> float:
    """The endorsement points a stored snapshot gave a person (0 when none)."""
    value = scalar(con, "SELECT points FROM endorsement_points WHERE run_id = ? AND "
                        "person_id = ?", [run_id, person_id])
    return 0.0 if value is None else float(value)


def stored_points_on(con: duckdb.DuckDBPyConnection, day: date, model_version: str,
                     person_id: str) -> float:
    """`stored_points` of the snapshot of ``day`` under a model version (0 when none)."""
    run_id = scalar(con, "SELECT run_id FROM score_runs WHERE as_of = ? AND model_version = ?",
                    [day, model_version])
    return 0.0 if run_id is None else stored_points(con, int(run_id), person_id)
