"""Small hand-built worlds for the evaluation tests, with outcomes worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from renown.scoring.snapshots import day_end
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
