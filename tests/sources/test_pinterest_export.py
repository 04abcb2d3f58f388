"""The pinterest-export source, on fixtures built to the one public sample of the export.

Pinterest publishes no description of its account data export ("Request your
data").  The fixtures follow the sample of an open-source reader of it,
github.com/ChowSinWon/pinterest-export-parser, ``data/pinterest-sample.html``:
``<div id="contents">`` with ``<h1 id=y1bkd>Pins</h1>``, then per pin a link
to ``https://www.pinterest.com/pin/<id>/`` and ``<br>``-separated lines
``Title:``, ``Details:``, ``Image:``, ``Is Native:``, ``Board Id:``, ``Board
Name:``, ``Is Video:``, ``Ip Address:``, ``Username:``, ``Alt Text:``,
``Canonical Link: <a href=...>...</a>,``, ``Story Pin Media:``, ``Video:``
(each value ending in a comma, "No data" when empty), then ``Created at:
2017/02/13 15:35:01``, ``Alive:``, ``Is a repin:``, ``Private:`` (no comma),
``<br><br>``, and the next section's ``<h1>``.  The mis-nested markup and the
sections other than Pins are this test's own additions.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import FormatNotDetectedError, SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.pinterest_export import read
from renown.store.ingest import ingest

FUZZ = settings(max_examples=60, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
IPS = ("198.51.100.23", "203.0.113.77", "2001:db8::17", "192.0.2.200")


def pin(ident: str | None, *, title: str = "No data", details: str = "No data",
        user: str = "Ann_Teaches", link: str | None = None, created: str | None = None,
        alive: str = "True", repin: str = "False", private: str = "False",
        ip: str = IPS[0]) -> str:
    """One entry as the sample writes it (None leaves a line out)."""
    canonical = f'<a href="{link}">{link}</a>,' if link else "No data,"
    lines = [f'<a href="https://www.pinterest.com/pin/{ident}/">'
             f"https://www.pinterest.com/pin/{ident}/</a>" if ident else None,
             f"<br>Title: {title},", f"<br>Details: {details},",
             "<br>Image: abcdefghijklmnopqrstuvwxyz,", "<br>Is Native: No data,",
             "<br>Board Id: 9876543210,", "<br>Board Name: No data,", "<br>Is Video: No data,",
             f"<br>Ip Address: {ip},", f"<br>Username: {user}," if user else None,
             "<br>Alt Text: No data,", f"<br>Canonical Link: {canonical}",
             "<br>Story Pin Media: No data,", "<br>Video: No data,",
             f"<br>Created at: {created}" if created else None, f"<br>Alive: {alive}",
             f"<br>Is a repin: {repin}", f"<br>Private: {private}<br><br>"]
    return "\n".join(line for line in lines if line is not None) + "\n"


def export(*pins: str, before: str = "", after: str = "<h1 id=1234>Something else</h1>\n"
           ) -> str:
    return ('<html><head><meta charset="utf-8"></head><body>\n<div id="contents">'
            f"{before}<h1 id=y1bkd>Pins</h1>\n{''.join(pins)}{after}</div>\n</body></html>\n")


#: Sections around Pins that hold IP addresses and user names of their own: never read.
PROFILE = ("<h1 id=p1>Profile</h1>\n<br>Username: someone_else,\n"
           f"<br>Ip Address: {IPS[3]},\n<br>Created at: 2012/01/01 00:00:00\n<br><br>\n")
BOARDS = "<h1 id=b1>Boards</h1>\n<br>Name: Maths,\n<br>Created at: 2013/01/01 00:00:00\n"


def valid_export() -> str:
    mis_nested = (  # <br/>, </br>, an unclosed <a>, and no <br> before the next pin
        '<a href="https://www.pinterest.com/pin/555/">https://www.pinterest.com/pin/555/</a>'
        "<br/>Title: Dead &amp; private,</br>Details: No data,<br>Ip Address: "
        f"{IPS[2]},<br>Username: ann_teaches,<br>Canonical Link: "
        '<a href="https://ann.example/old">https://ann.example/old,<br>'
        "Created at: 2019/07/01 08:00:00<br>Alive: False<br>Is a repin: False<br>"
        "Private: True")
    return export(
        pin("813744226420795884", title="Fractions with pizza",
            details="Printable worksheet &amp; answers", link="https://ann.example/a?x=1&amp;y=2",
            created="2017/02/13 15:35:01"),
        pin("813744226420795990", details="Saved from someone", created="2018/03/01 09:00:00",
            repin="True", ip=IPS[1]),
        mis_nested,
        pin("813744226420795991", title="No owner line", user="", created="2020/05/05 05:05:05"),
        before=PROFILE, after=BOARDS)


def _rows(con: duckdb.DuckDBPyConnection, sql: str,
          params: list[object] | None = None) -> list[tuple[object, ...]]:
    return con.execute(sql, params).fetchall()


def _write(tmp_path: Path, text: str, name: str = "pinterest.html") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_itself_is_read(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """``data/pinterest-sample.html`` of ChowSinWon/pinterest-export-parser, byte for byte."""
    sample = ('<div id="contents"><h1 id=y1bkd>Pins</h1>\n'
              + pin("123456789", details="some text", user="me",
                    link="https://some-cool-address-that-leads-to-the-source-of-my-pin",
                    created="2017/02/13 15:35:01", repin="True", ip="555.555.555.555")
              .replace("<br><br>\n", "<br><br>")
              + "<h1 id=1234>Something else</h1>\n</div>\n")
    path = _write(tmp_path, sample, "pinterest-sample.html")
    assert detect_format(path) == "pinterest-export"
    report = ingest(con, path, "pinterest-export")
    assert (report.ingested, report.quarantined) == (1, 0)
    assert _rows(con, "SELECT event_id, ts, actor, kind, post_id, text, tags, url FROM events") == [
        ("pin-123456789", datetime(2017, 2, 13, 15, 35, 1), "me", "post", "123456789",
         "some text", ["repin"], "https://some-cool-address-that-leads-to-the-source-of-my-pin")]


def test_export(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _write(tmp_path, valid_export())
    assert detect_format(path) == "pinterest-export"
    report = ingest(con, path, "pinterest-export")
    assert (report.ingested, report.quarantined) == (4, 0)
    assert _rows(con, "SELECT network, event_id, ts, actor, kind, subject, post_id, parent_id, "
                      "text, tags, url FROM events ORDER BY ts") == [
        ("pinterest", "pin-813744226420795884", datetime(2017, 2, 13, 15, 35, 1), "ann_teaches",
         "post", None, "813744226420795884", None,
         "Fractions with pizza\n\nPrintable worksheet & answers", None,
         "https://ann.example/a?x=1&y=2"),
        ("pinterest", "pin-813744226420795990", datetime(2018, 3, 1, 9), "ann_teaches", "post",
         None, "813744226420795990", None, "Saved from someone", ["repin"],
         "https://www.pinterest.com/pin/813744226420795990/"),
        ("pinterest", "pin-555", datetime(2019, 7, 1, 8), "ann_teaches", "post", None, "555",
         None, "Dead & private", ["private"], "https://ann.example/old"),
        ("pinterest", "pin-813744226420795991", datetime(2020, 5, 5, 5, 5, 5), "ann_teaches",
         "post", None, "813744226420795991", None, "No owner line", None,
         "https://www.pinterest.com/pin/813744226420795991/"),
    ]


def test_ip_addresses_never_reach_the_store(con: duckdb.DuckDBPyConnection,
                                            tmp_path: Path) -> None:
    good = _write(tmp_path, valid_export())
    bad = _write(tmp_path, export(pin("1", ip=IPS[0]), pin("2", created="garbage", ip=IPS[1]),
                                  pin(None, created="2017/02/13 15:35:01", ip=IPS[2])),
                 "bad.html")
    ingest(con, good, "pinterest-export")
    assert ingest(con, bad, "pinterest-export").quarantined == 3
    columns = _rows(con, "SELECT table_name, column_name FROM information_schema.columns "
                         "WHERE data_type LIKE 'VARCHAR%' AND table_schema = 'main'")
    assert ("quarantine", "raw") in columns
    for table, column in columns:
        for ip in IPS:
            hits = _rows(con, f'SELECT count(*) FROM "{table}" '
                              f'WHERE CAST("{column}" AS VARCHAR) LIKE ?', [f"%{ip}%"])
            assert hits == [(0,)], (table, column, ip)


def test_malformed_entries_are_quarantined(con: duckdb.DuckDBPyConnection,
                                           tmp_path: Path) -> None:
    path = _write(tmp_path, export(
        "Some stray words<br>\n",
        pin("10", title="Kept", created="2017/02/13 15:35:01"),
        pin("11", title="No date"),
        pin("12", created="13/02/2017"),
        pin(None, title="Lost its link", created="2017/02/14 10:00:00"),
        pin("13", created="2017/02/30 10:00:00")))
    report = ingest(con, path, "pinterest-export")
    assert (report.ingested, report.quarantined) == (1, 5)
    assert _rows(con, "SELECT event_id FROM events") == [("pin-10",)]
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (1, "text in the Pins section outside any pin entry"),
        (3, "pin without a Created at"),
        (4, "unparseable Created at '13/02/2017' (expected YYYY/MM/DD HH:MM:SS)"),
        (5, "pin entry without its pin link (https://www.pinterest.com/pin/<id>/)"),
        (6, "unparseable Created at '2017/02/30 10:00:00' (expected YYYY/MM/DD HH:MM:SS)"),
    ]
    raw = _rows(con, "SELECT raw FROM quarantine WHERE record = 5")[0][0]
    assert isinstance(raw, str) and "Title: Lost its link" in raw and "Ip Address" not in raw
    assert raw.startswith("HTML line ")


def test_an_owner_nobody_names_is_a_rejection(tmp_path: Path) -> None:
    path = _write(tmp_path, export(pin("7", user="", created="2017/02/13 15:35:01")))
    [batch] = list(read(path, SourceOptions()))
    assert batch.events.num_rows == 0
    assert [r.reason for r in batch.rejections] == [
        "pin without a Username (and no other pin names the export's owner)"]


@pytest.mark.parametrize(("html", "reason"), [
    ("<html><body><h1>Pins</h1><p>My favourite pins</p></body></html>",
     'no <div id="contents">'),
    ('<html><body><div id="contents"><h1>Profile</h1><br>Username: me,</div></body></html>',
     r"no 'Pins' heading inside <div id=\"contents\"> \(headings: 'Profile'\)"),
    ("<html><body><h1>Pins</h1></body></html><div id='contents'></div>",
     r"no 'Pins' heading inside <div id=\"contents\"> \(headings: none\)"),
    ('<div id="contents"><h1>Pins</h1>\n<h1>Boards</h1>Name: x</div>',
     "the export's Pins section lists no pins"),
])
def test_html_that_is_not_the_export_is_refused(tmp_path: Path, html: str, reason: str) -> None:
    path = _write(tmp_path, html, "page.html")
    with pytest.raises(SourceError, match=reason):
        list(read(path, SourceOptions()))


def test_other_files_are_refused_and_not_detected(tmp_path: Path) -> None:
    page = _write(tmp_path, "<html><body><h1>Pins</h1><a href='https://www.pinterest.com/"
                            "pin/1/'>a pin</a></body></html>", "page.html")
    with pytest.raises(FormatNotDetectedError):
        detect_format(page)
    latin = tmp_path / "latin.html"
    latin.write_bytes(export(pin("1", title="caf\xe9", created="2017/02/13 15:35:01"))
                      .encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        list(read(latin, SourceOptions()))


@pytest.mark.parametrize("junk", ["<a " * 100_000, "</" * 100_000, "<?" * 100_000,
                                  "<!--" * 100_000, "<a b='" * 100_000],
                         ids=["open-tags", "close-tags", "processing", "comments", "attrs"])
def test_stray_angle_brackets_parse_in_linear_time(tmp_path: Path, junk: str) -> None:
    """html.parser (3.11) rescanned the rest of the file for each: 100,000 took minutes."""
    path = _write(tmp_path, export(pin("1", title="x", created="2017/02/13 15:35:01"), junk))
    clock = time.monotonic()
    batches = list(read(path, SourceOptions()))
    assert time.monotonic() - clock < 5
    assert sum(b.events.num_rows for b in batches) == 1


_FRAGMENTS = st.sampled_from([
    "<br>", "</br>", "<br/>", "\n", '<div id="contents">', "</div>", "<div>", "<h1>", "</h1>",
    "Pins", "<h1 id=y1bkd>Pins</h1>", '<a href="https://www.pinterest.com/pin/42/">',
    '<a href="https://www.pinterest.com/pin/43/">x</a>', "</a>", '<a href="https://e.x/">',
    "Title: t,", "Details: d &amp; e,", "Username: me,", "Created at: 2017/02/13 15:35:01",
    "Created at: 2017/13/45 99:99:99", "Is a repin: True", "Private: True", "Alive: False",
    f"Ip Address: {IPS[0]},", "Ip Address:", IPS[0], "No data,", "&amp;", "&#0;", "<!--",
    "-->", "<![CDATA[", "<!DOCTYPE html>", "<script>", "</script>", "<", ">", ":", ",",
    pin("44", title="whole", created="2017/02/13 15:35:01")])


@FUZZ
@given(st.lists(_FRAGMENTS | st.text(max_size=12), max_size=60), st.booleans())
def test_fuzz(tmp_path: Path, parts: list[str], inside: bool) -> None:
    """No crash and no hang, and the planted IP address never comes out.

    ``inside``: the fragments go in an export's Pins section (the deep paths).
    """
    body = "".join(parts)
    path = _write(tmp_path, export(body) if inside else body, "fuzz.html")
    try:
        for batch in read(path, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
            stored = [str(v) for row in batch.events.to_pylist() for v in row.values()]
            stored += [r.raw + r.reason for r in batch.rejections]
            assert not any(IPS[0] in text for text in stored), stored
    except SourceError:
        pass
