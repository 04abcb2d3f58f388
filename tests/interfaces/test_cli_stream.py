"""``renown stream``: the commands, their stop conditions, re-scoring and a clean Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.store.cursors import load_cursor
from renown.store.database import connect
from renown.streaming.replay import JetstreamReplay, jetstream_messages
from tests.streaming.helpers import jetstream_capture

pytestmark = [pytest.mark.shared_data, pytest.mark.timeout(60)]
runner = CliRunner()


def _messages(rounds: int = 2) -> list[bytes]:
    return jetstream_messages(jetstream_capture(), rounds=rounds, spacing_us=1_000)


def test_max_events_and_json_summary(db_path: Path) -> None:
    with JetstreamReplay(_messages()) as server:
        result = runner.invoke(app, ["stream", "bluesky", "--url", server.url, "--db",
                                     str(db_path), "--max-events", "120", "--batch", "50",
                                     "--batch-seconds", "0.05", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["messages"] == 120 and summary["stopped"] == "max events 120"
    assert summary["ingested"] > 0 and summary["batches"] >= 3
    assert summary["lag_seconds"]["max"] is not None
    con = connect(db_path)
    try:
        cursor = load_cursor(con, summary["stream"])
        assert cursor is not None and cursor.position == summary["cursor"]
        stored = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        assert stored == summary["ingested"]
    finally:
        con.close()


def test_score_every_keeps_a_snapshot_current(db_path: Path) -> None:
    messages = _messages(rounds=1)
    with JetstreamReplay(messages, pace=0.002) as server:
        result = runner.invoke(app, ["stream", "bluesky", "--url", server.url, "--db",
                                     str(db_path), "--max-events", "120", "--batch", "40",
                                     "--batch-seconds", "0.05", "--score-every", "0.1s",
                                     "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scored"] >= 1
    con = connect(db_path)
    try:
        people = con.execute("SELECT people FROM score_runs").fetchall()
        assert people and people[0][0] > 0
    finally:
        con.close()


@pytest.mark.parametrize(("args", "message"), [
    (["bluesky", "--duration", "soon"], "expected a duration"),
    (["bluesky", "--until", "tomorrow"], "expected an ISO 8601 time"),
    (["bluesky", "--url", "https://example.com/subscribe"], "starts with wss://"),
    (["mastodon", "https://example.social", "--timeline", "home"], "hashtag:TAG"),
])
def test_bad_options_are_usage_errors(db_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["stream", *args, "--db", str(db_path)])
    assert result.exit_code == 2 and message in result.output, result.output


def test_ctrl_c_commits_what_was_received_and_exits_130(db_path: Path) -> None:
    messages = _messages(rounds=6)
    with JetstreamReplay(messages, pace=0.003) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "renown.interfaces.cli.main", "stream", "bluesky", "--url",
             server.url, "--db", str(db_path), "--batch-seconds", "0.1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("committed"):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err[-2000:]
    assert "stopped: signal SIGINT" in out, out
    streamed = int(out.split("streamed ")[1].split(" messages")[0].replace(",", ""))
    con = connect(db_path)
    try:
        (cursor,) = con.execute("SELECT messages FROM stream_cursors").fetchall()
        assert cursor[0] == streamed > 0  # everything received was committed
    finally:
        con.close()
