"""The one exception every error Renown reports on purpose derives from.

A library user catches `RenownError` for "Renown refused, and said why"
(unreadable input, an unknown person, nothing to score, a store in use),
while programming errors stay ordinary exceptions.  The specific errors keep
their standard bases too (`LookupError`, `ValueError`), so existing handlers
still work.
"""

from __future__ import annotations


class RenownError(Exception):
    """Renown refused a request; the message names what and why."""
