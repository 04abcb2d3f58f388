"""``JetstreamSource`` + ``run_stream`` against a loopback Jetstream replaying the real capture.

Faults are real: the server resets the TCP connection mid-stream, and goes
down and comes back on the same port; the client must reconnect from the
newest position it holds and end with every event of the capture stored once.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from renown.scoring.run import score_day
from renown.sources.bluesky_records import epoch_micros
from renown.store.cursors import load_cursor
from renown.store.database import connect
from renown.streaming.jetstream import JetstreamSource
from renown.streaming.replay import Faults, JetstreamReplay, jetstream_messages
from renown.streaming.runner import StreamError, StreamOptions, run_stream
from tests.streaming.helpers import assert_exactly_once, jetstream_capture, jetstream_oracle

pytestmark = [pytest.mark.shared_data, pytest.mark.timeout(60)]
FAST = {"batch_seconds": 0.05, "backoff_initial": 0.05, "backoff_max": 0.5}


def _source(url: str, rewind: float = 0.0) -> JetstreamSource:
    return JetstreamSource(url, collections=(), rewind_seconds=rewind)


def test_dropped_connection_and_server_restart_store_every_event_once(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    messages = jetstream_messages(jetstream_capture(), rounds=4, spacing_us=1_000)
    with JetstreamReplay(messages, pace=0.0005,
                         faults=Faults(drop_after=150, restart_after=400)) as server:
        report = run_stream(con, _source(server.url), StreamOptions(
            until=_when(messages[-1]), batch_messages=100, **FAST))
    assert report.reconnects >= 2 and len(server.cursors) >= 3
    # Reconnects resume from the newest position received: the server was asked for
    # the capture from there (cursor inclusive), not from the start.
    assert server.cursors[0] is None and all(c is not None for c in server.cursors[1:])
    assert report.messages - len(messages) <= len(server.cursors) - 1
    assert_exactly_once(con, jetstream_oracle(tmp_path, messages))
    cursor = load_cursor(con, report.stream)
    assert cursor is not None and cursor.position == str(json.loads(messages[-1])["time_us"])
    assert cursor.messages == report.messages


def test_out_of_order_capture_times_are_covered_by_the_rewind(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The real capture's own time_us (inversions of 33 ms): the default rewind (3 s)
    catches the messages a cursor at the newest time would skip."""
    messages = jetstream_messages(jetstream_capture(), rounds=3)
    with JetstreamReplay(messages, pace=0.0005, faults=Faults(drop_after=200)) as server:
        report = run_stream(con, _source(server.url, rewind=3.0), StreamOptions(
            max_events=len(messages) + 200, duration=15, **FAST))
    assert report.stopped.startswith("max events"), report.stopped
    assert_exactly_once(con, jetstream_oracle(tmp_path, messages))


def test_a_second_run_resumes_from_the_stored_cursor(
        db_path: Path, tmp_path: Path) -> None:
    messages = jetstream_messages(jetstream_capture(), rounds=2, spacing_us=1_000)
    with JetstreamReplay(messages) as server:
        for _ in range(2):
            con = connect(db_path)
            try:
                first = run_stream(con, _source(server.url), StreamOptions(
                    max_events=100, batch_messages=100, **FAST))
            finally:
                con.close()
        con = connect(db_path)
        try:
            rest = run_stream(con, _source(server.url), StreamOptions(
                until=_when(messages[-1]), **FAST))
            assert_exactly_once(con, jetstream_oracle(tmp_path, messages))
        finally:
            con.close()
    assert first.messages == 100 and rest.stopped.startswith("until")
    stored = [int(json.loads(m)["time_us"]) for m in messages]
    # Each run asked for the stream from the previous run's committed cursor on (the
    # message at the cursor comes again: the second run's 100 end one earlier).
    assert server.cursors == [None, stored[99], stored[198]]


def test_a_slow_writer_holds_the_reader_to_the_queue_bound(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Back-pressure: while every commit is followed by a re-score (the real one,
    `score_day`, as ``--score-every`` runs it), the reader waits with the queue full,
    never holding more than its bound, and nothing is lost."""
    messages = jetstream_messages(jetstream_capture(), rounds=1, spacing_us=1_000)
    with JetstreamReplay(messages) as server:
        report = run_stream(con, _source(server.url), StreamOptions(
            until=_when(messages[-1]), batch_messages=20, queue_messages=10, tick_every=0.0,
            **FAST), tick=_rescore)
    assert report.peak_queue == 10 and report.ticks == report.batches >= len(messages) // 20
    assert_exactly_once(con, jetstream_oracle(tmp_path, messages))
    assert con.execute("SELECT count(*) FROM score_runs").fetchall()[0][0] == 1


def test_until_stops_at_the_message_that_reaches_it(con: duckdb.DuckDBPyConnection) -> None:
    messages = jetstream_messages(jetstream_capture(), rounds=1, spacing_us=1_000)
    with JetstreamReplay(messages) as server:
        report = run_stream(con, _source(server.url), StreamOptions(
            until=_when(messages[49]), batch_messages=10, **FAST))
    assert report.stopped.startswith("until")
    assert 50 <= report.messages <= len(messages)
    newest = con.execute("SELECT max(ts) FROM events").fetchall()[0][0]
    assert newest is not None


def test_a_refused_subscription_ends_the_run(con: duckdb.DuckDBPyConnection) -> None:
    with JetstreamReplay([b'{"did":"did:plc:x","time_us":1,"kind":"identity"}']) as server:
        source = _source(server.url.replace("/subscribe", "/nowhere"))
        with pytest.raises(StreamError, match=r"refused the subscription \(HTTP 404\)"):
            run_stream(con, source, StreamOptions(max_retries=1, **FAST))


def test_malformed_messages_go_to_quarantine_and_the_stream_goes_on(
        con: duckdb.DuckDBPyConnection) -> None:
    good = jetstream_messages(jetstream_capture(), rounds=1, spacing_us=1_000)[:20]
    bad = [b'{"did":"did:plc:aaaa","time_us":1700000000019500,"kind":"commit",'
           b'"commit":{"operation":"create","collection":"app.bsky.feed.like",'
           b'"rkey":"3k","record":{"subject":"nope"}}}']
    with JetstreamReplay(good[:10] + bad + good[10:]) as server:
        report = run_stream(con, _source(server.url), StreamOptions(max_events=21, **FAST))
    assert report.quarantined == 1
    reason = con.execute("SELECT reason FROM quarantine").fetchall()[0][0]
    assert "subject" in reason


def _rescore(con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, topics=False)


def _when(message: bytes) -> datetime:
    when = epoch_micros(json.loads(message)["time_us"])
    assert when is not None
    return when
