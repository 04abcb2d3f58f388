"""Small hand-built worlds for the evaluation tests, with outcomes worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from renown.events import Event, events_to_table
from renown.scoring.snapshots import day_end
from renown.store.database import connect
from renown.store.ingest import ingest_table
from tests.scoring.builders import START, World

SPLIT_DAY = 10
#: Scores use events before this instant; the horizon runs 7 days from it.
SPLIT: datetime = day_end(START + timedelta(days=SPLIT_DAY - 1))


def twitter_world() -> World:
    """alice (with a Mastodon account 'al') draws responses; bob a little; eve none before."""
    w = World()
    post = w.post("alice", 1)
    w.react("bob", "alice", 2, post=post)
    w.react("carol", "alice", 3, kind="reply", post=post, times=2)
    w.react("dave", "alice", 5, kind="like", post=post)
    w.post("bob", 2)
    w.react("alice", "bob", 3, kind="mention")
    w.post("eve", 1)
    w.post("al", 4, network="mastodon")
    w.react("m1", "al", 5, network="mastodon")
    w.link("p-alice", "twitter", "alice")
    w.link("p-alice", "mastodon", "al")
    w.link("p-alice", "twitter", "alice2")
    # After the split: inside the 7-day horizon ...
    w.react("bob", "alice", 10)
    w.react("frank", "alice", 11, kind="reply")
    w.react("frank", "alice", 12, kind="mention")  # the same person twice: counts once
    w.react("alice2", "alice", 11, kind="reply")  # her own second account: not a response
    w.react("~system", "alice", 11, kind="mention")  # a system account: not a person
    w.react("gina", "alice", 12, kind="like")  # a like: not counted
    w.react("m1", "al", 11, network="mastodon")  # the same person's other account
    w.react("bob", "eve", 11, kind="mention")
    w.react("zed-fan", "zed", 11)  # zed first appears after the split: not eligible
    # ... and after it.
    w.react("hank", "alice", 20)
    return w


def stackexchange_world() -> World:
    """u2 answers u1 before the split; afterwards votes, an accept and comments reach u2."""
    w = World(network="stackexchange")
    w.post("u1", 1)
    w.react("u2", "u1", 2, kind="answer")
    w.react("~anon-vote-1", "u2", 11, kind="upvote")
    w.react("~anon-vote-2", "u2", 11, kind="upvote")
    w.react("~anon-vote-3", "u2", 11, kind="downvote")
    w.react("u1", "u2", 12, kind="accept")
    w.react("u3", "u2", 12, kind="comment")
    w.react("~community", "u2", 12, kind="comment")
    return w


QA_START = datetime(2024, 3, 1, 12)


class QA:
    """A tiny Q&A site: questions with tags, answers carrying them, upvotes on answers."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, actor: str, kind: str, day: int, *, post_id: str | None = None,
            subject: str | None = None, parent_id: str | None = None, text: str | None = None,
            tags: tuple[str, ...] = ()) -> None:
        when = QA_START + timedelta(days=day, minutes=len(self.events))
        self.events.append(Event("stackexchange", f"e{len(self.events)}", when, actor, kind,
                                 subject, post_id, parent_id, text, tags))

    def answered(self, answerer: str, day: int, tags: tuple[str, ...], text: str,
                 voters: int = 6) -> None:
        question = f"q{len(self.events)}"
        self.add(f"asker{day}", "post", day, post_id=question, text="a question", tags=tags)
        answer = f"a{len(self.events)}"
        self.add(answerer, "answer", day, subject=f"asker{day}", post_id=answer,
                 parent_id=question, text=text, tags=tags)
        for voter in range(voters):
            self.add(f"~anon-vote-{answer}-{voter}", "upvote", day, subject=answerer,
                     parent_id=answer)

    def store(self, path: Path) -> duckdb.DuckDBPyConnection:
        con = connect(path)
        assert ingest_table(con, events_to_table(self.events), "qa").quarantined == 0
        return con


def qa_site() -> QA:
    """``expert`` writes about qubits; ``tagged``'s answers carry 'noise' but never say it."""
    qa = QA()
    for day in range(4):  # the expert writes about qubits; their questions say so too
        qa.answered("expert", day, ("qubit", "noise"), "a qubit decoheres; measure the qubits")
    for day in range(4):  # the tags say noise, the text never does: hidden tags give nothing
        qa.answered("tagged", day, ("noise",), "try restarting it")
    return qa
