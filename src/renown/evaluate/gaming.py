"""Gamed real data: plant documented manipulation before the split, with ground truth.

Real networks contain gaming; a score that only wins on clean data has not
shown what its discounts are for.  `plant` adds, to a copy of a real data set
and strictly before the split, accounts that game in the ways the literature
documents, and records every planted account in ``_eval_planted`` (network,
account, gaming kind, role).  Planted accounts never act after the split, and
the outcome never counts them as responders (`renown.evaluate.outcomes`), so
they gain no genuine future responders: a scorer that ranks them high errs.

Every size comes from the data (so the same spec means the same threat on a
small forum and on Twitter) or from the literature:

* ``targets`` — how many distinct reactors a gamer buys: log-uniform between
  1.5 × the distinct reactors of the last person in the data's top 1% (of
  everyone eligible; at least 10) and 1.5 × those of the 100th person: gamers
  buy enough to look like the top, not like the median.
* each kind plants ``share`` × (1% of the eligible people) beneficiaries, so
  the kind could fill that share of a count baseline's top 1%.
* activity runs over the last 7 days before the split (fewer if the data
  starts later), at times drawn uniformly; reactions use the data's own mix of
  reaction kinds, so the planted events look like the network's.

Kinds (`KINDS`): **pods** — groups of 10–50 accounts that react to each
other's posts (Weerasinghe et al., "The Pod People", WWW 2020: engagement
pods on Instagram), each post drawing most members within hours, with a
little camouflage (reactions to popular genuine accounts, as FRAUDAR's
camouflage model assumes: Hooi et al., KDD 2016); **bought** — each customer
buys a target's worth of fresh accounts that each react to the customer's posts many
times and do nothing else (De Cristofaro et al., "Paying for Likes?", IMC
2014); **follow_rings** — groups of 20–100 accounts that all follow each
other (follow-for-follow); **reply_spam** — spam accounts posting ~100
replies a day for 3 days to popular genuine accounts, each also mentioning a promoted
account (Grier et al., "@spam", CCS 2010); **bot_farms** — bots reacting
~300 times a day to genuine content and to every one of the farm's customers;
**volume** — accounts posting 100–300 times a day and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

from renown.errors import RenownError

KINDS: Final = ("pods", "bought", "follow_rings", "reply_spam", "bot_farms", "volume")
#: Share of the top-1% slots each kind's beneficiaries could fill.
DEFAULT_SHARE: Final = 0.2
#: In a mixed spec every kind plants this share (all kinds together ≈ the whole top 1%).
MIXED_SHARE: Final = 0.1
#: Planted account ids start with this (the scorers never look at ids).
PLANTED_PREFIX: Final = "planted-"
ACTIVE_DAYS: Final = 7.0


class GamingSpecError(ValueError, RenownError):
    """A --inject-gaming spec that names no known kind or an invalid share."""


@dataclass(frozen=True, slots=True)
class GamingSpec:
    """Which kinds to plant, each with its share of the top-1% slots."""

    shares: tuple[tuple[str, float], ...]
    seed: int = 0

    @property
    def label(self) -> str:
        kinds = [kind for kind, _ in self.shares]
        return "mixed" if len(kinds) > 1 and set(kinds) == set(KINDS) else "+".join(kinds)

    @staticmethod
    def parse(text: str, seed: int = 0) -> GamingSpec:
        """``mixed`` | ``KIND[:SHARE][,KIND[:SHARE]...]`` (e.g. ``pods,bought:0.3``)."""
        text = text.strip()
        if text in ("mixed", "all"):
            return GamingSpec(tuple((kind, MIXED_SHARE) for kind in KINDS), seed)
        shares: list[tuple[str, float]] = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            kind, _, share_text = part.partition(":")
            kind = kind.strip().replace("-", "_")
            if kind not in KINDS:
                raise GamingSpecError(f"unknown gaming kind {kind!r} (known: mixed, "
                                      f"{', '.join(KINDS)})")
            try:
                share = float(share_text) if share_text else DEFAULT_SHARE
            except ValueError:
                raise GamingSpecError(f"{part!r}: share must be a number") from None
            if not 0 < share <= 5:
                raise GamingSpecError(f"{part!r}: share must be in (0, 5]")
            shares.append((kind, share))
        if not shares:
            raise GamingSpecError("empty gaming spec (try 'mixed' or 'pods,bought')")
        return GamingSpec(tuple(shares), seed)


@dataclass(frozen=True, slots=True)
class Context:
    """What the data says about the network being gamed, at the split."""

    network: str
    start: datetime
    split: datetime
    top_slots: int
    #: Distinct reactors that reach the top 1%, and the top 100 (× 1.5).
    target_low: int
    target_high: int
    reaction_kinds: tuple[str, ...]
    reaction_mix: npt.NDArray[np.float64]
    #: Genuine accounts that drew reactions, and the probability to pick each
    #: (uniform: bots and spam hit ordinary accounts, so they do not crowd the top).
    popular: npt.NDArray[np.str_]
    popular_p: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class KindSummary:
    kind: str
    beneficiaries: int
    helpers: int
    events: int
    sizing: str


@dataclass(frozen=True, slots=True)
class Planted:
    """What was planted: per kind, and the data-derived sizes behind it."""

    spec: GamingSpec
    network: str
    target_low: int
    target_high: int
    top_slots: int
    kinds: tuple[KindSummary, ...]

    @property
    def accounts(self) -> int:
        return sum(k.beneficiaries + k.helpers for k in self.kinds)


class Batch:
    """Planted events and accounts being built for one kind."""

    def __init__(self, kind: str, ctx: Context, rng: np.random.Generator) -> None:
        self.kind, self.ctx, self.rng = kind, ctx, rng
        self.columns: dict[str, list[object]] = {"actor": [], "kind": [], "subject": [], "ts": []}
        self.roles: dict[str, str] = {}

    def accounts(self, role: str, count: int) -> list[str]:
        start = len(self.roles)
        names = [f"{PLANTED_PREFIX}{self.kind}-{start + i:06d}" for i in range(count)]
        self.roles.update(dict.fromkeys(names, role))
        return names

    def times(self, count: int, days: float | None = None) -> list[datetime]:
        span = (self.ctx.split - self.ctx.start).total_seconds()
        if days is not None:
            span = min(span, days * 86400.0)
        offsets = self.rng.uniform(1.0, max(span, 2.0), count)
        return [self.ctx.split - timedelta(seconds=float(s)) for s in offsets]

    def add(self, actors: list[str], kinds: list[str], subjects: list[str | None],
            times: list[datetime]) -> None:
        self.columns["actor"] += actors
        self.columns["kind"] += kinds
        self.columns["subject"] += subjects
        self.columns["ts"] += times

    def reaction_kinds(self, count: int) -> list[str]:
        drawn = self.rng.choice(len(self.ctx.reaction_kinds), size=count, p=self.ctx.reaction_mix)
        return [self.ctx.reaction_kinds[i] for i in drawn]

    def targets(self, count: int) -> list[int]:
        """Reactor counts to buy, log-uniform over the data's top tier."""
        low, high = math.log(self.ctx.target_low), math.log(self.ctx.target_high)
        return [round(math.exp(v)) for v in self.rng.uniform(low, high, count)]

    def popular(self, count: int) -> list[str]:
        picks = self.rng.choice(self.ctx.popular.size, size=count, p=self.ctx.popular_p)
        return [str(self.ctx.popular[i]) for i in picks]

    @property
    def days(self) -> float:
        return (self.ctx.split - self.ctx.start).total_seconds() / 86400.0


