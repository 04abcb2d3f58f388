"""The HTTP API (FastAPI): `create_app(db_path)` serves ``/v1`` and the dashboard."""

from __future__ import annotations

from renown.interfaces.api.app import create_app
from renown.interfaces.api.state import Settings

__all__ = ["Settings", "create_app"]
