"""Matching posts to topics: whole words, phrases, tags, folding, limits — in SQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from renown.events import Event, events_to_table
from renown.scoring.topics.config import TopicConfig
from renown.scoring.topics.matching import TopicScope, match_posts, prepare_terms
from renown.scoring.topics.user_format import parse_ontology
from renown.store.database import connect
from renown.store.ingest import ingest_table

START = datetime(2025, 3, 1, 12)
ONTOLOGY = parse_ontology({"name": "t", "topics": [
    {"slug": "artificial-intelligence", "name": "Artificial Intelligence", "aliases": ["AI"],
     "keywords": ["language model"], "hashtags": ["llm"],
     "children": [{"slug": "machine-learning", "name": "Machine Learning"}]},
    {"slug": "asthma", "name": "Asthma", "keywords": ["inhaler", "peak flow"]},
    {"slug": "cooking", "name": "Cooking", "keywords": ["sourdough", "braise"]},
    {"slug": "cpp", "name": "C++", "hashtags": ["cpp"]},
    {"slug": "quantum-gates", "name": "Quantum Gates"},
    {"slug": "cafe", "name": "Café culture", "aliases": ["café"]},
]})


def match(tmp_path: Path, events: list[Event], config: TopicConfig | None = None
          ) -> dict[str, list[str]]:
    tmp_path.mkdir(exist_ok=True)
    con = connect(tmp_path / "m.duckdb")
    try:
        ingest_table(con, events_to_table(events), "test")
        prepare_terms(con, ONTOLOGY)
        match_posts(con, TopicScope(START + timedelta(days=1), 300.0),
                    config or TopicConfig())
        rows = con.execute("SELECT post_id, topic FROM _topic_posts ORDER BY post_id, "
                           "strength DESC, topic").fetchall()
    finally:
        con.close()
    found: dict[str, list[str]] = {}
    for post_id, topic in rows:
        found.setdefault(post_id, []).append(topic)
    return found


def post(post_id: str, text: str | None, tags: tuple[str, ...] = (), *, kind: str = "post",
         minutes: int = 0) -> Event:
    subject = "someone" if kind in ("reshare", "reply") else None
    return Event("twitter", f"e-{post_id}-{minutes}", START + timedelta(minutes=minutes),
                 "author", kind, subject, post_id, "p0" if subject else None, text, tags)


def test_words_match_whole_and_phrases_in_order(tmp_path: Path) -> None:
    found = match(tmp_path, [
        post("said", "She said the pasta was fine."),            # "ai" inside a word
        post("ai", "AI is changing everything"),
        post("phrase", "Measured my PEAK FLOW twice today"),
        post("broken", "The peak of the season; flow charts"),     # not "peak flow"
        post("model", "A new language-model release"),              # hyphen = a space
        post("accent", "Best CAFE in town"),                       # café, accent folded
        post("cpp", "Templates in C++ are hard"),
    ])
    assert "said" not in found and "broken" not in found
    assert found["ai"] == ["artificial-intelligence"]
    assert found["phrase"] == ["asthma"]
    assert found["model"] == ["artificial-intelligence"]
    assert found["accent"] == ["cafe"]
    assert found["cpp"] == ["cpp"]


def test_tags_and_hashtags_match_any_spelling_of_a_term(tmp_path: Path) -> None:
    found = match(tmp_path, [
        post("tag", None, ("MachineLearning",)),
        post("hashtag", "Trying something #LLM", ()),
        post("se", "How do I build a CNOT?", ("quantum-gates",)),   # StackExchange style
        post("tag-cpp", "templates again", ("#cpp",)),
    ])
    assert found == {"tag": ["machine-learning"], "hashtag": ["artificial-intelligence"],
                     "se": ["quantum-gates"], "tag-cpp": ["cpp"]}


def test_strongest_topics_first_at_most_the_configured_number(tmp_path: Path) -> None:
    text = "inhaler and peak flow, sourdough, language model #asthma"
    found = match(tmp_path, [post("many", text, ("cooking",))])
    # asthma: 2 words + 1 hashtag (2) = 4; cooking: 1 word + tag = 3; AI: 1.
    assert found["many"] == ["asthma", "cooking", "artificial-intelligence"]
    assert match(tmp_path / "a", [post("many", text, ("cooking",))],
                 TopicConfig(max_topics_per_post=2))["many"] == ["asthma", "cooking"]
    assert match(tmp_path / "b", [post("many", text, ("cooking",))],
                 TopicConfig(min_match_strength=3))["many"] == ["asthma", "cooking"]


def test_only_the_authors_own_words_count_and_edits_read_newest(tmp_path: Path) -> None:
    found = match(tmp_path, [
        post("reshared", "inhaler inhaler", kind="reshare"),
        post("reply", "Great braise!", kind="reply"),
        post("edited", "sourdough starter", minutes=0),
        post("edited", "my inhaler broke", minutes=5),
    ])
    assert "reshared" not in found
    assert found["reply"] == ["cooking"]
    assert found["edited"] == ["asthma"]


@pytest.mark.parametrize("text", ["", "!!!", "北京 天气"])
def test_texts_without_terms_match_nothing(tmp_path: Path, text: str) -> None:
    assert match(tmp_path, [post("x", text)]) == {}
