"""StackExchange data dump (one site's folder of XML files) → events.

What each record becomes (docs/formats.md, "stackexchange", has the counts):

- **question** (PostTypeId 1) → ``post`` by its owner; ``post_id`` = the post
  Id, text = title + body (HTML stripped), tags from either tag syntax.
- **answer** (PostTypeId 2) → ``answer`` by its owner, subject = the
  question's owner, ``parent_id`` = the question; it carries the question's
  tags, because an answer is evidence of expertise in its question's topics
  (StackExchange's own tag scores count answers that way).
- **comment** → ``comment``, subject = owner of the post commented on,
  ``post_id`` = ``c<Id>`` (comment ids are a separate number space).
- **accepted answer** (a question's AcceptedAnswerId) → ``accept`` by the
  question's owner, subject = the answer's owner, ``parent_id`` = the answer.
  Its time is the accept vote's date, which the dump gives only to the day,
  so it is raised to the answer's creation time when that is later (an answer
  cannot be accepted before it exists); with no accept vote, the answer's time.
- **votes**: UpMod (2) → ``upvote``, DownMod (3) → ``downvote``, Favorite (5)
  and BountyStart (8) → ``like`` (interest in the question; a bounty costs the
  starter reputation), BountyClose (9) on an answer → ``accept`` by the bounty
  starter (the BountyStart on the answer's question): awarding a bounty is
  picking the best answer.  Subject = the voted post's owner, ``parent_id`` =
  the post, time = the vote's day raised to the post's creation time.
  The public dump strips voters' ids from most votes; each such vote gets its
  own system actor ``~anon-vote-<VoteId>`` (StackExchange allows one vote per
  person per post, so a post's voters are distinct people; across posts they
  cannot be told apart).  System accounts count toward the subject's outcomes
  and are never scored.
- **not events**: moderation votes (close, reopen, deletion, spam, offensive,
  review, edit approval, an unawarded BountyClose) and non-Q&A posts (tag
  wikis and the like) are not influence.  They are counted and logged, not
  stored; Users.xml gives account display names (Reputation is an outcome,
  kept out of events).

Accounts are the site's user ids.  The Community user (-1, a bot) is
``~community``.  An owner the dump has lost (deleted user) is
``~deleted-<display name>``, or ``~deleted-post-<Id>`` / ``~deleted-comment-<Id>``
when no name is left; a vote or comment on a post missing from the dump has
subject ``~deleted-post-<PostId>``.  Someone reacting to their own content
(answering their own question, commenting on their own post, accepting their
own answer) is no reaction: the event is kept with no subject, as the actor's
output.

Posts.xml is read first into a small per-post index (owner, type, parent,
date, tags) because every other record needs a post's owner.  Record numbers
are 1-based row positions in each file; rejections name the XML file.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from renown.events import SYSTEM_ACCOUNT_PREFIX
from renown.sources.base import Batch, BatchBuffer, Rejection, SourceOptions
from renown.sources.sniffing import sniff_stackexchange as sniff  # noqa: F401  (Source.sniff)
from renown.sources.stackexchange_xml import (
    XmlRow,
    find_dump_files,
    html_to_text,
    iter_rows,
    parse_tags,
    parse_timestamp,
)

DESCRIPTION: Final = ("StackExchange data dump folder (Posts.xml, Comments.xml, Votes.xml, "
                      "Users.xml)")
EXPECTS_FOLDER: Final = True
DEFAULT_NETWORK: Final = "stackexchange"
#: Rows per yielded batch: bounds memory on the largest sites.
BATCH_ROWS: Final = 50_000

QUESTION: Final = "1"
ANSWER: Final = "2"
ACCEPT_VOTE: Final = "1"
BOUNTY_START: Final = "8"
BOUNTY_CLOSE: Final = "9"
#: Vote types that are reactions to the post's owner.
VOTE_KINDS: Final = {"2": "upvote", "3": "downvote", "5": "like", BOUNTY_START: "like"}
#: StackExchange's names, for the log of what was not turned into events.
VOTE_TYPE_NAMES: Final = {
    "1": "AcceptedByOriginator", "2": "UpMod", "3": "DownMod", "4": "Offensive",
    "5": "Favorite", "6": "Close", "7": "Reopen", "8": "BountyStart", "9": "BountyClose",
    "10": "Deletion", "11": "Undeletion", "12": "Spam", "15": "ModeratorReview",
    "16": "ApproveEditSuggestion",
}
POST_TYPE_NAMES: Final = {
    "3": "OrphanedTagWiki", "4": "TagWikiExcerpt", "5": "TagWiki",
    "6": "ModeratorNomination", "7": "WikiPlaceholder", "8": "PrivilegeWiki",
}
COMMUNITY_USER_ID: Final = "-1"
COMMUNITY_ACCOUNT: Final = f"{SYSTEM_ACCOUNT_PREFIX}community"

log = logging.getLogger(__name__)
Row = dict[str, object]


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    files = find_dump_files(path)
    dump = _Dump(options.network or DEFAULT_NETWORK)
    yield from dump.stream(files["Posts.xml"], dump.on_post, dump.finish_posts)
    yield from dump.stream(files["Votes.xml"], dump.on_vote, dump.finish_votes)
    yield from dump.stream(files["Comments.xml"], dump.on_comment)
    yield from dump.stream(files["Users.xml"], dump.on_user)
    if dump.skipped:
        log.info("%s: records kept out of events: %s", path, dict(sorted(dump.skipped.items())))


def account(user_id: str | None, display_name: str | None, fallback: str) -> str:
    """The account of a user id, or the system account standing for a lost one."""
    uid = (user_id or "").strip()
    if uid:
        return COMMUNITY_ACCOUNT if uid == COMMUNITY_USER_ID else uid
    return f"{SYSTEM_ACCOUNT_PREFIX}deleted-{(display_name or '').strip() or fallback}"


def deleted_post_owner(post_id: str) -> str:
    return account(None, None, f"post-{post_id}")


@dataclass(frozen=True, slots=True)
class _Post:
    """What later records need to know about a post."""

    owner: str
    type_id: str
    parent: str | None
    created: datetime
    tags: tuple[str, ...]


class _Out(BatchBuffer):
    """Rows, rejections and account facts of one XML file, handed out in batches."""

    def reject(self, row: XmlRow, reason: str) -> None:
        self.rejections.append(Rejection.of(row.record, reason, row.raw(), self.file))


class _Dump:
    """The state that ties the files together: the post index and deferred records."""

    def __init__(self, network: str) -> None:
        self.network = network
        self.posts: dict[str, _Post] = {}
        self.pending_answers: list[Row] = []
        self.accepted: list[tuple[str, str, int]] = []  # (question, answer, record)
        self.accept_votes: dict[str, tuple[datetime, XmlRow]] = {}  # answer id → vote
        self.bounty_starts: dict[str, list[tuple[datetime, str]]] = {}  # question → starters
        self.bounty_closes: list[tuple[datetime, XmlRow]] = []
        self.skipped: Counter[str] = Counter()

    def stream(self, file: Path, handle: Callable[[XmlRow, _Out], None],
               finish: Callable[[_Out], None] | None = None) -> Iterator[Batch]:
        out = _Out(self.network, str(file))
        for row in iter_rows(file):
            handle(row, out)
            if out.size() >= BATCH_ROWS:
                yield out.take()
        if finish is not None:
            finish(out)
        if out.size():
            yield out.take()

    def event(self, event_id: str, ts: datetime, actor: str, kind: str, record: int, *,
              subject: str | None = None, post_id: str | None = None,
              parent_id: str | None = None, text: str | None = None,
              tags: list[str] | None = None) -> Row:
        """One event row; reacting to oneself is no reaction, so the subject goes."""
        return {
            "network": self.network, "event_id": event_id, "ts": ts, "actor": actor,
            "kind": kind, "subject": None if subject == actor else subject,
            "post_id": post_id, "parent_id": parent_id, "text": text, "tags": tags,
            "lang": None, "topic": None, "url": None, "record": record,
        }

    # -- Posts.xml ---------------------------------------------------------------

    def on_post(self, row: XmlRow, out: _Out) -> None:
        attrs = row.attrs
        created, reason = _dated(row, "Id", "PostTypeId", "CreationDate")
        type_id = attrs.get("PostTypeId", "").strip()
        if reason is None and type_id == ANSWER and not attrs.get("ParentId", "").strip():
            reason = "answer (PostTypeId 2) without ParentId"
        if reason is not None or created is None:
            out.reject(row, reason or "")
            return
        post_id = attrs["Id"].strip()
        parent = attrs.get("ParentId", "").strip() or None
        owner = account(attrs.get("OwnerUserId"), attrs.get("OwnerDisplayName"), f"post-{post_id}")
        tags = tuple(sys.intern(tag) for tag in parse_tags(attrs.get("Tags")))
        # Interned: owners, types and tags repeat across posts, and the index is
        # what bounds memory on a big site.
        self.posts[post_id] = _Post(sys.intern(owner), sys.intern(type_id), parent, created, tags)
        if type_id == QUESTION:
            if accepted := attrs.get("AcceptedAnswerId", "").strip():
                self.accepted.append((post_id, accepted, row.record))
            title = attrs.get("Title", "").strip()
            text = "\n\n".join(t for t in (title, html_to_text(attrs.get("Body"))) if t)
            out.rows.append(self.event(f"post-{post_id}", created, owner, "post", row.record,
                                       post_id=post_id, text=text, tags=list(tags)))
        elif type_id == ANSWER:
            answer = self.event(f"post-{post_id}", created, owner, "answer", row.record,
                                post_id=post_id, parent_id=parent,
                                text=html_to_text(attrs.get("Body")))
            if parent in self.posts:
                out.rows.append(self._answering(answer))
            else:  # the question comes later in the file (unusual): resolve at the end
                self.pending_answers.append(answer)
        else:
            self.skipped[f"post type {type_id} ({POST_TYPE_NAMES.get(type_id, '?')})"] += 1

    def _answering(self, answer: Row) -> Row:
        """Give an answer its question's owner as subject and the question's tags."""
        question = self.posts.get(str(answer["parent_id"]))
        subject = question.owner if question else deleted_post_owner(str(answer["parent_id"]))
        answer["subject"] = None if subject == answer["actor"] else subject
        answer["tags"] = list(question.tags) if question else []
        return answer

    def finish_posts(self, out: _Out) -> None:
        out.rows.extend(self._answering(answer) for answer in self.pending_answers)
        self.pending_answers = []

    # -- Votes.xml ---------------------------------------------------------------

    def on_vote(self, row: XmlRow, out: _Out) -> None:
        date, reason = _dated(row, "Id", "PostId", "VoteTypeId", "CreationDate")
        vote_type = row.attrs.get("VoteTypeId", "").strip()
        if reason is None and not vote_type.isdigit():
            reason = f"VoteTypeId {vote_type!r} is not a number"
        if reason is not None or date is None:
            out.reject(row, reason or "")
            return
        post_id = row.attrs["PostId"].strip()
        if vote_type == ACCEPT_VOTE:
            self.accept_votes[post_id] = (date, row)
        elif vote_type == BOUNTY_CLOSE:
            self.bounty_closes.append((date, row))
        elif vote_type in VOTE_KINDS:
            actor = _voter(row)
            if vote_type == BOUNTY_START:
                self.bounty_starts.setdefault(post_id, []).append((date, actor))
            out.rows.append(self._vote(row, date, actor, VOTE_KINDS[vote_type]))
        else:
            self.skipped[f"vote type {vote_type} ({VOTE_TYPE_NAMES.get(vote_type, '?')})"] += 1

    def _vote(self, row: XmlRow, date: datetime, actor: str, kind: str) -> Row:
        """A reaction to the voted post's owner, no earlier than the post itself."""
        post_id = row.attrs["PostId"].strip()
        post = self.posts.get(post_id)
        subject = post.owner if post else deleted_post_owner(post_id)
        ts = max(date, post.created) if post else date
        return self.event(f"vote-{row.attrs['Id'].strip()}", ts, actor, kind, row.record,
                          subject=subject, parent_id=post_id)

    def finish_votes(self, out: _Out) -> None:
        for question_id, answer_id, record in self.accepted:
            out.rows.append(self._accept(question_id, answer_id, record))
        # An accept vote no question points to any more: its answer was deleted.
        out.rows.extend(self._vote(row, date, _voter(row), "accept")
                        for date, row in self.accept_votes.values())
        self.accept_votes = {}
        for date, row in self.bounty_closes:
            self._bounty_award(date, row, out)

    def _accept(self, question_id: str, answer_id: str, record: int) -> Row:
        question, answer = self.posts[question_id], self.posts.get(answer_id)
        vote = self.accept_votes.pop(answer_id, None)
        times = [t for t in (vote[0] if vote else None, answer.created if answer else None) if t]
        ts = max(times) if times else question.created
        subject = answer.owner if answer else deleted_post_owner(answer_id)
        return self.event(f"accept-{answer_id}", ts, question.owner, "accept", record,
                          subject=subject, parent_id=answer_id)

    def _bounty_award(self, date: datetime, row: XmlRow, out: _Out) -> None:
        """BountyClose on an answer: the bounty's starter picked it."""
        answer = self.posts.get(row.attrs["PostId"].strip())
        if answer is None or answer.type_id != ANSWER:
            self.skipped["vote type 9 (BountyClose) not on an answer: no award"] += 1
            return
        starts = self.bounty_starts.get(answer.parent or "", [])
        earlier = [actor for started, actor in starts if started <= date]
        actor = (earlier or [_voter(row)])[-1]
        out.rows.append(self._vote(row, date, actor, "accept"))

    # -- Comments.xml, Users.xml -------------------------------------------------

    def on_comment(self, row: XmlRow, out: _Out) -> None:
        created, reason = _dated(row, "Id", "PostId", "CreationDate")
        if reason is not None or created is None:
            out.reject(row, reason or "")
            return
        attrs = row.attrs
        comment_id, post_id = attrs["Id"].strip(), attrs["PostId"].strip()
        actor = account(attrs.get("UserId"), attrs.get("UserDisplayName"), f"comment-{comment_id}")
        post = self.posts.get(post_id)
        subject = post.owner if post else deleted_post_owner(post_id)
        out.rows.append(self.event(f"comment-{comment_id}", created, actor, "comment",
                                   row.record, subject=subject, post_id=f"c{comment_id}",
                                   parent_id=post_id, text=attrs.get("Text")))

    def on_user(self, row: XmlRow, out: _Out) -> None:
        if (reason := row.missing("Id")) is not None:
            out.reject(row, reason)
            return
        name = row.attrs.get("DisplayName", "").strip() or None
        user = account(row.attrs["Id"], None, "")
        out.accounts[user] = {"network": self.network, "account": user,
                              "display_name": name, "followers": None}


def _dated(row: XmlRow, *required: str) -> tuple[datetime | None, str | None]:
    """The row's CreationDate, or the reason the row cannot be used."""
    if (reason := row.missing(*required)) is not None:
        return None, reason
    text = row.attrs.get("CreationDate", "")
    created = parse_timestamp(text)
    return (created, None) if created else (None, f"unparseable CreationDate {text!r}")


def _voter(row: XmlRow) -> str:
    """The voter when the dump names one, else a system account for this one vote."""
    user = row.attrs.get("UserId", "").strip()
    if user:
        return account(user, None, "")
    return f"{SYSTEM_ACCOUNT_PREFIX}anon-vote-{row.attrs['Id'].strip()}"
