"""``renown score [PERSON] --audience FILE|topic:SLUG|network:NAME``: influence in an audience."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

from rich.table import Table

from renown.interfaces.cli.common import console, fail, print_json, store
from renown.interfaces.cli.render import print_explanation
from renown.scoring.audience.evidence import AudienceExplanation, explain_audience
from renown.scoring.audience.spec import AudienceError, AudienceSpec, parse_audience
from renown.scoring.audience.targeted import AudienceRun, score_audience
from renown.scoring.queries import PersonNotFoundError, band, resolve_person
from renown.scoring.run import NothingToScoreError

#: People listed when no PERSON is given.
LEADERBOARD_SIZE = 20


def audience_score(person: str | None, audience: str, day: date | None, db: Path | None,
                   as_json: bool) -> None:
    """Explain PERSON's score within the audience, or list the audience's most influential."""
    try:
        spec = parse_audience(audience)
    except AudienceError as exc:
        fail(str(exc), code=2)
    with store(db, read_only=True) as con:
        try:
            if person is None:
                run = score_audience(con, spec, day)
            else:
                result = explain_audience(con, resolve_person(con, person), spec, day)
        except (AudienceError, LookupError, NothingToScoreError, PersonNotFoundError) as exc:
            fail(str(exc))
    if person is None:
        _print_leaderboard(run, spec, as_json)
    elif as_json:
        print_json(asdict(result))
    else:
        _print_person(result)


def _print_person(result: AudienceExplanation) -> None:
    share = 100.0 * (1.0 - result.percentile)
    console.print(f"Within audience [bold]{result.audience}[/] ({result.members:,} accounts, "
                  f"{result.active_members:,} active): rank [bold]{result.rank:,}[/] of "
                  f"{result.people:,} (top {max(share, 100.0 / result.people):.1f}%), "
                  f"{result.audience_reactors:,} audience accounts react, "
                  f"{band(result.explanation.score)}")
    print_explanation(result.explanation)


def _print_leaderboard(run: AudienceRun, spec: AudienceSpec, as_json: bool) -> None:
    rows = run.people.slice(0, LEADERBOARD_SIZE).to_pylist()
    if as_json:
        print_json({"audience": spec.label, "as_of": run.as_of, "model_version":
                    run.model.version, "members": run.members,
                    "active_members": run.active_members, "people": rows})
        return
    table = Table(title=f"Most influential within {spec.label} ({run.members:,} accounts, "
                        f"{run.active_members:,} active) as of {run.as_of}",
                  caption="reach: audience members who respond (effective people); "
                          "network: influence from the audience through the graph")
    for column in ("#", "person", "score", "reach", "network", "audience reactors"):
        table.add_column(column, justify="left" if column == "person" else "right")
    for r in rows:
        table.add_row(str(r["rank"]), r["person_id"], f"{r['score']:.1f}", f"{r['reach']:.1f}",
                      f"{r['network_value']:.2f}", f"{r['audience_reactors']:,}")
    console.print(table)
