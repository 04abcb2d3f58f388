"""Simulated campaigns with planted truth: whose audience really clicks and buys.

A campaign report claims to tell people whose audience acts on their word from
people whose audience is only numbers.  That claim can only be tested against
an answer known in advance, so this module plants one in a simulated world
(`renown.simulation.world`): given the world's ground truth and the invitees'
tracked-link codes it produces the clicks a link server would see and the
orders a shop would export, and says who was planted as what.  It never
touches the world itself (worlds stay byte-identical); it only reads its truth.

Planted assumptions:

* **Genuine reach follows latent influence.**  A person's expected visitors are
  `VISITS_PER_INFLUENCE` × their latent influence (their Twitter row of
  ``truth_influence.parquet``: everyone has one and it is the influence the
  population was drawn with; the Mastodon row is a noisy copy of the same
  reputation, so adding it would count one audience twice).  Top influencers
  of a 200-2,000-person world expect tens to a few hundred visitors, a median
  person about four.  The count is Poisson.
* Each genuine visit is a distinct visitor (its own 10.0.0.0/8 address, all
  distinct in a campaign, and a common browser's user agent).  The person
  posts the link once, at a uniform time in the first half of the window;
  visits follow with exponential delays (mean one day) cut at the window end.
* A share of visitors (uniform on 5-15 %, drawn per person) converts once,
  with its own customer id, after an exponential delay (mean six hours) that
  stays inside the window.  "sale" orders have lognormal values (median 45,
  σ 0.6); any other outcome (a sign-up…) is worth 0.0.
* **Planted converters** (`CONVERTER_ROLES`) follow that rule and, so that
  "converters drive conversions" holds for each of them and not only on
  average, always get at least one visit and one conversion.
* **Fake audiences** (`FAKE_AUDIENCE_ROLES`: engagement pods, volume posters)
  drive no genuine visit and no conversion, whatever their latent influence:
  their engagement is each other's or nobody's.  One invited fake-audience
  person (chosen by the seed) gets a click flood: ``click_flood`` clicks from
  ONE visitor (one 192.0.2.0/24 address, one user agent) within
  `FLOOD_SECONDS`; a system that counts visitors must count it once.
* Every other invitee is ordinary: the genuine rule, from their (small)
  latent influence, with no guarantee.

Each person draws from their own stream (seed, world seed, person id), so a
person's clicks do not change when someone else is invited; addresses, user
agents and ids are then handed out from one campaign stream.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
import pyarrow.compute as pc

from renown.simulation.truth import Truth

VISITS_PER_INFLUENCE: Final = 4.0
CONVERSION_RATE: Final = (0.05, 0.15)
#: The link is posted in this first share of the campaign window.
POST_WITHIN: Final = 0.5
VISIT_DELAY_S: Final = 86_400.0
CONVERSION_DELAY_S: Final = 6 * 3_600.0
SALE_MEDIAN: Final = 45.0
SALE_SIGMA: Final = 0.6
VALUED_OUTCOMES: Final = frozenset({"sale"})
FLOOD_SECONDS: Final = 300
CONVERTER_ROLES: Final = ("influencers", "topic_experts", "two_network", "audience_mass_star")
FAKE_AUDIENCE_ROLES: Final = ("pods", "volume_posters")
#: Common browsers, with rough shares of traffic.
USER_AGENTS: Final = (
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36", 0.35),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 0.25),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Mobile Safari/537.36", 0.2),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4 Safari/605.1.15", 0.1),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 0.1),
)
_US: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class Visit:
    """One click on a tracked link, as a browser would make it."""

    code: str
    ip: str
    user_agent: str
    ts: datetime


@dataclass(frozen=True, slots=True)
class Conversion:
    """One order or sign-up attributed to a tracked-link code."""

    code: str
    order_id: str
    customer: str
    outcome: str
    value: float
    ts: datetime


@dataclass(frozen=True, slots=True)
class CampaignActivity:
    """What a campaign produced, and the planted truth to check a report against."""

    visits: tuple[Visit, ...]
    conversions: tuple[Conversion, ...]
    converters: tuple[str, ...]
    fake_audience: tuple[str, ...]
    expected_visits: dict[str, float]


@dataclass(frozen=True, slots=True)
class _Drawn:
    """One person's genuine visitors: visit times, and who converts when for how much."""

    visits: np.ndarray  # µs after the start
    converts: np.ndarray  # bool per visitor
    converted_at: np.ndarray  # µs after the start (meaningful where converts)
    values: np.ndarray


