"""``DELETE /v1/people/{person}``: forget a person everywhere (admin scope).

The API equivalent of ``renown forget PERSON`` (DESIGN.md property 9, docs/security.md):
the same core (`renown.store.scrub.forget_in_store`) erases every row, opts the
accounts out of future ingestion, writes the audit row and rewrites the files,
published snapshots included; then a fresh snapshot is published, so the
next request reads a store without them.  Answers with counts and a keyed
hash only, never the erased ids.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import Path

from renown.interfaces.api.auth import AdminKey
from renown.interfaces.api.errors import ApiError, busy, not_found
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import StateDep
from renown.store.database import StoreError
from renown.store.forget import ErasureError, person_subject
from renown.store.scrub import forget_in_store
from renown.store.serving import StoreBusyError, open_writer, publish

router = v1_router("people")


@router.delete("/people/{person}", responses={
    404: {"description": "No such person or account"},
    409: {"description": "Refused: the erasure rules do not cover the store's schema"},
    503: {"description": "Another process is writing to the store; retry"}})
def forget_person(state: StateDep, key: AdminKey,
                  person: str = Path(min_length=1, max_length=300,
                                     description="Person id or network:account")
                  ) -> dict[str, Any]:
    """Erase PERSON (all their accounts), keep them out of future ingestion, publish."""
    with state.write_lock:
        try:
            reports, rewrite = forget_in_store(state.db, lambda con: [person_subject(con, person)])
            with open_writer(state.db, state.settings.write_timeout) as con:
                publish(con, state.db)
        except ErasureError as exc:
            if str(exc).startswith("no person"):
                raise not_found("person_not_found", str(exc)) from exc
            raise ApiError(409, "erasure_refused", str(exc)) from exc
        except (StoreBusyError, StoreError) as exc:
            raise busy(f"{exc}; retry shortly", retry_after=5) from exc
    return {"erasures": [asdict(r) for r in reports], "rewrite_seconds": rewrite.seconds}
