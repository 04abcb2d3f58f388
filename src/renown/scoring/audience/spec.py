"""Naming an audience, and resolving it to the accounts it holds.

An audience is one of:

- ``topic:SLUG`` — the community of a topic (`renown.scoring.audience.community`);
- ``network:NAME`` — every account on a network;
- a file listing accounts and people, one per line (see `read_audience_file`).

Resolution gives a table (network, account) of the distinct accounts this
database knows; listed accounts or people it has never seen are left out, and
an audience with no known account at all is an error.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa

from renown.errors import RenownError
from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.audience.community import topic_community


class AudienceError(ValueError, RenownError):
    """An audience that cannot be read or holds no known account."""


#: One line of an audience file: (network, account), or (None, person id).
Entry = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class AudienceSpec:
    """What the user named: listed accounts and people, a topic's community, or a network."""

    kind: Literal["accounts", "topic", "network"]
    #: The topic slug, the network name, or where the list came from (a file name).
    name: str
    entries: tuple[Entry, ...] = ()

    @property
    def label(self) -> str:
        return self.name if self.kind == "accounts" else f"{self.kind}:{self.name}"

    @staticmethod
    def topic(slug: str) -> AudienceSpec:
        return AudienceSpec("topic", slug)

    @staticmethod
    def network(name: str) -> AudienceSpec:
        return AudienceSpec("network", name)

    @staticmethod
    def accounts(entries: list[Entry], name: str = "listed accounts") -> AudienceSpec:
        return AudienceSpec("accounts", name, tuple(entries))


def parse_audience(text: str) -> AudienceSpec:
    """``topic:SLUG``, ``network:NAME`` or the path of an audience file."""
    prefix, sep, rest = text.partition(":")
    if sep and prefix in ("topic", "network"):
        if not rest.strip():
            raise AudienceError(f"--audience {text!r}: name the {prefix} after the colon")
        return (AudienceSpec.topic if prefix == "topic" else AudienceSpec.network)(rest.strip())
    path = Path(text)
    return AudienceSpec.accounts(read_audience_file(path), path.name)


def read_audience_file(path: Path) -> list[Entry]:
    """Entries of an audience file.

    One entry per line; blank lines and lines starting with ``#`` are skipped.
    ``network,account`` (comma or tab separated; a first line
    ``network,account`` is a header) names one account; a single field names
    a person id, meaning all of that person's accounts (an unlinked account's
    person id is ``network:account``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AudienceError(f"{path}: cannot read audience file: {exc}") from exc
    lines = [line for line in text.splitlines() if line.strip() and
             not line.lstrip().startswith("#")]
    entries: list[Entry] = []
    for number, fields in enumerate(csv.reader(lines, csv.excel_tab if "\t" in text
                                                else csv.excel), 1):
        cells = [cell.strip() for cell in fields if cell.strip()]
        if number == 1 and [c.lower() for c in cells] == ["network", "account"]:
            continue
        if len(cells) == 1:
            entries.append((None, cells[0]))
        elif len(cells) == 2:
            entries.append((cells[0], cells[1]))
        else:
            raise AudienceError(f"{path}: line {number} has {len(cells)} fields; expected "
                                "'network,account' or a person id")
    if not entries:
        raise AudienceError(f"{path}: the audience file lists nobody")
    return entries


def audience_members(con: duckdb.DuckDBPyConnection, spec: AudienceSpec,
                     before: datetime | None = None) -> pa.Table:
    """The audience's distinct accounts (network, account), sorted.

    ``before`` bounds the evidence for a topic's community (the scoring
    window's end), so a score as of a past day does not use later posts.
    """
    if spec.kind == "topic":
        members = topic_community(con, spec.name, before=before)
    elif spec.kind == "network":
        members = con.sql("SELECT network, account FROM accounts WHERE network = ? AND "
                          f"account NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%' ORDER BY account",
                          params=[spec.name]).to_arrow_table()
    else:
        members = _listed(con, spec.entries)
    if members.num_rows == 0:
        raise AudienceError(f"audience {spec.label} holds no account known to this database")
    return members


def _listed(con: duckdb.DuckDBPyConnection, entries: tuple[Entry, ...]) -> pa.Table:
    """Accounts named directly, and every account of the people named (known accounts only)."""
    named = pa.table({"network": pa.array([n for n, _ in entries], pa.string()),
                      "name": pa.array([a for _, a in entries], pa.string())})
    con.register("_audience_entries", named)
    try:
        return con.sql("""
            SELECT DISTINCT a.network, a.account FROM _audience_entries e
            JOIN account_people a
              ON (e.network IS NOT NULL AND a.network = e.network AND a.account = e.name)
              OR (e.network IS NULL AND a.person_id = e.name)
            ORDER BY a.network, a.account
        """).to_arrow_table()
    finally:
        con.unregister("_audience_entries")
