"""Loopback servers that speak the live protocols, replaying real captures.

For the stream tests and ``benchmarks/bench_stream.py``, and for trying
``renown stream`` without a network: each runs in a thread of its own on
127.0.0.1 (an ephemeral port unless told), with faults on request.

- `JetstreamReplay`: ``ws://127.0.0.1:PORT/subscribe`` like Jetstream: a
  connection without ``cursor`` gets every message, one with ``cursor=T`` the
  messages whose ``time_us`` is at least T (Jetstream's replay), in the
  order given, only the ``wantedCollections`` if it names some; then the
  connection stays open, idle, as a quiet firehose does.
- `MastodonReplay`: an instance whose timeline *publishes* the statuses one
  by one (``pace`` apart, from the first streaming connection on).  The
  streaming API sends only what is published while connected, as Mastodon's
  does; the REST timeline (``min_id``, ``limit``) has everything published,
  so a client that was away must page it to catch up.

`Faults`: drop the first connection abruptly after some messages (TCP reset,
no close frame), and/or take the whole server down after some messages in
all and bring it back on the same port a moment later.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import json
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse


@dataclass(frozen=True, slots=True)
class Faults:
    #: Abort the first connection after sending this many messages.
    drop_after: int | None = None
    #: After this many messages sent in all, stop the server, then start it again.
    restart_after: int | None = None
    down_seconds: float = 0.5


class _LoopThread:
    """An asyncio loop in a daemon thread, to run servers beside blocking test code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class JetstreamReplay:
    """A loopback Jetstream serving ``messages`` (JSON objects with ``time_us``)."""

    def __init__(self, messages: list[bytes], *, pace: float = 0.0, rate: float | None = None,
                 faults: Faults = Faults(), live_time: bool = False) -> None:
        self.messages = messages
        parsed = [json.loads(m) for m in messages]
        self.times = [int(m["time_us"]) for m in parsed]
        #: Each commit's collection (None: identity and account events, always sent).
        self.collections = [(m.get("commit") or {}).get("collection") for m in parsed]
        self.pace, self.faults, self.live_time = pace, faults, live_time
        #: Messages a second a connection sends at most (None: as fast as it can).
        self.rate = rate
        #: The cursor each connection asked for (None: none), in order.
        self.cursors: list[int | None] = []
        self.sent = 0
        self.port = 0
        self._restarted = False
        self._server: Server | None = None
        self._thread = _LoopThread()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"

    def __enter__(self) -> JetstreamReplay:
        self._thread.call(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self._thread.call(self._stop())
        self._thread.close()

    async def _start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", self.port, compression=None,
                                   max_queue=None, write_limit=1 << 20,
                                   process_request=_only_subscribe)
        self.port = self._server.sockets[0].getsockname()[1] if not self.port else self.port

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _restart(self) -> None:
        await self._stop()
        await asyncio.sleep(self.faults.down_seconds)
        await self._start()

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else ""
        cursor = _query_int(path, "cursor")
        wanted = set(parse_qs(urlsplit(path).query).get("wantedCollections", []))
        self.cursors.append(cursor)
        chosen = [m for m, t, c in zip(self.messages, self.times, self.collections, strict=True)
                  if (cursor is None or t >= cursor) and (not wanted or c is None or c in wanted)]
        first = len(self.cursors) == 1
        clock = time.monotonic()
        for n, message in enumerate(chosen, 1):
            if self.rate is not None and (ahead := n / self.rate - (time.monotonic() - clock)) \
                    > 0.002:
                await asyncio.sleep(ahead)
            if first and self.faults.drop_after is not None and n > self.faults.drop_after:
                ws.transport.abort()  # a dropped connection: no close frame
                return
            if self._due_restart():
                asyncio.get_running_loop().create_task(self._restart())
                return
            await ws.send(_live(message) if self.live_time else message, text=True)
            self.sent += 1
            if self.pace:
                await asyncio.sleep(self.pace)
        await ws.wait_closed()

    def _due_restart(self) -> bool:
        limit = self.faults.restart_after
        if limit is None or self._restarted or self.sent < limit:
            return False
        self._restarted = True
        return True


