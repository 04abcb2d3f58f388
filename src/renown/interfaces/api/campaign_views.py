"""Tracked-link clicks on their way to the store: a bounded queue the server drains.

A click (``GET /r/{code}``, `renown.interfaces.api.routers.redirect`) is put
here first and stored by whoever next holds the store's write lock: the click's
own request when the store is free, else the next API write, the server's
periodic flush, or its shutdown.  So a visitor is redirected even while
another process (a long ``renown score``) holds the lock.

What waits here (the code, the visitor's address and user agent, the time)
lives only in this process's memory: `renown.store.outcomes.record_clicks`
turns the address and agent into a keyed hash when the click is stored, and
nothing else keeps them.  The queue is bounded (`MAX_PENDING`); beyond it a
click is dropped (counted in `ClickLog.dropped`, logged) rather than growing
the server's memory under a flood.  Clicks still waiting when the process is
killed (not stopped) are lost: a click is a measurement, not an order.

This module imports nothing of the server's state, so `state` can own one.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import duckdb

from renown.errors import RenownError
from renown.store.outcomes import Visit, record_clicks

log = logging.getLogger("renown.api.clicks")

#: Clicks held in memory while the store is busy (about 1 KB each at most).
MAX_PENDING: Final = 10_000
#: Longest user agent kept (what the visitor hash is computed from).
MAX_AGENT: Final = 512


@dataclass(frozen=True, slots=True)
class PendingClick:
    code: str
    ip: str
    user_agent: str
    ts: datetime


class ClickLog:
    """Clicks waiting for the store, oldest first; safe to share between threads."""

    def __init__(self, limit: int = MAX_PENDING) -> None:
        self.limit = limit
        #: Clicks refused because the queue was full (since the server started).
        self.dropped = 0
        self._lock = threading.Lock()
        self._pending: deque[PendingClick] = deque()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def add(self, code: str, ip: str, user_agent: str, ts: datetime) -> bool:
        """Queue one click; False (and the click dropped) when the queue is full."""
        click = PendingClick(code, ip, user_agent[:MAX_AGENT], ts)
        with self._lock:
            if len(self._pending) >= self.limit:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.warning("tracked-link queue full (%d clicks): %d dropped so far",
                                self.limit, self.dropped)
                return False
            self._pending.append(click)
            return True

    def store(self, con: duckdb.DuckDBPyConnection) -> int:
        """Store every waiting click through the writer ``con``; how many were taken.

        The batch is one transaction (`record_clicks`); one visitor's repeated
        clicks count once.  Should the batch fail, each click is tried alone
        and one the store refuses is logged and dropped, so one bad click
        cannot keep the others waiting.
        """
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
        if not batch:
            return 0
        visits = [Visit(c.code, c.ip, c.user_agent, c.ts) for c in batch]
        try:
            record_clicks(con, visits)
        except (duckdb.Error, RenownError) as exc:
            log.warning("storing %d tracked-link clicks together failed (%s); one by one",
                        len(visits), exc)
            for visit in visits:
                try:
                    record_clicks(con, [visit])
                except (duckdb.Error, RenownError) as error:
                    log.error("tracked-link click on %s not stored: %s", visit.code, error)
        return len(batch)
