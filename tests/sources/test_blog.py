"""The wordpress (WXR) and feed (RSS/Atom) sources: real exports, fixtures, fuzzing."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import renown.sources
from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import Rejection
from renown.sources.blog import mail_account, person_account, root_element, web_account
from renown.sources.feed import read as read_feed
from renown.sources.feed import sniff as sniff_feed
from renown.sources.payloads import html_to_text
from renown.sources.wordpress import read as read_wordpress
from renown.sources.wordpress import sniff as sniff_wordpress
from renown.store.ingest import ingest
from tests.conftest import shared_path

WXR = "formats/wordpress-wxr"
THEME = "https://wpthemetestdata.wordpress.com"
DEMOS, REVIEW = "themedemos@wpthemetestdata.wordpress.com", \
    "themereviewteam@wpthemetestdata.wordpress.com"
EXAMPLE_ORG = "mail:" + hashlib.sha256(b"example@example.org").hexdigest()[:20]


@pytest.fixture(autouse=True)
def _formats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the formats for these tests (the lead registers them for real)."""
    monkeypatch.setitem(renown.sources.FORMATS, "wordpress", "renown.sources.wordpress")
    monkeypatch.setitem(renown.sources.FORMATS, "feed", "renown.sources.feed")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


# -- the real WXR exports ----------------------------------------------------------------------

@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "kinds"), [
    ("valid-wxr-1.1.xml", {"post": 2, "comment": 1}),
    ("small-export.xml", {"post": 9, "comment": 1}),
    ("theme-unit-test-data.xml", {"post": 77, "comment": 17, "reply": 9, "mention": 4}),
])
def test_every_real_export_ingests_completely(con: duckdb.DuckDBPyConnection, name: str,
                                              kinds: dict[str, int]) -> None:
    report = ingest(con, shared_path(f"{WXR}/{name}"), "wordpress")
    total = sum(kinds.values())
    assert (report.records, report.ingested, report.quarantined) == (total, total, 0)
    assert dict(_rows(con, "SELECT kind, count(*) FROM events GROUP BY kind")) == kinds
    assert _rows(con, "SELECT DISTINCT network FROM events") == [("blog",)]
    # No e-mail address is stored: commenters known by one are known by its hash.
    assert _rows(con, "SELECT count(*) FROM events WHERE actor LIKE '%@%.%' AND actor NOT "
                      "LIKE '%@localhost' AND actor NOT LIKE '%@wpthemetestdata.wordpress.com'"
                 ) == [(0,)]
    assert _rows(con, "SELECT count(*) FROM accounts WHERE account LIKE '%example.org%' "
                      "OR account LIKE '%gmail.com%'") == [(0,)]


@pytest.mark.shared_data
def test_theme_unit_test_threads_and_pingbacks(con: duckdb.DuckDBPyConnection,
                                               caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="renown.sources.wordpress"):
        ingest(con, shared_path(f"{WXR}/theme-unit-test-data.xml"), "wordpress")
    post = f"{THEME}/?p=1148"
    got = _rows(con, "SELECT event_id, kind, actor, subject, parent_id, ts, text FROM events "
                     f"WHERE event_id IN ('{post}#comment-907', '{post}#comment-910', "
                     f"'{post}#comment-911', '{THEME}/?p=51#comment-2') ORDER BY ts")
    assert got == [
        # Fred Bloggs replies to Fred Bloggs (same e-mail address): no reaction.
        (f"{post}#comment-907", "reply", EXAMPLE_ORG, None, f"{post}#comment-906",
         datetime(2013, 3, 14, 15, 3, 22), "Comment Depth 04"),
        # The author (recognised by her author e-mail) answers the commenter.
        (f"{post}#comment-910", "reply", DEMOS, EXAMPLE_ORG, f"{post}#comment-907",
         datetime(2013, 3, 14, 15, 10, 29), "Comment Depth 05\n\nAlso an author comment."),
        (f"{post}#comment-911", "reply", EXAMPLE_ORG, DEMOS, f"{post}#comment-910",
         datetime(2013, 3, 14, 15, 12, 16),
         "Comment Depth 06 has some more text than some of the other comments on this post."),
        (f"{THEME}/?p=51#comment-2", "comment", DEMOS, REVIEW, f"{THEME}/?p=51",
         datetime(2023, 1, 16, 7, 17, 56), "This test post needs a comment."),
    ]
    assert _rows(con, "SELECT actor, subject, parent_id, ts FROM events WHERE kind = 'mention' "
                      "ORDER BY ts") == [
        ("web:tellyworth.wordpress.com", DEMOS, f"{THEME}/?p=1149", datetime(2007, 11, 21, *t))
        for t in ((1, 31, 12), (1, 35, 47), (1, 38, 22), (1, 39, 25))]
    # dc:creator ">themereviewteam" is the login it names.
    assert _rows(con, f"SELECT actor, tags FROM events WHERE event_id = '{THEME}/?p=1730'") == [
        (REVIEW, ["block", "image", "embeds", "gallery", "video", "content περιεχόμενο"])]
    # A password-protected post keeps its title only.
    assert _rows(con, f"SELECT text FROM events WHERE event_id = '{THEME}/?p=1168'") == [
        ('Template: Password Protected (the password is "enter")',)]
    assert "'unapproved comment: not stored': 3" in caplog.text
    assert "'post with status future: not public content': 1" in caplog.text
    assert "'item type nav_menu_item: not public content': 70" in caplog.text


