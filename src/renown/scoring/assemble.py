"""From per-account signals and propagation to the account and person score tables.

The last stage of a run, as one pure function on arrays, shared by every
engine: the local pipeline calls it once for everyone; the Spark engine calls
it on each partition of people (a person's accounts are never split), so both
compute every score with the same operations in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from renown.scoring.combine import combine_people
from renown.scoring.components import Components, amplification, network_component
from renown.scoring.model import Model
from renown.scoring.scale import offline_points, to_scale
from renown.scoring.signals import QUANTUM

FloatArray = npt.NDArray[np.float64]
Columns = Mapping[str, npt.NDArray[np.generic] | pa.Array | pa.ChunkedArray]

#: Columns `assemble_scores` reads per account (ordered by network, account) ...
ACCOUNT_INPUTS = ("network", "account", "person_id", "person_index", "posts", "posts_q",
                  "reactors", "reactions", "reach_q", "sat_q", "inflow", "rank")
#: ... and per person (ordered by person_id; ``person_index`` is the row number here).
PERSON_INPUTS = ("person_id", "units_q")


def assemble_scores(accounts: Columns, people: Columns, n_reference: int,
                    model: Model) -> tuple[pa.Table, pa.Table]:
    """Account and person score tables (the `ScoreRun` columns) for these rows.

    ``inflow`` and ``rank`` are each account's PageRank inflow and probability;
    ``n_reference`` is the number of scored accounts in the whole graph (the
    unit of the Network component), not just in these rows.
    """
    def fixed_point(column: str) -> FloatArray:
        return np.asarray(accounts[column], dtype=np.float64) / QUANTUM

    comps = Components(
        reach=fixed_point("reach_q"),
        amplification=amplification(fixed_point("sat_q"), fixed_point("posts_q"), model),
        network=network_component(np.asarray(accounts["inflow"], np.float64), n_reference),
    )
    influence = np.asarray(accounts["rank"], np.float64) * n_reference
    units = np.asarray(people["units_q"], dtype=np.float64) / QUANTUM
    person_of_account = np.asarray(accounts["person_index"], dtype=np.int64)
    account_raw = comps.raw(model)
    scores = combine_people(person_of_account, account_raw, offline_points(units, model), model)
    account_table = pa.table({
        "network": accounts["network"], "account": accounts["account"],
        "person_id": accounts["person_id"],
        "posts": accounts["posts"], "reactors": accounts["reactors"],
        "reactions": accounts["reactions"],
        "reach": comps.reach, "amplification": comps.amplification, "network_value": comps.network,
        "influence": influence, "raw": account_raw, "score": to_scale(account_raw, model),
        "points": scores.account_points,
    })
    people_table = pa.table({
        "person_id": people["person_id"], "raw": scores.raw, "score": scores.score,
        "online_points": scores.online_points, "offline_points": scores.offline_points,
        "offline_units": units,
    })
    return account_table, people_table
