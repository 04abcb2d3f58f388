"""The mutual discount's group exponent: pods stay discounted, conversations between two don't.

``mutual_group_exponent`` (η) scales the discount of an exchange between r
and a by overlap^η, overlap being the share of mutual partners they have in
common.  Off (η = 0) every exchange is discounted (up to renown-2026.12.2);
the default since renown-2026.12.3 is η = 1.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.model import DEFAULT_MODEL, Model, ModelError
from renown.scoring.signal_pairs import mutual_overlap_statements
from tests.scoring.builders import World, score, scores_by_person

GROUPS = DEFAULT_MODEL.with_changes(version="test-groups", mutual_group_exponent=1.0)
EVERY_EXCHANGE = DEFAULT_MODEL.with_changes(version="test-no-groups", mutual_group_exponent=0.0)


def conversations() -> World:
    """'talker' exchanges replies with three people who do not talk to each other;
    'broadcaster' gets the same replies one way."""
    world = World()
    for author in ("talker", "broadcaster"):
        world.post(author, 1)
    for friend in range(3):
        for day in (2, 4, 6):
            world.react(f"friend{friend}", "talker", day, kind="reply")
            world.react("talker", f"friend{friend}", day + 1, kind="reply")
            world.react(f"listener{friend}", "broadcaster", day, kind="reply")
    return world


def pod_world() -> World:
    world = World()
    pod = [f"pod{i}" for i in range(10)]
    for day in range(0, 30, 3):
        for member in pod:
            world.post(member, day)
        world.post("independent", day)
        for a, b in itertools.permutations(pod, 2):
            world.react(a, b, day, kind="like")
    for i in range(90):
        world.react(f"outsider{i}", "independent", (i // 9) * 3, kind="like")
    return world


def test_off_every_exchange_is_discounted(tmp_path: Path) -> None:
    assert DEFAULT_MODEL.mutual_group_exponent == 1.0
    scores = scores_by_person(score(conversations(), tmp_path / "a.duckdb", 10, EVERY_EXCHANGE))
    assert scores["twitter:talker"] < scores["twitter:broadcaster"] - 5


def test_with_groups_a_conversation_between_two_counts_like_one_way_attention(
        tmp_path: Path) -> None:
    scores = scores_by_person(score(conversations(), tmp_path / "a.duckdb", 10, GROUPS))
    assert scores["twitter:talker"] == pytest.approx(scores["twitter:broadcaster"], abs=1.0)


def test_with_groups_a_pod_still_gains_clearly_less_than_independent_people(
        tmp_path: Path) -> None:
    for model in (EVERY_EXCHANGE, GROUPS):
        scores = scores_by_person(score(pod_world(), tmp_path / f"{model.version}.duckdb", 30,
                                        model))
        assert scores["twitter:independent"] > scores["twitter:pod0"] + 15, model.version


def test_a_three_person_ring_is_a_group_too(tmp_path: Path) -> None:
    world = World()
    ring = ("r0", "r1", "r2")
    for day in range(1, 8):
        for a, b in itertools.permutations(ring, 2):
            world.react(a, b, day, kind="reshare")
    world.post("alone", 1)
    for i in range(2):
        world.react(f"fan{i}", "alone", 2, kind="reshare")
    scores = scores_by_person(score(world, tmp_path / "r.duckdb", 10, GROUPS))
    assert scores["twitter:r0"] < scores["twitter:alone"] - 5


def test_a_negative_exponent_is_refused() -> None:
    with pytest.raises(ModelError, match="mutual_group_exponent"):
        Model.from_toml(DEFAULT_MODEL.to_toml().replace(
            "mutual_group_exponent = 1.0", "mutual_group_exponent = -1.0"))


def reference_overlap(exchanges: set[frozenset[str]]) -> dict[tuple[str, str], float]:
    """overlap(a, b) straight from its definition, for every exchanging (a, b)."""
    partners: dict[str, set[str]] = {}
    for pair in exchanges:
        a, b = sorted(pair)
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    return {(a, b): len(partners[a] & partners[b]) / max(min(len(partners[a]),
                                                             len(partners[b])) - 1, 1)
            for a in partners for b in partners[a]}


@settings(max_examples=60, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda p: p[0] != p[1]),
               max_size=60),
       st.integers(0, 11))
def test_the_group_overlap_counts_shared_partners_as_defined(
        directed: set[tuple[int, int]], hub: int) -> None:
    """The triangle listing (ordered by mutual degree) gives the definition's overlap,
    hubs included (one account exchanging with everyone)."""
    directed |= {(hub, other) for other in range(12) if other != hub} \
        | {(other, hub) for other in range(0, 12, 2) if other != hub}
    pairs = pa.table({"network": ["x"] * len(directed),
                      "reactor": [f"a{r}" for r, _ in sorted(directed)],
                      "author": [f"a{a}" for _, a in sorted(directed)]})
    exchanges = {frozenset((f"a{r}", f"a{a}")) for r, a in directed if (a, r) in directed}
    con = duckdb.connect()
    con.register("_signal_day_pairs", pairs)
    for table, sql in mutual_overlap_statements(GROUPS):
        con.execute(f"CREATE TEMP TABLE {table} AS {sql}")
    rows = con.execute("SELECT a, b, overlap FROM _signal_mutual_overlap").fetchall()
    assert {(a, b): overlap for a, b, overlap in rows} == reference_overlap(exchanges)


def test_without_the_group_exponent_nothing_is_counted() -> None:
    assert mutual_overlap_statements(GROUPS.with_changes(mutual_group_exponent=0.0)) == []
