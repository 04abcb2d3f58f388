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

import re
from collections.abc import Iterable
from typing import Final

WORD_CHAR: Final = "[A-Za-z0-9_]"
WORD_EDGE: Final = "[^A-Za-z0-9_]"
#: What a redacted mention becomes: the first of these that holds no forgotten id.
MARKERS: Final = ("[forgotten]", "(redacted)", "<erased>", "***")


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


def column_holds(column: str, data_type: str, tokens: list[str], pattern: str) -> str:
    """SQL predicate: a column's value holds one of ``tokens`` under ``pattern``.

    Text is searched as is, a list of text element by element (its cast to
    text would add quotes and commas that are not in the data), anything
    else (JSON, structs, maps) as its text.
    """
    if data_type == "VARCHAR":
        return holds_sql(f'"{column}"', tokens, pattern)
    if data_type == "VARCHAR[]":
        each = holds_sql("_v", tokens, pattern)
        return f'coalesce(list_bool_or(list_transform("{column}", lambda _v: {each})), false)'
    return holds_sql(f'CAST("{column}" AS VARCHAR)', tokens, pattern)


def holds_sql(text_sql: str, tokens: list[str], pattern: str) -> str:
    """SQL predicate: ``text_sql`` holds one of ``tokens`` under ``pattern``.

    Tokens are inlined as SQL string literals (quotes doubled), so the
    predicate can be used where parameters cannot (inside a DELETE's OR chain).
    """
    literals = " OR ".join(f"contains({text_sql}, {sql_literal(t)})" for t in sorted(set(tokens)))
    return f"(({literals}) AND regexp_matches({text_sql}, {sql_literal(pattern)}))"


def python_word_pattern(tokens: Iterable[str]) -> re.Pattern[str]:
    """`word_pattern` for Python: look-arounds instead of edge groups, so nothing overlaps."""
    alternatives = "|".join(re.escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))
    return re.compile(f"(?<!{WORD_CHAR})(?:{alternatives})(?!{WORD_CHAR})")


def marker_for(tokens: Iterable[str]) -> str:
    """The first redaction marker in which none of ``tokens`` occurs."""
    found = [m for m in MARKERS if not any(t in m for t in tokens)]
    return found[0] if found else ""


def redact_value(value: object, pattern: re.Pattern[str], replacement: str) -> object:
    """A text, or each text of a list, with every match of ``pattern`` replaced."""
    if isinstance(value, list):
        return [redact_value(v, pattern, replacement) for v in value]
    return pattern.sub(replacement, value) if isinstance(value, str) else value


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
