"""One small, valid input per source format: the starting points hostile inputs mutate.

Fuzzing from valid files reaches the parsers' deep paths (a garbled record in
an otherwise good export), which random bytes almost never do.  Each seed is
written in the format's real layout (file names, folder structure) and
ingests with events and nothing quarantined (tested), so a mutation of it is
a realistic hostile input.  `SEEDS` maps every format of
`renown.sources.FORMATS` to its writer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from renown.reliability import seeds_media as media
from renown.reliability.seed_files import write_file
from renown.sources.base import SourceOptions

DID_A: Final = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
DID_B: Final = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"
RKEYS: Final = ("3migo7fijwi2k", "3migo7fijwi3k", "3migo7fijwi4k")


def _events(folder: Path) -> Path:
    rows = [{"network": "twitter", "event_id": "e1", "ts": "2024-01-02T10:00:00Z",
             "actor": "ann", "kind": "post", "post_id": "p1", "text": "hello #graphs",
             "tags": ["graphs"]},
            {"network": "twitter", "event_id": "e2", "ts": 1704190000, "actor": "bo",
             "kind": "reshare", "subject": "ann", "parent_id": "p1"}]
    return write_file(folder / "events.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


def _higgs(folder: Path) -> Path:
    return write_file(folder / "higgs-activity_time.txt",
                  "1 2 1341100972 RT\n3 2 1341100973 MT\n2 3 1341100974 RE\n")


def _snap(folder: Path) -> Path:
    return write_file(folder / "CollegeMsg.txt", "# src dst ts\n1 2 1082008561\n2 3 1082008562\n")


def _xml_rows(root: str, rows: list[dict[str, str]]) -> str:
    from xml.sax.saxutils import quoteattr

    body = "".join("  <row " + " ".join(f"{k}={quoteattr(v)}" for k, v in row.items())
                   + " />\n" for row in rows)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{body}</{root}>\n'


def _stackexchange(folder: Path) -> Path:
    dump = folder / "site"
    posts = [{"Id": "1", "PostTypeId": "1", "CreationDate": "2020-01-01T10:00:00.000",
              "OwnerUserId": "1", "Title": "Why?", "Body": "<p>Why &amp; how?</p>",
              "Tags": "<graphs>", "AcceptedAnswerId": "2"},
             {"Id": "2", "PostTypeId": "2", "ParentId": "1", "OwnerUserId": "2",
              "CreationDate": "2020-01-01T11:00:00.000", "Body": "<p>Because.</p>"}]
    votes = [{"Id": "1", "PostId": "2", "VoteTypeId": "2",
              "CreationDate": "2020-01-02T00:00:00.000"}]
    comments = [{"Id": "1", "PostId": "1", "UserId": "2", "Text": "ok",
                 "CreationDate": "2020-01-01T12:00:00.000"}]
    users = [{"Id": "1", "DisplayName": "Ann"}, {"Id": "2", "DisplayName": "Bo"}]
    for name, root, rows in (("Posts.xml", "posts", posts), ("Votes.xml", "votes", votes),
                             ("Comments.xml", "comments", comments),
                             ("Users.xml", "users", users)):
        write_file(dump / name, _xml_rows(root, rows))
    return dump


def _post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def _jetstream(folder: Path) -> Path:
    time_us = 1_751_000_000_000_000
    post = {"$type": "app.bsky.feed.post", "text": "hello", "createdAt":
            "2025-06-27T04:50:00.000Z"}
    like = {"$type": "app.bsky.feed.like", "createdAt": "2025-06-27T04:51:00.000Z",
            "subject": {"uri": _post_uri(DID_A, RKEYS[0]), "cid": "bafyreib"}}
    lines = [{"did": did, "time_us": time_us, "kind": "commit", "commit": {
        "rev": "3mptbypluud2a", "operation": "create", "collection": record["$type"],
        "rkey": rkey, "record": record}}
        for did, rkey, record in ((DID_A, RKEYS[0], post), (DID_B, RKEYS[1], like))]
    return write_file(folder / "jetstream.jsonl", "".join(json.dumps(x) + "\n" for x in lines))


def _xrpc(folder: Path) -> Path:
    def view(did: str, rkey: str, **record: Any) -> dict[str, Any]:
        return {"uri": _post_uri(did, rkey), "cid": "bafyreib",
                "author": {"did": did, "handle": f"{did[8:11]}.test"},
                "indexedAt": "2025-06-27T05:00:00.000Z",
                "record": {"$type": "app.bsky.feed.post", "createdAt":
                           "2025-06-27T04:50:00.000Z", **record}}
    reply = view(DID_B, RKEYS[1], text="nice", reply={
        "root": {"uri": _post_uri(DID_A, RKEYS[0]), "cid": "bafyreib"},
        "parent": {"uri": _post_uri(DID_A, RKEYS[0]), "cid": "bafyreib"}})
    feed = {"feed": [{"post": view(DID_A, RKEYS[0], text="hello")}, {"post": reply}]}
    write_file(folder / "pull" / "0001-app.bsky.feed.getAuthorFeed.json", json.dumps(feed))
    return folder / "pull"


def _car(folder: Path) -> Path:
    """A one-account repository: commit → one tree node → two records."""
    import libipld

    blocks: list[tuple[bytes, bytes]] = []

    def put(node: dict[str, Any]) -> bytes:
        data = libipld.encode_dag_cbor(node)
        cid = b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()
        blocks.append((cid, data))
        return cid

    post = put({"$type": "app.bsky.feed.post", "text": "hello",
                "createdAt": "2025-06-27T04:50:00.000Z"})
    like = put({"$type": "app.bsky.feed.like", "createdAt": "2025-06-27T04:51:00.000Z",
                "subject": {"uri": _post_uri(DID_B, RKEYS[0]), "cid": "bafyreib"}})
    tree = put({"l": None, "e": [
        {"k": f"app.bsky.feed.like/{RKEYS[1]}".encode(), "p": 0, "v": like, "t": None},
        {"k": f"post/{RKEYS[2]}".encode(), "p": len("app.bsky.feed."), "v": post, "t": None}]})
    commit = put({"did": DID_A, "version": 3, "data": tree, "rev": "3mptbypluud2a",
                  "prev": None, "sig": b"\x00" * 64})
    header = libipld.encode_dag_cbor({"roots": [commit], "version": 1})
    out = bytearray(_varint(len(header)) + header)
    for cid, data in reversed(blocks):
        out += _varint(len(cid) + len(data)) + cid + data
    return write_file(folder / "repo.car", bytes(out))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _status(number: int, account: str, text: str, **extra: Any) -> dict[str, Any]:
    host = "https://social.example"
    return {"id": f"1110000000000000{number:02d}", "created_at": "2024-03-01T09:30:00.000Z",
            "uri": f"{host}/users/{account}/statuses/1110000000000000{number:02d}",
            "url": f"{host}/@{account}/1110000000000000{number:02d}", "visibility": "public",
            "language": "en", "content": f"<p>{text}</p>", "reblog": None, "mentions": [],
            "tags": [], "in_reply_to_id": None, "in_reply_to_account_id": None,
            "account": {"id": f"9{len(account)}", "username": account, "acct": account,
                        "display_name": account.title(), "url": f"{host}/@{account}",
                        "uri": f"{host}/users/{account}", "followers_count": 3}} | extra


def _mastodon_api(folder: Path) -> Path:
    first = _status(1, "alice", "hello")
    reply = _status(2, "bob", "same!", in_reply_to_id=first["id"],
                    in_reply_to_account_id=first["account"]["id"],
                    mentions=[{"id": first["account"]["id"], "username": "alice",
                               "acct": "alice", "url": "https://social.example/@alice"}])
    write_file(folder / "payloads" / "statuses.json", json.dumps([first, reply]))
    return folder / "payloads"


def _mastodon_archive(folder: Path) -> Path:
    archive = folder / "archive"
    host = "https://social.example/users/alice"
    note = {"id": f"{host}/statuses/1", "type": "Note", "published": "2024-03-01T09:30:00Z",
            "attributedTo": host, "content": "<p>Graphs!</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [],
            "inReplyTo": "https://other.example/users/bob/statuses/222",
            "tag": [{"type": "Mention", "href": "https://other.example/users/bob",
                     "name": "@bob@other.example"}]}
    items = [{"id": f"{host}/statuses/1/activity", "type": "Create", "actor": host,
              "published": note["published"], "object": note}]
    write_file(archive / "outbox.json", json.dumps({"type": "OrderedCollection",
                                                "orderedItems": items}))
    write_file(archive / "actor.json", json.dumps({"id": host, "type": "Person",
                                               "preferredUsername": "alice",
                                               "name": "Alice"}))
    write_file(archive / "likes.json", json.dumps({"type": "OrderedCollection", "orderedItems": [
        "https://other.example/users/bob/statuses/111000000000000001"]}))
    return archive


def _wordpress(folder: Path) -> Path:
    comment = ("<wp:comment><wp:comment_id>10</wp:comment_id><wp:comment_author><![CDATA[Bo]]>"
               "</wp:comment_author><wp:comment_author_email>bo@mail.example"
               "</wp:comment_author_email><wp:comment_date_gmt>2024-01-02 10:00:00"
               "</wp:comment_date_gmt><wp:comment_content><![CDATA[nice]]>"
               "</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
               "<wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent>"
               "</wp:comment>")
    item = ("<item><title>Post 1</title><link>https://ex.org/blog/1</link>"
            "<dc:creator>ann</dc:creator><content:encoded><![CDATA[<p>Body</p>]]>"
            "</content:encoded><wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-01-01 09:00:00"
            "</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post"
            f"</wp:post_type>{comment}</item>")
    return write_file(folder / "export.xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.1/"><channel><title>T</title>'
        "<link>https://ex.org/blog</link><wp:wxr_version>1.1</wp:wxr_version>"
        "<wp:base_blog_url>https://ex.org/blog/</wp:base_blog_url>"
        "<wp:author><wp:author_id>7</wp:author_id><wp:author_login>ann</wp:author_login>"
        "<wp:author_email>ann@ex.org</wp:author_email></wp:author>"
        f"{item}</channel></rss>\n"))


def _feed(folder: Path) -> Path:
    return write_file(folder / "feed.rss", (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Ex</title>'
        "<link>https://ex.org/blog/</link><item><title>First</title>"
        "<link>https://ex.org/blog/first</link><dc:creator>Ann Lee</dc:creator>"
        "<pubDate>Mon, 01 Jan 2024 10:00:00 +0100</pubDate><category>Graphs</category>"
        "<description>Influence without followers.</description></item></channel></rss>\n"))


def _js(name: str, records: object) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(records, indent=1)


def _x_archive(folder: Path) -> Path:
    data = folder / "x" / "data"
    write_file(data / "account.js", _js("account", [{"account": {
        "accountId": "100", "username": "Owner", "accountDisplayName": "The Owner"}}]))
    write_file(data / "manifest.js", "window.__THAR_CONFIG = " + json.dumps({
        "userInfo": {"accountId": "100", "userName": "Owner"},
        "archiveInfo": {"generationDate": "2026-03-06T13:15:31.187Z"}}))
    tweet = {"tweet": {"id_str": "1897654321098765432", "id": "1897654321098765432",
                       "created_at": "Fri Mar 06 13:02:05 +0000 2026", "full_text":
                       "@bob graphs!", "lang": "en", "in_reply_to_user_id_str": "7",
                       "in_reply_to_screen_name": "bob",
                       "entities": {"hashtags": [], "urls": [], "user_mentions": [
                           {"screen_name": "bob", "id_str": "7", "indices": ["0", "4"]}]}}}
    write_file(data / "tweets.js", _js("tweets", [tweet]))
    write_file(data / "like.js", _js("like", [{"like": {"tweetId": "1897654321098765400"}}]))
    write_file(data / "follower.js", _js("follower", [{"follower": {"accountId": "7"}}]))
    write_file(data / "following.js", _js("following", [{"following": {"accountId": "8"}}]))
    return folder / "x"


def _reddit(folder: Path) -> Path:
    posts = [{"author": author, "created_utc": 1543623764 + n, "id": f"a1y3z{n}",
              "name": f"t3_a1y3z{n}", "subreddit": "MachineLearning", "title": "Graphs",
              "selftext": "why", "permalink": f"/r/MachineLearning/comments/a1y3z{n}/graphs/"}
             for n, author in enumerate(("ann", "bo"))]
    return write_file(folder / "RS_2018-12.ndjson", "".join(json.dumps(p) + "\n" for p in posts))


def _linkedin(folder: Path) -> Path:
    export = folder / "linkedin"
    write_file(export / "Profile.csv", "First Name,Last Name,Headline\nAnn,Example,Graphs\n")
    write_file(export / "Shares.csv", "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,"
           "Visibility\n2023-05-04 10:22:33,https://www.linkedin.com/feed/update/"
           "urn%3Ali%3Ashare%3A7059876543210987654,Our paper,https://example.org/p,,PUBLIC\n")
    write_file(export / "Reactions.csv", "Date,Type,Link\n2023-05-06 12:31:00,LIKE,"
           "https://www.linkedin.com/posts/bob-smith-12345_graphs-activity-"
           "7068888888888888888-AbCd\n")
    write_file(export / "Comments.csv", "Date,Link,Message\n2023-05-05 11:00:00,"
           "https://www.linkedin.com/posts/bob-smith-12345_graphs-activity-"
           '7068888888888888888-AbCd,"Great work!"\n')
    return export


def _facebook(folder: Path) -> Path:
    export = folder / "facebook"
    write_file(export / "personal_information" / "profile_information" /
           "profile_information.json",
           json.dumps({"profile_v2": {"name": {"full_name": "Ann Lee"}}}))
    activity = export / "your_facebook_activity"
    write_file(activity / "posts" / "your_posts__check_ins__photos_and_videos_1.json", json.dumps([
        {"timestamp": 1683195753, "title": "Ann Lee updated her status.",
         "data": [{"post": "Graphs"}]}]))
    write_file(activity / "comments_and_reactions" / "comments.json", json.dumps({"comments_v2": [
        {"timestamp": 1683400000, "title": "Ann Lee commented on Bob Smith's post.",
         "data": [{"comment": {"timestamp": 1683400000, "comment": "Nice",
                               "author": "Ann Lee"}}]}]}))
    return export


def _credentials(folder: Path) -> Path:
    return write_file(folder / "ann.yaml", (
        "person: ann\ncredentials:\n  - kind: talk\n    date: 2023-11-14\n"
        "    title: Influence without follower counts\n    url: https://example.org/t/42\n"))


#: format → (writer of a valid input under a folder, the options it needs)
SEEDS: Final[dict[str, tuple[Callable[[Path], Path], SourceOptions]]] = {
    "events": (_events, SourceOptions()),
    "higgs": (_higgs, SourceOptions()),
    "snap-temporal": (_snap, SourceOptions(kind="mention")),
    "stackexchange": (_stackexchange, SourceOptions()),
    "bluesky-jetstream": (_jetstream, SourceOptions()),
    "bluesky-xrpc": (_xrpc, SourceOptions()),
    "bluesky-car": (_car, SourceOptions()),
    "mastodon-api": (_mastodon_api, SourceOptions()),
    "mastodon-archive": (_mastodon_archive, SourceOptions()),
    "wordpress": (_wordpress, SourceOptions()),
    "feed": (_feed, SourceOptions()),
    "x-archive": (_x_archive, SourceOptions()),
    "reddit": (_reddit, SourceOptions()),
    "linkedin": (_linkedin, SourceOptions()),
    "facebook": (_facebook, SourceOptions()),
    "credentials": (_credentials, SourceOptions()),
    "instagram": (media.instagram, SourceOptions()),
    "instagram-api": (media.meta_api, SourceOptions()),
    "threads": (media.threads, SourceOptions()),
    "threads-api": (media.threads_api, SourceOptions()),
    "tiktok": (media.tiktok, SourceOptions()),
    "tiktok-api": (media.tiktok_api, SourceOptions()),
    "youtube-takeout": (media.youtube_takeout, SourceOptions()),
    "youtube-api": (media.youtube_api, SourceOptions()),
    "pinterest-api": (media.pinterest_api, SourceOptions()),
    "pinterest-export": (media.pinterest_export, SourceOptions()),
    "github": (media.github, SourceOptions()),
}


def write_seed(fmt: str, folder: Path) -> tuple[Path, SourceOptions]:
    """Write ``fmt``'s seed under ``folder``; returns the input path and its options."""
    writer, options = SEEDS[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    return writer(folder), options
