"""``renown topics | endorse | top --topic``: topics of influence and +K endorsements."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.interfaces.cli.scores import DateOption, PersonArg, parse_day, person_or_fail
from renown.scoring.registry import current_model
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.endorsements import EndorsementError, give_endorsement
from renown.scoring.topics.live import live_person_topics
from renown.scoring.topics.ontology_store import ensure_ontology, stored_ontology
from renown.scoring.topics.standings import (
    PersonTopics,
    known_topic,
    person_topics,
    topic_leaderboard,
)

ThresholdOption = Annotated[int | None, typer.Option(
    min=1, show_default=False,
    help="Check against this threshold instead (computed on the spot, not stored).")]


def topics_command(
    person: PersonArg,
    as_of: DateOption = None,
    posts: Annotated[int, typer.Option(min=0, max=50, help="Posts to show per topic.")] = 3,
    min_posts: ThresholdOption = None,
    min_days: ThresholdOption = None,
    min_reactors: ThresholdOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A person's topics: confidence, the evidence counts, and the posts behind each."""
    with store(db, read_only=True) as con:
        person_id = person_or_fail(con, person)
        day = parse_day(as_of, "--as-of")
        try:
            if min_posts is None and min_days is None and min_reactors is None:
                result = person_topics(con, person_id, day)
            else:
                config = TopicConfig.for_model(current_model(con)).with_thresholds(
                    min_posts=min_posts, min_days=min_days, min_reactors=min_reactors)
                result = live_person_topics(con, person_id, config, day)
        except LookupError as exc:
            fail(str(exc))
    if as_json:
        print_json(asdict(result))
        return
    _print_topics(result, posts)


def _print_topics(result: PersonTopics, posts: int) -> None:
    bar = result.thresholds
    console.print(f"[bold]{result.person_id}[/]  topics as of {result.as_of}, model "
                  f"{result.model_version}  (bar: ≥{bar['min_posts']} engaged posts on "
                  f"≥{bar['min_days']} days from ≥{bar['min_reactors']} people)")
    if not result.topics:
        console.print("No topic has enough evidence yet.")
        return
    table = Table(caption="posts, days, people: engaged evidence (narrower topics count "
                          "discounted); * = only through narrower topics")
    for column in ("topic", "confidence", "topic score", "posts", "days", "people",
                   "endorsers"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for t in result.topics:
        score = "—" if t.topic_score is None else f"{t.topic_score:.1f}"
        table.add_row(f"{t.topic}{'' if t.direct else ' *'}", f"{t.confidence:.2f}",
                      score, str(t.posts), str(t.days), str(t.reactors), str(t.endorsers))
    console.print(table)
    if posts:
        for t in result.topics:
            for p in t.top_posts[:posts]:
                via = "" if p.via_topic == t.topic else f" (as {p.via_topic})"
                console.print(f"  {t.topic}: {p.network}:{p.post_id} {p.ts:%Y-%m-%d} "
                              f"{p.reactors} people{via}  {(p.text or '')[:70]}",
                              highlight=False, markup=False)


def endorse_command(
    giver: Annotated[str, typer.Argument(help="Who endorses (person id, network:account, …).")],
    receiver: Annotated[str, typer.Argument(help="Who is endorsed.")],
    topic: Annotated[str, typer.Option(help="Topic slug (`renown ontology show`).")],
    at: Annotated[str | None, typer.Option(
        help="When it was given (YYYY-MM-DD or ISO time, UTC); default now.",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Endorse a person on a topic (+K): capped per giver, weighed by the giver's standing."""
    given_at = _parse_time(at)
    with store(db) as con:
        giver_id = person_or_fail(con, giver)
        receiver_id = person_or_fail(con, receiver)
        ensure_ontology(con)
        try:
            endorsement = give_endorsement(
                con, giver_id, receiver_id, topic, TopicConfig().endorsements,
                known_topics=set(stored_ontology(con).topics), at=given_at)
        except EndorsementError as exc:
            fail(str(exc))
    if as_json:
        print_json(asdict(endorsement))
        return
    console.print(f"{endorsement.giver} endorsed {endorsement.receiver} on "
                  f"[bold]{endorsement.topic}[/] ({endorsement.remaining} endorsements left in "
                  "this 30-day window); it counts from the next `renown score`.")


def _parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--at {text!r} is not a date or time (expected YYYY-MM-DD or ISO 8601)", code=2)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def topic_top(topic: str, limit: int, as_of: str | None, db: Path | None,
              as_json: bool) -> None:
    """``renown top --topic SLUG``: people by influence within a topic."""
    with store(db, read_only=True) as con:
        try:
            known_topic(stored_ontology(con), topic)
            rows = topic_leaderboard(con, topic, limit=limit, day=parse_day(as_of, "--as-of"))
        except LookupError as exc:
            fail(str(exc))
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    if not rows:
        console.print(f"Nobody is attributed {topic} (or a narrower topic) yet.")
        return
    table = Table(title=f"Renown leaderboard — topic {topic}")
    for column in ("#", "person", "topic score", "confidence", "posts", "people"):
        table.add_column(column, justify="left" if column == "person" else "right")
    for r in rows:
        name = f"{r.person_id} ({r.display_name})" if r.display_name else r.person_id
        table.add_row(str(r.rank), name, f"{r.topic_score:.1f}", f"{r.confidence:.2f}",
                      str(r.posts), str(r.reactors))
    console.print(table)