def _only_subscribe(ws: ServerConnection, request: WsRequest) -> WsResponse | None:
    """Jetstream serves ``/subscribe`` only: anything else is a 404, as there."""
    if urlsplit(request.path).path == "/subscribe":
        return None
    return ws.respond(HTTPStatus.NOT_FOUND, "not found\n")


def _live(message: bytes) -> bytes:
    """The message stamped with now as its ``time_us``: lag measured end to end."""
    head, sep, tail = message.partition(b'"time_us":')
    digits = len(tail) - len(tail.lstrip(b"0123456789"))
    return head + sep + str(time.time_ns() // 1000).encode() + tail[digits:]


def _query_int(path: str, name: str) -> int | None:
    values = parse_qs(urlsplit(path).query).get(name)
    return int(values[0]) if values else None


class MastodonReplay:
    """A loopback Mastodon instance publishing ``statuses`` (see the module doc)."""

    def __init__(self, statuses: list[dict[str, Any]], *, pace: float = 0.01,
                 faults: Faults = Faults()) -> None:
        if pace <= 0:
            raise ValueError("pace must be positive: the streaming API sends only statuses "
                             "published while a client is connected")
        self.statuses = sorted(statuses, key=lambda s: (len(str(s["id"])), str(s["id"])))
        self.keys = [(len(str(s["id"])), str(s["id"])) for s in self.statuses]
        self.bodies = [json.dumps(s, separators=(",", ":")) for s in self.statuses]
        self.pace, self.faults = pace, faults
        self.started: float | None = None
        self.streams = 0
        self.sent = 0
        self.pages = 0
        self.port = 0
        self._restarted = False
        self._down = False
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MastodonReplay:
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def published(self) -> int:
        if self.started is None:
            return 0
        if not self.pace:
            return len(self.statuses)
        return min(len(self.statuses), int((time.monotonic() - self.started) / self.pace))

    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route("/api/v1/instance", self._instance),
            Route("/api/v1/streaming/{rest:path}", self._stream),
            Route("/api/v1/timelines/{rest:path}", self._timeline),
        ])

    def _start(self) -> None:
        config = uvicorn.Config(self._app(), host="127.0.0.1", port=self.port,
                                log_level="critical", lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._down = False
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.port:
            self.port = self._server.servers[0].sockets[0].getsockname()[1]

    def _stop(self) -> None:
        self._down = True
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)

    def _restart(self) -> None:
        self._stop()
        time.sleep(self.faults.down_seconds)
        self._start()

    async def _instance(self, request: Request) -> Response:
        return JSONResponse({"uri": "127.0.0.1", "title": "replay",
                             "urls": {"streaming_api": f"ws://127.0.0.1:{self.port}"}})

    async def _timeline(self, request: Request) -> Response:
        """Published statuses newer than ``min_id``: the ``limit`` oldest, newest first."""
        self.pages += 1
        min_id = request.query_params.get("min_id", "")
        limit = int(request.query_params.get("limit", "20"))
        first = bisect.bisect_right(self.keys, (len(min_id), min_id))
        chosen = self.statuses[first:self.published()][:limit]
        return JSONResponse(list(reversed(chosen)))

    async def _stream(self, request: Request) -> Response:
        self.streams += 1
        if self.started is None:
            self.started = time.monotonic()
        return StreamingResponse(self._events(self.published(), self.streams == 1),
                                 media_type="text/event-stream")

    async def _events(self, start: int, first: bool) -> AsyncIterator[bytes]:
        """Statuses as they are published; a heartbeat comment when there is nothing."""
        sent_here, index, quiet = 0, start, 0.0
        while not self._down:
            if index < self.published():
                if first and self.faults.drop_after is not None \
                        and sent_here >= self.faults.drop_after:
                    raise ConnectionAbortedError("replay: dropping the connection")
                if self._due_restart():
                    threading.Thread(target=self._restart, daemon=True).start()
                    raise ConnectionAbortedError("replay: restarting")
                yield f"event: update\ndata: {self.bodies[index]}\n\n".encode()
                index, sent_here, self.sent = index + 1, sent_here + 1, self.sent + 1
                continue
            await asyncio.sleep(0.005)
            quiet += 0.005
            if quiet >= 1.0:
                quiet = 0.0
                yield b":thump\n\n"

    def _due_restart(self) -> bool:
        limit = self.faults.restart_after
        if limit is None or self._restarted or self.sent < limit:
            return False
        self._restarted = True
        return True