@pytest.mark.shared_data
def test_valid_wxr_post_and_comment(con: duckdb.DuckDBPyConnection) -> None:
    ingest(con, shared_path(f"{WXR}/valid-wxr-1.1.xml"), "wordpress",
           SourceOptions(network="my-blog"))
    assert _rows(con, "SELECT event_id, kind, actor, subject, tags, lang, url FROM events "
                      "ORDER BY event_id") == [
        ("http://localhost/?p=1", "post", "john@localhost", None, ["alpha", "clippable"], "en",
         "http://localhost/?p=1"),
        ("http://localhost/?p=1#comment-1", "comment", "web:wordpress.org", "john@localhost",
         None, None, "http://localhost/?p=1#comment-1"),
        ("http://localhost/?p=2", "post", "john@localhost", None, None, "en",
         "http://localhost/?page_id=2")]
    assert _rows(con, "SELECT account, display_name FROM accounts ORDER BY account") == [
        ("john@localhost", "John Doe"), ("web:wordpress.org", "Mr WordPress")]


# -- a WXR fixture for every rule --------------------------------------------------------------

def _comment(cid: int, *, parent: int = 0, approved: str = "1", kind: str = "",
             name: str = "", email: str = "", url: str = "", user: int = 0,
             gmt: str = "2024-01-02 10:00:00") -> str:
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            f"<wp:comment_author><![CDATA[{name}]]></wp:comment_author>"
            f"<wp:comment_author_email>{email}</wp:comment_author_email>"
            f"<wp:comment_author_url>{url}</wp:comment_author_url>"
            f"<wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[c{cid}]]></wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved>"
            f"<wp:comment_type>{kind}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent>"
            f"<wp:comment_user_id>{user}</wp:comment_user_id></wp:comment>")


def _item(post_id: str, *comments: str, status: str = "publish", kind: str = "post",
          creator: str = "ann", gmt: str = "2024-01-01 09:00:00") -> str:
    return (f"<item><title>Post {post_id}</title><link>https://ex.org/blog/{post_id}</link>"
            f"<dc:creator>{creator}</dc:creator>"
            f"<content:encoded><![CDATA[<p>Body\x0b {post_id}</p>]]></content:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>{gmt}</wp:post_date_gmt>"
            f"<wp:status>{status}</wp:status><wp:post_type>{kind}</wp:post_type>"
            '<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]>'
            '</category><category domain="post_tag" nicename="graphs">Graphs</category>'
            f"{''.join(comments)}</item>")


