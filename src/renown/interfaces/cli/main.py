"""The ``renown`` command: one Typer app, one module per group of commands.

Each command's module is imported only when that command runs (or when help
lists it): ``renown ingest`` then never loads the API server, the simulator or
SciPy, which keeps a command's start-up time and memory to what it uses.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import typer
from typer import _click as click  # Typer ships its own Click (its types are these)
from typer.core import TyperGroup

_CLI = "renown.interfaces.cli"

#: Command name → (module, attribute): a command function, a Typer sub-app, or (for
#: names in `_BUILT`) a function in this module that builds the sub-app. In help order.
_COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (f"{_CLI}.demo", "demo_command"),
    "ingest": (f"{_CLI}.ingest", "ingest_command"),
    "status": (f"{_CLI}.ingest", "status_command"),
    "simulate": (f"{_CLI}.simulate", "simulate_command"),
    "link": (f"{_CLI}.people", "link_command"),
    "unlink": (f"{_CLI}.people", "unlink_command"),
    "score": (f"{_CLI}.scores", "score_command"),
    "export": (f"{_CLI}.export", "export_command"),
    "top": (f"{_CLI}.scores", "top_command"),
    "show": (f"{_CLI}.scores", "show_command"),
    "explain": (f"{_CLI}.scores", "explain_command"),
    "history": (f"{_CLI}.scores", "history_command"),
    "topics": (f"{_CLI}.topics", "topics_command"),
    "endorse": (f"{_CLI}.topics", "endorse_command"),
    "ontology": (f"{_CLI}.ontology", "ontology_app"),
    "influence": (f"{_CLI}.influence", "influence_command"),
    "quality": (f"{_CLI}.quality", "quality_command"),
    "discover": (f"{_CLI}.discover", "discover_command"),
    "campaign": (f"{_CLI}.campaign", "campaign_app"),
    "evaluate": (f"{_CLI}.main", "evaluate_app"),
    "forget": (f"{_CLI}.forget", "forget_command"),
    "selftest": (f"{_CLI}.selftest", "selftest_command"),
    "model": (f"{_CLI}.main", "model_app"),
    "serve": (f"{_CLI}.serve", "serve_command"),
    "keys": (f"{_CLI}.keys", "keys_app"),
    "pull": (f"{_CLI}.main", "pull_app"),
    "stream": (f"{_CLI}.stream", "stream_app"),
    "credentials": (f"{_CLI}.main", "credentials_app"),
}
_BUILT = {"evaluate", "model", "pull", "credentials"}


def evaluate_app() -> typer.Typer:
    """``renown evaluate`` (the score against what happened next) and ``evaluate topics``."""
    from renown.interfaces.cli.evaluate import evaluate_command
    from renown.interfaces.cli.evaluate_topics import evaluate_topics_command

    group = typer.Typer(invoke_without_command=True, no_args_is_help=False)
    group.callback()(evaluate_command)
    group.command("topics")(evaluate_topics_command)
    return group


def model_app() -> typer.Typer:
    """``renown model …`` plus ``model fit``, which lives with the evaluation commands."""
    from renown.interfaces.cli.evaluate import fit_command
    from renown.interfaces.cli.models import model_app as models

    models.command("fit")(fit_command)
    return models


def pull_app() -> typer.Typer:
    from renown.interfaces.cli.pull_bluesky import pull_bluesky_command
    from renown.interfaces.cli.pull_mastodon import pull_mastodon_command

    group = typer.Typer(
        help="Fetch an account's public activity from a network's API and ingest it.",
        no_args_is_help=True)
    group.command("bluesky")(pull_bluesky_command)
    group.command("mastodon")(pull_mastodon_command)
    return group


def credentials_app() -> typer.Typer:
    from renown.interfaces.cli.credentials import credentials_add_command

    group = typer.Typer(help="Offline credentials: talks, publications, courses, awards, "
                             "press.", no_args_is_help=True)
    group.command("add")(credentials_add_command)
    return group


@cache
def _load(name: str) -> click.Command:
    """The click command for ``name``, importing its module now."""
    module, attribute = _COMMANDS[name]
    found: Any = getattr(importlib.import_module(module), attribute)
    if name in _BUILT:
        found = found()
    command: click.Command
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)
    else:
        single = typer.Typer(pretty_exceptions_enable=False)
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _LazyCommands(TyperGroup):
    """The top-level group: lists every command, imports one only when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _load(cmd_name) if cmd_name in _COMMANDS else None


app = typer.Typer(
    name="renown",
    cls=_LazyCommands,
    help="Open, explainable influence analytics across social networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _renown() -> None:
    """Open, explainable influence analytics across social networks."""


if __name__ == "__main__":
    app()
