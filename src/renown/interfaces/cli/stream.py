"""``renown stream bluesky | mastodon``: live ingestion, exactly once (docs/streaming.md).

The stream runs until a stop condition (``--max-events``, ``--until``,
``--duration``) or Ctrl-C / SIGTERM, which stop it cleanly: what was
received is committed, the summary printed.  Progress goes to stderr, at most
once a second, so the summary on stdout (or ``--json``) stays clean for
scripts.  ``--score-every`` re-scores with the same entry point as
``renown score`` (`renown.scoring.run.score_day`).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from renown.interfaces.cli.common import (
    DbOption,
    JsonOption,
    console,
    error_console,
    fail,
    print_json,
    store,
)
from renown.scoring.run import NothingToScoreError, score_day
from renown.sources.mastodon_pull import TOKEN_ENV
from renown.store.ingest import IngestReport
from renown.streaming.jetstream import DEFAULT_COLLECTIONS, DEFAULT_URL, JetstreamSource
from renown.streaming.jetstream import DEFAULT_REWIND_SECONDS as JETSTREAM_REWIND
from renown.streaming.mastodon import DEFAULT_REWIND_SECONDS as MASTODON_REWIND
from renown.streaming.mastodon import MastodonSource
from renown.streaming.runner import (
    StreamError,
    StreamOptions,
    StreamReport,
    StreamSource,
    run_stream,
)

stream_app = typer.Typer(help="Ingest a live stream (Bluesky Jetstream, a Mastodon timeline) "
                              "continuously, exactly once across restarts.",
                         no_args_is_help=True)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

NameOption = Annotated[str | None, typer.Option(
    "--name", help="Name of this stream's cursor in the store (default: format and URL).",
    show_default=False)]
RewindOption = Annotated[float | None, typer.Option(
    "--rewind", help="Seconds to rewind the cursor on (re)connect (default: 3 for Jetstream, "
                     "60 for Mastodon); what comes twice is deduplicated.", show_default=False)]
MaxEventsOption = Annotated[int | None, typer.Option(
    "--max-events", min=1, help="Stop once this many stream messages are committed.",
    show_default=False)]
UntilOption = Annotated[str | None, typer.Option(
    "--until", help="Stop once the stream reaches this time (ISO 8601, UTC unless it says).",
    show_default=False)]
DurationOption = Annotated[str | None, typer.Option(
    "--duration", help="Stop after this long (30s, 10m, 2h).", show_default=False)]
ScoreEveryOption = Annotated[str | None, typer.Option(
    "--score-every", help="Re-score (as `renown score`) at most this often (e.g. 10m).",
    show_default=False)]
TopicsOption = Annotated[bool, typer.Option(
    "--topics/--no-topics", help="With --score-every: also attribute topics.")]
BatchOption = Annotated[int, typer.Option(
    "--batch", min=1, help="Most messages in one committed micro-batch.")]
BatchSecondsOption = Annotated[float, typer.Option(
    "--batch-seconds", min=0.0, help="Longest wait after a batch's first message.")]
QueueOption = Annotated[int, typer.Option(
    "--queue", min=1, help="Messages held between reader and writer (back-pressure).")]
RetriesOption = Annotated[int | None, typer.Option(
    "--max-retries", min=0, help="Give up after this many failed connects in a row "
                                 "(default: never).", show_default=False)]


@dataclass(frozen=True, slots=True)
class _Common:
    options: StreamOptions
    score_topics: bool
    as_json: bool


def parse_duration(text: str, option: str) -> float:
    """``90``, ``30s``, ``10m``, ``2h``, ``1d`` → seconds (a clean usage error otherwise)."""
    match = _DURATION.fullmatch(text.strip())
    if not match or float(match.group(1)) <= 0:
        fail(f"{option} {text!r}: expected a duration such as 30s, 10m or 2h", code=2)
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def parse_until(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"--until {text!r}: expected an ISO 8601 time", code=2)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _common(max_events: int | None, until: str | None, duration: str | None,
            score_every: str | None, batch: int, batch_seconds: float, queue: int,
            max_retries: int | None, topics: bool, as_json: bool) -> _Common:
    options = StreamOptions(
        batch_messages=batch, batch_seconds=batch_seconds, queue_messages=queue,
        max_events=max_events, until=parse_until(until),
        duration=parse_duration(duration, "--duration") if duration else None,
        max_retries=max_retries,
        tick_every=parse_duration(score_every, "--score-every") if score_every else None)
    return _Common(options, topics, as_json)


@stream_app.command("bluesky")
def stream_bluesky_command(
    url: Annotated[str, typer.Option("--url", help="Jetstream subscribe URL.")] = DEFAULT_URL,
    collection: Annotated[list[str] | None, typer.Option(
        "--collection", help="Only these collections (repeatable; default: posts, likes, "
                             "reposts, follows, profiles).", show_default=False)] = None,
    did: Annotated[list[str] | None, typer.Option(
        "--did", help="Only these accounts (repeatable).", show_default=False)] = None,
    name: NameOption = None, rewind: RewindOption = None,
    max_events: MaxEventsOption = None, until: UntilOption = None,
    duration: DurationOption = None, score_every: ScoreEveryOption = None,
    topics: TopicsOption = False, batch: BatchOption = 5_000,
    batch_seconds: BatchSecondsOption = 1.0, queue: QueueOption = 20_000,
    max_retries: RetriesOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Stream Bluesky's firehose (Jetstream) into the store, resuming from its cursor."""
    common = _common(max_events, until, duration, score_every, batch, batch_seconds, queue,
                     max_retries, topics, as_json)
    try:
        source = JetstreamSource(url, collections=collection or DEFAULT_COLLECTIONS,
                                 dids=did or (), name=name,
                                 rewind_seconds=JETSTREAM_REWIND if rewind is None else rewind)
    except StreamError as exc:
        fail(str(exc), code=2)
    _run(source, common, db)


