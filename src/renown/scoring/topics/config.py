"""Every parameter of topic attribution, topic scores and endorsements, with its reason.

The evidence thresholds of property 6 belong to the scoring model (they are
versioned with it: `Model.topic_min_posts` …), so `TopicConfig.for_model`
takes them from there; everything else here is specific to topics and lives
outside the pinned model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from renown.scoring.model import DEFAULT_MODEL, Model


@dataclass(frozen=True, slots=True)
class EndorsementConfig:
    """+K endorsements: who may give how many, what each is worth."""

    #: A giver may endorse at most this many times in any ``cap_days`` days, so
    #: endorsements stay scarce enough to mean something (Klout allowed 5 a day
    #: and they became noise).
    cap: int = 5
    cap_days: int = 30
    #: A giver with no standing in the topic still counts this much; a giver
    #: at topic score 100 counts 1.  Weight = floor + (1 − floor) × score/100.
    floor_weight: float = 0.2
    #: Pairs who endorse each other (any topic) lose this share of both
    #: endorsements: trading endorsements is cheap and says little.
    reciprocal_discount: float = 0.5
    #: The score contribution is at most this many points …
    max_points: float = 5.0
    #: … and reaches 63 % of it at this many full-weight endorsements.
    points_scale: float = 3.0

    def problems(self) -> list[str]:
        found = [f"endorsement {n} must be >= 1" for n in ("cap", "cap_days")
                 if getattr(self, n) < 1]
        found += [f"endorsement {n} must be in [0, 1]" for n in
                  ("floor_weight", "reciprocal_discount") if not 0 <= getattr(self, n) <= 1]
        if not (math.isfinite(self.max_points) and self.max_points >= 0):
            found.append("endorsement max_points must be >= 0")
        if not self.points_scale > 0:
            found.append("endorsement points_scale must be > 0")
        return found


@dataclass(frozen=True, slots=True)
class TopicConfig:
    """How posts become topics, and topics become attributions and scores."""

    #: Property 6: at least this many engaged posts on the topic …
    min_posts: int = DEFAULT_MODEL.topic_min_posts
    #: … on at least this many different days …
    min_days: int = DEFAULT_MODEL.topic_min_days
    #: … drawing reactions from at least this many distinct people.
    min_reactors: int = DEFAULT_MODEL.topic_min_reactors
    #: Evidence for a topic counts for its ancestors discounted by this factor
    #: per level (shortest path in the DAG): an expert in asthma is half the
    #: evidence of one in diseases, a quarter of one in medicine.
    rollup_discount: float = 0.5
    #: Roll-up stops after this many levels (0.5⁴ ≈ 0.06: beyond, negligible).
    rollup_levels: int = 4
    #: A post is about at most this many topics (its strongest matches), so a
    #: long text that touches everything does not count for everything.
    max_topics_per_post: int = 3
    #: Match strength a post needs for a topic: one distinct keyword, alias or
    #: name in the text counts 1, a matching tag or #tag counts 2.
    min_match_strength: int = 1
    #: Posts listed behind each attributed topic.
    evidence_posts: int = 5
    #: Topic propagation stops at this L1 change of its (sum-1) vector.  The
    #: main score's 1e-10 keeps everyone's ranking bit-stable; topic scores of
    #: attributed people, shown to one decimal, do not need it, and 1e-7
    #: takes half the iterations.
    propagation_tolerance: float = 1e-7
    endorsements: EndorsementConfig = field(default_factory=EndorsementConfig)

    def __post_init__(self) -> None:
        problems = [f"{n} must be >= 1" for n in ("min_posts", "min_days", "min_reactors",
                                                  "max_topics_per_post", "min_match_strength",
                                                  "evidence_posts")
                    if getattr(self, n) < 1]
        if not 0 <= self.rollup_discount <= 1:
            problems.append("rollup_discount must be in [0, 1]")
        if not 0 < self.propagation_tolerance < 1:
            problems.append("propagation_tolerance must be in (0, 1)")
        if self.rollup_levels < 0:
            problems.append("rollup_levels must be >= 0")
        problems += self.endorsements.problems()
        if problems:
            raise ValueError("invalid topic configuration: " + "; ".join(problems))

    @staticmethod
    def for_model(model: Model, **changes: Any) -> TopicConfig:
        """The configuration a scoring run under ``model`` uses (thresholds from the model)."""
        return replace(TopicConfig(min_posts=model.topic_min_posts, min_days=model.topic_min_days,
                                   min_reactors=model.topic_min_reactors), **changes)

    def with_thresholds(self, *, min_posts: int | None = None, min_days: int | None = None,
                        min_reactors: int | None = None) -> TopicConfig:
        """This configuration with some evidence thresholds overridden (None keeps one)."""
        return replace(self, min_posts=self.min_posts if min_posts is None else min_posts,
                       min_days=self.min_days if min_days is None else min_days,
                       min_reactors=self.min_reactors if min_reactors is None else min_reactors)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
