"""A person on Instagram, TikTok, YouTube and Pinterest (and then Threads), end to end.

Each network's data goes in through its real source, from payloads in the
shapes the other test modules document (Instagram Graph API media with
comments, TikTok Research API videos and comments, YouTube Data API comment
threads, Pinterest API v5 pins saved by others), then ``renown link``,
``renown score`` and ``renown explain`` run as a user would run them.  The
person's explanation must name a contribution for every linked network, and
linking one more network (Threads) must not lower the score (DESIGN.md
property 4).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from renown.interfaces.cli.main import app

START = datetime(2024, 1, 1, 9, tzinfo=UTC)
AS_OF = "2024-01-20"
CHANNEL = "UCann0000000000000000000"
DAYS = 10


def _iso(day: int, hour: int = 0) -> str:
    return (START + timedelta(days=day, hours=hour)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _epoch(day: int, hour: int = 0) -> int:
    return int((START + timedelta(days=day, hours=hour)).timestamp())


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def instagram(folder: Path, fans: int) -> Path:
    media = [{"id": f"1789{d:04d}", "caption": f"Lesson {d}", "media_type": "IMAGE",
              "timestamp": _iso(d), "username": "ann", "comments": {"data": [
                  {"id": f"1785{d:04d}{f:03d}", "text": "thanks!", "timestamp": _iso(d, 2),
                   "username": f"ig_fan{f}"} for f in range(fans) if (f + d) % 3 == 0]}}
             for d in range(DAYS)]
    return _write(folder / "media.json", {"data": media})


def tiktok(folder: Path, videos: int) -> Path:
    ok = {"code": "ok", "message": "", "log_id": "2024"}
    _write(folder / "videos.json", {"data": {"videos": [
        {"id": 7320000000000000000 + d, "create_time": _epoch(d), "username": "ann",
         "video_description": f"Fractions {d}"} for d in range(videos)]}, "error": ok})
    return _write(folder / "comments.json", {"data": {"comments": [
        {"id": 7330000000000000000 + d, "video_id": 7320000000000000000 + d, "text": "wow",
         "create_time": _epoch(d, 3)} for d in range(videos)]}, "error": ok}).parent


def youtube(folder: Path, fans: int) -> Path:
    threads = [{"kind": "youtube#commentThread", "id": f"Ugz{d}{f}", "snippet": {
        "channelId": CHANNEL, "videoId": f"vid{d:08d}", "topLevelComment": {
            "kind": "youtube#comment", "id": f"Ugz{d}{f}", "snippet": {
                "authorChannelId": {"value": f"UCfan{f:019d}"}, "textOriginal": "great",
                "publishedAt": _iso(d, 4), "videoId": f"vid{d:08d}"}}}}
        for d in range(DAYS) for f in range(fans) if (f + d) % 2 == 0]
    videos = [{"kind": "youtube#video", "id": f"vid{d:08d}", "snippet": {
        "publishedAt": _iso(d), "channelId": CHANNEL, "title": f"Video {d}"}}
        for d in range(DAYS)]
    _write(folder / "videos.json", {"kind": "youtube#videoListResponse", "items": videos})
    return _write(folder / "threads.json", {"kind": "youtube#commentThreadListResponse",
                                            "items": threads}).parent


def pinterest(folder: Path, savers: int) -> Path:
    pins = [{"id": f"81{d:04d}", "created_at": _iso(d)[:19], "title": f"Worksheet {d}",
             "board_id": "b", "board_owner": {"username": "ann"}} for d in range(DAYS)]
    saves = [{"id": f"82{d:04d}{s:03d}", "created_at": _iso(d, 5)[:19], "board_id": "c",
              "board_owner": {"username": f"teacher{s}"}, "parent_pin_id": f"81{d:04d}"}
             for d in range(DAYS) for s in range(savers) if (s + d) % 2 == 1]
    _write(folder / "ann.json", {"items": pins, "bookmark": None})
    return _write(folder / "savers.json", {"items": saves, "bookmark": None}).parent


def threads(folder: Path, fans: int) -> Path:
    posts = [{"id": f"1805{d:04d}", "media_product_type": "THREADS", "media_type": "TEXT_POST",
              "text": f"Thread {d}", "timestamp": _iso(d), "username": "ann"}
             for d in range(DAYS)]
    replies = [{"id": f"1806{d:04d}{f:03d}", "media_product_type": "THREADS",
                "media_type": "TEXT_POST", "text": "yes", "timestamp": _iso(d, 6),
                "username": f"th_fan{f}", "replied_to": {"id": f"1805{d:04d}"}}
               for d in range(DAYS) for f in range(fans) if (f * d) % 4 == 1]
    return _write(folder / "threads.json", {"data": posts + replies})


def ok(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def _explain(db: Path) -> dict[str, Any]:
    ok("score", "--as-of", AS_OF, "--no-topics", "--replace", "--db", db)
    data: dict[str, Any] = json.loads(ok("explain", "ann", "--as-of", AS_OF, "--json",
                                         "--db", db).stdout)
    return data


def test_linked_networks_each_contribute_and_one_more_never_lowers(tmp_path: Path) -> None:
    db = tmp_path / "renown.duckdb"
    inputs = {"instagram-api": instagram(tmp_path / "ig", 12),
              "tiktok-api": tiktok(tmp_path / "tt", 6),
              "youtube-api": youtube(tmp_path / "yt", 10),
              "pinterest-api": pinterest(tmp_path / "pin", 8),
              "threads-api": threads(tmp_path / "th", 9)}
    for path in inputs.values():
        ok("ingest", path, "--strict", "--db", db)  # detected by content, nothing quarantined
    ok("link", "ann", "instagram:ann", "tiktok:ann", f"youtube:{CHANNEL}", "pinterest:ann",
       "--db", db)
    four = _explain(db)
    networks = {c["network"] for c in four["contributions"] if c["points"] > 0}
    assert {"instagram", "tiktok", "youtube", "pinterest"} <= networks, four["contributions"]
    assert sum(c["points"] for c in four["contributions"]) == pytest.approx(four["score"])
    ok("link", "ann", "threads:ann", "--db", db)
    five = _explain(db)
    assert five["score"] >= four["score"]
    assert "threads" in {c["network"] for c in five["contributions"] if c["points"] > 0}
