"""Where personal ids can live in the store, and how forgetting erases each place.

Every column of every table is classified here, explicitly.  `renown forget`
refuses to run while any column of the live schema is missing from
`ERASURE_RULES` (`unclassified`), and a test fails on the same condition: a
table added by a later migration cannot hold ids that erasure silently skips.
A new table must say, column by column, which rule applies (or `KEEP` and why
the column cannot hold an id).

The rules, from most to least precise:

- `ACCOUNT`: a network-local account id; rows whose ``(network, column)`` is a
  forgotten account are deleted (the table's network column is named in
  `NETWORK_COLUMNS`, default ``network``).
- `PERSON`: a person id (declared, or ``network:account`` for an unlinked
  account); rows naming a forgotten person are deleted.
- `REFERENCE`: an id of content (event, post, parent).  Some networks build
  these from the author's id (Bluesky ``at://did/...``, ActivityPub URLs), so a
  row whose reference holds a forgotten account id as a path segment is
  deleted: it is a reaction to the forgotten person's content.
- `TEXT_DELETE`: free text that only exists to describe one record (quarantine
  excerpts, reasons, file names): a row whose text mentions a forgotten id as a
  whole word is deleted.
- `TEXT_REDACT`: free text belonging to someone else (others' posts, display
  names, ingestion paths): whole-word mentions are replaced by a marker,
  ``[forgotten]`` (`renown.store.mentions.MARKERS`).
- `KEEP`: cannot hold a personal id (numbers, times, enums, hashes, model
  parameters).
"""

from __future__ import annotations

from enum import Enum
from typing import Final

import duckdb


class Rule(Enum):
    ACCOUNT = "account"
    PERSON = "person"
    REFERENCE = "reference"
    TEXT_DELETE = "text-delete"
    TEXT_REDACT = "text-redact"
    KEEP = "keep"


ACCOUNT, PERSON, REFERENCE = Rule.ACCOUNT, Rule.PERSON, Rule.REFERENCE
TEXT_DELETE, TEXT_REDACT, KEEP = Rule.TEXT_DELETE, Rule.TEXT_REDACT, Rule.KEEP