def campaign_candidates(truth: Truth) -> dict[str, list[str]]:
    """Person ids worth inviting, by planted kind, in role order then truth order.

    Converters are the established roles whose reach is genuine; the fake
    audience is the roles whose engagement is manufactured or absent.
    """
    return {"converters": _people(truth, CONVERTER_ROLES),
            "fake_audience": _people(truth, FAKE_AUDIENCE_ROLES)}


def latent_influence(truth: Truth) -> dict[str, float]:
    """Each person's latent influence (their Twitter row; see the module docstring)."""
    table = truth.influence()
    twitter = table.filter(pc.equal(table["network"], "twitter"))
    return dict(zip(twitter["person_id"].to_pylist(),
                    twitter["latent_influence"].to_pylist(), strict=True))


def simulate_campaign(truth: Truth, invited: Mapping[str, str], *, start: datetime,
                      days: int = 7, outcome: str = "sale", seed: int = 0,
                      click_flood: int = 50) -> CampaignActivity:
    """Clicks and conversions of a campaign over [start, start + days).

    ``invited`` maps person id (as in ``truth``) to that person's tracked-link
    code.  A naive ``start`` is taken as UTC, as everywhere in Renown.  The
    result depends only on the arguments, not on the order of ``invited``.
    """
    influence = latent_influence(truth)
    _check(invited, influence, days, click_flood)
    origin = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    window_us, world_seed = days * 86_400 * _US, int(truth["parameters"]["seed"])
    kinds = campaign_candidates(truth)
    converting, fake = set(kinds["converters"]), set(kinds["fake_audience"])
    people = sorted(invited)
    expected = {p: 0.0 if p in fake else VISITS_PER_INFLUENCE * influence[p] for p in people}
    drawn = {p: _genuine(np.random.default_rng([seed, world_seed, 1, zlib.crc32(p.encode())]),
                         expected[p], window_us, at_least_one=p in converting)
             for p in people if p not in fake}
    rng = np.random.default_rng([seed, world_seed, 0])
    faked = [p for p in people if p in fake]
    target = faked[int(rng.integers(len(faked)))] if faked and click_flood else None
    codes = [invited[p] for p in drawn for _ in range(drawn[p].visits.size)]
    offsets = np.concatenate([d.visits for d in drawn.values()] + [np.zeros(0, np.int64)])
    total = offsets.size
    hosts = rng.choice(2**24 - 2, size=total, replace=False) + 1
    agents = rng.choice(len(USER_AGENTS), size=total, p=[w for _, w in USER_AGENTS])
    customers = rng.permutation(total) + 1
    ips = [f"10.{h >> 16}.{(h >> 8) & 255}.{h & 255}" for h in hosts.tolist()]
    visits = [Visit(code, ip, USER_AGENTS[a][0], _at(origin, off))
              for code, ip, a, off in zip(codes, ips, agents.tolist(), offsets.tolist(),
                                          strict=True)]
    if target is not None:
        visits += _flood(rng, invited[target], click_flood, window_us, origin)
    visits.sort(key=lambda v: (v.ts, v.code, v.ip, v.user_agent))
    converts = np.concatenate([d.converts for d in drawn.values()] + [np.zeros(0, bool)])
    at = np.concatenate([d.converted_at for d in drawn.values()] + [np.zeros(0, np.int64)])
    values = np.concatenate([d.values for d in drawn.values()] + [np.zeros(0)])
    valued = outcome in VALUED_OUTCOMES
    rows = sorted((int(at[i]), codes[i], f"cust-{customers[i]:06d}",
                   float(values[i]) if valued else 0.0) for i in np.flatnonzero(converts))
    conversions = tuple(Conversion(code, f"ord-{n:06d}", customer, outcome, value,
                                   _at(origin, off))
                        for n, (off, code, customer, value) in enumerate(rows, start=1))
    return CampaignActivity(tuple(visits), conversions,
                            tuple(p for p in people if p in converting),
                            tuple(faked), expected)