def write_wxr(path: Path, *items: str) -> Path:
    path.write_bytes((
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.1/"><channel><title>T</title>'
        "<link>https://ex.org/blog</link><language>de</language>"
        "<wp:wxr_version>1.1</wp:wxr_version>"
        "<wp:base_blog_url>https://ex.org/blog/</wp:base_blog_url>"
        "<wp:author><wp:author_id>7</wp:author_id><wp:author_login>ann</wp:author_login>"
        "<wp:author_email>Ann@Ex.org</wp:author_email>"
        "<wp:author_display_name>Ann A.</wp:author_display_name></wp:author>"
        + "".join(items) + "</channel></rss>\n").encode())
    return path


def test_wxr_rules(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                   caplog: pytest.LogCaptureFixture) -> None:
    path = write_wxr(
        tmp_path / "export.xml",
        _item("1",
              _comment(10, name="Bo", email="bo@mail.example"),
              _comment(11, parent=10, name="Ann", email="ann@ex.org"),      # the author
              _comment(12, parent=99, name="Cy", url="https://cy.example/me/"),
              _comment(13, name="Dee"),                                    # name only
              _comment(14),                                                # nothing at all
              _comment(15, parent=10, user=7),                             # author by user id
              _comment(16, kind="pingback", url="https://ex.org/blog/2"),  # self-ping
              _comment(17, kind="trackback", url=" https://www.far.example/post/ "),
              _comment(18, approved="spam", name="Spammer"),
              _comment(19, approved="0", name="Waiting"),
              _comment(20, name="Ed", gmt="0000-00-00 00:00:00")),
        _item("2", _comment(30, name="X"), status="draft"),
        _item("3", kind="attachment"),
        _item("", creator="ann"),
    )
    with caplog.at_level(logging.INFO, logger="renown.sources.wordpress"):
        report = ingest(con, path, "wordpress")
    assert (report.ingested, report.quarantined) == (8, 2)
    post = "https://ex.org/blog/?p=1"
    assert _rows(con, "SELECT regexp_extract(event_id, '[^/]+$'), kind, actor, subject, "
                      "parent_id FROM events ORDER BY event_id") == [
        ("?p=1", "post", "ann@ex.org/blog", None, None),
        ("?p=1#comment-10", "comment", mail_account("bo@mail.example"), "ann@ex.org/blog", post),
        ("?p=1#comment-11", "reply", "ann@ex.org/blog", mail_account("bo@mail.example"),
         f"{post}#comment-10"),
        ("?p=1#comment-12", "reply", "web:cy.example/me", "~deleted-comment-ex.org/blog-99",
         f"{post}#comment-99"),
        ("?p=1#comment-13", "comment", "Dee@ex.org/blog", "ann@ex.org/blog", post),
        ("?p=1#comment-14", "comment", "~anonymous-ex.org/blog-comment-14", "ann@ex.org/blog",
         post),
        ("?p=1#comment-15", "reply", "ann@ex.org/blog", mail_account("bo@mail.example"),
         f"{post}#comment-10"),
        ("?p=1#comment-17", "mention", "web:far.example", "ann@ex.org/blog", post),
    ]
    assert _rows(con, "SELECT text, tags, lang, ts FROM events WHERE kind = 'post'") == [
        ("Post 1\n\nBody 1", ["graphs"], "de", datetime(2024, 1, 1, 9))]
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record, reason") == [
        (1, "comment 20 without wp:comment_id or a readable wp:comment_date_gmt"),
        (4, "item without wp:post_id, dc:creator or a readable date (wp:post_date_gmt, "
            "pubDate)")]
    for logged in ("'spam comment: not stored': 1", "'unapproved comment: not stored': 1",
                   "'comments on a post with status draft': 1",
                   "'item type attachment: not public content': 1",
                   "'pingback without a linking site, or from the blog itself': 1"):
        assert logged in caplog.text


