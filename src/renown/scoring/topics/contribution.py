"""Adding the endorsement points to a score run so that the parts still add up.

A person's score is 1 (the floor) + online points + offline points; the
endorsement points are one more part.  When the total would pass 100, every
part above the floor is scaled by the same factor, as `combine` does for
offline credentials, so the parts still add up exactly (property 5) and each
part keeps its share.  Account points (what ``explain`` splits into
components) are scaled with the person's online points.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from renown.scoring.pipeline import ScoreRun
from renown.scoring.scale import MAX_SCORE, MIN_SCORE

FloatArray = npt.NDArray[np.float64]


def add_points(online: FloatArray, offline: FloatArray, extra: FloatArray
               ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(score, online, offline, extra, factor) with the total capped at 100."""
    above = online + offline + extra
    factor = np.ones_like(above)
    over = above > MAX_SCORE - MIN_SCORE
    factor[over] = (MAX_SCORE - MIN_SCORE) / above[over]
    return (MIN_SCORE + above * factor, online * factor, offline * factor, extra * factor,
            factor)


def with_endorsement_points(run: ScoreRun, points: pa.Table) -> tuple[ScoreRun, pa.Table]:
    """``run`` with each person's endorsement points added, and the points as applied.

    ``points`` has columns person_id, endorsements, units, points; people
    without a score in ``run`` (nothing to add to) are left out of the result.
    """
    in_run = points.filter(pc.is_in(points["person_id"], value_set=run.people["person_id"]))
    if in_run.num_rows == 0:
        return run, in_run
    position = pc.index_in(in_run["person_id"], value_set=run.people["person_id"])
    extra = np.zeros(run.people.num_rows)
    extra[np.asarray(position.to_numpy(), np.int64)] = in_run["points"].to_numpy()
    score, online, offline, applied, factor = add_points(
        np.asarray(run.people["online_points"].to_numpy(), np.float64),
        np.asarray(run.people["offline_points"].to_numpy(), np.float64), extra)
    people = run.people
    for name, values in (("score", score), ("online_points", online),
                         ("offline_points", offline)):
        people = people.set_column(people.schema.get_field_index(name), name,
                                   pa.array(values, pa.float64()))
    account_person = pc.index_in(run.accounts["person_id"], value_set=run.people["person_id"])
    account_factor = factor[np.asarray(account_person.to_numpy(), np.int64)]
    accounts = run.accounts.set_column(
        run.accounts.schema.get_field_index("points"), "points",
        pa.array(np.asarray(run.accounts["points"].to_numpy(), np.float64) * account_factor,
                 pa.float64()))
    capped = applied[np.asarray(position.to_numpy(), np.int64)]
    in_run = in_run.set_column(in_run.schema.get_field_index("points"), "points",
                               pa.array(capped, pa.float64()))
    return replace(run, people=people, accounts=accounts), in_run
