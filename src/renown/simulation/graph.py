"""Accounts on each network and who follows whom.

Assumptions:

* Twitter holds every person (account ``u…``); Mastodon a 10% subset
  (``m…``, at least 50 accounts) of ordinary people, influencers and topic
  experts, plus the planted two-network person, whose Mastodon account is the
  most influential there.  A person's Mastodon influence is their Twitter one
  times lognormal noise (σ = 0.5): reputation travels, imperfectly.
* Each account follows ``follows`` others (lognormal, mean 30; 60% of that on
  Mastodon).  A follow goes, with probability 0.6, to someone sharing one of
  the follower's interest topics and otherwise to anyone, in both cases
  chosen with probability proportional to latent influence (preferential
  attachment without materialising an N×N matrix: weighted draws are
  ``searchsorted`` on cumulative weights).  Duplicate and self follows are
  dropped, so realised out-degrees are slightly below the wanted ones.
* Bots follow hundreds to thousands of accounts uniformly at random.
* Pod members all follow each other.  The capital_markets community sends 75%
  of its follows inside the community, 90% of it follows the niche expert, and
  none of it follows the mass-market star.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from renown.simulation.population import People, Role
from renown.simulation.roles import Roles
from renown.simulation.sampling import Groups, group_by, unique_pairs, weighted_draws
from renown.simulation.topics import TOPICS

NETWORKS: Final = ("twitter", "mastodon", "offline")
ACCOUNT_PREFIX: Final = {"twitter": "u", "mastodon": "m", "offline": "o"}
TOPIC_FOLLOW_SHARE: Final = 0.6
COMMUNITY_FOLLOW_SHARE: Final = 0.75
NICHE_FOLLOW_SHARE: Final = 0.9
MASTODON_SHARE: Final = 0.1
MIN_MASTODON: Final = 50


@dataclass(slots=True)
class Network:
    """One network's accounts (local index i ↔ global account ``acc0 + i``) and graph."""

    name: str
    code: int
    acc0: int
    persons: np.ndarray  # person of each local account
    influence: np.ndarray
    interests: np.ndarray
    reactivity: np.ndarray
    post_rate: np.ndarray
    appeal: np.ndarray
    off_topic: np.ndarray
    pod_of: np.ndarray  # pod number of each local account, -1 if none
    src: np.ndarray  # follow edges (local indices), sorted by (src, dst)
    dst: np.ndarray
    followers: Groups  # by followed account: the local indices following it
    topic_members: Groups  # by topic: the local accounts interested in it
    interest_bits: np.ndarray  # bit t set when topic t is among the interests


    @property
    def size(self) -> int:
        return int(self.persons.size)


def _network(name: str, acc0: int, persons: np.ndarray, people: People,
             influence: np.ndarray, post_rate: np.ndarray, pod_of: np.ndarray) -> Network:
    """A network without edges yet; `_with_edges` fills them in."""
    n = persons.size
    interests = people.interests[persons]
    slots = interests.reshape(-1)
    owners = np.repeat(np.arange(n, dtype=np.int64), 3)
    keep = slots >= 0
    topic_members = group_by(slots[keep].astype(np.int64), owners[keep], len(TOPICS))
    empty = np.zeros(0, dtype=np.int64)
    return Network(name, NETWORKS.index(name), acc0, persons, influence, interests,
                   people.reactivity[persons], post_rate, people.appeal[persons],
                   people.off_topic[persons], pod_of, empty, empty,
                   Groups(empty, np.zeros(n, np.int64), np.zeros(n, np.int64)), topic_members,
                   _bits(interests))


def _bits(interests: np.ndarray) -> np.ndarray:
    """Interest topics as a bitmask per account (one gather + shift tests membership)."""
    codes = interests.astype(np.int64)
    return np.asarray(np.where(codes >= 0, np.int64(1) << np.maximum(codes, 0), 0).sum(axis=1))


def _with_edges(net: Network, src: np.ndarray, dst: np.ndarray) -> Network:
    """Set the follow edges (deduplicated, no self-follows) and the follower lists."""
    keep = src != dst
    net.src, net.dst = unique_pairs(src[keep], dst[keep], net.size)
    net.followers = group_by(net.dst, net.src, net.size)
    return net


