"""``renown quality PERSON``: how much of a person's audience is automated or a pod."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.interfaces.cli.scores import DateOption, PersonArg, parse_day, person_or_fail
from renown.scoring.audience.quality import PersonQuality, person_quality
from renown.scoring.run import NothingToScoreError


def quality_command(
    person: PersonArg,
    limit: Annotated[int, typer.Option(min=1, max=1000,
                                       help="Flagged reactors listed.")] = 20,
    as_of: DateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Share of PERSON's reactors that look automated or indiscriminate, and of pod reactions."""
    with store(db, read_only=True) as con:
        person_id = person_or_fail(con, person)
        try:
            result = person_quality(con, person_id, parse_day(as_of, "--as-of"), limit)
        except (LookupError, NothingToScoreError) as exc:
            fail(str(exc))
    if as_json:
        print_json(_jsonable(asdict(result)))
        return
    _print_quality(result)


def _jsonable(value: object) -> object:
    """NaN (an unavailable fence) as null: JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _print_quality(q: PersonQuality) -> None:
    console.print(f"[bold]{q.person_id}[/]  audience quality [bold]{q.quality:.0%}[/] "
                  f"as of {q.day}")
    console.print(f"automated or indiscriminate reactors: {q.automated_reactors:,} of "
                  f"{q.reactors:,} ({q.automated_share:.1%}); reactions from their own "
                  f"pod: {q.pod_reactions:,} of {q.reactions:,} ({q.pod_share:.1%})")
    if q.automated:
        table = Table(title="Reactors that look automated or indiscriminate")
        for column in ("account", "reactions to them", "per day", "authors", "median delay",
                       "why"):
            table.add_column(column, justify="left" if column in ("account", "why")
                             else "right", overflow="fold")
        for r in q.automated:
            delay = "n/a" if r.latency_s is None else f"{r.latency_s / 60:.0f} min"
            table.add_row(f"{r.network}:{r.account}", str(r.reactions), f"{r.per_day:.1f}",
                          str(r.authors), delay, "; ".join(r.reasons))
        console.print(table)
    for pod in q.pods:
        console.print(f"\n{pod.network}:{pod.account} is in pod [bold]{pod.pod}[/] "
                      f"({len(pod.members)} accounts, {pod.reactions:,} reactions to them): "
                      + ", ".join(pod.members))
