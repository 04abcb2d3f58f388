"""``renown keys create | list | revoke``: API keys for the HTTP API.

A key's secret is printed once, at creation; the store keeps only a salted
hash.  Changes reach a running server with the snapshot the command publishes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.store.api_keys import (
    DEFAULT_RATE_PER_MINUTE,
    MAX_RATE_PER_MINUTE,
    SCOPES,
    ApiKeyError,
    create_key,
    list_keys,
    revoke_key,
)

keys_app = typer.Typer(help="API keys for the HTTP API: create, list, revoke.",
                       no_args_is_help=True)


def _rate(text: str) -> int:
    """``600``, ``600/min`` or ``10/s`` as requests per minute."""
    number, _, unit = text.strip().partition("/")
    factor = {"": 1, "min": 1, "m": 1, "s": 60, "sec": 60}.get(unit.strip().lower())
    if factor is None or not number.strip().isdigit():
        fail(f"--rate {text!r}: expected requests per minute, as N or N/min (or N/s)", code=2)
    rate = int(number) * factor
    if not 1 <= rate <= MAX_RATE_PER_MINUTE:
        fail(f"--rate {text!r}: between 1 and {MAX_RATE_PER_MINUTE:,} per minute", code=2)
    return rate


@keys_app.command("create")
def create_command(
    scope: Annotated[str, typer.Option(help=f"One of {', '.join(SCOPES)} (each includes the "
                                            "ones before it).")] = "read",
    name: Annotated[str | None, typer.Option(help="Who or what the key is for.")] = None,
    rate: Annotated[str, typer.Option(help="Rate limit: requests per minute (N or N/min, "
                                           "or N/s).")] = f"{DEFAULT_RATE_PER_MINUTE}/min",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key and print it (the only time it is shown)."""
    per_minute = _rate(rate)
    with store(db) as con:
        try:
            made = create_key(con, scope, name, per_minute)
        except ApiKeyError as exc:
            fail(str(exc), code=2)
    if as_json:
        print_json({"key": asdict(made.key), "token": made.token})
        return
    console.print(f"Created {made.key.scope} key [bold]{made.key.key_id}[/]"
                  f"{f' ({name})' if name else ''}, {per_minute:,} requests/min. "
                  "Keep it now; it is not shown again:")
    typer.echo(made.token)


@keys_app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every key: id, name, scope, rate, when created and revoked (never the secret)."""
    with store(db, read_only=True) as con:
        keys = list_keys(con)
    if as_json:
        print_json([asdict(k) for k in keys])
        return
    table = Table(title="API keys")
    for column in ("id", "name", "scope", "rate/min", "created", "revoked"):
        table.add_column(column, justify="right" if column == "rate/min" else "left")
    for k in keys:
        table.add_row(k.key_id, k.name or "", k.scope, f"{k.rate_per_minute:,}",
                      f"{k.created_at:%Y-%m-%d %H:%M}",
                      f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "")
    console.print(table)


@keys_app.command("revoke")
def revoke_command(
    key_id: Annotated[str, typer.Argument(help="The key's id (the part after rnk_).")],
    db: DbOption = None,
) -> None:
    """Revoke a key: it stops working as soon as a server sees the new snapshot."""
    with store(db) as con:
        found = revoke_key(con, key_id)
    if not found:
        fail(f"no API key {key_id!r} (see `renown keys list`)")
    console.print(f"Revoked key {key_id}")
