"""Discovery shaped as an API response (and the dashboard's discovery page): people by topic,
audience, score band and audience quality, as `renown discover` finds them.

The core ranks everyone who matches in one pass (it judges every audience's
quality), so a query's whole list is computed once per published generation,
through the heavy-work gate, and pages are slices of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Final

from renown.interfaces.api import audience_schemas as aus
from renown.interfaces.api.errors import invalid
from renown.interfaces.api.params import no_scores
from renown.interfaces.api.state import Lease, ServerState
from renown.interfaces.api.topic_views import known_topic
from renown.interfaces.api.views import snapshot
from renown.scoring.audience.spec import AudienceError, AudienceSpec
from renown.scoring.discover import Candidate, DiscoveryError, DiscoveryQuery, discover
from renown.scoring.queries import band
from renown.scoring.run import NothingToScoreError
from renown.scoring.search import band_range

#: Matches kept per query (pages reach this far; ``total`` counts them all).
KEPT: Final = 10_100


@dataclass(frozen=True, slots=True)
class Filters:
    """What to look for (the CLI's options, plus a band as a shorthand for a score range)."""

    topic: str | None = None
    audience: AudienceSpec | None = None
    band: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    min_quality: float = 0.0


def score_band(filters: Filters) -> tuple[float, float]:
    """The overall-score range to keep: the band (upper bound exclusive) within min/max."""
    low, high = 1.0, 100.0
    if filters.min_score is not None and filters.max_score is not None \
            and filters.min_score > filters.max_score:
        raise invalid("min_score", f"{filters.min_score:g} is above max_score "
                      f"{filters.max_score:g}")
    if filters.band is not None:
        lower, upper = band_range(filters.band)
        low, high = max(low, lower), min(high, math.nextafter(upper, 0.0))
    if filters.min_score is not None:
        low = max(low, filters.min_score)
    if filters.max_score is not None:
        high = min(high, filters.max_score)
    if low > high:
        raise invalid("band", f"band {filters.band} and the score range "
                      f"[{filters.min_score}, {filters.max_score}] do not overlap"
                      if filters.band else f"no score lies in [{low:g}, {high:g}] (scores run "
                      "from 1 to 100)")
    return low, high


def _find(state: ServerState, lease: Lease, filters: Filters, low: float, high: float,
          day: date) -> tuple[int, list[Candidate]]:
    def compute() -> tuple[int, list[Candidate]]:
        query = DiscoveryQuery(filters.topic, filters.audience, low, high, filters.min_quality,
                               limit=10**9, day=day)
        try:
            found = discover(lease.con, query)
        except (DiscoveryError, AudienceError) as exc:
            raise invalid("audience" if isinstance(exc, AudienceError) else "min_score",
                          str(exc)) from exc
        except (LookupError, NothingToScoreError) as exc:
            raise no_scores(exc) from exc
        return len(found), found[:KEPT]

    key = ("discover", filters.topic, filters.audience, low, high, filters.min_quality, day)
    return lease.generation.memo(key, lambda: state.run_heavy(compute))


def discovery(state: ServerState, lease: Lease, filters: Filters, day: date | None,
              limit: int, offset: int) -> aus.Discovery:
    """People for ``filters``, best match first (see `renown.scoring.discover`)."""
    if filters.topic is not None:
        known_topic(lease, filters.topic)
    low, high = score_band(filters)
    info = snapshot(lease, day)
    total, found = _find(state, lease, filters, low, high, info.as_of)
    items = [aus.Candidate(rank=c.rank, person_id=c.person_id, display_name=c.display_name,
                           match=c.match, score=c.score, band=band(c.score),
                           topic_score=c.topic_score, topic_confidence=c.topic_confidence,
                           audience_score=c.audience_score, quality=c.quality,
                           automated_share=c.automated_share, pod_share=c.pod_share,
                           reactors=c.reactors)
             for c in found[offset:offset + limit]]
    return aus.Discovery(as_of=info.as_of, model_version=info.model_version,
                         topic=filters.topic,
                         audience=None if filters.audience is None else filters.audience.label,
                         total=total, limit=limit, offset=offset, items=items)
