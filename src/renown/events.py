"""The event: one row per thing that happened on a network (DESIGN.md §2).

Every source turns its native format into these columns; everything downstream
reads only them.  The rules that make an event valid live here, once, as SQL
predicates, so bulk ingestion (vectorised in DuckDB) and single events checked
from Python (`validate_event`) apply exactly the same rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Final

import pyarrow as pa

#: What people do.  Reactions respond to someone else's content or person.
KINDS: Final = (
    "post", "reshare", "quote", "reply", "comment", "mention", "like", "follow",
    "endorse", "answer", "accept", "upvote", "downvote", "outcome",
)
REACTION_KINDS: Final = frozenset(
    {"reshare", "quote", "reply", "comment", "mention", "like", "answer", "accept",
     "upvote", "endorse", "outcome"}
)
#: Kinds that publish content of the actor's own: these are a person's *output*.
CONTENT_KINDS: Final = frozenset(
    {"post", "reshare", "quote", "reply", "comment", "mention", "answer"}
)
#: Offline credentials (network ``offline``): talks, books, teaching, awards, press.
OFFLINE_KINDS: Final = ("talk", "publication", "course", "award", "press")
OFFLINE_NETWORK: Final = "offline"

#: Account ids starting with this are system-made (anonymous voters, deleted
#: users): their reactions count toward the subject's outcomes, but they are
#: never scored themselves.
SYSTEM_ACCOUNT_PREFIX: Final = "~"

#: Pseudonymous single people: a campaign's visitors and customers
#: (``~v:`` + a keyed hash, `renown.store.outcomes`).  System accounts like the
#: rest (never scored, never shown), but each stands for one person, so the
#: reactor discounts apply to them: a click bot is discounted like any bot.
VISITOR_ACCOUNT_PREFIX: Final = f"{SYSTEM_ACCOUNT_PREFIX}v:"

MAX_TEXT_CHARS: Final = 100_000
#: Clock skew tolerated before a timestamp counts as "in the future".
FUTURE_TOLERANCE_SECONDS: Final = 300

#: Arrow schema of the event columns every source produces.
EVENT_SCHEMA: Final = pa.schema([
    pa.field("network", pa.string()),
    pa.field("event_id", pa.string()),
    pa.field("ts", pa.timestamp("us")),
    pa.field("actor", pa.string()),
    pa.field("kind", pa.string()),
    pa.field("subject", pa.string()),
    pa.field("post_id", pa.string()),
    pa.field("parent_id", pa.string()),
    pa.field("text", pa.string()),
    pa.field("tags", pa.list_(pa.string())),
    pa.field("lang", pa.string()),
    pa.field("topic", pa.string()),
    pa.field("url", pa.string()),
])
EVENT_COLUMNS: Final = tuple(EVENT_SCHEMA.names)


def _sql_list(values: tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


#: (reason, SQL predicate that is TRUE when the row breaks the rule).  Order
#: matters: the first broken rule is the reason reported.  ``now_utc`` is bound
#: as the ``$now`` parameter so validation is deterministic under test.
VALIDATION_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("missing network", "network IS NULL OR network = ''"),
    ("network name must be lower-case letters, digits, _ or - (at most 32 characters)",
     "NOT regexp_full_match(network, '[a-z][a-z0-9_-]{0,31}')"),
    ("missing event_id", "event_id IS NULL OR event_id = ''"),
    ("missing or unparseable timestamp", "ts IS NULL"),
    ("timestamp lies in the future",
     f"ts > $now + INTERVAL {FUTURE_TOLERANCE_SECONDS} SECOND"),
    ("missing actor", "actor IS NULL OR actor = ''"),
    ("missing kind", "kind IS NULL OR kind = ''"),
    (f"unknown kind (expected one of: {', '.join(KINDS)}; on network "
     f"{OFFLINE_NETWORK}: {', '.join(OFFLINE_KINDS)})",
     f"NOT ((network <> '{OFFLINE_NETWORK}' AND kind IN ({_sql_list(KINDS)})) OR "
     f"(network = '{OFFLINE_NETWORK}' AND kind IN ({_sql_list(OFFLINE_KINDS)})))"),
    ("actor and subject are the same account on a reaction",
     f"kind IN ({_sql_list(REACTION_KINDS)}) AND subject = actor"),
    ("endorse needs a topic", "kind = 'endorse' AND (topic IS NULL OR topic = '')"),
    ("offline credential needs a title (text)",
     f"network = '{OFFLINE_NETWORK}' AND (text IS NULL OR text = '')"),
    (f"text longer than {MAX_TEXT_CHARS} characters", f"length(text) > {MAX_TEXT_CHARS}"),
)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def rejection_reason_sql() -> str:
    """A SQL expression giving the first broken rule's reason, or NULL if valid."""
    cases = " ".join(
        f"WHEN {predicate} THEN {_sql_string(reason)}" for reason, predicate in VALIDATION_RULES
    )
    return f"CASE {cases} ELSE NULL END"


def is_reaction(kind: str, actor: str, subject: str | None) -> bool:
    """DESIGN.md §2: a response to someone *else*'s content or person."""
    return kind in REACTION_KINDS and subject is not None and subject != actor


@dataclass(frozen=True, slots=True)
class Event:
    """One event, for code that builds events one at a time (endorse, tests)."""

    network: str
    event_id: str
    ts: datetime
    actor: str
    kind: str
    subject: str | None = None
    post_id: str | None = None
    parent_id: str | None = None
    text: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    lang: str | None = None
    topic: str | None = None
    url: str | None = None

    def as_row(self) -> dict[str, object]:
        row = asdict(self)
        row["tags"] = list(self.tags)
        ts = self.ts
        row["ts"] = ts.astimezone(UTC).replace(tzinfo=None) if ts.tzinfo else ts
        return row


def events_to_table(events: list[Event]) -> pa.Table:
    """Events as an Arrow table in `EVENT_SCHEMA`."""
    return pa.Table.from_pylist([e.as_row() for e in events], schema=EVENT_SCHEMA)


def validate_event(event: Event, now: datetime | None = None) -> str | None:
    """The reason `event` is invalid, or None: the bulk rules, on one row."""
    import duckdb

    con = duckdb.connect()
    try:
        staged = events_to_table([event])  # noqa: F841  (read by DuckDB by name)
        now_naive = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        rows = con.execute(
            f"SELECT {rejection_reason_sql()} FROM staged", {"now": now_naive}
        ).fetchall()
    finally:
        con.close()
    return None if not rows else rows[0][0]
