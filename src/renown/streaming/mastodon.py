"""A Mastodon timeline, live: ``renown stream mastodon``.

The streaming API (``/api/v1/streaming/public``, ``.../public/local``,
``.../hashtag?tag=``, ``.../list?list=``) sends Server-Sent Events: ``update``
with a status, ``status.update`` with an edited one, ``delete`` with an id.
It has no way to resume (no ``Last-Event-ID``), so resuming is done with the
REST timeline of the same stream: on every (re)connect the stream is opened
first, then the timeline is paged forward with ``min_id`` from the cursor
(the newest status id committed, minus ``rewind`` seconds of snowflake time,
since a remote status's id comes from its creation time and can arrive
late) until it is caught up, then the live events follow.  Whatever both
deliver is deduplicated by the store.

Client: **httpx** with **httpx-sse**, not Mastodon.py's streaming.  Mastodon.py
can be pointed at a loopback server, but its SSE reader takes the response one
byte per Python call (``iter_content(chunk_size=1)``, about a thousand times
slower than a buffered read), and it hands over typed objects with times
already turned into Python datetimes, not the raw JSON the
``mastodon-api`` mapping (`renown.sources.mastodon_api.read_statuses`) and
quarantine read; its reconnect is a fixed-wait loop in its own thread with no
resume hook.  httpx gives async, buffered streaming with timeouts; httpx-sse
parses the event stream.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from renown.sources.base import Batch
from renown.sources.mastodon import DEFAULT_NETWORK
from renown.sources.mastodon_api import read_statuses
from renown.sources.payloads import parse_instant
from renown.streaming.runner import Message, StreamError

if TYPE_CHECKING:
    import httpx

FORMAT: Final = "mastodon-api"
DEFAULT_REWIND_SECONDS: Final = 60.0
PAGE_LIMIT: Final = 40
#: Mastodon sends a heartbeat comment every ~15 s; silence this long is a dead connection.
READ_TIMEOUT_SECONDS: Final = 60.0
_STATUS_EVENTS: Final = frozenset({"update", "status.update"})


class MastodonSource:
    """One timeline: ``public``, ``public:local``, ``public:remote``, ``hashtag:TAG``
    or ``list:ID`` (a list needs the owner's token)."""

    fmt = FORMAT

    def __init__(self, instance: str, timeline: str = "public", *, token: str | None = None,
                 streaming_url: str | None = None,
                 rewind_seconds: float = DEFAULT_REWIND_SECONDS,
                 network: str = DEFAULT_NETWORK, name: str | None = None) -> None:
        self.instance = instance.rstrip("/")
        if not self.instance.startswith(("http://", "https://")):
            raise StreamError(f"{instance}: an instance URL starts with https://")
        self.stream_path, self.stream_params, self.rest_path, self.rest_params = \
            _endpoints(timeline)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.streaming_url = streaming_url.rstrip("/") if streaming_url else None
        self.rewind = int(rewind_seconds * 1000) << 16  # snowflake: ms << 16
        self.network = network
        self.stream = name or f"{FORMAT} {self.instance} {timeline}"
        self.skipped: Counter[str] = Counter()
        httpx, httpx_sse = _clients()
        self.transient: tuple[type[BaseException], ...] = (
            httpx.TransportError, httpx_sse.SSEError, OSError, TimeoutError, ValueError)

    def key(self, position: str) -> tuple[int, str]:
        """Ids are numeric snowflakes on Mastodon, fixed-length strings elsewhere."""
        return len(position), position

    async def messages(self, resume: str | None) -> AsyncIterator[Message]:
        httpx, httpx_sse = _clients()
        timeout = httpx.Timeout(10.0, read=READ_TIMEOUT_SECONDS)
        async with httpx.AsyncClient(timeout=timeout, headers=self.headers) as client:
            base = self.streaming_url or await self._streaming_base(client)
            async with httpx_sse.aconnect_sse(client, "GET", base + self.stream_path,
                                    params=self.stream_params) as events:
                _check(events.response)
                if resume is not None:
                    async for message in self._backfill(client, resume):
                        yield message
                async for event in events.aiter_sse():
                    if event.event in _STATUS_EVENTS:
                        yield _message(_json(event.data))
                    else:
                        self.skipped[f"stream event {event.event}: not influence"] += 1

    async def _streaming_base(self, client: httpx.AsyncClient) -> str:
        """Where the instance serves its streaming API (``urls.streaming_api``, often
        another host), or the instance itself."""
        try:
            answer = await client.get(f"{self.instance}/api/v1/instance")
            body = answer.json() if answer.is_success else None
        except self.transient:
            body = None
        urls = body.get("urls") if isinstance(body, dict) else None
        url = urls.get("streaming_api") if isinstance(urls, dict) else None
        if not isinstance(url, str) or not url.startswith(("ws://", "wss://", "http")):
            return self.instance
        self.streaming_url = url.replace("wss://", "https://", 1).replace(
            "ws://", "http://", 1).rstrip("/")
        return self.streaming_url

    async def _backfill(self, client: httpx.AsyncClient, resume: str) -> AsyncIterator[Message]:
        """The timeline after ``resume`` (less the rewind), oldest first, page by page."""
        since = str(max(0, int(resume) - self.rewind)) if resume.isdigit() else resume
        while True:
            answer = await client.get(f"{self.instance}{self.rest_path}",
                                      params={**self.rest_params, "min_id": since,
                                              "limit": PAGE_LIMIT})
            _check(answer)
            page = answer.json()
            if not isinstance(page, list) or not page:
                return
            messages = sorted((_message(status) for status in page),
                              key=lambda m: m.key or (0, ""))
            for message in messages:
                yield message
            newest = messages[-1].position
            if newest is None or self.key(newest) <= self.key(since):
                return
            since = newest

    def decode(self, messages: Sequence[Message]) -> tuple[Batch, Counter[str]]:
        batch, skipped = read_statuses(((n, m.body) for n, m in enumerate(messages, 1)),
                                       self.network)
        skipped.update(self.skipped)
        self.skipped = Counter()
        return batch, skipped


def _endpoints(timeline: str) -> tuple[str, dict[str, str], str, dict[str, str]]:
    """(streaming path, its params, REST timeline path, its params) of a timeline name."""
    kind, _, value = timeline.partition(":")
    if kind == "public" and value in ("", "local", "remote"):
        flags = {value: "true"} if value else {}
        return (f"/api/v1/streaming/public{'/' + value if value else ''}", {},
                "/api/v1/timelines/public", flags)
    if kind == "hashtag" and value:
        tag = value.lstrip("#")
        return "/api/v1/streaming/hashtag", {"tag": tag}, f"/api/v1/timelines/tag/{tag}", {}
    if kind == "list" and value:
        return "/api/v1/streaming/list", {"list": value}, f"/api/v1/timelines/list/{value}", {}
    raise StreamError(f"timeline {timeline!r}: expected public, public:local, public:remote, "
                      "hashtag:TAG or list:ID")


def _check(response: httpx.Response) -> None:
    """4xx (but 408, 429) will not change on a retry: the run ends; 5xx is retried."""
    status = response.status_code
    if 400 <= status < 500 and status not in (408, 429):
        raise StreamError(f"{response.request.url}: the instance refused (HTTP {status})")
    if status >= 300:
        raise _clients()[0].TransportError(f"{response.request.url}: HTTP {status}")


def _clients() -> tuple[Any, Any]:
    """httpx and httpx-sse (the connectors extra), or a clear error without them."""
    try:
        import httpx
        import httpx_sse
    except ImportError as exc:  # pragma: no cover - the connectors extra is missing
        raise StreamError("httpx and httpx-sse are not installed: pip install "
                          "'renown[connectors]'") from exc
    return httpx, httpx_sse


def _json(data: str) -> object:
    """The event's JSON, or the text itself (the mapping quarantines it, with why)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return data


def _message(status: Any) -> Message:
    """A status with its id (the cursor) and created_at; anything else still goes to the
    mapping, which quarantines it with the reason."""
    raw_id = status.get("id") if isinstance(status, dict) else None
    position = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(
        raw_id, bool) and str(raw_id) else None
    when = parse_instant(status.get("created_at")) if isinstance(status, dict) else None
    return Message((len(position), position) if position else None, position, when, status)
