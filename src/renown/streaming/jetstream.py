"""Bluesky's Jetstream firehose, live: ``renown stream bluesky``.

Jetstream (github.com/bluesky-social/jetstream) serves the AT Protocol
firehose as JSON over a websocket: ``wss://HOST/subscribe`` with optional
``wantedCollections`` / ``wantedDids``, and ``cursor`` (microseconds since the
epoch) to replay from that instant on.  Each message's ``time_us`` is when
Jetstream saw it; that is the cursor committed with each micro-batch.

Resuming: Jetstream delivers messages roughly, not strictly, in ``time_us``
order (the real capture in ../shared/data has inversions of 33 ms), so a
reconnect asks for ``cursor - rewind`` (default 3 s).  What comes again is
deduplicated by the store; what would otherwise fall into the gap does not.

Messages are read by the ``bluesky-jetstream`` source's own parser
(`renown.sources.bluesky_jetstream.read_messages`), so a live message and
the same line in a capture file give the same events.  The connection is
the ``websockets`` library's (pings, close handshake, size limits).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from renown.sources.base import Batch
from renown.sources.bluesky_jetstream import read_messages
from renown.sources.bluesky_records import (
    FOLLOW,
    LIKE,
    NETWORK,
    POST,
    PROFILE,
    REPOST,
    epoch_micros,
)
from renown.sources.event_rows import MAX_RECORD_BYTES
from renown.streaming.runner import Message, StreamError

DEFAULT_URL: Final = "wss://jetstream2.us-east.bsky.network/subscribe"
#: The collections asked for by default: the influence records, and profiles (names).
DEFAULT_COLLECTIONS: Final = (POST, LIKE, REPOST, FOLLOW, PROFILE)
DEFAULT_REWIND_SECONDS: Final = 3.0
FORMAT: Final = "bluesky-jetstream"


class _RefusedError(StreamError):
    """The server answered the handshake with a status a retry will not change."""


class JetstreamSource:
    """One Jetstream subscription (see the module doc)."""

    fmt = FORMAT

    def __init__(self, url: str = DEFAULT_URL, *,
                 collections: Sequence[str] = DEFAULT_COLLECTIONS, dids: Sequence[str] = (),
                 rewind_seconds: float = DEFAULT_REWIND_SECONDS, network: str = NETWORK,
                 name: str | None = None, open_timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise StreamError(f"{url}: a Jetstream URL starts with wss:// (or ws://)")
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "cursor"]
        query += [("wantedCollections", c) for c in collections]
        query += [("wantedDids", d) for d in dids]
        self.url = urlunsplit(parts._replace(query=urlencode(query)))
        self.stream = name or f"{FORMAT} {self.url}"
        self.rewind_us = int(rewind_seconds * 1e6)
        self.transient: tuple[type[BaseException], ...] = (
            OSError, TimeoutError, _websockets().exceptions.WebSocketException)
        self.network = network
        self.open_timeout = open_timeout

    def key(self, position: str) -> tuple[int, str]:
        return int(position), ""

    def connect_url(self, resume: str | None) -> str:
        """The URL for one connection: from ``resume`` minus the rewind, if resuming."""
        if resume is None:
            return self.url
        cursor = max(1, int(resume) - self.rewind_us)
        return f"{self.url}{'&' if urlsplit(self.url).query else '?'}cursor={cursor}"

    async def messages(self, resume: str | None) -> AsyncIterator[Message]:
        websockets = _websockets()
        from websockets.asyncio.client import connect

        url = self.connect_url(resume)
        try:
            async with connect(url, open_timeout=self.open_timeout, max_size=MAX_RECORD_BYTES,
                               compression=None, ping_interval=20, ping_timeout=30) as ws:
                while True:
                    try:
                        raw = await ws.recv(decode=False)
                    except websockets.ConnectionClosedOK:
                        return
                    yield _message(raw if isinstance(raw, bytes) else raw.encode())
        except websockets.exceptions.InvalidStatus as exc:
            status = exc.response.status_code
            if 400 <= status < 500 and status not in (408, 429):
                raise _RefusedError(f"{url}: the server refused the subscription "
                               f"(HTTP {status})") from exc
            raise

    def decode(self, messages: Sequence[Message]) -> tuple[Batch, Counter[str]]:
        return read_messages(((n, _bytes(m.body)) for n, m in enumerate(messages, 1)),
                             self.network)


def _websockets() -> Any:
    """The websockets library (the connectors extra), or a clear error without it."""
    try:
        import websockets
        import websockets.exceptions
    except ImportError as exc:  # pragma: no cover - the connectors extra is missing
        raise StreamError("websockets is not installed: pip install 'renown[connectors]'") \
            from exc
    return websockets


def _bytes(body: object) -> bytes:
    assert isinstance(body, bytes)
    return body


def _message(raw: bytes) -> Message:
    """The message with its time_us (a message without one is still committed: the
    parser quarantines it, with the reason)."""
    try:
        value = json.loads(raw)
        time_us = value.get("time_us") if isinstance(value, dict) else None
    except (ValueError, RecursionError):
        time_us = None
    when = epoch_micros(time_us)
    if when is None or not isinstance(time_us, int):
        return Message(None, None, None, raw)
    return Message((time_us, ""), str(time_us), when, raw)
