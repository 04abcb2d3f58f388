"""The scoring CLI end to end: every command, its --json, and clean errors."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.store.database import open_store
from tests.scoring.builders import START, World

runner = CliRunner()
LAST_DAY = START + timedelta(days=20)
SPARK_BARS = set("▁▂▃▄▅▆▇█")


def cli_world() -> World:
    world = World()
    for d in range(0, 21):
        post = world.post("alice", d)
        for i in range(8):
            if (i + d) % 4 == 0:
                world.react(f"fan{i}", "alice", d, post=post, kind="reply" if i % 2 else "reshare")
            if (i + d) % 4 == 2:  # fans follow others too (an exclusive one is one voice)
                world.react(f"fan{i}", f"pal{i % 3}", d)
    world.post("alice_m", 3, network="mastodon")
    world.react("m0", "alice_m", 4, network="mastodon")
    world.link("alice-person", "twitter", "alice")
    world.link("alice-person", "mastodon", "alice_m")
    # 'bob' is an account name on two networks, two different people.
    for network in ("twitter", "mastodon"):
        world.post("bob", 5, network=network)
        world.react("fan1", "bob", 6 + (network == "mastodon") * 8, network=network)
    return world


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def words(result: Result) -> str:
    """Human output with Rich's line wrapping undone."""
    return " ".join(result.stdout.split())


def ok_json(*args: str | Path) -> Any:
    return json.loads(ok(*args, "--json").stdout)


