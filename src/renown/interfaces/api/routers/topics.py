"""Topics: the ontology's topics, people ranked within one, and a person's topics."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path, Query

from renown.interfaces.api import topic_schemas, topic_views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.params import (
    AsOf,
    Limit,
    Network,
    Offset,
    PersonId,
    SearchText,
    known_network,
    person,
)
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep
from renown.interfaces.api.views import snapshot

router = v1_router("topics")
SLUG_PATTERN: Final = r"^[^\s/\x00-\x1f\x7f]{1,200}$"
Slug = Annotated[str, Path(pattern=SLUG_PATTERN, description="A topic slug (GET /v1/topics).")]


@router.get("/topics", response_model=topic_schemas.Topics)
def topics(
    lease: LeaseDep, key: ReadKey,
    q: Annotated[str | None, Query(max_length=100, description="Substring of the slug or "
                                   "name (case-insensitive).")] = None,
    attributed: Annotated[bool, Query(description="Only topics someone is attributed in "
                                      "the newest snapshot.")] = False,
    limit: Limit = 20,
    offset: Offset = 0,
) -> topic_schemas.Topics:
    """The store's topics by slug, with parents, children and people attributed each."""
    return topic_views.topic_list(lease, q, attributed, limit, offset)


@router.get("/topics/{slug}/standings", response_model=topic_schemas.TopicStandings)
def topic_standings(
    slug: Slug, lease: LeaseDep, key: ReadKey,
    q: SearchText = None,
    network: Network = None,
    as_of: AsOf = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> topic_schemas.TopicStandings:
    """People attributed the topic (or a narrower one), by influence within it.

    Ranks are positions in the unfiltered standings; ``q`` searches ids,
    accounts and names, ``network`` keeps people with an account scored there.
    """
    topic_views.known_topic(lease, slug)
    known_network(lease, snapshot(lease, as_of), network)
    return topic_views.standings(lease, slug, as_of, limit, offset, query=q, network=network)


@router.get("/people/{person_id}/topics", response_model=topic_schemas.PersonTopics)
def person_topics(person_id: PersonId, lease: LeaseDep, key: ReadKey, as_of: AsOf = None,
                  limit: Limit = 20, offset: Offset = 0) -> topic_schemas.PersonTopics:
    """The person's topics, most confident first: confidence, influence within the topic,
    the evidence counts against the bar, and the posts behind each."""
    return topic_views.person_topic_page(lease, person(lease, person_id), as_of, limit, offset)
