"""GitHub events: an Events API payload (JSON array) or a GH Archive hour file (NDJSON).

Developer influence shows as stars, forks and the discussion around
someone's work.  Both inputs hold the same event objects (``id``, ``type``,
``actor.login``, ``repo.name``, ``payload``, ``created_at``): ``GET
/users/{u}/events``, ``/repos/{o}/{r}/events`` or ``/events`` saved as a
JSON array, or GH Archive's hourly ``YYYY-MM-DD-H.json.gz`` (one event a
line, streamed; gz, bz2 or zst).  Accounts are logins, lower-cased (GitHub's
are case-insensitive); a repository's owner is the part of ``repo.name``
before the slash (a person or an organisation).

- ``WatchEvent`` (a star) → ``like`` of the repository owner,
  ``parent_id`` = the repository.
- ``ForkEvent`` → ``reshare`` of the owner, ``post_id`` = the fork.
- ``IssuesEvent`` / ``PullRequestEvent`` ``opened`` → ``post`` (text =
  title, a blank line, body; tags = the repository).
- ``IssueCommentEvent``, ``PullRequestReviewCommentEvent``,
  ``PullRequestReviewEvent`` (``created``/``submitted``) → ``comment``,
  subject = the issue's or pull request's author, ``parent_id`` = its URL;
  ``CommitCommentEvent`` → ``comment`` on the repository owner.
- ``ReleaseEvent`` ``published`` → ``post`` (the release notes).
- ``FollowEvent`` (GH Archive before 2016) → ``follow`` of ``target.login``.
- Pushes, branch creation and deletion, wiki edits, membership and other
  actions are work, not reactions to anyone: they are not events.
  ``stargazers_count`` and the like are totals, never events.

The 2011–2014 GH Archive timeline (``actor`` a login string, ``repository``
with ``owner`` and ``name``) is read too.  Event ids are ``gh-<id>`` (the
timeline has none: derived from its fields).  Record numbers are lines
(NDJSON) or positions in the array.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.sources.account_export import Collector, derived_id, text_or_none
from renown.sources.api_payloads import load_payload
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.compressed import open_stream, read_errors
from renown.sources.event_rows import MAX_RECORD_BYTES
from renown.sources.line_guard import bounded_lines
from renown.sources.meta_export import as_dict, as_list
from renown.sources.payloads import parse_instant

DESCRIPTION: Final = ("GitHub events: Events API payload (JSON array) or GH Archive hour file "
                      "(NDJSON, .json.gz)")
EXPECTS_FOLDER: Final = False
DEFAULT_NETWORK: Final = "github"
COMPRESSIONS: Final = frozenset({"gz", "bz2", "zst"})
BATCH_RECORDS: Final = 10_000
#: Types that are work or administration, not reactions: recognised, not events.
NOT_EVENTS: Final = frozenset({
    "PushEvent", "CreateEvent", "DeleteEvent", "GollumEvent", "MemberEvent", "PublicEvent",
    "SponsorshipEvent", "DownloadEvent", "GistEvent", "ForkApplyEvent", "TeamAddEvent",
    "DeploymentEvent", "DeploymentStatusEvent", "StatusEvent", "DiscussionEvent",
    "DiscussionCommentEvent", "MembershipEvent", "OrgBlockEvent", "PageBuildEvent",
    "RepositoryEvent", "ProjectEvent", "ProjectCardEvent", "ProjectColumnEvent",
    "WorkflowRunEvent", "CheckRunEvent", "CheckSuiteEvent", "LabelEvent", "MilestoneEvent"})
_COMMENTS: Final = {"IssueCommentEvent": "issue", "PullRequestReviewCommentEvent":
                    "pull_request", "PullRequestReviewEvent": "pull_request"}

Record = dict[str, object]


def sniff(path: Path, head: bytes) -> bool:
    text = head.lstrip()
    if text.startswith(b"["):
        sample = text[:4096]
        return b'"actor"' in sample and b'Event"' in sample and b'"created_at"' in sample
    first = text.split(b"\n", 1)[0]
    try:
        record = json.loads(first) if b"\n" in text else None
    except (ValueError, RecursionError):
        return False
    return (isinstance(record, dict) and str(record.get("type", "")).endswith("Event")
            and "actor" in record and ("repo" in record or "repository" in record)
            and "created_at" in record)


def _records(path: Path) -> Iterator[tuple[int, object]]:
    """(record number, parsed JSON or the raw line when it is not JSON)."""
    with read_errors(path), open_stream(path) as stream:
        start = stream.read(1 << 12).lstrip()
    if start.startswith(b"["):
        payload = load_payload(path)
        yield from enumerate(as_list(payload), start=1)
        return
    with read_errors(path), open_stream(path) as stream:
        for number, line in bounded_lines(stream, MAX_RECORD_BYTES):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line) if len(line) <= MAX_RECORD_BYTES else line
            except (ValueError, RecursionError):
                yield number, line


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    out = Collector(options.network or DEFAULT_NETWORK, None)
    seen = 0
    for number, record in _records(path):
        seen += 1
        if not isinstance(record, dict):
            out.reject(number, "not a JSON object (an event)", record if isinstance(
                record, str | bytes) else json.dumps(record)[:2000])
        else:
            _event(out, number, record)
        if out.size() >= BATCH_RECORDS:
            yield out.take()
    if seen == 0:
        raise SourceError(path, "no events in the file")
    yield from out.rest()


def _login(value: object) -> str | None:
    name = value if isinstance(value, str) else as_dict(value).get("login")
    text = text_or_none(name)
    return text.strip().lower() if text else None


def _repo(record: Record) -> tuple[str | None, str | None]:
    """(``owner/name``, owner login) from ``repo`` or the old timeline's ``repository``."""
    name = text_or_none(as_dict(record.get("repo")).get("name"))
    if name is None:
        old = as_dict(record.get("repository"))
        if (owner := _login(old.get("owner"))) and (repo := text_or_none(old.get("name"))):
            name = f"{owner}/{repo}"
    if name is None or "/" not in name:
        return None, None
    return name.lower(), name.split("/", 1)[0].lower()


