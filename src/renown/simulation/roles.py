"""Planting the roles: who is an influencer, a bot, a pod member, a silent star…

Each role is a handful of people whose attributes are overwritten so that the
behaviour a scoring property is about (DESIGN.md §3) shows up in the data:

* influencers, silent_7, silent_30, audience_mass_star and two_network are
  drawn from the very top of the latent-influence ranking (they are
  "established": many followers who genuinely react);
* topic_experts and offline_credentials come from the next band (top ~10%),
  are given one interest topic and a steady posting habit;
* everybody else planted (volume posters, pods, bots, the viral joker, the
  niche expert, the capital_markets community) comes from the remaining
  ordinary population, with their influence set to an ordinary quantile so
  that only their planted behaviour distinguishes them.

Sizes grow with the population but have minimums, so a 2,000-person world has
every role.  A silent role is planted only when the period is longer than the
silence (8+ days for silent_7, 31+ for silent_30); what is skipped is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from renown.simulation.population import MEAN_POSTS_PER_DAY, People, Role, set_interests
from renown.simulation.topics import TOPIC_INDEX

MIN_PEOPLE: Final = 200
EXPERT_TOPICS: Final = ("artificial-intelligence", "asthma", "physics", "soccer",
                        "climate-change")
POD_TOPICS: Final = ("marketing", "cryptocurrency", "startups", "fitness")
OFFLINE_TOPIC: Final = "physics"
JOKER_HOME_TOPIC: Final = "cooking"
AUDIENCE_TOPIC: Final = "capital-markets"
MASS_STAR_TOPIC: Final = "marketing"
SILENT_DAYS: Final[dict[Role, int]] = {Role.SILENT_7: 7, Role.SILENT_30: 30}
#: Volume posters post this many times the average rate.
VOLUME_FACTOR: Final = 30.0


@dataclass(frozen=True, slots=True)
class RoleSizes:
    """How many people each role gets in a world of ``people`` people."""

    influencers: int
    silent: int
    volume_posters: int
    pods: int
    bots: int
    experts_per_topic: int
    community: int

    @staticmethod
    def for_people(n: int) -> RoleSizes:
        return RoleSizes(
            influencers=max(5, n // 200), silent=max(3, n // 1000),
            volume_posters=max(5, n // 500), pods=max(2, n // 1500), bots=max(5, n // 1000),
            experts_per_topic=int(np.clip(n // 2000, 3, 10)),
            community=max(30, round(0.03 * n)),
        )


@dataclass(slots=True)
class Roles:
    """Who plays which planted role (person indices, sorted)."""

    members: dict[Role, np.ndarray]
    pod_groups: list[np.ndarray]
    expert_topic: dict[int, int]
    community: np.ndarray
    silent_days: dict[Role, int]
    skipped: list[dict[str, str]] = field(default_factory=list)

    def one(self, role: Role) -> int:
        """The single person planted as ``role``."""
        return int(self.members[role][0])


class _Cursor:
    """Hands out consecutive, disjoint slices of a shuffled candidate list."""

    def __init__(self, candidates: np.ndarray) -> None:
        self._candidates, self._next = candidates, 0

    def take(self, k: int) -> np.ndarray:
        if self._next + k > self._candidates.size:
            raise ValueError("population too small for the planted roles")
        part = self._candidates[self._next:self._next + k]
        self._next += k
        return np.sort(part)


def plant_roles(rng: np.random.Generator, people: People, days: int) -> Roles:
    """Choose the planted people and overwrite their attributes (see module docstring)."""
    n, sizes = people.size, RoleSizes.for_people(people.size)
    if n < MIN_PEOPLE:
        raise ValueError(f"a world needs at least {MIN_PEOPLE} people to plant every role")
    silent = {r: sizes.silent if days > d else 0 for r, d in SILENT_DAYS.items()}
    ranks = np.argsort(-people.influence, kind="stable")
    top_n = sizes.influencers + sum(silent.values()) + 2
    experts_n = sizes.experts_per_topic * len(EXPERT_TOPICS) + 1
    band_end = top_n + max(n // 10, 3 * experts_n)
    top, band = _Cursor(rng.permutation(ranks[:top_n])), _Cursor(rng.permutation(
        ranks[top_n:band_end]))
    rest = _Cursor(rng.permutation(ranks[band_end:]))
    quantiles = {q: people.quantile(q) for q in (0.01, 0.05, 0.25, 0.5, 0.6, 0.97)}

    members: dict[Role, np.ndarray] = {
        Role.INFLUENCER: top.take(sizes.influencers),
        Role.SILENT_7: top.take(silent[Role.SILENT_7]),
        Role.SILENT_30: top.take(silent[Role.SILENT_30]),
        Role.AUDIENCE_MASS_STAR: top.take(1), Role.TWO_NETWORK: top.take(1),
        Role.TOPIC_EXPERT: band.take(experts_n - 1), Role.OFFLINE_CREDENTIALS: band.take(1),
        Role.VOLUME_POSTER: rest.take(sizes.volume_posters), Role.BOT: rest.take(sizes.bots),
        Role.VIRAL_JOKE: rest.take(1), Role.AUDIENCE_NICHE_EXPERT: rest.take(1),
    }
    pod_sizes = rng.integers(8, 13, sizes.pods)
    pod_groups = [rest.take(int(s)) for s in pod_sizes]
    members[Role.POD] = np.sort(np.concatenate(pod_groups))
    community = rest.take(sizes.community)
    for role, who in members.items():
        people.role[who] = role
    expert_topic = _shape_established(rng, people, members, quantiles)
    _shape_ordinary(rng, people, members, pod_groups, quantiles)
    _shape_community(people, community)
    skipped = [{"role": f"silent_{d}", "reason": f"days={days} is not longer than {d}"}
               for r, d in SILENT_DAYS.items() if not silent[r]]
    return Roles(members, pod_groups, expert_topic, community,
                 {r: d for r, d in SILENT_DAYS.items() if silent[r]}, skipped)


def _shape_established(
    rng: np.random.Generator, people: People, members: dict[Role, np.ndarray],
    quantiles: dict[float, float],
) -> dict[int, int]:
    """Top-tier roles post steadily; experts and the offline person specialise."""
    for role in (Role.INFLUENCER, Role.SILENT_7, Role.SILENT_30, Role.TWO_NETWORK):
        who = members[role]
        people.post_rate[who] = np.maximum(people.post_rate[who], 1.0)
    star = members[Role.AUDIENCE_MASS_STAR]
    set_interests(people, star, TOPIC_INDEX[MASS_STAR_TOPIC])
    people.post_rate[star], people.off_topic[star] = 1.5, 0.02
    experts = rng.permutation(members[Role.TOPIC_EXPERT])
    topics = np.array([TOPIC_INDEX[t] for t in EXPERT_TOPICS], dtype=np.int16)
    expert_topics = np.repeat(topics, experts.size // topics.size)
    set_interests(people, experts, expert_topics)
    people.post_rate[experts], people.off_topic[experts] = 2.0, 0.05
    people.influence[experts] = np.maximum(people.influence[experts], quantiles[0.97])
    offline = members[Role.OFFLINE_CREDENTIALS]
    set_interests(people, offline, TOPIC_INDEX[OFFLINE_TOPIC])
    people.post_rate[offline], people.off_topic[offline] = 1.0, 0.05
    return {int(p): int(t) for p, t in zip(experts, expert_topics, strict=True)}


def _shape_ordinary(
    rng: np.random.Generator, people: People, members: dict[Role, np.ndarray],
    pod_groups: list[np.ndarray], quantiles: dict[float, float],
) -> None:
    """Planted ordinary people: only their planted behaviour sets them apart."""
    volume = members[Role.VOLUME_POSTER]
    people.influence[volume] = quantiles[0.05]
    people.post_rate[volume] = (VOLUME_FACTOR * MEAN_POSTS_PER_DAY
                                * rng.uniform(0.7, 1.3, volume.size))
    people.appeal[volume] = 0.05
    bots = members[Role.BOT]
    people.influence[bots], people.post_rate[bots], people.reactivity[bots] = (
        quantiles[0.01], 0.02, 0.0)
    people.follows[bots] = min(people.size - 1, int(np.clip(people.size // 4, 200, 2000)))
    for i, group in enumerate(pod_groups):
        set_interests(people, group, TOPIC_INDEX[POD_TOPICS[i % len(POD_TOPICS)]])
        people.influence[group] = quantiles[0.25] * rng.lognormal(0, 0.2, group.size)
        people.post_rate[group], people.off_topic[group] = 1.5, 0.02
    joker = members[Role.VIRAL_JOKE]
    set_interests(people, joker, TOPIC_INDEX[JOKER_HOME_TOPIC])
    people.influence[joker], people.post_rate[joker], people.off_topic[joker] = (
        quantiles[0.5], 0.6, 0.0)
    niche = members[Role.AUDIENCE_NICHE_EXPERT]
    set_interests(people, niche, TOPIC_INDEX[AUDIENCE_TOPIC])
    people.influence[niche], people.post_rate[niche], people.off_topic[niche] = (
        quantiles[0.6], 1.5, 0.02)


def _shape_community(people: People, community: np.ndarray) -> None:
    """Capital-markets professionals: finance first, a keen but selective audience."""
    people.community[community] = True
    rows = people.interests[community]
    rows[:, 0] = TOPIC_INDEX[AUDIENCE_TOPIC]
    later = rows[:, 1:]  # a view: editing it edits rows
    later[later == TOPIC_INDEX[AUDIENCE_TOPIC]] = -1
    people.interests[community] = rows
