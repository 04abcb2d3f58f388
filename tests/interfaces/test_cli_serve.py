"""``renown demo`` (ending by serving), ``renown serve`` and ``renown keys``, end to end."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import pytest
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.store.database import open_store
from renown.store.serving import ensure_published, read_pointer, serving_dir

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SMALL_DEMO = ("demo", "--people", "200", "--days", "31", "--history-days", "3", "--top", "5")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, [*SMALL_DEMO, "--dir", str(folder), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Leaderboard" in result.output and "Serving" not in result.output
    return folder / "renown.duckdb"


def test_demo_stores_scores_and_a_candidate_model(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as con:
        runs = con.execute("SELECT count(*) FROM score_runs").fetchall()[0][0]
        models = con.execute("SELECT version, is_current FROM models ORDER BY 2").fetchall()
    assert runs == 3
    assert [current for _, current in models] == [False, True]
    assert models[0][0].endswith("-demo-half-life-30")


def test_demo_runs_a_campaign_where_fake_audiences_drive_nothing(demo_db: Path) -> None:
    from renown.simulation import load_truth
    from renown.simulation.campaigns import campaign_candidates

    truth = load_truth(demo_db.parent / "world")
    table = truth.influence()
    accounts = zip(table["network"].to_pylist(), table["account"].to_pylist(), strict=True)
    person_of = dict(zip(accounts, table["person_id"].to_pylist(), strict=True))
    fake = set(campaign_candidates(truth)["fake_audience"])
    result = runner.invoke(app, ["campaign", "report", "demo-launch", "--resamples", "50",
                                 "--json", "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    people = report["people"]
    assert len(people) >= 9 and all(p["status"] == "accepted" for p in people)
    planted = [p for p in people if person_of[(p["network"], p["account"])] in fake]
    assert len(planted) == 3
    assert all(p["conversions"] == 0 and p["clicks"] <= 1 for p in planted)
    assert report["totals"]["conversions"] > 0 and report["totals"]["clicks"] > 10


def test_demo_ends_by_serving_the_dashboard(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "renown.interfaces.cli.main", *SMALL_DEMO, "--dir",
         str(tmp_path), "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"})
    output = Output(process)
    try:
        url = output.served_url()
        page = httpx.get(f"{url}leaderboard", timeout=30)
        assert page.status_code == 200 and "<h1>Leaderboard</h1>" in page.text
        health = httpx.get(f"{url}v1/health", timeout=30).json()
        assert health["status"] == "ok" and health["generation"] >= 1
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        process.wait(timeout=30)
    assert process.returncode == 0 and "Traceback" not in output.text(), output.text()


class Output:
    """A process's output, read in a thread so that waiting for a line has a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put("")

    def served_url(self, limit_s: float = 240) -> str:
        deadline = time.monotonic() + limit_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            assert line, "the demo ended without serving:\n" + self.text()
            if line.startswith("Serving the dashboard at "):
                return line.split(" at ", 1)[1].split()[0]
        raise AssertionError("the demo did not print its address:\n" + self.text())

    def text(self) -> str:
        self._reader.join(timeout=30)
        return "".join(self.lines)


def test_keys_create_list_revoke(demo_db: Path) -> None:
    made = runner.invoke(app, ["keys", "create", "--scope", "write", "--name", "ci",
                               "--rate", "10/s", "--json", "--db", str(demo_db)])
    assert made.exit_code == 0, made.output
    body = json.loads(made.stdout)
    assert body["token"].startswith("rnk_") and body["key"]["rate_per_minute"] == 600
    human = runner.invoke(app, ["keys", "create", "--db", str(demo_db)])
    assert human.exit_code == 0 and human.stdout.strip().splitlines()[-1].startswith("rnk_")
    listed = json.loads(runner.invoke(app, ["keys", "list", "--json", "--db",
                                            str(demo_db)]).stdout)
    assert body["key"]["key_id"] in [k["key_id"] for k in listed]
    assert "token" not in json.dumps(listed) and body["token"] not in json.dumps(listed)
    revoked = runner.invoke(app, ["keys", "revoke", body["key"]["key_id"], "--db", str(demo_db)])
    assert revoked.exit_code == 0
    table = runner.invoke(app, ["keys", "list", "--db", str(demo_db)], env={"COLUMNS": "200"})
    assert "ci" in table.stdout and "write" in table.stdout


@pytest.mark.parametrize(("args", "words"), [
    (("keys", "create", "--scope", "root"), "scope 'root'"),
    (("keys", "create", "--rate", "fast"), "--rate 'fast'"),
    (("keys", "create", "--rate", "0"), "between 1"),
    (("keys", "revoke", "nosuchkey000"), "no API key"),
])
def test_keys_errors_are_clean(demo_db: Path, args: tuple[str, ...], words: str) -> None:
    result = runner.invoke(app, [*args, "--db", str(demo_db)])
    assert result.exit_code != 0 and words in result.stderr and "Traceback" not in result.output


def test_writes_publish_only_once_the_store_is_served(demo_db: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.duckdb"
    assert runner.invoke(app, ["link", "alice", "twitter:alice", "--db", str(fresh)]
                         ).exit_code == 0
    assert not serving_dir(fresh).exists()  # never served: writes cost nothing extra
    before = ensure_published(demo_db)  # what `renown serve` does first
    assert runner.invoke(app, ["link", "bob", "twitter:bob-x", "--db", str(demo_db)]
                         ).exit_code == 0
    after = read_pointer(demo_db)
    assert after is not None and after.generation == before.generation + 1
    with open_store(after.path, read_only=True) as snapshot:
        assert snapshot.execute("SELECT person_id FROM identities WHERE account = 'bob-x'"
                                ).fetchall() == [("bob",)]


def test_serve_refuses_a_missing_store_and_a_busy_port(demo_db: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no such database" in missing.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = runner.invoke(app, ["serve", "--port", str(port), "--db", str(demo_db)])
    assert busy.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
