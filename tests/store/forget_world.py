"""A store in which one person (Zorblax) appears everywhere an id can hide.

Ids are distinctive on purpose: the file scan looks for raw bytes, so an id
must not occur by chance.  Zorblax has accounts on three networks (twitter,
bluesky, offline) linked to one declared person, and shows up as actor,
subject, content reference, text mention, tag, URL, display name, ingestion
path, quarantine excerpt, scores and score history, and in a published
read-only snapshot beside the store.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import duckdb

from renown.scoring.run import backfill
from renown.scoring.topics.config import EndorsementConfig
from renown.scoring.topics.endorsements import give_endorsement
from renown.sources.conversions import read_conversions
from renown.store.campaigns import (
    InviteCandidate,
    create_campaign,
    invite_people,
    record_post,
    respond,
)
from renown.store.database import open_store
from renown.store.ingest import ingest
from renown.store.outcomes import record_click, record_conversions
from renown.store.people import Link, link_accounts

PERSON: Final = "zorblaxperson"
TWITTER: Final = "zorblax_tw_7731"
BSKY: Final = "did:plc:zorblaxbsky9931"
#: Every id that must leave no trace (the offline account is the person id).
FORGOTTEN: Final = [PERSON, TWITTER, BSKY, f"twitter:{TWITTER}", f"bluesky:{BSKY}"]
#: Others' ids, present before and after: the file scan is not blind.
OTHERS: Final = ["alice_tw_4410", "bob_tw_5520", "carol_tw_6630", "did:plc:alicebsky4410"]
ALICE, BOB, CAROL, ALICE_BSKY = OTHERS


def _post_uri(did: str, n: int) -> str:
    return f"at://{did}/app.bsky.feed.post/3k{n}"


def _event(n: int, network: str, actor: str, kind: str, day: int = 2,
           **fields: Any) -> dict[str, Any]:
    return {"network": network, "event_id": f"{network}-{n}", "actor": actor, "kind": kind,
            "ts": f"2024-03-0{day}T1{n % 10}:00:00Z", **fields}


def events() -> list[dict[str, Any]]:
    """What happened: everyone's posts and reactions, Zorblax involved in many ways."""
    t, b = "twitter", "bluesky"
    return [
        _event(1, t, TWITTER, "post", post_id="tp1", text="my thoughts on graphs"),
        _event(2, t, ALICE, "reply", subject=TWITTER, parent_id="tp1", text="agreed!"),
        _event(3, t, BOB, "like", subject=TWITTER, parent_id="tp1"),
        _event(4, t, ALICE, "post", post_id="tp2", text="hello world"),
        _event(5, t, TWITTER, "like", subject=ALICE, parent_id="tp2"),         # they react
        _event(6, t, CAROL, "reshare", subject=ALICE, parent_id="tp2"),
        _event(7, t, BOB, "post", post_id="tp3", day=3,
               text=f"thanks @{TWITTER} and @{TWITTER} for this", tags=[TWITTER, "ai"]),
        _event(8, t, CAROL, "post", post_id="tp4", day=3,
               url=f"https://twitter.com/{TWITTER}/status/1"),
        _event(9, t, ALICE, "like", subject=BOB, parent_id="tp3", day=3),
        _event(10, b, BSKY, "post", post_id=_post_uri(BSKY, 1)),
        # A like whose subject the source did not know: only the reference names them.
        _event(11, b, ALICE_BSKY, "like", parent_id=_post_uri(BSKY, 1)),
        _event(12, b, ALICE_BSKY, "post", post_id=_post_uri(ALICE_BSKY, 2)),
        _event(13, "offline", PERSON, "talk", text="Graphs at PyData",
               url="https://example.org/talk"),
    ]


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _campaign(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    """A campaign (migration 7) both Zorblax and Alice joined: invites, a post, outcomes."""
    create_campaign(con, campaign_id="spring", name="Spring", brand="Acme", goal="sales",
                    landing_url="https://acme.example/spring", starts=date(2024, 3, 1),
                    ends=date(2024, 3, 31))
    invited = invite_people(con, "spring", [
        InviteCandidate(PERSON, "twitter", TWITTER, (f"fan base of {TWITTER}",), 40.0),
        InviteCandidate("alice", "twitter", ALICE, ("score 30",), 30.0)])
    for invite in invited:
        respond(con, "spring", invite.person_id, accepted=True, cost=10.0)
        record_click(con, invite.code, ip="198.51.100.23", user_agent="Mozilla/5.0 Zq",
                     ts=datetime(2024, 3, 3, 9))
    record_post(con, "spring", PERSON, "tp1")
    orders = inputs / "orders.csv"
    orders.write_text("order_id,code,ts,value\n" + "".join(
        f"o{n},{i.code},2024-03-03T10:00:00Z,25\n" for n, i in enumerate(invited)))
    records, refused = read_conversions(orders)
    record_conversions(con, "spring", records, refused, label=str(orders))


def build(folder: Path) -> Path:
    """The store at ``folder/store/renown.duckdb`` (inputs live outside ``store/``)."""
    db = folder / "store" / "renown.duckdb"
    db.parent.mkdir(parents=True)
    inputs = folder / "inputs"
    inputs.mkdir()
    with open_store(db) as con:
        ingest(con, _jsonl(inputs / "everyone.jsonl", events()), "events")
        # An export named after them, with a record the rules reject: a quarantine row.
        named = _jsonl(inputs / f"{TWITTER}-export.jsonl", [
            _event(20, "twitter", TWITTER, "shout", text="not a kind"),
            _event(21, "twitter", BOB, "post", text="unrelated post", day=4)])
        ingest(con, named, "events")
        ingest(con, _jsonl(inputs / "others.jsonl", [
            _event(22, "twitter", CAROL, "shout", text="bad kind, nobody forgotten")]), "events")
        link_accounts(con, [Link(PERSON, "twitter", TWITTER), Link(PERSON, "bluesky", BSKY),
                            Link(PERSON, "offline", PERSON), Link("alice", "twitter", ALICE),
                            Link("alice", "bluesky", ALICE_BSKY)])
        con.execute("UPDATE people SET display_name = 'Zorblax Q.' WHERE person_id = ?", [PERSON])
        con.execute("UPDATE accounts SET display_name = ? WHERE account = ?",
                    [f"Bob (fan of {TWITTER})", BOB])
        # +K endorsements they gave and received (topics tables, migration 3).
        for giver, receiver in ((PERSON, "alice"), ("alice", PERSON)):
            give_endorsement(con, giver, receiver, "python", EndorsementConfig(),
                             known_topics={"python"}, at=datetime(2024, 3, 2, 12))
        _campaign(con, inputs)
        backfill(con, date(2024, 3, 2), date(2024, 3, 4))
        con.execute("CHECKPOINT")
    serving = db.with_name(db.name + ".serving")
    serving.mkdir()
    shutil.copyfile(db, serving / "1.duckdb")  # a published read-only snapshot
    return db
