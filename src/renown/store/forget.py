"""Forgetting a person or an account (DESIGN.md property 9), inside the database.

`erase` applies `renown.store.erasure_rules.ERASURE_RULES` to every table in one
transaction, puts the accounts on the opt-out list and writes one audit row
per subject; `renown.store.scrub` then rewrites the database file so the
deleted values do not survive in free blocks.  What goes, and why:

- everything the person did (events they are the actor of), their accounts,
  identity links, person row, scores and score history;
- every event **about** them (others' replies, likes, mentions, reshares of
  them: they are the subject) and every reaction to their content found by a
  content reference: such a row names them, and keeping it with the subject
  blanked would turn others' reactions into posts of their own and change
  others' output.  Others lose those reactions *given*, which scoring does not
  count as outcomes, so their scores change only through the network's
  reshaped graph, on the next ``renown score``;
- quarantine rows that mention them anywhere (file, reason, raw excerpt);
- mentions in text that belongs to others (posts, display names, ingestion
  paths) are redacted in place as whole words, the rows kept.

Forgetting a *person* forgets every account linked to them.  Forgetting one
*account* leaves the rest of its owner in place: the owner's combined scores
change at the next run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Final

import duckdb
import pyarrow as pa

from renown.errors import RenownError
from renown.store.database import scalar, utc_now
from renown.store.erasure_rules import (
    ACCOUNT,
    CASCADES,
    ERASURE_RULES,
    NETWORK_COLUMNS,
    PERSON,
    REFERENCE,
    TEXT_DELETE,
    TEXT_REDACT,
    schema_columns,
    unclassified,
)
from renown.store.mentions import (
    column_holds,
    marker_for,
    python_word_pattern,
    redact_value,
    segment_pattern,
    word_pattern,
)
from renown.store.optout import StoreKey, add_opt_outs, store_key

#: Deleting passes after the marker pass (each removes every mention it finds).
_MAX_REDACTION_PASSES: Final = 16


class ErasureError(RenownError):
    """Erasure cannot run safely (unclassified schema, unknown person)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """Who is forgotten: how they were named, their person ids and their accounts."""

    scope: str  # "person" or "account"
    name: str
    person_ids: frozenset[str]
    accounts: frozenset[tuple[str, str]]

    def tokens(self) -> list[str]:
        """Every id that must leave no trace: account ids and person ids."""
        return sorted({a for _, a in self.accounts} | set(self.person_ids) - {""})


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What one erasure removed, in counts only (this is also the audit row)."""

    erasure_id: int
    scope: str
    subject_hash: str
    accounts: int
    deleted: dict[str, int] = field(default_factory=dict)
    redacted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def person_subject(con: duckdb.DuckDBPyConnection, text: str) -> Subject:
    """A person by id, or the person owning ``network:account`` (all their accounts)."""
    person = text
    network, sep, account = text.partition(":")
    if sep:
        owner = scalar(con, "SELECT person_id FROM identities WHERE network = ? AND account = ?",
                       [network, account])
        if owner is None:  # an account of its own (or never seen: opted out all the same)
            return account_subject(con, network, account)
        person = str(owner)
    elif not scalar(con, "SELECT count(*) FROM people WHERE person_id = ?", [person]):
        raise ErasureError(f"no person {text!r} (give a declared person id or network:account)")
    linked = con.execute("SELECT network, account FROM identities WHERE person_id = ?",
                         [person]).fetchall()
    accounts = frozenset((str(n), str(a)) for n, a in linked)
    return Subject("person", person, frozenset({person} | {f"{n}:{a}" for n, a in accounts}),
                   accounts)


def account_subject(con: duckdb.DuckDBPyConnection, network: str, account: str) -> Subject:
    """One account: its own rows go, its owner (if linked) stays."""
    if not network or not account:
        raise ErasureError("an account needs both a network and an account id")
    del con  # the account is forgotten (and opted out) whether or not it was ever seen
    return Subject("account", f"{network}:{account}", frozenset({f"{network}:{account}"}),
                   frozenset({(network, account)}))


def erase(con: duckdb.DuckDBPyConnection, subjects: list[Subject]) -> list[ErasureReport]:
    """Erase every subject and opt their accounts out, all in one transaction."""
    problems = unclassified(con)
    if problems:
        raise ErasureError("refusing to erase: the erasure rules do not cover the schema: "
                           + "; ".join(problems))
    key = store_key(con, create=True)
    assert key is not None
    reports = []
    con.execute("BEGIN TRANSACTION")
    try:
        for subject in subjects:
            reports.append(_erase_one(con, key, subject))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _forget_keys")
        con.execute("DROP TABLE IF EXISTS _forget_people")
    return reports


def _erase_one(con: duckdb.DuckDBPyConnection, key: StoreKey, subject: Subject) -> ErasureReport:
    clock = time.perf_counter()
    _stage(con, subject)
    columns = schema_columns(con)
    deleted = {table: n for table in sorted(columns)
               if (n := _delete_rows(con, table, columns[table], subject))}
    for table, orphans in CASCADES.items():
        if table in columns and (n := int(scalar(
                con, f'DELETE FROM "{table}" WHERE {orphans}') or 0)):
            deleted[table] = deleted.get(table, 0) + n
    redacted = {f"{table}.{column}": n for table in sorted(columns)
                for column, kind in columns[table].items()
                if ERASURE_RULES[table][column] is TEXT_REDACT
                and (n := _redact(con, table, column, kind, subject.tokens()))}
    add_opt_outs(con, key, sorted(subject.accounts))
    parts = ((subject.scope, *sorted(subject.accounts)[0]) if subject.scope == "account"
             else (subject.scope, subject.name))
    erasure_id = int(scalar(con, "SELECT coalesce(max(erasure_id), 0) + 1 FROM erasures"))
    report = ErasureReport(erasure_id, subject.scope, key.digest(*parts),
                           len(subject.accounts), deleted, redacted,
                           time.perf_counter() - clock)
    con.execute("INSERT INTO erasures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [erasure_id, utc_now(), subject.scope, report.subject_hash, report.accounts,
                 json.dumps(deleted, sort_keys=True), json.dumps(redacted, sort_keys=True),
                 report.seconds])
    return report


def _stage(con: duckdb.DuckDBPyConnection, subject: Subject) -> None:
    keys = sorted(f"{n}\0{a}" for n, a in subject.accounts)
    con.register("_forget_keys_in", pa.table({"key": pa.array(keys, pa.string())}))
    con.register("_forget_people_in",
                 pa.table({"person_id": pa.array(sorted(subject.person_ids), pa.string())}))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _forget_keys AS SELECT * FROM _forget_keys_in")
        con.execute("CREATE OR REPLACE TEMP TABLE _forget_people AS "
                    "SELECT * FROM _forget_people_in")
    finally:
        con.unregister("_forget_keys_in")
        con.unregister("_forget_people_in")


def _delete_rows(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str],
                 subject: Subject) -> int:
    """Delete every row any deleting rule matches; returns how many went."""
    accounts = sorted({a for _, a in subject.accounts})
    tokens = subject.tokens()
    predicates = []
    for column, data_type in columns.items():
        rule = ERASURE_RULES[table][column]
        if rule is ACCOUNT:
            network = NETWORK_COLUMNS.get(table, "network")
            predicates.append(f'("{network}" || chr(0) || "{column}") IN '
                              "(SELECT key FROM _forget_keys)")
        elif rule is PERSON:
            predicates.append(f'"{column}" IN (SELECT person_id FROM _forget_people)')
        elif rule is REFERENCE and accounts:
            predicates.append(column_holds(column, data_type, accounts,
                                           segment_pattern(accounts)))
        elif rule is TEXT_DELETE and tokens:
            predicates.append(column_holds(column, data_type, tokens, word_pattern(tokens)))
    if not predicates:
        return 0
    where = " OR ".join(f"coalesce({p}, false)" for p in predicates)
    return int(scalar(con, f'DELETE FROM "{table}" WHERE {where}') or 0)


def _redact(con: duckdb.DuckDBPyConnection, table: str, column: str, data_type: str,
            tokens: list[str]) -> int:
    """Replace whole-word mentions in one text column; returns rows changed.

    One pass with a marker that holds none of the ids (so it cannot be read as
    a mention itself), in Python with look-arounds, so adjacent mentions are
    all caught.  Should a pathological id still match (marker and text forming
    a new mention), mentions are then deleted outright until none is left:
    the text shrinks at every pass, so that ends.
    """
    if not tokens:
        return 0
    holds = column_holds(column, data_type, tokens, word_pattern(tokens))
    pattern = python_word_pattern(tokens)
    changed = 0
    for replacement in (marker_for(tokens), *[""] * _MAX_REDACTION_PASSES):
        rows = con.execute(f'SELECT rowid, "{column}" FROM "{table}" '
                           f"WHERE coalesce({holds}, false)").fetchall()
        if not rows:
            return changed
        changed = max(changed, len(rows))
        values = [redact_value(value, pattern, replacement) for _, value in rows]
        arrow_type = pa.list_(pa.string()) if data_type == "VARCHAR[]" else pa.string()
        con.register("_redacted", pa.table({"rid": pa.array([r for r, _ in rows], pa.int64()),
                                            "value": pa.array(values, arrow_type)}))
        try:
            value = "CAST(u.value AS JSON)" if data_type == "JSON" else "u.value"
            con.execute(f'UPDATE "{table}" SET "{column}" = {value} FROM _redacted u '
                        f'WHERE "{table}".rowid = u.rid')
        finally:
            con.unregister("_redacted")
    raise ErasureError(f"{table}.{column}: mentions left after {_MAX_REDACTION_PASSES} passes")
