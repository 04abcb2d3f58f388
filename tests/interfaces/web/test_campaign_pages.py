"""The dashboard's campaign pages (issue 16): the list, and one campaign's facts, totals,
prediction, charts and invitees, read from the published snapshot; a real Chromium loads
the page under the strict policy with its charts drawn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from html import unescape
from urllib.parse import unquote

import duckdb
import pytest
from fastapi.testclient import TestClient

from renown.interfaces.api import create_app
from renown.interfaces.web.campaign_pages import scatter_chart
from renown.scoring.campaigns.propose import candidate_for
from renown.sources.conversions import ConversionRecord
from renown.store.campaigns import (
    CampaignTarget,
    create_campaign,
    invite_people,
    record_post,
    respond,
)
from renown.store.database import open_store
from renown.store.outcomes import record_click, record_conversions
from renown.store.serving import publish
from tests.interfaces.served_world import ServedWorld
from tests.interfaces.web.conftest import Tab, shot

EVIL = '<script>alert("owned")</script>'


@dataclass(frozen=True)
class Planted:
    """The campaign written into the world's store: invitees and their codes, by person."""

    people: list[str]
    codes: dict[str, str]
    declined: str


def _top_people(con: duckdb.DuckDBPyConnection, count: int) -> list[str]:
    rows = con.execute("""
        SELECT person_id FROM person_scores
        WHERE run_id = (SELECT max(run_id) FROM person_scores)
        ORDER BY score DESC, person_id LIMIT ?""", [count]).fetchall()
    return [str(r[0]) for r in rows]


def _a_post(con: duckdb.DuckDBPyConnection, network: str, account: str) -> str | None:
    row = con.execute("SELECT post_id FROM events WHERE network = ? AND actor = ? AND "
                      "kind = 'post' AND post_id IS NOT NULL ORDER BY ts DESC LIMIT 1",
                      [network, account]).fetchone()
    return None if row is None else str(row[0])


def _plant(con: duckdb.DuckDBPyConnection, world: ServedWorld) -> Planted:
    """"spring": five invitees (four accepted, one declined), posts, clicks and sales;
    "evil": a brand and name that are markup; "quiet": nobody invited yet."""
    noon = datetime.combine(world.last_day, time(12))
    spring = create_campaign(
        con, campaign_id="spring", name="Spring launch", brand="Acme", goal="sales",
        landing_url="https://acme.example/spring", starts=world.first_day,
        ends=world.last_day, target=CampaignTarget(min_score=1.0), budget=1000.0,
        currency="EUR", offer="a free kettle")
    people = _top_people(con, 5)
    invited = invite_people(con, "spring", [candidate_for(con, spring, p) for p in people])
    invite = {i.person_id: i for i in invited}
    for rank, person in enumerate(people):
        if rank == 4:
            respond(con, "spring", person, accepted=False)
            continue
        respond(con, "spring", person, accepted=True,
                cost=None if rank == 3 else 100.0 * (rank + 1))
        post = _a_post(con, invite[person].network, invite[person].account)
        if post is not None:
            record_post(con, "spring", person, post)
        for visitor in range(4 - rank):
            record_click(con, invite[person].code, ip=f"198.51.100.{visitor + 1}",
                         user_agent="Test/1.0", ts=noon)
    codes = {p: invite[p].code for p in people}
    sales = [ConversionRecord(n, codes[p], f"order-{n}", noon, 25.0)
             for n, p in enumerate([people[0], people[0], people[1]])]
    assert record_conversions(con, "spring", sales, label="orders.csv").quarantined == 0
    create_campaign(con, campaign_id="evil", name=f"{EVIL} launch", brand=f"{EVIL} & Co",
                    goal="clicks", landing_url="https://evil.example/", starts=world.first_day,
                    ends=world.last_day)
    create_campaign(con, campaign_id="quiet", name="Quiet one", brand="Acme", goal="signups",
                    landing_url="https://acme.example/quiet", starts=world.first_day,
                    ends=world.last_day)
    return Planted(people, codes, people[4])


@pytest.fixture(scope="module")
def planted(world: ServedWorld) -> Planted:
    """The campaigns, written with the store's functions and published for the server."""
    with open_store(world.db) as con:
        found = _plant(con, world)
        publish(con, world.db)
    return found


@pytest.fixture(scope="module")
def client(world: ServedWorld, planted: Planted) -> Iterator[TestClient]:
    with TestClient(create_app(world.db)) as test_client:
        yield test_client


