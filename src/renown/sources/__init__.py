"""Sources: each network's native export or API payload, turned into events.

One module per format; `FORMATS` maps the ``--format`` name to the module.
Modules are imported on first use so a CLI call pays only for the one it needs.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Final, cast

from renown.sources.base import Batch, Rejection, Source, SourceError, SourceOptions

#: ``--format`` name → module implementing `renown.sources.base.Source`.
FORMATS: Final[dict[str, str]] = {
    "events": "renown.sources.events",
    "higgs": "renown.sources.higgs",
    "snap-temporal": "renown.sources.snap_temporal",
    "stackexchange": "renown.sources.stackexchange",
    "bluesky-jetstream": "renown.sources.bluesky_jetstream",
    "bluesky-xrpc": "renown.sources.bluesky_xrpc",
    "bluesky-car": "renown.sources.bluesky_car",
    "mastodon-api": "renown.sources.mastodon_api",
    "mastodon-archive": "renown.sources.mastodon_archive",
    "wordpress": "renown.sources.wordpress",
    "feed": "renown.sources.feed",
    "x-archive": "renown.sources.x_archive",
    "reddit": "renown.sources.reddit",
    "linkedin": "renown.sources.linkedin",
    "facebook": "renown.sources.facebook",
    "instagram": "renown.sources.instagram",
    "instagram-api": "renown.sources.instagram_api",
    "threads": "renown.sources.threads",
    "threads-api": "renown.sources.threads_api",
    "tiktok": "renown.sources.tiktok",
    "tiktok-api": "renown.sources.tiktok_api",
    "youtube-takeout": "renown.sources.youtube_takeout",
    "youtube-api": "renown.sources.youtube_api",
    "pinterest-api": "renown.sources.pinterest_api",
    "pinterest-export": "renown.sources.pinterest_export",
    "github": "renown.sources.github",
    "credentials": "renown.sources.credentials",
}


class FormatNotDetectedError(SourceError):
    """No format, or more than one, recognises an input."""


def matching_formats(path: Path) -> list[str]:
    """Every format whose ``sniff`` recognises ``path`` (detection needs exactly one)."""
    from renown.sources.base import check_input_path
    from renown.sources.sniffing import read_head

    check_input_path(path, expects_folder=None)  # no sniffer may open a FIFO or follow a link out
    head = read_head(path)
    matches = []
    for name in FORMATS:
        sniff = getattr(get_source(name), "sniff", None)
        if sniff is not None and sniff(path, head):
            matches.append(name)
    return matches


def detect_format(path: Path) -> str:
    """The one format whose ``sniff`` recognises ``path``, or a clear error."""
    matches = matching_formats(path)
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(FORMATS)
    if not matches:
        raise FormatNotDetectedError(path, f"cannot tell the format; pass --format ({known})")
    raise FormatNotDetectedError(path, f"looks like several formats ({', '.join(matches)}); "
                                       "pass --format")


def get_source(name: str) -> Source:
    """The source module for a format name, or a clear error listing the known ones."""
    try:
        module_name = FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(name, f"unknown format (known formats: {known})") from None
    return cast(Source, importlib.import_module(module_name))


__all__ = [
    "FORMATS", "Batch", "FormatNotDetectedError", "Rejection", "Source", "SourceError",
    "SourceOptions", "detect_format", "get_source", "matching_formats",
]
