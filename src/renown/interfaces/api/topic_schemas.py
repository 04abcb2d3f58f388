"""Response and request bodies for topics: a person's topics, the topic list, standings, +K.

Kept apart from `renown.interfaces.api.schemas` (scores, people, models, keys)
so each module stays one idea; they share its `Out` and `Page` bases.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from renown.interfaces.api.schemas import Out, Page


class TopicPost(Out):
    """A post behind a topic: it matched the topic (or a narrower one) and drew people."""

    network: str
    post_id: str
    ts: datetime
    reactors: int
    reactions: int
    #: The topic the post matched (the attributed one, or a narrower one).
    via_topic: str
    #: How much it counts for the attributed topic (0.5 per level of roll-up).
    weight: float
    text: str | None = None


class PersonTopic(Out):
    topic: str
    name: str
    confidence: float = Field(description="0-1: how sure the evidence makes the attribution.")
    topic_score: float | None = Field(description="Influence within the topic, 1-100.")
    direct: bool = Field(description="False when attributed only through narrower topics.")
    posts: int
    days: int
    reactors: int
    endorsers: int
    post_evidence: float
    day_evidence: float
    reactor_evidence: float
    #: The posts behind the topic, most people first.
    evidence_posts: list[TopicPost]


class PersonTopics(Page):
    person_id: str
    as_of: date
    model_version: str
    #: The evidence bar the snapshot used (min_posts, min_days, min_reactors).
    thresholds: dict[str, int]
    items: list[PersonTopic]


class TopicInfo(Out):
    slug: str
    name: str
    parents: list[str]
    children: list[str]
    #: People attributed the topic itself in the snapshot (directly or by roll-up).
    people: int


class Topics(Page):
    ontology: str
    as_of: date | None
    items: list[TopicInfo]


class TopicStanding(Out):
    rank: int
    person_id: str
    display_name: str | None
    topic_score: float
    #: Confidence in the topic (discounted per level when attributed through a narrower one).
    confidence: float
    posts: int
    reactors: int
    #: The overall Renown score.
    score: float
    band: str


class TopicStandings(Page):
    topic: str
    name: str
    as_of: date
    model_version: str
    items: list[TopicStanding]


class EndorsementRequest(BaseModel):
    """+K: ``endorser`` vouches for ``person`` on ``topic`` (person ids or network:account)."""

    model_config = ConfigDict(extra="forbid")
    endorser: str = Field(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f]+$")
    person: str = Field(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f]+$")
    topic: str = Field(min_length=1, max_length=200, pattern=r"^[^\s\x00-\x1f\x7f]+$")


class Endorsement(Out):
    endorsement_id: int
    endorser: str
    person: str
    topic: str
    given_at: datetime
    #: Endorsements the endorser has left in the current cap window.
    remaining: int
    #: Endorsements count from the next score run (`renown score`).
    counts_from: str = "the next score run"
