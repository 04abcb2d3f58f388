"""Model versions in the store: which one is current, and promoting a new one.

The first scoring run registers the built-in default model as current.  A
candidate becomes current only through `promote`, after `renown model preview`
has shown what it changes; a version name can never be reused for different
parameters, so a score's model version always means one set of numbers.
"""

from __future__ import annotations

import duckdb

from renown.errors import RenownError
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.store.database import scalar, utc_now


class ModelRegistryError(ValueError, RenownError):
    """A model operation that would make versions ambiguous."""


def register(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Store ``model`` (idempotent); refuse a known version name with other parameters."""
    existing = scalar(con, "SELECT fingerprint FROM models WHERE version = ?", [model.version])
    if existing is None:
        con.execute("INSERT INTO models (version, fingerprint, definition, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    [model.version, model.fingerprint, model.to_toml(), utc_now()])
    elif existing != model.fingerprint:
        raise ModelRegistryError(
            f"model version {model.version!r} already exists with different parameters; "
            "give the candidate a new version name")


def current_model(con: duckdb.DuckDBPyConnection) -> Model:
    """The current model, or the built-in default when none was ever promoted."""
    definition = scalar(con, "SELECT definition FROM models WHERE is_current")
    return DEFAULT_MODEL if definition is None else Model.from_toml(definition)


def ensure_current(con: duckdb.DuckDBPyConnection) -> Model:
    """The current model, registering and promoting the default on first use."""
    if scalar(con, "SELECT count(*) FROM models WHERE is_current"):
        return current_model(con)
    promote(con, DEFAULT_MODEL)
    return DEFAULT_MODEL


def promote(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Make ``model`` current, atomically."""
    con.execute("BEGIN TRANSACTION")
    try:
        register(con, model)
        con.execute("UPDATE models SET is_current = false WHERE is_current")
        con.execute("UPDATE models SET is_current = true, promoted_at = ? WHERE version = ?",
                    [utc_now(), model.version])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def get_model(con: duckdb.DuckDBPyConnection, version: str) -> Model:
    definition = scalar(con, "SELECT definition FROM models WHERE version = ?", [version])
    if definition is None:
        raise ModelRegistryError(f"no model version {version!r} in this database")
    return Model.from_toml(definition)


def list_models(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """(version, fingerprint, is_current) for every stored model, oldest first."""
    rows = con.execute(
        "SELECT version, fingerprint, is_current FROM models ORDER BY created_at, version"
    ).fetchall()
    return [(str(v), str(f), bool(c)) for v, f, c in rows]
