"""Running a live stream into the store: a supervised reader, a bounded queue, a writer.

- The **reader** (an asyncio task) holds one connection at a time through the
  source (`StreamSource.messages`).  When the connection drops, ends or fails
  to open, it waits (exponential backoff with jitter, reset once a connection
  delivers) and connects again from the newest position it has received, so
  nothing already in memory is asked for twice and nothing after it is
  skipped.  Errors the source calls fatal (a 4xx answer) end the run.
- Between them a **bounded queue**: when the store falls behind (a slow disk,
  a re-score), the reader stops reading, the socket's buffers fill and the
  server slows down or drops us; we then resume from the cursor.  Memory
  stays bounded whatever the stream's rate.
- The **writer** takes micro-batches (up to ``batch_messages`` messages or
  ``batch_seconds`` after the first) and commits each with its cursor in one
  transaction (`renown.store.cursors.commit_batch`).  It works in a thread,
  so the reader keeps reading while DuckDB commits.

A limit (``max_events``, ``until``) stops exactly where it falls; Ctrl-C,
SIGTERM and ``duration`` stop the reader and commit what was already
received.  Either way, and after ``kill -9``, what was not committed is asked
for again from the cursor by the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import duckdb

from renown.errors import RenownError
from renown.sources.base import Batch
from renown.store.cursors import commit_batch, load_cursor
from renown.store.database import utc_now
from renown.store.ingest import IngestReport

log = logging.getLogger(__name__)
#: Lags kept for the report's percentiles (the newest ones).
LAG_SAMPLES = 200_000


class StreamError(RenownError):
    """The stream cannot go on (refused by the server, or too many failed connects)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One stream message, with what the runner needs without parsing it again."""

    #: Orders positions (`StreamSource.key`); None when the message has no position.
    key: tuple[int, str] | None
    #: The cursor value after this message (None: it does not move the cursor).
    position: str | None
    #: Data time (Jetstream time_us, a status's created_at): for lag and ``until``.
    when: datetime | None
    #: What `StreamSource.decode` reads (raw bytes, or a parsed JSON value).
    body: object


class StreamSource(Protocol):
    """A network's live stream (`renown.streaming.jetstream`, `.mastodon`)."""

    #: The cursor's name in the store.
    stream: str
    #: The format name the ingestion log records.
    fmt: str
    #: Errors after which the reader reconnects (others end the run).
    transient: tuple[type[BaseException], ...]

    def key(self, position: str) -> tuple[int, str]: ...

    def messages(self, resume: str | None) -> AsyncIterator[Message]:
        """One connection's messages, from ``resume`` (a position) on; ends or raises
        when the connection does."""
        ...

    def decode(self, messages: Sequence[Message]) -> tuple[Batch, Counter[str]]: ...


@dataclass(frozen=True, slots=True)
class StreamOptions:
    batch_messages: int = 5_000
    batch_seconds: float = 1.0
    queue_messages: int = 20_000
    #: Stop once this many messages were committed in this run.
    max_events: int | None = None
    #: Stop once a committed message's data time reaches this (naive UTC).
    until: datetime | None = None
    #: Stop after this many seconds of wall-clock time.
    duration: float | None = None
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    #: Give up after this many failed connects in a row (None: never).
    max_retries: int | None = None
    #: Call the ``tick`` hook (re-scoring) at most this often, after a commit.
    tick_every: float | None = None


@dataclass(slots=True)
class StreamReport:
    """What a run did (also what `on_commit` sees after each batch)."""

    stream: str
    position: str | None = None
    messages: int = 0
    ingested: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    reconnects: int = 0
    ticks: int = 0
    #: The most messages that waited in the queue at once (at most ``queue_messages``).
    peak_queue: int = 0
    seconds: float = 0.0
    stopped: str = ""
    notes: Counter[str] = field(default_factory=Counter)
    lags: deque[float] = field(default_factory=lambda: deque(maxlen=LAG_SAMPLES))

    def lag(self, quantile: float) -> float | None:
        """Seconds from a message's data time to its commit, at ``quantile`` (0..1)."""
        if not self.lags:
            return None
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


