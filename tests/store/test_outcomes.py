"""Outcomes: tracked-link clicks and imported conversions, stored as events and campaign rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from renown.events import VISITOR_ACCOUNT_PREFIX
from renown.sources.base import Rejection
from renown.sources.conversions import ConversionRecord, read_conversions
from renown.store.campaigns import (
    Invite,
    InviteCandidate,
    close_campaign,
    create_campaign,
    invite_people,
    respond,
)
from renown.store.database import scalar
from renown.store.outcomes import Visit, record_click, record_clicks, record_conversions

IP, AGENT, CUSTOMER = "203.0.113.99", "SecretAgent/1.0", "alice@example.com"
WHEN = datetime(2026, 3, 10, 12)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def _setup(con: duckdb.DuckDBPyConnection, campaign_id: str = "spring",
           people: tuple[str, ...] = ("ann", "bob")) -> dict[str, Invite]:
    create_campaign(con, campaign_id=campaign_id, name="Spring", brand="Acme", goal="sales",
                    landing_url=f"https://acme.example/{campaign_id}",
                    starts=date(2026, 3, 1), ends=date(2026, 3, 31))
    made = invite_people(con, campaign_id, [
        InviteCandidate(p, "twitter", f"{p}_tw", (), 40.0) for p in people])
    for invite in made:
        respond(con, campaign_id, invite.person_id, accepted=True)
    return {i.person_id: i for i in made}


@pytest.fixture
def spring(con: duckdb.DuckDBPyConnection) -> dict[str, Invite]:
    return _setup(con)


def _order(code: str, n: int, *, value: float = 20.0, customer: str | None = None,
           ts: datetime = WHEN, outcome: str | None = None) -> ConversionRecord:
    return ConversionRecord(n, code, f"order-{n}", ts, value, outcome, customer,
                            f"{code},order-{n}")


# --- Clicks --------------------------------------------------------------------------------


def test_a_click_is_counted_once_per_visitor(con: duckdb.DuckDBPyConnection,
                                             spring: dict[str, Invite]) -> None:
    code = spring["ann"].code
    clicks = [record_click(con, code, ip=IP, user_agent=AGENT, ts=WHEN) for _ in range(50)]
    assert all(c is not None for c in clicks)
    assert [c.counted for c in clicks if c is not None] == [True] + [False] * 49
    first = clicks[0]
    assert first is not None
    assert (first.landing_url, first.campaign_id, first.person_id) == (
        "https://acme.example/spring", "spring", "ann")
    assert scalar(con, "SELECT count(*) FROM events WHERE kind = 'outcome'") == 1
    assert _rows(con, "SELECT person_id, code, outcome, value, channel FROM campaign_outcomes"
                 ) == [("ann", code, "click", 0.0, "link")]


def test_another_agent_or_address_is_another_visitor(con: duckdb.DuckDBPyConnection,
                                                     spring: dict[str, Invite]) -> None:
    code = spring["ann"].code
    seen = [record_click(con, code, ip=ip, user_agent=ua, ts=WHEN)
            for ip, ua in ((IP, AGENT), (IP, "Other/2.0"), ("198.51.100.7", AGENT))]
    assert [c.counted for c in seen if c is not None] == [True, True, True]
    visitors = _rows(con, "SELECT DISTINCT visitor FROM campaign_outcomes")
    assert len(visitors) == 3
    assert scalar(con, "SELECT count(*) FROM events WHERE kind = 'outcome'") == 3


def test_one_visitor_on_two_links_counts_for_each(con: duckdb.DuckDBPyConnection,
                                                  spring: dict[str, Invite]) -> None:
    for person in ("ann", "bob"):
        click = record_click(con, spring[person].code, ip=IP, user_agent=AGENT, ts=WHEN)
        assert click is not None and click.counted
    assert _rows(con, "SELECT person_id, count(DISTINCT visitor) FROM campaign_outcomes "
                 "GROUP BY ALL ORDER BY 1") == [("ann", 1), ("bob", 1)]
    assert scalar(con, "SELECT count(DISTINCT visitor) FROM campaign_outcomes") == 1


def test_a_click_is_an_outcome_event_about_the_invitee(con: duckdb.DuckDBPyConnection,
                                                       spring: dict[str, Invite]) -> None:
    record_click(con, spring["bob"].code, ip=IP, user_agent=AGENT, ts=WHEN)
    [(network, actor, kind, subject, tags, ts)] = _rows(
        con, "SELECT network, actor, kind, subject, tags, ts FROM events")
    assert (network, kind, subject, tags, ts) == ("twitter", "outcome", "bob_tw", ["click"],
                                                  WHEN)
    assert str(actor).startswith(VISITOR_ACCOUNT_PREFIX) and len(str(actor)) > 12


def test_an_unknown_code_is_no_click(con: duckdb.DuckDBPyConnection,
                                     spring: dict[str, Invite]) -> None:
    assert record_click(con, "not-a-code-at-all", ip=IP, user_agent=AGENT) is None
    assert record_click(con, "", ip=IP, user_agent=AGENT) is None
    assert scalar(con, "SELECT count(*) FROM events") == 0


def test_a_closed_campaign_still_leads_to_the_page_but_counts_nothing(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    close_campaign(con, "spring")
    click = record_click(con, spring["ann"].code, ip=IP, user_agent=AGENT, ts=WHEN)
    assert click is not None
    assert (click.landing_url, click.counted, click.person_id) == (
        "https://acme.example/spring", False, "ann")
    assert scalar(con, "SELECT count(*) FROM campaign_outcomes") == 0
    assert scalar(con, "SELECT count(*) FROM events") == 0


def test_a_batch_of_clicks_counts_as_the_same_clicks_one_by_one(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    closed = _setup(con, "autumn", ("cy",))["cy"].code
    close_campaign(con, "autumn")
    ann, bob = spring["ann"].code, spring["bob"].code
    visits = [Visit(ann, IP, AGENT, WHEN)] * 30 + [
        Visit(ann, "198.51.100.7", AGENT, WHEN), Visit(bob, IP, AGENT, WHEN),
        Visit("not-a-code-at-all", IP, AGENT, WHEN), Visit(closed, IP, AGENT, WHEN)]
    ingestions = scalar(con, "SELECT count(*) FROM ingestions")
    assert record_clicks(con, visits) == 3  # ann twice (two visitors), bob once
    assert scalar(con, "SELECT count(*) FROM ingestions") == ingestions + 1  # one transaction
    assert _rows(con, "SELECT person_id, count(*) FROM campaign_outcomes GROUP BY ALL "
                 "ORDER BY 1") == [("ann", 2), ("bob", 1)]
    assert record_clicks(con, visits) == 0 and record_clicks(con, []) == 0  # replays add nothing
    again = [record_click(con, v.code, ip=v.ip, user_agent=v.user_agent, ts=v.ts)
             for v in visits]
    assert not any(c is not None and c.counted for c in again)  # the very same visitors


# --- Conversions ---------------------------------------------------------------------------


def test_conversions_are_outcome_events_credited_to_the_invitee(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    ann, bob = spring["ann"], spring["bob"]
    report = record_conversions(con, "spring", [
        _order(ann.code, 1, value=30.0, customer="c-1"), _order(ann.code, 2),
        _order(bob.code, 3, value=5.0, outcome="signup")], label="orders.csv")
    assert (report.ingested, report.duplicates, report.quarantined) == (3, 0, 0)
    events = _rows(con, "SELECT kind, subject, actor, tags FROM events ORDER BY subject, ts")
    assert {(k, s) for k, s, _, _ in events} == {("outcome", "ann_tw"), ("outcome", "bob_tw")}
    assert all(str(a).startswith(VISITOR_ACCOUNT_PREFIX) for _, _, a, _ in events)
    assert sorted(t[0] for *_, t in events) == ["sale", "sale", "signup"]  # goal unless named
    assert _rows(con, "SELECT person_id, outcome, value, channel FROM campaign_outcomes "
                 "ORDER BY person_id, value") == [
        ("ann", "sale", 20.0, "import"), ("ann", "sale", 30.0, "import"),
        ("bob", "signup", 5.0, "import")]


def test_one_customer_is_one_actor_and_orders_without_one_are_each_their_own(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    code = spring["ann"].code
    record_conversions(con, "spring", [
        _order(code, 1, customer="c-1"), _order(code, 2, customer="c-1"),
        _order(code, 3), _order(code, 4)], label="orders.csv")
    assert scalar(con, "SELECT count(*) FROM events") == 4
    assert scalar(con, "SELECT count(DISTINCT actor) FROM events") == 3


def test_a_replayed_import_adds_nothing(con: duckdb.DuckDBPyConnection,
                                        spring: dict[str, Invite], tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,code,ts,value\n" + "".join(
        f"o{n},{spring[p].code},2026-03-0{n + 1}T10:00:00Z,{10 * n}\n"
        for n, p in enumerate(("ann", "bob", "ann"))))
    records, refused = read_conversions(path)
    first = record_conversions(con, "spring", records, refused, label=str(path))
    again = record_conversions(con, "spring", records, refused, label=str(path))
    assert (first.ingested, first.duplicates) == (3, 0)
    assert (again.ingested, again.duplicates) == (0, 3)
    assert scalar(con, "SELECT count(*) FROM campaign_outcomes") == 3
    assert scalar(con, "SELECT count(*) FROM events") == 3


def test_a_replayed_analytics_export_adds_nothing(con: duckdb.DuckDBPyConnection,
                                                  spring: dict[str, Invite],
                                                  tmp_path: Path) -> None:
    path = tmp_path / "ga4.csv"
    path.write_text("date,landing_page,conversions,purchase_revenue\n"
                    f"20260305,/spring?ref={spring['ann'].code},3,90\n")
    for expected in (3, 0):
        records, refused = read_conversions(path)
        assert record_conversions(con, "spring", records, refused,
                                  label=str(path)).ingested == expected
    assert _rows(con, "SELECT count(*), sum(value) FROM campaign_outcomes") == [(3, 90.0)]


def test_unknown_and_foreign_codes_are_quarantined_and_the_rest_stored(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    autumn = _setup(con, "autumn", ("cat",))
    report = record_conversions(con, "spring", [
        _order(spring["ann"].code, 1), _order("nosuchcode123", 2),
        _order(autumn["cat"].code, 3), _order(spring["bob"].code, 4)],
        [Rejection.of(7, "time 'x' is not an ISO 8601 date or time", "bad,line")],
        label="orders.csv")
    assert (report.ingested, report.quarantined) == (2, 3)
    assert _rows(con, "SELECT person_id FROM campaign_outcomes ORDER BY 1") == [("ann",),
                                                                               ("bob",)]
    quarantined = dict(_rows(con, "SELECT record, reason FROM quarantine"))
    assert quarantined == {
        2: "unknown tracked-link code 'nosuchcode123'",
        3: f"code {autumn['cat'].code!r} belongs to campaign 'autumn'",
        7: "time 'x' is not an ISO 8601 date or time"}
    assert _rows(con, "SELECT DISTINCT file FROM quarantine") == [("orders.csv",)]


def test_a_conversion_before_the_campaign_started_is_quarantined(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    code = spring["ann"].code
    report = record_conversions(con, "spring", [
        _order(code, 1, ts=datetime(2026, 2, 28, 23, 59)), _order(code, 2,
                                                                  ts=datetime(2026, 3, 1))],
        label="orders.csv")
    assert (report.ingested, report.quarantined) == (1, 1)
    assert _rows(con, "SELECT record, reason FROM quarantine") == [
        (1, "conversion at 2026-02-28 is before the campaign started")]


def test_a_conversion_in_the_future_is_quarantined_by_the_event_rules(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite]) -> None:
    report = record_conversions(con, "spring", [
        _order(spring["ann"].code, 1, ts=datetime(2999, 1, 1))], label="orders.csv")
    assert (report.ingested, report.quarantined) == (0, 1)
    assert scalar(con, "SELECT count(*) FROM campaign_outcomes") == 0
    assert "future" in str(scalar(con, "SELECT reason FROM quarantine"))


def test_a_closed_campaign_takes_no_conversions(con: duckdb.DuckDBPyConnection,
                                                spring: dict[str, Invite]) -> None:
    from renown.store.campaigns import CampaignError

    close_campaign(con, "spring")
    with pytest.raises(CampaignError, match="was closed"):
        record_conversions(con, "spring", [_order(spring["ann"].code, 1)], label="o.csv")
    assert scalar(con, "SELECT count(*) FROM events") == 0


# --- Privacy -------------------------------------------------------------------------------


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    rows = _rows(con, """
        SELECT c.table_catalog, c.table_schema, c.table_name, c.column_name
        FROM information_schema.columns c JOIN information_schema.tables t
          USING (table_catalog, table_schema, table_name)
        WHERE c.data_type IN ('VARCHAR', 'VARCHAR[]') AND t.table_type = 'BASE TABLE'""")
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def _found(con: duckdb.DuckDBPyConnection, secrets: tuple[str, ...]) -> list[str]:
    columns = _text_columns(con)
    assert any(table == "campaign_outcomes" for _, _, table, _ in columns)
    hits = []
    for catalog, schema, table, column in columns:
        for secret in secrets:
            count = scalar(con, f'SELECT count(*) FROM "{catalog}"."{schema}"."{table}" '
                                f'WHERE CAST("{column}" AS VARCHAR) LIKE ?', [f"%{secret}%"])
            if count:
                hits.append(f"{table}.{column} holds {secret!r}")
    return hits


def test_nothing_identifying_is_stored_in_clear(con: duckdb.DuckDBPyConnection,
                                                spring: dict[str, Invite]) -> None:
    for invite in spring.values():
        for _ in range(3):
            record_click(con, invite.code, ip=IP, user_agent=AGENT, ts=WHEN)
    record_conversions(con, "spring", [_order(spring["ann"].code, 1, customer=CUSTOMER)],
                       label="orders.csv")
    assert scalar(con, "SELECT count(*) FROM campaign_outcomes") == 3
    assert _found(con, (IP, AGENT, CUSTOMER, "SecretAgent")) == []
    # The scan is not blind: what *is* stored is found.
    assert _found(con, (spring["ann"].code,)) != []


def test_a_refused_conversion_keeps_no_customer_in_clear(
        con: duckdb.DuckDBPyConnection, spring: dict[str, Invite], tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,code,ts,customer\n"
                    f"o1,{spring['ann'].code},2026-03-05,bob@example.com\n"
                    f"o2,nosuchcode123,2026-03-05,{CUSTOMER}\n")
    records, refused = read_conversions(path)
    report = record_conversions(con, "spring", records, refused, label=str(path))
    assert (report.ingested, report.quarantined) == (1, 1)
    assert _found(con, (CUSTOMER, "bob@example.com")) == []
