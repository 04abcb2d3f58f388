"""Hostile input to every source parser: stored consistently or refused, never anything else.

Every format of `renown.sources.FORMATS` starts from a valid seed
(`renown.reliability.seeds`) that hypothesis mutates (`renown.reliability.hostile`:
random bytes, truncation, bit rot, wrong encodings, links out of the folder,
FIFOs, hostile file names), and each case goes through the real ingestion into
a real store (`renown.reliability.fuzzing.run_case`, with a time limit per
case).  Huge and deeply nested inputs run once per format in a fresh process
that measures peak memory.  Regression tests for each bug the fuzzing found
are at the end.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.reliability.fuzzing import run_case
from renown.reliability.hostile import CHEAP, MUTATORS, SECRET_MARKER, members
from renown.reliability.seeds import SEEDS, write_seed
from renown.sources import FORMATS, SourceError, detect_format
from renown.sources.mastodon import snowflake_time
from renown.store.database import connect
from renown.store.ingest import ingest

FUZZ = settings(max_examples=8, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ALL_FORMATS = sorted(FORMATS)
FOLDER_FORMATS = sorted(f for f in SEEDS if f in ("stackexchange", "bluesky-xrpc",
                                                   "mastodon-api", "mastodon-archive",
                                                   "x-archive", "linkedin", "facebook",
                                                   "instagram", "threads", "youtube-takeout"))


def test_every_format_has_a_seed() -> None:
    assert set(SEEDS) == set(FORMATS)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_each_seed_is_a_valid_input(fmt: str, tmp_path: Path) -> None:
    """Mutations start from real structure: every seed ingests cleanly."""
    path, options = write_seed(fmt, tmp_path / "in")
    con = connect(":memory:")
    try:
        report = ingest(con, path, fmt, options)
    finally:
        con.close()
    assert report.ingested >= 1 and report.quarantined == 0, report


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@FUZZ
@given(rnd=st.randoms(use_true_random=False),
       mutations=st.lists(st.sampled_from(CHEAP), min_size=1, max_size=3))
def test_mutated_inputs_are_stored_or_refused(fmt: str, tmp_path_factory: pytest.TempPathFactory,
                                              rnd: random.Random, mutations: list[str]) -> None:
    folder = tmp_path_factory.mktemp("case")
    path, options = write_seed(fmt, folder / "input")
    for name in mutations:
        MUTATORS[name](path, rnd)
    outcome = run_case(fmt, path, options, seconds=30)
    assert outcome.result != "failed", outcome.detail


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=st.binary(max_size=4096), which=st.integers(0, 100))
def test_random_bytes_in_any_member(fmt: str, tmp_path_factory: pytest.TempPathFactory,
                                    content: bytes, which: int) -> None:
    path, options = write_seed(fmt, tmp_path_factory.mktemp("case") / "input")
    files = members(path)
    files[which % len(files)].write_bytes(content)
    outcome = run_case(fmt, path, options, seconds=30)
    assert outcome.result != "failed", outcome.detail


@pytest.mark.slow
def test_huge_and_deeply_nested_inputs_stay_within_memory_bounds() -> None:
    """24 MB lines, 200,000-deep nesting and 200 MB gzip bombs, each in a fresh fork."""
    result = subprocess.run([sys.executable, "-m", "renown.reliability.memory"],
                            capture_output=True, text=True, timeout=600, check=True)
    cases = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(cases) == 2 * len(FORMATS) + 5
    over = [c for c in cases if c["result"] == "failed" or
            c["peak_growth_bytes"] > c["bound_bytes"]]
    assert over == [], over


# -- regressions: each bug the fuzzing found -------------------------------------------------

@pytest.mark.parametrize("fmt", FOLDER_FORMATS)
def test_a_link_out_of_an_export_folder_is_refused(fmt: str, tmp_path: Path) -> None:
    """linkedin read a file outside the folder through a symlink (its lines reached quarantine)."""
    path, options = write_seed(fmt, tmp_path / "in")
    MUTATORS["escaping-symlink"](path, random.Random(1))
    with pytest.raises(SourceError, match="outside the input folder"):
        ingest(connect(":memory:"), path, fmt, options)
    assert SECRET_MARKER not in run_case(fmt, path, options).detail


@pytest.mark.parametrize("fmt", FOLDER_FORMATS)
def test_a_fifo_in_an_export_folder_is_refused_at_once(fmt: str, tmp_path: Path) -> None:
    """facebook's folder walk opened a FIFO and hung forever; detection would too."""
    path, options = write_seed(fmt, tmp_path / "in")
    MUTATORS["fifo"](path, random.Random(1))
    clock = time.monotonic()
    with pytest.raises(SourceError, match="not a regular file"):
        ingest(connect(":memory:"), path, fmt, options)
    with pytest.raises(SourceError, match="not a regular file"):
        detect_format(path)
    assert time.monotonic() - clock < 10


