"""The 1–100 scale: a fixed, monotone, documented transform of raw influence.

Raw influence is in *effective people* (how many distinct people, weighted by
how surely and how influentially they responded).  The scale is defined by
anchor points (raw → score) in the model, and is linear in ln(raw) between
them, so it reads as "points per doubling of your effective audience".  Below
the first anchor it falls as a power of raw to exactly 1 at raw 0, and above
the last it approaches 100 as a power tail; both join their neighbouring
segment with the same slope, so the steepest slope anywhere is the steepest
segment's, which bounds how much a quiet week or month can cost.

The transform depends only on the model version, never on other people's
data, so nobody's score moves because unrelated people were busy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from renown.scoring.model import Model

FloatArray = npt.NDArray[np.float64]
MIN_SCORE = 1.0
MAX_SCORE = 100.0


def _anchors(model: Model) -> tuple[FloatArray, FloatArray, float, float]:
    """(ln raws, scores, low-end exponent α, tail exponent β)."""
    log_raw = np.log(np.asarray(model.scale_raws, dtype=np.float64))
    scores = np.asarray(model.scale_scores, dtype=np.float64)
    slopes = np.diff(scores) / np.diff(log_raw)
    alpha = slopes[0] / (scores[0] - MIN_SCORE)
    beta = slopes[-1] / (MAX_SCORE - scores[-1])
    return log_raw, scores, float(alpha), float(beta)


def max_points_per_e_fold(model: Model) -> float:
    """The scale's steepest slope: points gained per e-fold (×2.718) of raw."""
    log_raw, scores, _, _ = _anchors(model)
    return float(np.max(np.diff(scores) / np.diff(log_raw)))


def to_scale(raw: FloatArray, model: Model) -> FloatArray:
    """Raw influence (≥ 0) → score in [1, 100); raw 0 maps to exactly 1."""
    log_raw, scores, alpha, beta = _anchors(model)
    raw = np.maximum(np.asarray(raw, dtype=np.float64), 0.0)
    with np.errstate(divide="ignore"):
        ln = np.log(raw)
    result = np.interp(ln, log_raw, scores)
    low = ln < log_raw[0]
    result[low] = MIN_SCORE + (scores[0] - MIN_SCORE) * np.exp(alpha * (ln[low] - log_raw[0]))
    high = ln > log_raw[-1]
    result[high] = MAX_SCORE - (MAX_SCORE - scores[-1]) * np.exp(-beta * (ln[high] - log_raw[-1]))
    return result


def from_scale(score: FloatArray, model: Model) -> FloatArray:
    """Inverse of `to_scale`: the raw influence a score stands for."""
    log_raw, scores, alpha, beta = _anchors(model)
    score = np.clip(np.asarray(score, dtype=np.float64), MIN_SCORE, MAX_SCORE)
    ln = np.interp(score, scores, log_raw)
    low = score < scores[0]
    with np.errstate(divide="ignore"):
        ln[low] = log_raw[0] + np.log((score[low] - MIN_SCORE) / (scores[0] - MIN_SCORE)) / alpha
        high = score > scores[-1]
        ln[high] = log_raw[-1] - np.log((MAX_SCORE - score[high])
                                        / (MAX_SCORE - scores[-1])) / beta
    return np.exp(ln)


def offline_points(credential_units: FloatArray, model: Model) -> FloatArray:
    """Bounded points for offline credentials: rises quickly, never above the cap."""
    units = np.maximum(np.asarray(credential_units, dtype=np.float64), 0.0)
    return model.offline_max_points * (1.0 - np.exp(-units / model.offline_scale))
