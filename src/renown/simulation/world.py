"""A simulated multi-network social world with planted ground truth.

``simulate(people, days, seed, out)`` writes, deterministically (same
arguments → byte-identical files):

* ``events.parquet``: every event in the generic event format
  (`renown.events.EVENT_SCHEMA`), one row group per million rows, streamed
  while the world is generated (`renown.simulation.sink`);
* ``identities.csv``: ``person_id,network,account`` for every person with more
  than one account (all Mastodon users, the offline-credentials person);
* ``truth.json``, ``truth_influence.parquet``, ``truth_posts.parquet``: the
  planted ground truth (`renown.simulation.truth`).

The world, in brief (each module's docstring states its assumptions):

1. `population`: people with lognormal latent influence, 1-3 Zipf-popular
   interest topics (`topics`), heavy-tailed posting rates and reactivity.
2. `roles`: influencers, volume posters, engagement pods, bots, a viral joke,
   topic experts, silent stars (7 and 30 days), a two-network person, an
   offline-credentials person and an audience case (a capital_markets
   community, a mass-market star it ignores, a niche expert it loves).
3. `graph`: Twitter (everyone) and Mastodon (a 10% subset) follow graphs by
   preferential attachment on influence and shared topics.
4. `activity`: posts, reactions by followers and topic fans with probability
   rising with the author's influence and the topic match, one level of
   reshare cascades, a ``follow`` event per edge.
5. `planted`: pod reactions, bot reactions, the viral joke, offline credentials.
6. Final rules: nothing at or after the end of the period (nor before its
   start, except follows, which reach 90 days back); nothing by or about a
   silent person in their silent window (their audience is quiet too); no
   reaction from the capital_markets community to the mass-market star.

Every stage draws from its own random stream (seed, stage number), so the
output depends only on the arguments, and all work is vectorised NumPy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import numpy as np

from renown.simulation.activity import (
    Posts,
    follow_events,
    generate_posts,
    organic_reactions,
)
from renown.simulation.blocks import Serials
from renown.simulation.graph import Network, build_mastodon, build_twitter
from renown.simulation.planted import (
    ViralJoke,
    bot_reactions,
    offline_events,
    pod_reactions,
    viral_joke,
)
from renown.simulation.population import People, Role, draw_people
from renown.simulation.roles import MIN_PEOPLE, OFFLINE_TOPIC, Roles, plant_roles
from renown.simulation.sampling import Period
from renown.simulation.sink import EventSink, FinalRules, Tally
from renown.simulation.topics import TOPIC_INDEX, VIRAL_JOKE_TOPIC, build_catalogue
from renown.simulation.truth import FILES, Ids, write_truth

DEFAULT_PEOPLE: Final = 2000
DEFAULT_DAYS: Final = 60
DEFAULT_SEED: Final = 7
#: A fixed end (never "now") keeps worlds reproducible; it lies in the past.
DEFAULT_END: Final = datetime(2026, 6, 30)
_STAGES: Final = ("people", "roles", "twitter-graph", "mastodon-graph", "twitter-activity",
                  "mastodon-activity", "pods", "bots", "viral-joke")
#: (description, completed steps, total steps) — for progress bars.
ProgressCallback = Callable[[str, int, int], None]


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """The random stream of one stage: independent of every other stage's draws."""
    return np.random.default_rng([seed, _STAGES.index(stage)])


@dataclass(slots=True)
class World:
    """The population, roles and networks; then what was emitted from them."""

    period: Period
    seed: int
    people: People
    roles: Roles
    twitter: Network
    mastodon: Network
    offline_account: int
    joke: ViralJoke | None = None
    #: Topic code of each original post serial (-1 for other content).
    topic_of_serial: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    tally: Tally = field(default_factory=Tally)

    @property
    def networks(self) -> tuple[Network, Network]:
        return self.twitter, self.mastodon

    @property
    def account_count(self) -> int:
        return self.offline_account + 1

    @property
    def size(self) -> int:
        """Number of events written."""
        return self.tally.total

    def account_person(self) -> np.ndarray:
        """Person number of every global account."""
        offline_person = self.roles.one(Role.OFFLINE_CREDENTIALS)
        return np.concatenate([self.twitter.persons, self.mastodon.persons, [offline_person]])

    def account_network(self) -> np.ndarray:
        """Network code (index into `NETWORKS`) of every global account."""
        return np.concatenate([np.full(self.twitter.size, 0, np.int8),
                               np.full(self.mastodon.size, 1, np.int8), [np.int8(2)]])


def build_world(people: int, days: int, seed: int, end: datetime,
                step: Callable[[str], None] = lambda _: None) -> World:
    """People, planted roles and follow graphs: everything events are drawn from."""
    period = Period.ending(end, days)
    step("drawing people and planting roles")
    population = draw_people(stage_rng(seed, "people"), people)
    roles = plant_roles(stage_rng(seed, "roles"), population, days)
    step("building follow graphs")
    twitter = build_twitter(stage_rng(seed, "twitter-graph"), population, roles)
    mastodon = build_mastodon(stage_rng(seed, "mastodon-graph"), population, roles, people)
    return World(period, seed, population, roles, twitter, mastodon, people + mastodon.size)


