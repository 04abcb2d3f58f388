"""``renown discover``: people to work with, by topic, audience, score band and quality."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.interfaces.cli.scores import DateOption, parse_day
from renown.scoring.audience.spec import AudienceError, parse_audience
from renown.scoring.discover import Candidate, DiscoveryError, DiscoveryQuery, discover
from renown.scoring.run import NothingToScoreError


def discover_command(
    topic: Annotated[str | None, typer.Option(
        help="Only people attributed this topic (or a narrower one), ranked by topic score.",
        show_default=False)] = None,
    audience: Annotated[str | None, typer.Option(
        help="Rank by influence within an audience: FILE, topic:SLUG or network:NAME.",
        show_default=False)] = None,
    min_score: Annotated[float, typer.Option(min=1.0, max=100.0,
                                             help="Lowest overall score.")] = 1.0,
    max_score: Annotated[float, typer.Option(min=1.0, max=100.0,
                                             help="Highest overall score.")] = 100.0,
    min_quality: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Lowest audience quality (share of clean reactions).")] = 0.0,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="People listed.")] = 20,
    as_of: DateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rank people to work with: topic, audience, score band and audience quality combined."""
    try:
        spec = parse_audience(audience) if audience else None
    except AudienceError as exc:
        fail(str(exc), code=2)
    query = DiscoveryQuery(topic, spec, min_score, max_score, min_quality, limit,
                           parse_day(as_of, "--as-of"))
    with store(db, read_only=True) as con:
        try:
            found = discover(con, query)
        except DiscoveryError as exc:
            fail(str(exc), code=2)
        except (AudienceError, LookupError, NothingToScoreError) as exc:
            fail(str(exc))
    if as_json:
        print_json({"query": {"topic": topic, "audience": audience, "min_score": min_score,
                              "max_score": max_score, "min_quality": min_quality,
                              "limit": limit},
                    "people": [asdict(c) for c in found]})
        return
    _print(found, topic, audience is not None)


def _print(found: list[Candidate], topic: str | None, has_audience: bool) -> None:
    if not found:
        console.print("Nobody matches (widen the score band, lower --min-quality, or check "
                      "the topic with `renown top --topic`).")
        return
    table = Table(title="People to work with")
    for column in ("#", "person", "score"):
        table.add_column(column, justify="right" if column != "person" else "left")
    if topic:
        table.add_column(f"{topic} score", justify="right")
        table.add_column("confidence", justify="right")
    if has_audience:
        table.add_column("in audience", justify="right")
    for column in ("audience quality", "automated", "pods", "reactors"):
        table.add_column(column, justify="right")
    for c in found:
        cells = [str(c.rank), c.display_name or c.person_id, f"{c.score:.1f}"]
        if topic:
            cells += [f"{c.topic_score:.1f}", f"{c.topic_confidence:.0%}"]
        if has_audience:
            cells.append("—" if c.audience_score is None else f"{c.audience_score:.1f}")
        cells += [f"{c.quality:.0%}", f"{c.automated_share:.0%}", f"{c.pod_share:.0%}",
                  f"{c.reactors:,}"]
        table.add_row(*cells)
    console.print(table)
