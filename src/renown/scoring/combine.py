"""From accounts to people: combine networks, add offline credentials, attribute points.

A person's online influence is the p-norm of their accounts' raw influence
(p ≥ 1): never below their best network, so linking another account never
lowers a score (property 4), and below the plain sum because audiences overlap.
The score's points are then attributed back so the parts add up exactly
(property 5): the p-norm is homogeneous of degree 1, so by Euler's theorem
account i's share is raw_i^p / Σ raw^p; within an account, components share
in proportion to their weighted raw parts; offline points are added on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from renown.scoring.model import Model
from renown.scoring.scale import MAX_SCORE, MIN_SCORE, to_scale

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class PersonScores:
    """Per-person results (aligned to person index) and per-account point shares."""

    raw: FloatArray
    online_points: FloatArray
    offline_points: FloatArray
    score: FloatArray
    #: Points each account contributes (aligned to the account rows).
    account_points: FloatArray
    #: Multiplier applied when the total had to be capped at 100 (1.0 otherwise).
    cap_factor: FloatArray


def combine_people(
    person_of_account: IntArray,
    account_raw: FloatArray,
    offline: FloatArray,
    model: Model,
) -> PersonScores:
    """Scores for ``len(offline)`` people from their accounts' raw influence."""
    n_people = len(offline)
    p = model.network_norm_p
    powered = np.power(np.maximum(account_raw, 0.0), p)
    sum_powered = np.bincount(person_of_account, weights=powered, minlength=n_people)
    raw = np.power(sum_powered, 1.0 / p)
    online = to_scale(raw, model)
    above_floor = online - MIN_SCORE
    total = online + offline
    over = total > MAX_SCORE
    cap_factor = np.ones(n_people)
    cap_factor[over] = (MAX_SCORE - MIN_SCORE) / (total[over] - MIN_SCORE)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(sum_powered[person_of_account] > 0,
                         powered / sum_powered[person_of_account], 0.0)
    account_points = above_floor[person_of_account] * share * cap_factor[person_of_account]
    score = MIN_SCORE + (above_floor + offline) * cap_factor
    return PersonScores(raw, above_floor * cap_factor, offline * cap_factor, score,
                        account_points, cap_factor)


def round_preserving_sum(values: FloatArray, total: float, decimals: int = 1) -> FloatArray:
    """Round parts to ``decimals`` so they add up exactly to ``total`` rounded likewise.

    Largest-remainder rounding: shown contributions always add up to the shown score.
    """
    scale = 10.0 ** decimals
    # round(total, decimals) rounds the exact binary value, as "{:.1f}" does when
    # the total is shown; round(total * scale) would not (48.45 → 484, shown 48.5).
    target = round(round(total, decimals) * scale)
    scaled = np.asarray(values, np.float64) * scale
    floors = np.floor(scaled)
    remainder = int(target - floors.sum())
    order = np.argsort(-(scaled - floors), kind="stable")
    if remainder > 0:
        floors[order[:remainder]] += 1
    elif remainder < 0:
        floors[order[::-1][: -remainder]] -= 1
    return floors / scale
