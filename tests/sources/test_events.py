"""The generic event format: JSON Lines, CSV and Parquet, read field by field."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from renown.events import KINDS, OFFLINE_KINDS
from renown.sources import SourceError, SourceOptions, event_rows
from renown.sources.base import BATCH_SCHEMA, Rejection
from renown.sources.events import SCHEMA_FILE, read

FORMATS_DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def _read(path: Path, options: SourceOptions | None = None,
          ) -> tuple[list[dict[str, Any]], list[Rejection]]:
    rows: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    for batch in read(path, options or SourceOptions()):
        assert batch.table().schema == BATCH_SCHEMA
        rows.extend(batch.table().to_pylist())
        rejections.extend(batch.rejections)
    return rows, rejections


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    text = "".join(json.dumps(r) + "\n" for r in records)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _doc_block(language: str) -> str:
    """The first ```language block of docs/formats.md: the docs' examples must work."""
    match = re.search(rf"```{language}\n(.*?)```", FORMATS_DOC.read_text(), re.S)
    assert match, f"no {language} example in {FORMATS_DOC}"
    return match.group(1)


BASE = {"network": "twitter", "actor": "ana", "kind": "post"}


def test_jsonl_timestamps_in_every_shape_become_naive_utc(tmp_path: Path) -> None:
    shapes = ["2012-07-01T10:00:00Z", "2012-07-01T12:00:00+02:00", "2012-07-01T08:30:00-0130",
              "2012-07-01 10:00:00", "2012-07-01T10:00:00.250000Z", 1341136800, 1341136800.5,
              "1341136800", "2012-07-01"]
    path = _jsonl(tmp_path / "t.jsonl", [{**BASE, "event_id": str(i), "ts": ts}
                                         for i, ts in enumerate(shapes)])
    rows, rejections = _read(path)
    assert rejections == []
    ten = datetime(2012, 7, 1, 10, 0)
    assert [r["ts"] for r in rows] == [
        ten, ten, ten, ten, ten.replace(microsecond=250_000), ten, ten.replace(microsecond=500_000),
        ten, datetime(2012, 7, 1)]
    assert all(r["ts"].tzinfo is None for r in rows)
    assert [r["record"] for r in rows] == list(range(1, len(shapes) + 1))


def test_jsonl_fields_tags_network_option_and_unknown_fields(tmp_path: Path) -> None:
    records = [
        {"network": "mastodon", "event_id": "m1", "ts": "2024-03-01T08:00:00Z", "actor": "ana",
         "kind": "post", "post_id": "p1", "text": "hello", "tags": ["a", "b"], "lang": "en",
         "url": "https://x.example/p1", "likes": 12, "author": {"name": "Ana"}},
        {"event_id": 77, "ts": "2024-03-01T08:01:00Z", "actor": "bo", "kind": "like",
         "subject": "ana", "parent_id": "p1", "tags": "x; y;;"},
        {"event_id": "e3", "ts": "2024-03-01T08:02:00Z", "actor": "cy", "kind": "endorse",
         "subject": "ana", "topic": "graphs", "network": ""},
    ]
    rows, rejections = _read(_jsonl(tmp_path / "f.ndjson", records),
                             SourceOptions(network="bluesky"))
    assert rejections == []
    first, second, third = rows
    assert first == {
        "network": "mastodon", "event_id": "m1", "ts": datetime(2024, 3, 1, 8), "actor": "ana",
        "kind": "post", "subject": None, "post_id": "p1", "parent_id": None, "text": "hello",
        "tags": ["a", "b"], "lang": "en", "topic": None, "url": "https://x.example/p1",
        "record": 1}
    assert (second["network"], second["event_id"], second["tags"]) == ("bluesky", "77",
                                                                       ["x", "y"])
    assert (second["subject"], second["parent_id"]) == ("ana", "p1")
    assert (third["network"], third["topic"]) == ("bluesky", "graphs")  # "" is missing


def test_derived_ids_are_stable_and_the_same_in_every_encoding(tmp_path: Path) -> None:
    event = {"network": "twitter", "ts": "2024-03-01T09:00:00+01:00", "actor": "ana",
             "kind": "reply", "subject": "bo", "text": "hi, there", "tags": ["x", "y"]}
    jsonl = _jsonl(tmp_path / "a.jsonl", [event, {**event, "text": "other"}])
    first, _ = _read(jsonl)
    again, _ = _read(jsonl)
    assert [r["event_id"] for r in first] == [r["event_id"] for r in again]
    assert re.fullmatch("[0-9a-f]{40}", first[0]["event_id"])
    assert first[0]["event_id"] != first[1]["event_id"]
    epoch = _jsonl(tmp_path / "b.jsonl", [{**event, "ts": 1709280000, "tags": "x;y"}])
    csv_path = tmp_path / "c.csv"
    csv_path.write_text('network,ts,actor,kind,subject,text,tags\n'
                        'twitter,2024-03-01T08:00:00Z,ana,reply,bo,"hi, there","[""x"",""y""]"\n')
    table = pa.table({"network": ["twitter"], "actor": ["ana"], "kind": ["reply"],
                      "subject": ["bo"], "text": ["hi, there"], "tags": [["x", "y"]],
                      "ts": pa.array([1709280000], pa.timestamp("s", "Europe/Paris"))})
    pq.write_table(table, tmp_path / "d.parquet")
    ids = {_read(p)[0][0]["event_id"] for p in (epoch, csv_path, tmp_path / "d.parquet")}
    assert ids == {first[0]["event_id"]}
    # The network option is part of the content: the same line filed elsewhere differs.
    bare = _jsonl(tmp_path / "e.jsonl", [{k: v for k, v in event.items() if k != "network"}])
    assert _read(bare, SourceOptions(network="twitter"))[0][0]["event_id"] == ids.pop()
    assert _read(bare, SourceOptions(network="mastodon"))[0][0]["event_id"] not in {
        first[0]["event_id"]}


def test_jsonl_bad_lines_are_rejected_with_their_line_numbers(tmp_path: Path) -> None:
    good = json.dumps({**BASE, "event_id": "x", "ts": 1_000_000_000}).encode()
    lines = [good] * 300
    bad = {5: b"{not json", 77: b'["an", "array"]', 150: b'{"actor": {"id": 1}, "ts": 1}',
           151: b'{"actor": "a\xff", "ts": 1}', 200: b'{"ts": "next tuesday", "actor": "a"}',
           299: b'{"ts": 1, "actor": "a", "tags": "[oops"}'}
    for line, text in bad.items():
        lines[line - 1] = text
    lines[9] = b""  # blank lines are not records
    lines[10] = b"   "
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\r\n".join(lines))  # CRLF, and no newline at the end
    rows, rejections = _read(path)
    assert [r.record for r in rejections] == sorted(bad)
    reasons = dict(zip(sorted(bad), (r.reason for r in rejections), strict=True))
    assert reasons[5].startswith("invalid JSON")
    assert reasons[77] == "not a JSON object (a JSON list)"
    assert reasons[150] == "field actor must be a string or a number, not a JSON dict"
    assert reasons[151].startswith("invalid UTF-8")
    assert reasons[200] == "timestamp is neither ISO 8601 nor unix epoch seconds"
    assert reasons[299] == "tags look like a JSON array but are not valid JSON"
    assert rejections[0].raw == "{not json"
    assert len(rows) == 300 - len(bad) - 2
    assert [r["record"] for r in rows][:12] == [1, 2, 3, 4, 6, 7, 8, 9, 12, 13, 14, 15]


def test_record_splitting_across_read_blocks_and_the_length_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny blocks and limit: records straddle every block boundary."""
    monkeypatch.setattr(event_rows, "READ_BYTES", 64)
    monkeypatch.setattr(event_rows, "MAX_RECORD_BYTES", 120)
    lines = []
    for i in range(1, 41):
        text = "x" * (200 if i % 7 == 0 else i * 2)
        lines.append(json.dumps({**BASE, "event_id": str(i), "ts": 1, "text": text}))
    path = tmp_path / "small.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    rows, rejections = _read(path)
    too_long = [i for i in range(1, 41) if len(lines[i - 1]) > 120]
    assert too_long and too_long[0] < 40
    assert [r.record for r in rejections] == too_long
    assert {r.reason for r in rejections} == {event_rows._TOO_LONG}
    assert [r["record"] for r in rows] == [i for i in range(1, 41) if i not in too_long]
    assert [r["event_id"] for r in rows] == [str(r["record"]) for r in rows]


def test_csv_round_trip_quoted_line_breaks_and_header_rules(tmp_path: Path) -> None:
    path = tmp_path / "e.csv.gz"
    text = ("Network , EVENT_ID,ts,actor,kind,subject,text,tags,likes\n"
            'twitter,1,2024-03-01T08:00:00Z,ana,post,,"Hello, ""world""",a;b,3\n'
            'twitter,2,1709280300,bo,reply,ana,"two\nlines\nhere",,\n'
            "twitter,3,2024-03-01 08:10:00,cy,like,ana,,,\n"
            "twitter,4,2024-03-01,dee,like\n"
            '\n'
            'twitter,5,2024-03-01T08:20:00+00:00,eve,like,ana,,"[""q"", ""r""]",\n')
    path.write_bytes(gzip.compress(text.encode()))
    rows, rejections = _read(path)
    # Row 2 spans lines 3-5, so the row after it starts on line 6.
    assert [(r.record, r.reason) for r in rejections] == [
        (7, "expected 9 columns as in the header, found 5")]
    assert [r["record"] for r in rows] == [2, 3, 6, 9]
    one, two, three, five = rows
    assert (one["text"], one["tags"], one["subject"]) == ('Hello, "world"', ["a", "b"], None)
    assert (two["text"], two["ts"]) == ("two\nlines\nhere", datetime(2024, 3, 1, 8, 5))
    assert (three["ts"], three["tags"], three["text"]) == (datetime(2024, 3, 1, 8, 10), None, None)
    assert five["tags"] == ["q", "r"]


def test_csv_wrong_columns_found_among_many_good_rows(tmp_path: Path) -> None:
    good = "twitter,{i},2024-03-01T08:00:00Z,u{i},post\n"
    body = [good.format(i=i) for i in range(2, 502)]
    body[100] = "twitter,oops,too,many,fields,here\n"  # line 102
    body[400] = "only,three,fields\n"  # line 402
    path = tmp_path / "many.csv"
    path.write_text("network,event_id,ts,actor,kind\n" + "".join(body))
    rows, rejections = _read(path)
    assert [r.record for r in rejections] == [102, 402]
    assert len(rows) == 498
    assert rows[-1]["record"] == 501


def test_csv_and_parquet_without_required_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_ts.csv"
    path.write_text("network,actor,kind\ntwitter,ana,post\n")
    with pytest.raises(SourceError, match="no column named ts"):
        _read(path)
    pq.write_table(pa.table({"actor": ["a"], "ts": [1]}), tmp_path / "no_kind.parquet")
    with pytest.raises(SourceError, match="no column named kind"):
        _read(tmp_path / "no_kind.parquet")


def test_parquet_types_are_cast_and_rows_numbered(tmp_path: Path) -> None:
    n = 5
    table = pa.table({
        "network": pa.array(["twitter"] * n).dictionary_encode(),
        "event_id": pa.array(range(100, 100 + n), pa.int64()),
        "ts": pa.array([datetime(2024, 3, 1, 9, tzinfo=UTC)] * n, pa.timestamp("ns", "UTC")),
        "actor": pa.array(["ana", "bo", "", None, "eve"], pa.large_string()),
        "kind": ["post"] * n,
        "tags": pa.array([["a"], [], None, ["b", "c"], ["d"]], pa.large_list(pa.string())),
        "extra": list(range(n)),
    })
    path = tmp_path / "e.parquet"
    pq.write_table(table, path)
    rows, rejections = _read(path)
    assert rejections == []
    assert [r["record"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["event_id"] for r in rows] == ["100", "101", "102", "103", "104"]
    assert {r["ts"] for r in rows} == {datetime(2024, 3, 1, 9)}
    assert [r["actor"] for r in rows] == ["ana", "bo", None, None, "eve"]
    assert [r["tags"] for r in rows] == [["a"], [], None, ["b", "c"], ["d"]]
    epoch = pa.table({"actor": ["a", "b"], "kind": ["post"] * 2, "ts": [1709280000.5, 1e300]})
    pq.write_table(epoch, tmp_path / "epoch.parquet")
    rows, rejections = _read(tmp_path / "epoch.parquet", SourceOptions(network="x"))
    assert [r["ts"] for r in rows] == [datetime(2024, 3, 1, 8, 0, 0, 500_000)]
    assert [r.record for r in rejections] == [2]


def test_files_refused_as_a_whole(tmp_path: Path) -> None:
    for name in ("events.txt", "events", "events.parquet.gz", "events.xml.gz"):
        (tmp_path / name).write_text("x")
        with pytest.raises(SourceError, match=r"\.jsonl, \.ndjson, \.json, \.csv"):
            read(tmp_path / name, SourceOptions())
    array = tmp_path / "array.json"
    array.write_text('[\n{"actor": "a"}\n]\n')
    with pytest.raises(SourceError, match="JSON array, not JSON Lines"):
        _read(array)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(SourceError, match="not a readable Parquet file"):
        _read(tmp_path / "broken.parquet")
    truncated = tmp_path / "t.jsonl.gz"
    whole = gzip.compress("".join(f'{{"actor": "a{i * 7919 % 100_003}"}}\n'
                                  for i in range(50_000)).encode())
    truncated.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(SourceError, match="truncated or corrupt"):
        _read(truncated)


def test_empty_inputs_give_nothing(tmp_path: Path) -> None:
    for name, content in (("a.jsonl", b""), ("b.csv", b""), ("c.parquet", b""),
                          ("d.jsonl", b"\n\n  \n"), ("e.csv", b"ts,actor,kind\n"),
                          ("f.csv.gz", gzip.compress(b""))):
        (tmp_path / name).write_bytes(content)
        assert _read(tmp_path / name) == ([], []), name


def test_examples_in_the_docs_parse(tmp_path: Path) -> None:
    jsonl = tmp_path / "doc.jsonl"
    jsonl.write_text(_doc_block("json"))
    rows, rejections = _read(jsonl)
    assert rejections == [] and [r["kind"] for r in rows] == ["post", "reshare", "talk"]
    assert rows[0]["ts"] == datetime(2024, 3, 1, 8, 30)
    csv_path = tmp_path / "doc.csv"
    csv_path.write_text(_doc_block("csv"))
    rows, rejections = _read(csv_path)
    assert rejections == [] and [r["record"] for r in rows] == [2, 3, 4]
    assert rows[2]["text"] == "Welcome!\nGlad you are here"
    assert rows[2]["event_id"] is not None and rows[0]["tags"] == ["intro", "hello"]


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


def test_schema_kinds_and_required_fields_match_the_code() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"]["enum"] == [*KINDS, *OFFLINE_KINDS]
    offline, endorse = schema["allOf"]
    assert offline["then"]["properties"]["kind"]["enum"] == list(OFFLINE_KINDS)
    assert offline["else"]["properties"]["kind"]["enum"] == list(KINDS)
    assert endorse["then"]["required"] == ["topic"]
    assert set(schema["required"]) == {"ts", "actor", "kind"}
    assert set(schema["properties"]) == set(BATCH_SCHEMA.names) - {"record"}


def test_schema_validates_good_records_and_rejects_bad_ones() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(_schema())
    validator.check_schema(_schema())
    good = [{**BASE, "ts": "2024-03-01T09:00:00+01:00"},
            {**BASE, "ts": 1709280000, "kind": "like", "subject": "bo", "tags": "a;b"},
            {"network": "offline", "ts": "2023-11-14", "actor": "ana", "kind": "talk",
             "text": "A talk", "url": "https://example.org"},
            {**BASE, "ts": "1709280000", "kind": "endorse", "topic": "graphs", "extra": 1}]
    bad = [{**BASE, "ts": "yesterday"}, {**BASE, "ts": 1, "kind": "shout"},
           {**BASE, "ts": 1, "kind": "talk"}, {**BASE, "ts": 1, "kind": "endorse"},
           {"network": "offline", "ts": 1, "actor": "a", "kind": "talk"},
           {"ts": 1, "kind": "post"}, {**BASE, "ts": 1, "network": "Twitter"},
           {**BASE, "ts": 1, "text": "x" * 100_001}]
    assert [list(validator.iter_errors(r)) for r in good] == [[]] * len(good)
    assert all(list(validator.iter_errors(r)) for r in bad)
