"""``renown evaluate topics``: topics attributed from text alone vs the tags people answered."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from renown.evaluate.bootstrap import Estimate
from renown.evaluate.topics import NoTaggedAnswersError, TopicEvaluation, evaluate_topics
from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store


def evaluate_topics_command(
    top: Annotated[int, typer.Option(min=1, help="How many of the most active answerers.")] = 50,
    k: Annotated[int, typer.Option("--k", min=1, help="Topics shown per person (precision@k).")]
        = 3,
    min_tag_uses: Annotated[int, typer.Option(
        min=1, help="A tag becomes a topic when at least this many questions carry it.")] = 2,
    resamples: Annotated[int, typer.Option(min=0, help="Bootstrap resamples of people.")]
        = 1000,
    people: Annotated[bool, typer.Option(
        "--people/--no-people", help="List every answerer's topics beside their tags.")]
        = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hide every question's tags, attribute topics from text, compare with what people answered.

    Needs a Q&A site in the store (`renown ingest DIR --format stackexchange`): the
    site's tags are the topics, the tags of the questions each answerer answered are
    the truth.  The store is only read.
    """
    with store(db, read_only=True) as con:
        try:
            result = evaluate_topics(con, top=top, k=k, min_tag_uses=min_tag_uses,
                                     resamples=resamples)
        except NoTaggedAnswersError as exc:
            fail(str(exc))
    if as_json:
        print_json(_as_dict(result))
        return
    if people:
        console.print(_people_table(result))
    console.print(_metrics_table(result))
    console.print(f"{result.ontology_topics} topics (the site's tags), "
                  f"{result.matched_posts:,} posts matched from text alone; "
                  f"finished in {result.seconds:.1f} s")


def _as_dict(result: TopicEvaluation) -> dict[str, object]:
    body = asdict(result)
    body["people"] = [dict(asdict(p), hits=p.hits, answered=dict(p.answered))
                      for p in result.people]
    return body


def _estimate(value: Estimate) -> str:
    return f"{value.value:.3f}  [dim]{value.low:.3f}–{value.high:.3f}[/]"


def _metrics_table(result: TopicEvaluation) -> Table:
    k = result.k
    table = Table(title=f"Topics from text vs tags answered: {len(result.people)} most active "
                        "answerers (value, 95% interval)")
    table.add_column("measure")
    table.add_column("value", justify="right", no_wrap=True)
    rows = [
        (f"precision@{k}: topics shown that are tags they answered", result.precision),
        (f"precision@{k} against each person's ten most used tags", result.precision_main),
        ("coverage: people shown at least one topic", result.coverage),
        (f"strict precision@{k} (a topic not shown counts as a miss)",
         result.strict_precision),
        (f"baseline: everyone shown the {k} most used tags "
         f"({', '.join(result.popular_tags)})", result.popular_precision),
    ]
    for label, value in rows:
        table.add_row(label, _estimate(value))
    return table


def _people_table(result: TopicEvaluation) -> Table:
    table = Table(title="Each answerer: topics shown (✓ a tag they answered) and their tags")
    for name in ("account", "answers", "topics shown", "tags answered (count)"):
        table.add_column(name, overflow="fold")
    for person in result.people:
        answered = dict(person.answered)
        shown = ", ".join(f"{t} {'✓' if t in answered else '✗'}" for t in person.shown)
        tags = ", ".join(f"{t} ({n})" for t, n in person.answered[:5])
        table.add_row(f"{person.network}:{person.account}", str(person.answers),
                      shown or "[dim](no topic meets the evidence thresholds)[/]", tags)
    return table