def _event(out: Collector, number: int, record: Record) -> None:
    kind = text_or_none(record.get("type"))
    actor, (repo, owner) = _login(record.get("actor")), _repo(record)
    ts = parse_instant(record.get("created_at"))
    if kind is None or actor is None or ts is None:
        out.reject(number, "event without a type, an actor login or a created_at", record)
        return
    if kind in NOT_EVENTS:
        return
    payload = as_dict(record.get("payload"))
    ident = text_or_none(str(record.get("id") or "")) or derived_id(
        "timeline", kind, actor, repo, ts)
    event_id = ident if ident.startswith("timeline-") else f"gh-{ident}"
    if repo is None and kind != "FollowEvent":
        out.reject(number, f"{kind} without a repository", record)
        return
    _by_type(out, number, kind, event_id, ts, actor, repo, owner, payload, record)


def _by_type(out: Collector, number: int, kind: str, event_id: str, ts: datetime, actor: str,
             repo: str | None, owner: str | None, payload: Record, record: Record) -> None:
    action = payload.get("action")
    url = f"https://github.com/{repo}" if repo else None
    if kind == "WatchEvent":
        out.add(event_id, ts, actor, "like", number, subject=owner, parent_id=repo, url=url)
    elif kind == "ForkEvent":
        fork = text_or_none(as_dict(payload.get("forkee")).get("full_name"))
        out.add(event_id, ts, actor, "reshare", number, subject=owner, parent_id=repo,
                post_id=fork.lower() if fork else None, url=url)
    elif kind in ("IssuesEvent", "PullRequestEvent", "ReleaseEvent"):
        item = as_dict(payload.get({"IssuesEvent": "issue", "PullRequestEvent":
                                    "pull_request"}.get(kind, "release")))
        if action in ("opened", "published"):
            text = "\n\n".join(t for t in (text_or_none(item.get("title") or item.get("name")),
                                           text_or_none(item.get("body"))) if t)
            out.add(event_id, ts, actor, "post", number, post_id=text_or_none(
                item.get("html_url")) or event_id, text=text or None, tags=[str(repo)],
                url=text_or_none(item.get("html_url")) or url)
    elif kind in _COMMENTS:
        target = as_dict(payload.get(_COMMENTS[kind]))
        comment = as_dict(payload.get("comment") or payload.get("review"))
        out.add(event_id, ts, actor, "comment", number, subject=_login(target.get("user")),
                parent_id=text_or_none(target.get("html_url")),
                post_id=text_or_none(comment.get("html_url")),
                text=text_or_none(comment.get("body")), tags=[str(repo)],
                url=text_or_none(comment.get("html_url")) or url)
    elif kind == "CommitCommentEvent":
        comment = as_dict(payload.get("comment"))
        out.add(event_id, ts, actor, "comment", number, subject=owner, parent_id=repo,
                text=text_or_none(comment.get("body")), url=text_or_none(
                    comment.get("html_url")) or url)
    elif kind == "FollowEvent":
        followed = _login(payload.get("target"))
        if followed is None:
            out.reject(number, "FollowEvent without a target login", record)
            return
        out.add(event_id, ts, actor, "follow", number, subject=followed)
    else:
        out.reject(number, f"unknown GitHub event type {kind!r}", record)
