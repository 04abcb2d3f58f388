"""The opt-out list: accounts kept out of every future ingestion (DESIGN.md property 9).

An opted-out account is stored only as HMAC-SHA256(key, ``network NUL account``)
under a per-store secret key.  The key lives in a file beside the database
(``<db>.key``, mode 0600), never in it: a copy of the database alone (a backup,
a published read-only snapshot) does not let anyone test candidate ids against
the list, while the running store recognises them at ingestion.  Losing the key
makes the list unmatchable, so ingestion then refuses to run rather than let an
opted-out account back in (docs/security.md states the threat model).

The check is set-based: each batch's distinct accounts are hashed in one SQL
expression and joined with the list; only accounts the store does not know yet
are hashed, since a known account cannot be on the list (forgetting deletes it,
ingestion and linking refuse it).  The key's bytes are drawn below 0x80 (446
bits of entropy) so HMAC's inner and outer pads are plain text, and the whole
HMAC runs in DuckDB without a Python loop.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from renown.store.database import StoreError, scalar, utc_now

KEY_BYTES: Final = 64  # SHA-256's block size: the key is used as is, never hashed
#: Key bytes: 7-bit, and never 0x36 or 0x5c (they would put a NUL in a pad).
_KEY_ALPHABET: Final = bytes(b for b in range(0x80) if b not in (0x36, 0x5C))
#: The HMAC of ``network``/``account`` columns, with the pads as parameters.
HMAC_SQL: Final = ("sha256(encode($opad) || unhex(sha256($ipad || {network} || chr(0) "
                   "|| {account})))")


@dataclass(frozen=True, slots=True)
class StoreKey:
    """The per-store secret of the opt-out list and the erasure log."""

    key: bytes

    def params(self) -> dict[str, str]:
        """The HMAC pads, as the ``$ipad``/``$opad`` parameters of `HMAC_SQL`."""
        return {"ipad": bytes(b ^ 0x36 for b in self.key).decode("ascii"),
                "opad": bytes(b ^ 0x5C for b in self.key).decode("ascii")}

    def digest(self, *parts: str) -> str:
        """HMAC-SHA256 of the parts joined by NUL, hex: what `HMAC_SQL` computes."""
        message = "\0".join(parts).encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind the connection's database (None for an in-memory store)."""
    rows = con.execute("SELECT path FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchall()
    return Path(rows[0][0]) if rows and rows[0][0] else None


def key_path(db: Path) -> Path:
    return db.with_name(db.name + ".key")


def store_key(con: duckdb.DuckDBPyConnection, *, create: bool = False) -> StoreKey | None:
    """The store's key; made (once, atomically) when ``create``; None when absent."""
    db = database_path(con)
    if db is None:
        return _memory_key(con, create=create)
    path = key_path(db)
    if not path.exists():
        if not create:
            return None
        _write_key(path)
    return _read_key(path)


def _memory_key(con: duckdb.DuckDBPyConnection, *, create: bool) -> StoreKey | None:
    """An in-memory store keeps its key in a temporary table: it dies with the store."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _renown_store_key (key VARCHAR NOT NULL)")
    if create and not scalar(con, "SELECT count(*) FROM _renown_store_key"):
        con.execute("INSERT INTO _renown_store_key VALUES (?)", [_new_key().hex()])
    text = scalar(con, "SELECT any_value(key) FROM _renown_store_key")
    return StoreKey(bytes.fromhex(text)) if text else None


def _new_key() -> bytes:
    return bytes(secrets.choice(_KEY_ALPHABET) for _ in range(KEY_BYTES))


def _write_key(path: Path) -> None:
    """Write a new key readable by its owner only; never replaces an existing one."""
    staging = path.with_name(f"{path.name}.{os.getpid()}.new")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (_new_key().hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(staging, path)  # atomic, and fails if another process made one first
    except FileExistsError:
        pass
    finally:
        staging.unlink()


def _read_key(path: Path) -> StoreKey:
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # a secret others can read is not a secret
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the store's secret key: {exc}") from exc
    if len(key) != KEY_BYTES or any(b not in _KEY_ALPHABET for b in key):
        raise StoreError(f"{path}: not a Renown store key ({KEY_BYTES} bytes below 0x80)")
    return StoreKey(key)


def add_opt_outs(con: duckdb.DuckDBPyConnection, key: StoreKey,
                 accounts: list[tuple[str, str]]) -> int:
    """Put accounts on the list (idempotent); returns how many were new."""
    table = pa.table({"network": [n for n, _ in accounts], "account": [a for _, a in accounts]},
                     schema=pa.schema([("network", pa.string()), ("account", pa.string())]))
    con.register("_optout_new", table)
    try:
        return int(scalar(con, f"""
            INSERT INTO opt_outs
            SELECT DISTINCT {HMAC_SQL.format(network='network', account='account')}, $now
            FROM _optout_new ON CONFLICT (account_hash) DO NOTHING""",
                          {**key.params(), "now": utc_now()}) or 0)
    finally:
        con.unregister("_optout_new")


def opted_out_among(con: duckdb.DuckDBPyConnection, key: StoreKey, candidates: str,
                    *, skip_known: bool = True) -> set[tuple[str, str]]:
    """The (network, account) pairs of the relation ``candidates`` that opted out.

    ``candidates`` is SQL naming a relation with ``network`` and ``account``
    columns.  With ``skip_known``, accounts already in the store are not hashed
    (see the module docstring for why that is safe).
    """
    known = ("AND NOT EXISTS (SELECT 1 FROM accounts k WHERE k.network = c.network "
             "AND k.account = c.account)" if skip_known else "")
    rows = con.execute(f"""
        SELECT network, account FROM (SELECT DISTINCT network, account FROM {candidates}) c
        WHERE network IS NOT NULL AND account IS NOT NULL {known}
          AND {HMAC_SQL.format(network='c.network', account='c.account')}
              IN (SELECT account_hash FROM opt_outs)""", key.params()).fetchall()
    return {(str(n), str(a)) for n, a in rows}


class OptOutFilter:
    """Drops a batch's rows whose actor or subject opted out, before anything is stored."""

    def __init__(self, key: StoreKey) -> None:
        self.key = key

    @staticmethod
    def for_store(con: duckdb.DuckDBPyConnection) -> OptOutFilter | None:
        """None when nobody opted out (ingestion then pays nothing); fails closed without key."""
        if not scalar(con, "SELECT count(*) FROM opt_outs"):
            return None
        key = store_key(con)
        if key is None:
            raise StoreError("the opt-out list is not empty but the store's secret key file "
                             "is missing, so opted-out accounts cannot be recognised; restore "
                             "<database>.key from a backup before ingesting")
        return OptOutFilter(key)

    def apply(self, con: duckdb.DuckDBPyConnection, events: pa.Table,
              accounts: pa.Table | None) -> tuple[pa.Table, pa.Table | None, int]:
        """(events kept, account facts kept, rows dropped)."""
        con.register("_optout_events", events)
        parts = ["SELECT network, actor AS account FROM _optout_events",
                 "SELECT network, subject FROM _optout_events"]
        if accounts is not None:
            con.register("_optout_facts", accounts)
            parts.append("SELECT network, account FROM _optout_facts")
        try:
            hits = opted_out_among(con, self.key, f"({' UNION ALL '.join(parts)})")
        finally:
            con.unregister("_optout_events")
            if accounts is not None:
                con.unregister("_optout_facts")
        if not hits:
            return events, accounts, 0
        banned = pa.array(sorted(f"{n}\0{a}" for n, a in hits), pa.string())
        drop = pc.or_kleene(_keyed(events, "actor", banned), _keyed(events, "subject", banned))
        kept = events.filter(pc.invert(drop))
        if accounts is not None:
            accounts = accounts.filter(pc.invert(_keyed(accounts, "account", banned)))
        return kept, accounts, events.num_rows - kept.num_rows


def _keyed(table: pa.Table, column: str, banned: pa.Array) -> pa.ChunkedArray:
    """Whether ``network NUL column`` of each row is in ``banned`` (False for nulls)."""
    key = pc.binary_join_element_wise(table.column("network"), table.column(column), "\0")
    return pc.fill_null(pc.is_in(key, value_set=banned), False)


def refuse_opted_out(con: duckdb.DuckDBPyConnection, candidates: str) -> set[tuple[str, str]]:
    """Opted-out accounts among ``candidates`` (a relation of network, account), all hashed."""
    if not scalar(con, "SELECT count(*) FROM opt_outs"):
        return set()
    key = OptOutFilter.for_store(con)
    assert key is not None
    return opted_out_among(con, key.key, candidates, skip_known=False)
