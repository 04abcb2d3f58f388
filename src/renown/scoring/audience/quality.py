"""Audience quality: how much of a person's audience is automated, indiscriminate or a pod.

For each person with at least one reactor in the scoring window:

- ``automated_share``: the share of their distinct reactor accounts that look
  automated or indiscriminate (`renown.scoring.audience.automation`);
- ``pod_share``: the share of the reactions they received that came from
  members of their own engagement pod (`renown.scoring.audience.pods`): a pod
  member reacting to someone outside the pod is just a reader;
- ``quality``: the share of the reactions they received that came from
  neither (1 = a clean audience).

Reactions are acts as the score counts them (one act, one reaction), in the
same window; reactor accounts are counted per account, so a person reacting
from two networks counts twice.  Nothing here changes a score: the score
already discounts such reactions (selectivity, the ring discount); this
shows who is behind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.scoring.audience.automation import AutomationFences, Behaviour, judge
from renown.scoring.audience.behaviour import reactor_behaviour
from renown.scoring.audience.pods import PodDetection, detect_pods, reciprocal_ties
from renown.scoring.registry import current_model
from renown.scoring.run import latest_event_day
from renown.scoring.signals import SignalScope, build_signals
from renown.scoring.snapshots import day_end


@dataclass(frozen=True, slots=True)
class Detection:
    """Everything the detectors found for one day."""

    day: date
    #: `reactor_behaviour` columns plus ``flagged`` (bool) and ``reasons`` (list of text).
    behaviour: pa.Table
    fences: dict[str, AutomationFences]
    pods: PodDetection

    def flagged_accounts(self) -> set[tuple[str, str]]:
        flagged = self.behaviour.filter(self.behaviour["flagged"])
        return set(zip(flagged["network"].to_pylist(), flagged["account"].to_pylist(),
                       strict=True))

    def pod_accounts(self) -> set[tuple[str, str]]:
        members = self.pods.members
        return set(zip(members["network"].to_pylist(), members["account"].to_pylist(),
                       strict=True))


def detect(con: duckdb.DuckDBPyConnection, day: date | None = None) -> Detection:
    """Run both detectors over the scoring window ending with ``day`` (default: newest data).

    Leaves ``_signal_pairs`` for that window on the connection (the quality
    sums below read it).
    """
    model = current_model(con)
    day = day or latest_event_day(con)
    build_signals(con, SignalScope(day_end(day)), model, keep_window=True)
    try:
        table = reactor_behaviour(con, model)
    finally:
        con.execute("DROP TABLE _signal_window")
    behaviour, fences = _judge_networks(table)
    return Detection(day, behaviour, fences, detect_pods(reciprocal_ties(con)))


def _judge_networks(table: pa.Table) -> tuple[pa.Table, dict[str, AutomationFences]]:
    """Each network's accounts judged against that network's own fences."""
    flagged = np.zeros(table.num_rows, dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(table.num_rows)]
    fences: dict[str, AutomationFences] = {}
    networks = table["network"].to_numpy(zero_copy_only=False)
    for network in sorted(set(networks.tolist())):
        rows = np.flatnonzero(networks == network)
        part = table.take(pa.array(rows))
        behaviour = Behaviour(*(part[name].to_numpy(zero_copy_only=False).astype(np.float64)
                                for name in ("per_day", "authors", "latency_s", "output_ratio")))
        fences[network] = AutomationFences.of(behaviour)
        verdicts = judge(behaviour, fences[network])
        flagged[rows] = verdicts.flagged
        for i in np.flatnonzero(verdicts.flagged):
            reasons[rows[i]] = verdicts.reasons(int(i))
    table = table.append_column("flagged", pa.array(flagged))
    return table.append_column("reasons", pa.array(reasons, pa.list_(pa.string()))), fences


_PAIRS_SQL = f"""
    SELECT p.network, p.author, p.reactor, p.reactions,
           f.account IS NOT NULL AS automated,
           coalesce(pa.pod = pr.pod, false) AS pod_mate,
           coalesce(i.person_id, p.network || ':' || p.author) AS person_id
    FROM _signal_pairs p
    LEFT JOIN (SELECT network, account FROM _quality_behaviour WHERE flagged) f
           ON f.network = p.network AND f.account = p.reactor
    LEFT JOIN _quality_pods pa ON pa.network = p.network AND pa.account = p.author
    LEFT JOIN _quality_pods pr ON pr.network = p.network AND pr.account = p.reactor
    LEFT JOIN identities i ON i.network = p.network AND i.account = p.author
    WHERE p.author NOT LIKE '{SYSTEM_ACCOUNT_PREFIX}%'
