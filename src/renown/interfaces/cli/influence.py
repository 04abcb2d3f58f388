"""``renown influence PERSON``: who influences a person, and whom they influence."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.interfaces.cli.scores import DateOption, PersonArg, parse_day, person_or_fail
from renown.scoring.audience.influence import InfluenceLink, influence
from renown.scoring.run import NothingToScoreError


def influence_command(
    person: PersonArg,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="People listed each way.")] = 10,
    examples: Annotated[int, typer.Option(min=0, max=20,
                                          help="Example reactions per person.")] = 3,
    as_of: DateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Influencers (whose content PERSON reacts to) and influencees (who react to PERSON)."""
    with store(db, read_only=True) as con:
        person_id = person_or_fail(con, person)
        try:
            report = influence(con, person_id, parse_day(as_of, "--as-of"), limit, examples)
        except NothingToScoreError as exc:
            fail(str(exc))
    if as_json:
        print_json(asdict(report))
        return
    console.print(f"[bold]{report.person_id}[/]  as of {report.as_of}, model "
                  f"{report.model_version}")
    _print_links(f"Who influences {report.person_id} (whose content they react to)",
                 report.influencers)
    _print_links(f"Whom {report.person_id} influences (who react to them)", report.influencees)


def _print_links(title: str, links: list[InfluenceLink]) -> None:
    if not links:
        console.print(f"{title}: nobody in the window")
        return
    table = Table(title=title, caption="flow: influence passed along the link (1 = an average "
                                       "account's); reach: counts as this many people")
    for column in ("person", "flow", "reach", "reactions", "by kind", "latest"):
        table.add_column(column, justify="right" if column in ("flow", "reach", "reactions")
                         else "left", overflow="fold")
    for link in links:
        kinds = ", ".join(f"{kind} {n}" for kind, n in link.kinds.items())
        latest = "; ".join(f"{e.ts:%Y-%m-%d %H:%M} {e.kind}" + (f" {e.post_id}" if e.post_id
                                                                 else "")
                           for e in link.examples)
        name = link.person_id + ("" if link.accounts == [link.person_id]
                                 else f" ({', '.join(link.accounts)})")
        table.add_row(name, f"{link.flow:.3f}", f"{link.reach:.2f}", str(link.reactions),
                      kinds, latest)
    console.print(table)
