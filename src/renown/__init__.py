"""Renown: open, explainable influence analytics across social networks.

The public Python API is the few names below; everything else is internal
and may change.  A tour::

    import renown

    with renown.open("renown.duckdb") as store:
        store.ingest("higgs-activity_time.txt.gz")     # the format is detected
        store.score()                                   # as of the newest event's day
        table = store.scores()                          # a pyarrow.Table: every person
        print(store.explain("twitter:88"))              # the parts that add up
        store.export_scores("scores.parquet")

Names are imported on first use, so ``import renown`` itself is cheap.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from renown.errors import RenownError
    from renown.evaluate.gamed import GamedEvaluation
    from renown.evaluate.harness import Evaluation
    from renown.interfaces.library.store import Store
    from renown.scoring.discover import Candidate
    from renown.scoring.explain import Explanation
    from renown.scoring.model import Model
    from renown.scoring.queries import LeaderboardRow, PersonSummary
    from renown.scoring.snapshots import SnapshotInfo
    from renown.scoring.topics.standings import PersonTopics
    from renown.simulation import SimulationSummary
    from renown.store.ingest import IngestReport

#: Public name → the module that defines it.
_PUBLIC = {
    "RenownError": "renown.errors",
    "Store": "renown.interfaces.library.store",
    "Model": "renown.scoring.model",
    "IngestReport": "renown.store.ingest",
    "SnapshotInfo": "renown.scoring.snapshots",
    "PersonSummary": "renown.scoring.queries",
    "LeaderboardRow": "renown.scoring.queries",
    "Explanation": "renown.scoring.explain",
    "PersonTopics": "renown.scoring.topics.standings",
    "Candidate": "renown.scoring.discover",
    "Evaluation": "renown.evaluate.harness",
    "GamedEvaluation": "renown.evaluate.gamed",
    "SimulationSummary": "renown.simulation",
}


def open(path: Path | str | None = None, *, read_only: bool = False) -> Store:
    """Open (or create) a Renown database; default ``$RENOWN_DB`` or ``./renown.duckdb``."""
    from renown.interfaces.library.store import Store

    return Store(path, read_only=read_only)


def simulate(out: Path | str, *, people: int = 2000, days: int = 60,
             seed: int = 7) -> SimulationSummary:
    """Write a simulated world with planted ground truth to ``out`` (events, identities,
    truth): data to try Renown on, as ``renown simulate`` does."""
    from renown.simulation import simulate as simulate_world

    return simulate_world(people, days, seed, Path(out))


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'renown' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


__all__ = ["Candidate", "Evaluation", "Explanation", "GamedEvaluation", "IngestReport",
           "LeaderboardRow", "Model", "PersonSummary", "PersonTopics", "RenownError",
           "SimulationSummary", "SnapshotInfo", "Store", "open", "simulate"]