"""


def _register(con: duckdb.DuckDBPyConnection, detection: Detection) -> None:
    con.register("_quality_behaviour", detection.behaviour.select(["network", "account",
                                                                   "flagged"]))
    con.register("_quality_pods", detection.pods.members)


def _unregister(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("_quality_behaviour", "_quality_pods"):
        con.unregister(name)


_PEOPLE_SQL = f"""
    WITH pairs AS ({_PAIRS_SQL})
    SELECT person_id,
           count(DISTINCT (network, reactor)) AS reactors,
           count(DISTINCT (network, reactor)) FILTER (WHERE automated) AS automated_reactors,
           CAST(sum(reactions) AS BIGINT) AS reactions,
           CAST(coalesce(sum(reactions) FILTER (WHERE automated), 0) AS BIGINT)
               AS automated_reactions,
           CAST(coalesce(sum(reactions) FILTER (WHERE pod_mate), 0) AS BIGINT)
               AS pod_reactions,
           CAST(coalesce(sum(reactions) FILTER (WHERE NOT automated AND NOT pod_mate), 0)
                AS BIGINT) AS clean_reactions
    FROM pairs WHERE $person IS NULL OR person_id = $person
    GROUP BY person_id ORDER BY person_id
"""


def quality_table(con: duckdb.DuckDBPyConnection, detection: Detection,
                  person_id: str | None = None) -> pa.Table:
    """Per-person quality from a detection (``_signal_pairs`` of its window must be current)."""
    _register(con, detection)
    try:
        table: pa.Table = con.sql(_PEOPLE_SQL, params={"person": person_id}).to_arrow_table()
    finally:
        _unregister(con)
    reactors = pc.cast(table["reactors"], pa.float64())
    reactions = pc.cast(table["reactions"], pa.float64())
    return (table
            .append_column("automated_share", pc.divide(table["automated_reactors"], reactors))
            .append_column("pod_share", pc.divide(table["pod_reactions"], reactions))
            .append_column("quality", pc.divide(table["clean_reactions"], reactions)))


def audience_quality(con: duckdb.DuckDBPyConnection, day: date | None = None) -> pa.Table:
    """Per person with at least one reactor: reactors, automated_share, pod_share, quality (0–1).

    Also carries the counts behind the shares (automated_reactors, reactions,
    automated_reactions, pod_reactions, clean_reactions).
    """
    return quality_table(con, detect(con, day))


@dataclass(frozen=True, slots=True)
class FlaggedReactor:
    """A reactor of the person that looks automated or indiscriminate, and why."""

    network: str
    account: str
    #: Reactions (acts) to this person in the window.
    reactions: int
    per_day: float
    authors: int
    latency_s: float | None
    output_ratio: float | None
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class PodEvidence:
    """A pod one of the person's accounts belongs to, and the reactions it gave them."""

    network: str
    account: str
    pod: str
    members: list[str]
    reactions: int


@dataclass(frozen=True, slots=True)
class PersonQuality:
    person_id: str
    day: date
    reactors: int
    automated_reactors: int
    automated_share: float
    reactions: int
    pod_reactions: int
    pod_share: float
    quality: float
    automated: list[FlaggedReactor] = field(default_factory=list)
    pods: list[PodEvidence] = field(default_factory=list)
    #: The fences each network's reactors were judged against.
    fences: dict[str, AutomationFences] = field(default_factory=dict)
    tie_fences: dict[str, float] = field(default_factory=dict)


def person_quality(con: duckdb.DuckDBPyConnection, person_id: str, day: date | None = None,
                   limit: int = 20) -> PersonQuality:
    """A person's audience quality with the accounts behind it (``limit`` flagged reactors)."""
    detection = detect(con, day)
    table = quality_table(con, detection, person_id).to_pylist()
    if not table:
        raise LookupError(f"{person_id!r} has no reactors in the window ending {detection.day}")
    row = table[0]
    _register(con, detection)
    try:
        con.register("_quality_flags", detection.behaviour.filter(detection.behaviour["flagged"]))
        flagged = con.execute(f"""
            WITH pairs AS ({_PAIRS_SQL})
            SELECT b.network, b.account, CAST(sum(p.reactions) AS BIGINT), any_value(b.per_day),
                   any_value(b.authors), any_value(b.latency_s), any_value(b.output_ratio),
                   any_value(b.reasons)
            FROM pairs p JOIN _quality_flags b ON b.network = p.network AND b.account = p.reactor
            WHERE p.person_id = ? GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT ?""",
            [person_id, limit]).fetchall()
        pods = con.execute(f"""
            WITH pairs AS ({_PAIRS_SQL})
            SELECT m.network, m.account, m.pod,
                   (SELECT list(o.account ORDER BY o.account) FROM _quality_pods o
                    WHERE o.pod = m.pod),
                   CAST(coalesce((SELECT sum(p.reactions) FROM pairs p
                                  WHERE p.network = m.network AND p.author = m.account
                                    AND p.pod_mate), 0) AS BIGINT)
            FROM _quality_pods m JOIN (SELECT DISTINCT network, author FROM pairs
                                       WHERE person_id = ?) mine
              ON mine.network = m.network AND mine.author = m.account
            ORDER BY 1, 2""", [person_id]).fetchall()
    finally:
        con.unregister("_quality_flags")
        _unregister(con)
    return PersonQuality(
        person_id, detection.day, row["reactors"], row["automated_reactors"],
        row["automated_share"], row["reactions"], row["pod_reactions"], row["pod_share"],
        row["quality"], [FlaggedReactor(*r) for r in flagged], [PodEvidence(*r) for r in pods],
        detection.fences, detection.pods.tie_fences)
