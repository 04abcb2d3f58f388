"""Which reactors look automated or indiscriminate, from behaviour alone (arrays in, arrays out).

A person's attention is bounded: they react a limited number of times a day,
mostly to people they know of, some minutes or hours after the content
appears, and they publish things of their own.  Two patterns break those
bounds, each judged against far-out fences of the same network's reactors
(`renown.scoring.audience.fences`), never against constants:

- **indiscriminate**: far more reactions a day than people make *and* spread
  over far more authors than people reach: reacting to everything;
- **automated**: far more reactions a day than people make, far faster than
  people react, *and* far more reactions per own post than people: a machine
  that reacts and never speaks.

Volume alone is not enough (engagement pods and keen fans react a lot, to few
people); speed alone is not enough (pods react within minutes).  Where a
measure is missing (no content times in the data, nobody posts) the detector
that needs it does not fire.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from renown.scoring.audience.fences import beyond, far_out_fence

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Per-account measures (aligned arrays; NaN where unknown)."""

    per_day: FloatArray
    authors: FloatArray
    latency_s: FloatArray
    output_ratio: FloatArray


@dataclass(frozen=True, slots=True)
class AutomationFences:
    """Far-out fences of one network's reactors (NaN: the measure is unavailable)."""

    per_day: float
    authors: float
    latency_s: float
    output_ratio: float

    @staticmethod
    def of(behaviour: Behaviour) -> AutomationFences:
        return AutomationFences(
            per_day=far_out_fence(behaviour.per_day),
            authors=far_out_fence(behaviour.authors),
            latency_s=far_out_fence(behaviour.latency_s, "low"),
            output_ratio=far_out_fence(behaviour.output_ratio),
        )


@dataclass(frozen=True, slots=True)
class Verdicts:
    """Which accounts each signal and each detector flags (aligned boolean arrays)."""

    high_volume: BoolArray
    broad: BoolArray
    fast: BoolArray
    silent: BoolArray

    @property
    def indiscriminate(self) -> BoolArray:
        return self.high_volume & self.broad

    @property
    def automated(self) -> BoolArray:
        return self.high_volume & self.fast & self.silent

    @property
    def flagged(self) -> BoolArray:
        return self.indiscriminate | self.automated

    def reasons(self, i: int) -> list[str]:
        """The signals behind account ``i``'s flag, in words (empty if not flagged)."""
        if not self.flagged[i]:
            return []
        named = (("high_volume", "reacts far more often than people do"),
                 ("broad", "reacts to far more authors than people do"),
                 ("fast", "reacts far faster than people do"),
                 ("silent", "publishes far less than it reacts"))
        return [text for name, text in named if getattr(self, name)[i]]


def judge(behaviour: Behaviour, fences: AutomationFences) -> Verdicts:
    """Apply one network's fences to its accounts."""
    return Verdicts(
        high_volume=beyond(behaviour.per_day, fences.per_day),
        broad=beyond(behaviour.authors, fences.authors),
        fast=beyond(behaviour.latency_s, fences.latency_s, "low"),
        silent=beyond(behaviour.output_ratio, fences.output_ratio),
    )
