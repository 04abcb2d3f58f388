"""Live ingestion: network streams into the store, exactly once (``renown stream``).

`runner.run_stream` supervises one stream (reconnect with backoff, a bounded
queue, transactional micro-batches with their cursor); `jetstream` and
`mastodon` are the two streams; `replay` has loopback servers speaking their
protocols, replaying real captures (tests, benchmarks).  docs/streaming.md
has the guarantees and how they are kept.
"""

from renown.streaming.runner import (
    Message,
    StreamError,
    StreamOptions,
    StreamReport,
    StreamSource,
    run_stream,
)

__all__ = ["Message", "StreamError", "StreamOptions", "StreamReport", "StreamSource",
           "run_stream"]
