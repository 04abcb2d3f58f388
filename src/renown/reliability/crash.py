"""Kill -9 at random moments: the store must always open and hold whole steps only.

A reference store is built by running every atomic step of the workload
(`renown.reliability.workload`) once, without kills, recording a fingerprint
of the store after each.  Then each command runs in a fresh process that is
SIGKILLed after a random delay (seeded); after every kill the store is
opened (replaying its WAL, as the next command would) and its fingerprint
must equal the reference after some whole number of steps: not before what
had already completed, not beyond the command being run.  The command is run
again (and maybe killed again) until it completes; at the end the store must
equal the reference exactly, and the forgotten account must have left no
byte in any file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from renown.reliability.workload import FORGOTTEN_ACCOUNT, Command, commands, write_inputs
from renown.store.database import connect
from renown.store.erasure_rules import schema_columns
from renown.store.traces import file_traces

#: Columns that differ between two runs of the same steps (clocks, keys, sequence ids).
VOLATILE: Final = frozenset({
    "started_at", "finished_at", "computed_at", "created_at", "linked_at", "added_at",
    "erased_at", "applied_at", "promoted_at", "seconds", "run_id", "subject_hash",
    "account_hash", "loaded_at", "given_at", "revoked_at", "endorsement_id"})
#: Tables left out: model registration and the store's copy of the built-in topic
#: ontology are idempotent configuration written on first use, not data; the
#: signal and topic match caches are written in their own transactions before the
#: snapshot's (a kill between the two leaves a cache ahead of the scores), and every
#: stored day is checked against its events before a run reads it
#: (renown.scoring.signal_cache, renown.scoring.topics.match_cache).
UNCOMPARED: Final = frozenset({"models", "schema_version", "topic_ontology", "topic_nodes",
                               "topic_edges", "topic_terms", "signal_days",
                               "signal_day_pairs", "signal_day_output",
                               "topic_match_days", "topic_event_matches"})

#: A command still running after this long is stuck, not slow (the longest takes seconds).
HANG_LIMIT_S: Final = 240.0


def fingerprint(db: Path) -> str:
    """Order-independent digest of every compared table, as the next command would see it."""
    if not db.exists():
        return "empty"
    con = connect(db)
    try:
        parts = []
        for table, columns in schema_columns(con).items():
            if table in UNCOMPARED:
                continue
            kept = [f't."{c}"' for c in columns if c not in VOLATILE]
            source = f'"{table}" t'
            if "run_id" in columns and table != "score_runs":
                source += " JOIN score_runs r USING (run_id)"
                kept += ["r.as_of", "r.model_version"]
            hashed = f"hash({', '.join(kept)})" if kept else "0"
            count, total = con.execute(
                f"SELECT count(*), coalesce(sum({hashed}::HUGEINT), 0) "
                f"FROM {source}").fetchall()[0]
            parts.append(f"{table}:{count}:{total}")
        return "|".join(parts) if any(not p.endswith(":0:0") for p in parts) else "empty"
    finally:
        con.close()


class ForkServer:
    """Client of `renown.reliability.forkserver` (see there)."""

    def __init__(self) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self.pid = 0
        self._killed = False
        self.process = subprocess.Popen(
            [sys.executable, "-m", "renown.reliability.forkserver"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=env)

    def start(self, args: tuple[str, ...]) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"args": list(args)}) + "\n")
        self.process.stdin.flush()
        self.pid = int(json.loads(self._line())["pid"])
        self._killed = False
        return self.pid

    def kill(self) -> None:
        """SIGKILL the running child (harmless if it has just exited: it is not reaped yet)."""
        os.kill(self.pid, signal.SIGKILL)

    def kill_on_purpose(self) -> None:
        """A planned kill (not the hang watchdog's)."""
        self._killed = True
        self.kill()

    def wait(self, limit_s: float = HANG_LIMIT_S) -> int:
        """The child's exit status; a child still running after ``limit_s`` is a hang."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"reap": True}) + "\n")
        self.process.stdin.flush()
        watchdog = threading.Timer(limit_s, self.kill)
        watchdog.start()
        try:
            status = int(json.loads(self._line())["status"])
        finally:
            watchdog.cancel()
        if watchdog.finished.is_set() and status == -signal.SIGKILL and not self._killed:
            raise RuntimeError(f"a renown command hung for over {limit_s:.0f} s and was killed")
        return status

    def run(self, args: tuple[str, ...]) -> tuple[int, float]:
        clock = time.perf_counter()
        self.start(args)
        return self.wait(), time.perf_counter() - clock

    def _line(self) -> str:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise RuntimeError("the fork server died")
        return line

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@contextmanager
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


@dataclass
class CrashReport:
    """Kills by command kind, checks made, and every violation found."""

    kills: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    completed_before_kill: int = 0
    checks: int = 0
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_kills(self) -> int:
        """Kills during ingestion and scoring (erasure kills come on top)."""
        return self.kills.get("ingest", 0) + self.kills.get("score", 0)


def reference(server: ForkServer, db: Path, plan: list[Command]) -> tuple[list[str], list[float]]:
    """Fingerprints after 0, 1, 2... steps, and each command's duration, without kills."""
    states = [fingerprint(db)]
    durations = []
    for command in plan:
        spent = 0.0
        for step in command.steps:
            status, seconds = server.run(step)
            if status != 0:
                raise RuntimeError(f"reference step failed ({status}): {' '.join(step)}")
            spent += seconds
            states.append(fingerprint(db))
        durations.append(spent)
    return states, durations


def campaign(workdir: Path, *, min_kills: int = 50, kills_per_command: int = 4,
             max_rounds: int = 20, seed: int = 0, events_per_file: int = 15_000,
             ) -> CrashReport:
    """The whole test: a reference, then kill rounds on fresh stores until ``min_kills``.

    A round runs every command of the workload, killing each up to
    ``kills_per_command`` times at random moments before letting it finish;
    a kill that lands after the command's last commit ends that command early
    (it is a kill all the same: during the checkpoint or the exit).
    """
    clock = time.perf_counter()
    inputs = write_inputs(workdir / "inputs", events_per_file=events_per_file)
    report = CrashReport()
    rnd = random.Random(seed)
    with fork_server() as server:
        ref_db = workdir / "reference" / "renown.duckdb"
        ref_db.parent.mkdir(parents=True)
        states, durations = reference(server, ref_db, commands(ref_db, inputs))
        while report.total_kills < min_kills and report.rounds < max_rounds \
                and not report.violations:
            db = workdir / f"round-{report.rounds}" / "renown.duckdb"
            db.parent.mkdir(parents=True)
            _round(server, db, commands(db, inputs), states, durations, rnd,
                   kills_per_command, report)
            report.rounds += 1
    report.seconds = time.perf_counter() - clock
    return report


def _round(server: ForkServer, db: Path, plan: list[Command], states: list[str],
           durations: list[float], rnd: random.Random, kills: int, report: CrashReport) -> None:
    """Each command is killed ``kills`` times (or until it completes anyway), then let finish."""
    done = 0  # steps known to be complete
    for index, command in enumerate(plan):
        end, killed, attempts = done + len(command.steps), 0, 0
        while True:
            server.start(command.args)
            killing = killed < kills and attempts < 3 * kills
            attempts += 1
            delay = rnd.uniform(0.0, durations[index] * 0.9) if killing else 0.0
            if killing:
                time.sleep(delay)
                server.kill_on_purpose()
            status = server.wait()
            if killing and status != -9:  # it ran faster than in the reference (a quieter
                durations[index] = min(durations[index], delay)  # machine): aim earlier
            killed += status == -9
            report.kills[command.kind] = report.kills.get(command.kind, 0) + (status == -9)
            report.completed_before_kill += killing and status != -9
            problem, done = _check(db, command, status, states, done, end)
            report.checks += 1
            if problem or (not killing and done != end):
                report.violations.append(f"{db.parent.name}: {problem or 'no progress'}")
                return
            if done == end:
                break
        if not _finish_scrub(server, db, states[done]):
            report.violations.append(f"{db.parent.name}: an interrupted erasure did not finish")
            return
    if file_traces(db, [FORGOTTEN_ACCOUNT]):
        report.violations.append(f"{db.parent.name}: the forgotten account is still in a file")


def _check(db: Path, command: Command, status: int, states: list[str], done: int,
           end: int) -> tuple[str | None, int]:
    """(what is wrong, steps now complete): the store must sit on a step boundary."""
    state = fingerprint(db)
    reached = [i for i in range(done, end + 1) if states[i] == state]
    name = " ".join(command.args[:2])
    if not reached:
        return f"after {name} (status {status}) the store matches no whole step", done
    if status not in (0, -9):
        return f"{name} exited {status}", reached[-1]
    return None, reached[-1]


def _finish_scrub(server: ForkServer, db: Path, state: str) -> bool:
    """An erasure killed after its commit left a marker: the next forget finishes the job."""
    if not db.with_name(db.name + ".scrub-pending").exists():
        return True
    status, _ = server.run(("forget", "--scrub", "--db", str(db)))
    return status == 0 and fingerprint(db) == state and not db.with_name(
        db.name + ".scrub-pending").exists()
