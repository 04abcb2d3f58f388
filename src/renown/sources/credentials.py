"""Offline credentials (talks, publications, courses taught, awards, press) → events.

Influence also shows where no network records it.  A credential is a claim
with evidence: a kind, a date, a title and a public URL that shows it.  They
become events on network ``offline`` whose actor is the person's offline
account (the person id itself), so ``renown link`` (or ``renown credentials
add``, which links declared people) ties them to the person's other accounts.

YAML, one person per file::

    person: ann
    credentials:
      - kind: talk
        date: 2023-11-14
        title: Influence without follower counts, PyData Berlin
        url: https://example.org/talks/42
        tags: [graphs, influence]        # optional

CSV, header ``person,kind,date,title,url`` (``tags`` optional, ``a;b``)::

    person,kind,date,title,url
    ann,publication,2022-06,Measuring reach honestly,https://doi.org/10.1234/x

- **kind**: ``talk``, ``publication``, ``course`` (a course taught),
  ``award``, ``press``; plurals and any case are accepted.
- **date**: ``YYYY-MM-DD`` (or a date-time); ``YYYY-MM`` and ``YYYY`` stand
  for the first day of the month or year, for credentials known only that
  precisely.  A date in the future is refused by the store.
- **title**: what it was (talk title and venue, book title, award name).
- **url**: evidence, ``http(s)://``; required, because a credential without
  evidence is only a claim.
- **id**: derived from person, kind, date and title, so ingesting a file
  again, or adding the same credential on the command line, adds nothing.
  Changing a credential's URL alone therefore keeps the first one.

A record breaking these rules is quarantined with its line and the reason.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Final

import pyarrow as pa
import yaml

from renown.errors import RenownError
from renown.events import OFFLINE_KINDS, OFFLINE_NETWORK
from renown.sources.account_export import Collector, derived_id, read_text
from renown.sources.base import BATCH_SCHEMA, Batch, SourceError, SourceOptions

DESCRIPTION: Final = ("Offline credentials (talks, publications, courses, awards, press) as "
                      "YAML or CSV with a date, title and evidence URL each")
EXPECTS_FOLDER: Final = False
CSV_COLUMNS: Final = ("person", "kind", "date", "title", "url")
#: A person's credentials are a short list; YAML parsing is pure Python (~1 s per
#: MiB), so a bigger file is refused rather than parsed for minutes.
MAX_FILE_BYTES: Final = 4 * 1024 * 1024
#: The person-id rule of `renown.store.people`, so the offline account can be linked.
_PERSON: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
_URL: Final = re.compile(r"https?://\S+", re.IGNORECASE)
_PARTIAL_DATE: Final = re.compile(r"(\d{4})(?:-(\d{1,2}))?")


class CredentialError(ValueError, RenownError):
    """A credential that cannot be recorded, and why."""


def sniff(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return re.search(rb"(?m)^credentials\s*:", head) is not None
    if suffix == ".csv":
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
        columns = {c.strip().strip('"') for c in first.split(",")}
        return set(CSV_COLUMNS) <= columns and "actor" not in columns
    return False


def normalise_kind(kind: object) -> str:
    text = str(kind or "").strip().lower()
    if text not in OFFLINE_KINDS and text.endswith("s") and text[:-1] in OFFLINE_KINDS:
        text = text[:-1]
    if text not in OFFLINE_KINDS:
        raise CredentialError(f"unknown credential kind {kind!r} (expected one of: "
                              f"{', '.join(OFFLINE_KINDS)})")
    return text


def parse_date(value: object) -> datetime:
    """A date (or date-time, or YYYY-MM, or YYYY) as naive UTC."""
    if isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value if value is not None else "").strip()
    try:
        if match := _PARTIAL_DATE.fullmatch(text):
            return datetime(int(match.group(1)), int(match.group(2) or 1), 1)
        return _naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise CredentialError(f"unparseable date {value!r} (expected YYYY-MM-DD, YYYY-MM or "
                              "YYYY)") from None


def _naive_utc(value: datetime) -> datetime:
    offset = value.utcoffset()
    return (value - offset).replace(tzinfo=None) if offset is not None else value


def credential_row(person: object, kind: object, when: object, title: object, url: object,
                   tags: object = None) -> dict[str, object]:
    """One credential as an event row (`renown.events.EVENT_SCHEMA` columns)."""
    who = str(person or "").strip()
    if not _PERSON.fullmatch(who):
        raise CredentialError(f"person id {person!r} must be 1-128 letters, digits, '.', '_', "
                              "'@' or '-'")
    what = normalise_kind(kind)
    ts = parse_date(when)
    name = str(title if title is not None else "").strip()
    if not name:
        raise CredentialError("a credential needs a title")
    evidence = str(url or "").strip()
    if not _URL.fullmatch(evidence):
        raise CredentialError(f"a credential needs an evidence URL (http:// or https://), "
                              f"got {url!r}")
    return {
        "network": OFFLINE_NETWORK, "event_id": derived_id(what, who, ts.date(), name),
        "ts": ts, "actor": who, "kind": what, "subject": None, "post_id": None,
        "parent_id": None, "text": name, "tags": _tags(tags), "lang": None, "topic": None,
        "url": evidence,
    }


def _tags(value: object) -> list[str]:
    items = value.split(";") if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(t).strip() for t in items if str(t).strip()]


def credentials_table(rows: list[dict[str, object]]) -> pa.Table:
    """Rows from `credential_row` as a table `renown.store.ingest.ingest_table` takes."""
    numbered = [row | {"record": n} for n, row in enumerate(rows, start=1)]
    return pa.Table.from_pylist(numbered, schema=BATCH_SCHEMA)


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    if options.network not in (None, OFFLINE_NETWORK):
        raise SourceError(path, f"credentials are always on network {OFFLINE_NETWORK}, "
                          f"not {options.network!r}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SourceError(path, f"larger than {MAX_FILE_BYTES >> 20} MiB: not a credentials "
                                "file (one person's talks, publications, awards...)")
    out = Collector(OFFLINE_NETWORK, None)
    text = read_text(path)
    items = _csv_items(path, text) if path.suffix.lower() == ".csv" else _yaml_items(path, text)
    for line, item in items:
        try:
            row = credential_row(item.get("person"), item.get("kind"), item.get("date"),
                                 item.get("title"), item.get("url"), item.get("tags"))
        except CredentialError as exc:
            out.reject(line, str(exc), item)
            continue
        out.rows.append(row | {"record": line})
    yield out.take()


def _yaml_items(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    """(line, fields) of each credential; the node tree gives the lines."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise SourceError(path, f"malformed YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    except RecursionError as exc:
        raise SourceError(path, "YAML nested too deeply") from exc
    if not isinstance(data, dict) or not isinstance(data.get("credentials"), list):
        raise SourceError(path, "expected 'person:' and a 'credentials:' list of "
                          "kind/date/title/url entries")
    lines = _item_lines(root, "credentials")
    person = data.get("person")
    items: list[tuple[int, dict[str, object]]] = []
    for index, entry in enumerate(data["credentials"]):
        fields = entry if isinstance(entry, dict) else {"entry": entry}
        line = lines[index] if index < len(lines) else index + 1
        items.append((line, {"person": person, **{str(k): v for k, v in fields.items()}}))
    return items


def _item_lines(root: yaml.Node | None, key: str) -> list[int]:
    """1-based line of each item of the list under ``key`` in a composed YAML mapping."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key and isinstance(
                value_node, yaml.SequenceNode):
            return [node.start_mark.line + 1 for node in value_node.value]
    return []


def _csv_items(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(text.replace("\x00", "")))
    try:
        header = [c.strip().lower() for c in reader.fieldnames or ()]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise SourceError(path, f"missing column(s) {', '.join(missing)} (expected header "
                              f"{','.join(CSV_COLUMNS)}[,tags])")
        reader.fieldnames = header
        items: list[tuple[int, dict[str, object]]] = []
        start = reader.line_num + 1
        for row in reader:
            items.append((start, {k: v for k, v in row.items() if k is not None}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(path, f"unreadable CSV at line {reader.line_num}: {exc}") from exc
    return items