#: table → column → rule, for every column of every table of the schema.
ERASURE_RULES: Final[dict[str, dict[str, Rule]]] = {
    "schema_version": {"version": KEEP, "applied_at": KEEP},
    "ingestions": {
        "ingestion_id": KEEP, "path": TEXT_REDACT, "file_hash": KEEP, "format": KEEP,
        "network": KEEP, "kind": KEEP, "started_at": KEEP, "finished_at": KEEP,
        "records": KEEP, "ingested": KEEP, "duplicates": KEEP, "quarantined": KEEP,
        "opted_out": KEEP,
    },
    "events": {
        "network": KEEP, "event_id": REFERENCE, "ts": KEEP, "actor": ACCOUNT,
        "kind": KEEP, "subject": ACCOUNT, "post_id": REFERENCE, "parent_id": REFERENCE,
        "text": TEXT_REDACT, "tags": TEXT_REDACT, "lang": KEEP, "topic": TEXT_REDACT,
        "url": TEXT_REDACT, "ingestion_id": KEEP,
    },
    "accounts": {
        "network": KEEP, "account": ACCOUNT, "display_name": TEXT_REDACT,
        "followers": KEEP, "first_seen": KEEP, "last_seen": KEEP,
    },
    "people": {"person_id": PERSON, "display_name": TEXT_REDACT, "created_at": KEEP},
    "identities": {"network": KEEP, "account": ACCOUNT, "person_id": PERSON,
                   "linked_at": KEEP},
    "quarantine": {"ingestion_id": KEEP, "file": TEXT_DELETE, "record": KEEP,
                   "reason": TEXT_DELETE, "raw": TEXT_DELETE},
    # Model definitions are scoring parameters (TOML of numbers and kind names).
    "models": {"version": KEEP, "fingerprint": KEEP, "definition": KEEP, "created_at": KEEP,
               "promoted_at": KEEP, "is_current": KEEP},
    "score_runs": {"run_id": KEEP, "as_of": KEEP, "model_version": KEEP, "computed_at": KEEP,
                   "people": KEEP, "accounts": KEEP, "seconds": KEEP},
    "person_scores": {"run_id": KEEP, "person_id": PERSON, "score": KEEP, "raw": KEEP,
                      "online_points": KEEP, "offline_points": KEEP, "offline_units": KEEP},
    "account_scores": {
        "run_id": KEEP, "network": KEEP, "account": ACCOUNT, "person_id": PERSON,
        "posts": KEEP, "reactors": KEEP, "reactions": KEEP, "reach": KEEP,
        "amplification": KEEP, "network_value": KEEP, "influence": KEEP, "raw": KEEP,
        "score": KEEP, "points": KEEP,
    },
    # Topics (docs/topics.md): the ontology is topic data (slugs are identifiers
    # of topics; names, terms and where the ontology came from are free text);
    # attributions, evidence and endorsements name people.
    "topic_ontology": {"name": TEXT_REDACT, "source": TEXT_REDACT, "fingerprint": KEEP,
                       "topics": KEEP, "loaded_at": KEEP},
    "topic_nodes": {"slug": KEEP, "name": TEXT_REDACT},
    "topic_edges": {"parent": KEEP, "child": KEEP},
    "topic_terms": {"slug": KEEP, "kind": KEEP, "term": TEXT_REDACT},
    "topic_runs": {"run_id": KEEP, "ontology": TEXT_REDACT, "fingerprint": KEEP,
                   "config": KEEP, "matched_posts": KEEP, "topics": KEEP,
                   "attributions": KEEP, "seconds": KEEP},
    "topic_attributions": {
        "run_id": KEEP, "person_id": PERSON, "topic": KEEP, "direct": KEEP, "confidence": KEEP,
        "topic_score": KEEP, "topic_raw": KEEP, "posts": KEEP, "days": KEEP, "reactors": KEEP,
        "endorsers": KEEP, "post_evidence": KEEP, "day_evidence": KEEP,
        "reactor_evidence": KEEP,
    },
    "topic_evidence_posts": {
        "run_id": KEEP, "person_id": PERSON, "topic": KEEP, "network": KEEP,
        "post_id": REFERENCE, "ts": KEEP, "reactors": KEEP, "reactions": KEEP,
        "via_topic": KEEP, "weight": KEEP,
    },
    # +K endorsements given and received; their weights go with them (CASCADES).
    "endorsements": {"endorsement_id": KEEP, "giver": PERSON, "receiver": PERSON,
                     "topic": KEEP, "given_at": KEEP},
    "endorsement_weights": {"run_id": KEEP, "endorsement_id": KEEP, "standing": KEEP,
                            "reciprocal": KEEP, "weight": KEEP},
    "endorsement_points": {"run_id": KEEP, "person_id": PERSON, "endorsements": KEEP,
                           "units": KEEP, "points": KEEP},
    # API keys: secrets only as salted hashes; a key's name is free text.
    "api_keys": {"key_id": KEEP, "name": TEXT_REDACT, "scope": KEEP, "rate_per_minute": KEEP,
                 "kdf": KEEP, "salt": KEEP, "secret_hash": KEEP, "created_at": KEEP,
                 "revoked_at": KEEP},
    # Keyed hashes and counts: nothing in the clear (renown.store.optout).
    "opt_outs": {"account_hash": KEEP, "added_at": KEEP},
    "erasures": {"erasure_id": KEEP, "erased_at": KEEP, "scope": KEEP, "subject_hash": KEEP,
                 "accounts": KEEP, "rows_deleted": KEEP, "rows_redacted": KEEP,
                 "seconds": KEEP},
    # Live streams: the stream's name (a URL, perhaps with a hashtag) is free
    # text; the position is a firehose time or a status id, not a person.
    "stream_cursors": {"stream": TEXT_REDACT, "position": KEEP, "messages": KEEP,
                       "ingestion_id": KEEP, "updated_at": KEEP},
    # Campaigns: the brand's own record (names and offer are free text); invites,
    # posts and outcomes name the person.  Visitors and customers are keyed hashes.
    "campaigns": {"campaign_id": KEEP, "name": TEXT_REDACT, "brand": TEXT_REDACT,
                  "goal": KEEP, "target": TEXT_REDACT, "landing_url": TEXT_REDACT,
                  "budget": KEEP, "currency": KEEP, "offer": TEXT_REDACT, "starts": KEEP,
                  "ends": KEEP, "created_at": KEEP, "closed_at": KEEP},
    "campaign_invites": {
        "campaign_id": KEEP, "person_id": PERSON, "network": KEEP, "account": ACCOUNT,
        "code": KEEP, "reasons": TEXT_DELETE, "score": KEEP, "score_day": KEEP,
        "model_version": KEEP, "status": KEEP, "invited_at": KEEP, "responded_at": KEEP,
        "cost": KEEP,
    },
    "campaign_posts": {"campaign_id": KEEP, "person_id": PERSON, "network": KEEP,
                       "post_id": REFERENCE, "recorded_at": KEEP},
    "campaign_outcomes": {
        "network": KEEP, "event_id": REFERENCE, "campaign_id": KEEP, "person_id": PERSON,
        "code": KEEP, "outcome": KEEP, "value": KEEP, "visitor": KEEP, "channel": KEEP,
        "ts": KEEP,
    },
    # The signal cache: per-day sums naming reactors, authors and accounts.  Rows
    # of a forgotten account go; the days they were in are recomputed at the
    # next run because their events changed (renown.scoring.signal_cache).
    "signal_days": {"basis": KEEP, "day": KEEP, "events": KEEP, "digest": KEEP,
                    "computed_at": KEEP},
    "signal_day_pairs": {"basis": KEEP, "network": KEEP, "reactor": ACCOUNT,
                         "author": ACCOUNT, "day": KEEP, "n": KEEP, "q": KEEP},
    "signal_day_output": {"basis": KEEP, "network": KEEP, "account": ACCOUNT, "day": KEEP,
                          "posts": KEEP, "posts_q": KEEP},
    # The topic match cache: each content event's topics.  A forgotten author's rows
    # go (and events whose id names them); the days their events were in are matched
    # again at the next run (renown.scoring.topics.match_cache).
    "topic_match_days": {"basis": KEEP, "day": KEEP, "events": KEEP, "digest": KEEP,
                         "computed_at": KEEP},
    "topic_event_matches": {"basis": KEEP, "network": KEEP, "event_id": REFERENCE,
                            "author": ACCOUNT, "day": KEEP, "topic": KEEP, "strength": KEEP},
}

