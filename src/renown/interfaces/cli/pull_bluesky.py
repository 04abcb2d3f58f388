"""``renown pull bluesky``: fetch an account's recent activity from the public AppView.

The pull writes raw XRPC responses into a new folder (kept: it is the
evidence behind the events) and, unless ``--no-ingest``, ingests that folder
with the ``bluesky-xrpc`` format.
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
from renown.sources.base import SourceError
from renown.sources.bluesky_pull import PUBLIC_APPVIEW, PullError, pull_bluesky

XRPC_FORMAT = "bluesky-xrpc"


def pull_bluesky_command(
    handle: Annotated[str, typer.Argument(help="Handle (alice.bsky.social) or DID to pull.")],
    since: Annotated[str | None, typer.Option(
        help="Only posts since: a date, an ISO 8601 time or days back (30d).")] = None,
    out: Annotated[Path, typer.Option(
        help="Folder to keep the raw responses in (a new sub-folder per pull).")] = Path("pulls"),
    base_url: Annotated[str, typer.Option(help="AppView to ask.")] = PUBLIC_APPVIEW,
    db: DbOption = None,
    ingest: Annotated[bool, typer.Option(
        "--ingest/--no-ingest", help="Ingest the pulled folder into the store.")] = True,
    top_posts: Annotated[int, typer.Option(
        help="How many of the most engaged posts to fetch likes, reposts, quotes and "
             "replies for.")] = 20,
    follows: Annotated[bool, typer.Option(
        "--follows/--no-follows", help="Also fetch followers and follows (names only: "
                                       "the public API gives no follow times).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Pull a Bluesky account's posts and the reactions to them, then ingest them."""
    try:
        start = parse_since(since)
    except ValueError as exc:
        fail(str(exc), code=2)
    try:
        folder = pull_bluesky(handle, start, out, base_url, top_posts=top_posts,
                              include_follows=follows)
    except PullError as exc:
        fail(f"pull of {handle} from {base_url}: {exc}")
    result: dict[str, object] = {"handle": handle, "folder": str(folder)}
    if ingest:
        from renown.store.ingest import ingest as ingest_input

        with store(db) as con:
            try:
                report = ingest_input(con, folder, XRPC_FORMAT)
            except SourceError as exc:
                fail(f"{exc} (the pulled files are kept in {folder})")
        result["ingested"] = report
    if as_json:
        print_json(result)
        return
    console.print(f"pulled [bold]{handle}[/] into {folder}")
    if ingest:
        console.print(f"{report.records:,} records: {report.ingested:,} ingested, "
                      f"{report.duplicates:,} duplicates, {report.quarantined:,} quarantined")
