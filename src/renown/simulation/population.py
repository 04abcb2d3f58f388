"""The people of a simulated world: latent influence, interests, habits.

Assumptions (each a simplification of what social-network studies report):

* Latent influence is lognormal (σ = 1.2): most people matter to a few
  others, a few matter to very many.  It drives who gets followed
  (preferential attachment) and how likely followers are to react.
* Each person has 1-3 interest topics drawn with Zipf weights over
  `renown.simulation.topics.TOPICS`; most posts are on one's interests, a few
  (``off_topic``) are not.
* Posting rate is heavy-tailed (lognormal, mean 0.5 posts a day) and
  independent of influence: output is not outcome.
* Reactivity (how readily a person reacts to what they see) is lognormal with
  mean 1, so ordinary people range from lurkers to enthusiastic likers.
* Out-degree (how many accounts one follows) is lognormal with mean 30.

Roles (`renown.simulation.roles`) then overwrite these attributes for the
planted people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np

from renown.simulation.sampling import lognormal_with_mean
from renown.simulation.topics import TOPICS, interest_weights

INFLUENCE_SIGMA: Final = 1.2
MEAN_POSTS_PER_DAY: Final = 0.5
MEAN_FOLLOWS: Final = 30.0
OFF_TOPIC: Final = 0.08
#: Probability that a person has 1, 2 or 3 interest topics.
INTEREST_COUNT_PROBS: Final = (0.4, 0.35, 0.25)


class Role(IntEnum):
    """What a person was planted as (ORDINARY for everybody else)."""

    ORDINARY = 0
    INFLUENCER = 1
    VOLUME_POSTER = 2
    POD = 3
    BOT = 4
    VIRAL_JOKE = 5
    TOPIC_EXPERT = 6
    SILENT_7 = 7
    SILENT_30 = 8
    TWO_NETWORK = 9
    OFFLINE_CREDENTIALS = 10
    AUDIENCE_MASS_STAR = 11
    AUDIENCE_NICHE_EXPERT = 12


#: Role → its key in truth.json (``roles``).
ROLE_KEYS: Final[dict[Role, str]] = {
    Role.INFLUENCER: "influencers", Role.VOLUME_POSTER: "volume_posters", Role.POD: "pods",
    Role.BOT: "bots", Role.VIRAL_JOKE: "viral_joke", Role.TOPIC_EXPERT: "topic_experts",
    Role.SILENT_7: "silent_7", Role.SILENT_30: "silent_30", Role.TWO_NETWORK: "two_network",
    Role.OFFLINE_CREDENTIALS: "offline_credentials",
    Role.AUDIENCE_MASS_STAR: "audience_mass_star",
    Role.AUDIENCE_NICHE_EXPERT: "audience_niche_expert",
}


@dataclass(slots=True)
class People:
    """Per-person attributes, one array entry per person (index = person number)."""

    influence: np.ndarray
    interests: np.ndarray  # (n, 3) topic indices, -1 where a person has fewer
    post_rate: np.ndarray  # posts a day on their main network
    reactivity: np.ndarray
    appeal: np.ndarray  # multiplies everybody's chance of reacting to their posts
    off_topic: np.ndarray  # chance that a post is outside their interests
    follows: np.ndarray  # accounts they follow (wanted out-degree)
    role: np.ndarray  # Role codes (int8)
    community: np.ndarray  # bool: member of the planted capital_markets audience

    @property
    def size(self) -> int:
        return int(self.influence.size)

    def quantile(self, q: float) -> float:
        """The influence at quantile ``q`` of the whole population."""
        return float(np.quantile(self.influence, q))


def draw_people(rng: np.random.Generator, n: int) -> People:
    """``n`` ordinary people with the attributes described in the module docstring."""
    follows = lognormal_with_mean(rng, MEAN_FOLLOWS, 0.9, n).round().astype(np.int64)
    return People(
        influence=rng.lognormal(0.0, INFLUENCE_SIGMA, n),
        interests=draw_interests(rng, n),
        post_rate=lognormal_with_mean(rng, MEAN_POSTS_PER_DAY, 1.0, n),
        reactivity=lognormal_with_mean(rng, 1.0, 0.7, n),
        appeal=np.ones(n, dtype=np.float64),
        off_topic=np.full(n, OFF_TOPIC, dtype=np.float64),
        follows=np.clip(follows, 3, max(3, n - 1)),
        role=np.zeros(n, dtype=np.int8),
        community=np.zeros(n, dtype=bool),
    )


def draw_interests(rng: np.random.Generator, n: int) -> np.ndarray:
    """1-3 distinct Zipf-popular topics per person, as an (n, 3) array padded with -1."""
    picks = rng.choice(len(TOPICS), size=(n, 3), p=interest_weights()).astype(np.int16)
    wanted = rng.choice(3, size=n, p=np.array(INTEREST_COUNT_PROBS)) + 1
    picks[:, 1] = np.where((wanted >= 2) & (picks[:, 1] != picks[:, 0]), picks[:, 1], -1)
    third_ok = (wanted == 3) & (picks[:, 2] != picks[:, 0]) & (picks[:, 2] != picks[:, 1])
    picks[:, 2] = np.where(third_ok, picks[:, 2], -1)
    return picks


def set_interests(people: People, who: np.ndarray, topics: np.ndarray | int) -> None:
    """Give ``who`` exactly one interest topic each (planted specialists)."""
    people.interests[who, 0] = topics
    people.interests[who, 1:] = -1