@stream_app.command("mastodon")
def stream_mastodon_command(
    instance: Annotated[str, typer.Argument(help="Instance URL, e.g. https://mastodon.social")],
    timeline: Annotated[str, typer.Option(
        "--timeline", help="public, public:local, public:remote, hashtag:TAG or list:ID "
                           f"(a list needs ${TOKEN_ENV}).")] = "public",
    streaming_url: Annotated[str | None, typer.Option(
        "--streaming-url", help="Streaming API base URL (default: the instance's "
                                "urls.streaming_api).", show_default=False)] = None,
    name: NameOption = None, rewind: RewindOption = None,
    max_events: MaxEventsOption = None, until: UntilOption = None,
    duration: DurationOption = None, score_every: ScoreEveryOption = None,
    topics: TopicsOption = False, batch: BatchOption = 5_000,
    batch_seconds: BatchSecondsOption = 1.0, queue: QueueOption = 20_000,
    max_retries: RetriesOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Stream a Mastodon timeline into the store, catching up from its cursor on restart."""
    common = _common(max_events, until, duration, score_every, batch, batch_seconds, queue,
                     max_retries, topics, as_json)
    try:
        source = MastodonSource(instance, timeline, token=os.environ.get(TOKEN_ENV) or None,
                                streaming_url=streaming_url, name=name,
                                rewind_seconds=MASTODON_REWIND if rewind is None else rewind)
    except StreamError as exc:
        fail(str(exc), code=2)
    _run(source, common, db)


class _Progress:
    """One stderr line per commit, at most once a second (and always the first)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, report: StreamReport, ingest: IngestReport) -> None:
        if self.quiet or time.monotonic() - self.last < 1.0:
            return
        self.last = time.monotonic()
        lag = report.lags[-1] if report.lags else None
        error_console.print(
            f"committed {report.messages:,} messages: {report.ingested:,} new events, "
            f"{report.duplicates:,} already stored, {report.quarantined:,} quarantined; "
            f"cursor {report.position}" + (f"; lag {lag:.2f} s" if lag is not None else ""),
            highlight=False, soft_wrap=True)


def _run(source: StreamSource, common: _Common, db: Path | None) -> None:
    def rescore(con: duckdb.DuckDBPyConnection) -> None:
        try:
            info = score_day(con, topics=common.score_topics)
        except NothingToScoreError:
            return
        error_console.print(f"scored {info.people:,} people as of {info.as_of}",
                            highlight=False)

    with store(db) as con:
        try:
            report = run_stream(con, source, common.options, on_commit=_Progress(common.as_json),
                                tick=rescore if common.options.tick_every else None)
        except StreamError as exc:
            fail(str(exc))
    _summary(report, common.as_json)
    if report.stopped == "signal SIGINT":
        raise typer.Exit(130)


def _summary(report: StreamReport, as_json: bool) -> None:
    lag = {"p50": report.lag(0.5), "p99": report.lag(0.99), "max": report.lag(1.0)}
    if as_json:
        print_json({"stream": report.stream, "cursor": report.position,
                    "messages": report.messages, "ingested": report.ingested,
                    "duplicates": report.duplicates, "quarantined": report.quarantined,
                    "batches": report.batches, "reconnects": report.reconnects,
                    "scored": report.ticks, "peak_queue": report.peak_queue,
                    "seconds": round(report.seconds, 3),
                    "stopped": report.stopped, "lag_seconds": lag,
                    "not_stored": dict(sorted(report.notes.items()))})
        return
    rate = report.messages / report.seconds if report.seconds else 0.0
    console.print(f"streamed {report.messages:,} messages in {report.seconds:.1f} s "
                  f"({rate:,.0f}/s): {report.ingested:,} new events, {report.duplicates:,} "
                  f"already stored, {report.quarantined:,} quarantined; "
                  f"{report.reconnects} reconnects; stopped: {report.stopped or '-'}")
    if lag["p50"] is not None:
        console.print(f"lag p50 {lag['p50']:.2f} s, p99 {lag['p99']:.2f} s, "
                      f"max {lag['max']:.2f} s; cursor {report.position}")
