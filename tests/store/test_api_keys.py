"""API keys at rest: only salted hashes, checked in constant time, revocable, scopes nest."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renown.store.api_keys import (
    KDF,
    SCOPES,
    ApiKeyError,
    create_key,
    hash_secret,
    list_keys,
    revoke_key,
    scope_allows,
    split_token,
    verify_key,
)


def test_only_a_salted_hash_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    first = create_key(con, "read", "one")
    second = create_key(con, "read", "two")
    key_id, secret = split_token(first.token) or ("", "")
    assert key_id == first.key.key_id and len(secret) == 43
    rows = con.execute("SELECT key_id, kdf, salt, secret_hash FROM api_keys ORDER BY key_id"
                       ).fetchall()
    stored = b"".join(bytes(r[2]) + bytes(r[3]) for r in rows).hex()
    assert secret not in str(rows) and secret.encode().hex() not in stored
    assert len({bytes(r[2]) for r in rows}) == 2  # a salt per key
    row = next(r for r in rows if r[0] == key_id)
    assert row[1] == KDF and bytes(row[3]) == hash_secret(secret, bytes(row[2]))
    assert second.token != first.token


def test_verify_accepts_the_key_and_nothing_else(con: duckdb.DuckDBPyConnection) -> None:
    made = create_key(con, "write", rate_per_minute=42)
    found = verify_key(con, made.token)
    assert found is not None and found.scope == "write" and found.rate_per_minute == 42
    flipped = made.token[:-1] + ("A" if made.token[-1] != "A" else "B")
    assert verify_key(con, flipped) is None
    assert verify_key(con, "rnk_" + "0" * 12 + made.token[16:]) is None
    assert verify_key(con, "not a key") is None
    assert revoke_key(con, made.key.key_id) and revoke_key(con, made.key.key_id)
    assert verify_key(con, made.token) is None
    assert not revoke_key(con, "nosuchkey000")
    assert [k.revoked_at is not None for k in list_keys(con)] == [True]


@pytest.mark.parametrize(("scope", "name", "rate"), [
    ("root", None, 10), ("read", None, 0), ("read", None, 10_000_001), ("read", "x" * 101, 10),
    ("read", "bell\x07", 10)])
def test_bad_keys_are_refused(con: duckdb.DuckDBPyConnection, scope: str, name: str | None,
                              rate: int) -> None:
    with pytest.raises(ApiKeyError):
        create_key(con, scope, name, rate)
    assert list_keys(con) == []


@given(st.sampled_from(SCOPES), st.sampled_from(SCOPES))
def test_scopes_nest(granted: str, needed: str) -> None:
    assert scope_allows(granted, needed) == (SCOPES.index(granted) >= SCOPES.index(needed))
    assert scope_allows("admin", needed) and scope_allows(granted, "read")
