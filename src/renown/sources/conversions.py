"""Conversion imports: orders or sign-ups a brand attributes to tracked-link codes.

Three shapes are read, told apart by content:

* **CSV of orders** (a shop's export): a header row with a code column
  (``code``, ``ref``, ``renown_code``, ``utm_content``, ``coupon``), an order id
  (``order_id``, ``id``, ``transaction_id``), a time (``ts``, ``timestamp``,
  ``created_at``, ``date``, ``order_date``) and optionally ``value`` (``amount``,
  ``revenue``, ``total``), ``outcome`` (``type``, ``event``) and a customer
  (``customer``, ``customer_id``, ``client_id``).
* **JSON**: an array of such objects, an object holding one under
  ``conversions``/``orders``/``data``, or JSON Lines.
* **UTM-tagged web analytics export** (GA4/Matomo/Plausible style CSV: one row
  per landing page or campaign with a count): the code is ``utm_content``
  (or the ``ref``/``utm_content`` query parameter of a ``landing_page``/``page``
  URL), the count is ``conversions`` (``key_events``, ``goal_completions``,
  ``signups``), the day ``date``.  Such rows have no order ids, so the row's
  content and index stand in for them: re-importing the same export adds
  nothing.

Each row becomes `ConversionRecord`s; a row that cannot be read becomes a
`Rejection` naming its line and reason.  Which codes exist is the store's
business (`renown.store.outcomes`), not this parser's.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from renown.sources.base import Rejection, SourceError, check_input_path
from renown.sources.compressed import open_stream

_CODE: Final = ("code", "ref", "renown_code", "utm_content", "coupon")
_ORDER: Final = ("order_id", "id", "transaction_id", "order")
_TIME: Final = ("ts", "timestamp", "created_at", "date", "order_date", "time")
_VALUE: Final = ("value", "amount", "revenue", "total", "purchase_revenue")
_OUTCOME: Final = ("outcome", "type", "event", "event_name")
_CUSTOMER: Final = ("customer", "customer_id", "client_id", "user_id")
#: Columns that name or reach a customer: never kept, not even in the quarantine.
_PERSONAL: Final = frozenset((
    *_CUSTOMER, "email", "e-mail", "customer_email", "ip", "ip_address", "phone", "name",
    "customer_name", "first_name", "last_name", "address", "billing_address", "shipping_address"))
_EMAIL: Final = re.compile(r"[^\s\"'<>,;:@]+@[^\s\"'<>,;:@]+\.[A-Za-z]{2,}")
_COUNT: Final = ("conversions", "key_events", "goal_completions", "signups", "sign_ups")
_URL: Final = ("landing_page", "page", "page_location", "url", "landing_page_url")
#: One analytics row claims at most this many conversions (beyond: a broken export).
MAX_ROW_COUNT: Final = 100_000


@dataclass(frozen=True, slots=True)
class ConversionRecord:
    """One conversion, as read: ``ts`` naive UTC; ``outcome`` None means the goal's."""

    record: int
    code: str
    order_id: str
    ts: datetime
    value: float = 0.0
    outcome: str | None = None
    customer: str | None = None
    raw: str = ""


