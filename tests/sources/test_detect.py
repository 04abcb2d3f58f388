"""Format detection: ``renown ingest PATH`` without --format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.sources import FormatNotDetectedError, detect_format
from tests.conftest import shared_path


@pytest.mark.parametrize(("relative", "expected"), [
    ("higgs/higgs-activity_time.txt.gz", "higgs"),
    ("snap/CollegeMsg.txt", "snap-temporal"),
    ("stackexchange/quantumcomputing_2018-09", "stackexchange"),
])
def test_real_data_sets_are_recognised(relative: str, expected: str) -> None:
    assert detect_format(shared_path(relative)) == expected


def test_generic_event_files_are_recognised(tmp_path: Path) -> None:
    record = {"network": "twitter", "event_id": "1", "ts": "2024-01-01T00:00:00Z",
              "actor": "a", "kind": "post"}
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text(json.dumps(record) + "\n")
    csv = tmp_path / "events.csv.gz"
    csv.write_bytes(gzip.compress(b"network,event_id,ts,actor,kind\ntwitter,1,2024-01-01,a,post\n"))
    assert detect_format(jsonl) == "events"
    assert detect_format(csv) == "events"


@pytest.mark.parametrize("content", [b"", b"hello world\n", b"\x00\x01\x02", b"{not json}\n"])
def test_unknown_content_is_refused_with_a_clear_reason(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "mystery.txt"
    path.write_bytes(content)
    with pytest.raises(FormatNotDetectedError, match="cannot tell the format; pass --format"):
        detect_format(path)


def test_ingest_says_what_it_detected(tmp_path: Path) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text("1 2 1600000000\n2 3 1600000100\n")
    result = CliRunner().invoke(app, ["ingest", str(edges), "--kind", "reply",
                                      "--db", str(tmp_path / "r.duckdb")])
    assert result.exit_code == 0, result.output
    assert "detected format snap-temporal" in result.output
