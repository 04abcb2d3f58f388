"""One tweet of an X archive → events (the rules are in `renown.sources.x_archive`).

Kept apart from the file handling because a tweet is where the modelling is:
a retweet is only recognisable by its text, a quote only by a status link,
and a mention is only a mention when the owner typed it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, TypedDict

from renown.sources.account_export import Collector

#: ``RT @user:`` at the start of the text: the only trace a retweet leaves in an archive.
RETWEET: Final = re.compile(r"RT @(\w{1,15}):")
#: A link to a tweet: how an archive shows a quote (no quoted_status fields).
STATUS_URL: Final = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w{1,15}|i/web|i)/status(?:es)?/(\d+)",
    re.IGNORECASE)
#: The handles X puts in front of a reply (the conversation's participants).
LEADING_HANDLES: Final = re.compile(r"(?:\s*@\w{1,15})+")
TWEET_TIME: Final = "%a %b %d %H:%M:%S %z %Y"
#: X's pseudo language codes (media only, hashtags only, undetermined...): no language.
NO_LANGUAGE: Final = frozenset({"und", "zxx", "qme", "qht", "qam", "qct", "qst", "qtm"})

Tweet = dict[str, object]


class Content(TypedDict):
    """The fields a tweet's main event carries about the tweet itself."""

    post_id: str
    text: str | None
    tags: list[str]
    lang: str | None
    url: str


def as_dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    """A non-blank string (every number in an archive is a string already)."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def tweet_of(raw: object) -> dict[str, object]:
    """The tweet in an archive record: ``{"tweet": {...}}`` (or a bare tweet object)."""
    record = as_dict(raw)
    return as_dict(record.get("tweet")) or record


def is_number(text: str | None) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts "²", which ``int`` refuses)."""
    return text is not None and text.isascii() and text.isdigit()


def as_int(value: object) -> int | None:
    text = as_str(value)
    return int(text) if text is not None and is_number(text) and len(text) < 19 else None


def user_id(value: object) -> str | None:
    """A usable numeric account id; X writes "-1" for accounts it no longer knows."""
    text = as_str(value)
    return text if text is not None and is_number(text) and text.strip("0") else None


def tweet_time(value: object) -> datetime | None:
    text = as_str(value)
    if text is None:
        return None
    try:
        return _utc(datetime.strptime(text, TWEET_TIME))
    except ValueError:
        return None


def _utc(value: datetime) -> datetime:
    offset = value.utcoffset()
    return (value - offset).replace(tzinfo=None) if offset is not None else value


@dataclass(slots=True)
class Handles:
    """Screen name → account id, learnt from the archive itself.

    Accounts are X's numeric ids.  A handle the archive never pairs with an id
    becomes the account ``@handle`` (lower-case): it cannot collide with a
    numeric id, and an identity link can join it to one later.
    """

    owner: str
    owner_handle: str | None
    ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # account → display name

    def learn(self, tweet: Tweet) -> None:
        for mention in as_list(as_dict(tweet.get("entities")).get("user_mentions")):
            m = as_dict(mention)
            handle, uid = as_str(m.get("screen_name")), user_id(m.get("id_str"))
            if handle and uid:
                self.ids.setdefault(handle.lower(), uid)
                if name := as_str(m.get("name")):
                    self.names.setdefault(uid, name)
        handle = as_str(tweet.get("in_reply_to_screen_name"))
        uid = user_id(tweet.get("in_reply_to_user_id_str"))
        if handle and uid:
            self.ids.setdefault(handle.lower(), uid)

    def account(self, handle: str) -> str:
        key = handle.lower()
        if self.owner_handle and key == self.owner_handle.lower():
            return self.owner
        return self.ids.get(key) or f"@{key}"


def quoted_status(tweet: Tweet) -> tuple[str, str | None] | None:
    """(status id, author handle or None) of the first tweet the tweet links to."""
    for url in as_list(as_dict(tweet.get("entities")).get("urls")):
        expanded = as_str(as_dict(url).get("expanded_url")) or ""
        if match := STATUS_URL.match(expanded):
            handle = match.group(1)
            return match.group(2), None if handle.lower() in ("i", "i/web") else handle
    return None


