"""Planted behaviour that organic activity would never produce on its own.

* **Pods**: every member reacts to every post of every other member: always a
  like, a reshare half the time, a reply 30% of the time, within minutes
  (coordinated).  Their raw reaction counts rival mid-level influencers',
  from only 7-11 distinct people.
* **Bots**: each likes or reshares 200-500 posts a day, picking a random
  author with posts and then one of that author's posts, so influencers and
  ordinary people alike get bot reactions (volume posters, being few authors,
  get few).  Bots react within minutes of the post.
* **Viral joke**: one post on ``asthma`` by a cooking fan, mid-period,
  reacted to by hundreds of distinct ordinary people within 20 hours.
* **Offline credentials**: five dated credentials (talks, a publication, a
  course, an award) on network ``offline`` with titles and evidence URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from renown.simulation.activity import Posts
from renown.simulation.blocks import KIND, EventBlock, Serials
from renown.simulation.graph import Network
from renown.simulation.sampling import (
    DAY_US,
    Period,
    all_members,
    categorical,
    group_by,
    reaction_delays_us,
    segment_draws,
    unique_pairs,
)
from renown.simulation.topics import OFFLINE_CREDENTIALS, REPLY_POOL, TOPIC_INDEX, Catalogue

POD_RESHARE: Final = 0.5
POD_REPLY: Final = 0.3
BOT_DAILY_RANGE: Final = (200, 500)
VIRAL_MAX_DELAY_S: Final = 20 * 3600


def pod_reactions(rng: np.random.Generator, net: Network, posts: Posts,
                  pod_groups: list[np.ndarray], serials: Serials,
                  catalogue: Catalogue) -> EventBlock:
    """Each pod member reacts to each pod mate's post (like; maybe reshare, reply)."""
    if not pod_groups:
        return EventBlock.empty()
    in_pod = posts.select(net.pod_of[posts.author] >= 0)
    members = np.concatenate(pod_groups)
    pods = group_by(net.pod_of[members], members, len(pod_groups))
    owner, reactor = all_members(pods, net.pod_of[in_pod.author])
    keep = reactor != in_pod.author[owner]
    owner, reactor = owner[keep], reactor[keep]
    likes = owner.size
    reshare = rng.random(likes) < POD_RESHARE
    reply = rng.random(likes) < POD_REPLY
    owner = np.concatenate([owner, owner[reshare], owner[reply]])
    reactor = np.concatenate([reactor, reactor[reshare], reactor[reply]])
    kind = np.concatenate([np.full(likes, KIND["like"], np.int8),
                           np.full(reshare.sum(), KIND["reshare"], np.int8),
                           np.full(reply.sum(), KIND["reply"], np.int8)])
    ts = in_pod.ts[owner] + reaction_delays_us(rng, owner.size, 480, 0.8, 6 * 3600)
    content = np.where(kind == KIND["reply"], catalogue.reply_rows(
        in_pod.topic[owner], rng.integers(0, REPLY_POOL, owner.size)), -1)
    return EventBlock.build(ts, net.acc0 + reactor, kind, net.acc0 + in_pod.author[owner],
                            serials.for_content(kind), in_pod.serial[owner], content)


def bot_reactions(rng: np.random.Generator, net: Network, posts: Posts, bots: np.ndarray,
                  period: Period, serials: Serials) -> EventBlock:
    """Hundreds of likes and reshares a day per bot, on random authors' posts."""
    if bots.size == 0 or len(posts) == 0:
        return EventBlock.empty()
    by_author = group_by(posts.author, np.arange(len(posts), dtype=np.int64), net.size)
    authors = np.setdiff1d(np.flatnonzero(by_author.count > 0), bots)
    daily = rng.uniform(*BOT_DAILY_RANGE, bots.size)
    bot = np.repeat(bots, np.round(daily * period.days).astype(np.int64))
    author = authors[rng.integers(0, authors.size, bot.size)]
    _, post = segment_draws(rng, by_author, author, np.ones(bot.size, dtype=np.int64))
    post, bot = unique_pairs(post, bot, net.size)
    kind = np.where(rng.random(bot.size) < 0.75, KIND["like"], KIND["reshare"]).astype(np.int8)
    ts = posts.ts[post] + reaction_delays_us(rng, bot.size, 600, 1.0, 12 * 3600)
    return EventBlock.build(ts, net.acc0 + bot, kind, net.acc0 + posts.author[post],
                            serials.for_content(kind), posts.serial[post])


@dataclass(frozen=True, slots=True)
class ViralJoke:
    """The planted joke: its events, post serial, time and distinct reactors."""

    events: EventBlock
    serial: int
    posted_us: int
    reactors: int


def viral_reactor_count(people: int) -> int:
    """Hundreds of distinct reactors: a fifth of the world, between 100 and 3,000."""
    return int(np.clip(people // 5, 100, 3000))


def viral_joke(rng: np.random.Generator, net: Network, joker: int, pool: np.ndarray,
               period: Period, serials: Serials, catalogue: Catalogue) -> ViralJoke:
    """One off-topic joke post drawing hundreds of distinct reactors within a day."""
    posted = min(period.start_us + (period.days // 2) * DAY_US + 10 * 3600 * 10**6,
                 period.end_us - (VIRAL_MAX_DELAY_S + 3600) * 10**6)
    serial = int(serials.take(1)[0])
    post = EventBlock.build(np.array([posted]), np.array([net.acc0 + joker]), KIND["post"],
                            post=np.array([serial]), content=np.array([catalogue.joke_row]))
    n = min(viral_reactor_count(net.size), pool.size)
    reactor = np.sort(rng.choice(pool, n, replace=False))
    codes = np.array([KIND["like"], KIND["reshare"], KIND["reply"]], dtype=np.int8)
    kind = codes[categorical(rng, np.array([0.7, 0.2, 0.1]), n)]
    ts = posted + reaction_delays_us(rng, n, 3 * 3600, 1.0, VIRAL_MAX_DELAY_S)
    topic = np.full(n, TOPIC_INDEX["asthma"], dtype=np.int64)
    content = np.where(kind == KIND["reply"],
                       catalogue.reply_rows(topic, rng.integers(0, REPLY_POOL, n)), -1)
    reactions = EventBlock.build(ts, net.acc0 + reactor, kind,
                                 np.full(n, net.acc0 + joker, np.int64),
                                 serials.for_content(kind), np.full(n, serial, np.int64), content)
    return ViralJoke(EventBlock.concat([post, reactions]), serial, posted, n)


def offline_events(account: int, period: Period, catalogue: Catalogue) -> EventBlock:
    """The offline credentials, spread evenly over the period at 09:00 UTC."""
    n = len(OFFLINE_CREDENTIALS)
    day = (np.arange(n) * 2 + 1) * period.days // (2 * n)
    ts = period.start_us + day.astype(np.int64) * DAY_US + 9 * 3600 * 10**6
    block = EventBlock.build(ts, np.full(n, account, np.int64), 0,
                             content=catalogue.offline_offset + np.arange(n, dtype=np.int32))
    block.kind = np.array([KIND[kind] for kind, _, _ in OFFLINE_CREDENTIALS], dtype=np.int8)
    return block