def emit_events(world: World, sink: EventSink,
                step: Callable[[str], None] = lambda _: None) -> None:
    """Generate every event of the world into ``sink``, block by block."""
    seed, period, roles = world.seed, world.period, world.roles
    catalogue, serials, all_posts = build_catalogue(OFFLINE_TOPIC), Serials(), []
    for net in world.networks:
        step(f"posting and reacting on {net.name}")
        rng = stage_rng(seed, f"{net.name}-activity")
        posts = generate_posts(rng, net, period, serials, catalogue)
        sink.add(posts.events(net))
        for block in organic_reactions(rng, net, posts, serials, catalogue):
            sink.add(block)
        sink.add(follow_events(rng, net, period))
        all_posts.append(posts)
    step("planting pods, bots, a viral joke, offline credentials")
    twitter, tweets = world.twitter, all_posts[0]
    sink.add(pod_reactions(stage_rng(seed, "pods"), twitter, tweets, roles.pod_groups,
                           serials, catalogue))
    sink.add(bot_reactions(stage_rng(seed, "bots"), twitter, tweets, roles.members[Role.BOT],
                           period, serials))
    joker = roles.one(Role.VIRAL_JOKE)
    pool = np.flatnonzero(world.people.role == Role.ORDINARY)
    world.joke = viral_joke(stage_rng(seed, "viral-joke"), twitter, joker, pool[pool != joker],
                            period, serials, catalogue)
    sink.add(world.joke.events)
    sink.add(offline_events(world.offline_account, period, catalogue))
    world.topic_of_serial = _topics_by_serial(serials.used, all_posts, world.joke)


def _topics_by_serial(used: int, posts: list[Posts], joke: ViralJoke) -> np.ndarray:
    topic = np.full(used, -1, dtype=np.int16)
    for part in posts:
        topic[part.serial] = part.topic
    topic[joke.serial] = TOPIC_INDEX[VIRAL_JOKE_TOPIC]
    return topic


def final_rules(world: World) -> FinalRules:
    """The rules every emitted event must pass (see `FinalRules`)."""
    period, people, roles = world.period, world.people, world.roles
    person = world.account_person()
    silent_from = FinalRules.never_silent(person.size)
    for role, silent_days in roles.silent_days.items():
        accounts = np.flatnonzero(np.isin(person, roles.members[role]))
        silent_from[accounts] = period.end_us - silent_days * 86_400 * 10**6
    community = np.append(people.community[person], False)
    community[world.twitter.size:] = False  # the community is on Twitter
    star = world.twitter.acc0 + roles.one(Role.AUDIENCE_MASS_STAR)
    return FinalRules(period.start_us, period.end_us, silent_from, community, star)


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """What a simulation produced, for the CLI summary and for scripts."""

    out: Path
    people: int
    days: int
    seed: int
    start: datetime
    end: datetime
    events: int
    accounts: int
    by_kind: dict[str, int]
    by_network: dict[str, int]
    seconds: float
    files: tuple[str, ...]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def check_arguments(people: int, days: int, seed: int, end: datetime) -> None:
    """Fail early, with reasons people can act on."""
    if people < MIN_PEOPLE:
        raise ValueError(f"people must be at least {MIN_PEOPLE} (got {people})")
    if days < 1:
        raise ValueError(f"days must be at least 1 (got {days})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {seed})")
    now = datetime.now(UTC).replace(tzinfo=None)
    if end > now:
        raise ValueError(f"the period must end in the past (end {end:%Y-%m-%d} is after now, "
                         "and ingestion rejects events from the future)")


def simulate(people: int = DEFAULT_PEOPLE, days: int = DEFAULT_DAYS, seed: int = DEFAULT_SEED,
             out: Path | str = Path("renown-world"), *, end: datetime | None = None,
             on_progress: ProgressCallback | None = None) -> SimulationSummary:
    """Generate a world and write it to ``out`` (see the module docstring)."""
    end = end or DEFAULT_END
    if end.tzinfo is not None:  # everything is naive UTC, as in the store
        end = end.astimezone(UTC).replace(tzinfo=None)
    check_arguments(people, days, seed, end)
    clock, out = time.perf_counter(), Path(out)
    progress = _Steps(on_progress)
    world = build_world(people, days, seed, end, progress.step)
    out.mkdir(parents=True, exist_ok=True)
    ids = Ids(world)
    with EventSink(out / FILES["events"], ids.naming(), final_rules(world)) as sink:
        emit_events(world, sink, progress.step)
    world.tally = sink.tally
    progress.step("writing identities and ground truth")
    files = write_truth(world, ids, out)
    progress.step("done")
    return SimulationSummary(out, people, days, seed, world.period.start, world.period.end,
                             world.size, world.account_count, world.tally.by_kind(),
                             world.tally.by_network(), time.perf_counter() - clock, files)


class _Steps:
    """Reports named steps to a progress callback (there are `TOTAL` of them)."""

    TOTAL: Final = 7

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback, self._done = callback, 0

    def step(self, description: str) -> None:
        if self._callback is not None:
            self._callback(description, self._done, self.TOTAL)
        self._done = min(self._done + 1, self.TOTAL)
