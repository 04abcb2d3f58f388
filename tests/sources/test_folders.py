"""Folders of file-format inputs and compressed files (.gz, .bz2, .zst), for every file format.

The dumps are generated here in the layout Pushshift and Arctic Shift publish
(``RS_YYYY-MM.zst`` / ``RC_YYYY-MM.zst``, one JSON object per line, zstd with
a long window; older months bz2).
"""

from __future__ import annotations

import bz2
import gzip
import json
import sys
import tracemalloc
from pathlib import Path

import duckdb
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.sources import SourceError, detect_format
from renown.sources.compressed import codec, head, open_stream, read_errors, stripped_name
from renown.sources.line_guard import bounded_lines
from renown.store.ingest import ingest, ingest_folder


def _submission(n: int, month: str) -> dict[str, object]:
    return {"id": f"p{month.replace('-', '')}{n}", "author": f"user{n % 7}",
            "created_utc": 1672531200 + n * 60, "subreddit": "MachineLearning",
            "title": f"Post {n} of {month}", "selftext": "", "score": 3}


def _comment(n: int, month: str) -> dict[str, object]:
    return {"id": f"c{month.replace('-', '')}{n}", "author": f"reader{n % 5}",
            "created_utc": 1672531300 + n * 60, "subreddit": "MachineLearning",
            "body": f"reply {n}", "parent_id": f"t3_p{month.replace('-', '')}{n}",
            "link_id": f"t3_p{month.replace('-', '')}{n}"}


def _ndjson(month: str, count: int) -> bytes:
    lines = [json.dumps(_submission(n, month)) for n in range(count)]
    lines += [json.dumps(_comment(n, month)) for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    name = path.name
    if name.endswith(".zst"):
        data = zstandard.ZstdCompressor(level=3).compress(data)
    elif name.endswith(".bz2"):
        data = bz2.compress(data)
    elif name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _dumps(folder: Path) -> Path:
    _write(folder / "RS_2023-01.zst", _ndjson("2023-01", 4))
    _write(folder / "RS_2023-02.bz2", _ndjson("2023-02", 3))
    _write(folder / "2023" / "RS_2023-03.gz", _ndjson("2023-03", 2))
    _write(folder / "RS_2023-04", _ndjson("2023-04", 1))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return folder


def test_a_folder_of_dumps_is_one_command(con: duckdb.DuckDBPyConnection,
                                          tmp_path: Path) -> None:
    reports = ingest_folder(con, _dumps(tmp_path / "dumps"), None)
    assert [(Path(r.path).name, r.format, r.ingested, r.quarantined, r.error)
            for r in reports] == [
        ("RS_2023-03.gz", "reddit", 4, 0, None),
        ("RS_2023-01.zst", "reddit", 8, 0, None),
        ("RS_2023-02.bz2", "reddit", 6, 0, None),
        ("RS_2023-04", "reddit", 2, 0, None),
    ]
    rows = con.execute("SELECT kind, actor, subject, text FROM events WHERE event_id IN "
                       "('t3_p2023011', 't1_c2023011')  ORDER BY kind").fetchall()
    assert rows == [("comment", "reader1", "user1", "reply 1"),
                    ("post", "user1", None, "Post 1 of 2023-01")]
    again = ingest_folder(con, tmp_path / "dumps", "reddit")
    assert all(r.already_ingested for r in again)


def test_one_broken_file_stores_nothing_of_itself_only(con: duckdb.DuckDBPyConnection,
                                                       tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "dumps")
    good = (folder / "RS_2023-01.zst").read_bytes()
    (folder / "RS_2023-01.zst").write_bytes(good[:len(good) // 2])  # cut mid-frame
    reports = {Path(r.path).name: r for r in ingest_folder(con, folder, "reddit")}
    broken = reports["RS_2023-01.zst"]
    assert broken.ingested == 0
    assert broken.error is not None and "RS_2023-01.zst" in broken.error
    assert "truncated zstd stream" in broken.error
    assert con.execute("SELECT count(*) FROM events WHERE event_id LIKE '%202301%'"
                       ).fetchone() == (0,)
    assert sum(r.ingested for r in reports.values()) == 12


def test_cli_ingests_a_folder_with_one_summary(tmp_path: Path) -> None:
    folder = _dumps(tmp_path / "dumps")
    (folder / "notes.txt").write_text("what these files are\n")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "r.db")])
    assert result.exit_code == 1, result.output  # notes.txt: its format cannot be told
    # Rich folds long paths at any character on a narrow terminal (CI's is 80
    # columns, with a long tmp path): compare with all whitespace removed.
    text = "".join(result.output.split())
    assert "total(5" in text and "notes.txt:cannottelltheformat" in text
    assert "failed" in text
    result = CliRunner().invoke(app, ["ingest", str(folder), "--format", "reddit", "--json",
                                      "--db", str(tmp_path / "r.db")])
    data = {Path(d["path"]).name: d for d in json.loads(result.stdout)}
    assert [name for name, d in data.items() if d["already_ingested"]] == [
        "RS_2023-03.gz", "RS_2023-01.zst", "RS_2023-02.bz2", "RS_2023-04"]
    # --format reddit: notes.txt is read as a dump, and its one line is quarantined.
    assert (data["notes.txt"]["quarantined"], data["notes.txt"]["error"]) == (1, None)


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".zst"])
def test_every_file_format_reads_every_codec(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                             suffix: str) -> None:
    """Sources that cannot stream a codec get a decompressed copy; detection sees through it."""
    higgs = _write(tmp_path / f"higgs-activity_time.txt{suffix}",
                   b"1 2 1341100972 RT\n3 2 1341100973 MT\n")
    events = _write(tmp_path / f"events.jsonl{suffix}", json.dumps(
        {"network": "twitter", "event_id": "e1", "ts": "2024-01-02T10:00:00Z", "actor": "ann",
         "kind": "post"}).encode() + b"\n")
    assert detect_format(higgs) == "higgs" and detect_format(events) == "events"
    assert ingest(con, higgs, "higgs").ingested == 2
    assert ingest(con, events, "events").ingested == 1
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_a_bad_record_in_a_copied_file_names_the_real_file(con: duckdb.DuckDBPyConnection,
                                                           tmp_path: Path) -> None:
    path = _write(tmp_path / "higgs.txt.bz2", b"1 2 1341100972 RT\nnot an edge\n")
    report = ingest(con, path, "higgs")
    assert (report.ingested, report.quarantined) == (1, 1)
    assert con.execute("SELECT file, record FROM quarantine").fetchall() == [(str(path), 2)]


