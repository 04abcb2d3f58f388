"""X/Twitter account archive ("Download an archive of your data") → events.

The input is the unzipped archive folder or its ``data/`` folder.  Files read
(``<name>.js`` plus ``<name>-part1.js``... when X split a big one):

- ``account.js`` (else ``manifest.js``'s userInfo): the owner's numeric id,
  handle and name.  Without either the archive cannot say whose it is, and is
  refused.  ``manifest.js`` also gives the archive's generation date.
- ``tweets.js`` → ``post``, ``reply``, ``reshare``, ``quote`` and ``mention``
  events by the owner (the rules are in `renown.sources.x_archive_tweets`):

  * a tweet whose text starts ``RT @user:`` is a ``reshare`` of that user (the
    archive keeps no retweeted_status); its mentions are the original's, so
    none become events;
  * ``in_reply_to_status_id_str`` set → ``reply``, subject the replied-to
    account, parent the replied-to tweet; replying in one's own thread keeps
    no subject;
  * otherwise a link to a tweet (``x.com/<handle>/status/<id>``, how an
    archive shows a quote) → ``quote`` of its author; a reply that also links
    a third account's tweet gives a second event, ``quote``, ``<id>-quote``;
  * otherwise ``post`` (also a tweet that opens with ``@handle`` but answers
    no tweet: X sets ``in_reply_to_user_id`` on those, but they reply to no
    content; the handle becomes a mention);
  * every account the owner mentioned in the text they typed (not the main
    subject, not the owner, not the handles X puts in front of a reply) →
    ``mention``, id ``<tweet id>-mention-<account>``.
- ``like.js`` → ``like`` by the owner, id ``like-<tweet id>``, parent the liked
  tweet.  A like has no time and no author in an archive.  Its time is the
  liked tweet's creation time, read from the tweet's id (a snowflake), or the
  owner account's creation if that is later: the like happened at or after
  both, most likely soon after, and no later than the archive (pre-2010 ids
  carry no time: those get the generation date).
  The subject is the liked tweet's author when the archive itself says it
  (the owner's own tweet, a tweet the owner replied to or linked), else none:
  a like of an unknown author is no outcome for anybody, only the owner's
  activity, kept so later data can name the author from ``parent_id``.
- ``follower.js`` → ``follow`` from each follower to the owner; ``following.js``
  → ``follow`` from the owner to each account, id ``follow-<from>-<to>``.  No
  dates exist: the time is the archive's generation date, when the archive
  shows the follow to hold.  Without ``manifest.js`` there is no such date and
  these records are quarantined.
- ``deleted-tweets.js`` is not ingested (the owner withdrew those tweets; the
  count is logged); ``profile.js`` and the other files hold no events.

Accounts are X's numeric ids; a handle the archive never pairs with an id is
``@handle`` (lower-case).  Display names come from account.js and from mention
entities; the owner's follower count is the number of followers listed.
Record numbers are 1-based positions in each file's array.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from renown.sources.account_export import (
    Collector,
    load_json_text,
    parse_export_date,
    read_text,
)
from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.x_archive_tweets import (
    Handles,
    TweetMapper,
    as_dict,
    as_str,
    is_number,
    quoted_status,
    tweet_of,
    user_id,
)

DESCRIPTION: Final = ("X/Twitter account archive folder (or its data/ folder): tweets, likes, "
                      "followers, following")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "twitter"
#: Tweet ids since November 2010 are snowflakes: milliseconds since this epoch, shifted by 22.
SNOWFLAKE_EPOCH_MS: Final = 1_288_834_974_657
#: Ids below this (one day of snowflake time) are the older sequential ids, which carry no time.
SNOWFLAKE_MIN: Final = 86_400_000 << 22
_WRAPPER: Final = re.compile(r"\A\s*window\.(YTD\.\w+\.part\d+|__THAR_CONFIG)\s*=\s*")
_ARCHIVE_FILES: Final = ("manifest.js", "account.js", "tweets.js")

log = logging.getLogger(__name__)


def sniff(path: Path, head: bytes) -> bool:
    """A folder (or its data/) whose manifest.js, account.js or tweets.js is an X data file."""
    try:
        folder = data_folder(path)
        for name in _ARCHIVE_FILES:
            file = folder / name
            if file.is_file():
                with file.open("rb") as handle:
                    return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"window.")
    except (OSError, SourceError):
        return False
    return False


def data_folder(path: Path) -> Path:
    """The folder holding the ``.js`` files: ``path/data`` when there is one, else ``path``."""
    inner = path / "data"
    if inner.is_dir() and any((inner / name).is_file() for name in _ARCHIVE_FILES):
        return inner
    return path


def load_js(path: Path) -> object:
    """The JSON inside ``window.YTD.<name>.partN = ...`` (manifest.js: ``window.__THAR_CONFIG``)."""
    text = read_text(path)
    match = _WRAPPER.match(text)
    if match is None:
        raise SourceError(path, "not an X archive data file (expected it to start "
                          "'window.YTD.<name>.part0 =' or 'window.__THAR_CONFIG =')")
    body = text[match.end():].rstrip().removesuffix(";")
    return load_json_text(path, body, first_line=text.count("\n", 0, match.end()) + 1)


def load_records(path: Path) -> list[object]:
    data = load_js(path)
    if not isinstance(data, list):
        raise SourceError(path, "expected a list of records after 'window.YTD...='")
    return data


def parts(folder: Path, name: str) -> list[Path]:
    """``name.js`` then ``name-part1.js``, ``name-part2.js``... (X splits large files)."""
    def number(p: Path) -> int:
        digits = p.stem.rsplit("part", 1)[-1]
        return int(digits) if is_number(digits) else 0

    split = sorted(folder.glob(f"{name}-part*.js"), key=number)
    return [p for p in [folder / f"{name}.js", *split] if p.is_file()]


@dataclass(slots=True)
class Owner:
    """Whose archive this is, and when X made it."""

    account: str
    handle: str | None
    display_name: str | None
    generated: datetime | None
    #: When the owner's account was created: nothing the owner did is older.
    created: datetime | None = None
    #: Liked/replied-to/linked tweet id → its author, as far as the archive tells.
    authors: dict[str, str] = field(default_factory=dict)


def read_owner(folder: Path) -> Owner:
    manifest_file = folder / "manifest.js"
    manifest = as_dict(load_js(manifest_file)) if manifest_file.is_file() else {}
    info = as_dict(manifest.get("userInfo"))
    generated = parse_export_date(as_str(as_dict(manifest.get("archiveInfo"))
                                         .get("generationDate")))
    account_file = folder / "account.js"
    account: dict[str, object] = {}
    if account_file.is_file():
        records = load_records(account_file)
        account = as_dict(as_dict(records[0]).get("account")) if records else {}
    owner = user_id(account.get("accountId")) or user_id(info.get("accountId"))
    if owner is None:
        raise SourceError(folder, "cannot tell whose archive this is: no account id in "
                          "account.js or manifest.js")
    return Owner(owner, as_str(account.get("username")) or as_str(info.get("userName")),
                 as_str(account.get("accountDisplayName")) or as_str(info.get("displayName")),
                 generated, parse_export_date(as_str(account.get("createdAt"))))


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    folder = data_folder(path)
    network = options.network or DEFAULT_NETWORK
    owner = read_owner(folder)
    followers = sum(len(load_records(p)) for p in parts(folder, "follower"))
    yield from _tweets(folder, network, owner, followers)
    yield from _likes(folder, network, owner)
    yield from _follows(folder, network, owner, "follower")
    yield from _follows(folder, network, owner, "following")
    _log_deleted(path, parts(folder, "deleted-tweets"))


def _log_deleted(path: Path, files: list[Path]) -> None:
    """Deleted tweets are not ingested; say how many, and never fail on a file not used."""
    if not files:
        return
    try:
        count = sum(len(load_records(p)) for p in files)
    except SourceError as exc:
        log.info("%s: deleted tweets not ingested (file unreadable: %s)", path, exc.reason)
        return
    log.info("%s: %d deleted tweets not ingested (the owner deleted them)", path, count)


def _tweets(folder: Path, network: str, owner: Owner, followers: int) -> Iterator[Batch]:
    """All tweet files: handles are learnt from every tweet first, then events made."""
    files = [(p, load_records(p)) for p in parts(folder, "tweets")]
    handles = Handles(owner.account, owner.handle)
    for _, records in files:
        for raw in records:
            handles.learn(tweet_of(raw))
    for file, records in files:
        out = Collector(network, file)
        mapper = TweetMapper(handles, out, owner.handle)
        for number, raw in enumerate(records, start=1):
            mapper.on_tweet(number, raw)
            _learn_author(owner, handles, tweet_of(raw))
            yield from out.full()
        for account, name in handles.names.items():
            out.account(account, name)
        yield from out.rest()
    out = Collector(network, None)
    out.account(owner.account, owner.display_name, followers)
    yield out.take()


def _learn_author(owner: Owner, handles: Handles, tweet: dict[str, object]) -> None:
    """Who wrote the tweets this tweet answers or links: likes of them then have a subject."""
    if tweet_id := as_str(tweet.get("id_str")):
        owner.authors[tweet_id] = owner.account
    parent, author = as_str(tweet.get("in_reply_to_status_id_str")), user_id(
        tweet.get("in_reply_to_user_id_str"))
    if parent and author:
        owner.authors.setdefault(parent, author)
    quoted = quoted_status(tweet)
    if quoted and quoted[1]:
        owner.authors.setdefault(quoted[0], handles.account(quoted[1]))


def snowflake_time(tweet_id: str) -> datetime | None:
    """When a tweet was created, from its id; None for pre-snowflake ids."""
    if not is_number(tweet_id) or len(tweet_id) > 20 or int(tweet_id) < SNOWFLAKE_MIN:
        return None
    millis = (int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, UTC).replace(tzinfo=None)


def _like_time(tweet_id: str, owner: Owner) -> datetime | None:
    """The earliest time the like can have happened (see the module docstring)."""
    created = snowflake_time(tweet_id)
    if created is None:
        return owner.generated
    return max(created, owner.created) if owner.created else created


def _likes(folder: Path, network: str, owner: Owner) -> Iterator[Batch]:
    for file in parts(folder, "like"):
        out = Collector(network, file)
        for number, raw in enumerate(load_records(file), start=1):
            like = as_dict(as_dict(raw).get("like"))
            tweet_id = as_str(like.get("tweetId"))
            if tweet_id is None or not is_number(tweet_id):
                out.reject(number, "like without a numeric tweetId", raw)
                continue
            ts = _like_time(tweet_id, owner)
            if ts is None:
                out.reject(number, "like of a pre-2010 tweet and no manifest.js generation "
                           "date: no time can be given", raw)
                continue
            out.add(f"like-{tweet_id}", ts, owner.account, "like", number,
                    subject=owner.authors.get(tweet_id), parent_id=tweet_id,
                    url=as_str(like.get("expandedUrl")))
            yield from out.full()
        yield from out.rest()


def _follows(folder: Path, network: str, owner: Owner, name: str) -> Iterator[Batch]:
    """follower.js (they follow the owner) or following.js (the owner follows them)."""
    for file in parts(folder, name):
        out = Collector(network, file)
        for number, raw in enumerate(load_records(file), start=1):
            other = as_str(as_dict(as_dict(raw).get(name)).get("accountId"))
            if other is None:
                out.reject(number, f"{name} record without accountId", raw)
            elif owner.generated is None:
                out.reject(number, "follow with no time: manifest.js (the archive's "
                           "generation date) is missing", raw)
            else:
                actor, subject = (other, owner.account) if name == "follower" else (
                    owner.account, other)
                out.add(f"follow-{actor}-{subject}", owner.generated, actor, "follow", number,
                        subject=subject)
            yield from out.full()
        yield from out.rest()
