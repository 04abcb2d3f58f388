"""Format ``wordpress``: a WordPress WXR export (1.0–1.2, Tools → Export) → events.

A WXR file is RSS 2.0 with WordPress namespaces: the channel names the site
(``wp:base_blog_url``), its authors (``wp:author``: login, e-mail, display
name) and holds one ``<item>`` per post, page, attachment, menu item...,
each with its ``wp:comment``s.  Accounts as in `renown.sources.blog`.

- **published posts and pages** (``wp:status`` publish) → ``post`` by their
  author (``dc:creator``), id ``<blog url>/?p=<wp:post_id>`` (WordPress's own
  short link), time ``wp:post_date_gmt`` (else ``pubDate``), text = title
  and content as text (the title only for password-protected posts), tags =
  categories and post tags (lower-cased; WordPress's default "Uncategorized"
  is no topic), lang = the channel's ``language``.  Pages are included: they
  are published content and draw comments like posts.  Drafts, scheduled,
  pending, private and trashed items and other item types (attachments, menu
  items, blocks, custom types) are not public content: counted and logged,
  and so are their comments.
- **approved comments** (``wp:comment_approved`` 1) → ``comment`` on the
  post's author, or ``reply`` to the parent comment's author when
  ``wp:comment_parent`` names one (a parent missing from the export gives the
  system subject ``~deleted-comment-<site>-<id>``).  Id ``<post id>#comment-<id>``.
  The commenter is a blog author when the comment's user id or e-mail is an
  author's, else the person account of `renown.sources.blog`.
- **pingbacks and trackbacks** (approved) → ``mention`` of the post's author
  by the linking site (``web:<host>`` of ``comment_author_url``); a blog
  pinging itself (internal links) is no reaction: counted, not stored.
- **unapproved, spam and trashed comments** are not outcomes anybody saw:
  never stored, counted and logged.

Real quirks handled: both ``http://`` and ``https://wordpress.org/export/1.x/``
namespaces; ``dc:creator`` with a stray ``<``/``>`` (the Theme Unit Test data
has ``themereviewteam>``) is matched to the author login it names; drafts'
``0000-00-00`` dates; characters XML forbids (control characters that
WordPress lets into content) are removed before parsing.  The file is
streamed (iterparse) with each item freed once read.  Record numbers are the
1-based positions of ``<item>``s.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from renown.sources.base import Batch, SourceError, SourceOptions
from renown.sources.blog import (
    DEFAULT_NETWORK,
    base_url,
    person_account,
    site_of,
    web_account,
)
from renown.sources.blog import sniff_wordpress as sniff  # noqa: F401  (Source.sniff)
from renown.sources.payloads import RowBuffer, html_to_text, parse_instant
from renown.sources.wordpress_xml import Element, Item, iter_channel

DESCRIPTION: Final = "WordPress WXR export (posts, pages, threaded comments, pingbacks)"
EXPECTS_FOLDER: Final = False
BATCH_ROWS: Final = 50_000
PUBLIC_TYPES: Final = frozenset({"post", "page"})
PING_TYPES: Final = frozenset({"pingback", "trackback", "webmention"})
DEFAULT_CATEGORY: Final = "uncategorized"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Post:
    post_id: str
    actor: str
    link: str | None


class _Export:
    """Channel facts (site, authors) and the mapping of items."""

    def __init__(self, network: str) -> None:
        self.network = network
        self.site = ""
        self.base = ""
        self.lang: str | None = None
        self.logins: dict[str, str] = {}      # login → account
        self.by_email: dict[str, str] = {}    # author e-mail (lower) → account
        self.by_user_id: dict[str, str] = {}  # wp:author_id → account
        self.skipped: Counter[str] = Counter()

    def channel(self, fields: dict[str, str], authors: list[dict[str, str]],
                out: RowBuffer, path: Path) -> None:
        blog_url = fields.get("wp:base_blog_url") or fields.get("link")
        site, base = site_of(blog_url), base_url(blog_url)
        if site is None or base is None:
            raise SourceError(path, "the export names no blog URL (wp:base_blog_url or "
                              "channel link)")
        self.site, self.base = site, base
        self.lang = fields.get("language") or None
        for author in authors:
            login = author.get("wp:author_login", "").strip()
            if not login:
                continue
            account = self.logins[login] = f"{login}@{site}"
            if email := author.get("wp:author_email", "").strip().lower():
                self.by_email[email] = account
            if user_id := author.get("wp:author_id", "").strip():
                self.by_user_id[user_id] = account
            out.account(account, author.get("wp:author_display_name", "").strip(), None)

    def author(self, creator: str) -> str | None:
        """The account of ``dc:creator``, forgiving stray brackets (module doc)."""
        name = creator.strip()
        if name in self.logins:
            return self.logins[name]
        cleaned = name.strip("<> \t\r\n")
        if cleaned in self.logins:
            return self.logins[cleaned]
        return f"{cleaned}@{self.site}" if cleaned else None

    def item(self, item: Item, out: RowBuffer) -> None:
        kind = item.text("wp:post_type") or "post"
        status = item.text("wp:status") or "publish"
        if kind not in PUBLIC_TYPES or status != "publish":
            what = f"{kind} with status {status}" if kind in PUBLIC_TYPES else f"item type {kind}"
            self.skipped[f"{what}: not public content"] += 1
            if comments := len(item.comments):
                self.skipped[f"comments on a {what}"] += comments
            return
        wp_id, creator = item.text("wp:post_id"), item.text("dc:creator")
        ts = parse_instant(item.text("wp:post_date_gmt")) or parse_instant(item.text("pubDate"))
        actor = self.author(creator)
        if not wp_id or ts is None or actor is None:
            out.reject(item.record, "item without wp:post_id, dc:creator or a readable date "
                       "(wp:post_date_gmt, pubDate)", item.raw())
            return
        post = _Post(f"{self.base}/?p={wp_id}", actor, item.text("link") or None)
        out.event(post.post_id, ts, actor, "post", item.record, post_id=post.post_id,
                  text=_post_text(item), tags=_tags(item), lang=self.lang, url=post.link)
        self.comments(item, post, out)

    def comments(self, item: Item, post: _Post, out: RowBuffer) -> None:
        by_id = {c.text("wp:comment_id"): c for c in item.comments}
        for comment in item.comments:
            approved = comment.text("wp:comment_approved") or "0"
            if approved != "1":
                label = {"0": "unapproved", "spam": "spam"}.get(approved, approved)
                self.skipped[f"{label} comment: not stored"] += 1
                continue
            self.comment(comment, by_id, item, post, out)

    def comment(self, comment: Element, by_id: dict[str, Element], item: Item, post: _Post,
                out: RowBuffer) -> None:
        comment_id = comment.text("wp:comment_id")
        ts = parse_instant(comment.text("wp:comment_date_gmt"))
        actor = self.commenter(comment)
        if not comment_id or ts is None:
            out.reject(item.record, f"comment {comment_id or '(no id)'} without wp:comment_id "
                       "or a readable wp:comment_date_gmt", comment.raw())
            return
        event_id = f"{post.post_id}#comment-{comment_id}"
        url = f"{post.link}#comment-{comment_id}" if post.link else None
        kind_of = comment.text("wp:comment_type").lower()
        if kind_of in PING_TYPES:
            if actor is None or actor == web_account(self.base, host_only=True):
                self.skipped["pingback without a linking site, or from the blog itself"] += 1
                return
            out.event(event_id, ts, actor, "mention", item.record, subject=post.actor,
                      post_id=event_id, parent_id=post.post_id, url=url)
            return
        if actor is None:
            actor = f"~anonymous-{self.site}-comment-{comment_id}"
        kind, subject, parent_id = "comment", post.actor, post.post_id
        parent = comment.text("wp:comment_parent")
        if parent and parent != "0":
            kind, parent_id = "reply", f"{post.post_id}#comment-{parent}"
            parent_comment = by_id.get(parent)
            subject = ((self.commenter(parent_comment) if parent_comment is not None else None)
                       or f"~deleted-comment-{self.site}-{parent}")
        out.event(event_id, ts, actor, kind, item.record, subject=subject, post_id=event_id,
                  parent_id=parent_id, text=html_to_text(comment.text("wp:comment_content")),
                  url=url)
        if not actor.startswith("~") and actor not in self.logins.values():
            out.account(actor, " ".join(comment.text("wp:comment_author").split()), None)

    def commenter(self, comment: Element) -> str | None:
        """Who wrote a comment (module doc); None when the comment says nothing."""
        url = comment.text("wp:comment_author_url")
        if comment.text("wp:comment_type").lower() in PING_TYPES:
            return web_account(url, host_only=True)
        user_id = comment.text("wp:comment_user_id")
        if user_id in self.by_user_id:
            return self.by_user_id[user_id]
        email = comment.text("wp:comment_author_email").lower()
        if email in self.by_email:
            return self.by_email[email]
        return person_account(comment.text("wp:comment_author"), email, url, self.site)


def _post_text(item: Item) -> str | None:
    title = " ".join(item.text("title").split())
    body = "" if item.text("wp:post_password") else html_to_text(item.text("content:encoded"))
    return "\n\n".join(part for part in (title, body) if part) or None


def _tags(item: Item) -> list[str]:
    tags = (" ".join(text.split()).lower() for domain, nicename, text in item.categories
            if domain in ("category", "post_tag") and nicename != DEFAULT_CATEGORY)
    return list(dict.fromkeys(tag for tag in tags if tag and tag != DEFAULT_CATEGORY))


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    export = _Export(options.network or DEFAULT_NETWORK)
    out = RowBuffer(export.network, None)
    for part in iter_channel(path):
        if isinstance(part, Item):
            export.item(part, out)
        else:
            export.channel(part.fields, part.authors, out, path)
        if out.size() >= BATCH_ROWS:
            yield out.take()
    yield out.take()
    if export.skipped:
        log.info("%s: records kept out of events: %s", path,
                 dict(sorted(export.skipped.items())))