def test_wxr_that_cannot_be_read(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    broken = write_wxr(tmp_path / "broken.xml", _item("1")).read_bytes()[:-30]
    (tmp_path / "broken.xml").write_bytes(broken)
    with pytest.raises(SourceError, match="malformed XML at line 2"):
        ingest(con, tmp_path / "broken.xml", "wordpress")
    (tmp_path / "feed.xml").write_text(RSS, encoding="utf-8")
    with pytest.raises(SourceError, match="not a WordPress export: no wp:wxr_version"):
        ingest(con, tmp_path / "feed.xml", "wordpress")
    (tmp_path / "atom.xml").write_text(ATOM, encoding="utf-8")
    with pytest.raises(SourceError, match="root element"):
        ingest(con, tmp_path / "atom.xml", "wordpress")
    assert _rows(con, "SELECT count(*) FROM events") == [(0,)]


# -- feeds -------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Ex</title><link>https://ex.org/blog/</link><language>en-GB</language>
<item><title>First &amp; best</title><link>https://ex.org/blog/first</link>
  <guid isPermaLink="false">https://ex.org/blog/?p=5</guid><dc:creator>Ann Lee</dc:creator>
  <pubDate>Mon, 01 Jan 2024 10:00:00 +0100</pubDate><category>Graphs</category>
  <category>PageRank</category>
  <description><![CDATA[<p>Influence <b>without</b> followers.</p>]]></description>
  <slash:comments>7</slash:comments></item>
<item><title>Mailed</title><link>https://ex.org/blog/mailed</link>
  <author>bo@ex.org</author><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
  <slash:comments>0</slash:comments></item>
<item><title>No date</title><link>https://ex.org/blog/undated</link></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<title>Cy's notes</title><link href="https://cy.example/"/><id>urn:cy</id>
<updated>2024-02-01T00:00:00Z</updated>
<entry><title>Notes</title><id>tag:cy.example,2024:1</id><link href="https://cy.example/1"/>
  <link rel="replies" href="https://cy.example/1/comments" thr:count="3"/>
  <thr:total>3</thr:total><updated>2024-02-03T08:00:00Z</updated>
  <content type="html">&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;/p&gt;</content></entry>
</feed>
"""


def test_rss_feed(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "feed.rss"
    path.write_text(RSS, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="renown.sources.feed"):
        report = ingest(con, path, "feed")
    assert (report.ingested, report.quarantined) == (2, 1)
    assert _rows(con, "SELECT event_id, kind, actor, subject, ts, text, tags, lang, url "
                      "FROM events ORDER BY ts") == [
        ("https://ex.org/blog/?p=5", "post", "Ann Lee@ex.org/blog", None,
         datetime(2024, 1, 1, 9), "First & best\n\nInfluence without followers.",
         ["graphs", "pagerank"], "en-GB", "https://ex.org/blog/first"),
        ("https://ex.org/blog/mailed", "post", mail_account("bo@ex.org"), None,
         datetime(2024, 1, 2, 10), "Mailed", None, "en-GB", "https://ex.org/blog/mailed")]
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (3, "entry without a readable published/updated time or an author or site to "
            "attribute it to")]
    # Comment counts are not events: logged, and nobody is made up to have commented.
    assert "2 entries carry comment counts (7 comments in all)" in caplog.text
    assert _rows(con, "SELECT display_name FROM accounts WHERE account = 'Ann Lee@ex.org/blog'"
                 ) == [("Ann Lee",)]


def test_atom_feed(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                   caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "feed.atom"
    path.write_text(ATOM, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="renown.sources.feed"):
        ingest(con, path, "feed", SourceOptions(network="notes"))
    assert _rows(con, "SELECT network, event_id, actor, ts, text FROM events") == [
        ("notes", "tag:cy.example,2024:1", "web:cy.example", datetime(2024, 2, 3, 8),
         "Notes\n\nOne\n\nTwo")]
    assert "1 entries carry comment counts (3 comments in all)" in caplog.text


@pytest.mark.parametrize("content", [b"", b"hello", b"<html><body>x</body></html>",
                                     b"\x00\xff" * 10])
def test_what_is_no_feed_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(content)
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        list(read_feed(path, SourceOptions()))


# -- accounts, text, sniffing ------------------------------------------------------------------

def test_person_accounts() -> None:
    assert person_account("Bo", " Bo@Mail.Example ", "https://bo.example", "s.org") == \
        mail_account("bo@mail.example")
    assert person_account("Bo", "", "https://www.bo.example/", "s.org") == "web:bo.example"
    assert person_account("  Bo   B ", "", "", "s.org") == "Bo B@s.org"
    assert person_account("", "not-an-address", "javascript:x", "s.org") is None
    assert web_account("http://tellyworth.wordpress.com/2007/ping/", host_only=True) == \
        "web:tellyworth.wordpress.com"


def test_html_to_text() -> None:
    assert html_to_text("<!-- wp:paragraph --><p>A&nbsp;<em>b</em></p><!-- /wp:paragraph -->"
                        "<ul><li>x</li><li>y</li></ul><script>bad()</script>z<br>w") == \
        "A\xa0b\n\n- x\n- y\n\nz\nw"


@pytest.mark.shared_data
def test_sniffing(tmp_path: Path) -> None:
    for name in ("valid-wxr-1.1.xml", "small-export.xml", "theme-unit-test-data.xml"):
        path = shared_path(f"{WXR}/{name}")
        head = path.read_bytes()[:65536]
        assert sniff_wordpress(path, head) and not sniff_feed(path, head)
        assert detect_format(path) == "wordpress"
    for name, text in (("f.rss", RSS), ("f.atom", ATOM)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert sniff_feed(path, text.encode()) and not sniff_wordpress(path, text.encode())
        assert detect_format(path) == "feed"
    assert sniff_feed(tmp_path, RSS.encode()) is False  # a folder is no feed
    assert root_element(b"<!-- unclosed") is None
    assert root_element(b"\xef\xbb\xbf<?xml version='1.0'?><!DOCTYPE x><rss>") == b"rss"


# -- fuzzing: nothing but SourceError (whole input) or Rejection (one record) ------------------

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FIELD_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="<>&]"), max_size=30)


def _drain(batches: Iterator[Any]) -> None:
    try:
        for batch in batches:
            assert all(isinstance(r, Rejection) for r in batch.rejections)
    except SourceError:
        pass


def _mutate(data: bytes, draw: st.DataObject) -> bytes:
    """A few byte-level edits: replace, delete or insert at random places, or truncate."""
    for _ in range(draw.draw(st.integers(1, 4))):
        at = draw.draw(st.integers(0, max(len(data) - 1, 0)))
        edit = draw.draw(st.sampled_from(["replace", "delete", "insert", "truncate"]))
        piece = draw.draw(st.binary(min_size=1, max_size=8))
        data = {"replace": data[:at] + piece + data[at + len(piece):],
                "delete": data[:at] + data[at + len(piece):],
                "insert": data[:at] + piece + data[at:], "truncate": data[:at]}[edit]
    return data


@pytest.mark.shared_data
@FUZZ
@given(data=st.data())
def test_fuzz_wordpress_bytes(tmp_path_factory: pytest.TempPathFactory,
                              data: st.DataObject) -> None:
    path = tmp_path_factory.mktemp("wxr") / "x.xml"
    path.write_bytes(_mutate(shared_path(f"{WXR}/valid-wxr-1.1.xml").read_bytes(), data))
    _drain(read_wordpress(path, SourceOptions()))


@FUZZ
@given(values=st.lists(FIELD_TEXT, min_size=8, max_size=8), approved=FIELD_TEXT)
def test_fuzz_wordpress_fields(tmp_path_factory: pytest.TempPathFactory, values: list[str],
                               approved: str) -> None:
    post_id, creator, gmt, kind, status, parent, url, email = values
    comment = _comment(1, parent=0, approved=approved, kind=kind, url=url, email=email,
                       gmt=gmt).replace("<wp:comment_parent>0", f"<wp:comment_parent>{parent}")
    path = write_wxr(tmp_path_factory.mktemp("wxr") / "x.xml",
                     _item(post_id, comment, creator=creator, gmt=gmt, status=status))
    _drain(read_wordpress(path, SourceOptions()))


@FUZZ
@given(data=st.data())
def test_fuzz_feed(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    path = tmp_path_factory.mktemp("feed") / "x.xml"
    path.write_bytes(_mutate(data.draw(st.sampled_from([RSS, ATOM])).encode(), data))
    _drain(read_feed(path, SourceOptions()))
