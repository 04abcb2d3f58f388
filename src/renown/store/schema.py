"""The store's schema as an ordered list of migrations.

A database records the highest migration applied in ``schema_version``; opening
it applies the rest, each in its own transaction, so a database written by an
older Renown is upgraded in place and never half-migrated.  Add a migration by
appending to `MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

from typing import Final

_V1_FOUNDATION: Final = """
CREATE TABLE ingestions (
    ingestion_id BIGINT PRIMARY KEY,
    path         VARCHAR NOT NULL,
    file_hash    VARCHAR NOT NULL,
    format       VARCHAR NOT NULL,
    network      VARCHAR,
    kind         VARCHAR,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP NOT NULL,
    records      BIGINT NOT NULL,
    ingested     BIGINT NOT NULL,
    duplicates   BIGINT NOT NULL,
    quarantined  BIGINT NOT NULL
);
CREATE TABLE events (
    network      VARCHAR NOT NULL,
    event_id     VARCHAR NOT NULL,
    ts           TIMESTAMP NOT NULL,
    actor        VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    subject      VARCHAR,
    post_id      VARCHAR,
    parent_id    VARCHAR,
    text         VARCHAR,
    tags         VARCHAR[],
    lang         VARCHAR,
    topic        VARCHAR,
    url          VARCHAR,
    ingestion_id BIGINT NOT NULL
);
CREATE TABLE accounts (
    network      VARCHAR NOT NULL,
    account      VARCHAR NOT NULL,
    display_name VARCHAR,
    followers    BIGINT,
    first_seen   TIMESTAMP,
    last_seen    TIMESTAMP,
    PRIMARY KEY (network, account)
);
CREATE TABLE people (
    person_id    VARCHAR PRIMARY KEY,
    display_name VARCHAR,
    created_at   TIMESTAMP NOT NULL
);
CREATE TABLE identities (
    network      VARCHAR NOT NULL,
    account      VARCHAR NOT NULL,
    person_id    VARCHAR NOT NULL,
    linked_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (network, account)
);
CREATE TABLE quarantine (
    ingestion_id BIGINT NOT NULL,
    file         VARCHAR NOT NULL,
    record       BIGINT NOT NULL,
    reason       VARCHAR NOT NULL,
    raw          VARCHAR
);
-- Every account belongs to exactly one person: the declared one, or else a
-- person of its own named "network:account" (identity is declared, never guessed).
CREATE VIEW account_people AS
SELECT a.network, a.account,
       coalesce(i.person_id, a.network || ':' || a.account) AS person_id
FROM accounts a LEFT JOIN identities i USING (network, account);
"""

_V2_SCORES: Final = """
-- Scoring models, stored as their TOML definition; exactly one is current.
CREATE TABLE models (
    version      VARCHAR PRIMARY KEY,
    fingerprint  VARCHAR NOT NULL,
    definition   VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    promoted_at  TIMESTAMP,
    is_current   BOOLEAN NOT NULL DEFAULT false
);
-- One scoring run: a snapshot of every person as of one day under one model.
-- Run ids come from a sequence so a replaced snapshot never reuses an id.
CREATE SEQUENCE score_run_ids START 1;
CREATE TABLE score_runs (
    run_id        BIGINT PRIMARY KEY,
    as_of         DATE NOT NULL,
    model_version VARCHAR NOT NULL,
    computed_at   TIMESTAMP NOT NULL,
    people        BIGINT NOT NULL,
    accounts      BIGINT NOT NULL,
    seconds       DOUBLE NOT NULL,
    UNIQUE (as_of, model_version)
);
CREATE TABLE person_scores (
    run_id         BIGINT NOT NULL,
    person_id      VARCHAR NOT NULL,
    score          DOUBLE NOT NULL,
    raw            DOUBLE NOT NULL,
    online_points  DOUBLE NOT NULL,
    offline_points DOUBLE NOT NULL,
    offline_units  DOUBLE NOT NULL
);
CREATE TABLE account_scores (
    run_id        BIGINT NOT NULL,
    network       VARCHAR NOT NULL,
    account       VARCHAR NOT NULL,
    person_id     VARCHAR NOT NULL,
    posts         BIGINT NOT NULL,
    reactors      BIGINT NOT NULL,
    reactions     BIGINT NOT NULL,
    reach         DOUBLE NOT NULL,
    amplification DOUBLE NOT NULL,
    network_value DOUBLE NOT NULL,
    influence     DOUBLE NOT NULL,
    raw           DOUBLE NOT NULL,
    score         DOUBLE NOT NULL,
    points        DOUBLE NOT NULL
);
"""

_V3_TOPICS: Final = """
-- The topic ontology posts are matched against (docs/topics.md): one at a
-- time, replaced as a whole by `renown ontology use`.
CREATE TABLE topic_ontology (
    name        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    topics      BIGINT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);