def test_zstd_without_the_package_names_the_extra(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "RS_2023-01.zst", _ndjson("2023-01", 1))
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(SourceError, match=r"pip install 'renown\[connectors\]'"):
        open_stream(path)


def test_codec_comes_from_content_not_name(tmp_path: Path) -> None:
    lying = tmp_path / "dump.gz"
    lying.write_bytes(b"plain text\n")
    real = tmp_path / "dump.json"
    real.write_bytes(gzip.compress(b"{}\n"))
    assert (codec(lying), codec(real)) == (None, "gz")
    with open_stream(real) as stream:
        assert stream.read() == b"{}\n"
    assert head(tmp_path / "missing", 10) == b""
    assert stripped_name("RC_2023-01.zst") == "RC_2023-01" and stripped_name(".gz") == ".gz"


def test_decompression_streams(tmp_path: Path) -> None:
    """128 MiB of lines decompress in a fraction of that: the stream is never held whole."""
    path = tmp_path / "RC_2023-05.zst"
    line = json.dumps(_comment(1, "2023-05")).encode() + b"\n"
    with path.open("wb") as raw, zstandard.ZstdCompressor().stream_writer(raw) as out:
        for _ in range((128 << 20) // (len(line) * 1000)):
            out.write(line * 1000)
    tracemalloc.start()
    try:
        with open_stream(path) as stream:
            count = sum(1 for _ in bounded_lines(stream, 1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 600_000
    assert peak < 32 << 20, f"peak {peak >> 20} MiB"


def test_an_empty_folder_is_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text("x")
    with pytest.raises(SourceError, match="holds no files"):
        ingest_folder(con, tmp_path / "empty", "reddit")


@settings(max_examples=40, deadline=3000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([b"\x1f\x8b", b"BZh", b"\x28\xb5\x2f\xfd", b""]),
       st.binary(max_size=600), st.booleans())
def test_fuzz_compressed_streams(tmp_path: Path, magic: bytes, body: bytes,
                                 valid_prefix: bool) -> None:
    """Any bytes behind any magic number: lines, or a SourceError naming the file."""
    path = tmp_path / "dump"
    if valid_prefix and magic:
        data = {b"\x1f\x8b": gzip.compress, b"BZh": bz2.compress,
                b"\x28\xb5\x2f\xfd": zstandard.ZstdCompressor().compress}[magic](body)
        body = data[:len(data) // 2] + body[:20]
    path.write_bytes(magic + body)
    try:
        with read_errors(path), open_stream(path) as stream:
            for _ in bounded_lines(stream, 1 << 16):
                pass
    except SourceError as exc:
        assert str(path) in str(exc)