def clean_error(result: Result, *fragments: str) -> str:
    """A failed command: non-zero exit, one 'error:' line on stderr, no traceback."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def unscored_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "unscored.duckdb"
    cli_world().store(path).close()
    return path


@pytest.fixture(scope="module")
def scored_template(tmp_path_factory: pytest.TempPathFactory, unscored_template: Path) -> Path:
    path = tmp_path_factory.mktemp("cli") / "scored.duckdb"
    shutil.copy(unscored_template, path)
    ok("score", "--backfill", LAST_DAY - timedelta(days=8), LAST_DAY, "--db", path,
       "--json")
    return path


@pytest.fixture
def unscored(tmp_path: Path, unscored_template: Path) -> Path:
    return Path(shutil.copy(unscored_template, tmp_path / "unscored.duckdb"))


@pytest.fixture
def scored(tmp_path: Path, scored_template: Path) -> Path:
    return Path(shutil.copy(scored_template, tmp_path / "scored.duckdb"))


# Scoring --------------------------------------------------------------------------------

def test_score_stores_the_latest_day(unscored: Path) -> None:
    result = ok("score", "--db", unscored)
    assert "Scored" in result.stdout and str(LAST_DAY) in result.stdout
    assert "signals computed from the events of all" in words(result)
    assert "topic matches computed from the posts of all" in words(result)
    [info] = ok_json("score", "--as-of", "2025-01-15", "--db", unscored)
    assert set(info) == {"run_id", "as_of", "model_version", "people", "accounts", "signals",
                         "topics"}
    assert info["topics"].startswith("topic matches reused")
    assert info["as_of"] == "2025-01-15" and info["model_version"] == DEFAULT_MODEL.version
    assert info["people"] > 5


def test_a_second_run_reuses_the_stored_days_unless_full(unscored: Path) -> None:
    [first] = ok_json("score", "--no-topics", "--db", unscored)
    assert "full run" in first["signals"]
    [again] = ok_json("score", "--no-topics", "--db", unscored)
    assert again["signals"].startswith("signals reused") and "computed 0 " in again["signals"]
    result = ok("score", "--no-topics", "--full", "--db", unscored)
    assert "signals computed from the events of all" in words(result)
    [last] = ok_json("score", "--no-topics", "--db", unscored)
    assert last["people"] == again["people"] == first["people"]
    assert last["topics"] == ""  # no topics, nothing matched


def test_score_backfill_stores_one_snapshot_per_day(unscored: Path) -> None:
    result = ok("score", "--backfill", "2025-01-10", "2025-01-14", "--db", unscored)
    assert "5 daily snapshots stored" in words(result)
    infos = ok_json("score", "--backfill", "2025-01-12", "2025-01-16", "--db", unscored)
    assert [i["as_of"] for i in infos] == [str(date(2025, 1, d)) for d in range(12, 17)]
    history = ok_json("history", "alice-person", "--db", unscored)
    assert [h["as_of"] for h in history] == [str(date(2025, 1, d)) for d in range(10, 17)]


def test_score_without_topics_stores_scores_only(unscored: Path) -> None:
    [plain] = ok_json("score", "--as-of", "2025-01-15", "--no-topics", "--db", unscored)
    [full] = ok_json("score", "--as-of", "2025-01-16", "--db", unscored)
    with open_store(unscored, read_only=True) as con:
        runs = dict(con.execute("SELECT r.as_of::VARCHAR, count(t.run_id) FROM score_runs r "
                                "LEFT JOIN topic_runs t USING (run_id) GROUP BY ALL").fetchall())
    assert runs == {plain["as_of"]: 0, full["as_of"]: 1}
    assert plain["people"] > 5


# Reading scores ------------------------------------------------------------------------

def test_top(scored: Path) -> None:
    result = ok("top", "--db", scored)
    assert "alice-person" in result.stdout and "leaderboard" in result.stdout
    rows = ok_json("top", "--db", scored)
    assert set(rows[0]) == {"rank", "person_id", "score", "percentile", "networks",
                            "reactors", "display_name"}
    assert rows[0]["percentile"] == 100.0 or rows[0]["percentile"] > rows[-1]["percentile"]
    assert rows[0]["person_id"] == "alice-person" and rows[0]["rank"] == 1
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert len(ok_json("top", "--limit", "2", "--db", scored)) == 2


def test_top_by_network(scored: Path) -> None:
    result = ok("top", "--network", "mastodon", "--db", scored)
    assert "mastodon" in result.stdout
    rows = ok_json("top", "--network", "mastodon", "--db", scored)
    assert rows and {r["networks"] for r in rows} == {"mastodon"}
    assert {"alice-person", "mastodon:bob"} <= {r["person_id"] for r in rows}
    assert "twitter:bob" not in {r["person_id"] for r in rows}


def test_show(scored: Path) -> None:
    result = ok("show", "alice-person", "--db", scored)
    assert "alice-person" in result.stdout and "change:" in result.stdout
    summary = ok_json("show", "twitter:alice", "--db", scored)
    assert set(summary) == {"person_id", "as_of", "model_version", "score", "percentile",
                            "band", "offline_points", "networks", "deltas"}
    assert 0 < summary["percentile"] <= 100
    assert summary["person_id"] == "alice-person" and summary["as_of"] == str(LAST_DAY)
    assert {n["network"] for n in summary["networks"]} == {"twitter", "mastodon"}
    assert set(summary["deltas"]) == {"day", "week", "month"}
    assert summary["deltas"]["day"] is not None and summary["deltas"]["month"] is None
    earlier = ok_json("show", "alice-person", "--as-of", str(LAST_DAY - timedelta(days=3)),
                      "--db", scored)
    assert earlier["as_of"] == str(LAST_DAY - timedelta(days=3))


def test_explain(scored: Path) -> None:
    result = ok("explain", "alice-person", "--db", scored)
    assert "What adds up to the score" in result.stdout and "fan" in result.stdout
    data = ok_json("explain", "alice-person", "--db", scored)
    assert {"person_id", "as_of", "model_version", "score", "contributions", "top_reactors",
            "top_posts", "since", "previous_score", "drivers", "percentile"} == set(data)
    assert sum(c["points"] for c in data["contributions"]) == pytest.approx(data["score"])
    assert {"reactor", "reach", "reactions"} <= set(data["top_reactors"][0])
    assert {"post_id", "reactors", "reactions"} <= set(data["top_posts"][0])
    assert data["since"] is None and data["drivers"] == []


def test_explain_since(scored: Path) -> None:
    since = str(LAST_DAY - timedelta(days=7))
    result = ok("explain", "alice-person", "--since", since, "--db", scored)
    assert f"Since {since}" in result.stdout
    data = ok_json("explain", "alice-person", "--since", since, "--db", scored)
    assert data["since"] == since and data["previous_score"] is not None
    # The headline is the change between the scores as shown (one decimal).
    shown = round(data["score"], 1) - round(data["previous_score"], 1)
    assert data["drivers"][0] == f"score {shown:+.1f}".replace("-0.0", "+0.0")
    # Before the first stored snapshot: computed on the fly.
    early = ok_json("explain", "alice-person", "--since", "2025-01-02", "--db", scored)
    assert early["previous_score"] < data["score"]


def test_history(scored: Path) -> None:
    result = ok("history", "alice-person", "--db", scored)
    first_line = result.stdout.splitlines()[0]
    assert "alice-person" in first_line and SPARK_BARS & set(first_line)
    rows = ok_json("history", "alice-person", "--db", scored)
    assert len(rows) == 9 and set(rows[0]) == {"as_of", "score", "model_version",
                                                    "percentile"}
    assert [r["as_of"] for r in rows] == sorted(r["as_of"] for r in rows)
    window = ok_json("history", "alice-person", "--from", "2025-01-15", "--to", "2025-01-17",
                     "--db", scored)
    assert [r["as_of"] for r in window] == ["2025-01-15", "2025-01-16", "2025-01-17"]


# Models --------------------------------------------------------------------------------

def test_model_show_and_list(scored: Path) -> None:
    shown = ok("model", "show", "--db", scored).stdout
    assert Model.from_toml(shown) == DEFAULT_MODEL
    assert tomllib.loads(shown)["version"] == DEFAULT_MODEL.version
    assert Model.from_toml(ok("model", "show", "--default").stdout) == DEFAULT_MODEL
    data = ok_json("model", "show", "--db", scored)
    assert data["version"] == DEFAULT_MODEL.version
    assert data["fingerprint"] == DEFAULT_MODEL.fingerprint
    assert Model(**data["parameters"]) == DEFAULT_MODEL
    assert ok_json("model", "show", "--default")["version"] == DEFAULT_MODEL.version
    listed = ok("model", "list", "--db", scored).stdout
    assert f"* {DEFAULT_MODEL.version}" in listed
    assert ok_json("model", "list", "--db", scored) == [
        {"version": DEFAULT_MODEL.version, "fingerprint": DEFAULT_MODEL.fingerprint,
         "current": True}]


def write_candidate(scored: Path, tmp_path: Path, **changes: Any) -> Path:
    """A candidate made the way a person would: edit the TOML `model show` prints."""
    text = ok("model", "show", "--db", scored).stdout
    lines = text.splitlines()
    for key, value in changes.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
        lines[index] = f"{key} = {json.dumps(value)}"
    path = tmp_path / "candidate.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_model_preview(scored: Path, tmp_path: Path) -> None:
    candidate = write_candidate(scored, tmp_path, version="more-network", weight_network=0.7)
    result = ok("model", "preview", candidate, "--db", scored)
    assert "Preview of more-network" in result.stdout and "Biggest gains" in result.stdout
    report = ok_json("model", "preview", candidate, "--db", scored)
    assert {"current_version", "candidate_version", "as_of", "people", "mean_change",
            "mean_abs_change", "quantiles", "histogram", "spearman", "movers_up",
            "movers_down"} == set(report)
    assert report["candidate_version"] == "more-network"
    assert report["as_of"] == str(LAST_DAY)
    assert sum(count for _, count in report["histogram"]) == report["people"]
    assert report["movers_up"] and {"person_id", "before", "after", "why"} == set(
        report["movers_up"][0])
    assert ok_json("model", "list", "--db", scored)[0]["current"] is True  # nothing promoted
    dated = ok_json("model", "preview", candidate, "--as-of", "2025-01-15", "--db", scored)
    assert dated["as_of"] == "2025-01-15"


def test_model_promote(scored: Path, tmp_path: Path) -> None:
    candidate = write_candidate(scored, tmp_path, version="more-network", weight_network=0.7)
    result = ok("model", "promote", candidate, "--db", scored)
    assert "more-network" in result.stdout and "now current" in result.stdout
    listed = {m["version"]: m["current"] for m in ok_json("model", "list", "--db", scored)}
    assert listed == {DEFAULT_MODEL.version: False, "more-network": True}
    assert tomllib.loads(ok("model", "show", "--db", scored).stdout)["version"] == "more-network"
    clean_error(run("top", "--db", scored), "no scores yet")  # not scored under it yet
    [info] = ok_json("score", "--db", scored)
    assert info["model_version"] == "more-network"
    assert ok_json("top", "--db", scored)[0]["person_id"] == "alice-person"
    back = write_candidate(scored, tmp_path, version=DEFAULT_MODEL.version,
                           weight_network=DEFAULT_MODEL.weight_network)
    assert ok_json("model", "promote", back, "--db", scored) == {
        "version": DEFAULT_MODEL.version, "fingerprint": DEFAULT_MODEL.fingerprint,
        "current": True}


# Clean errors --------------------------------------------------------------------------

def test_unknown_person(scored: Path) -> None:
    for command in ("show", "explain", "history"):
        clean_error(run(command, "nobody", "--db", scored), "no person or account matches")
    clean_error(run("show", "[red]nobody", "--db", scored), "'[red]nobody'")


def test_ambiguous_account(scored: Path) -> None:
    line = clean_error(run("show", "bob", "--db", scored), "ambiguous")
    assert "mastodon:bob" in line and "twitter:bob" in line
    ok("show", "mastodon:bob", "--db", scored)


@pytest.mark.parametrize("args", [
    ("show", "alice-person", "--as-of", "2025-02-30"),
    ("top", "--as-of", "yesterday"),
    ("explain", "alice-person", "--since", "01/01/2025"),
    ("explain", "alice-person", "--as-of", "2025-1-1x"),
    ("history", "alice-person", "--from", "soon"),
    ("score", "--as-of", "tomorrow"),
    ("score", "--backfill", "2025-01-01", "nope"),
    ("model", "preview", "CANDIDATE", "--as-of", "2025-13-01"),
])
def test_bad_date(scored: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    candidate = tmp_path / "same.toml"
    candidate.write_text(DEFAULT_MODEL.to_toml())
    args = tuple(str(candidate) if a == "CANDIDATE" else a for a in args)
    clean_error(run(*args, "--db", scored), "is not a date")


def test_dates_out_of_order(scored: Path) -> None:
    clean_error(run("score", "--backfill", "2025-01-10", "2025-01-01", "--db", scored), "empty")
    clean_error(run("explain", "alice-person", "--since", str(LAST_DAY), "--db", scored),
                "must be before")


def test_no_scores_yet(unscored: Path) -> None:
    for args in (("top",), ("show", "alice-person"), ("explain", "alice-person")):
        clean_error(run(*args, "--db", unscored), "no scores yet")
    clean_error(run("history", "alice-person", "--db", unscored), "no stored scores")


def test_nothing_to_score(tmp_path: Path) -> None:
    World().store(tmp_path / "empty.duckdb").close()
    clean_error(run("score", "--db", tmp_path / "empty.duckdb"), "no events")


def test_missing_database_for_read_commands(tmp_path: Path) -> None:
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(DEFAULT_MODEL.to_toml())
    missing = tmp_path / "a-rather-long-folder-name-so-the-message-would-wrap" / "nowhere.duckdb"
    for args in (("top",), ("show", "alice"), ("explain", "alice"), ("history", "alice"),
                 ("model", "show"), ("model", "list"), ("model", "preview", str(candidate)),
                 ("status",)):
        clean_error(run(*args, "--db", missing), "no such database")
        assert not missing.exists()


@pytest.mark.parametrize(("text", "fragment"), [
    ("damping = = 0.5\n", "cannot read model"),
    ('version = "x"\ndampnig = 0.5\n', "unknown model parameters: dampnig"),
    ('version = "x"\ndamping = 1.5\n', "damping must be in (0, 1)"),
    ('version = "x"\nnetwork_norm_p = 0.5\n', "network_norm_p must be >= 1"),
    ('version = "x"\nkind_weights = 3\n', "kind_weights must be a table"),
    ('version = "x"\n[kind_weights]\nretweet = 1.0\n', "unknown kinds 'retweet'"),
    ('version = "x"\ndamping = "high"\n', "damping must be a finite number"),
])
def test_invalid_candidate_toml(scored: Path, tmp_path: Path, text: str, fragment: str) -> None:
    candidate = tmp_path / "bad.toml"
    candidate.write_text(text)
    for command in (("model", "preview"), ("model", "promote")):
        clean_error(run(*command, candidate, "--db", scored), fragment, "bad.toml")
    clean_error(run("score", "--model", candidate, "--db", scored), fragment)
    assert ok_json("model", "list", "--db", scored)[0]["current"] is True


def test_missing_candidate_file(scored: Path, tmp_path: Path) -> None:
    clean_error(run("model", "preview", tmp_path / "nope.toml", "--db", scored),
                "cannot read model")


def test_candidate_reusing_the_current_version_name(scored: Path, tmp_path: Path) -> None:
    candidate = write_candidate(scored, tmp_path, damping=0.8)  # same version name
    clean_error(run("model", "preview", candidate, "--db", scored),
                "reuses the current version name")
    clean_error(run("model", "promote", candidate, "--db", scored), "already exists")
    clean_error(run("score", "--model", candidate, "--db", scored), "already exists")


def test_top_offset_pages_on(scored: Path) -> None:
    everyone = ok_json("top", "--db", scored)
    page = ok_json("top", "--limit", "2", "--offset", "1", "--db", scored)
    assert [r["person_id"] for r in page] == [r["person_id"] for r in everyone[1:3]]
    assert [r["rank"] for r in page] == [2, 3]


def test_export_scores_history_and_topics(scored: Path, tmp_path: Path) -> None:
    out = {name: tmp_path / f"{name}{ext}" for name, ext in
           (("scores", ".csv"), ("history", ".parquet"), ("topics", ".jsonl"))}
    data = ok_json("export", "--scores", out["scores"], "--history", out["history"],
                   "--topics", out["topics"], "--db", scored)
    people = ok_json("top", "--limit", "1000", "--db", scored)
    assert data["scores"]["rows"] == len(people) and data["scores"]["file"] == str(out["scores"])
    header = out["scores"].read_text().splitlines()[0].split(",")
    assert {"person_id", "score", "percentile"} <= set(header)
    assert data["history"]["rows"] >= len(people) and out["history"].stat().st_size > 0
    assert data["topics"]["rows"] == len(out["topics"].read_text().splitlines())
    mastodon = ok_json("export", "--scores", tmp_path / "m.json", "--network", "mastodon",
                       "--db", scored)
    rows = json.loads((tmp_path / "m.json").read_text())
    assert mastodon["scores"]["rows"] == len(rows) and {r["network"] for r in rows} == {"mastodon"}
    refused = runner.invoke(app, ["export", "--scores", str(tmp_path / "s.xlsx"),
                                  "--db", str(scored)])
    assert refused.exit_code != 0 and "xlsx" in refused.output
