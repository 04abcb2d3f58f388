"""``renown pull mastodon``: fetch an account's raw API payloads, then ingest them.

Two steps on purpose: the raw payloads land in a folder first (kept, so the
pull can be audited and re-ingested), then that folder is ingested as the
``mastodon-api`` format like any other input (idempotent, all or nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from renown.interfaces.cli.common import (
    DbOption,
    JsonOption,
    console,
    fail,
    parse_since,
    print_json,
    store,
)
from renown.sources import SourceError
from renown.sources.mastodon_pull import TOKEN_ENV, PullError, pull_mastodon
from renown.store.ingest import IngestReport
from renown.store.ingest import ingest as ingest_input

FORMAT = "mastodon-api"


def pull_mastodon_command(
    instance: Annotated[str, typer.Argument(help="Instance URL, e.g. https://mastodon.social")],
    account: Annotated[str, typer.Argument(help="Account: user (local) or user@domain.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for the raw payloads (created; must be new or empty).")],
    since: Annotated[str | None, typer.Option(
        help="Only statuses and notifications from this date/time on (ISO 8601, UTC "
             "unless it says).")] = None,
    db: DbOption = None,
    ingest: Annotated[bool, typer.Option(
        "--ingest/--no-ingest", help="Ingest the pulled folder into the store.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Pull an account's statuses (and, with $RENOWN_MASTODON_TOKEN, notifications)."""
    try:
        start = parse_since(since)
    except ValueError as exc:
        fail(str(exc), code=2)
    try:
        folder = pull_mastodon(instance, account, start, out)
    except PullError as exc:
        fail(str(exc))
    files = sorted(p.name for p in folder.iterdir())
    report: IngestReport | None = None
    if ingest:
        with store(db) as con:
            try:
                report = ingest_input(con, folder, FORMAT)
            except SourceError as exc:
                fail(f"{exc} (nothing from this pull was stored; the payloads stay in {folder})")
    if as_json:
        print_json({"folder": folder, "files": files, "ingestion": report})
        return
    console.print(f"pulled {len(files)} payload files into [bold]{folder}[/]"
                  + ("" if any(f.startswith("notifications") for f in files)
                     else f" (no notifications: set {TOKEN_ENV} to include them)"))
    if report is not None:
        console.print(f"ingested {report.ingested:,} events ({report.duplicates:,} already "
                      f"stored, {report.quarantined:,} quarantined)")
