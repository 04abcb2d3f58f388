"""The pinterest-api source, on fixtures built to the Pinterest API v5 reference.

No real payload exists here.  The fixtures follow the v5 reference: ``GET
/v5/pins`` and ``/v5/boards/{board_id}/pins`` answer ``{"items": [Pin],
"bookmark": ...}``, a Pin has ``id``, ``created_at`` (``2024-01-05T10:22:33``,
no zone), ``title``, ``description``, ``link``, ``board_id``,
``board_owner.username``, ``parent_pin_id`` ("the source pin id if this pin
was saved from another pin") and ``pin_metrics``; ``GET /v5/user_account``
answers ``username``, ``account_type`` (PINNER or BUSINESS),
``follower_count``; ``GET /v5/pins/{id}/analytics`` answers
``{"all": {"daily_metrics": [...], "lifetime_metrics": {...},
"summary_metrics": {...}}}`` with IMPRESSION, SAVE, OUTBOUND_CLICK.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.sources import SourceError, SourceOptions, detect_format
from renown.sources.base import BATCH_SCHEMA
from renown.sources.pinterest_api import read
from renown.store.ingest import ingest

FUZZ = settings(max_examples=30, deadline=3000,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _pin(ident: str, owner: str | None, when: str, **extra: object) -> dict[str, object]:
    pin: dict[str, object] = {
        "id": ident, "created_at": when, "link": None, "title": None, "description": None,
        "dominant_color": "#6E7874", "alt_text": None, "board_id": f"board-{owner}",
        "board_section_id": None, "media": {"media_type": "image"}, "parent_pin_id": None,
        "is_standard": True, "has_been_promoted": False, "note": "", "creative_type": "REGULAR"}
    if owner is not None:
        pin["board_owner"] = {"username": owner}
    pin.update(extra)
    return pin


def write_api(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ann_pins.json").write_text(json.dumps({"items": [
        _pin("813744226420795884", "Ann_Teaches", "2024-01-05T10:22:33",
             title="Fractions with pizza", description="Printable worksheet",
             link="https://ann.example/fractions",
             pin_metrics={"lifetime_metrics": {"impression": 900, "save": 41}}),
        _pin("813744226420795886", "Ann_Teaches", "later")], "bookmark": None}))
    (folder / "bo_pins.json").write_text(json.dumps({"items": [
        _pin("813744226420795990", "bo", "2024-01-06T08:00:00",
             parent_pin_id="813744226420795884", title="Fractions with pizza"),
        _pin("813744226420795991", "bo", "2024-01-06T09:00:00",
             parent_pin_id="999999999999999999")], "bookmark": "Pz9Mjk"}))
    (folder / "user_account.json").write_text(json.dumps({
        "account_type": "BUSINESS", "username": "Ann_Teaches", "business_name": "Ann Teaches",
        "follower_count": 3200, "following_count": 12, "monthly_views": 120000}))
    (folder / "analytics.json").write_text(json.dumps({"all": {
        "daily_metrics": [{"date": "2024-01-05", "data_status": "READY", "metrics": {
            "IMPRESSION": 500, "SAVE": 20, "OUTBOUND_CLICK": 7, "PIN_CLICK": 30}}],
        "lifetime_metrics": {"IMPRESSION": 900, "SAVE": 41},
        "summary_metrics": {"IMPRESSION": 900, "SAVE": 41}}}))
    (folder / "boards.json").write_text(json.dumps({"items": [
        {"id": "board-ann", "name": "Maths", "privacy": "PUBLIC", "pin_count": 40,
         "owner": {"username": "Ann_Teaches"}}, {"unexpected": True}], "bookmark": None}))
    return folder


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_api_payload_set(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_api(tmp_path / "pinterest")
    assert detect_format(folder) == "pinterest-api"
    report = ingest(con, folder, "pinterest-api")
    assert (report.ingested, report.quarantined) == (3, 2)
    assert _rows(con, "SELECT event_id, ts, actor, kind, subject, parent_id, text, url "
                      "FROM events ORDER BY ts") == [
        ("pin-813744226420795884", datetime(2024, 1, 5, 10, 22, 33), "ann_teaches", "post",
         None, None, "Fractions with pizza\n\nPrintable worksheet",
         "https://ann.example/fractions"),
        ("pin-813744226420795990", datetime(2024, 1, 6, 8), "bo", "reshare", "ann_teaches",
         "813744226420795884", "Fractions with pizza",
         "https://www.pinterest.com/pin/813744226420795990/"),
        ("pin-813744226420795991", datetime(2024, 1, 6, 9), "bo", "reshare", None,
         "999999999999999999", None, "https://www.pinterest.com/pin/813744226420795991/"),
    ]
    assert sorted(r for (r,) in _rows(con, "SELECT reason FROM quarantine")) == [
        "not a pin, board, user account or analytics object (boards.json)",
        "pin without an id, a board_owner (or the set's user_account) or a created_at"]
    assert _rows(con, "SELECT display_name, followers FROM accounts "
                      "WHERE account = 'ann_teaches'") == [("Ann Teaches", 3200)]


def test_pins_without_owner_take_the_user_account(con: duckdb.DuckDBPyConnection,
                                                  tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "me.json").write_text(json.dumps({"username": "ann", "account_type": "PINNER"}))
    (folder / "pins.json").write_text(json.dumps({"items": [
        _pin("1", None, "2024-01-05T10:22:33Z", title="x")]}))
    assert ingest(con, folder, "pinterest-api").ingested == 1
    assert _rows(con, "SELECT actor FROM events") == [("ann",)]


def test_broken_json_is_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "pins.json"
    path.write_text('{"items": [{"id": "1", "board_owner": ')
    with pytest.raises(SourceError, match=r"pins\.json: malformed JSON"):
        ingest(con, path, "pinterest-api")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from([
                         "items", "id", "created_at", "board_id", "board_owner", "username",
                         "parent_pin_id", "title", "all", "daily_metrics", "account_type",
                         "follower_count", "name", "privacy"]), inner, max_size=5),
                     max_leaves=25)


@FUZZ
@given(_JSON)
def test_fuzz(tmp_path: Path, data: object) -> None:
    path = tmp_path / "pins.json"
    path.write_text(json.dumps(data))
    try:
        for batch in read(path, SourceOptions()):
            assert batch.events.schema == BATCH_SCHEMA
    except SourceError:
        pass
