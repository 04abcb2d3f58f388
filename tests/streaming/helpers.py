"""What the stream tests share: the real captures, and the oracle they are compared to.

The oracle is the ordinary file ingestion of exactly the messages the replay
server sends (``renown ingest`` of a JSON Lines capture, or of a JSON list of
statuses): a stream must store the same events as that, each once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from renown.store.database import connect
from renown.store.ingest import ingest
from tests.conftest import shared_path

JETSTREAM_CAPTURE = "formats/bluesky/jetstream-corpus/expected_v1.jsonl"
MASTODON_PAYLOADS = "formats/mastodon-api"
#: The columns compared (the ingestion id differs by construction).
COLUMNS = "event_id, ts, actor, kind, subject, post_id, parent_id, text, lang"


def jetstream_capture() -> Path:
    return shared_path(JETSTREAM_CAPTURE)


def mastodon_payloads() -> Path:
    return shared_path(MASTODON_PAYLOADS)


def rows(con: duckdb.DuckDBPyConnection, columns: str = COLUMNS) -> list[tuple[Any, ...]]:
    return sorted(con.execute(f"SELECT {columns} FROM events").fetchall(), key=repr)


def jetstream_oracle(tmp: Path, messages: list[bytes]) -> list[tuple[Any, ...]]:
    file = tmp / "oracle.jsonl"
    file.write_bytes(b"\n".join(messages) + b"\n")
    return _oracle(tmp, file, "bluesky-jetstream")


def mastodon_oracle(tmp: Path, statuses: list[dict[str, Any]],
                    columns: str = "event_id, ts, actor, kind, post_id, text, lang",
                    ) -> list[tuple[Any, ...]]:
    """Event ids, times, actors and kinds of the statuses read as one REST payload (a
    reply's subject can differ: a file resolves it through every status it holds)."""
    file = tmp / "oracle.json"
    file.write_text(json.dumps(statuses), encoding="utf-8")
    return _oracle(tmp, file, "mastodon-api", columns)


def _oracle(tmp: Path, file: Path, fmt: str, columns: str = COLUMNS) -> list[tuple[Any, ...]]:
    con = connect(tmp / f"oracle-{fmt}.duckdb")
    try:
        report = ingest(con, file, fmt)
        assert report.ingested > 0 and report.quarantined == 0, report
        return rows(con, columns)
    finally:
        con.close()


def assert_exactly_once(con: duckdb.DuckDBPyConnection, oracle: list[tuple[Any, ...]],
                        columns: str = COLUMNS) -> None:
    """Every oracle event stored, none twice, nothing else."""
    stored = rows(con, columns)
    total, distinct = con.execute(
        "SELECT count(*), count(DISTINCT (network, event_id)) FROM events").fetchall()[0]
    assert total == distinct, f"{total - distinct} events stored twice"
    missing = set(oracle) - set(stored)
    extra = set(stored) - set(oracle)
    assert not missing and not extra, (len(missing), len(extra), sorted(missing)[:3])
    assert len(stored) == len(oracle)
