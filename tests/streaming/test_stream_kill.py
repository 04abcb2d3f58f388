"""``kill -9`` of a running ``renown stream``, then a restart: nothing lost, nothing doubled.

Real processes run the real CLI against a loopback replay of the real
capture.  Each is SIGKILLed once it has reported a commit (so the kill lands
mid-stream, with committed and uncommitted messages both present), and the
next run must finish the stream from the stored cursor.  The store then
holds exactly the events file ingestion of the same messages gives, and the
server was asked to resume from where the killed run's last commit ended.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from renown.sources.bluesky_records import epoch_micros
from renown.sources.payloads import parse_instant
from renown.store.database import connect
from renown.streaming.replay import (
    JetstreamReplay,
    MastodonReplay,
    jetstream_messages,
    mastodon_statuses,
)
from tests.streaming.helpers import (
    assert_exactly_once,
    jetstream_capture,
    jetstream_oracle,
    mastodon_oracle,
    mastodon_payloads,
)

pytestmark = [pytest.mark.shared_data, pytest.mark.timeout(120)]
KILLS = 2


def _renown(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "renown.interfaces.cli.main", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _kill_after_commits(process: subprocess.Popen[str], commits: int, timeout: float) -> None:
    """SIGKILL ``process`` once it has printed ``commits`` progress lines."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    stderr = process.stderr
    def pump() -> None:
        for line in stderr:
            lines.put(line)
        lines.put("")  # the process ended

    threading.Thread(target=pump, daemon=True).start()
    deadline, seen = time.monotonic() + timeout, 0
    while seen < commits:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no commit reported within {timeout} s")
        if not line:
            pytest.fail(f"the stream ended before it was killed (exit {process.wait()})")
        seen += line.startswith("committed")
    process.send_signal(signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL


def _finish(process: subprocess.Popen[str]) -> None:
    out, err = process.communicate(timeout=90)
    assert process.returncode == 0, err[-2000:]
    assert "stopped: until" in out, out


def test_kill_9_mid_jetstream_then_restart(db_path: Path, tmp_path: Path) -> None:
    messages = jetstream_messages(jetstream_capture(), rounds=8, spacing_us=1_000)
    last = messages[-1].split(b'"time_us":')[1].split(b",")[0].decode()
    args = ["stream", "bluesky", "--db", str(db_path), "--rewind", "0",
            "--batch-seconds", "0.1", "--batch", "50",
            "--until", _iso(int(last))]
    with JetstreamReplay(messages, pace=0.003) as server:
        for _ in range(KILLS):
            _kill_after_commits(_renown(*args, "--url", server.url), commits=2, timeout=60)
        _finish(_renown(*args, "--url", server.url))
    # Every run after the first resumed from a cursor the killed run had committed.
    assert server.cursors[0] is None and all(c is not None for c in server.cursors[1:])
    assert sorted(c for c in server.cursors if c is not None) == \
        [c for c in server.cursors if c is not None]
    con = connect(db_path)
    try:
        assert_exactly_once(con, jetstream_oracle(tmp_path, messages))
        committed = con.execute("SELECT messages FROM stream_cursors").fetchall()[0][0]
        assert committed <= len(messages) + KILLS  # at most the message at each cursor again
    finally:
        con.close()


def test_kill_9_mid_mastodon_then_restart(db_path: Path, tmp_path: Path) -> None:
    statuses = mastodon_statuses(mastodon_payloads(), rounds=24)
    newest = max(statuses, key=lambda s: (len(str(s["id"])), str(s["id"])))
    when = parse_instant(newest["created_at"])
    assert when is not None
    args = ["--db", str(db_path), "--rewind", "0", "--batch-seconds", "0.1", "--batch", "20",
            "--until", when.isoformat()]
    # The timeline publishes on its own clock (11 s in all), so each kill comes at the
    # first commit: a slow start on a loaded machine must not let a run reach the end.
    with MastodonReplay(statuses, pace=0.02) as server:
        for _ in range(KILLS):
            _kill_after_commits(_renown("stream", "mastodon", server.url, *args), commits=1,
                                timeout=60)
        _finish(_renown("stream", "mastodon", server.url, *args))
        assert server.pages >= KILLS  # each restart caught up through the timeline
    con = connect(db_path)
    try:
        assert_exactly_once(con, mastodon_oracle(tmp_path, statuses),
                            "event_id, ts, actor, kind, post_id, text, lang")
    finally:
        con.close()


def _iso(time_us: int) -> str:
    moment = epoch_micros(time_us)
    assert moment is not None
    return moment.isoformat()