#: Rows derived from a deleted row by an id alone (no personal id of their own):
#: table → SQL predicate selecting the orphans, deleted after the rules apply.
CASCADES: Final[dict[str, str]] = {
    "endorsement_weights": "endorsement_id NOT IN (SELECT endorsement_id FROM endorsements)",
}

#: The column giving the network of a table's `ACCOUNT` columns, where not ``network``.
NETWORK_COLUMNS: Final[dict[str, str]] = {}

#: Column types the text rules can rewrite or search.
TEXT_TYPES: Final = ("VARCHAR", "VARCHAR[]", "JSON")


def schema_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """table → column → type of every base table of the store (not views, not temp)."""
    rows = con.execute("""
        SELECT c.table_name, c.column_name, c.data_type
        FROM information_schema.columns c JOIN information_schema.tables t
          ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema
         AND t.table_name = c.table_name
        WHERE t.table_type = 'BASE TABLE' AND t.table_catalog = current_database()
          AND t.table_schema = 'main'
        ORDER BY c.table_name, c.ordinal_position""").fetchall()
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        columns.setdefault(str(table), {})[str(column)] = str(data_type)
    return columns


def unclassified(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems that make erasure unsafe: unclassified columns, impossible rules.

    Empty when every column of the live schema has a rule that can apply to it.
    """
    problems = []
    for table, columns in schema_columns(con).items():
        rules = ERASURE_RULES.get(table)
        if rules is None:
            problems.append(f"table {table} has no erasure rules")
            continue
        for column, data_type in columns.items():
            rule = rules.get(column)
            if rule is None:
                problems.append(f"column {table}.{column} has no erasure rule")
            elif rule in (TEXT_REDACT, TEXT_DELETE, REFERENCE) and data_type not in TEXT_TYPES:
                problems.append(f"{table}.{column} is {data_type}: rule {rule.value} "
                                "needs text")
            elif rule is ACCOUNT and NETWORK_COLUMNS.get(table, "network") not in columns:
                problems.append(f"{table}.{column} holds accounts but {table} has no "
                                "network column (set NETWORK_COLUMNS)")
        problems += [f"rule for {table}.{c}, which does not exist" for c in rules
                     if c not in columns]
    return problems
