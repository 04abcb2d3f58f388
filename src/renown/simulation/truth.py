"""The planted ground truth, written beside the events, and read back by tests.

``truth.json`` keys (all timestamps ISO 8601, naive UTC):

* ``format`` (``"renown-simulated-world"``), ``version`` (1);
* ``parameters``: people, days, seed, start, end, follow_history_start;
* ``networks``: per network, its account count and account-id prefix;
* ``topics``: the topic slugs (Klout ontology slugs);
* ``roles``: per role, a ``description``, ``people`` (person ids), ``accounts``
  (objects with network, account, person_id) and role-specific facts (pods' ``groups``,
  experts' ``by_topic``, silences' ``silent_days``/``silent_from``, the viral
  joke's ``post_id``/``topic``/``home_topic``/``posted_at``/``reactors``…);
* ``audience``: the capital_markets community (``accounts``), its topic and
  network, the ``mass_star`` and ``niche_expert`` accounts;
* ``skipped``: roles not planted because the period is too short, and why;
* ``events``: totals by kind and by network; ``files``: the other files.

``truth_influence.parquet``: one row per network account (network, account,
person_id, latent_influence, topics, role, community, followers).
``truth_posts.parquet``: one row per original post (network, post_id, author,
topic, ts), so topic attribution can be checked post by post.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from renown.simulation.graph import ACCOUNT_PREFIX, NETWORKS
from renown.simulation.population import ROLE_KEYS, Role
from renown.simulation.roles import (
    AUDIENCE_TOPIC,
    EXPERT_TOPICS,
    JOKER_HOME_TOPIC,
    MASS_STAR_TOPIC,
    OFFLINE_TOPIC,
    VOLUME_FACTOR,
)
from renown.simulation.topics import TOPICS, VIRAL_JOKE_TOPIC, build_catalogue
from renown.simulation.writer import (
    ID_DIGITS,
    TOPIC_SLUGS,
    Naming,
    digits_for,
    fixed_ids,
    post_ids,
    topic_lists,
    with_specials,
    write_identities,
    write_table,
    write_text,
)

if TYPE_CHECKING:
    from renown.simulation.world import World

FILES: Final = {"events": "events.parquet", "identities": "identities.csv",
                "truth": "truth.json", "influence": "truth_influence.parquet",
                "posts": "truth_posts.parquet"}
SPECIAL_PERSON_IDS: Final = {Role.TWO_NETWORK: "p-two-network",
                             Role.OFFLINE_CREDENTIALS: "p-offline-credentials"}


class Ids:
    """Person ids and account names of one world, as Python strings or Arrow arrays."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.width = digits_for(world.people.size - 1)
        self.special = {world.roles.one(r): pid for r, pid in SPECIAL_PERSON_IDS.items()}
        self.on_mastodon = frozenset(world.mastodon.persons.tolist())
        self._naming: Naming | None = None

    def person(self, p: int) -> str:
        return self.special.get(p, f"p{p:0{self.width}d}")

    def account(self, network: str, p: int) -> str:
        return f"{ACCOUNT_PREFIX[network]}{p:0{self.width}d}"

    def accounts_of(self, p: int) -> list[dict[str, str]]:
        """Every account of person ``p``, Twitter first."""
        world, pid = self.world, self.person(p)
        nets = ["twitter"]
        if p in self.on_mastodon:
            nets.append("mastodon")
        if p == world.roles.one(Role.OFFLINE_CREDENTIALS):
            nets.append("offline")
        return [{"network": n, "account": self.account(n, p), "person_id": pid} for n in nets]

    def account_names(self) -> pa.Array:
        world = self.world
        offline = np.array([world.roles.one(Role.OFFLINE_CREDENTIALS)])
        return pa.concat_arrays([
            fixed_ids(ACCOUNT_PREFIX[net.name], net.persons, self.width)
            for net in world.networks] + [fixed_ids(ACCOUNT_PREFIX["offline"], offline,
                                                    self.width)])

    def naming(self) -> Naming:
        """Strings for the events writer (built once per world)."""
        if self._naming is None:
            self._naming = Naming(self.account_names(), self.world.account_network(),
                                  build_catalogue(OFFLINE_TOPIC))
        return self._naming

    def person_ids(self, persons: np.ndarray) -> pa.Array:
        """Person ids of ``persons`` (an array), planted special ids included."""
        ids = fixed_ids("p", persons, self.width)
        at = np.flatnonzero(np.isin(persons, list(self.special)))
        return with_specials(ids, {int(i): self.special[int(persons[i])] for i in at})


