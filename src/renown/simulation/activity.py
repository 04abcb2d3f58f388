"""Organic activity: posts, the reactions they draw, reshare cascades, follows.

Assumptions:

* Each account posts a Poisson number of times at its rate, at times spread
  uniformly over the period's days with a daily rhythm.  A post is on one of
  the author's interests (first 60%, second 30%, third 10%), or with
  probability ``off_topic`` on any topic by popularity.
* A follower reacts to a post with probability
  ``0.04 · (influence / median)^0.3 · appeal`` (the author's pull) times an
  affinity: their reactivity, ×2.5 if the post's topic is one of their
  interests, ×0.4 if not (capped at 6).  Followers of influential authors are
  thus both more numerous (preferential follows) and more likely to react.
  Sampling uses thinning: a binomial number of candidate followers is drawn
  uniformly from the author's follower list and each is kept with probability
  affinity / 6, so the work is proportional to the reactions produced, not to
  followers × posts.
* Non-followers who share the post's topic also find it (hashtags, search):
  ``Poisson(0.5 · (influence / median)^0.5 · appeal)`` candidates drawn from
  the topic's fans, each kept with probability ``min(1, reactivity / 2)``.
* A person reacts at most once to a post (organically).  Reactions are likes
  60%, reshares 16%, replies 12%, mentions 7%, quotes 5%, arriving a
  lognormal delay after the post (median 45 minutes, capped at two days).
* Reshares cascade one level: the resharer's followers react to the original
  post (subject = the original author) at half the original rate.
* Pod members' reactions to each other are not organic (`renown.simulation.planted`).
* 75% of follow edges date from the 90 days before the period, the rest from
  within it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

import numpy as np

from renown.simulation.blocks import KIND, EventBlock, Serials
from renown.simulation.graph import Network
from renown.simulation.sampling import (
    DAY_US,
    Period,
    categorical,
    contains_sorted,
    first_occurrences,
    reaction_delays_us,
    segment_draws,
    times_in_period,
    unique_pairs,
)
from renown.simulation.topics import POST_POOL, REPLY_POOL, Catalogue, interest_weights

REACT_BASE: Final = 0.04
INFLUENCE_EXPONENT: Final = 0.3
TOPIC_MATCH: Final = 2.5
TOPIC_MISS: Final = 0.4
#: Affinities above this count as this much (only the most eager fans reach it).
ACCEPT_MAX: Final = 6.0
DISCOVERY_RATE: Final = 0.5
CASCADE_DAMPING: Final = 0.5
FOLLOWS_BEFORE_PERIOD: Final = 0.75
#: Posts handled per step of reaction generation (bounds memory).
POST_CHUNK: Final = 1 << 18
INTEREST_SLOT_PROBS: Final = np.array([0.6, 0.3, 0.1])
FIRST_LEVEL: Final = ((KIND["like"], 0.60), (KIND["reshare"], 0.16), (KIND["reply"], 0.12),
                      (KIND["mention"], 0.07), (KIND["quote"], 0.05))
SECOND_LEVEL: Final = ((KIND["like"], 0.75), (KIND["reshare"], 0.15), (KIND["reply"], 0.10))
TEXT_KINDS: Final = np.array([KIND["reply"], KIND["quote"], KIND["mention"]], dtype=np.int8)


@dataclass(slots=True)
class Posts:
    """Original posts of one network: local author, time, topic, serial, catalogue row."""

    author: np.ndarray
    ts: np.ndarray
    topic: np.ndarray
    serial: np.ndarray
    content: np.ndarray

    def __len__(self) -> int:
        return int(self.ts.size)

    def select(self, which: np.ndarray | slice) -> Posts:
        return Posts(*(getattr(self, f.name)[which] for f in fields(self)))

    def events(self, net: Network) -> EventBlock:
        return EventBlock.build(self.ts, net.acc0 + self.author, KIND["post"],
                                post=self.serial, content=self.content)


def generate_posts(rng: np.random.Generator, net: Network, period: Period,
                   serials: Serials, catalogue: Catalogue) -> Posts:
    """Every account's posts over the period (see the module docstring)."""
    counts = rng.poisson(net.post_rate * period.days)
    author = np.repeat(np.arange(net.size, dtype=np.int64), counts)
    ts = times_in_period(rng, period.start_us, period.days, author.size)
    slot = categorical(rng, INTEREST_SLOT_PROBS, author.size)
    topic = net.interests[author, slot].astype(np.int64)
    topic = np.where(topic < 0, net.interests[author, 0], topic)
    off = rng.random(author.size) < net.off_topic[author]
    topic[off] = categorical(rng, interest_weights(), int(off.sum()))
    content = catalogue.post_rows(topic, rng.integers(0, POST_POOL, author.size))
    return Posts(author, ts, topic, serials.take(author.size), content)


def author_pull(net: Network, author: np.ndarray) -> np.ndarray:
    """Base rate at which a follower of ``author`` reacts (reactivity 1, topic factor 1)."""
    reference = float(np.median(net.influence))
    return np.asarray(REACT_BASE * (net.influence[author] / reference) ** INFLUENCE_EXPONENT
                      * net.appeal[author])


