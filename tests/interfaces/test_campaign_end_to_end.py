"""A campaign end to end on a simulated world with planted truth (issue 16, "Must show").

The brand creates a campaign and invites people with the CLI (the best matches
from discover, then planted converters and planted fake-audience accounts by
name); everyone accepts.  `renown serve` runs as its own process on loopback,
and the simulated followers (`renown.simulation.campaigns.simulate_campaign`)
click their tracked links through ``/r/{code}``, each from their own address
(``X-Forwarded-For``, which uvicorn trusts from loopback only), one of them
flooding a link.  Half the orders arrive through the webhook (one replayed,
one with an unknown code), the server is stopped (it stores and publishes
what it queued), the other half is imported from a shop's CSV, and the report
must rank every planted converter above every planted fake audience, count
the flood once, and print whether the score predicted the outcomes.  Last, the
whole store is scanned for any visitor's address or user agent in clear.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from renown.simulation import load_truth
from renown.simulation.campaigns import (
    CampaignActivity,
    Conversion,
    campaign_candidates,
    latent_influence,
    simulate_campaign,
)
from renown.simulation.truth import Truth
from tests.interfaces.served_world import ServedWorld, build_world
from tests.interfaces.store_traces import traces
from tests.interfaces.test_cli_scores import ok, ok_json, words

DAYS = 7
PLANTED = 4  # converters, and fake-audience accounts, invited by name


@dataclass
class Campaign:
    world: ServedWorld
    truth: Truth
    #: Store person id -> tracked-link code, and store person id -> truth person id.
    codes: dict[str, str]
    truth_ids: dict[str, str]
    activity: CampaignActivity
    starts: date


def _accounts(truth: Truth) -> dict[str, str]:
    """``network:account`` -> the truth's person id (the store names linked people by it)."""
    table = truth.influence()
    return {f"{n}:{a}": p for n, a, p in zip(table["network"].to_pylist(),
                                             table["account"].to_pylist(),
                                             table["person_id"].to_pylist(), strict=True)}


def _planted(truth: Truth) -> list[str]:
    """The most influential planted converters and fake-audience accounts, as accounts."""
    influence = latent_influence(truth)
    kinds = campaign_candidates(truth)
    twitter = {p: a for a, p in _accounts(truth).items() if a.startswith("twitter:")}
    return [twitter[p] for kind in ("converters", "fake_audience")
            for p in sorted(kinds[kind], key=lambda p: -influence[p])[:PLANTED]]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    folder = tmp_path_factory.mktemp("campaign-e2e")
    world = build_world(folder, people=200, days=30)
    truth = load_truth(folder / "world")
    today = datetime.now(UTC).date()
    starts = today - timedelta(days=DAYS)
    ok("campaign", "create", "launch", "--name", "Launch", "--brand", "Acme", "--goal", "sales",
       "--landing-url", "https://acme.example/launch", "--starts", starts.isoformat(),
       "--ends", (today + timedelta(days=30)).isoformat(), "--budget", "900",
       "--db", world.db)
    invited = ok_json("campaign", "invite", "launch", "--limit", "4", "--db", world.db)
    named = [a for p in _planted(truth) for a in ("--person", p)]
    invited += ok_json("campaign", "invite", "launch", *named, "--db", world.db)
    codes = {i["person_id"]: i["code"] for i in invited}
    for person in codes:
        ok("campaign", "respond", "launch", person, "--accept", "--cost", "100",
           "--db", world.db)
    accounts = _accounts(truth)
    truth_ids = {i["person_id"]: accounts.get(f"{i['network']}:{i['account']}", i["person_id"])
                 for i in invited}
    activity = simulate_campaign(truth, {truth_ids[p]: c for p, c in codes.items()},
                                 start=datetime.combine(starts, datetime.min.time(), UTC),
                                 days=DAYS, seed=11, click_flood=40)
    return Campaign(world, truth, codes, truth_ids, activity, starts)


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """``renown serve`` on a free loopback port, as its own process, stopped with Ctrl-C
    (as a user stops it: the server then stores and publishes what it queued)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "renown.interfaces.cli.main", "serve", "--port", "0",
         "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"})
    assert process.stdout is not None
    line = process.stdout.readline()
    if "Serving the dashboard at" not in line:
        process.kill()
        pytest.fail(f"renown serve did not start: {line}{process.communicate()[1]}")
    try:
        yield line.split(" at ", 1)[1].split()[0].rstrip("/")
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
    assert process.returncode in (0, 130, -signal.SIGINT), errors
    assert "not stored" not in errors, errors


def _webhook(url: str, world: ServedWorld, order: Conversion) -> httpx.Response:
    return httpx.post(f"{url}/v1/campaigns/launch/conversions",
                      json={"code": order.code, "ts": order.ts.isoformat(),
                            "value": order.value, "customer": order.customer},
                      headers={**world.headers("write"), "Idempotency-Key": order.order_id})


def _live(url: str, campaign: Campaign, by_webhook: tuple[Conversion, ...]) -> None:
    """Every simulated visit through ``/r/{code}``, then the webhook's share of the orders."""
    world, activity = campaign.world, campaign.activity
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        for visit in activity.visits:
            answer = client.get(f"/r/{visit.code}", headers={
                "X-Forwarded-For": visit.ip, "User-Agent": visit.user_agent})
            assert answer.status_code == 302, answer.text
            assert answer.headers["location"] == "https://acme.example/launch"
    for order in by_webhook:
        assert _webhook(url, world, order).status_code == 201
    replay = _webhook(url, world, by_webhook[0])
    assert (replay.status_code, replay.json()["duplicate"]) == (200, True)
    unknown = _webhook(url, world, Conversion("NoSuchCode99", "ord-x", "cust-x", "sale", 1.0,
                                              by_webhook[0].ts))
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "conversion_refused"
    live = httpx.get(f"{url}/v1/campaigns/launch/report?resamples=0",
                     headers=world.headers()).json()
    assert live["totals"]["conversions"] == len(by_webhook)
    assert live["totals"]["clicks"] > 0
    page = httpx.get(f"{url}/campaigns/launch")
    assert page.status_code == 200 and "Pre-campaign score vs sales" in page.text