def test_a_file_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """The content hash crashed with UnicodeEncodeError on such a name."""
    path, options = write_seed("x-archive", tmp_path / "in")
    (path / "data" / os.fsdecode(b"\xff\xfe.js")).write_text("x")
    with pytest.raises(SourceError, match="not valid UTF-8"):
        ingest(connect(":memory:"), path, "x-archive", options)


def test_an_edge_list_with_a_bad_line_keeps_the_good_ones(tmp_path: Path) -> None:
    """One invalid UTF-8 line made Arrow refuse a whole Higgs file; a huge line cost 16x it."""
    path = tmp_path / "higgs.txt"
    path.write_bytes(b"1 2 1341100972 RT\n\xff\xfe x\n3 4 1341100973 RT\n" +
                     b"9" * (1 << 20) + b"\n5 6 1341100975 MT\n")
    con = connect(":memory:")
    report = ingest(con, path, "higgs")
    assert (report.ingested, report.quarantined) == (3, 2)
    assert con.execute("SELECT record, reason FROM quarantine ORDER BY 1").fetchall() == [
        (2, "invalid UTF-8 at byte 1"), (4, "line longer than 65,536 bytes")]


def test_a_mastodon_url_with_a_broken_host_has_no_time() -> None:
    """urlsplit raised ValueError on an unbalanced '[' (deep-nesting mutation of likes.json)."""
    assert snowflake_time("https://[x/users/a/statuses/111000000000000001") is None


def test_a_deeply_nested_wordpress_item_is_quarantined_not_crashed(tmp_path: Path) -> None:
    """ET.tostring recursed once per level for the quarantine excerpt: RecursionError."""
    path, _ = write_seed("wordpress", tmp_path / "in")
    text = path.read_text()
    nested = "<x>" * 100_000 + "</x>" * 100_000
    path.write_text(text.replace("<wp:post_id>1</wp:post_id>", nested))
    outcome = run_case("wordpress", path, SEEDS["wordpress"][1])
    assert outcome.result != "failed", outcome.detail


@pytest.mark.parametrize("fmt", ["stackexchange", "wordpress"])
def test_one_huge_xml_token_parses_in_linear_time(fmt: str, tmp_path: Path) -> None:
    """expat < 2.6 re-scanned a token spanning 16 KiB reads: 24 MB took 20-30 s."""
    path, options = write_seed(fmt, tmp_path / "in")
    target = sorted(members(path))[0]
    target.write_bytes(target.read_bytes().replace(b"<", b"<" + b"a" * (24 << 20) + b" ", 1))
    clock = time.monotonic()
    assert run_case(fmt, path, options, seconds=60).result != "failed"
    assert time.monotonic() - clock < 15


def test_a_credentials_file_too_big_to_be_one_is_refused(tmp_path: Path) -> None:
    """YAML parsing is pure Python: a 24 MB file took 38 s before it was refused."""
    path, options = write_seed("credentials", tmp_path / "in")
    path.write_text(path.read_text() + "#" * (5 << 20) + "\n")
    with pytest.raises(SourceError, match="larger than 4 MiB"):
        ingest(connect(":memory:"), path, "credentials", options)


def test_an_edge_list_line_with_an_empty_field_warns_nothing(tmp_path: Path) -> None:
    """A null key was cast from NaN when numbering repeated lines (a RuntimeWarning)."""
    path = tmp_path / "CollegeMsg.txt"
    path.write_text("1\t2\t1082008561\n1\t\t1082008562\n4\t5\t1082008563\n")
    con = connect(":memory:")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = ingest(con, path, "snap-temporal", SEEDS["snap-temporal"][1])
    assert (report.ingested, report.quarantined) == (2, 1)


def test_an_edge_list_whose_first_line_is_a_bomb_stays_small(tmp_path: Path) -> None:
    """The four-column sniff read the first line whole: a gzip bomb there cost its size."""
    path = tmp_path / "CollegeMsg.txt.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(64):
            out.write(b"7" * (1 << 20))
        out.write(b"\n1 2 1082008561\n")
    tracemalloc.start()
    try:
        report = ingest(connect(":memory:"), path, "snap-temporal", SEEDS["snap-temporal"][1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.ingested, report.quarantined) == (1, 1)
    assert peak < 32 << 20, f"peak Python allocation {peak >> 20} MiB"
