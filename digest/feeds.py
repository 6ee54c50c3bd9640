"""The ``feeds`` stage: the site as data (articles.json) and as feeds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from digest.config import SiteConfig
from digest.model import Entry, Page

ARTICLES_JSON_VERSION = 1


def entry_record(e: Entry, site: SiteConfig) -> dict[str, Any]:
    """One article as the stable articles.json object."""
    a = e.article
    return {
        "slug": a.slug,
        "url": site.base_path + a.url,
        "title": a.title,
        "date": a.date.isoformat(),
        "updated": a.updated.isoformat() if a.updated else None,
        "author": a.author,
        "section": a.section or None,
        "tags": list(a.tags),
        "source": a.source,
        "source_url": a.source_url,
        "description": a.description,
        "credit": a.credit,
        "image": a.image,
        "summary": list(e.summary.sentences),
        "summary_method": e.summary.method,
        "related": [
            {"slug": r.slug, "title": r.title, "url": site.base_path + r.url, "score": r.score}
            for r in e.related
        ],
    }


def articles_json(entries: Sequence[Entry], site: SiteConfig) -> Page:
    """public/articles.json: the digest as data, newest first."""
    data = {
        "version": ARTICLES_JSON_VERSION,
        "title": site.title,
        "base_url": site.base_url,
        "articles": [entry_record(e, site) for e in entries],
    }
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return Page("articles.json", (text + "\n").encode("utf-8"), "articles.json")


def discovery_links(site: SiteConfig) -> list[dict[str, str]]:
    """Feeds to announce with <link rel="alternate"> on every page."""
    return []


def feed_pages(entries: Sequence[Entry], site: SiteConfig) -> list[Page]:
    """Every data/feed file of the site."""
    return [articles_json(entries, site)]
