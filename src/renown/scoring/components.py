"""Reach, Amplification and Network per account, from signals and propagation.

All three are in *effective people*, so they add into one raw influence:

- **Reach** — Σ over reactors of 1 − exp(−w/c): distinct people who responded,
  each counted at most once however often they reacted.
- **Amplification** — saturated reactions per post, smoothed with a prior and
  with diminishing returns in the post count: S · sqrt(m / (m + P)).  Posting
  more without more response can only lower it.
- **Network** — the influence that reached the account through the reaction
  graph (PageRank inflow), in units of an average account's influence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from renown.scoring.model import Model

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Components:
    """Per-account components (aligned arrays) and the raw influence they add up to."""

    reach: FloatArray
    amplification: FloatArray
    network: FloatArray

    def raw(self, model: Model) -> FloatArray:
        weights = model.component_weights()
        return (weights["reach"] * self.reach
                + weights["amplification"] * self.amplification
                + weights["network"] * self.network)


def amplification(saturated: FloatArray, posts: FloatArray, model: Model) -> FloatArray:
    """Saturated reactions per post with a prior and square-root diminishing returns."""
    prior = model.amplification_prior_posts
    return np.asarray(saturated, np.float64) * np.sqrt(prior / (prior + np.asarray(posts)))


def network_component(inflow: FloatArray, n_reference: int) -> FloatArray:
    """PageRank inflow rescaled so an average account's influence is 1."""
    return np.asarray(inflow, np.float64) * max(n_reference, 1)
