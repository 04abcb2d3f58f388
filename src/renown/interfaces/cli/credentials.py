"""``renown credentials add``: record one offline credential (talk, publication...) by hand.

The credential becomes the same event a credentials file would give (same
rules, same id, so adding it twice, or also ingesting it from a file, stores
it once), ingested through `renown.store.ingest.ingest_table`.  Its account is
``offline:<person>``; when the person is declared, that account is linked to
them so the credential counts toward their score.
"""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer

from renown.events import OFFLINE_KINDS, OFFLINE_NETWORK
from renown.interfaces.cli.common import DbOption, console, fail, store
from renown.sources.credentials import CredentialError, credential_row, credentials_table
from renown.store.database import scalar
from renown.store.ingest import ingest_table
from renown.store.people import IdentityError, Link, link_accounts


def credentials_add_command(
    person: Annotated[str, typer.Argument(help="Person id; the credential's account is "
                                               "offline:PERSON.")],
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(OFFLINE_KINDS)}.")],
    date: Annotated[str, typer.Argument(help="When: YYYY-MM-DD (YYYY-MM or YYYY if only "
                                             "that is known).")],
    title: Annotated[str, typer.Argument(help="What: talk title and venue, book or paper "
                                              "title, award name...")],
    url: Annotated[str, typer.Argument(help="Evidence: a public http(s) page showing it.")],
    db: DbOption = None,
) -> None:
    """Add one offline credential (with its evidence URL) for a person."""
    try:
        row = credential_row(person, kind, date, title, url)
    except CredentialError as exc:
        fail(str(exc), code=2)
    with store(db) as con:
        report = ingest_table(con, credentials_table([row]), label=f"credentials add {person}",
                              fmt="credentials")
        if report.quarantined:
            fail(f"credential refused: {_last_reason(con)}")
        linked = _link_if_declared(con, str(row["actor"]))
    what = f"{row['kind']} {row['ts']:%Y-%m-%d} {row['text']!r}"
    if report.duplicates:
        console.print(f"already recorded: {what} for {row['actor']}")
    else:
        console.print(f"added {what} for {row['actor']} (event {row['event_id']})")
    console.print(linked)


def _last_reason(con: duckdb.DuckDBPyConnection) -> str:
    reason = scalar(con, "SELECT any_value(reason) FROM quarantine WHERE ingestion_id = "
                         "(SELECT max(ingestion_id) FROM ingestions)")
    return str(reason or "unknown reason")


def _link_if_declared(con: duckdb.DuckDBPyConnection, person: str) -> str:
    """Link offline:<person> to the declared person of that id; say what happened."""
    account = f"{OFFLINE_NETWORK}:{person}"
    if not scalar(con, "SELECT count(*) FROM people WHERE person_id = ?", [person]):
        return (f"{person} is not a declared person: the credential stays on {account} "
                f"(link it later with: renown link {person} {account})")
    try:
        added = link_accounts(con, [Link(person, OFFLINE_NETWORK, person)])
    except IdentityError as exc:
        return f"not linked: {exc}"
    return f"linked {account} to {person}" if added else f"{account} already linked to {person}"
