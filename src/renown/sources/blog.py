"""What the two blog formats share: sites, the accounts of people with no login, sniffing.

Formats: ``wordpress`` (`renown.sources.wordpress`: WXR exports) and ``feed``
(`renown.sources.feed`: RSS and Atom).  Both file events under network
``blog`` (or ``--network``), where every blog in the world shares one account
space, so accounts are qualified by site:

- **site** = the blog's host and path, lower-cased host, no scheme and no
  trailing slash: ``example.org``, ``example.org/blog``.
- **a blog author** = ``<login>@<site>`` in an export (the WordPress login,
  ``dc:creator``), ``<name>@<site>`` in a feed (feeds give display names).
- **a commenter** (no login on the blog) is known by what the comment form
  asked for, in this order: the e-mail address, **hashed** (``mail:<first 20
  hex digits of SHA-256 of the lower-cased address>``; raw addresses are
  never stored), so the same person is one account on every blog and in
  every run; else their web site (``web:<host/path>``); else their name on
  this site (``<name>@<site>``).  An unsalted hash can be confirmed by
  someone who already knows the address (as with Gravatar's): it hides
  addresses, it does not make commenters anonymous.
- **a linking site** (pingback, trackback) = ``web:<host>``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from renown.sources.payloads import host_of

DEFAULT_NETWORK: Final = "blog"
MAIL_HASH_DIGITS: Final = 20


def site_of(url: str | None) -> str | None:
    """``host[/path]`` of a blog URL (see the module doc), or None if it is no http(s) URL."""
    host = host_of(url)
    if host is None or url is None:
        return None
    return host + urlsplit(url.strip()).path.rstrip("/")


def base_url(url: str | None) -> str | None:
    """The blog's URL without a trailing slash, query or fragment (for post ids)."""
    site = site_of(url)
    if site is None or url is None:
        return None
    return f"{urlsplit(url.strip()).scheme.lower()}://{site}"


def mail_account(email: str) -> str:
    """The account of someone known only by an e-mail address: its hash, never the address."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return f"mail:{digest[:MAIL_HASH_DIGITS]}"


def web_account(url: str | None, *, host_only: bool = False) -> str | None:
    """``web:<host/path>`` (or ``web:<host>``) of a person's or site's URL; www. dropped."""
    site = site_of(url)
    if site is None:
        return None
    site = site.removeprefix("www.")
    return f"web:{site.split('/', 1)[0] if host_only else site}"


def person_account(name: str | None, email: str | None, url: str | None,
                   site: str) -> str | None:
    """A commenter's (or feed author's) account, by the order in the module doc."""
    if email and "@" in email.strip():
        return mail_account(email)
    if (web := web_account(url)) is not None:
        return web
    if name and name.strip():
        return f"{' '.join(name.split())}@{site}"
    return None


def root_element(head: bytes) -> bytes | None:
    """The name of an XML document's root element, read past the prolog; None if none."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    while text.startswith(b"<!") or text.startswith(b"<?"):
        end_mark = b"-->" if text.startswith(b"<!--") else (b"?>" if text[1:2] == b"?" else b">")
        end = text.find(end_mark)
        if end < 0:
            return None
        text = text[end + len(end_mark):].lstrip()
    if not text.startswith(b"<"):
        return None
    name = text[1:].split(maxsplit=1)[0] if text[1:].strip() else b""
    return name.split(b">", 1)[0].split(b"/", 1)[0] or None


def is_wordpress_export(head: bytes) -> bool:
    return root_element(head) == b"rss" and b"wordpress.org/export/" in head


def sniff_wordpress(path: Path, head: bytes) -> bool:
    return path.is_file() and is_wordpress_export(head)


def sniff_feed(path: Path, head: bytes) -> bool:
    return (path.is_file() and root_element(head) in (b"rss", b"feed", b"rdf:RDF")
            and not is_wordpress_export(head))