CREATE TABLE topic_nodes (slug VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE topic_edges (parent VARCHAR NOT NULL, child VARCHAR NOT NULL);
-- kind: name, alias, keyword or hashtag.
CREATE TABLE topic_terms (slug VARCHAR NOT NULL, kind VARCHAR NOT NULL, term VARCHAR NOT NULL);
-- Topic results of a score run, written with its snapshot (same run_id).
CREATE TABLE topic_runs (
    run_id        BIGINT PRIMARY KEY,
    ontology      VARCHAR NOT NULL,
    fingerprint   VARCHAR NOT NULL,
    config        VARCHAR NOT NULL,
    matched_posts BIGINT NOT NULL,
    topics        BIGINT NOT NULL,
    attributions  BIGINT NOT NULL,
    seconds       DOUBLE NOT NULL
);
-- A topic attributed to a person: distinct counts, the discounted evidence the
-- thresholds were checked on, confidence, and influence within the topic.
CREATE TABLE topic_attributions (
    run_id           BIGINT NOT NULL,
    person_id        VARCHAR NOT NULL,
    topic            VARCHAR NOT NULL,
    direct           BOOLEAN NOT NULL,
    confidence       DOUBLE NOT NULL,
    topic_score      DOUBLE NOT NULL,
    topic_raw        DOUBLE NOT NULL,
    posts            BIGINT NOT NULL,
    days             BIGINT NOT NULL,
    reactors         BIGINT NOT NULL,
    endorsers        BIGINT NOT NULL,
    post_evidence    DOUBLE NOT NULL,
    day_evidence     DOUBLE NOT NULL,
    reactor_evidence DOUBLE NOT NULL
);
-- The posts behind each attributed topic (the most-reacted ones).
CREATE TABLE topic_evidence_posts (
    run_id    BIGINT NOT NULL,
    person_id VARCHAR NOT NULL,
    topic     VARCHAR NOT NULL,
    network   VARCHAR NOT NULL,
    post_id   VARCHAR NOT NULL,
    ts        TIMESTAMP NOT NULL,
    reactors  BIGINT NOT NULL,
    reactions BIGINT NOT NULL,
    via_topic VARCHAR NOT NULL,
    weight    DOUBLE NOT NULL
);
-- +K endorsements given through Renown (person to person, on a topic).
CREATE SEQUENCE endorsement_ids START 1;
CREATE TABLE endorsements (
    endorsement_id BIGINT PRIMARY KEY,
    giver          VARCHAR NOT NULL,
    receiver       VARCHAR NOT NULL,
    topic          VARCHAR NOT NULL,
    given_at       TIMESTAMP NOT NULL
);
-- What each endorsement weighed in a score run, and the bounded points it gave.
CREATE TABLE endorsement_weights (
    run_id         BIGINT NOT NULL,
    endorsement_id BIGINT NOT NULL,
    standing       DOUBLE NOT NULL,
    reciprocal     BOOLEAN NOT NULL,
    weight         DOUBLE NOT NULL
);
CREATE TABLE endorsement_points (
    run_id       BIGINT NOT NULL,
    person_id    VARCHAR NOT NULL,
    endorsements BIGINT NOT NULL,
    units        DOUBLE NOT NULL,
    points       DOUBLE NOT NULL
);
"""

_V4_API_KEYS: Final = """
-- API keys for the HTTP API.  Only a salted, slow hash of each secret is kept;
-- key_id is the public part of the key, so a lookup never scans or compares
-- hashes of other keys.  A revoked key stays listed (who had access, when).
CREATE TABLE api_keys (
    key_id          VARCHAR PRIMARY KEY,
    name            VARCHAR,
    scope           VARCHAR NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    rate_per_minute INTEGER NOT NULL CHECK (rate_per_minute > 0),
    kdf             VARCHAR NOT NULL,
    salt            BLOB NOT NULL,
    secret_hash     BLOB NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    revoked_at      TIMESTAMP
);
"""

_V5_FORGET: Final = """
-- Accounts kept out of ingestion for good (DESIGN.md property 9).  Never the id
-- in the clear: HMAC-SHA256 of network NUL account under the store's secret key,
-- which lives in a file beside the database, not in it (docs/security.md).
CREATE TABLE opt_outs (
    account_hash VARCHAR PRIMARY KEY,
    added_at     TIMESTAMP NOT NULL
);
-- That an erasure happened, and how much it removed: never what it removed.
-- The subject is a keyed hash too, so the operator (who holds the key) can
-- answer "was X erased?" while a copy of the database alone cannot.
CREATE TABLE erasures (
    erasure_id    BIGINT PRIMARY KEY,
    erased_at     TIMESTAMP NOT NULL,
    scope         VARCHAR NOT NULL,
    subject_hash  VARCHAR NOT NULL,
    accounts      BIGINT NOT NULL,
    rows_deleted  VARCHAR NOT NULL,
    rows_redacted VARCHAR NOT NULL,
    seconds       DOUBLE NOT NULL
);
-- Rows an ingestion dropped because their actor or subject opted out.
ALTER TABLE ingestions ADD COLUMN opted_out BIGINT NOT NULL DEFAULT 0;
"""

_V6_STREAM_CURSORS: Final = """
-- Where each live stream (renown stream) stands: the position of the last
-- message committed, written in the same transaction as the events it covers,
-- so a restart resumes exactly there (renown.store.cursors).
CREATE TABLE stream_cursors (
    stream       VARCHAR PRIMARY KEY,
    position     VARCHAR NOT NULL,
    messages     BIGINT NOT NULL,
    ingestion_id BIGINT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
"""

_V7_CAMPAIGNS: Final = """
-- Campaigns (docs/campaigns.md): a brand's offer to people Renown proposed, and
-- what it achieved.  Targets are JSON (topics, audience, networks, score band).
CREATE TABLE campaigns (
    campaign_id  VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    brand        VARCHAR NOT NULL,
    goal         VARCHAR NOT NULL,
    target       VARCHAR NOT NULL,
    landing_url  VARCHAR NOT NULL,
    budget       DOUBLE,
    currency     VARCHAR,
    offer        VARCHAR,
    starts       DATE NOT NULL,
    ends         DATE NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP
);
-- Who was invited (with the reasons and the score they had), who accepted, and
-- the account their outcomes are credited to.  The code is their tracked link.
CREATE TABLE campaign_invites (
    campaign_id   VARCHAR NOT NULL,
    person_id     VARCHAR NOT NULL,
    network       VARCHAR NOT NULL,
    account       VARCHAR NOT NULL,
    code          VARCHAR NOT NULL UNIQUE,
    reasons       VARCHAR NOT NULL,
    score         DOUBLE,
    score_day     DATE,
    model_version VARCHAR,
    status        VARCHAR NOT NULL,
    invited_at    TIMESTAMP NOT NULL,
    responded_at  TIMESTAMP,
    cost          DOUBLE,
    PRIMARY KEY (campaign_id, person_id)
);
-- What an invitee posted for the campaign: its reactions are the campaign's reach.
CREATE TABLE campaign_posts (
    campaign_id VARCHAR NOT NULL,
    person_id   VARCHAR NOT NULL,
    network     VARCHAR NOT NULL,
    post_id     VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, network, post_id)
);
-- One row per outcome event (events of kind outcome): which campaign, whose code,
-- what happened, its value.  Visitors and customers only as keyed hashes.
CREATE TABLE campaign_outcomes (
    network     VARCHAR NOT NULL,
    event_id    VARCHAR NOT NULL,
    campaign_id VARCHAR NOT NULL,
    person_id   VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    outcome     VARCHAR NOT NULL,
    value       DOUBLE NOT NULL,
    visitor     VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    ts          TIMESTAMP NOT NULL,
    PRIMARY KEY (network, event_id)
);
"""

_V8_SIGNAL_DAYS: Final = """
-- Per-day partial sums of the signals (renown.scoring.signal_cache): what one
-- day's events add to each pair and account, under one basis (a hash of the
-- model parameters the sums depend on).  signal_days records which events
-- each day's rows were computed from (a count and a digest), so a day whose
-- events changed since (late, back-dated, forgotten) is recomputed, never
-- read stale.  A cache: deleting all three tables only makes the next run full.
CREATE TABLE signal_days (
    basis       VARCHAR NOT NULL,
    day         DATE NOT NULL,
    events      BIGINT NOT NULL,
    digest      HUGEINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (basis, day)
);
CREATE TABLE signal_day_pairs (
    basis   VARCHAR NOT NULL,
    network VARCHAR NOT NULL,
    reactor VARCHAR NOT NULL,
    author  VARCHAR NOT NULL,
    day     DATE NOT NULL,
    n       BIGINT NOT NULL,
    q       BIGINT NOT NULL
);
CREATE TABLE signal_day_output (
    basis   VARCHAR NOT NULL,
    network VARCHAR NOT NULL,
    account VARCHAR NOT NULL,
    day     DATE NOT NULL,
    posts   BIGINT NOT NULL,
    posts_q BIGINT NOT NULL
);
"""

_V9_TOPIC_MATCHES: Final = """
-- The topics each content event's words match (renown.scoring.topics.match_cache),
-- grouped by the event's day, under one basis (a hash of the ontology and the
-- matcher settings).  topic_match_days records which events each day's rows
-- were matched from (a count and a digest, text included), so a day whose
-- content changed since (late, edited, redacted, forgotten) is matched again,
-- never read stale.  A cache: deleting both tables only makes the next run match
-- every post.
CREATE TABLE topic_match_days (
    basis       VARCHAR NOT NULL,
    day         DATE NOT NULL,
    events      BIGINT NOT NULL,
    digest      HUGEINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (basis, day)
);
CREATE TABLE topic_event_matches (
    basis    VARCHAR NOT NULL,
    network  VARCHAR NOT NULL,
    event_id VARCHAR NOT NULL,
    author   VARCHAR NOT NULL,
    day      DATE NOT NULL,
    topic    VARCHAR NOT NULL,
    strength INTEGER NOT NULL
);
"""

#: (version, SQL) in the order they apply.
MIGRATIONS: Final[tuple[tuple[int, str], ...]] = (
    (1, _V1_FOUNDATION), (2, _V2_SCORES), (3, _V3_TOPICS), (4, _V4_API_KEYS),
    (5, _V5_FORGET), (6, _V6_STREAM_CURSORS), (7, _V7_CAMPAIGNS),
    (8, _V8_SIGNAL_DAYS), (9, _V9_TOPIC_MATCHES))

LATEST_VERSION: Final = MIGRATIONS[-1][0]
