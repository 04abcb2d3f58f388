"""The dashboard in a real Chromium: every page loads from a live server on loopback, shows
its content, and its search, filters and keyboard navigation work; screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

from typing import Any

from tests.interfaces.served_world import HISTORY_DAYS, ServedWorld
from tests.interfaces.web.conftest import Tab, shot


def _column(page: Any, header: str) -> list[str]:
    """Text of the people table's column headed `header` (found by name, so a column added
    to the template cannot shift what a test reads)."""
    headers = [h.strip() for h in page.locator("table.people thead th").all_inner_texts()]
    index = headers.index(header) + 1
    return [t.strip() for t in
            page.locator(f"table.people tbody tr td:nth-child({index})").all_inner_texts()]


def test_leaderboard_search_and_network_filter(tab: Tab) -> None:
    page = tab.page
    page.goto("/")
    assert page.url.endswith("/leaderboard")
    assert page.locator("h1").inner_text() == "Leaderboard"
    scores = [float(s) for s in _column(page, "Score")]
    assert len(scores) == 25 and scores == sorted(scores, reverse=True)
    shot(page, "leaderboard")
    top = _column(page, "Person")[0]
    fragment = top[-4:]
    page.fill("#q", fragment)
    page.press("#q", "Enter")
    page.wait_for_url(f"**/leaderboard?q={fragment}*")
    found = _column(page, "Person")
    assert top in found and all(fragment in name for name in found)
    assert "matching" in page.locator(".result-count").inner_text()
    page.fill("#q", "")
    page.select_option("#network", "mastodon")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**network=mastodon*")
    assert set(_column(page, "Networks")) == {"mastodon"}
    assert page.locator("#network").input_value() == "mastodon"
    shot(page, "leaderboard-mastodon")
    page.click("a[rel=next]")
    page.wait_for_url("**page=2*")
    assert _column(page, "Rank")[0] == "26"
    tab.clean()


def test_person_page_shows_every_section_and_explains_a_change(tab: Tab,
                                                               world: ServedWorld) -> None:
    page = tab.page
    page.goto("/leaderboard")
    name = _column(page, "Person")[0]
    page.click("table.people tbody tr:first-child a")
    page.wait_for_url("**/people/**")
    assert page.locator("h1").inner_text() == name
    assert 1 <= float(page.locator(".score-value").inner_text()) <= 100
    headings = page.locator("article section h2").all_inner_texts()
    assert headings == ["What the score is made of", "History", "Per network", "Topics",
                        "Influence", "Why it changed", "Who and what is behind it"]
    assert page.locator("#history svg circle").count() == HISTORY_DAYS
    assert page.locator("#evidence table").count() >= 2
    shot(page, "person")
    day = world.first_day.isoformat()
    page.select_option("#since", day)
    page.click("#why button[type=submit]")
    page.wait_for_url(f"**since={day}*")
    headline = page.locator(".change-headline").inner_text()
    assert f"on {day}" in headline and "score" in headline
    assert page.locator(".drivers li").count() >= 1
    shot(page, "person-why-it-changed")
    tab.clean()


def test_leaderboard_topic_filter_ranks_within_the_topic(tab: Tab) -> None:
    page = tab.page
    page.goto("/leaderboard")
    page.select_option("#topic", "music")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**topic=music*")
    assert page.locator("h1").inner_text() == "Leaderboard: Music"
    assert page.locator("#topic").input_value() == "music"
    topic_scores = [float(s) for s in _column(page, "Topic score")]
    assert len(topic_scores) == 25 and topic_scores == sorted(topic_scores, reverse=True)
    assert _column(page, "Rank")[:3] == ["1", "2", "3"]
    shot(page, "leaderboard-topic")
    page.select_option("#network", "mastodon")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**network=mastodon*")
    ranks = [int(r) for r in _column(page, "Rank")]
    assert ranks and ranks == sorted(ranks) and "in Music" in page.locator(
        ".result-count").inner_text()
    tab.clean()


def test_person_page_shows_topics_with_evidence_and_influence(tab: Tab) -> None:
    page = tab.page
    page.goto("/leaderboard?topic=music")
    page.click("table.people tbody tr:first-child a")
    page.wait_for_url("**/people/**")
    topics = page.locator("#topics table tbody th").all_inner_texts()
    assert "Music" in topics
    assert page.locator("#topics details[open] .posts li").count() >= 1
    closed = page.locator("#topics details:not([open]) summary")
    if closed.count():
        closed.first.click()
        assert page.locator("#topics details[open]").count() == 2
    influencers = page.locator("#influencers tbody tr")
    influencees = page.locator("#influencees tbody tr")
    assert influencers.count() >= 1 and influencees.count() >= 1
    flows = [float(f) for f in page.locator("#influencees tbody td:nth-child(2)")
             .all_inner_texts()]
    assert flows == sorted(flows, reverse=True) and flows[0] > 0
    shot(page, "person-topics-influence")
    me = page.url
    page.locator("#influencees tbody tr:first-child a").click()
    page.wait_for_url("**/people/**")
    assert page.url != me and page.locator(".score-value").is_visible()
    tab.clean()


def test_discovery_filters_by_topic_audience_band_and_quality(tab: Tab) -> None:
    page = tab.page
    page.goto("/discover")
    assert page.locator("h1").inner_text() == "Discover people"
    everyone = page.locator(".result-count").inner_text()
    assert "ranked by overall score" in everyone
    page.select_option("#topic", "music")
    page.select_option("#audience", "network:mastodon")
    page.fill("#min_quality", "20")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**topic=music*")
    headers = page.locator("table.people thead th").all_inner_texts()
    assert "Topic score" in headers and "In audience" in headers
    quality = [float(q.rstrip("%")) for q in _column(page, "Audience quality")]
    assert quality and min(quality) >= 20
    assert "topic score and influence within the audience" in page.locator(
        ".result-count").inner_text()
    shot(page, "discover-topic-audience")
    page.select_option("#band", "notable")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**band=notable*")
    bands = _column(page, "Band")
    assert set(bands) <= {"notable"}
    assert page.locator("#audience").input_value() == "network:mastodon"
    assert page.locator("#spread-title").is_visible()
    shot(page, "discover")
    tab.clean()
    page.select_option("#band", "")
    page.fill("#min_score", "45")
    page.fill("#max_score", "10")
    page.click("form.filters button[type=submit]")
    assert page.locator("h1").inner_text() == "That request could not be understood"
    assert "min_score" in page.locator(".error-message").inner_text()
    assert tab.console_errors == ["Failed to load resource: the server responded with a "
                                  "status of 422 (Unprocessable Entity)"]


def test_model_preview_shows_changes_and_movers(tab: Tab, world: ServedWorld) -> None:
    page = tab.page
    page.goto("/model-preview")
    assert page.locator("#candidate").input_value() == world.candidate
    assert world.candidate in page.locator("#summary-title").inner_text()
    assert page.locator("#hist-title + table tbody tr").count() == 11
    losses = page.locator("section:has(#movers-2) tbody tr")
    assert losses.count() == 10
    assert "−" in losses.first.locator("td:nth-child(4)").inner_text()
    shot(page, "model-preview")
    tab.clean()


def test_keyboard_reaches_everything_with_visible_focus(tab: Tab) -> None:
    page = tab.page
    page.goto("/leaderboard")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    reached = []
    for _ in range(10):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "(() => { const e = document.activeElement; return [e.tagName, e.id, "
            "getComputedStyle(e).outlineStyle]; })()"))
    ids = [element_id for _, element_id, _ in reached]
    assert ids[:2] == ["q", "network"]
    assert "A" in [tag for tag, _, _ in reached[3:]]  # then the people links
    assert all(style != "none" for _, _, style in reached)  # focus is always visible
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"  # our script runs under CSP
    tab.clean()


def test_pages_label_every_field_and_fit_a_phone(browser: Any, live_server: str,
                                                 world: ServedWorld) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server)
    page = context.new_page()
    for path in ("/leaderboard", "/discover", "/model-preview",
                 f"/people/{_first_person(page)}"):
        page.goto(path)
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input, select')]"
            ".filter(e => e.labels.length === 0).map(e => e.outerHTML)")
        assert unlabelled == [], (path, unlabelled)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        assert page.locator("html").get_attribute("lang") == "en"
        shot(page, "phone" + path.replace("/", "-").replace(":", "-"))
    context.close()


def _first_person(page: Any) -> str:
    page.goto("/leaderboard")
    href = page.locator("table.people tbody tr:first-child a").get_attribute("href")
    return str(href).removeprefix("/people/")