def write_truth(world: World, ids: Ids, out: Path) -> tuple[str, ...]:
    """Write the identities and ground-truth files beside ``events.parquet``."""
    write_identities(out / FILES["identities"], _identity_rows(ids))
    write_table(out / FILES["influence"], _influence_table(world, ids))
    write_table(out / FILES["posts"], _posts_table(world, ids.naming()))
    write_text(out / FILES["truth"], json.dumps(truth_document(world, ids), indent=1) + "\n")
    return tuple(FILES.values())


def _identity_rows(ids: Ids) -> list[tuple[str, str, str]]:
    world = ids.world
    multi = np.union1d(world.mastodon.persons, [world.roles.one(Role.OFFLINE_CREDENTIALS)])
    return [(a["person_id"], a["network"], a["account"])
            for p in multi.tolist() for a in ids.accounts_of(int(p))]


def _influence_table(world: World, ids: Ids) -> pa.Table:
    parts = []
    role_names = pa.array([ROLE_KEYS.get(Role(code)) for code in range(len(Role))], pa.string())
    for net in world.networks:
        persons = net.persons
        parts.append(pa.table({
            "network": pa.array([net.name] * net.size, pa.string()),
            "account": fixed_ids(ACCOUNT_PREFIX[net.name], persons, ids.width),
            "person_id": ids.person_ids(persons),
            "latent_influence": pa.array(net.influence, pa.float64()),
            "topics": topic_lists(net.interests),
            "role": role_names.take(pa.array(world.people.role[persons].astype(np.int64))),
            "community": pa.array(world.people.community[persons]),
            "followers": pa.array(net.followers.count, pa.int64()),
        }))
    return pa.concat_tables(parts)


def _posts_table(world: World, naming: Naming) -> pa.Table:
    posts = world.tally.posts()
    topic = world.topic_of_serial[posts.post].astype(np.int64)
    return pa.table({
        "network": pa.array([NETWORKS[c] for c in range(len(NETWORKS))]).take(
            pa.array(naming.account_network[posts.actor])),
        "post_id": post_ids(posts.post),
        "author": naming.account_names.take(pa.array(posts.actor)),
        "topic": TOPIC_SLUGS.take(pa.array(topic, mask=topic < 0)),
        "ts": pa.array(posts.ts, pa.timestamp("us")),
    })


def _iso(moment: datetime) -> str:
    return moment.isoformat()


#: What each role is for (written into truth.json for people reading it).
ROLE_DESCRIPTIONS: Final[dict[Role, str]] = {
    Role.INFLUENCER: "top latent influence; many distinct, selective people react",
    Role.VOLUME_POSTER: "post ~30x the average; almost nobody reacts",
    Role.POD: "groups of 8-12 that react to every post of each other; little outside attention",
    Role.BOT: "like/reshare hundreds of random posts a day; follow many; hardly post",
    Role.VIRAL_JOKE: "ordinary cooking fan whose one off-topic joke drew hundreds in a day",
    Role.TOPIC_EXPERT: "post on their topic on many days; draw that topic's people",
    Role.SILENT_7: "established; nothing by or about them in the last 7 days",
    Role.SILENT_30: "established; nothing by or about them in the last 30 days",
    Role.TWO_NETWORK: "established on Twitter and Mastodon, linked in identities.csv",
    Role.OFFLINE_CREDENTIALS: "talks, a publication, a course, an award on network offline",
    Role.AUDIENCE_MASS_STAR: "high overall reach, none from the capital_markets community",
    Role.AUDIENCE_NICHE_EXPERT: "modest overall reach, loved by the capital_markets community",
}


def _role_entry(ids: Ids, role: Role, persons: np.ndarray) -> dict[str, Any]:
    people = [int(p) for p in persons]
    return {"description": ROLE_DESCRIPTIONS[role], "people": [ids.person(p) for p in people],
            "accounts": [a for p in people for a in ids.accounts_of(p)]}