CommitHook = Callable[[StreamReport, IngestReport], None]
TickHook = Callable[[duckdb.DuckDBPyConnection], None]


def run_stream(con: duckdb.DuckDBPyConnection, source: StreamSource,
               options: StreamOptions | None = None, *, on_commit: CommitHook | None = None,
               tick: TickHook | None = None) -> StreamReport:
    """Stream ``source`` into the store until a stop condition; see the module doc."""
    return asyncio.run(_Run(con, source, options or StreamOptions(), on_commit, tick).main())


class _Run:
    def __init__(self, con: duckdb.DuckDBPyConnection, source: StreamSource,
                 options: StreamOptions, on_commit: CommitHook | None,
                 tick: TickHook | None) -> None:
        self.con, self.source, self.options = con, source, options
        self.on_commit, self.tick = on_commit, tick
        self.report = StreamReport(source.stream)
        cursor = load_cursor(con, source.stream)
        self.committed = cursor.position if cursor else None
        self.received = self.committed
        self.last_tick = time.monotonic()
        #: A limit was reached: stop without committing what the queue holds.
        self.reached = False

    async def main(self) -> StreamReport:
        clock = time.monotonic()
        self.stop = asyncio.Event()
        self.queue: asyncio.Queue[Message] = asyncio.Queue(self.options.queue_messages)
        self._signals(asyncio.get_running_loop())
        self.reader = asyncio.create_task(self._read())
        writer = asyncio.create_task(self._write())
        timer = asyncio.create_task(self._timer())
        try:
            await asyncio.wait({self.reader, writer}, return_when=asyncio.FIRST_COMPLETED)
            self._halt("the reader ended")
            (ended,) = await asyncio.gather(self.reader, return_exceptions=True)
            await writer  # commits what was received, also when the reader failed
        finally:
            timer.cancel()
            for task in (self.reader, writer):
                task.cancel()
        if isinstance(ended, BaseException) and not isinstance(ended, asyncio.CancelledError):
            raise ended
        self.report.seconds = time.monotonic() - clock
        self.report.position = self.committed
        return self.report

    def _signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """Ctrl-C and SIGTERM stop cleanly (commit what was received); a second one
        interrupts at once (a commit under way rolls back)."""
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self._on_signal, loop, number)

    def _on_signal(self, loop: asyncio.AbstractEventLoop, number: signal.Signals) -> None:
        for handled in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(handled)  # the default behaviour from now on
        self._halt(f"signal {number.name}")

    def _halt(self, why: str) -> None:
        """Stop reading now (the writer then commits what the queue holds)."""
        if not self.stop.is_set():
            self.report.stopped = self.report.stopped or why
            self.stop.set()
            self.reader.cancel()

    async def _timer(self) -> None:
        if self.options.duration is not None:
            await asyncio.sleep(self.options.duration)
            self._halt(f"duration {self.options.duration:g} s")

    async def _read(self) -> None:
        failures = 0
        while not self.stop.is_set():
            delivered = False
            try:
                async for message in self.source.messages(self.received):
                    delivered = True
                    await self.queue.put(message)
                    self.report.peak_queue = max(self.report.peak_queue, self.queue.qsize())
                    self._note_received(message)
                log.warning("%s: the server ended the stream", self.source.stream)
            except self.source.transient as exc:
                log.warning("%s: connection lost: %s", self.source.stream, exc or type(exc))
            failures = 0 if delivered else failures + 1
            if self.options.max_retries is not None and failures > self.options.max_retries:
                raise StreamError(f"{self.source.stream}: gave up after {failures} failed "
                                  "connects in a row")
            delay = min(self.options.backoff_max, self.options.backoff_initial * 2 ** failures)
            self.report.reconnects += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay * random.uniform(0.5, 1.0))

    def _note_received(self, message: Message) -> None:
        if message.key is not None and (
                self.received is None or message.key > self.source.key(self.received)):
            self.received = message.position

    async def _write(self) -> None:
        while not self.reached:
            batch = await self._collect()
            if batch:
                await asyncio.to_thread(self._commit, batch)
                self._check_limits(batch)
            elif self.stop.is_set() and self.queue.empty():
                return

    async def _collect(self) -> list[Message]:
        """Up to ``batch_messages`` (fewer where a limit falls), waiting at most
        ``batch_seconds`` after the first."""
        first = await self._first()
        if first is None:
            return []
        batch = [first]
        room = self.options.batch_messages
        if self.options.max_events is not None:
            room = min(room, self.options.max_events - self.report.messages)
        deadline = time.monotonic() + self.options.batch_seconds
        while len(batch) < room and not self._reaches_until(batch[-1]):
            try:
                batch.append(self.queue.get_nowait())
                continue
            except asyncio.QueueEmpty:
                pass
            left = deadline - time.monotonic()
            if left <= 0 or self.stop.is_set():
                break
            with contextlib.suppress(TimeoutError):
                batch.append(await asyncio.wait_for(self.queue.get(), left))
        return batch

    def _reaches_until(self, message: Message) -> bool:
        until = self.options.until
        return until is not None and message.when is not None and message.when >= until

    async def _first(self) -> Message | None:
        """The next message, or None once stopping with nothing left to commit."""
        if not self.queue.empty():
            return self.queue.get_nowait()
        if self.stop.is_set():
            return None
        getter = asyncio.ensure_future(self.queue.get())
        stopper = asyncio.ensure_future(self.stop.wait())
        await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        getter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            return await getter
        return None

    def _commit(self, batch: list[Message]) -> None:
        """Decode and commit one micro-batch with its cursor (in the writer's thread)."""
        decoded, notes = self.source.decode(batch)
        position = self._advance(batch)
        keys = [m.position for m in batch if m.position is not None]
        label = f"{self.source.stream} [{keys[0]}..{keys[-1]}]" if keys else self.source.stream
        digest = "\n".join([self.source.stream, *keys]).encode()
        ingest = commit_batch(self.con, self.source.stream, decoded, position or "",
                              len(batch), label=label, fmt=self.source.fmt, digest_of=digest)
        self.committed = position
        self._account(batch, ingest, notes)
        if self.tick is not None and self.options.tick_every is not None and \
                time.monotonic() - self.last_tick >= self.options.tick_every:
            self.tick(self.con)
            self.last_tick = time.monotonic()
            self.report.ticks += 1

    def _advance(self, batch: list[Message]) -> str | None:
        """The cursor after ``batch``: the newest position committed, never going back."""
        position = self.committed
        for message in batch:
            if message.key is not None and (
                    position is None or message.key > self.source.key(position)):
                position = message.position
        return position

    def _account(self, batch: list[Message], ingest: IngestReport, notes: Counter[str]) -> None:
        report = self.report
        report.messages += len(batch)
        report.ingested += ingest.ingested
        report.duplicates += ingest.duplicates
        report.quarantined += ingest.quarantined
        report.batches += 1
        report.notes.update(notes)
        now = utc_now()
        report.lags.extend((now - m.when).total_seconds() for m in batch if m.when is not None)
        report.position = self.committed
        if self.on_commit is not None:
            self.on_commit(report, ingest)

    def _check_limits(self, batch: list[Message]) -> None:
        """A limit stops exactly where it falls: what the queue still holds is left for
        the next run, which the cursor asks the server for again."""
        options = self.options
        if options.max_events is not None and self.report.messages >= options.max_events:
            self.reached = True
            self._halt(f"max events {options.max_events:,}")
        elif self._reaches_until(batch[-1]):
            self.reached = True
            assert options.until is not None
            self._halt(f"until {options.until.isoformat()}")
