"""What the server keeps between requests, and the per-request snapshot lease.

Every request that reads data leases the newest published generation once
(`lease`); the endpoint, the key check and any helper read through that one
cursor, so one response never mixes two snapshots.  Heavy computations
(explanations against an earlier date, model previews) pass through a gate so
a burst of them cannot take every core; when the gate stays closed the client
is told to retry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeVar

import duckdb
from fastapi import Depends, Request

from renown.interfaces.api.campaign_views import ClickLog
from renown.interfaces.api.errors import ApiError, busy
from renown.interfaces.api.ratelimit import RateLimiter
from renown.store.database import StoreError
from renown.store.serving import StoreBusyError, open_writer, publish
from renown.store.serving_reader import Generation, ServingReader

T = TypeVar("T")


@dataclass
class Settings:
    """Server options (``renown serve`` sets them from its flags)."""

    #: Requests per minute per client address on the public dashboard pages.
    page_rate_per_minute: int = 600
    #: Key checks per minute per client address (each costs a slow hash).
    key_checks_per_minute: int = 60
    #: Seconds an API write waits for another process's write lock before 503.
    write_timeout: float = 2.0
    #: Seconds a heavy computation waits for the gate before 503.
    heavy_wait: float = 10.0
    #: Origins allowed to call the API from a browser (none: CORS closed).
    cors_origins: tuple[str, ...] = ()
    dashboard: bool = True
    #: Seconds a tracked-link click waits for the store before it is queued in memory.
    click_wait: float = 0.2
    #: Seconds between publishes of lazily published writes (tracked-link clicks).
    publish_every: float = 2.0


@dataclass
class ServerState:
    db: Path
    settings: Settings
    reader: ServingReader
    key_limiter: RateLimiter = field(default_factory=RateLimiter)
    page_limiter: RateLimiter = field(default_factory=RateLimiter)
    check_limiter: RateLimiter = field(default_factory=RateLimiter)
    heavy: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(1))
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Tracked-link clicks waiting for the store; stored by the next write or `flush`.
    clicks: ClickLog = field(default_factory=ClickLog)
    #: Whether the store holds writes not yet published (clicks publish lazily).
    dirty: bool = False
    published_at: float = 0.0

    def run_heavy(self, compute: Callable[[], T]) -> T:
        """``compute()`` once the heavy-work gate opens, or 503 busy after waiting."""
        if not self.heavy.acquire(timeout=self.settings.heavy_wait):
            raise busy("the server is busy with other long computations; retry shortly")
        try:
            return compute()
        finally:
            self.heavy.release()

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The main store for one API write, published afterwards; 503 while another
        process holds the write lock."""
        with self.write_lock:
            try:
                with open_writer(self.db, self.settings.write_timeout) as con:
                    yield con
                    self.clicks.store(con)
                    self._publish(con)
            except StoreBusyError as exc:
                raise busy(f"{exc}; retry shortly", retry_after=5) from exc

    def flush(self, wait: float, *, publish_after: float = 0.0) -> bool:
        """Store the clicks waiting for the store, and publish what is unpublished once the
        last publish is ``publish_after`` s old; False when the store stayed busy."""
        if not self.write_lock.acquire(timeout=wait):
            return False
        try:
            due = self.dirty and time.monotonic() - self.published_at >= publish_after
            if not len(self.clicks) and not due:
                return True
            with open_writer(self.db, wait) as con:
                self.dirty = self.clicks.store(con) > 0 or self.dirty
                if self.dirty and time.monotonic() - self.published_at >= publish_after:
                    self._publish(con)
            return True
        except StoreBusyError:
            return False
        finally:
            self.write_lock.release()

    def _publish(self, con: duckdb.DuckDBPyConnection) -> None:
        publish(con, self.db)
        self.dirty, self.published_at = False, time.monotonic()


@dataclass(frozen=True, slots=True)
class Lease:
    generation: Generation
    con: duckdb.DuckDBPyConnection


async def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.renown
    return state


StateDep = Annotated[ServerState, Depends(server_state)]


async def lease(state: StateDep) -> AsyncIterator[Lease]:
    """The newest published snapshot, held for the whole request.

    Async (it only takes a lock, stats a file and opens a cursor): run on the
    event loop, it saves every request a hop through the thread pool.
    """
    try:
        with state.reader.lease() as (generation, cursor):
            yield Lease(generation, cursor)
    except StoreError as exc:
        raise ApiError(503, "unavailable", str(exc), headers={"Retry-After": "5"}) from exc


LeaseDep = Annotated[Lease, Depends(lease)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
