"""What every source produces, and how it reports what it could not read.

A source is a module with ``read(path, options) -> Iterator[Batch]`` (plus a
``DESCRIPTION`` and ``EXPECTS_FOLDER``).  It yields the events it parsed as
Arrow tables in `renown.events.EVENT_SCHEMA` (plus a ``record`` column: the
1-based line or record number each came from), and a `Rejection` for every
record it could not parse.  Rows that parse but break the event rules are
caught later, by the store, with the same rules for every source.  A source
raises `SourceError` only when the input as a whole is unusable (missing,
truncated, wrong kind of file): then nothing of that input is stored.

A source may also define ``sniff(path, head) -> bool``: whether ``path`` (a
file, or a folder for folder formats) looks like its format, from the file
name and ``head``, the first 64 KiB of the file (empty for folders).  It must
be cheap and must not raise; ``renown ingest`` without ``--format`` asks every
source and uses the one that says yes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol

import duckdb
import pyarrow as pa

from renown.errors import RenownError
from renown.events import EVENT_SCHEMA

#: The event columns plus the record number, as sources yield them.
BATCH_SCHEMA: Final = EVENT_SCHEMA.append(pa.field("record", pa.int64()))
#: Optional account facts a source knows (display names, follower counts).
ACCOUNT_SCHEMA: Final = pa.schema([
    pa.field("network", pa.string()),
    pa.field("account", pa.string()),
    pa.field("display_name", pa.string()),
    pa.field("followers", pa.int64()),
])
#: How much of a bad record is kept in quarantine for people to look at.
RAW_EXCERPT_CHARS: Final = 2000


class SourceError(RenownError):
    """The input cannot be read at all; names the file, where, and why."""

    def __init__(self, file: str | Path, reason: str, record: int | None = None) -> None:
        self.file = str(file)
        self.reason = reason
        self.record = record
        where = f"{self.file}, record {record}" if record is not None else self.file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that could not be parsed: where it was, and why."""

    record: int
    reason: str
    raw: str = ""
    #: The file inside a folder input; None means the input path itself.
    file: str | None = None

    @staticmethod
    def of(record: int, reason: str, raw: str | bytes, file: str | None = None) -> Rejection:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        return Rejection(record, reason, text[:RAW_EXCERPT_CHARS], file)


@dataclass(slots=True)
class Batch:
    """Part of one input: parsed events, rejected records, account facts."""

    events: pa.Table
    rejections: list[Rejection] = field(default_factory=list)
    accounts: pa.Table | None = None
    #: The file inside a folder input these rows came from (None: the input itself),
    #: so quarantined rows name the file their record numbers refer to.
    file: str | None = None
    #: Instead of ``events`` (then empty): a DuckDB SELECT giving the batch columns
    #: straight from the input file, for files already in the store's types
    #: (`renown.sources.parquet_scan`); the store runs it in place of an Arrow scan.
    scan: str | None = None

    def table(self) -> pa.Table:
        """The rows as an Arrow table in `BATCH_SCHEMA` (running the scan, if it is one)."""
        if self.scan is None:
            return self.events
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            return con.sql(self.scan).to_arrow_table().cast(BATCH_SCHEMA)
        finally:
            con.close()


class BatchBuffer:
    """Rows, rejections and account facts of one input, handed out as batches.

    The part every row-by-row source shares; each source adds how it builds
    rows, rejects records and merges account facts (those rules differ).
    """

    def __init__(self, network: str, file: str | None = None) -> None:
        self.network = network
        #: The file inside a folder input the rows come from (see `Batch.file`).
        self.file = file
        self.rows: list[dict[str, object]] = []
        self.rejections: list[Rejection] = []
        self.accounts: dict[str, dict[str, object]] = {}

    def size(self) -> int:
        return len(self.rows) + len(self.rejections) + len(self.accounts)

    def take(self) -> Batch:
        """Everything buffered so far, as one batch; the buffer starts empty again."""
        events = pa.Table.from_pylist(self.rows, schema=BATCH_SCHEMA)
        accounts = (pa.Table.from_pylist(list(self.accounts.values()), schema=ACCOUNT_SCHEMA)
                    if self.accounts else None)
        batch = Batch(events, self.rejections, accounts, file=self.file)
        self.rows, self.rejections, self.accounts = [], [], {}
        return batch


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """Options some formats need: which network to file events under, which kind."""

    network: str | None = None
    kind: str | None = None


class Source(Protocol):
    """The module interface of a source (see the module docstring)."""

    DESCRIPTION: str
    #: True: a folder; False: a file; None: either.
    EXPECTS_FOLDER: bool | None

    def read(self, path: Path, options: SourceOptions) -> Iterator[Batch]: ...


def empty_batch() -> pa.Table:
    return BATCH_SCHEMA.empty_table()


def check_input_path(path: Path, *, expects_folder: bool | None) -> None:
    """Fail early, with a clear reason, on a path of the wrong kind (None: either is fine).

    A folder is also checked member by member (`check_folder_members`), and a
    file must be a regular file: a FIFO or device would never end.
    """
    if not path.exists():
        raise SourceError(path, "no such file or folder")
    if expects_folder is True and not path.is_dir():
        raise SourceError(path, "expected a folder, got a file")
    if expects_folder is False and path.is_dir():
        raise SourceError(path, "expected a file, got a folder")
    if path.is_dir():
        check_folder_members(path)
    elif not path.is_file():
        raise SourceError(path, "not a regular file (a FIFO, device or socket never ends)")


def check_folder_members(folder: Path) -> None:
    """Refuse a folder (an unpacked export) whose entries could fool a reader.

    An archive someone sends can carry a symbolic link to a file outside it
    (``tweets.js -> ~/.ssh/id_rsa``: its lines would land in quarantine for
    anyone to read), a FIFO that blocks the reader forever, or a name that is
    not UTF-8 (it could not be stored as the file a record came from).  Such
    an input is refused as a whole; links that stay inside the folder are fine.
    """
    root = folder.resolve()
    for current, folders, files in os.walk(folder):  # never descends into linked folders
        for name in folders + files:
            entry = Path(current) / name
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise SourceError(entry, "file name is not valid UTF-8 (rename it)") from None
            if entry.is_symlink() and not entry.resolve().is_relative_to(root):
                raise SourceError(entry, "symbolic link to something outside the input "
                                         "folder: refusing to follow it")
            if not entry.is_dir() and not entry.is_file():
                raise SourceError(entry, "not a regular file (a FIFO, device, socket or "
                                         "broken link)")