def _invitee_rows(html: str) -> list[str]:
    body = html[html.index('<table class="people invitees">'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def test_the_campaign_page_shows_facts_totals_prediction_and_every_invitee(
        client: TestClient, planted: Planted) -> None:
    response = client.get("/campaigns/spring")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert "<h1 id=\"campaign-title\">Spring launch</h1>" in html
    for fact in ("Acme", "https://acme.example/spring", "a free kettle", "1,000.00 EUR"):
        assert fact in html, fact
    assert "Pre-campaign score vs sales: Spearman" in html  # four accepted: computed
    assert re.search(r"Spearman −?\d\.\d\d \[−?\d\.\d\d, −?\d\.\d\d\] over 4 accepted people",
                     unescape(html).replace("-", "−"))
    rows = _invitee_rows(html)
    assert len(rows) == 5
    linked = [unquote(link) for row in rows for link in re.findall(r'href="/people/([^"]+)"',
                                                                   row)]
    assert sorted(linked) == sorted(planted.people)
    for person, code in planted.codes.items():
        row = next(r for r in rows if f"/people/{person}" in unquote(r))
        assert f"/r/{code}" in row
        assert ("declined" if person == planted.declined else "accepted") in row
    best = rows[0]
    assert unquote(best).count(f"/people/{planted.people[0]}") == 1  # most sales first
    assert '<td class="num">50.00</td>' in best  # value of two sales
    assert '<td class="num">100.00</td>' in best  # the agreed cost
    assert "Value (EUR)" in html and "Cost per conversion (EUR)" in html  # the unit, once
    assert 'href="/r/' not in html  # tracked links are text: viewing never counts a click
    assert "<svg" in html and "<script>" not in html and " style=" not in html


def test_totals_add_up_the_invitees(client: TestClient) -> None:
    html = client.get("/campaigns/spring").text
    foot = html[html.index("<tfoot>"):html.index("</tfoot>")]
    cells = re.findall(r'<td class="num">([^<]*)</td>', foot)
    posts, reactions, reach, clicks, conversions, value, cost, per = cells
    assert (posts, reactions, reach) == ("4", "33", "26.9")
    assert (clicks, conversions, value) == ("10", "3", "75.00")
    assert cost == "850.00"  # 100 + 200 + 300 agreed, and the budget's split: 1000 / 4
    assert per == "283.33"
    assert "4 accepted" in foot


def test_a_campaign_with_nobody_invited_says_so(client: TestClient) -> None:
    html = client.get("/campaigns/quiet").text
    assert "Nobody has been invited yet" in html
    assert "not computed, 0 accepted people" in html
    assert 'id="charts"' not in html


def test_an_unknown_campaign_is_the_dashboards_404_page(client: TestClient) -> None:
    for path in ("/campaigns/nope", "/campaigns/Not%20A%20Valid%20Id"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Not found" in response.text and "no campaign" in response.text.lower()


def test_markup_in_a_brand_or_name_is_escaped(client: TestClient) -> None:
    for path in ("/campaigns/evil", "/campaigns"):
        html = client.get(path).text
        assert EVIL not in html, path
        assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html, path
    assert "&amp; Co" in client.get("/campaigns/evil").text


def test_the_list_page_links_every_campaign_newest_first(client: TestClient) -> None:
    response = client.get("/campaigns")
    assert response.status_code == 200
    html = response.text
    assert re.findall(r'href="/campaigns/([^"]+)"', html) == ["quiet", "evil", "spring"]
    assert "3 campaigns" in html
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if "spring" in r)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["5", "4", "10", "3"]
    assert 'aria-current="page">Campaigns' in html  # the nav marks the section


def test_the_scatter_chart_keeps_dots_inside_the_plot() -> None:
    assert scatter_chart([]) is None
    chart = scatter_chart([(42.0, 0.0, "accepted", "a"), (88.5, 7.0, "invited", "b")])
    assert chart is not None
    left, top, right, bottom = chart.box
    assert all(left <= d.x <= right and top <= d.y <= bottom for d in chart.dots)
    assert chart.dots[0].y == bottom  # no outcomes sits on the axis
    assert all(float(t.label).is_integer() for t in chart.y_ticks)  # counts: whole ticks
    flat = scatter_chart([(50.0, 0.0, "accepted", "only")])
    assert flat is not None and flat.dots[0].y == flat.box[3]


def test_the_campaign_page_in_a_browser_draws_its_charts_cleanly(
        tab: Tab, planted: Planted) -> None:
    page = tab.page
    page.goto("/campaigns")
    page.click("a[href='/campaigns/spring']")
    page.wait_for_url("**/campaigns/spring")
    assert page.locator("h1").inner_text() == "Spring launch"
    assert "Spearman" in page.locator(".prediction").inner_text()
    assert page.locator("table.invitees tbody tr").count() == len(planted.people)
    dots = page.locator("#charts figure svg circle")
    assert dots.count() == len(planted.people)
    box = dots.first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    bars = page.locator("#charts .outcome-bars svg.bar rect")
    assert bars.count() == len(planted.people)
    widest = max(b["width"] for b in (bars.nth(i).bounding_box() for i in range(bars.count()))
                 if b is not None)
    assert widest > 50
    fill = page.evaluate("getComputedStyle(document.querySelector('.dot-accepted')).fill")
    assert fill == "rgb(29, 78, 216)"  # the stylesheet (not inline style) coloured it
    shot(page, "campaign")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shot(page, "phone-campaign")
    tab.clean()