def _follower_candidates(rng: np.random.Generator, net: Network, spreader: np.ndarray,
                         pull: np.ndarray, topic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Followers of each ``spreader`` who react (thinning; see the module docstring)."""
    q = np.minimum(1.0, pull * ACCEPT_MAX)
    counts = rng.binomial(net.followers.count[spreader], q)
    owner, reactor = segment_draws(rng, net.followers, spreader, counts)
    match = (net.interest_bits[reactor] >> topic[owner]) & 1
    affinity = net.reactivity[reactor] * np.where(match == 1, TOPIC_MATCH, TOPIC_MISS)
    keep = rng.random(owner.size) * ACCEPT_MAX < affinity
    return owner[keep], reactor[keep]


def _discovery_candidates(rng: np.random.Generator, net: Network,
                          posts: Posts) -> tuple[np.ndarray, np.ndarray]:
    """Topic fans who are not (necessarily) followers and find the post anyway."""
    reference = float(np.median(net.influence))
    rate = DISCOVERY_RATE * np.sqrt(net.influence[posts.author] / reference)
    has_fans = net.topic_members.count[posts.topic] > 0
    counts = rng.poisson(rate * net.appeal[posts.author] * has_fans)
    owner, reactor = segment_draws(rng, net.topic_members, posts.topic, counts)
    keep = rng.random(owner.size) < np.minimum(1.0, net.reactivity[reactor] / 2)
    return owner[keep], reactor[keep]


def _allowed(net: Network, author: np.ndarray, reactor: np.ndarray) -> np.ndarray:
    """Not oneself, and not a pod mate (pods react to each other by their own rules)."""
    pod = net.pod_of[reactor]
    return np.asarray((reactor != author) & ((pod < 0) | (pod != net.pod_of[author])))


def organic_reactions(rng: np.random.Generator, net: Network, posts: Posts,
                      serials: Serials, catalogue: Catalogue) -> list[EventBlock]:
    """Reactions to ``posts`` by followers and topic fans, plus one cascade level.

    Returned as blocks (two per chunk of posts) that the caller concatenates
    once with everything else: each extra concatenation copies every event.
    """
    blocks: list[EventBlock] = []
    for lo in range(0, len(posts), POST_CHUNK):
        blocks += _react(rng, net, posts.select(slice(lo, lo + POST_CHUNK)), serials, catalogue)
    return blocks


def _react(rng: np.random.Generator, net: Network, posts: Posts, serials: Serials,
           catalogue: Catalogue) -> list[EventBlock]:
    pull = author_pull(net, posts.author)
    f_owner, f_reactor = _follower_candidates(rng, net, posts.author, pull, posts.topic)
    d_owner, d_reactor = _discovery_candidates(rng, net, posts)
    owner, reactor = np.concatenate([f_owner, d_owner]), np.concatenate([f_reactor, d_reactor])
    keep = _allowed(net, posts.author[owner], reactor)
    owner, reactor = unique_pairs(owner[keep], reactor[keep], net.size)
    kind = _kinds(rng, FIRST_LEVEL, owner.size)
    ts = posts.ts[owner] + reaction_delays_us(rng, owner.size, 2700, 1.3, 2 * 86_400)
    level1 = _reaction_block(rng, net, posts, owner, reactor, kind, ts, serials, catalogue)
    shared = kind == KIND["reshare"]
    c_owner, c_reactor, c_ts = _cascade(rng, net, posts, pull, owner[shared],
                                        reactor[shared], ts[shared])
    c_keys = c_owner * net.size + c_reactor
    fresh = first_occurrences(c_keys)  # level-1 keys are sorted: owner-major, unique
    fresh = fresh[~contains_sorted(owner * net.size + reactor, c_keys[fresh])]
    c_kind = _kinds(rng, SECOND_LEVEL, fresh.size)
    level2 = _reaction_block(rng, net, posts, c_owner[fresh], c_reactor[fresh], c_kind,
                             c_ts[fresh], serials, catalogue)
    return [level1, level2]


def _cascade(rng: np.random.Generator, net: Network, posts: Posts, pull: np.ndarray,
             owner: np.ndarray, resharer: np.ndarray,
             shared_at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Followers of resharers reacting to the original post, after the reshare."""
    which, reactor = _follower_candidates(rng, net, resharer, pull[owner] * CASCADE_DAMPING,
                                          posts.topic[owner])
    c_owner = owner[which]
    keep = _allowed(net, posts.author[c_owner], reactor)
    ts = shared_at[which] + reaction_delays_us(rng, which.size, 2700, 1.3, 2 * 86_400)
    return c_owner[keep], reactor[keep], ts[keep]


def _kinds(rng: np.random.Generator, mix: tuple[tuple[int, float], ...], n: int) -> np.ndarray:
    codes = np.array([code for code, _ in mix], dtype=np.int8)
    return np.asarray(codes[categorical(rng, np.array([p for _, p in mix]), n)])


def _reaction_block(rng: np.random.Generator, net: Network, posts: Posts, owner: np.ndarray,
                    reactor: np.ndarray, kind: np.ndarray, ts: np.ndarray, serials: Serials,
                    catalogue: Catalogue) -> EventBlock:
    """Reaction events: subject = the post's author, parent = the post."""
    content = np.where(np.isin(kind, TEXT_KINDS),
                       catalogue.reply_rows(posts.topic[owner],
                                            rng.integers(0, REPLY_POOL, owner.size)), -1)
    return EventBlock.build(ts, net.acc0 + reactor, kind, net.acc0 + posts.author[owner],
                            serials.for_content(kind), posts.serial[owner], content)


def follow_events(rng: np.random.Generator, net: Network, period: Period) -> EventBlock:
    """One ``follow`` per edge, mostly from before the period (the graph predates it)."""
    n = net.src.size
    before = rng.random(n) < FOLLOWS_BEFORE_PERIOD
    history = period.history_start_us + rng.integers(
        0, period.history_days * DAY_US, n, dtype=np.int64)
    during = times_in_period(rng, period.start_us, period.days, n)
    return EventBlock.build(np.where(before, history, during), net.acc0 + net.src,
                            KIND["follow"], subject=net.acc0 + net.dst)

