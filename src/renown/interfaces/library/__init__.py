"""Renown as a Python library: `Store` and what its methods return (see `renown`)."""

from __future__ import annotations

from renown.interfaces.library.store import Store

__all__ = ["Store"]