def _preferential_targets(rng: np.random.Generator, net: Network, src: np.ndarray) -> np.ndarray:
    """Follow targets by influence, within a shared topic 60% of the time."""
    n, members = net.size, net.topic_members
    slot = rng.integers(0, 3, src.size)
    topic = net.interests[src, slot].astype(np.int64)
    topic = np.where(topic < 0, net.interests[src, 0], topic)
    by_topic = (rng.random(src.size) < TOPIC_FOLLOW_SHARE) & (members.count[topic] > 1)
    targets = np.empty(src.size, dtype=np.int64)
    anywhere = ~by_topic
    cumulative = np.cumsum(net.influence)
    k = int(anywhere.sum())
    targets[anywhere] = weighted_draws(rng, cumulative, np.zeros(k, np.int64),
                                       np.full(k, n, np.int64))
    t = topic[by_topic]
    topic_cumulative = np.cumsum(net.influence[members.members])
    lo = members.start[t]
    targets[by_topic] = members.members[
        weighted_draws(rng, topic_cumulative, lo, lo + members.count[t])]
    return targets


def _wanted_edges(rng: np.random.Generator, net: Network,
                  follows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    src = np.repeat(np.arange(net.size, dtype=np.int64), follows)
    return src, _preferential_targets(rng, net, src)


def build_twitter(rng: np.random.Generator, people: People, roles: Roles) -> Network:
    """Every person's Twitter account and the planted follow structure."""
    n = people.size
    persons = np.arange(n, dtype=np.int64)
    pod_of = np.full(n, -1, dtype=np.int64)
    for i, group in enumerate(roles.pod_groups):
        pod_of[group] = i
    net = _network("twitter", 0, persons, people, people.influence.copy(),
                   people.post_rate.copy(), pod_of)
    src, dst = _wanted_edges(rng, net, people.follows)
    bots = people.role[src] == Role.BOT
    dst[bots] = rng.integers(0, n, int(bots.sum()))
    inside = people.community[src] & (rng.random(src.size) < COMMUNITY_FOLLOW_SHARE)
    community = roles.community
    cumulative = np.cumsum(people.influence[community])
    k = int(inside.sum())
    dst[inside] = community[weighted_draws(rng, cumulative, np.zeros(k, np.int64),
                                           np.full(k, community.size, np.int64))]
    star, niche = (roles.one(Role.AUDIENCE_MASS_STAR), roles.one(Role.AUDIENCE_NICHE_EXPERT))
    keep = ~(people.community[src] & (dst == star))
    fans = community[rng.random(community.size) < NICHE_FOLLOW_SHARE]
    pod_src, pod_dst = _complete_pairs(roles.pod_groups)
    src = np.concatenate([src[keep], fans, pod_src])
    dst = np.concatenate([dst[keep], np.full(fans.size, niche, np.int64), pod_dst])
    return _with_edges(net, src, dst)


def _complete_pairs(groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair of distinct members within each group."""
    if not groups:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    src = np.concatenate([np.repeat(g, g.size) for g in groups]).astype(np.int64)
    dst = np.concatenate([np.tile(g, g.size) for g in groups]).astype(np.int64)
    return src, dst


def build_mastodon(rng: np.random.Generator, people: People, roles: Roles,
                   acc0: int) -> Network:
    """The Mastodon subset, its influence, and its own follow graph."""
    eligible = np.flatnonzero(np.isin(people.role, [Role.ORDINARY, Role.INFLUENCER,
                                                    Role.TOPIC_EXPERT]) & ~people.community)
    size = min(eligible.size, max(MIN_MASTODON, round(MASTODON_SHARE * people.size)))
    two = roles.one(Role.TWO_NETWORK)
    persons = np.sort(np.append(rng.choice(eligible, size, replace=False), two))
    influence = people.influence[persons] * rng.lognormal(0.0, 0.5, persons.size)
    me = np.searchsorted(persons, two)
    influence[me] = influence.max() * 1.2
    post_rate = people.post_rate[persons] * 0.6
    post_rate[me] = people.post_rate[two]
    net = _network("mastodon", acc0, persons, people, influence, post_rate,
                   np.full(persons.size, -1, dtype=np.int64))
    follows = np.clip((people.follows[persons] * 0.6).round().astype(np.int64), 3,
                      persons.size - 1)
    return _with_edges(net, *_wanted_edges(rng, net, follows))
