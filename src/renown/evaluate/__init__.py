"""Evaluation against reality (DESIGN.md property 10): does the score predict what happens next?

``evaluate(con, split, horizon_days, model)`` scores everyone from events
before the split and measures, over the horizon after it, how well Renown and
every simple baseline predict who draws responses from distinct people
(Spearman, NDCG@100, precision@100, ROC AUC for the top 1%, each with a
bootstrap 95% interval).  ``fit(con, model, split, validation_days)`` fits the
model's free weights before the split, with guards against overfitting.  See
docs/evaluation.md for the method and the results on real data.
"""

from __future__ import annotations

from renown.evaluate.fit import FitResult, candidate_toml, fit
from renown.evaluate.harness import (
    Evaluation,
    EvaluationData,
    PopulationResult,
    collect,
    evaluate,
    measure,
    must_show,
)

__all__ = ["Evaluation", "EvaluationData", "FitResult", "PopulationResult", "candidate_toml",
           "collect", "evaluate", "fit", "measure", "must_show"]