def _count(share: float, ctx: Context) -> int:
    return max(1, math.ceil(share * ctx.top_slots))


def _posts(batch: Batch, authors: list[str], per_day: float,
           days: float | None = None) -> list[tuple[str, datetime]]:
    """Each author posts about ``per_day`` times a day; returns (author, time) per post."""
    span = batch.days if days is None else min(days, batch.days)
    n = max(1, round(per_day * span))
    posts = [(a, t) for a in authors for t in batch.times(n, span)]
    batch.add([a for a, _ in posts], ["post"] * len(posts), [None] * len(posts),
               [t for _, t in posts])
    return posts


def _react(batch: Batch, actors: list[str], subjects: list[str], after: list[datetime],
           hours: float = 2.0) -> None:
    """Reactions by ``actors`` to ``subjects``, within ``hours`` of each post, before the split."""
    delays = batch.rng.uniform(60.0, hours * 3600.0, len(actors))
    times = [min(t + timedelta(seconds=float(d)), batch.ctx.split - timedelta(seconds=1))
             for t, d in zip(after, delays, strict=True)]
    batch.add(actors, batch.reaction_kinds(len(actors)), list(subjects), times)


def _pods(batch: Batch, share: float) -> str:
    members_left = _count(share, batch.ctx)
    while members_left > 0:
        size = min(members_left, int(batch.rng.integers(10, 51))) if members_left >= 10 else 10
        members = batch.accounts("member", size)
        members_left -= size
        actors: list[str] = []
        subjects: list[str] = []
        after: list[datetime] = []
        for author, posted in _posts(batch, members, per_day=2.0):
            for member in members:
                if member != author and batch.rng.random() < 0.8:
                    actors.append(member)
                    subjects.append(author)
                    after.append(posted)
        _react(batch, actors, subjects, after)
        camouflage = [m for m in members for _ in range(max(1, round(batch.days)))]
        batch.add(camouflage, batch.reaction_kinds(len(camouflage)),
                  list(batch.popular(len(camouflage))), batch.times(len(camouflage)))
    return "pods of 10–50 (Weerasinghe et al. 2020); each post draws each member with p = 0.8"


