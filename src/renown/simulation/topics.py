"""The simulated world's topics, and the text people write about them.

Slugs are the Klout Topic Ontology's own (``../shared/data/klout-topics``) so
the topics engine can map simulated posts onto the real hierarchy.  Topics are
listed from most to least popular: a person's interests are drawn with Zipf
weights by this order, so ``music`` has many fans and ``asthma`` few, as in
life.

Text is generated once per world into a small *catalogue* of rows (text, tags,
lang, topic, url): a pool of post sentences per topic (keywords plus one or two
of the topic's hashtags, which also fill the ``tags`` column), a pool of reply
sentences per topic, the planted viral joke, and the offline credentials.
Events point into the catalogue by row number, so millions of events cost one
Arrow ``take`` per chunk instead of millions of Python string operations.
Posts never carry their topic in the ``topic`` column (that would hand the
answer to the topics engine); offline credentials do, since a talk or a paper
states its subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject people post about: Klout slug, display name, words, hashtags."""

    slug: str
    name: str
    keywords: tuple[str, ...]
    hashtags: tuple[str, ...]


def _t(slug: str, name: str, keywords: str, hashtags: str) -> Topic:
    return Topic(slug, name, tuple(keywords.split(", ")), tuple(hashtags.split()))


#: Most popular first (interest weights are Zipf over this order).
TOPICS: Final[tuple[Topic, ...]] = (
    _t("music", "Music", "new album, live show, playlist, guitar riff, festival lineup, "
       "vinyl, songwriting, concert tickets", "music nowplaying livemusic"),
    _t("soccer", "Football (soccer)", "transfer window, clean sheet, penalty, midfield, "
       "derby, league table, starting eleven, injury time", "football soccer matchday"),
    _t("politics", "Politics", "election, parliament, policy debate, coalition, ballot, "
       "budget vote, campaign trail, senate", "politics election policy"),
    _t("cooking", "Cooking", "sourdough, cast iron pan, braise, knife skills, spice rub, "
       "weeknight dinner, fresh pasta, slow roast", "cooking recipe homecooking"),
    _t("artificial-intelligence", "Artificial Intelligence", "language model, fine-tuning, "
       "neural network, inference cost, AI safety, training data, benchmarks, embeddings",
       "ai machinelearning llm"),
    _t("travel", "Travel", "layover, backpacking, boutique hotel, city break, night train, "
       "carry-on, itinerary, street food market", "travel wanderlust travelgram"),
    _t("movies", "Movies", "box office, director's cut, trailer, cinematography, sequel, "
       "film festival, screenplay, streaming release", "movies film cinema"),
    _t("marketing", "Marketing", "brand awareness, conversion rate, funnel, campaign, "
       "content strategy, growth loop, customer journey, engagement", "marketing branding growth"),
    _t("video-games", "Video Games", "speedrun, patch notes, open world, boss fight, "
       "indie game, console, multiplayer, early access", "gaming videogames gamedev"),
    _t("fitness", "Fitness", "deadlift, personal best, mobility, interval training, "
       "recovery day, protein, leg day, warm-up", "fitness workout gym"),
    _t("photography", "Photography", "golden hour, prime lens, long exposure, aperture, "
       "street photography, film grain, composition, raw editing", "photography photooftheday"),
    _t("computer-programming", "Computer Programming", "refactoring, type hints, "
       "unit tests, code review, compiler, memory leak, open source, debugging",
       "programming coding python"),
    _t("books", "Books", "novel, reading list, book club, first edition, paperback, "
       "literary prize, memoir, chapter", "books amreading booktwitter"),
    _t("climate-change", "Climate Change", "carbon emissions, heatwave, net zero, "
       "renewables, sea level, climate policy, adaptation, methane",
       "climate climatechange netzero"),
    _t("cryptocurrency", "Cryptocurrencies", "bitcoin, ethereum, stablecoin, wallet, "
       "halving, on-chain, token, exchange listing", "crypto bitcoin web3"),
    _t("asthma", "Asthma", "inhaler, peak flow, wheezing, allergy season, spirometry, "
       "air quality, bronchodilator, asthma action plan", "asthma respiratoryhealth"),
    _t("startups", "Startups", "seed round, product-market fit, founder, pitch deck, "
       "runway, churn, go-to-market, term sheet", "startups founders vc"),
    _t("capital-markets", "Capital Markets", "bond yields, IPO pipeline, credit spreads, "
       "equity issuance, liquidity, yield curve, repo market, duration risk",
       "capitalmarkets finance bonds"),
    _t("parenting", "Parenting", "toddler, bedtime routine, school run, screen time, "
       "teething, family holiday, homework, first steps", "parenting momlife dadlife"),
    _t("education", "Education", "curriculum, classroom, lesson plan, exam season, "
       "student feedback, online course, literacy, teacher training", "education edchat teaching"),
    _t("nutrition", "Nutrition", "fibre, meal prep, macros, gut health, vitamins, "
       "whole grains, hydration, plant protein", "nutrition healthyeating"),
    _t("mental-health", "Mental Health", "burnout, therapy, mindfulness, anxiety, "
       "sleep hygiene, self-care, support network, journaling", "mentalhealth wellbeing"),
    _t("real-estate", "Real Estate", "mortgage rates, housing market, rental yield, "
       "open house, property tax, first-time buyer, renovation, listing price",
       "realestate housing property"),
    _t("astronomy", "Astronomy", "telescope, nebula, meteor shower, exoplanet, "
       "night sky, galaxy, eclipse, star cluster", "astronomy space astrophotography"),
    _t("physics", "Physics", "quantum field, dark matter, particle collider, entropy, "
       "superconductivity, gravitational waves, Higgs boson, neutrino", "physics science quantum"),
)
TOPIC_INDEX: Final[dict[str, int]] = {t.slug: i for i, t in enumerate(TOPICS)}

