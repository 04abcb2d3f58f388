"""``MastodonSource`` + ``run_stream`` against a loopback instance publishing the real payloads.

The loopback streaming API, like Mastodon's, sends only what is published
while a client is connected; statuses published while the client was away
(a reset connection, the server down) are only in the REST timeline, so
every one of them being stored proves the ``min_id`` catch-up.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from renown.sources.payloads import parse_instant
from renown.store.cursors import load_cursor
from renown.store.database import connect
from renown.streaming.mastodon import MastodonSource
from renown.streaming.replay import Faults, MastodonReplay, mastodon_statuses
from renown.streaming.runner import StreamError, StreamOptions, run_stream
from tests.streaming.helpers import assert_exactly_once, mastodon_oracle, mastodon_payloads

pytestmark = [pytest.mark.shared_data, pytest.mark.timeout(60)]
FAST = {"batch_seconds": 0.05, "backoff_initial": 0.05, "backoff_max": 0.5, "duration": 30.0}
COLUMNS = "event_id, ts, actor, kind, post_id, text, lang"


def _statuses(rounds: int) -> list[dict[str, Any]]:
    statuses = mastodon_statuses(mastodon_payloads(), rounds=rounds)
    assert len({s["id"] for s in statuses}) == len(statuses) > 20
    return statuses


def _last(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    """The status published last (the highest id)."""
    return max(statuses, key=lambda s: (len(str(s["id"])), str(s["id"])))


def _until(statuses: list[dict[str, Any]]) -> datetime:
    """The creation time of the status published last: a stop condition that
    messages received twice (catch-up overlapping the live stream) do not advance."""
    when = parse_instant(_last(statuses)["created_at"])
    assert when is not None
    return when


def test_dropped_connection_and_restart_catch_up_through_the_timeline(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    statuses = _statuses(rounds=8)
    with MastodonReplay(statuses, pace=0.004,
                        faults=Faults(drop_after=30, restart_after=90)) as server:
        source = MastodonSource(server.url, "public", rewind_seconds=0)
        report = run_stream(con, source, StreamOptions(
            until=_until(statuses), batch_messages=20, **FAST))
    assert report.stopped.startswith("until"), report
    assert server.streams >= 3 and server.pages >= 2 and report.reconnects >= 2
    assert_exactly_once(con, mastodon_oracle(tmp_path, statuses), COLUMNS)
    cursor = load_cursor(con, report.stream)
    assert cursor is not None and cursor.position == str(_last(statuses)["id"])


def test_a_restarted_run_catches_up_from_the_stored_cursor(
        db_path: Path, tmp_path: Path) -> None:
    statuses = _statuses(rounds=4)
    with MastodonReplay(statuses, pace=0.004) as server:
        source = MastodonSource(server.url, "hashtag:python", rewind_seconds=0)
        con = connect(db_path)
        try:
            first = run_stream(con, source, StreamOptions(max_events=25, **FAST))
        finally:
            con.close()
        con = connect(db_path)
        try:  # what was published meanwhile comes from the timeline, then live
            rest = run_stream(con, MastodonSource(server.url, "hashtag:python",
                                                  rewind_seconds=0),
                              StreamOptions(until=_until(statuses), **FAST))
            assert_exactly_once(con, mastodon_oracle(tmp_path, statuses), COLUMNS)
        finally:
            con.close()
    assert first.messages == 25 and rest.stopped.startswith("until")
    assert server.pages >= 1


def test_the_rewind_asks_for_earlier_snowflakes_and_the_store_dedupes(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    statuses = _statuses(rounds=3)
    options = {**FAST, "duration": 0.004 * len(statuses) + 2.0}  # all published, then some
    with MastodonReplay(statuses, pace=0.004, faults=Faults(drop_after=25)) as server:
        report = run_stream(con, MastodonSource(server.url, "public:local"),
                            StreamOptions(**options))
    assert report.duplicates > 0  # the default 60 s rewind fetched some statuses again
    assert_exactly_once(con, mastodon_oracle(tmp_path, statuses), COLUMNS)


def test_a_refused_stream_ends_the_run(con: duckdb.DuckDBPyConnection) -> None:
    with MastodonReplay(_statuses(rounds=1)) as server:
        source = MastodonSource(server.url, "public", streaming_url=server.url + "/nowhere")
        with pytest.raises(StreamError, match=r"refused \(HTTP 404\)"):
            run_stream(con, source, StreamOptions(**FAST))


def test_unknown_timelines_are_refused_before_connecting() -> None:
    with pytest.raises(StreamError, match="hashtag:TAG"):
        MastodonSource("https://example.social", "home")

