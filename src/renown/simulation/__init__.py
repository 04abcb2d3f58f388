"""A simulated social world with planted ground truth, for testing the scores.

``simulate(people, days, seed, out)`` writes a deterministic multi-network
world (events in the generic event format, identities, ground truth);
``load_truth(out)`` reads its ground truth back.  See `renown.simulation.world`
for the world model and its assumptions.
"""

from __future__ import annotations

from renown.simulation.truth import Truth, load_truth
from renown.simulation.world import (
    DEFAULT_DAYS,
    DEFAULT_END,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    SimulationSummary,
    simulate,
)

__all__ = ["DEFAULT_DAYS", "DEFAULT_END", "DEFAULT_PEOPLE", "DEFAULT_SEED",
           "SimulationSummary", "Truth", "load_truth", "simulate"]
