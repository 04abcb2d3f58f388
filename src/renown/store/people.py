"""People and their accounts: identity links are declared, never guessed.

An account with no link is a person of its own (``network:account``).  Linking
puts accounts on several networks under one person id so their scores combine;
an account belongs to at most one person, and moving it needs an explicit
unlink first, so a typo cannot silently merge two people.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb

from renown.store.database import scalar, utc_now

PERSON_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
IDENTITY_COLUMNS: Final = ("person_id", "network", "account")


class IdentityError(ValueError):
    """A link that cannot be made (with where and why)."""


@dataclass(frozen=True, slots=True)
class Link:
    person_id: str
    network: str
    account: str


def _check(link: Link, where: str = "") -> None:
    prefix = f"{where}: " if where else ""
    if not PERSON_ID.fullmatch(link.person_id):
        raise IdentityError(f"{prefix}person id {link.person_id!r} must be 1-128 letters, "
                            "digits, '.', '_', '@' or '-' (no ':' — that marks network:account)")
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", link.network):
        raise IdentityError(f"{prefix}bad network name {link.network!r}")
    if not link.account or link.account.startswith("~"):
        raise IdentityError(f"{prefix}bad account {link.account!r}")


def link_accounts(con: duckdb.DuckDBPyConnection, links: list[Link],
                  source: str = "") -> int:
    """Declare links atomically; returns how many were new.  Idempotent."""
    added = 0
    con.execute("BEGIN TRANSACTION")
    try:
        for number, link in enumerate(links, start=1):
            where = f"{source}, line {number + 1}" if source else ""
            _check(link, where)
            added += _link_one(con, link, where)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return added


def _link_one(con: duckdb.DuckDBPyConnection, link: Link, where: str) -> int:
    owner = scalar(con, "SELECT person_id FROM identities WHERE network = ? AND account = ?",
                   [link.network, link.account])
    if owner == link.person_id:
        return 0
    if owner is not None:
        prefix = f"{where}: " if where else ""
        raise IdentityError(f"{prefix}{link.network}:{link.account} is already linked to "
                            f"{owner}; unlink it first")
    now = utc_now()
    con.execute("INSERT INTO people (person_id, created_at) VALUES (?, ?) "
                "ON CONFLICT (person_id) DO NOTHING", [link.person_id, now])
    con.execute("INSERT INTO accounts (network, account) VALUES (?, ?) "
                "ON CONFLICT (network, account) DO NOTHING", [link.network, link.account])
    con.execute("INSERT INTO identities VALUES (?, ?, ?, ?)",
                [link.network, link.account, link.person_id, now])
    return 1


def unlink_account(con: duckdb.DuckDBPyConnection, network: str, account: str) -> bool:
    """Remove an account's link (it becomes a person of its own again)."""
    found = scalar(con, "SELECT count(*) FROM identities WHERE network = ? AND account = ?",
                   [network, account])
    con.execute("DELETE FROM identities WHERE network = ? AND account = ?", [network, account])
    return bool(found)


def read_identity_file(path: Path) -> list[Link]:
    """Links from a CSV with header ``person_id,network,account``."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = set(IDENTITY_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise IdentityError(
                    f"{path}, line 1: missing column(s) {', '.join(sorted(missing))} "
                    f"(expected header {','.join(IDENTITY_COLUMNS)})")
            return [Link(*((row.get(c) or "").strip() for c in IDENTITY_COLUMNS))
                    for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise IdentityError(f"{path}: cannot read identity file: {exc}") from exc
