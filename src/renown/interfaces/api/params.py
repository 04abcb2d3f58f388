"""Parameters every endpoint shares, each validated strictly (bad input is a 422, never a 500).

Dates are exactly ``YYYY-MM-DD`` (no timestamps, no numbers read as epochs);
network names follow the store's rule; person ids are one path segment; page
sizes are bounded.  Checks that need the data (is this network scored, is
this person known) are here too, so every endpoint words them the same way.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Final

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator

from renown.interfaces.api.errors import ApiError, invalid, not_found
from renown.interfaces.api.state import Lease
from renown.scoring.queries import BANDS
from renown.scoring.search import find_person, scored_networks
from renown.scoring.snapshots import SnapshotInfo

MAX_LIMIT: Final = 100
NETWORK_PATTERN: Final = r"^[a-z][a-z0-9_-]{0,31}$"
PERSON_PATTERN: Final = r"^[^/\x00-\x1f\x7f]{1,300}$"
BAND_NAMES: Final = tuple(name for _, name in reversed(BANDS))
_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: object) -> object:
    if isinstance(value, str):
        if not _DAY.fullmatch(value):
            raise ValueError("expected a date as YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    return value


def _band(value: str) -> str:
    if value not in BAND_NAMES:
        raise ValueError(f"expected one of {', '.join(BAND_NAMES)}")
    return value


Day = Annotated[date, BeforeValidator(_day)]
AsOf = Annotated[Day | None, Query(description="Score day (YYYY-MM-DD); default: newest.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-100).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
Network = Annotated[str | None, Query(pattern=NETWORK_PATTERN, description="A network name.")]
Band = Annotated[str | None, AfterValidator(lambda v: v if v is None else _band(v)),
                 Query(description=f"Score band: {', '.join(BAND_NAMES)}.")]
Score = Annotated[float | None, Query(ge=0, le=100)]
SearchText = Annotated[str | None, Query(max_length=100, description="Substring of a person "
                                         "id, account or display name.")]
PersonId = Annotated[str, Path(pattern=PERSON_PATTERN, description="A person id, or "
                               "network:account for a person with no declared id.")]


def known_network(lease: Lease, snapshot: SnapshotInfo, network: str | None) -> str | None:
    """``network`` when the snapshot scores it (422 naming the known ones otherwise)."""
    if network is None:
        return None
    known = lease.generation.memo(("networks", snapshot.run_id),
                                  lambda: scored_networks(lease.con, snapshot.run_id))
    if network not in known:
        raise invalid("network", f"no scores for network {network!r} on {snapshot.as_of} "
                      f"(scored: {', '.join(known) or 'none'})")
    return network


def person(lease: Lease, text: str) -> str:
    """The person id for a person id or exact network:account (404 when unknown)."""
    found = lease.generation.memo(("person", text), lambda: find_person(lease.con, text))
    if found is None:
        raise not_found("person_not_found", f"no person or network:account {text!r}")
    return found


def score_range(min_score: float | None, max_score: float | None) -> None:
    if min_score is not None and max_score is not None and min_score > max_score:
        raise invalid("min_score", f"{min_score:g} is above max_score {max_score:g}")


def no_scores(exc: Exception) -> ApiError:
    """The snapshot has no scores (for that day): 404 with the store's explanation."""
    return not_found("no_scores", str(exc).strip("'\""))