def _bought(batch: Batch, share: float) -> str:
    customers = batch.accounts("customer", _count(share, batch.ctx))
    for customer, bought in zip(customers, batch.targets(len(customers)), strict=True):
        posts = _posts(batch, [customer], per_day=1.0)
        fakes = batch.accounts("bought-account", bought)
        actors: list[str] = []
        after: list[datetime] = []
        for fake in fakes:
            repeats = int(batch.rng.integers(5, 21))
            for i in range(repeats):
                actors.append(fake)
                after.append(posts[i % len(posts)][1])
        _react(batch, actors, [customer] * len(actors), after, hours=12.0)
    return (f"{batch.ctx.target_low}–{batch.ctx.target_high} fresh accounts per customer "
            "(De Cristofaro et al. 2014), 5–20 reactions each")


def _follow_rings(batch: Batch, share: float) -> str:
    members_left = _count(share, batch.ctx)
    while members_left > 0:
        size = max(20, min(members_left, int(batch.rng.integers(20, 101))))
        members = batch.accounts("member", size)
        members_left -= size
        _posts(batch, members, per_day=1.0)
        pairs = [(a, b) for a in members for b in members if a != b]
        batch.add([a for a, _ in pairs], ["follow"] * len(pairs), [b for _, b in pairs],
                  batch.times(len(pairs)))
    return "rings of 20–100 accounts that all follow each other"


def _farms(batch: Batch, served: list[str]) -> list[tuple[list[str], int]]:
    """``served`` split into three farms, each with a worker count from the top tier."""
    sizes = sorted(batch.targets(3))
    return [(served[i::3], size) for i, size in enumerate(sizes) if served[i::3]]


def _reply_spam(batch: Batch, share: float) -> str:
    promoted = batch.accounts("promoted", _count(share, batch.ctx))
    _posts(batch, promoted, per_day=1.0)
    per_day, days = 100, min(3.0, batch.days)
    for clients, size in _farms(batch, promoted):
        for spammer in batch.accounts("spammer", size):
            total = max(len(clients), round(per_day * days))
            targets = [clients[i % len(clients)] for i in range(total)]
            times = batch.times(total, days)
            batch.add([spammer] * total, ["reply"] * total, list(batch.popular(total)), times)
            batch.add([spammer] * total, ["mention"] * total, list(targets), times)
    return (f"3 farms of {batch.ctx.target_low}–{batch.ctx.target_high} spam accounts × "
            f"~{per_day} replies/day for {days:g} days (Grier et al. 2010), each mentioning "
            "a promoted account")


def _bot_farms(batch: Batch, share: float) -> str:
    customers = batch.accounts("customer", _count(share, batch.ctx))
    _posts(batch, customers, per_day=1.0)
    per_day = 300
    for clients, size in _farms(batch, customers):
        for bot in batch.accounts("bot", size):
            genuine = max(0, round(per_day * batch.days) - len(clients))
            subjects = clients + list(batch.popular(genuine))
            batch.add([bot] * len(subjects), batch.reaction_kinds(len(subjects)),
                      list(subjects), batch.times(len(subjects)))
    return (f"3 farms of {batch.ctx.target_low}–{batch.ctx.target_high} bots × "
            f"~{per_day} reactions/day, every customer of the farm included")


def _volume(batch: Batch, share: float) -> str:
    for account in batch.accounts("volume", _count(share, batch.ctx)):
        _posts(batch, [account], per_day=float(batch.rng.integers(100, 301)), days=3.0)
    return "accounts posting 100–300 times a day (over the last 3 days), nothing else"


PLANTERS: Final[dict[str, Callable[[Batch, float], str]]] = {
    "pods": _pods, "bought": _bought, "follow_rings": _follow_rings,
    "reply_spam": _reply_spam, "bot_farms": _bot_farms, "volume": _volume,
}


#: Roles that gain from the gaming (the rest are the accounts doing it).
BENEFICIARY_ROLES: Final = frozenset({"member", "customer", "promoted", "volume"})
