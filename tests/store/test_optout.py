"""The opt-out list's keyed hash, and erasure of ids made of any characters."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.store.database import connect, scalar
from renown.store.forget import account_subject, erase
from renown.store.ingest import ingest
from renown.store.mentions import marker_for
from renown.store.optout import HMAC_SQL, key_path, store_key
from renown.store.traces import table_traces

#: Account ids with quotes, regex or SQL syntax, unicode; a distinctive prefix so that
#: "a mention" means the id, not a lone digit or bracket that occurs anywhere.
HOSTILE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                  min_size=1, max_size=20)
NETWORK = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(network=NETWORK, account=st.text(max_size=40))
def test_the_sql_hmac_is_hmac_sha256(network: str, account: str) -> None:
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE _renown_store_key (key VARCHAR NOT NULL)")
    con.execute("INSERT INTO _renown_store_key VALUES (?)", [bytes(range(64)).hex()
                .replace("36", "37").replace("5c", "5d")])
    key = store_key(con)
    assert key is not None
    got = scalar(con, "SELECT " + HMAC_SQL.format(network="$n", account="$a"),
                 {**key.params(), "n": network, "a": account})
    want = hmac.new(key.key, f"{network}\0{account}".encode(), hashlib.sha256).hexdigest()
    assert got == want == key.digest(network, account)


def test_the_key_file_is_private_and_made_once(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = connect(db)
    try:
        first = store_key(con, create=True)
        assert store_key(con, create=True) == first
    finally:
        con.close()
    assert key_path(db).stat().st_mode & 0o777 == 0o600
    key_path(db).chmod(0o644)  # loosened by someone: tightened again on use
    con = connect(db)
    try:
        assert store_key(con) == first
    finally:
        con.close()
    assert key_path(db).stat().st_mode & 0o777 == 0o600


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(victim=HOSTILE.map("zq".__add__), other=HOSTILE.map("ok".__add__))
def test_any_account_id_is_forgotten_exactly(tmp_path: Path, victim: str, other: str) -> None:
    """Ids with quotes, regex or SQL syntax: erased, mentions redacted, others untouched."""
    if victim.strip() != victim or victim in other or "zq" in other:
        return  # one id inside the other: "mentions" would overlap by construction
    rows = [_row(1, victim, "post"), _row(2, other, "like", subject=victim),
            _row(3, other, "post", text=f"hi ({victim})", tags=[victim]),
            _row(4, other, "post", text="nothing to see")]
    con = connect(":memory:")
    try:
        ingest(con, _jsonl(tmp_path / "in.jsonl", rows), "events")
        subject = account_subject(con, "x", victim)
        marker = marker_for(subject.tokens())
        erase(con, [subject])
        assert table_traces(con, [victim]) == []
        assert con.execute("SELECT event_id, actor, text, tags FROM events ORDER BY 1"
                           ).fetchall() == [("3", other, f"hi ({marker})", [marker]),
                                            ("4", other, "nothing to see", None)]
        again = ingest(con, _jsonl(tmp_path / "again.jsonl", [
            _row(5, victim, "post"), _row(6, other, "reply", subject=victim),
            _row(7, other, "post")]), "events")
        assert (again.ingested, again.opted_out) == (1, 2)
    finally:
        con.close()


def _row(n: int, actor: str, kind: str, **fields: object) -> dict[str, object]:
    return {"network": "x", "event_id": str(n), "ts": "2024-01-01T00:00:00Z", "actor": actor,
            "kind": kind, **fields}


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
