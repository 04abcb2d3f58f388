"""``renown forget``: erase a person or an account, keep them out, rewrite the files."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.store.database import StoreError, default_db_path, scalar
from renown.store.forget import (
    ErasureError,
    ErasureReport,
    Subject,
    account_subject,
    person_subject,
)
from renown.store.scrub import RewriteReport, forget_in_store, rewrite_store, scrub_pending


def forget_command(
    people: Annotated[list[str] | None, typer.Argument(
        help="Person ids, or network:account (forgets the whole person owning it).",
        show_default=False)] = None,
    network: Annotated[str | None, typer.Option(
        help="With --account: forget this one account only.")] = None,
    account: Annotated[str | None, typer.Option(help="Account id on --network.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")
                   ] = False,
    scrub: Annotated[bool, typer.Option(
        "--scrub", help="Only rewrite the database file (finishes an interrupted erasure).")
    ] = False,
    log: Annotated[bool, typer.Option("--log", help="List past erasures (counts only).")
                   ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Erase everything about people or accounts, and keep them out of future ingestion."""
    path = db or default_db_path()
    if log:
        _print_log(path, as_json)
        return
    if (network is None) != (account is None):
        fail("--network and --account go together", code=2)
    if not people and account is None and not scrub:
        fail("give PERSON..., or --network N --account ID, or --scrub", code=2)

    def resolve(con: duckdb.DuckDBPyConnection) -> list[Subject]:
        subjects = [person_subject(con, p) for p in people or []]
        if network is not None and account is not None:
            subjects.append(account_subject(con, network, account))
        return subjects

    scrub_only = not people and account is None
    if not scrub_only:
        _confirm(path, resolve, yes=yes)
    elif scrub_pending(path):
        console.print("finishing an interrupted erasure", highlight=False)
    try:
        reports, rewrite = (([], _scrub_only(path)) if scrub_only
                            else forget_in_store(path, resolve))
    except (ErasureError, StoreError) as exc:
        fail(str(exc))
    except duckdb.IOException as exc:
        fail(f"{path}: {exc} (is another renown process using it?)")
    if as_json:
        print_json({"erasures": [asdict(r) for r in reports], "rewrite": asdict(rewrite)})
        return
    _print_reports(reports, rewrite)


def _scrub_only(path: Path) -> RewriteReport:
    with store(path) as con:
        report = rewrite_store(con, path)
    path.with_name(path.name + ".scrub-pending").unlink(missing_ok=True)
    return report


Resolver = Callable[[duckdb.DuckDBPyConnection], list[Subject]]


def _confirm(path: Path, resolve: Resolver, *, yes: bool) -> None:
    """Say what will be erased and ask, unless --yes (required without a terminal)."""
    with store(path) as con:
        try:
            subjects = resolve(con)
        except ErasureError as exc:
            fail(str(exc))
        events = sum(_events_of(con, s) for s in subjects)
    names = ", ".join(s.name for s in subjects)
    summary = (f"forget {names}: {sum(len(s.accounts) for s in subjects)} account(s), "
               f"{events:,} events they made or received; this cannot be undone")
    if yes:
        return
    if not sys.stdin.isatty():
        fail(f"{summary}. Pass --yes to confirm.", code=2)
    if not typer.confirm(summary + ". Continue?"):
        raise typer.Exit(1)


def _events_of(con: duckdb.DuckDBPyConnection, subject: Subject) -> int:
    keys = [f"{n}\0{a}" for n, a in subject.accounts]
    if not keys:
        return 0
    return int(scalar(con, "SELECT count(*) FROM events WHERE network || chr(0) || actor IN "
                           "(SELECT unnest($k)) OR network || chr(0) || subject IN "
                           "(SELECT unnest($k))", {"k": keys}))


def _print_reports(reports: list[ErasureReport], rewrite: RewriteReport) -> None:
    for report in reports:
        deleted = ", ".join(f"{t} {n:,}" for t, n in report.deleted.items()) or "nothing"
        console.print(f"erasure {report.erasure_id} ({report.scope} "
                      f"{report.subject_hash[:12]}…): {report.accounts} account(s) opted out; "
                      f"deleted {deleted}", highlight=False)
        if report.redacted:
            console.print("  mentions redacted: " + ", ".join(
                f"{c} {n:,}" for c, n in report.redacted.items()), highlight=False)
    console.print(f"database rewritten in {rewrite.seconds:.2f}s "
                  f"({rewrite.bytes_before:,} → {rewrite.bytes_after:,} bytes); "
                  f"{len(rewrite.removed)} snapshot/spill file(s) removed", highlight=False)


def _print_log(path: Path, as_json: bool) -> None:
    with store(path, read_only=True) as con:
        rows = con.execute("SELECT erasure_id, erased_at, scope, subject_hash, accounts, "
                           "rows_deleted, rows_redacted, seconds FROM erasures "
                           "ORDER BY erasure_id").fetchall()
    names = ("erasure_id", "erased_at", "scope", "subject_hash", "accounts", "rows_deleted",
             "rows_redacted", "seconds")
    entries = [dict(zip(names, row, strict=True)) for row in rows]
    if as_json:
        print_json(entries)
        return
    table = Table(title="Erasures (counts only; subjects as keyed hashes)")
    for name in ("erasure_id", "erased_at", "scope", "subject_hash", "accounts", "rows_deleted"):
        table.add_column(name)
    for e in entries:
        table.add_row(str(e["erasure_id"]), str(e["erased_at"])[:19], e["scope"],
                      e["subject_hash"][:16] + "…", str(e["accounts"]), e["rows_deleted"])
    console.print(table)
