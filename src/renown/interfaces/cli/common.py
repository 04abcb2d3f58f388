"""What every CLI command shares: the database option, JSON output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import duckdb
import typer
from rich.console import Console
from rich.markup import escape

from renown.errors import RenownError
from renown.store.database import StoreError, default_db_path, open_store
from renown.store.serving import publish_if_served

if TYPE_CHECKING:
    from renown.interfaces.library.store import Store

console = Console()
error_console = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: $RENOWN_DB or ./renown.duckdb).",
                 show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line, ``error: message``, to stderr and exit with ``code``.

    The message is printed as-is: never wrapped at the terminal width (scripts
    read errors line by line) and never read as Rich markup (it may quote user
    input such as ``[kind_weights]``).
    """
    error_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False,
                        soft_wrap=True)
    raise typer.Exit(code)


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    """``2025-01-31``, ``2025-01-31T12:00:00Z`` (no zone: UTC) or ``30d`` (days back)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text[:-1].isdigit() and text[-1] in "dD":
        return (now or datetime.now(UTC)) - timedelta(days=int(text[:-1]))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since {text!r}: expected a date (2025-01-31), an ISO 8601 time "
                         "or a number of days (30d)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _json_default(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2) + "\n")


@contextmanager
def store(db: Path | None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store for a command, turning store errors into clean CLI errors.

    A command that wrote publishes a read snapshot for servers when the store
    is served (`renown.store.serving`), also when it ends with a clean error
    after committing part of its work.
    """
    path = db or default_db_path()
    with _clean_errors(path), open_store(path, read_only=read_only) as con:
        try:
            yield con
        except typer.Exit:
            if not read_only:
                _publish(con, path)
            raise
        if not read_only:
            _publish(con, path)


@contextmanager
def library(db: Path | None, *, read_only: bool = False) -> Iterator[Store]:
    """The store as the public `renown.Store` (the surface notebooks use), with what
    Renown refuses turned into one clean error line."""
    from renown.interfaces.library.store import Store  # the whole scoring stack: lazily

    path = db or default_db_path()
    with _clean_errors(path), Store(path, read_only=read_only) as opened:
        yield opened


@contextmanager
def _clean_errors(path: Path) -> Iterator[None]:
    """What Renown refuses, and a database another process holds, as one error line."""
    try:
        yield
    except RenownError as exc:
        fail(str(exc))
    except duckdb.IOException as exc:
        fail(f"{path}: {exc} (is another renown process writing to it?)")


def _publish(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Publish for servers; a failure leaves the write in place and says so."""
    try:
        publish_if_served(con, path)
    except (OSError, StoreError, duckdb.Error) as exc:
        error_console.print(f"[yellow]warning:[/] the write is stored, but publishing a read "
                            f"snapshot for servers failed: {escape(str(exc))}", soft_wrap=True)
