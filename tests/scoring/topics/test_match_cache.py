"""Incremental topic matching: stored per-day matches give exactly the full match.

Each test changes the store the way real use does (a new day, an edited post,
a redacted mention, a forgotten author, other matcher settings) and compares
the incremental ``_topic_posts`` with the one matched from the events alone,
row for row, and a whole scored day's topics with a full run's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from renown.events import Event, events_to_table
from renown.scoring.day_cache import DayReuse
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.run import score_day
from renown.scoring.snapshots import day_end
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.match_cache import match_basis, match_posts_incrementally
from renown.scoring.topics.matching import TopicScope, match_posts, prepare_terms
from renown.scoring.topics.ontology_store import ensure_ontology, stored_ontology
from renown.simulation import simulate
from renown.store.database import connect
from renown.store.forget import account_subject, erase
from renown.store.ingest import ingest_table

DAYS = 20
CONFIG = TopicConfig.for_model(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def world_events(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("world")
    simulate(200, DAYS, 3, folder / "world")
    table = pq.read_table(folder / "world" / "events.parquet")
    return table.filter(pc.not_equal(table["kind"], "follow"))


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "renown.duckdb")
    ensure_ontology(connection)
    prepare_terms(connection, stored_ontology(connection))
    yield connection
    connection.close()


def first_day(events: pa.Table) -> date:
    return pc.min(events["ts"]).as_py().date()  # type: ignore[no-any-return]


def until(events: pa.Table, day: date) -> pa.Table:
    """Events before the end of ``day``."""
    return events.filter(pc.less(events["ts"], pa.scalar(day_end(day), pa.timestamp("us"))))


def on_day(events: pa.Table, day: date) -> pa.Table:
    start = pa.scalar(day_end(day - timedelta(days=1)), pa.timestamp("us"))
    window = until(events, day)
    return window.filter(pc.greater_equal(window["ts"], start))


def ingest(con: duckdb.DuckDBPyConnection, events: pa.Table, label: str) -> None:
    columns = list(events_to_table([]).column_names)
    report = ingest_table(con, events.select(columns), label)
    assert report.quarantined == 0, report


def scope(day: date) -> TopicScope:
    return TopicScope(day_end(day), DEFAULT_MODEL.window_days)


def incremental(con: duckdb.DuckDBPyConnection, day: date, config: TopicConfig = CONFIG,
                *, full: bool = False) -> tuple[pa.Table, DayReuse]:
    fingerprint = stored_ontology(con).fingerprint
    _, reuse = match_posts_incrementally(con, scope(day), config, fingerprint, full=full)
    return matched_posts(con), reuse


def matched_posts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return con.sql("SELECT * FROM _topic_posts ORDER BY doc, topic").to_arrow_table()


def assert_same_as_full(con: duckdb.DuckDBPyConnection, posts: pa.Table, day: date,
                        config: TopicConfig = CONFIG) -> None:
    """The incremental posts equal, row for row, those matched from the events alone."""
    match_posts(con, scope(day), config)
    fresh = matched_posts(con)
    assert fresh.num_rows > 50
    assert posts.equals(fresh)


def history(con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> date:
    """All days but the last ingested and matched once; returns the last day."""
    today = first_day(world_events) + timedelta(days=DAYS - 1)
    ingest(con, until(world_events, today - timedelta(days=1)), "history")
    posts, reuse = incremental(con, today - timedelta(days=1))
    assert reuse.full and reuse.computed == reuse.days > 10
    assert_same_as_full(con, posts, today - timedelta(days=1))
    return today


def a_post(con: duckdb.DuckDBPyConnection, day: date) -> tuple[str, str, str]:
    """(network, post_id, actor) of a post on ``day`` that matched a topic."""
    rows = con.execute("""SELECT e.network, e.post_id, e.actor FROM events e
                          JOIN topic_event_matches m USING (network, event_id)
                          WHERE CAST(e.ts AS DATE) = ? ORDER BY e.event_id LIMIT 1""",
                       [day]).fetchall()
    return rows[0]


def test_a_new_day_is_the_only_one_matched(con: duckdb.DuckDBPyConnection,
                                           world_events: pa.Table) -> None:
    today = history(con, world_events)
    ingest(con, on_day(world_events, today), "today")
    posts, reuse = incremental(con, today)
    assert not reuse.full and (reuse.reused, reuse.computed) == (reuse.days - 1, 1)
    assert_same_as_full(con, posts, today)
    posts, reuse = incremental(con, today)  # nothing changed
    assert (reuse.reused, reuse.computed) == (reuse.days, 0)
    assert "reused" in reuse.describe()
    assert_same_as_full(con, posts, today)


def test_an_edit_on_a_later_day_replaces_the_posts_topics(con: duckdb.DuckDBPyConnection,
                                                           world_events: pa.Table) -> None:
    today = history(con, world_events)
    network, post_id, actor = a_post(con, today - timedelta(days=5))
    edit = Event(network=network, event_id="edit-1", ts=datetime.combine(today, datetime.min.time())
                 + timedelta(hours=3), actor=actor, kind="post", post_id=post_id,
                 text="zzqx qqzv")
    ingest(con, events_to_table([edit]), "edit")
    posts, reuse = incremental(con, today)
    assert reuse.computed == 1  # the edit's day only
    assert_same_as_full(con, posts, today)
    key = con.execute("SELECT count(*) FROM _topic_posts WHERE network = ? AND post_id = ?",
                      [network, post_id]).fetchall()[0][0]
    assert key == 0  # the newest version matches nothing


def test_a_redacted_mention_rematches_its_day(con: duckdb.DuckDBPyConnection,
                                             world_events: pa.Table) -> None:
    today = history(con, world_events)
    yesterday = today - timedelta(days=1)
    network, post_id, _ = a_post(con, yesterday - timedelta(days=3))
    # What forget's redaction does to someone else's post: same event, new text.
    con.execute("UPDATE events SET text = '[forgotten]', tags = [] "
                "WHERE network = ? AND post_id = ?", [network, post_id])
    posts, reuse = incremental(con, yesterday)
    assert reuse.computed >= 1 and reuse.reused == reuse.days - reuse.computed
    assert_same_as_full(con, posts, yesterday)


def test_forgetting_an_author_removes_their_matches(con: duckdb.DuckDBPyConnection,
                                                    world_events: pa.Table) -> None:
    today = history(con, world_events)
    yesterday = today - timedelta(days=1)
    network, _, actor = a_post(con, yesterday - timedelta(days=2))
    erase(con, [account_subject(con, network, actor)])
    left = con.execute("SELECT count(*) FROM topic_event_matches WHERE network = ? AND "
                       "author = ?", [network, actor]).fetchall()[0][0]
    assert left == 0
    posts, reuse = incremental(con, yesterday)
    assert 1 <= reuse.computed < reuse.days
    assert_same_as_full(con, posts, yesterday)


def test_other_matcher_settings_start_a_new_basis(con: duckdb.DuckDBPyConnection,
                                                  world_events: pa.Table) -> None:
    today = history(con, world_events)
    yesterday = today - timedelta(days=1)
    stricter = replace(CONFIG, min_match_strength=CONFIG.min_match_strength + 1)
    assert match_basis("x", stricter) != match_basis("x", CONFIG)
    posts, reuse = incremental(con, yesterday, stricter)
    assert reuse.full
    assert_same_as_full(con, posts, yesterday, stricter)
    bases = con.execute("SELECT DISTINCT basis FROM topic_match_days").fetchall()
    assert len(bases) == 1  # one basis kept
    posts, reuse = incremental(con, yesterday, stricter, full=True)
    assert reuse.full and "full run" in reuse.describe()
    assert_same_as_full(con, posts, yesterday, stricter)


def test_a_scored_day_has_the_full_runs_topics(tmp_path: Path, world_events: pa.Table) -> None:
    """score_day reuses stored matches and stores the same topics as --full."""
    con = connect(tmp_path / "day.duckdb")
    today = first_day(world_events) + timedelta(days=DAYS - 1)
    ingest(con, until(world_events, today - timedelta(days=1)), "history")
    score_day(con, today - timedelta(days=1))
    ingest(con, on_day(world_events, today), "today")
    info = score_day(con, today)
    assert "topic matches reused" in info.topics and "computed 1 from" in info.topics

    def stored(run_id: int) -> pa.Table:
        return con.sql(f"""SELECT * EXCLUDE (run_id) FROM topic_attributions
                           WHERE run_id = {run_id} ORDER BY person_id, topic""").to_arrow_table()

    reused = stored(info.run_id)
    info = score_day(con, today, full=True)
    assert "full run" in info.topics
    assert reused.num_rows > 0 and reused.equals(stored(info.run_id))  # bit for bit
    con.close()
