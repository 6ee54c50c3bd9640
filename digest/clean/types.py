"""The result type of the ``clean`` stage."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Cleaned"]


@dataclass(frozen=True)
class Cleaned:
    """What a cleaner made of one scraped article.

    ``paragraphs`` holds real body paragraphs only, each the verbatim (stripped) text of one
    kept line (plain text) or one extracted block (HTML).  ``report`` says, line by line, what
    was recognised or dropped and why (shown by ``digest build -v``).
    """

    title: str | None
    description: str | None  # standfirst / og:description
    paragraphs: tuple[str, ...]  # real body paragraphs only
    sections: tuple[str, ...] = ()  # from the breadcrumb, in order
    credit: str | None = None  # "With reporting from AFP" (the whole line)
    byline: str | None = None  # author name if found ("Jane Doe")
    date: str | None = None  # ISO 8601: "2018-10-13" or "2018-10-13T10:02:00+00:00"
    source: str | None = None  # publisher, e.g. og:site_name or a dateline's agency
    source_url: str | None = None  # canonical URL (html only), http(s) only
    image: str | None = None  # http(s) only
    tags: tuple[str, ...] = ()  # e.g. article:tag / keywords (html)
    report: tuple[str, ...] = ()  # human-readable lines: "line 37: dropped (navigation): ..."
    dateline: str | None = None  # "KABUL (AFP) —" when the body opens with one (kept in body)
    # The whole body with its structure (paragraphs, subheadings, lists, quotes, tables,
    # line breaks) as HTML built from escaped text; None: the paragraphs are the body.
    body_html: str | None = None