def truth_document(world: World, ids: Ids) -> dict[str, Any]:
    """The truth.json content (keys listed in the module docstring)."""
    period, roles = world.period, world.roles
    return {
        "format": "renown-simulated-world", "version": 1,
        "parameters": {"people": world.people.size, "days": period.days, "seed": world.seed,
                       "start": _iso(period.start), "end": _iso(period.end),
                       "follow_history_start": _iso(period.history_start)},
        "networks": {n.name: {"accounts": n.size, "prefix": ACCOUNT_PREFIX[n.name]}
                     for n in world.networks} | {"offline": {"accounts": 1, "prefix": "o"}},
        "topics": [t.slug for t in TOPICS],
        "roles": {ROLE_KEYS[r]: _role_entry(ids, r, roles.members[r]) | _role_facts(world, ids, r)
                  for r in ROLE_KEYS},
        "audience": _audience(world, ids),
        "skipped": roles.skipped,
        "events": {"total": world.size, "by_kind": world.tally.by_kind(),
                   "by_network": world.tally.by_network()},
        "files": FILES,
    }


def _role_facts(world: World, ids: Ids, role: Role) -> dict[str, Any]:
    roles, period = world.roles, world.period

    def twitter(person: int) -> str:
        return ids.account("twitter", int(person))

    if role == Role.POD:
        return {"groups": [[twitter(p) for p in g] for g in roles.pod_groups]}
    if role == Role.TOPIC_EXPERT:
        return {"by_topic": {t: [twitter(p) for p, code in sorted(roles.expert_topic.items())
                                 if TOPICS[code].slug == t] for t in EXPERT_TOPICS}}
    if role in (Role.SILENT_7, Role.SILENT_30):
        days = roles.silent_days.get(role)
        start = None if days is None else _iso(period.end - timedelta(days=days))
        return {"silent_days": days, "silent_from": start}
    if role == Role.VIRAL_JOKE and world.joke is not None:
        joke = world.joke
        return {"network": "twitter", "post_id": f"s{joke.serial:0{ID_DIGITS}d}",
                "topic": VIRAL_JOKE_TOPIC, "home_topic": JOKER_HOME_TOPIC,
                "posted_at": _iso(_from_us(joke.posted_us)), "reactors": joke.reactors}
    facts: dict[Role, dict[str, Any]] = {
        Role.OFFLINE_CREDENTIALS: {"topic": OFFLINE_TOPIC,
                                   "events": world.tally.by_network().get("offline", 0)},
        Role.AUDIENCE_MASS_STAR: {"topic": MASS_STAR_TOPIC},
        Role.AUDIENCE_NICHE_EXPERT: {"topic": AUDIENCE_TOPIC},
        Role.VOLUME_POSTER: {"rate_factor": VOLUME_FACTOR},
    }
    return facts.get(role, {})


def _audience(world: World, ids: Ids) -> dict[str, Any]:
    roles = world.roles
    return {"name": "capital_markets", "topic": AUDIENCE_TOPIC, "network": "twitter",
            "accounts": [ids.account("twitter", int(p)) for p in roles.community],
            "mass_star": ids.account("twitter", roles.one(Role.AUDIENCE_MASS_STAR)),
            "niche_expert": ids.account("twitter", roles.one(Role.AUDIENCE_NICHE_EXPERT))}


def _from_us(us: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(microseconds=us)


@dataclass(frozen=True, slots=True)
class Truth:
    """A world's ground truth as read back from its folder."""

    directory: Path
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def start(self) -> datetime:
        return datetime.fromisoformat(self.data["parameters"]["start"])

    @property
    def end(self) -> datetime:
        return datetime.fromisoformat(self.data["parameters"]["end"])

    def people(self, role: str) -> list[str]:
        return list(self.data["roles"][role]["people"])

    def accounts(self, role: str, network: str | None = "twitter") -> list[str]:
        """Account ids of a role (on one network, or on all with ``network=None``)."""
        return [a["account"] for a in self.data["roles"][role]["accounts"]
                if network is None or a["network"] == network]

    def roles_by_account(self) -> dict[tuple[str, str], str]:
        """(network, account) → the planted role it plays (first listed wins)."""
        found: dict[tuple[str, str], str] = {}
        for role, entry in self.data["roles"].items():
            for account in entry["accounts"]:
                found.setdefault((account["network"], account["account"]), role)
        return found

    def influence(self) -> pa.Table:
        return pq.read_table(self.directory / FILES["influence"])

    def posts(self) -> pa.Table:
        return pq.read_table(self.directory / FILES["posts"])


def load_truth(directory: Path | str) -> Truth:
    """Read ``truth.json`` of a simulated world (the tables load on demand)."""
    directory = Path(directory)
    return Truth(directory, json.loads((directory / FILES["truth"]).read_text("utf-8")))


__all__ = ["FILES", "Ids", "Truth", "load_truth", "truth_document", "write_truth"]