class TweetMapper:
    """Turns the owner's tweets into events in one `Collector`."""

    def __init__(self, handles: Handles, out: Collector, screen_name: str | None) -> None:
        self.handles = handles
        self.out = out
        self.screen_name = screen_name

    def on_tweet(self, record: int, raw: object) -> None:
        tweet = tweet_of(raw)
        tweet_id, ts = as_str(tweet.get("id_str")), tweet_time(tweet.get("created_at"))
        if tweet_id is None or not is_number(tweet_id):
            self.out.reject(record, "tweet without a numeric id_str", raw)
            return
        if ts is None:
            self.out.reject(record, f"unparseable created_at {tweet.get('created_at')!r}", raw)
            return
        full_text = as_str(tweet.get("full_text")) or as_str(tweet.get("text")) or ""
        owner = self.handles.owner
        common = self._common(tweet, tweet_id, full_text)
        if retweet := RETWEET.match(full_text):
            # The mentions in a retweet are the original author's, not the owner's.
            self.out.add(tweet_id, ts, owner, "reshare", record,
                         subject=self.handles.account(retweet.group(1)), **common)
            return
        subject = self._primary(tweet, tweet_id, ts, record, common)
        for account in self._mentions(tweet, full_text, subject):
            self.out.add(f"{tweet_id}-mention-{account}", ts, owner, "mention", record,
                         subject=account, parent_id=tweet_id, url=common["url"])

    def _common(self, tweet: Tweet, tweet_id: str, full_text: str) -> Content:
        tags = [t.lower() for h in as_list(as_dict(tweet.get("entities")).get("hashtags"))
                if (t := as_str(as_dict(h).get("text")))]
        lang = as_str(tweet.get("lang"))
        author = self.screen_name or "i/web"
        return {"post_id": tweet_id, "text": html.unescape(full_text) or None,
                "tags": tags, "lang": None if lang in NO_LANGUAGE else lang,
                "url": f"https://x.com/{author}/status/{tweet_id}"}

    def _primary(self, tweet: Tweet, tweet_id: str, ts: datetime, record: int,
                 common: Content) -> str | None:
        """Add the tweet's main event (reply, quote or post); returns its subject."""
        owner, out = self.handles.owner, self.out
        quoted = quoted_status(tweet)
        quoted_author = self.handles.account(quoted[1]) if quoted and quoted[1] else None
        if parent := as_str(tweet.get("in_reply_to_status_id_str")):
            subject = (user_id(tweet.get("in_reply_to_user_id_str"))
                       or self._handle_account(tweet.get("in_reply_to_screen_name")))
            out.add(tweet_id, ts, owner, "reply", record, subject=subject, parent_id=parent,
                    **common)
            if quoted and quoted_author not in (None, owner, subject):
                out.add(f"{tweet_id}-quote", ts, owner, "quote", record, subject=quoted_author,
                        parent_id=quoted[0], url=common["url"])
            return subject
        if quoted:
            out.add(tweet_id, ts, owner, "quote", record, subject=quoted_author,
                    parent_id=quoted[0], **common)
            return quoted_author
        out.add(tweet_id, ts, owner, "post", record, **common)
        return None

    def _handle_account(self, value: object) -> str | None:
        handle = as_str(value)
        return self.handles.account(handle) if handle else None

    def _mentions(self, tweet: Tweet, full_text: str, subject: str | None) -> list[str]:
        """Accounts the owner mentioned: in the text they wrote, not the main subject.

        The handles X puts in front of a reply name the conversation's
        participants; they address the reply and are not mentions of their own.
        """
        display = as_list(tweet.get("display_text_range"))
        start = as_int(display[0]) if display else None
        is_reply = as_str(tweet.get("in_reply_to_status_id_str")) is not None
        leading = LEADING_HANDLES.match(full_text)
        leading_end = leading.end() if is_reply and leading else 0
        seen = {self.handles.owner, subject}
        found: list[str] = []
        for mention in as_list(as_dict(tweet.get("entities")).get("user_mentions")):
            m = as_dict(mention)
            handle = as_str(m.get("screen_name"))
            account = user_id(m.get("id_str")) or (self.handles.account(handle) if handle else None)
            indices = as_list(m.get("indices"))
            at = as_int(indices[0]) if indices else None
            typed = at is None or (at >= (start or 0) and at >= leading_end)
            if account is not None and typed and account not in seen:
                seen.add(account)
                found.append(account)
        return found