@pytest.fixture(scope="module")
def report(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Clicks and webhooks against the live server, then the shop's CSV and the report."""
    world, activity = campaign.world, campaign.activity
    by_webhook, by_file = activity.conversions[::2], activity.conversions[1::2]
    with serving(world.db) as url:
        _live(url, campaign, by_webhook)
    orders = tmp_path_factory.mktemp("shop") / "orders.csv"
    with orders.open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["order_id", "code", "created_at", "total", "email"])
        rows.writerows([o.order_id, o.code, o.ts.isoformat(), o.value, f"{o.customer}@shop.example"]
                       for o in by_file)
    imported = ok_json("campaign", "conversions", "launch", orders, "--db", world.db)
    assert (imported["ingested"], imported["quarantined"]) == (len(by_file), 0)
    found: dict[str, Any] = ok_json("campaign", "report", "launch", "--db", world.db)
    found["printed"] = words(ok("campaign", "report", "launch", "--db", world.db))
    return found


def test_converters_rank_above_fake_audiences_and_the_flood_counts_once(
        campaign: Campaign, report: dict[str, Any]) -> None:
    people = {campaign.truth_ids[p["person_id"]]: p for p in report["people"]}
    converters = [people[p] for p in campaign.activity.converters]
    fakes = [people[p] for p in campaign.activity.fake_audience]
    assert len(converters) >= PLANTED and len(fakes) >= PLANTED
    worst_converter = min((p["conversions"], p["clicks"]) for p in converters)
    best_fake = max((p["conversions"], p["clicks"]) for p in fakes)
    assert worst_converter > best_fake, (converters, fakes)
    ranked = sorted(report["people"], key=lambda p: (-p["conversions"], -p["clicks"]))
    order = [campaign.truth_ids[p["person_id"]] for p in ranked]
    assert max(order.index(p) for p in campaign.activity.converters) < min(
        order.index(p) for p in campaign.activity.fake_audience)
    flooded = {v.code for v in campaign.activity.visits if v.ip.startswith("192.0.2.")}
    assert len(flooded) == 1
    [victim] = [p for p in report["people"] if p["code"] in flooded]
    assert victim["clicks"] == 1 and victim["conversions"] == 0


def test_every_click_and_order_is_counted_once(campaign: Campaign,
                                               report: dict[str, Any]) -> None:
    visitors = {(v.code, v.ip, v.user_agent) for v in campaign.activity.visits}
    assert report["totals"]["clicks"] == len(visitors)
    assert report["totals"]["conversions"] == len(campaign.activity.conversions)
    assert report["totals"]["value"] == pytest.approx(
        sum(o.value for o in campaign.activity.conversions), abs=0.01)


def test_the_prediction_figure_is_printed(campaign: Campaign, report: dict[str, Any]) -> None:
    prediction = report["prediction"]
    assert prediction["people"] >= 2 * PLANTED and prediction["spearman"] is not None
    assert -1.0 <= prediction["low"] <= prediction["spearman"] <= prediction["high"] <= 1.0
    assert f"Spearman {prediction['spearman']:.2f}" in report["printed"]
    assert "Pre-campaign score vs sales" in report["printed"]


def test_the_refused_webhook_is_quarantined_with_its_reason(campaign: Campaign,
                                                            report: dict[str, Any]) -> None:
    from renown.store.database import open_store

    with open_store(campaign.world.db, read_only=True) as con:
        reasons = [r for (r,) in con.execute("SELECT reason FROM quarantine").fetchall()]
    assert any("unknown tracked-link code 'NoSuchCode99'" in r for r in reasons)


def test_no_visitor_or_customer_is_stored_in_clear(campaign: Campaign,
                                                   report: dict[str, Any]) -> None:
    visits, orders = campaign.activity.visits, campaign.activity.conversions
    needles = tuple(sorted({v.ip for v in visits[::len(visits) // 8 or 1]}
                           | {v.user_agent for v in visits} | {o.customer for o in orders[:8]}))
    assert len(needles) >= 15
    assert traces(campaign.world.db, needles) == []
