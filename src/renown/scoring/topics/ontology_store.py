"""The ontology a store uses, kept in the store itself.

A store matches posts against one ontology at a time.  It is copied into the
database (``topic_nodes``, ``topic_edges``, ``topic_terms``) so that scoring,
the API and every later reader see the same topics whatever files move, and so
that matching can join the terms in SQL.  A store that never chose one uses
the built-in ontology, written in on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from renown.scoring.topics.default import PACKAGE_SOURCE, default_ontology
from renown.scoring.topics.ontology import Ontology, Topic
from renown.store.database import utc_now

_TABLES = ("topic_ontology", "topic_nodes", "topic_edges", "topic_terms")


@dataclass(frozen=True, slots=True)
class OntologyInfo:
    name: str
    source: str
    fingerprint: str
    topics: int
    loaded_at: datetime


def use_ontology(con: duckdb.DuckDBPyConnection, ontology: Ontology) -> OntologyInfo:
    """Make ``ontology`` the store's ontology (replacing the previous one, atomically).

    Snapshots already stored keep their attributions; the next score run uses
    the new topics.
    """
    nodes = pa.table({"slug": list(ontology.topics),
                      "name": [t.name for t in ontology.topics.values()]})
    edges = ontology.edges
    edge_table = pa.table({"parent": [p for p, _ in edges], "child": [c for _, c in edges]},
                          schema=pa.schema([("parent", pa.string()), ("child", pa.string())]))
    terms = [(t.slug, kind, term) for t in ontology.topics.values() for kind, term in t.terms()]
    term_table = pa.table({"slug": [r[0] for r in terms], "kind": [r[1] for r in terms],
                           "term": [r[2] for r in terms]})
    info = OntologyInfo(ontology.name, ontology.source or "(unknown)", ontology.fingerprint,
                        len(ontology), utc_now())
    con.execute("BEGIN TRANSACTION")
    try:
        for table in _TABLES:
            con.execute(f"DELETE FROM {table}")
        con.execute("INSERT INTO topic_ontology VALUES (?, ?, ?, ?, ?)",
                    [info.name, info.source, info.fingerprint, info.topics, info.loaded_at])
        for name, table in (("topic_nodes", nodes), ("topic_edges", edge_table),
                            ("topic_terms", term_table)):
            con.register("_ontology_rows", table)
            con.execute(f"INSERT INTO {name} SELECT * FROM _ontology_rows")
            con.unregister("_ontology_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return info


def ontology_info(con: duckdb.DuckDBPyConnection) -> OntologyInfo | None:
    rows = con.execute("SELECT name, source, fingerprint, topics, loaded_at "
                       "FROM topic_ontology").fetchall()
    return OntologyInfo(*rows[0]) if rows else None


def ensure_ontology(con: duckdb.DuckDBPyConnection) -> OntologyInfo:
    """The store's ontology, writing in the built-in one if it has none yet.

    A store on the built-in ontology follows it: when this Renown ships a
    newer one, the store's copy is replaced (a chosen ontology never is).
    """
    info = ontology_info(con)
    builtin = default_ontology()
    if info is None or (info.source == PACKAGE_SOURCE and info.fingerprint != builtin.fingerprint):
        return use_ontology(con, builtin)
    return info


def stored_ontology(con: duckdb.DuckDBPyConnection) -> Ontology:
    """The store's ontology as an `Ontology` (the built-in one if none was stored).

    Works on a read-only connection too: a store that never chose an ontology,
    or chose the built-in one, reads as this Renown's built-in one.
    """
    info = ontology_info(con)
    if info is None or info.source == PACKAGE_SOURCE:
        return default_ontology()
    terms: dict[str, dict[str, list[str]]] = {}
    for slug, kind, term in con.execute("SELECT slug, kind, term FROM topic_terms "
                                        "ORDER BY rowid").fetchall():
        terms.setdefault(slug, {}).setdefault(kind, []).append(term)
    topics = []
    for slug, name in con.execute("SELECT slug, name FROM topic_nodes ORDER BY rowid").fetchall():
        by_kind = terms.get(slug, {})
        topics.append(Topic(slug, name, tuple(by_kind.get("keyword", ())),
                            tuple(by_kind.get("hashtag", ())), tuple(by_kind.get("alias", ()))))
    edges = con.execute("SELECT parent, child FROM topic_edges").fetchall()
    return Ontology.build(info.name, topics, edges, source=info.source)
