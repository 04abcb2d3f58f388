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
import pyarrow as pa
import yaml

from renown.errors import RenownError
from renown.store.database import scalar, utc_now
from renown.store.optout import refuse_opted_out

PERSON_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
IDENTITY_COLUMNS: Final = ("person_id", "network", "account")


class IdentityError(ValueError, RenownError):
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
    """Declare links atomically, as set-based SQL; returns how many were new.  Idempotent.

    Every link is checked first (with its line in ``source``); then one pass
    finds accounts already linked to someone else (or twice in the input),
    and the rest is inserted in bulk.  Any problem stores nothing.
    """
    for number, link in enumerate(links, start=1):
        _check(link, f"{source}, line {number + 1}" if source else "")
    table = pa.table({
        "line": pa.array(range(2, len(links) + 2), pa.int64()),
        "person_id": [link.person_id for link in links],
        "network": [link.network for link in links],
        "account": [link.account for link in links],
    })
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_links", table)
        _refuse_conflicts(con, source)
        _refuse_forgotten(con, source)
        added = _insert_links(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_links")
    return added


def _refuse_conflicts(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """An account may belong to one person only: in the store and within the input."""
    rows = con.execute("""
        SELECT l.line, l.network, l.account, coalesce(i.person_id, d.person_id)
        FROM _links l
        LEFT JOIN identities i ON i.network = l.network AND i.account = l.account
                              AND i.person_id <> l.person_id
        LEFT JOIN _links d ON d.network = l.network AND d.account = l.account
                          AND d.person_id <> l.person_id AND d.line < l.line
        WHERE i.person_id IS NOT NULL OR d.person_id IS NOT NULL
        ORDER BY l.line LIMIT 1""").fetchall()
    if rows:
        line, network, account, owner = rows[0]
        prefix = f"{source}, line {line}: " if source else ""
        raise IdentityError(f"{prefix}{network}:{account} is already linked to {owner}; "
                            "unlink it first")


def _refuse_forgotten(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """A forgotten account stays forgotten: linking must not bring it back."""
    banned = refuse_opted_out(con, "_links")
    if banned:
        names = ", ".join(f"{n}:{a}" for n, a in sorted(banned))
        prefix = f"{source}: " if source else ""
        raise IdentityError(f"{prefix}{names} asked to be forgotten (renown forget) and "
                            "cannot be linked")


def _insert_links(con: duckdb.DuckDBPyConnection) -> int:
    now = utc_now()
    con.execute("INSERT INTO people (person_id, created_at) SELECT DISTINCT person_id, ? "
                "FROM _links ON CONFLICT (person_id) DO NOTHING", [now])
    con.execute("INSERT INTO accounts (network, account) SELECT DISTINCT network, account "
                "FROM _links ON CONFLICT (network, account) DO NOTHING")
    return int(scalar(con, """
        INSERT INTO identities
        SELECT DISTINCT l.network, l.account, l.person_id, ? FROM _links l
        WHERE NOT EXISTS (SELECT 1 FROM identities i
                          WHERE i.network = l.network AND i.account = l.account)""", [now]))


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


def read_identity_yaml(path: Path) -> list[Link]:
    """Links from YAML: ``people: {person_id: [network:account, ...]}``.

    Read from YAML's node tree rather than loaded values, so every id stays
    the text written (YAML 1.1 would read ``no`` as false and ``0123`` as 83)
    and every error names its line.  An account listed under two people is
    refused here, with both lines, rather than half-linked later.
    """
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise IdentityError(f"{path}: cannot read identity file: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise IdentityError(f"{path}{where}: malformed YAML: "
                            f"{getattr(exc, 'problem', None) or exc}") from exc
    people = _yaml_people(path, root)
    links: list[Link] = []
    first_line: dict[tuple[str, str], tuple[str, int]] = {}
    for key, value in people.value if people is not None else []:
        person = _yaml_scalar(path, key, "a person id")
        for node in value.value if isinstance(value, yaml.SequenceNode) else [value]:
            line = node.start_mark.line + 1
            where = f"{path}, line {line}"
            network, sep, account = _yaml_scalar(path, node, "network:account").partition(":")
            if not sep or not account.strip():
                raise IdentityError(f"{where}: write accounts as network:account "
                                    "(e.g. twitter:alice)")
            link = Link(person, network.strip(), account.strip())
            _check(link, where)
            earlier = first_line.setdefault((link.network, link.account), (person, line))
            if earlier[0] != person:
                raise IdentityError(f"{where}: {link.network}:{link.account} is listed for "
                                    f"both {earlier[0]} (line {earlier[1]}) and {person}")
            links.append(link)
    return links


def _yaml_people(path: Path, root: yaml.Node | None) -> yaml.MappingNode | None:
    """The mapping under the top-level ``people:`` key (None when it is empty)."""
    if not isinstance(root, yaml.MappingNode):
        line = f", line {root.start_mark.line + 1}" if root is not None else ""
        raise IdentityError(f"{path}{line}: expected a mapping with the key 'people:' "
                            "(people: {person_id: [network:account, ...]})")
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "people":
            if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
                return None
            if not isinstance(value, yaml.MappingNode):
                raise IdentityError(f"{path}, line {value.start_mark.line + 1}: 'people:' "
                                    "must map each person id to a list of network:account")
            return value
    raise IdentityError(f"{path}, line 1: no 'people:' key "
                        "(people: {person_id: [network:account, ...]})")


def _yaml_scalar(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise IdentityError(f"{path}, line {node.start_mark.line + 1}: expected {what}")
    return str(node.value).strip()
