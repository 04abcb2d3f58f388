"""API keys: created and revoked here, stored only as salted hashes, checked in constant time.

A key reads ``rnk_<key_id>_<secret>``.  The key id is public (it names the key
in listings and logs, and finds its row without comparing against any other
key); the secret is 32 random bytes, shown once at creation and never stored.
What is stored is scrypt(secret, per-key salt): the secrets are 256-bit random
values, so guessing is hopeless anyway, and the slow salted hash means a copy
of the database gives nobody a cheap way to test stolen or guessed keys.

Scopes nest: ``admin`` can do what ``write`` can, which can do what ``read``
can.  Each key carries its own rate limit (requests per minute), enforced by
the server.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import duckdb

from renown.store.database import scalar, utc_now

#: Scopes from least to most powerful; each includes those before it.
SCOPES: Final = ("read", "write", "admin")
DEFAULT_RATE_PER_MINUTE: Final = 600
MAX_RATE_PER_MINUTE: Final = 1_000_000
#: scrypt cost (n = 2^14, r = 8, p = 1: 16 MiB and ~50 ms per check), named in
#: each row so the cost can be raised later without breaking older keys.
KDF: Final = "scrypt:14:8:1"
_KEY_PATTERN: Final = re.compile(r"rnk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})")
_ID_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz0123456789"


class ApiKeyError(ValueError):
    """A key that cannot be created or revoked as asked (with the reason)."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    name: str | None
    scope: str
    rate_per_minute: int
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewKey:
    key: ApiKey
    #: The full key to hand to the client: shown once, never stored.
    token: str


def scope_allows(granted: str, needed: str) -> bool:
    """Whether a key of scope ``granted`` may do what needs scope ``needed``."""
    return SCOPES.index(granted) >= SCOPES.index(needed)


def split_token(token: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    match = _KEY_PATTERN.fullmatch(token)
    return (match.group(1), match.group(2)) if match else None


def hash_secret(secret: str, salt: bytes, kdf: str = KDF) -> bytes:
    name, log_n, r, p = kdf.split(":")
    if name != "scrypt":
        raise ApiKeyError(f"unknown key derivation {kdf!r}")
    n = 1 << int(log_n)
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=int(r), p=int(p),
                          maxmem=256 * n * int(r) * int(p), dklen=32)


def create_key(con: duckdb.DuckDBPyConnection, scope: str, name: str | None = None,
               rate_per_minute: int = DEFAULT_RATE_PER_MINUTE) -> NewKey:
    """Store a new key's hash and return the key (the only time its secret is seen)."""
    if scope not in SCOPES:
        raise ApiKeyError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
        raise ApiKeyError(f"rate {rate_per_minute}/min must be between 1 and "
                          f"{MAX_RATE_PER_MINUTE:,}")
    if name is not None and (len(name) > 100 or not name.isprintable()):
        raise ApiKeyError("a key name is at most 100 printable characters")
    key_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    key = ApiKey(key_id, name, scope, rate_per_minute, utc_now())
    con.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                [key_id, name, scope, rate_per_minute, KDF, salt, hash_secret(secret, salt),
                 key.created_at])
    return NewKey(key, f"rnk_{key_id}_{secret}")


def list_keys(con: duckdb.DuckDBPyConnection) -> list[ApiKey]:
    rows = con.execute("SELECT key_id, name, scope, rate_per_minute, created_at, revoked_at "
                       "FROM api_keys ORDER BY created_at, key_id").fetchall()
    return [ApiKey(*row) for row in rows]


def revoke_key(con: duckdb.DuckDBPyConnection, key_id: str) -> bool:
    """Revoke a key (idempotent); False when no such key exists."""
    if not scalar(con, "SELECT count(*) FROM api_keys WHERE key_id = ?", [key_id]):
        return False
    con.execute("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                [utc_now(), key_id])
    return True


def verify_key(con: duckdb.DuckDBPyConnection, token: str) -> ApiKey | None:
    """The key ``token`` stands for, or None (malformed, unknown, revoked or wrong secret).

    Only the row named by the public key id is read, and the hashes are
    compared with `hmac.compare_digest` so timing says nothing about the secret.
    """
    parts = split_token(token)
    if parts is None:
        return None
    key_id, secret = parts
    rows = con.execute("SELECT name, scope, rate_per_minute, created_at, kdf, salt, secret_hash "
                       "FROM api_keys WHERE key_id = ? AND revoked_at IS NULL",
                       [key_id]).fetchall()
    if not rows:
        return None
    name, scope, rate, created_at, kdf, salt, stored = rows[0]
    if not hmac.compare_digest(hash_secret(secret, bytes(salt), str(kdf)), bytes(stored)):
        return None
    return ApiKey(key_id, name, str(scope), int(rate), created_at)
