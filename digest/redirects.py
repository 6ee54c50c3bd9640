"""Redirect pages for old URLs (front matter ``aliases:`` / ``redirect_from:``).

Each is a tiny HTML page with a meta refresh and a canonical link to the article's
or page's URL, so old links keep working on a static host.  They are in no feed and
not in the sitemap; publish claims their paths like any page's, so an alias that
is another page's URL is refused.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from digest.config import SiteConfig
from digest.feeds import moved
from digest.model import Article, Entry, Page

TEMPLATE = """\
<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>Moved: {title}</title>
<link rel="canonical" href="{to}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={to}">
</head>
<body>
<p>This page has moved to <a href="{to}">{title}</a>.</p>
</body>
</html>
"""


def output_path(alias: str) -> str:
    """The file an alias is served from: 'old/post/' -> 'old/post/index.html'."""
    return alias + "index.html" if alias.endswith("/") else alias


def target_url(article: Article, site: SiteConfig) -> str:
    """Where a redirect points: absolute when base_url is, else from the site root."""
    if site.absolute:
        return site.absolute_url(article.url)
    return site.base_path + article.url


def redirect_page(alias: str, article: Article, site: SiteConfig) -> Page:
    text = TEMPLATE.format(
        lang=html.escape(article.language),
        title=html.escape(article.title),
        to=html.escape(target_url(article, site)),
    )
    return Page(output_path(alias), text.encode("utf-8"), f"{article.path} (alias /{alias})")


def redirect_pages(articles: Iterable[Article], site: SiteConfig) -> list[Page]:
    """A redirect page for every alias of every article and page."""
    return [redirect_page(a, art, site) for art in articles for a in art.aliases]


def redirect_pages_again(
    entries: Sequence[Entry],
    site: SiteConfig,
    last: tuple[tuple[Entry, ...], list[Page]] | None,
    few: int = 512,
) -> tuple[tuple[Entry, ...], list[Page]]:
    """The redirect pages of the entries' articles (with the entries they were made of):
    a session's last build's (``last``, made with the same settings) when the entries
    are its own but a few, none of which has or had an alias (an edit's)."""
    now = tuple(entries)
    if last is not None:
        places = moved(now, last[0], few)
        if places is not None and not any(
            now[i].article.aliases or last[0][i].article.aliases for i in places
        ):
            return now, last[1]
    return now, redirect_pages((e.article for e in now), site)
