"""The ``renown`` command: one Typer app, one module per group of commands."""

from __future__ import annotations

import typer

from renown.interfaces.cli.ingest import ingest_command, status_command

app = typer.Typer(
    name="renown",
    help="Open, explainable influence analytics across social networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("ingest")(ingest_command)
app.command("status")(status_command)
