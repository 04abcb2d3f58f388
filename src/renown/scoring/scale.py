"""The 1–100 scale: a fixed, monotone, documented transform of raw influence.

Raw influence is in *effective people* (how many distinct people, weighted by
how surely and how influentially they responded).  The scale is a logistic
curve in ln(raw) through the model's two anchors, so equal ratios of raw give
roughly equal steps in the middle of the scale and the top saturates softly
below 100.  It depends only on the model version, never on other people's
data, so nobody's score moves because unrelated people were busy.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from renown.scoring.model import Model

FloatArray = npt.NDArray[np.float64]
MIN_SCORE = 1.0
MAX_SCORE = 100.0


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def curve_parameters(model: Model) -> tuple[float, float]:
    """(centre μ, width s) of the logistic in ln(raw) that passes through both anchors."""
    span = MAX_SCORE - MIN_SCORE
    z_low = _logit((model.anchor_low_score - MIN_SCORE) / span)
    z_high = _logit((model.anchor_high_score - MIN_SCORE) / span)
    width = (math.log(model.anchor_high_raw) - math.log(model.anchor_low_raw)) / (z_high - z_low)
    centre = math.log(model.anchor_low_raw) - width * z_low
    return centre, width


def to_scale(raw: FloatArray, model: Model) -> FloatArray:
    """Raw influence (≥ 0) → score in [1, 100); raw 0 maps to exactly 1."""
    centre, width = curve_parameters(model)
    raw = np.asarray(raw, dtype=np.float64)
    with np.errstate(divide="ignore"):
        z = (np.log(raw) - centre) / width
    # 1 / (1 + e^-z), written to stay exact at raw = 0 (z = -inf → 0).
    return MIN_SCORE + (MAX_SCORE - MIN_SCORE) / (1.0 + np.exp(-z))


def from_scale(score: FloatArray, model: Model) -> FloatArray:
    """Inverse of `to_scale`: the raw influence a score stands for."""
    centre, width = curve_parameters(model)
    p = (np.asarray(score, dtype=np.float64) - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)
    with np.errstate(divide="ignore"):
        return np.exp(centre + width * np.log(p / (1 - p)))


def offline_points(credential_units: FloatArray, model: Model) -> FloatArray:
    """Bounded points for offline credentials: rises quickly, never above the cap."""
    units = np.maximum(np.asarray(credential_units, dtype=np.float64), 0.0)
    return model.offline_max_points * (1.0 - np.exp(-units / model.offline_scale))
