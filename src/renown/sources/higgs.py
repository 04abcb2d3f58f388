"""SNAP Higgs Twitter activity: ``userA userB unix_ts RT|MT|RE`` per line.

For RT and RE, userA acted on content by userB; for MT, userA mentioned userB
(De Domenico et al., "The anatomy of a scientific rumor", Sci. Rep. 2013).
The file has no event ids, so each is derived from the whole line, which makes
re-ingesting the same or an overlapping file idempotent.

A line where userA == userB (a self-retweet, a reply in one's own thread, a
self-mention; 7,588 in the real file) is a real tweet but not a reaction to
anybody: it is kept as the same kind with no subject, so it counts as the
author's output and never as an outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from renown.sources.base import BATCH_SCHEMA, Batch, Rejection, SourceOptions
from renown.sources.delimited import read_delimited, unix_seconds_to_timestamp
from renown.sources.sniffing import sniff_higgs as sniff  # noqa: F401  (Source.sniff)

DESCRIPTION: Final = "SNAP Higgs Twitter activity (userA userB unix_ts RT|MT|RE), plain or .gz"
EXPECTS_FOLDER: Final = False

_KIND_OF_CODE: Final = {"RT": "reshare", "MT": "mention", "RE": "reply"}


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    rows = read_delimited(path, ["actor", "author", "ts", "code"])
    table, lines = rows.table, rows.lines
    stamps, bad_ts = unix_seconds_to_timestamp(table.column("ts"))
    codes = pc.utf8_upper(table.column("code"))
    kinds = pc.replace_with_mask  # keep mypy quiet about dynamic attributes below
    del kinds
    kind = _map_codes(codes)
    bad = pc.or_(bad_ts, pc.is_null(kind))
    rejections = list(rows.rejections)
    for i in pc.indices_nonzero(bad).to_pylist():
        raw = " ".join(str(table.column(c)[i].as_py() or "") for c in table.column_names)
        reason = ("timestamp is not whole unix seconds" if bad_ts[i].as_py()
                  else "interaction code must be RT, MT or RE")
        rejections.append(Rejection.of(int(lines[i].as_py()), reason, raw))
    good = pc.invert(bad)
    table, stamps, kind, lines = (table.filter(good), stamps.filter(good), kind.filter(good),
                                  lines.filter(good))
    actor, author = table.column("actor"), table.column("author")
    network = options.network or "twitter"
    subject = pc.if_else(pc.equal(actor, author), pa.scalar(None, pa.string()), author)
    event_id = pc.binary_join_element_wise(actor, author, table.column("ts"),
                                           pc.utf8_upper(table.column("code")), "-")
    n = table.num_rows
    nulls = pa.nulls(n, pa.string())
    events = pa.table({
        "network": pa.array([network] * n, pa.string()) if n else nulls,
        "event_id": event_id, "ts": stamps, "actor": actor, "kind": kind, "subject": subject,
        "post_id": nulls, "parent_id": nulls, "text": nulls,
        "tags": pa.nulls(n, pa.list_(pa.string())), "lang": nulls, "topic": nulls,
        "url": nulls, "record": lines,
    }, schema=BATCH_SCHEMA)
    yield Batch(events, rejections)


def _map_codes(codes: pa.ChunkedArray) -> pa.ChunkedArray:
    """RT/MT/RE → kind; anything else → null."""
    result = pa.nulls(len(codes), pa.string())
    for code, kind in _KIND_OF_CODE.items():
        result = pc.if_else(pc.fill_null(pc.equal(codes, code), False), kind, result)
    return result
