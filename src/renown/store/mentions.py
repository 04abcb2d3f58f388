"""Finding ids inside text columns, in SQL: the matching rules erasure and its check share.

Two notions of "this text holds that id":

- as a **word**: the id with no letter, digit or ``_`` on either side (``@bob``,
  ``bob's``, ``/users/bob/`` hold ``bob``; ``bobby`` does not);
- as a **path segment** of a content reference: preceded by the start, ``/``
  or ``@`` and followed by ``/`` or the end (``at://did:plc:x/app.bsky...``,
  ``https://host/@bob/12``), so numeric post ids (``post:123``) are not
  mistaken for account 123.

Patterns are RE2 (DuckDB's regex engine) with every non-alphanumeric character
of an id escaped as ``\\x{..}``, so any id text is matched literally.  A cheap
``contains`` test runs first so the regex only sees candidate rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

WORD_EDGE: Final = "[^A-Za-z0-9_]"


def escape(token: str) -> str:
    """``token`` as an RE2 literal."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):x}}}" for c in token)


def word_pattern(tokens: Iterable[str]) -> str:
    """Groups: (1) left edge, (2) the id, (3) right edge."""
    alternatives = "|".join(escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))
    return f"(^|{WORD_EDGE})({alternatives})($|{WORD_EDGE})"


def segment_pattern(tokens: Iterable[str]) -> str:
    alternatives = "|".join(escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))
    return f"(^|/|@)({alternatives})(/|$)"


def as_text(column: str, data_type: str) -> str:
    """SQL giving a column's value as searchable text (lists and JSON become their text)."""
    return f'"{column}"' if data_type == "VARCHAR" else f'CAST("{column}" AS VARCHAR)'


def holds_sql(text_sql: str, tokens: list[str], pattern: str) -> str:
    """SQL predicate: ``text_sql`` holds one of ``tokens`` under ``pattern``.

    Tokens are inlined as SQL string literals (quotes doubled), so the
    predicate can be used where parameters cannot (inside a DELETE's OR chain).
    """
    literals = " OR ".join(f"contains({text_sql}, {sql_literal(t)})" for t in sorted(set(tokens)))
    return f"(({literals}) AND regexp_matches({text_sql}, {sql_literal(pattern)}))"


def redact_sql(column: str, data_type: str, pattern: str, replacement: str) -> str:
    """SQL for a column's value with every match of ``pattern`` (word groups) replaced."""
    target = "\\1" + replacement.replace("\\", "\\\\") + "\\3"
    if data_type == "VARCHAR[]":
        return (f'list_transform("{column}", lambda x: regexp_replace(x, '
                f"{sql_literal(pattern)}, {sql_literal(target)}, 'g'))")
    value = as_text(column, data_type)
    replaced = f"regexp_replace({value}, {sql_literal(pattern)}, {sql_literal(target)}, 'g')"
    return f"CAST({replaced} AS JSON)" if data_type == "JSON" else replaced


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
