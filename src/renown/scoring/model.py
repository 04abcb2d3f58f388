"""The scoring model: every free parameter, versioned, each default with its reason.

A `Model` is frozen: scores computed with it carry its version, and changing
any number means a new version, previewed against the current one before it is
promoted (DESIGN.md property 8).  Models serialise to TOML so a candidate can
be written, reviewed and diffed as a file.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from renown.errors import RenownError
from renown.events import KINDS, OFFLINE_KINDS

#: How much one reaction of each kind says about influence.  A reshare or
#: quote puts your content in front of the reactor's own audience; a reply or
#: a mention is attention directed at you by name, and on real data it is the
#: stronger sign of responses to come (Higgs: people whose one reactor
#: mentioned them drew 2.5× the later responders of those reshared once), so
#: since renown-2026.11.1 all four weigh 1; a comment or answer costs effort
#: but answers a thread more than a person; a like or upvote is one click; an
#: accepted answer is the asker's explicit verdict.  An outcome (since
#: renown-2026.12.2: a click through someone's tracked link, a sign-up or a sale
#: they drove, docs/campaigns.md) is a person acting on their word, the thing
#: the score predicts, so it weighs as much as the strongest reaction; more
#: would let one campaign outweigh an audience's everyday response.  Kinds not
#: listed (post, follow, downvote) are not reactions and weigh nothing.
DEFAULT_KIND_WEIGHTS: Final[dict[str, float]] = {
    "reshare": 1.0, "quote": 1.0, "accept": 1.0, "reply": 1.0, "mention": 1.0,
    "comment": 0.8, "answer": 0.8, "endorse": 0.5, "like": 0.3, "upvote": 0.3,
    "outcome": 1.0,
}

#: Offline credentials, in "credential units" (a book counts as two talks).
DEFAULT_OFFLINE_WEIGHTS: Final[dict[str, float]] = {
    "publication": 2.0, "award": 1.5, "talk": 1.0, "course": 1.0, "press": 0.5,
}


#: Parameters added after the first release, each with the value that turns it
#: off (the behaviour before it existed).  A stored model's TOML that lacks one
#: reads it as off, and a parameter at its off value is left out of the
#: fingerprint, so every version keeps meaning the numbers it was promoted
#: with, and keeps its fingerprint.
INTRODUCED: Final[dict[str, float]] = {
    "mutual_discount": 0.0, "repetition_exponent": 0.0, "automation_fence": 0.0,
    "focus_allowance": 0.0, "focus_elsewhere": 1.0, "focus_exponent": 1.0,
    "mutual_group_exponent": 0.0,
}


class ModelError(ValueError, RenownError):
    """A model that is invalid or cannot be read (the message says why)."""


@dataclass(frozen=True, slots=True)
class Model:
    """All scoring parameters.  Field comments give the reason for each default."""

    #: Human-readable version name; scores and history rows carry it.
    version: str = "renown-2026.12.3"
    #: Events older than this do not count at all: four half-lives, where the
    #: decay has already brought a reaction down to 1/16, so leaving the
    #: window is a small step, not a cliff.
    window_days: float = 300.0
    #: Recency decay: a reaction's weight halves every 75 days.  Worst case at
    #: the steepest part of the scale, a steady audience that goes quiet costs
    #: ≤ 1.3 points after 7 days and ≤ 5.4 after 30 (property 3 allows 2 and 6;
    #: Klout's users lost 9–12 for a week away).
    half_life_days: float = 75.0
    #: Weight of one reaction per kind: see `DEFAULT_KIND_WEIGHTS` for the
    #: reason behind each number; kinds left out weigh nothing.
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    #: Selectivity: a reactor has a daily attention budget k·ln(1 + n/k) over
    #: their n reactions that day, so each counts k·ln(1 + n/k)/n.  With k = 10
    #: a person's first few reactions a day count almost fully; an account
    #: reacting 500 times a day (a bot) gets 0.08 per reaction.
    selectivity_k: float = 10.0
    #: Per-pair saturation: one reactor's total weight w on one author reaches
    #: them as 1 - exp(-w / c) "people": at most one person, however often they
    #: react.  c = 0.5 makes one reshare count 0.86 of a person, two 0.98.
    pair_saturation: float = 0.5
    #: Ring discount on the pair's *weight*, before saturation (renown-2026.11.x
    #: used 0.6).  Since 2026.12 the discount acts on the person instead
    #: (`mutual_discount`): discounting the weight did little against pods,
    #: because saturation turns a pod's many small exchanges back into nearly
    #: a full person each.
    reciprocity_discount: float = 0.0
    #: Mutual discount: the share of a pair's weight the author returns to the
    #: reactor (reciprocity ρ, 0..1) removes this much of the reactor *as a
    #: person*, after saturation: reach × (1 − 1.0 ρ).  Only the one-way part
    #: of attention is evidence of influence; an exchange is not.  Measured, not
    #: assumed: on Higgs it predicts later responders slightly better than the
    #: 60% weight discount did (docs/evaluation.md), and a symmetric pod counts
    #: for nothing.
    mutual_discount: float = 1.0
    #: Group exponent η of the mutual discount (0 = off: every exchange is
    #: discounted, as up to renown-2026.12.2).  A pod is a *group* whose members
    #: all react to each other; a conversation is two people.  The discount of
    #: an exchange between r and a is scaled by overlap^η, overlap = mutual
    #: partners r and a share / (the fewer mutual partners of the two − 1): 1
    #: inside a pod (and in any all-to-all group of three or more), 0 for two
    #: people who talk.  η = 1 since renown-2026.12.3, chosen by a rule stated
    #: before the run on the earliest splits of three data sets of different
    #: kinds (docs/evaluation.md): discounting every exchange cost 0.16
    #: Spearman on a messaging network, where conversations are what predicts
    #: being written to, and gained 0.002 on Higgs; planted pods stay out of
    #: the top 1% either way.
    mutual_group_exponent: float = 1.0
    #: Repetition: a reactor's cap is multiplied by spread^γ, spread = distinct
    #: authors / reactions over the window (0 = off).  It is what would stop
    #: bought engagement (fresh accounts that each react to one customer many
    #: times: De Cristofaro et al., IMC 2014), but it equally discounts a loyal
    #: fan who reacts to one author every day: γ = 1.5 kept planted bought
    #: engagement out of the top 1% on gamed Higgs, yet broke property 3 (a
    #: quiet author's steady fans are repeaters) and the simulated world's
    #: calibration, so it stays off until a signal separates the two
    #: (docs/evaluation.md, "Gamed data").
    repetition_exponent: float = 0.0
    #: One-voice discount (0 = off; since renown-2026.12.1).  A reactor's focus
    #: is the reactions it gave its most-reacted author over the window,
    #: against its reactions to anyone else: top / (1 + e · rest), e =
    #: `focus_elsewhere`.  Beyond this allowance the account is one author's
    #: voice rather than a person in their audience: all it adds (reach,
    #: saturated weight, and the influence it passes on through the
    #: propagation) is scaled by (allowance / focus)^δ.  Reacting to one author
    #: many times and to nobody else is the signature of bought engagement
    #: (fresh accounts that each boost one customer: De Cristofaro et al., IMC
    #: 2014).  One reaction, or a life beyond one author (a fan of several
    #: people), is never hit.  The cost is the exclusive superfan, whose
    #: further reactions lower what they count for (2.7% of Higgs reactors are
    #: discounted at all, 1.3% of their weight: docs/evaluation.md).  1.5: an
    #: exclusive account's second reaction still counts (0.56 of a person), a
    #: fifth reads as one voice (0.09).
    focus_allowance: float = 1.5
    #: Each reaction to someone else offsets this many to the top author: an
    #: account giving its best friend two thirds of its reactions is a person,
    #: while a booster's token camouflage (one reaction elsewhere per dozen)
    #: barely helps it.
    focus_elsewhere: float = 4.0
    #: Exponent δ of the one-voice discount.  2, not 1: with δ = 1 a customer's
    #: hundreds of accounts still add up to the top 1% on gamed Higgs
    #: (docs/evaluation.md), so repetition must cost more than it adds.
    focus_exponent: float = 2.0
    #: Automation fence, reactions a day: beyond it (the reactor's mean daily
    #: volume) the cap falls by a factor e per fence's worth.  50 a day is the
    #: usual threshold of heavy automation (Howard & Kollanyi, 2016); 9 of
    #: 278,595 Higgs reactors and none on StackExchange or CollegeMsg exceed it.
    automation_fence: float = 50.0
    #: PageRank damping (the usual 0.85: influence travels a few hops).
    damping: float = 0.85
    #: Power iteration stops when the L1 change of the (sum-1) vector is below this.
    tolerance: float = 1e-10
    #: A safety stop, not the usual exit: the error shrinks by the damping factor
    #: each step, and 0.85^300 ≈ 6e-22 is far below the tolerance.
    max_iterations: int = 300
    #: Amplification smooths reactions per post with this many prior posts, and
    #: takes the square root of the post count (diminishing returns), so posting
    #: twice as much with no extra response lowers Amplification by at most 29%.
    amplification_prior_posts: float = 5.0
    #: Component mix (people-equivalents).  Reach dominates because distinct
    #: responders are the outcome we predict.
    weight_reach: float = 0.80
    #: Network adds who the responders are.  renown-2026.11 gave it 0.35; on
    #: all three real data sets its top 100 predicted later responders worse
    #: than Reach's (Higgs NDCG@100 0.50 vs 0.63, no better than plain
    #: PageRank), so since 2026.11.1 it breaks ties among similar audiences
    #: rather than competing with their size (docs/evaluation.md).
    weight_network: float = 0.10
    #: Amplification is kept small so output volume barely moves a score.
    weight_amplification: float = 0.10
    #: Networks combine as a p-norm: never below the best single network (so
    #: adding a network never lowers the score) and below their sum (audiences overlap).
    network_norm_p: float = 2.0
    #: The 1–100 scale, as anchor points raw (effective people) → score, linear
    #: in ln(raw) between them: half a person → 20, seven people → 40,
    #: seventy → 82, a thousand → 95.  That is about 5 points per doubling of
    #: the audience up to seven people, 13 per doubling from seven to seventy,
    #: and 3 above: typical people with an audience land in 20–40 whether their
    #: world is sparse (the Higgs median reaches 0.75 people in a week) or
    #: dense (5.7 in the simulated world over months), while ~75+ people put
    #: someone in the top 1% (above 80).  Recalibrated in 2026.11.1 (was 5 → 40,
    #: 60 → 82) because Reach's larger share raised everyone's raw.  The
    #: steepest segment (18.2 points per e-fold) bounds what silence costs:
    #: ≤ 1.3 points after 7 days, ≤ 5.4 after 30.
    scale_raws: tuple[float, ...] = (0.5, 7.0, 70.0, 1000.0)
    #: Scores at ``scale_raws`` (strictly increasing, between 1 and 100).
    scale_scores: tuple[float, ...] = (20.0, 40.0, 82.0, 95.0)
    #: Offline credentials add at most this many points: visible, but never
    #: enough to outweigh what people actually do in response to you.
    offline_max_points: float = 10.0
    #: Credential units at which offline points reach 63% of the maximum.
    offline_scale: float = 4.0
    #: Credentials fade slowly: a book still counts after years.
    offline_half_life_days: float = 730.0
    #: Credential units per offline kind: see `DEFAULT_OFFLINE_WEIGHTS`.
    offline_weights: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_OFFLINE_WEIGHTS))
    #: Topic evidence thresholds (DESIGN.md property 6): at least 3 posts on
    #: the topic drew reactions, so one viral joke makes nobody an expert ...
    topic_min_posts: int = 3
    #: ... on at least 2 different days, so one busy thread is not enough ...
    topic_min_days: int = 2
    #: ... from at least 5 distinct people, so a few friends cannot make one.
    topic_min_reactors: int = 5

    def __post_init__(self) -> None:
        _normalise(self)
        problems = _type_problems(self) or _problems(self)
        if problems:
            raise ModelError("invalid model: " + "; ".join(problems))

    @property
    def fingerprint(self) -> str:
        """Short hash of every parameter: two models with equal fingerprints score alike."""
        off = {f"{name} = {_toml_value(value)}" for name, value in INTRODUCED.items()}
        text = "".join(line + "\n" for line in self.to_toml(include_version=False).splitlines()
                       if line not in off)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def component_weights(self) -> dict[str, float]:
        """Weight of each component (reach, amplification, network) in raw influence."""
        return {"reach": self.weight_reach, "amplification": self.weight_amplification,
                "network": self.weight_network}

    def with_changes(self, **changes: Any) -> Model:
        return replace(self, **changes)

    def to_toml(self, *, include_version: bool = True) -> str:
        lines: list[str] = []
        tables: list[str] = []
        for name, value in asdict(self).items():
            if name == "version" and not include_version:
                continue
            if isinstance(value, dict):
                tables.append(f"\n[{name}]")
                tables.extend(f"{k} = {_toml_value(v)}" for k, v in sorted(value.items()))
            else:
                lines.append(f"{name} = {_toml_value(value)}")
        return "\n".join(lines + tables) + "\n"

    @staticmethod
    def from_toml(text: str) -> Model:
        """A model from its TOML; parameters it predates read as "off" (`INTRODUCED`)."""
        data = tomllib.loads(text)
        known = {f.name for f in fields(Model)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelError(f"unknown model parameters: {', '.join(unknown)}")
        return Model(**{**INTRODUCED, **data})

    @staticmethod
    def load(path: Path) -> Model:
        try:
            return Model.from_toml(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(f"{path}: cannot read model: {exc}") from exc


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _normalise(model: Model) -> None:
    """Whole numbers given for float parameters become floats (``300`` means ``300.0``).

    So a model reads the same however its TOML spells a number, and its
    fingerprint does not change when nothing did.  Tables are copied, so the
    caller's dict is not shared with the frozen model.
    """
    for f in fields(model):
        value = getattr(model, f.name)
        if f.type == "float" and _is_number(value):
            object.__setattr__(model, f.name, float(value))
        elif isinstance(value, list | tuple):
            object.__setattr__(model, f.name, tuple(
                float(v) if _is_number(v) else v for v in value))
        elif isinstance(value, dict):
            object.__setattr__(model, f.name, {
                k: float(v) if _is_number(v) else v for k, v in value.items()})


def _type_problems(model: Model) -> list[str]:
    """Parameters of the wrong type (checked first: the range checks need numbers)."""
    known_keys = {"kind_weights": KINDS, "offline_weights": OFFLINE_KINDS}
    problems = []
    for f in fields(model):
        value = getattr(model, f.name)
        if f.name in known_keys:
            if not isinstance(value, dict) or not all(_is_number(v) for v in value.values()):
                problems.append(f"{f.name} must be a table of kind = number")
                continue
            unknown = sorted(set(value) - set(known_keys[f.name]))
            if unknown:
                problems.append(f"{f.name}: unknown kinds {', '.join(map(repr, unknown))} "
                                f"(known: {', '.join(known_keys[f.name])})")
            if not all(math.isfinite(v) for v in value.values()):
                problems.append(f"{f.name} must be finite numbers")
        elif f.type == "str":
            if not isinstance(value, str) or not value.strip() or not value.isprintable():
                problems.append(f"{f.name} must be a non-empty name without control characters")
        elif f.type.startswith("tuple"):
            if not isinstance(value, tuple) or not all(
                    _is_number(v) and math.isfinite(v) for v in value):
                problems.append(f"{f.name} must be a list of finite numbers")
        elif f.type == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(f"{f.name} must be a whole number")
        elif not isinstance(value, float) or not math.isfinite(value):
            problems.append(f"{f.name} must be a finite number")
    return problems


def _scale_problems(raws: tuple[float, ...], scores: tuple[float, ...]) -> list[str]:
    """The scale must be a strictly increasing map from positive raws into (1, 100)."""
    problems = []
    if len(raws) < 2 or len(raws) != len(scores):
        problems.append("scale_raws and scale_scores need the same number (at least 2) of points")
    elif not (raws[0] > 0 and all(b > a for a, b in itertools.pairwise(raws))):
        problems.append("scale_raws must be positive and strictly increasing")
    elif not (scores[0] > 1 and scores[-1] < 100
              and all(b > a for a, b in itertools.pairwise(scores))):
        problems.append("scale_scores must be strictly increasing, between 1 and 100")
    return problems


def _problems(model: Model) -> list[str]:
    positive = ("window_days", "half_life_days", "selectivity_k", "pair_saturation",
                "tolerance", "amplification_prior_posts", "network_norm_p",
                "offline_scale", "offline_half_life_days")
    problems = [f"{name} must be > 0" for name in positive if not getattr(model, name) > 0]
    if not 0 < model.damping < 1:
        problems.append("damping must be in (0, 1)")
    for name in ("reciprocity_discount", "mutual_discount"):
        if not 0 <= getattr(model, name) <= 1:
            problems.append(f"{name} must be in [0, 1]")
    if min(model.repetition_exponent, model.automation_fence, model.focus_allowance,
           model.focus_elsewhere, model.focus_exponent, model.mutual_group_exponent) < 0:
        problems.append("repetition_exponent, automation_fence, mutual_group_exponent and the "
                        "focus_* parameters must be >= 0")
    if model.network_norm_p < 1:
        problems.append("network_norm_p must be >= 1 (else adding a network could lower a score)")
    problems.extend(_scale_problems(model.scale_raws, model.scale_scores))
    weights = (model.weight_reach, model.weight_network, model.weight_amplification)
    if min(weights) < 0 or sum(weights) <= 0:
        problems.append("component weights must be >= 0 and not all zero")
    if any(w < 0 for w in model.kind_weights.values()):
        problems.append("kind weights must be >= 0")
    if any(w < 0 for w in model.offline_weights.values()):
        problems.append("offline weights must be >= 0")
    if model.offline_max_points < 0:
        problems.append("offline_max_points must be >= 0")
    if model.max_iterations < 1:
        problems.append("max_iterations must be >= 1")
    problems.extend(f"{name} must be >= 1" for name in
                    ("topic_min_posts", "topic_min_days", "topic_min_reactors")
                    if getattr(model, name) < 1)
    return problems


DEFAULT_MODEL: Final = Model()
