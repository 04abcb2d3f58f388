"""Sources: each network's native export or API payload, turned into events.

One module per format; `FORMATS` maps the ``--format`` name to the module.
Modules are imported on first use so a CLI call pays only for the one it needs.
"""

from __future__ import annotations

import importlib
from typing import Final, cast

from renown.sources.base import Batch, Rejection, Source, SourceError, SourceOptions

#: ``--format`` name → module implementing `renown.sources.base.Source`.
FORMATS: Final[dict[str, str]] = {
    "events": "renown.sources.events",
    "higgs": "renown.sources.higgs",
    "snap-temporal": "renown.sources.snap_temporal",
    "stackexchange": "renown.sources.stackexchange",
}


def get_source(name: str) -> Source:
    """The source module for a format name, or a clear error listing the known ones."""
    try:
        module_name = FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(name, f"unknown format (known formats: {known})") from None
    return cast(Source, importlib.import_module(module_name))


__all__ = ["FORMATS", "Batch", "Rejection", "Source", "SourceError", "SourceOptions", "get_source"]