def read_conversions(path: Path) -> tuple[list[ConversionRecord], list[Rejection]]:
    """Every conversion of a file, and the rows refused with their reasons."""
    check_input_path(path, expects_folder=False)
    try:
        with open_stream(path) as handle:  # .gz/.zst/.bz2 too; exports are small: read whole
            data = handle.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(path, f"cannot read the compressed file: {exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        raise SourceError(path, "the file is empty: expected a CSV or JSON of conversions")
    try:
        if stripped[0] in "[{":
            return _from_rows(_json_rows(path, stripped))
        return _from_rows(_csv_rows(path, stripped))
    except (RecursionError, csv.Error) as exc:
        raise SourceError(path, f"cannot read the file: {type(exc).__name__}: {exc}") from None
    except ValueError as exc:  # a JSON number longer than Python reads
        raise SourceError(path, f"cannot read the file: {exc}") from None


def conversion_from_payload(payload: Mapping[str, Any], *, record: int = 1,
                            fallback_order: str | None = None) -> ConversionRecord:
    """One conversion from a webhook body; ``ValueError`` names what is wrong."""
    if not isinstance(payload, Mapping):
        raise ValueError("expected a JSON object")
    row = {str(k).strip().lower(): v for k, v in payload.items()}
    if fallback_order is not None and _pick(row, _ORDER) is None:
        row["order_id"] = fallback_order
    records = list(_records(record, row, excerpt(row)))
    if len(records) != 1:
        raise ValueError("a webhook call records exactly one conversion")
    return records[0]


def _json_rows(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from _json_lines(path, text)
        return
    if isinstance(data, dict):
        data = next((data[k] for k in ("conversions", "orders", "data") if k in data), [data])
    if not isinstance(data, list):
        raise SourceError(path, "expected a JSON array of conversions")
    yield from enumerate(data, start=1)


def _json_lines(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as exc:
            if line_no == 1:
                raise SourceError(path, f"neither JSON nor JSON Lines: {exc.msg}", 1) from None
            yield line_no, {"__error__": f"invalid JSON: {exc.msg}"}


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    lines = text.splitlines()
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise SourceError(path, f"cannot read the CSV header: {exc}", 1) from None
    if not any(h in _CODE or h in _URL for h in header):
        raise SourceError(path, "no tracked-link code column (expected one of: "
                          f"{', '.join(_CODE + _URL)})", 1)
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield line_no, {"__error__": f"{len(values)} fields, the header has "
                                         f"{len(header)}",
                   **dict(zip(header, values, strict=False))}
            continue
        yield line_no, dict(zip(header, values, strict=True))


def _from_rows(rows: Iterator[tuple[int, Any]]
               ) -> tuple[list[ConversionRecord], list[Rejection]]:
    found: list[ConversionRecord] = []
    refused: list[Rejection] = []
    for line, row in rows:
        raw = excerpt(row)
        try:
            if not isinstance(row, dict):
                raise ValueError("expected an object per conversion")
            if "__error__" in row:
                raise ValueError(str(row["__error__"]))
            found.extend(_records(line, {str(k).strip().lower(): v for k, v in row.items()},
                                  raw))
        except ValueError as exc:
            refused.append(Rejection.of(line, str(exc), raw))
    return found, refused


def _records(line: int, row: dict[str, Any], raw: str) -> Iterator[ConversionRecord]:
    """The conversions one row stands for: one order, or an analytics row's count."""
    code = _code(row)
    ts = _timestamp(_pick(row, _TIME))
    value = _number(_pick(row, _VALUE), "value", default=0.0)
    outcome = _text(_pick(row, _OUTCOME))
    customer = _text(_pick(row, _CUSTOMER))
    order = _text(_pick(row, _ORDER))
    count_text = _pick(row, _COUNT)
    if order is not None:
        yield ConversionRecord(line, code, order, ts, value, outcome, customer, raw)
        return
    if count_text is None:
        raise ValueError(f"no order id (expected one of: {', '.join(_ORDER)}) and no "
                         f"conversion count ({', '.join(_COUNT)})")
    count = _number(count_text, "conversion count", default=0.0)
    if count != int(count) or not 0 <= count <= MAX_ROW_COUNT:
        raise ValueError(f"conversion count {count_text!r} must be a whole number "
                         f"0–{MAX_ROW_COUNT}")
    row_key = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()
    share = value / count if count else 0.0
    for i in range(int(count)):
        yield ConversionRecord(line, code, f"row-{row_key[:16]}-{i}", ts, share, outcome,
                               customer, raw)


def excerpt(row: object) -> str:
    """What a quarantine row may keep of ``row``: its fields, the personal ones removed.

    Shops put the customer's id, e-mail and name beside each order; Renown
    stores none of them (a customer is a keyed hash, `renown.store.outcomes`),
    so neither does the quarantine: personal columns become ``[removed]`` and
    anything shaped like an e-mail address is masked.  A row that could not be
    read as fields (invalid JSON) keeps nothing.
    """
    if not isinstance(row, Mapping):
        return ""
    kept = {str(k): "[removed]" if str(k).strip().lower() in _PERSONAL else v
            for k, v in row.items() if k != "__error__"}
    if not kept:
        return ""
    return _EMAIL.sub("[removed]", json.dumps(kept, default=str, ensure_ascii=False))[:2000]


def _pick(row: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip() != "":
            return value
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def _code(row: Mapping[str, Any]) -> str:
    code = _text(_pick(row, _CODE))
    if code is None:
        url = _text(_pick(row, _URL))
        if url is not None:
            query = parse_qs(urlsplit(url).query)
            code = next((query[k][0] for k in ("ref", "utm_content", "code") if k in query),
                        None)
    if code is None:
        raise ValueError("no tracked-link code (a code column, or ?ref=/utm_content= in the "
                         "landing page URL)")
    return code


def _number(value: Any, what: str, *, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} {value!r} must be a finite, non-negative number")
    return number


def _timestamp(value: Any) -> datetime:
    if value is None:
        raise ValueError(f"no time (expected one of: {', '.join(_TIME)})")
    text = str(value).strip()
    try:
        if text.isdigit() and len(text) == 8:  # GA4 exports days as 20260301
            moment = datetime.strptime(text, "%Y%m%d")
        elif text.replace(".", "", 1).isdigit():
            moment = datetime.fromtimestamp(float(text), UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"time {text!r} is not an ISO 8601 date or time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