_POST_TEMPLATES: Final = (
    "New thoughts on {a} and {b} today.", "Why {a} matters more than {b} right now.",
    "Reading up on {a}: the {b} angle is underrated.", "Quick thread on {a}, {b} and {c}.",
    "Hot take: {a} beats {b} every time.", "Just learned something new about {a}.",
    "Anyone else following the {a} news?", "Three lessons about {a} from this week.",
    "Spent the evening on {a}. Next up: {b}.", "My notes on {a} versus {b}.",
    "If you care about {a}, watch {b} closely.", "A short guide to {a} for beginners.",
    "Unpopular opinion about {a} and {c}.", "Big week for {a}: {b} changed everything.",
    "Still thinking about {a} after yesterday.", "What nobody tells you about {a}.",
)
_REPLY_TEMPLATES: Final = (
    "Great point about {a}!", "Not sure I agree on {a}.", "This is why {a} matters.",
    "Thanks for sharing, {a} is key here.", "Saving this, {a} explained well.",
    "Counterpoint: {b} matters more than {a}.", "Exactly what I see with {a}.",
    "Love this take on {a}.",
)
#: Sentences per topic in the post pool (each with its own keyword mix and hashtags).
POST_POOL: Final = 48
#: Sentences per topic in the reply pool (replies, quotes, mentions).
REPLY_POOL: Final = 16

VIRAL_JOKE_TOPIC: Final = "asthma"
VIRAL_JOKE_TEXT: Final = "Sneezed so hard my inhaler asked for overtime pay #asthma #lol"
VIRAL_JOKE_TAGS: Final = ("asthma", "lol")
#: (kind, title template, url path) of the planted offline credentials, in date order.
OFFLINE_CREDENTIALS: Final = (
    ("talk", "Keynote: the future of {a}", "talks"),
    ("publication", "Peer-reviewed paper: new results on {a} and {b}", "papers"),
    ("course", "Course taught: an introduction to {a}", "courses"),
    ("talk", "Invited talk: what {b} teaches us about {a}", "talks"),
    ("award", "Award for outstanding work on {a}", "awards"),
)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All texts of a world as Arrow columns; events refer to rows by number."""

    table: pa.Table
    reply_offset: int
    joke_row: int
    offline_offset: int

    def post_rows(self, topic: np.ndarray, pick: np.ndarray) -> np.ndarray:
        """Catalogue rows of post sentences (topic index, pick in [0, POST_POOL))."""
        return np.asarray(topic * POST_POOL + pick, dtype=np.int32)

    def reply_rows(self, topic: np.ndarray, pick: np.ndarray) -> np.ndarray:
        """Catalogue rows of reply sentences (topic index, pick in [0, REPLY_POOL))."""
        return np.asarray(self.reply_offset + topic * REPLY_POOL + pick, dtype=np.int32)


def _slug_words(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def build_catalogue(offline_topic: str) -> Catalogue:
    """The world's texts; fixed for every seed (they are scenery, not data)."""
    rng = np.random.default_rng(20_260_630)
    rows: list[tuple[str, list[str] | None, str | None, str | None, str | None]] = []
    for topic in TOPICS:
        for j in range(POST_POOL):
            a, b, c = (topic.keywords[i] for i in rng.permutation(len(topic.keywords))[:3])
            n_tags = 1 + int(rng.random() < 0.5)
            tags = [topic.hashtags[i] for i in rng.permutation(len(topic.hashtags))[:n_tags]]
            text = _POST_TEMPLATES[j % len(_POST_TEMPLATES)].format(a=a, b=b, c=c)
            rows.append((f"{text} {' '.join('#' + t for t in tags)}", tags, "en", None, None))
    reply_offset = len(rows)
    for topic in TOPICS:
        for j in range(REPLY_POOL):
            a, b = (topic.keywords[i] for i in rng.permutation(len(topic.keywords))[:2])
            text = _REPLY_TEMPLATES[j % len(_REPLY_TEMPLATES)].format(a=a, b=b)
            rows.append((text, None, "en", None, None))
    joke_row = len(rows)
    rows.append((VIRAL_JOKE_TEXT, list(VIRAL_JOKE_TAGS), "en", None, None))
    offline_offset = len(rows)
    subject = TOPICS[TOPIC_INDEX[offline_topic]]
    for i, (_kind, title, path) in enumerate(OFFLINE_CREDENTIALS):
        text = title.format(a=subject.keywords[i % 4], b=subject.keywords[4 + i % 4])
        url = f"https://example.org/{path}/{_slug_words(text)}-{i + 1}"
        rows.append((text, [subject.hashtags[0]], "en", subject.slug, url))
    columns = list(zip(*rows, strict=True))
    table = pa.table({
        "text": pa.array(columns[0], pa.string()),
        "tags": pa.array(columns[1], pa.list_(pa.string())),
        "lang": pa.array(columns[2], pa.string()),
        "topic": pa.array(columns[3], pa.string()),
        "url": pa.array(columns[4], pa.string()),
    })
    return Catalogue(table, reply_offset, joke_row, offline_offset)


def interest_weights(exponent: float = 0.8) -> np.ndarray:
    """Zipf popularity of each topic, by `TOPICS` order (sums to 1)."""
    weights = 1.0 / np.arange(1, len(TOPICS) + 1, dtype=np.float64) ** exponent
    return np.asarray(weights / weights.sum(), dtype=np.float64)
