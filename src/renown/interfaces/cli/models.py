"""``renown model``: show, preview and promote scoring model versions."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.interfaces.cli.scores import DateOption, latest_day, parse_day
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.preview import preview
from renown.scoring.registry import (
    ModelRegistryError,
    current_model,
    ensure_current,
    list_models,
    promote,
)

model_app = typer.Typer(help="Scoring model versions: show, preview, promote.",
                        no_args_is_help=True)
CandidateArg = Annotated[Path, typer.Argument(help="Candidate model TOML file.")]


def _load(path: Path) -> Model:
    try:
        return Model.load(path)
    except ValueError as exc:
        fail(str(exc))


@model_app.command("show")
def show_model(
    default: Annotated[bool, typer.Option(help="Show the built-in default instead.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the current model as TOML (a starting point for a candidate)."""
    if default:
        model = DEFAULT_MODEL
    else:
        with store(db, read_only=True) as con:
            model = current_model(con)
    if as_json:
        print_json({"version": model.version, "fingerprint": model.fingerprint,
                    "parameters": asdict(model)})
        return
    typer.echo(model.to_toml(), nl=False)


@model_app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Model versions stored in the database."""
    with store(db, read_only=True) as con:
        rows = list_models(con)
    if as_json:
        print_json([{"version": v, "fingerprint": f, "current": c} for v, f, c in rows])
        return
    for version, fingerprint, is_current in rows:
        console.print(f"{'*' if is_current else ' '} {version}  ({fingerprint})")


@model_app.command("preview")
def preview_command(
    candidate: CandidateArg,
    as_of: DateOption = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="Movers to list each way.")] = 10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score with a candidate beside the current model: changes, biggest movers, why."""
    model = _load(candidate)
    with store(db, read_only=True) as con:
        day = parse_day(as_of, "--as-of") or latest_day(con)
        try:
            report = preview(con, current_model(con), model, day, top)
        except ValueError as exc:
            fail(str(exc))
    if as_json:
        print_json(asdict(report))
        return
    console.print(f"Preview of [bold]{report.candidate_version}[/] against "
                  f"[bold]{report.current_version}[/] on {report.as_of}: {report.people:,} "
                  f"people, mean change {report.mean_change:+.2f}, mean |change| "
                  f"{report.mean_abs_change:.2f}, rank correlation {report.spearman:.3f}")
    console.print("change quantiles: " + "  ".join(f"{k} {v:+.1f}"
                                                   for k, v in report.quantiles.items()))
    histogram = Table(title="Distribution of changes (points)")
    histogram.add_column("change")
    histogram.add_column("people", justify="right")
    for label, count in report.histogram:
        histogram.add_row(label, f"{count:,}")
    console.print(histogram)
    for title, movers in (("Biggest gains", report.movers_up),
                          ("Biggest losses", report.movers_down)):
        table = Table(title=title)
        for column in ("person", "before", "after", "change", "why"):
            table.add_column(column)
        for m in movers:
            table.add_row(m.person_id, f"{m.before:.1f}", f"{m.after:.1f}",
                          f"{m.change:+.1f}", m.why)
        console.print(table)


@model_app.command("promote")
def promote_command(candidate: CandidateArg, db: DbOption = None,
                    as_json: JsonOption = False) -> None:
    """Make a candidate the current model (preview it first)."""
    model = _load(candidate)
    with store(db) as con:
        ensure_current(con)
        try:
            promote(con, model)
        except ModelRegistryError as exc:
            fail(str(exc))
    if as_json:
        print_json({"version": model.version, "fingerprint": model.fingerprint,
                    "current": True})
        return
    console.print(f"Model [bold]{model.version}[/] ({model.fingerprint}) is now current; "
                  "run `renown score` to store scores under it.")
