"""Token buckets in memory: per API key, and per client address for anonymous pages.

A bucket holds up to one minute's allowance and refills continuously, so a
client may burst up to its per-minute rate and then proceeds at that rate.
Limits live in the server process (one process serves; see docs/api.md): a
restart forgets them, which errs on the side of the client.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Above this many tracked clients, buckets that have refilled are forgotten.
_MAX_BUCKETS = 10_000


class RateLimiter:
    """Per-client token buckets, safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float, float]] = {}

    def take(self, client: str, per_minute: int) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until one is available."""
        now = self._clock()
        rate = per_minute / 60.0
        with self._lock:
            tokens, stamp, _ = self._buckets.get(client, (float(per_minute), now, rate))
            tokens = min(float(per_minute), tokens + (now - stamp) * rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now, rate)
            if len(self._buckets) > _MAX_BUCKETS:
                self._forget_full(now)
            return 0.0 if allowed else (1.0 - tokens) / rate

    def _forget_full(self, now: float) -> None:
        """Drop buckets that would be full by now (their clients have waited long enough)."""
        for client, (tokens, stamp, rate) in list(self._buckets.items()):
            if tokens + (now - stamp) * rate >= 60.0 * rate:
                del self._buckets[client]
