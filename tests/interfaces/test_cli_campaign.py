"""``renown campaign …`` on a scored simulated world: every command, its files, its errors."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from renown.store.database import open_store, scalar
from tests.interfaces.served_world import ServedWorld, build_world
from tests.interfaces.test_cli_scores import clean_error, ok, ok_json, run, words


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ServedWorld:
    return build_world(tmp_path_factory.mktemp("cli-campaign"), people=200, days=30)


@pytest.fixture(scope="module")
def spring(world: ServedWorld) -> dict[str, Any]:
    """A campaign with three proposed invitees, two of whom accepted."""
    starts, ends = world.last_day - timedelta(days=2), world.last_day + timedelta(days=28)
    created = ok_json("campaign", "create", "spring", "--name", "Spring <b>sale</b>",
                      "--brand", "Acme", "--goal", "sales", "--landing-url",
                      "https://acme.example/spring", "--starts", starts.isoformat(),
                      "--ends", ends.isoformat(), "--budget", "300", "--currency", "EUR",
                      "--db", world.db)
    invited = ok_json("campaign", "invite", "spring", "--limit", "3", "--db", world.db)
    first, second, third = (i["person_id"] for i in invited)
    ok("campaign", "respond", "spring", first, "--accept", "--cost", "120", "--db", world.db)
    ok("campaign", "respond", "spring", second, "--accept", "--db", world.db)
    ok("campaign", "respond", "spring", third, "--decline", "--db", world.db)
    return {"campaign": created, "invites": invited, "starts": starts}


def test_create_list_and_show(world: ServedWorld, spring: dict[str, Any]) -> None:
    assert spring["campaign"]["campaign_id"] == "spring"
    assert spring["campaign"]["goal"] == "sales"
    listed = ok_json("campaign", "list", "--db", world.db)
    assert [(c["campaign_id"], c["invited"], c["accepted"]) for c in listed] == [
        ("spring", 3, 2)]
    shown = ok_json("campaign", "show", "spring", "--db", world.db)
    assert [i["status"] for i in shown["invites"]] == ["accepted", "accepted", "declined"]
    assert all(i["link"] == f"/r/{i['code']}" for i in shown["invites"])
    text = words(ok("campaign", "show", "spring", "--db", world.db))
    assert "brand: Acme" in text and "Spring <b>sale</b>" in text and "Invites (3)" in text


def test_invite_proposes_with_reasons_and_a_dry_run_stores_nothing(
        world: ServedWorld, spring: dict[str, Any]) -> None:
    codes = [i["code"] for i in spring["invites"]]
    assert len(set(codes)) == 3 and all(len(c) >= 12 for c in codes)
    assert all(any(r.startswith("score ") for r in i["reasons"]) for i in spring["invites"])
    assert all(i["score"] >= 1.0 and i["model_version"] for i in spring["invites"])
    proposed = ok_json("campaign", "invite", "spring", "--limit", "2", "--dry-run",
                       "--db", world.db)
    assert len(proposed) == 2
    assert not {p["person_id"] for p in proposed} & {i["person_id"] for i in spring["invites"]}
    assert "dry run: nothing stored" in words(
        ok("campaign", "invite", "spring", "--limit", "2", "--dry-run", "--db", world.db))
    assert len(ok_json("campaign", "show", "spring", "--db", world.db)["invites"]) == 3


def test_naming_someone_again_keeps_their_code(world: ServedWorld,
                                               spring: dict[str, Any]) -> None:
    first = spring["invites"][0]
    again = ok_json("campaign", "invite", "spring", "--person", first["person_id"],
                    "--db", world.db)
    assert [(i["code"], i["new"]) for i in again] == [(first["code"], False)]


def test_posts_and_conversions_then_the_report_and_its_files(
        world: ServedWorld, spring: dict[str, Any], tmp_path: Path) -> None:
    first, second, _ = spring["invites"]
    ok("campaign", "post", "spring", first["person_id"], "post-1", "--db", world.db)
    day = spring["starts"].isoformat()
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,code,ts,total,customer\n"
                      f"o1,{first['code']},{day},40,ann@shop.example\n"
                      f"o2,{first['code']},{day},60,bo@shop.example\n"
                      f"o3,{second['code']},{day},25,cy@shop.example\n"
                      f"o4,nosuchcode1234,{day},10,di@shop.example\n", encoding="utf-8")
    imported = ok_json("campaign", "conversions", "spring", orders, "--db", world.db)
    assert (imported["ingested"], imported["quarantined"]) == (3, 1)
    assert "unknown tracked-link code 'nosuchcode1234'" in imported["quarantine"][0]["reason"]
    replay = ok_json("campaign", "conversions", "spring", orders, "--db", world.db)
    assert (replay["ingested"], replay["duplicates"]) == (0, 3)

    out = [tmp_path / f"spring.{ext}" for ext in ("csv", "json", "html", "png")]
    flags = [a for path in out for a in ("--out", str(path))]
    report = ok_json("campaign", "report", "spring", *flags, "--resamples", "200",
                     "--db", world.db)
    by_person = {p["person_id"]: p for p in report["people"]}
    assert by_person[first["person_id"]]["conversions"] == 2
    assert by_person[first["person_id"]]["value"] == pytest.approx(100.0)
    assert by_person[first["person_id"]]["cost_per_outcome"] == pytest.approx(60.0)
    assert by_person[first["person_id"]]["posts"] == 1
    assert report["totals"]["conversions"] == 3
    assert report["prediction"]["people"] == 2
    assert "needs at least 3" in report["prediction"]["sentence"]
    rows = list(csv.DictReader(out[0].open(encoding="utf-8")))
    assert len(rows) == 4 and rows[-1]["person_id"] == "total"
    assert json.loads(out[1].read_text(encoding="utf-8"))["totals"]["conversions"] == 3
    html = out[2].read_text(encoding="utf-8")
    assert "<svg" in html and "Spring &lt;b&gt;sale&lt;/b&gt;" in html and "<script" not in html
    assert out[3].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    printed = ok("campaign", "report", "spring", "--resamples", "0", "--db", world.db)
    text = words(printed)
    assert "Pre-campaign score vs sales" in text and "genuine reach" in text
    assert "…" not in printed.stdout  # the table fits a terminal: nothing cut short
    assert f"{first['person_id']} " in printed.stdout and "per sale" in printed.stdout


def test_a_closed_campaign_takes_no_more_conversions(world: ServedWorld,
                                                     tmp_path: Path) -> None:
    day = world.last_day.isoformat()
    ok("campaign", "create", "autumn", "--name", "Autumn", "--brand", "Acme", "--goal",
       "signups", "--landing-url", "https://acme.example/autumn", "--starts", day,
       "--ends", day, "--db", world.db)
    code = ok_json("campaign", "invite", "autumn", "--limit", "1", "--db", world.db)[0]["code"]
    ok("campaign", "close", "autumn", "--db", world.db)
    orders = tmp_path / "signups.json"
    orders.write_text(json.dumps([{"id": "s1", "code": code, "ts": day}]), encoding="utf-8")
    clean_error(run("campaign", "conversions", "autumn", orders, "--db", world.db), "closed")
    with open_store(world.db) as con:
        assert scalar(con, "SELECT count(*) FROM campaign_outcomes "
                           "WHERE campaign_id = 'autumn'") == 0


@pytest.mark.parametrize(("args", "fragments"), [
    (("create", "bad id", "--name", "n", "--brand", "b", "--goal", "sales", "--landing-url",
      "https://a.example", "--starts", "2026-01-01", "--ends", "2026-01-02"), ("bad id",)),
    (("create", "x", "--name", "n", "--brand", "b", "--goal", "fame", "--landing-url",
      "https://a.example", "--starts", "2026-01-01", "--ends", "2026-01-02"), ("fame",)),
    (("create", "x", "--name", "n", "--brand", "b", "--goal", "sales", "--landing-url",
      "https://a.example", "--starts", "soon", "--ends", "2026-01-02"), ("--starts", "soon")),
    (("create", "x", "--name", "n", "--brand", "b", "--goal", "sales", "--landing-url",
      "javascript:alert(1)", "--starts", "2026-01-01", "--ends", "2026-01-02"),
     ("javascript",)),
    (("show", "nosuch"), ("nosuch",)),
    (("respond", "spring", "nobody-at-all", "--accept"), ("nobody-at-all",)),
    (("report", "spring", "--out", "report.docx"), (".docx",)),
])
def test_errors_are_one_clean_line(world: ServedWorld, spring: dict[str, Any],
                                   args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    clean_error(run("campaign", *args, "--db", world.db), *fragments)


def test_respond_needs_exactly_one_answer(world: ServedWorld, spring: dict[str, Any]) -> None:
    person = spring["invites"][0]["person_id"]
    for flags in ((), ("--accept", "--decline")):
        clean_error(run("campaign", "respond", "spring", person, *flags, "--db", world.db),
                    "exactly one of --accept and --decline")
