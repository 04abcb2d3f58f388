"""Seeds for the media networks' formats (Instagram, Threads, TikTok, YouTube, Pinterest, GitHub).

Split from `renown.reliability.seeds` (which maps every format to its seed):
each writes one small, valid input in the format's real layout.
"""

from __future__ import annotations

import json
from pathlib import Path

from renown.reliability.seed_files import write_file


def instagram(folder: Path) -> Path:
    export = folder / "instagram-ann.lee-2024-05-01-AbCd"
    write_file(export / "your_instagram_activity" / "content" / "posts_1.json", json.dumps([
        {"media": [{"uri": "media/posts/202401/1.jpg", "creation_timestamp": 1704450153,
                    "title": "Graphs"}]}]))
    write_file(export / "connections" / "followers_and_following" / "followers_1.json",
           json.dumps([{"title": "", "media_list_data": [], "string_list_data": [
               {"href": "https://www.instagram.com/bo", "value": "bo",
                "timestamp": 1704450000}]}]))
    return export


def meta_api(folder: Path) -> Path:
    return write_file(folder / "media.json", json.dumps({"data": [
        {"id": "17895695668004550", "caption": "Graphs", "media_type": "IMAGE",
         "permalink": "https://www.instagram.com/p/C1a/", "timestamp": "2024-01-05T10:22:33+0000",
         "username": "ann", "comments": {"data": [
             {"id": "17858893269000001", "text": "Nice", "timestamp": "2024-01-05T11:00:00+0000",
              "username": "bo", "from": {"id": "1", "username": "bo"}}]}}]}))


def threads(folder: Path) -> Path:
    export = folder / "instagram-ann-2024-05-01-AbCd"
    write_file(export / "your_instagram_activity" / "threads" / "threads_and_replies.json",
           json.dumps({"text_post_app_text_posts": [{"media": [
               {"uri": "", "creation_timestamp": 1704450153, "title": "Graphs"}]}]}))
    return export


def threads_api(folder: Path) -> Path:
    return write_file(folder / "threads.json", json.dumps({"data": [
        {"id": "1", "media_product_type": "THREADS", "media_type": "TEXT_POST",
         "text": "Graphs", "timestamp": "2024-01-05T10:22:33+0000", "username": "ann"},
        {"id": "2", "media_product_type": "THREADS", "media_type": "TEXT_POST",
         "text": "Yes", "timestamp": "2024-01-05T11:22:33+0000", "username": "bo",
         "replied_to": {"id": "1"}, "root_post": {"id": "1"}}]}))


def tiktok(folder: Path) -> Path:
    return write_file(folder / "user_data.json", json.dumps({
        "Profile": {"Profile Information": {"ProfileMap": {"userName": "ann"}}},
        "Video": {"Videos": {"VideoList": [
            {"Date": "2024-01-05 10:22:33", "Link": "https://www.tiktokv.com/share/video/"
             "7320000000000000001/", "Likes": "3"}]}},
        "Activity": {"Follower List": {"FansList": [
            {"Date": "2024-01-04 10:00:00", "UserName": "bo"}]}}}))


def tiktok_api(folder: Path) -> Path:
    return write_file(folder / "videos.json", json.dumps({
        "data": {"videos": [{"id": 7320000000000000001, "create_time": 1704450153,
                             "username": "ann", "video_description": "Graphs"}],
                 "cursor": 1, "has_more": False},
        "error": {"code": "ok", "message": "", "log_id": "20240105"}}))


def youtube_takeout(folder: Path) -> Path:
    export = folder / "Takeout" / "YouTube and YouTube Music"
    write_file(export / "channels" / "channel.csv", "Channel ID,Channel Title (Original),"
           "Channel Visibility\nUCann0000000000000000000,Ann,Public\n")
    write_file(export / "video metadata" / "videos.csv", "Video ID,Channel ID,Video Title "
           "(Original),Privacy,Video Create Timestamp,Video Publish Timestamp\n"
           "dQw4w9WgXcQ,UCann0000000000000000000,Graphs,Public,2024-01-05T10:22:33+00:00,"
           "2024-01-05T10:22:33+00:00\n")
    return folder / "Takeout"


def youtube_api(folder: Path) -> Path:
    comment = {"kind": "youtube#comment", "id": "UgzAbc", "snippet": {
        "videoId": "dQw4w9WgXcQ", "textOriginal": "Nice", "authorDisplayName": "Bo",
        "authorChannelId": {"value": "UCbo00000000000000000000"},
        "publishedAt": "2024-01-05T11:00:00Z"}}
    return write_file(folder / "commentThreads.json", json.dumps({
        "kind": "youtube#commentThreadListResponse", "items": [
            {"kind": "youtube#commentThread", "id": "UgzAbc", "snippet": {
                "channelId": "UCann0000000000000000000", "videoId": "dQw4w9WgXcQ",
                "topLevelComment": comment, "totalReplyCount": 0}}]}))


def pinterest_api(folder: Path) -> Path:
    return write_file(folder / "pins.json", json.dumps({"items": [
        {"id": "813744226420795884", "created_at": "2024-01-05T10:22:33",
         "title": "Fractions", "board_id": "1", "board_owner": {"username": "ann"}},
        {"id": "813744226420795885", "created_at": "2024-01-06T10:22:33",
         "board_id": "2", "board_owner": {"username": "bo"},
         "parent_pin_id": "813744226420795884"}], "bookmark": None}))


def pinterest_export(folder: Path) -> Path:
    """The account export's HTML page, as in the sample of ChowSinWon/pinterest-export-parser."""
    pin = ('<a href="https://www.pinterest.com/pin/{id}/">https://www.pinterest.com/pin/{id}/</a>'
           "\n<br>Title: {title},\n<br>Details: No data,\n<br>Board Id: 9876543210,"
           "\n<br>Ip Address: 203.0.113.7,\n<br>Username: ann,\n<br>Canonical Link: "
           '<a href="https://ann.example/a?b=1&amp;c=2">https://ann.example/a?b=1&amp;c=2</a>,'
           "\n<br>Created at: 2024/01/0{day} 10:22:33\n<br>Alive: True"
           "\n<br>Is a repin: {repin}\n<br>Private: False<br><br>\n")
    body = "".join(pin.format(id=i, title=t, day=d, repin=r) for i, t, d, r in (
        ("813744226420795884", "Fractions", 5, "False"),
        ("813744226420795885", "Graphs", 6, "True")))
    return write_file(folder / "pinterest.html", (
        '<html><body><div id="contents"><h1 id=y1bkd>Pins</h1>\n' + body +
        "<h1 id=1234>Boards</h1>\nName: Maths<br>\n</div></body></html>\n"))

def github(folder: Path) -> Path:
    event = {"id": "2489651045", "type": "WatchEvent", "actor": {"id": 1, "login": "bo"},
             "repo": {"id": 2, "name": "ann/graphs"}, "payload": {"action": "started"},
             "public": True, "created_at": "2015-01-01T15:00:00Z"}
    return write_file(folder / "2015-01-01-15.json", json.dumps(event) + "\n")
