"""The ``renown`` command: one Typer app, one module per group of commands."""

from __future__ import annotations

import typer

from renown.interfaces.cli.credentials import credentials_add_command
from renown.interfaces.cli.demo import demo_command
from renown.interfaces.cli.discover import discover_command
from renown.interfaces.cli.evaluate import evaluate_command, fit_command
from renown.interfaces.cli.evaluate_topics import evaluate_topics_command
from renown.interfaces.cli.export import export_command
from renown.interfaces.cli.forget import forget_command
from renown.interfaces.cli.influence import influence_command
from renown.interfaces.cli.ingest import ingest_command, status_command
from renown.interfaces.cli.keys import keys_app
from renown.interfaces.cli.models import model_app
from renown.interfaces.cli.ontology import ontology_app
from renown.interfaces.cli.people import link_command, unlink_command
from renown.interfaces.cli.pull_bluesky import pull_bluesky_command
from renown.interfaces.cli.pull_mastodon import pull_mastodon_command
from renown.interfaces.cli.quality import quality_command
from renown.interfaces.cli.scores import (
    explain_command,
    history_command,
    score_command,
    show_command,
    top_command,
)
from renown.interfaces.cli.selftest import selftest_command
from renown.interfaces.cli.serve import serve_command
from renown.interfaces.cli.simulate import simulate_command
from renown.interfaces.cli.stream import stream_app
from renown.interfaces.cli.topics import endorse_command, topics_command

app = typer.Typer(
    name="renown",
    help="Open, explainable influence analytics across social networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo_command)
app.command("ingest")(ingest_command)
app.command("status")(status_command)
app.command("simulate")(simulate_command)
app.command("link")(link_command)
app.command("unlink")(unlink_command)
app.command("score")(score_command)
app.command("export")(export_command)
app.command("top")(top_command)
app.command("show")(show_command)
app.command("explain")(explain_command)
app.command("history")(history_command)
app.command("topics")(topics_command)
app.command("endorse")(endorse_command)
app.add_typer(ontology_app, name="ontology")
app.command("influence")(influence_command)
app.command("quality")(quality_command)
app.command("discover")(discover_command)
evaluate_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
evaluate_app.callback()(evaluate_command)
evaluate_app.command("topics")(evaluate_topics_command)
app.add_typer(evaluate_app, name="evaluate")
app.command("forget")(forget_command)
app.command("selftest")(selftest_command)
model_app.command("fit")(fit_command)
app.add_typer(model_app, name="model")
app.command("serve")(serve_command)
app.add_typer(keys_app, name="keys")

pull_app = typer.Typer(
    help="Fetch an account's public activity from a network's API and ingest it.",
    no_args_is_help=True)
pull_app.command("bluesky")(pull_bluesky_command)
pull_app.command("mastodon")(pull_mastodon_command)
app.add_typer(pull_app, name="pull")
app.add_typer(stream_app, name="stream")

credentials_app = typer.Typer(help="Offline credentials: talks, publications, courses, awards, "
                                   "press.", no_args_is_help=True)
credentials_app.command("add")(credentials_add_command)
app.add_typer(credentials_app, name="credentials")

if __name__ == "__main__":
    app()