def _people(truth: Truth, roles: tuple[str, ...]) -> list[str]:
    found = [p for role in roles if role in truth["roles"] for p in truth.people(role)]
    return list(dict.fromkeys(found))


def _check(invited: Mapping[str, str], influence: Mapping[str, float], days: int,
           click_flood: int) -> None:
    """Fail early: an unknown person or a shared code would plant a truth nobody can check."""
    unknown = sorted(set(invited) - set(influence))
    if unknown:
        raise ValueError(f"not people of this world: {', '.join(unknown[:5])}")
    codes = list(invited.values())
    if any(not code for code in codes) or len(set(codes)) != len(codes):
        raise ValueError("every invited person needs their own non-empty code")
    if days < 1:
        raise ValueError(f"days must be at least 1 (got {days})")
    if click_flood < 0:
        raise ValueError(f"click_flood must not be negative (got {click_flood})")


def _genuine(rng: np.random.Generator, expected: float, window_us: int, *,
             at_least_one: bool) -> _Drawn:
    """One person's genuine visitors and conversions (the rules in the module docstring).

    Every draw is made whatever the outcome so that a person's visits do not
    depend on what the campaign's goal is.
    """
    n = int(rng.poisson(expected))
    n = max(n, 1) if at_least_one else n
    posted = rng.uniform(0.0, POST_WITHIN * window_us)
    delay = _truncated_exponential(rng, VISIT_DELAY_S * _US, window_us - posted, n)
    visits = np.minimum(np.floor(posted + delay), window_us - 1).astype(np.int64)
    room = window_us - visits  # conversions must fall strictly after the visit, in the window
    converts = (rng.random(n) < rng.uniform(*CONVERSION_RATE)) & (room >= 2)
    if at_least_one and not converts.any() and (room >= 2).any():
        converts[int(rng.choice(np.flatnonzero(room >= 2)))] = True
    wait = _truncated_exponential(rng, CONVERSION_DELAY_S * _US, room.astype(np.float64), n)
    converted_at = visits + np.clip(np.ceil(wait).astype(np.int64), 1, np.maximum(room - 1, 1))
    values = rng.lognormal(np.log(SALE_MEDIAN), SALE_SIGMA, n).round(2)
    return _Drawn(visits, converts, converted_at, values)


def _truncated_exponential(rng: np.random.Generator, mean: float,
                           limit: float | np.ndarray, n: int) -> np.ndarray:
    """Exponential delays cut at ``limit`` by inverting the CDF (no rejected draws)."""
    mass = -np.expm1(-np.asarray(limit, dtype=np.float64) / mean)
    return np.asarray(-mean * np.log1p(-rng.random(n) * mass), dtype=np.float64)


def _flood(rng: np.random.Generator, code: str, clicks: int, window_us: int,
           origin: datetime) -> list[Visit]:
    """``clicks`` requests from one visitor within `FLOOD_SECONDS`: a refresh loop or a script."""
    span = FLOOD_SECONDS * _US
    begin = int(rng.integers(0, max(window_us - span, 1)))
    offsets = np.sort(begin + rng.integers(0, span, clicks))
    ip = f"192.0.2.{int(rng.integers(1, 255))}"
    agent = USER_AGENTS[int(rng.integers(len(USER_AGENTS)))][0]
    return [Visit(code, ip, agent, _at(origin, off)) for off in offsets.tolist()]


def _at(origin: datetime, offset_us: int) -> datetime:
    return origin + timedelta(microseconds=offset_us)


__all__ = ["CONVERTER_ROLES", "FAKE_AUDIENCE_ROLES", "VISITS_PER_INFLUENCE", "CampaignActivity",
           "Conversion", "Visit", "campaign_candidates", "latent_influence", "simulate_campaign"]
