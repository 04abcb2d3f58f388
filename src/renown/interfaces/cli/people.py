"""``renown link`` and ``renown unlink``: declaring which accounts are one person."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from renown.interfaces.cli.common import DbOption, console, fail, store
from renown.store.people import (
    IdentityError,
    Link,
    link_accounts,
    read_identity_file,
    read_identity_yaml,
    unlink_account,
)


def _split(account: str) -> tuple[str, str]:
    network, sep, name = account.partition(":")
    if not sep or not name:
        fail(f"{account!r}: write accounts as network:account (e.g. twitter:alice)", code=2)
    return network, name


def link_command(
    person: Annotated[str | None, typer.Argument(help="Person id to link accounts to.")] = None,
    accounts: Annotated[list[str] | None, typer.Argument(
        help="Accounts as network:account.", show_default=False)] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="CSV with header person_id,network,account, or YAML "
                       "(people: {PERSON: [network:account, ...]}).")] = None,
    db: DbOption = None,
) -> None:
    """Declare that accounts on several networks are one person (never guessed)."""
    if file is not None:
        try:
            is_yaml = file.suffix.lower() in (".yaml", ".yml")
            links = read_identity_yaml(file) if is_yaml else read_identity_file(file)
        except IdentityError as exc:
            fail(str(exc))
        source = str(file)
    elif person and accounts:
        links = [Link(person, *_split(a)) for a in accounts]
        source = ""
    else:
        fail("give PERSON and one or more network:account, or --file FILE", code=2)
    with store(db) as con:
        try:
            added = link_accounts(con, links, source)
        except IdentityError as exc:
            fail(f"{exc} (no link from this call was stored)")
    console.print(f"{added} new link(s), {len(links) - added} already in place")


def unlink_command(
    account: Annotated[str, typer.Argument(help="Account as network:account.")],
    db: DbOption = None,
) -> None:
    """Undo a link: the account becomes a person of its own again."""
    network, name = _split(account)
    with store(db) as con:
        removed = unlink_account(con, network, name)
    console.print(f"{account} unlinked" if removed else f"{account} was not linked")