def jetstream_messages(path: Path, rounds: int = 1, *, spacing_us: int | None = None,
                       start_us: int = 1_700_000_000_000_000) -> list[bytes]:
    """A Jetstream capture's lines, ``rounds`` times over, as compact JSON messages.

    Round k > 0 gives every record key a ``-rK`` suffix, so each round's
    events are new to the store.  ``spacing_us``: re-time the messages
    ``start_us``, ``start_us + spacing_us``, ... (strictly increasing, so a
    cursor cuts the stream exactly); else each round keeps the capture's times,
    shifted by k times its span.
    """
    lines = [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    times = [int(line["time_us"]) for line in lines]
    span = max(times) - min(times) + 1
    out: list[bytes] = []
    for k in range(rounds):
        for line, original in zip(lines, times, strict=True):
            message = copy.deepcopy(line)
            commit = message.get("commit")
            if k and isinstance(commit, dict) and "rkey" in commit:
                commit["rkey"] = f"{commit['rkey']}-r{k}"
            message["time_us"] = (start_us + len(out) * spacing_us if spacing_us is not None
                                  else original + k * span)
            out.append(json.dumps(message, separators=(",", ":")).encode())
    return out


def mastodon_statuses(folder: Path, rounds: int = 1) -> list[dict[str, Any]]:
    """Every status in a folder of Mastodon API payloads, ``rounds`` times over.

    Statuses are taken from timelines, single statuses and notifications;
    round k > 0 shifts every status id (also inside uris and nested statuses)
    and creation time past the previous round's, so each round is new to the
    store and later than the one before.
    """
    found: dict[str, dict[str, Any]] = {}
    for file in sorted(folder.glob("*.json")):
        payload = json.loads(file.read_text(encoding="utf-8"))
        for item in payload if isinstance(payload, list) else [payload]:
            status = item.get("status") if isinstance(item, dict) and "type" in item else item
            if isinstance(status, dict) and "account" in status and "created_at" in status:
                found.setdefault(str(status["id"]), status)
    ids = sorted(int(i) for i in found)
    shift = ids[-1] - ids[0] + 1
    times = [_instant(s["created_at"]) for s in found.values()]
    span = max(times) - min(times) + timedelta(seconds=1)
    out: list[dict[str, Any]] = []
    for k in range(rounds):
        for status in found.values():
            text = json.dumps(status)
            for old in _status_ids(status):
                text = text.replace(old, str(int(old) + k * shift))
            out.append(_shift_times(json.loads(text), k * span))
    return out


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _shift_times(status: dict[str, Any], by: timedelta) -> dict[str, Any]:
    """The status (and those it carries) created ``by`` later."""
    status["created_at"] = (_instant(status["created_at"]) + by).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    for key in ("reblog", "quote"):
        inner = status.get(key)
        inner = inner.get("quoted_status", inner) if isinstance(inner, dict) else None
        if isinstance(inner, dict) and "created_at" in inner:
            _shift_times(inner, by)
    return status


def _status_ids(status: dict[str, Any]) -> list[str]:
    """The ids of a status and of the statuses it carries (reblog, quote)."""
    ids = [str(status["id"])]
    for key in ("reblog", "quote"):
        inner = status.get(key)
        if isinstance(inner, dict):
            inner = inner.get("quoted_status", inner)
            if isinstance(inner, dict) and "id" in inner:
                ids += _status_ids(inner)
    return [i for i in ids if i.isdigit()]
