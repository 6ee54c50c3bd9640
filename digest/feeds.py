"""The ``feeds`` stage: the site as data and as feeds, plus the files hosts look for.

* ``articles.json`` - the digest as data (stable format, see :func:`entry_record`);
* ``feed.xml`` (Atom 1.0), ``rss.xml`` (RSS 2.0), ``feed.json`` (JSON Feed 1.1)
  for the whole site and for each section (``<section>/feed.xml`` ...), newest
  first, each item carrying the article's summary;
* ``sitemap.xml`` and ``robots.txt`` pointing at it;
* ``.nojekyll`` (GitHub Pages: publish the files as they are) and ``CNAME``
  when ``cname:`` is set.

Output is deterministic: a feed's ``updated`` is its newest article's date
(``SOURCE_DATE_EPOCH``, else the epoch, when it has none), never the clock.
XML is written with ElementTree, so every value is escaped.  RSS has no
way to say a ``<description>`` is plain text and readers render it as HTML, so
there it is escaped as HTML text first (:func:`_html_text`): ``<script>`` in a
summary shows as text, never runs.  Atom says ``type="text"``; JSON Feed uses
``content_text``.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from itertools import compress, count, islice
from operator import is_not
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from digest import __version__, cache, publish
from digest.config import SiteConfig
from digest.model import Entry, LinkScores, Page, held_page, page_digest
from digest.slugs import tag_slug

ARTICLES_JSON_VERSION = 1
FEED_ITEMS = 20  # items per feed, newest first

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

# (file name, MIME type, label): every feed is written under these names,
# at the site root and in every section folder.
FEED_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("feed.xml", "application/atom+xml", "Atom"),
    ("rss.xml", "application/rss+xml", "RSS"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)


class _Related(msgspec.Struct):
    """A related link of an articles.json record (fields in the order written)."""

    slug: str
    title: str
    url: str
    score: float


class _Record(msgspec.Struct):
    """One article as the stable articles.json object, fields in this order (a struct:
    msgspec writes it 2-3 times faster than a dict; a test holds its bytes)."""

    slug: str
    url: str
    title: str
    date: str
    updated: str | None
    author: str | None
    section: str | None
    tags: tuple[str, ...]
    source: str | None
    source_url: str | None
    description: str | None
    credit: str | None
    image: str | None
    summary: tuple[str, ...]
    summary_method: str
    story: str | None
    related: list[_Related]


_NO_SCORES: tuple[float, ...] = ()


def _record(e: Entry, base: str, scores: tuple[float, ...]) -> _Record:
    """The articles.json record of ``e`` (``base``: the site's base path; ``scores``: its
    related links' scores, in their order)."""
    a = e.article
    return _Record(
        a.slug,
        base + a.url,
        a.title,
        a.date.isoformat(),
        a.updated.isoformat() if a.updated else None,
        a.author,
        a.section or None,
        a.tags,
        a.source,
        a.source_url,
        a.description,
        a.credit,
        a.image,
        e.summary.sentences,
        e.summary.method,
        e.story,
        [
            _Related(r.slug, r.title, base + r.url, s)
            for r, s in zip(e.related, scores, strict=True)
        ],
    )


def entry_record(e: Entry, site: SiteConfig, scores: tuple[float, ...] = ()) -> dict[str, Any]:
    """One article as the stable articles.json object (``scores``: its related links')."""
    out: dict[str, Any] = msgspec.to_builtins(_record(e, site.base_path, scores))
    return out


def articles_json(
    entries: Sequence[Entry],
    site: SiteConfig,
    kept: dict[str, _Line] | None = None,
    keep: dict[str, _Line] | None = None,
    others: dict[str, Entry] | None = None,
    store: cache.Cache | None = None,
    live: Path | publish.Published | None = None,
    order: Sequence[bytes] | None = None,
    at: Mapping[str, int] | None = None,
    keep_order: list[list[bytes]] | None = None,
    *,
    scores: LinkScores,
) -> Page:
    """public/articles.json: the digest as data, newest first.  ``scores``: each entry's
    related links' scores, by slug (required: an entry with links and no scores is an
    error, never a record without them).  ``kept``: each entry's line as a session's last
    build wrote it (by slug, with the entry and its scores: the same objects, the same
    line); ``keep`` gets this build's.  ``others``: when the entries are those of
    ``kept`` in the same order, the ones whose line may differ (other objects, or other
    scores; see _others); ``order``: then the last build's lines in order, and ``at``
    the place of each of ``others`` there (those lines replaced, the others not looked
    at); ``keep_order`` gets this build's lines in order.
    ``store``, ``live`` (a new process's build: the cache and the output folder): the
    lines of the published file whose records show the same are taken from it (see
    _lines_again; ``live`` may be a publish.Published of it)."""
    head = {"version": ARTICLES_JSON_VERSION, "title": site.title, "base_url": site.base_url}
    # One article a line: readable and diffable, and written by msgspec's encoder
    # (json.dumps with indent goes through the pure-Python encoder: 10x slower at 10k).
    enc = msgspec.json.Encoder()
    base = site.base_path
    got = scores.get
    if others is not None and kept is not None and keep is not None:
        # (the same articles in the same order: the last build's lines, those of the
        # entries that are other objects made again; see feed_pages)
        keep.update(kept)
        lines = list(order) if order is not None and at is not None else []
        for slug, e in others.items():
            sc = got(slug, _NO_SCORES)
            keep[slug] = (e, sc, line := enc.encode(_record(e, base, sc)))
            if lines:
                assert at is not None
                lines[at[slug]] = line
        if not lines:
            lines = [line for _e, _sc, line in keep.values()]
    elif kept is None and keep is None and store is not None and live is not None:
        head_bytes = enc.encode(head)[:-1]
        return _articles_again(entries, base, head_bytes, store, _published_of(live), scores)
    elif kept is None and keep is None:
        lines = [enc.encode(_record(e, base, got(e.article.slug, _NO_SCORES))) for e in entries]
    else:
        lines = []
        for e in entries:
            slug = e.article.slug
            sc = got(slug, _NO_SCORES)
            last = kept.get(slug) if kept is not None else None
            if last is not None and last[0] is e and last[1] is sc:
                line = last[2]
            else:
                line = enc.encode(_record(e, base, sc))
            lines.append(line)
            if keep is not None:
                keep[slug] = (e, sc, line)
    if keep_order is not None:
        keep_order.append(lines)
    return Page("articles.json", _joined(enc.encode(head)[:-1], lines), "articles.json")


# an entry's articles.json line as a session's build made it, with what it was made of:
# the entry and its links' scores (see articles_json)
_Line = tuple[Entry, tuple[float, ...], bytes]


def _joined(head: bytes, lines: list[bytes]) -> bytes:
    """articles.json from its head (its JSON object without the closing brace) and one
    line per article.  (Joined once: 12.5 MB at 10,000 articles, each copy of it 3 ms.)
    JSON escapes every newline inside a string, so the newlines written here are the
    only ones: the lines are found again by them (see _published_lines)."""
    start = head + b',"articles":['
    if not lines:
        return start + b"]}\n"
    lines = list(lines)
    lines[0] = start + b"\n" + lines[0]
    lines[-1] = lines[-1] + b"\n]}\n"
    return b",\n".join(lines)


# What a new process's build made each line of articles.json of (see _shows), in the
# order written, with the sha256 of the file made
_LINES_NS, _LINES_KEY = "articles-shown", "articles"
_Shows = tuple[str, str, str, tuple[float, ...]]


def _shows(e: Entry, base: str, scores: tuple[float, ...]) -> _Shows:
    """What decides an entry's articles.json line but its entry key: its slug and URL (a
    slug clash renames an article without a change to its source), and its related links'
    scores (they move a little with each edit of the site; the links' targets are in the
    key, as are the article and its summary, see render.entry_key).  An entry without a
    key (``e.key`` "") is never taken as the same."""
    return (e.key, e.article.slug, base + e.article.url, scores)


def _articles_again(
    entries: Sequence[Entry],
    base: str,
    head: bytes,
    store: cache.Cache,
    live: publish.Published,
    scores: LinkScores,
) -> Page:
    """articles_json of a new process's build: each entry's line taken from the published
    file when the build that wrote it made that line of what this entry shows (after an
    edit nearly all: a dozen of 10,000 lines differ), the others encoded."""
    got_scores = scores.get
    shows = [_shows(e, base, got_scores(e.article.slug, _NO_SCORES)) for e in entries]
    stored = store.get(_LINES_NS, _LINES_KEY, tuple[str, list[_Shows]])
    last = _published_lines(stored, live)
    enc = msgspec.json.Encoder()
    lines = []
    for e, now in zip(entries, shows, strict=True):
        got = last.get(now[1]) if now[0] else None
        if got is not None and got[0] == now:
            lines.append(got[1])
        else:
            lines.append(enc.encode(_record(e, base, now[3])))
    data = _joined(head, lines)
    digest = page_digest(data)  # (given to publish: hashed once)
    if stored is None or stored[0] != digest or stored[1] != shows:  # (else stored already)
        store.put(_LINES_NS, _LINES_KEY, (digest, shows))
    return Page("articles.json", data, "articles.json", digest)


def _published_lines(
    got: tuple[str, list[_Shows]] | None, live: publish.Published
) -> dict[str, tuple[_Shows, bytes]]:
    """slug -> (what its line was made of, the line) of the published articles.json, when
    the file holds exactly what the last new process's build wrote (``got``: the digest of
    that file and what made each line, as stored then); else {}.  (Found by its newline,
    a byte memchr finds: splitting at ",\\n" was 3 times as long.)"""
    if got is None:
        return {}
    digest, shows = got
    data = _published(live, "articles.json", digest) if shows else None
    if data is None:
        return {}
    find = data.index
    lines = []
    try:
        start = find(b"\n") + 1  # (after the file's head)
        for _ in range(len(shows) - 1):
            end = find(b"\n", start)  # (each line but the last ends with ",")
            lines.append(data[start : end - 1])
            start = end + 1
    except ValueError:  # pragma: no cover - the file is the one made of them
        return {}
    lines.append(data[start : len(data) - len(b"\n]}\n")])
    return {now[1]: (now, line) for now, line in zip(shows, lines, strict=True)}


def _published_of(live: Path | publish.Published) -> publish.Published:
    """The live output folder's files as published (``live`` itself when it is that)."""
    return live if isinstance(live, publish.Published) else publish.Published(live)


def _published(live: publish.Published, rel: str, digest: str) -> bytes | None:
    """The published file ``rel`` when it holds the bytes whose sha256 is ``digest``,
    else None: taken on publish's word when its stamp vouches for it (see
    publish.Published), else read and hashed.  (For the big files, articles.json and
    sitemap.xml: a feed's sha256 costs less than finding its stamp, see _Again.read.)"""
    got = live.read(rel)
    if got is not None:
        return got[0] if got[1] == digest else None
    return held_page(live.output / rel, digest)


# ---------------------------------------------------------------- discovery


def discovery_links(site: SiteConfig, folder: str = "", name: str | None = None) -> list[dict]:
    """Feeds to announce with <link rel="alternate">: the site's, or a section's.

    Each link has ``type``, ``title``, ``path`` (site-relative), and ``file`` and
    ``format`` so a template can announce the same feeds for a section folder
    (``feed_base ~ feed.file``).
    """
    label = f"{site.title} · {name}" if name else site.title
    return [
        {
            "type": mime,
            "title": f"{label} ({fmt})",
            "path": folder + file,
            "file": file,
            "format": fmt,
        }
        for file, mime, fmt in FEED_FORMATS
    ]


# ---------------------------------------------------------------- helpers


def _newest(entries: Sequence[Entry], n: int) -> list[Entry]:
    """The ``n`` newest entries, newest first (stable for equal dates): heapq.nlargest,
    the same list as sorting them all and cutting, without the sort."""
    return heapq.nlargest(n, entries, key=_dated)


def _dated(e: Entry) -> datetime:
    return e.article.date


def _changed(e: Entry) -> datetime:
    a = e.article
    return max(a.date, a.updated) if a.updated else a.date


def feed_updated(entries: Sequence[Entry]) -> datetime:
    """The newest article date; SOURCE_DATE_EPOCH (else the epoch) without articles."""
    if entries:
        newest = max(e.article.date for e in entries)
        updated = [a.updated for a in (e.article for e in entries) if a.updated]
        return max(newest, max(updated)) if updated else newest  # (the newest _changed)
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        epoch = 0
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def _utc(d: datetime) -> datetime:
    return d.astimezone(timezone.utc) if d.tzinfo else d.replace(tzinfo=timezone.utc)


def xml_escape(text: str) -> str:
    """xml.sax.saxutils.escape(text) (&, < and >), made here: importing xml.sax took
    20 ms of every build's start."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _rfc3339(d: datetime) -> str:
    """``d`` in UTC as strftime("%Y-%m-%dT%H:%M:%SZ") writes it, by an f-string (strftime
    took ~5 us a date: a fifth of the feeds' time, a sitemap's <url> each)."""
    u = d.astimezone(timezone.utc) if d.tzinfo else d  # (a naive date is taken as UTC)
    if u.year < 1000:  # (strftime's %Y of a year before 1000 depends on the platform)
        return u.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{u.year}-{u.month:02}-{u.day:02}T{u.hour:02}:{u.minute:02}:{u.second:02}Z"


def summary_text(e: Entry) -> str:
    return " ".join(e.summary.sentences) or e.article.description or ""


def _image_url(site: SiteConfig, image: str | None) -> str | None:
    if not image:
        return None
    return image if urlsplit(image).scheme else site.absolute_url(image)


def _html_text(text: str) -> str:
    """Plain text as the HTML that shows it: for RSS ``<description>``, which
    readers decode once for XML and then render as HTML."""
    return html.escape(text, quote=False)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


# ---------------------------------------------------------------- feeds


class _Feed:
    """One feed's data: title, folder and newest entries."""

    def __init__(
        self,
        site: SiteConfig,
        entries: Sequence[Entry],
        folder: str = "",
        name: str | None = None,
        newest: tuple[str, datetime, Sequence[Entry]] | None = None,
    ) -> None:
        """``newest``: (title, updated, newest entries) when known (see feed_pages)."""
        self.site = site
        self.folder = folder  # "" or "world/"
        if newest is not None:
            self.title, self.updated, self.entries = newest[0], newest[1], list(newest[2])
        else:
            self.title = f"{site.title} · {name}" if name else site.title
            self.entries = _newest(entries, FEED_ITEMS)
            self.updated = feed_updated(entries)
        self.description = site.description or self.title
        self.home = site.absolute_url(folder)

    def url(self, file: str) -> str:
        return self.site.absolute_url(self.folder + file)


def atom(feed: _Feed) -> bytes:
    site = feed.site
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": site.language})
    _sub(root, "id", feed.url("feed.xml"))
    _sub(root, "title", feed.title)
    if site.description:
        _sub(root, "subtitle", site.description)
    _sub(root, "updated", _rfc3339(feed.updated))
    _sub(root, "link", rel="self", type="application/atom+xml", href=feed.url("feed.xml"))
    _sub(root, "link", rel="alternate", type="text/html", href=feed.home)
    author = _sub(root, "author")
    _sub(author, "name", site.title)
    _sub(root, "generator", "digest", version=__version__)
    for e in feed.entries:
        a = e.article
        url = site.absolute_url(a.url)
        item = _sub(root, "entry")
        _sub(item, "id", url)
        _sub(item, "title", a.title)
        _sub(item, "link", rel="alternate", type="text/html", href=url)
        _sub(item, "published", _rfc3339(a.date))
        _sub(item, "updated", _rfc3339(_changed(e)))
        if a.author:
            _sub(_sub(item, "author"), "name", a.author)
        if a.section:
            _sub(item, "category", term=a.section_slug, label=a.section)
        for t in a.tags:
            _sub(item, "category", term=tag_slug(t), label=t)
        text = summary_text(e)
        if text:
            _sub(item, "summary", text, type="text")
        if a.source_url:
            _sub(item, "link", rel="via", href=a.source_url)
    return _xml(root)


def rss(feed: _Feed) -> bytes:
    site = feed.site
    root = ET.Element(
        "rss",
        {
            "version": "2.0",
            "xmlns:atom": ATOM_NS,
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        },
    )
    channel = _sub(root, "channel")
    _sub(channel, "title", feed.title)
    _sub(channel, "link", feed.home)
    _sub(channel, "description", _html_text(feed.description))
    _sub(channel, "language", site.language)
    _sub(channel, "lastBuildDate", format_datetime(_utc(feed.updated)))
    _sub(channel, "generator", f"digest {__version__}")
    _sub(channel, "atom:link", rel="self", type="application/rss+xml", href=feed.url("rss.xml"))
    for e in feed.entries:
        a = e.article
        url = site.absolute_url(a.url)
        item = _sub(channel, "item")
        _sub(item, "title", a.title)
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true" if site.absolute else "false")
        _sub(item, "pubDate", format_datetime(_utc(a.date)))
        if a.author:
            _sub(item, "dc:creator", a.author)
        if a.section:
            _sub(item, "category", a.section)
        for t in a.tags:
            _sub(item, "category", t)
        text = summary_text(e)
        if text:
            _sub(item, "description", _html_text(text))
    return _xml(root)


def json_feed(feed: _Feed) -> bytes:
    site = feed.site
    items = []
    for e in feed.entries:
        a = e.article
        url = site.absolute_url(a.url)
        item: dict[str, Any] = {"id": url, "url": url, "title": a.title}
        text = summary_text(e)
        item["content_text"] = text
        if a.source_url:
            item["external_url"] = a.source_url
        image = _image_url(site, a.image)
        if image:
            item["image"] = image
        item["date_published"] = _rfc3339(a.date)
        if a.updated:
            item["date_modified"] = _rfc3339(a.updated)
        if a.author:
            item["authors"] = [{"name": a.author}]
        tags = ([a.section] if a.section else []) + list(a.tags)
        if tags:
            item["tags"] = tags
        if a.language:
            item["language"] = a.language
        items.append(item)
    data: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": feed.url("feed.json"),
        "description": feed.description,
        "language": site.language,
        "authors": [{"name": site.title}],
        "items": items,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def feeds_for(
    entries: Sequence[Entry],
    site: SiteConfig,
    folder: str = "",
    name: str | None = None,
    kept: Kept | None = None,
    keep: Kept | None = None,
    again: _Again | None = None,
) -> list[Page]:
    """The three feeds of one folder ("" for the whole site).  ``kept``: a session's last
    build's feeds (a folder whose newest entries are the same objects, with the same
    ``updated``, has the same feeds); ``keep`` gets this build's.  ``again``: a new
    process's (see _Again)."""
    feed = _Feed(site, entries, folder, name)
    return _feed_files(feed, kept, keep, again)


def _feed_files(
    feed: _Feed, kept: Kept | None = None, keep: Kept | None = None, again: _Again | None = None
) -> list[Page]:
    """The three feeds of ``feed``: the last build's when they showed the same (see
    feeds_for)."""
    folder = feed.folder
    source = f"feeds ({folder or 'site'})"
    shown = (feed.title, feed.updated, *feed.entries)
    last = kept.feeds.get(folder) if kept is not None else None
    if last is not None and _same(last[0], shown):
        pages = last[1]
    elif again is not None and (got := again.read(feed, source)) is not None:
        pages = got
    else:
        made = [(folder + "feed.xml", atom(feed)), (folder + "rss.xml", rss(feed))]
        made.append((folder + "feed.json", json_feed(feed)))
        if again is not None:
            pages = [Page(path, data, source, page_digest(data)) for path, data in made]
            again.made(feed, pages)
        else:
            pages = [Page(path, data, source) for path, data in made]
    if keep is not None:
        keep.feeds[folder] = (shown, pages)
    return pages


class _Again:
    """A new process's build takes a folder's published feeds when the build that wrote
    them made them of what this one shows (see shows) and the files still hold exactly
    those bytes: an edit changes the feeds of its article's folders at most, often none.
    What each folder's feeds were made of goes to the cache at the end (see save)."""

    NS = "feeds-shown"

    def __init__(self, store: cache.Cache, live: Path) -> None:
        self.store, self.live = store, live
        self.shown: dict[str, str] = {}  # folder -> shows(feed), of the feeds read back
        self.put: dict[str, tuple[str, list[str]]] = {}  # folder -> (shows, sha256 of each)

    @staticmethod
    def shows(feed: _Feed) -> str:
        """A digest of what a feed shows: the site's settings, the folder, title and date,
        and each item's entry (its key: article and summary, see render.entry_key), URL
        and dates.  "" when an entry has no key (never taken as the same)."""
        if any(not e.key for e in feed.entries):
            return ""
        items = [
            (e.key, e.article.url, repr((e.article.date, e.article.updated))) for e in feed.entries
        ]
        parts = (repr(feed.site), __version__, feed.folder, feed.title, feed.updated.isoformat())
        return cache.quick_key(list(parts), items)

    def read(self, feed: _Feed, source: str) -> list[Page] | None:
        shown = self.shows(feed)
        self.shown[feed.folder] = shown
        got = self.store.get(self.NS, "folder:" + feed.folder, tuple[str, list[str]])
        if not shown or got is None or got[0] != shown or len(got[1]) != len(FEED_FORMATS):
            return None
        pages = []
        for (file, _mime, _label), digest in zip(FEED_FORMATS, got[1], strict=True):
            data = held_page(self.live / (feed.folder + file), digest)
            if data is None:
                return None
            pages.append(Page(feed.folder + file, data, source, digest))
        return pages

    def made(self, feed: _Feed, pages: list[Page]) -> None:
        """``pages``: the feeds made, each with its digest (publish hashes them no more)."""
        shown = self.shown.get(feed.folder)
        if shown is None:
            shown = self.shows(feed)
        if shown:
            self.put["folder:" + feed.folder] = (shown, [p.digest for p in pages])

    def save(self) -> None:
        self.store.put_many(self.NS, self.put)


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """The same entries (objects), title and date."""
    return (
        len(a) == len(b)
        and a[0] == b[0]
        and a[1] == b[1]
        and all(x is y for x, y in zip(a[2:], b[2:], strict=True))
    )


def section_feeds(
    entries: Sequence[Entry],
    site: SiteConfig,
    kept: Kept | None = None,
    keep: Kept | None = None,
    again: _Again | None = None,
) -> list[Page]:
    sections: dict[str, list[Entry]] = {}
    names: dict[str, str] = {}
    for e in entries:
        a = e.article
        if a.section_slug:
            sections.setdefault(a.section_slug, []).append(e)
            names.setdefault(a.section_slug, a.section)
    pages: list[Page] = []
    for slug in sorted(sections):
        pages += feeds_for(sections[slug], site, f"{slug}/", names[slug], kept, keep, again)
    return pages


# ---------------------------------------------------------------- sitemap & hosts


def sitemap(
    entries: Sequence[Entry],
    site: SiteConfig,
    more: Mapping[str, datetime] | None = None,
    kept: Kept | None = None,
    keep: Kept | None = None,
    store: cache.Cache | None = None,
    live: Path | publish.Published | None = None,
) -> Page:
    """sitemap.xml: the front page, archive, tag index, sections, tags and articles, and
    ``more`` pages (story and edition pages: path -> last change).  ``kept``: a session's
    last build's <url> elements (one with the same path and date is the same);
    ``keep`` gets this build's.  ``store``, ``live`` (a new process's build: the cache
    and the output folder): the published sitemap is read back when it was made of the
    same paths and dates (see _sitemap_again)."""
    newest: dict[str, datetime] = dict(more or {})

    def seen(path: str, d: datetime) -> None:
        if path not in newest or d > newest[path]:
            newest[path] = d

    latest: datetime | None = None  # of every article: the front page, archive, tag index
    for e in entries:
        a = e.article
        d = max(a.date, a.updated) if a.updated else a.date  # (_changed, inline: 10,000x)
        if latest is None or d > latest:
            latest = d
        seen(a.url, d)
        if a.section_slug:
            seen(f"{a.section_slug}/", d)
        for t in a.tags:
            seen(f"tags/{tag_slug(t)}/", d)
    if latest is not None:
        for path in ("", "archive/", "tags/"):
            seen(path, latest)
    if not entries:
        for path in ("", "archive/", "tags/"):
            newest[path] = feed_updated(entries)
    shown = ""
    if store is not None and live is not None and kept is None and keep is None:
        shown = hashlib.sha256(_SHOWN.encode([site.absolute_url(), newest])).hexdigest()
        data = _sitemap_again(store, _published_of(live), shown)
        if data is not None:
            return Page("sitemap.xml", data, "sitemap")
    # Written directly (one <url> per page: ElementTree took 0.2 s at 10,000 articles),
    # byte for byte what ElementTree with indent(space=" ") writes.
    out = [f"<?xml version='1.0' encoding='utf-8'?>\n<urlset xmlns=\"{SITEMAP_NS}\">\n"]
    marks = kept.marks if kept is not None else {}
    made = keep.marks if keep is not None else None
    for path in sorted(newest, key=lambda p: (p.count("/"), p)):
        d = newest[path]
        last = marks.get(path)
        if last is not None and last[0] == d:
            element = last[1]
        else:
            loc = xml_escape(site.absolute_url(path))
            element = f" <url>\n  <loc>{loc}</loc>\n  <lastmod>{_rfc3339(d)}</lastmod>\n </url>\n"
        out.append(element)
        if made is not None:
            made[path] = (d, element)
    out.append("</urlset>\n")
    data = "".join(out).encode("utf-8")
    if shown and store is not None:
        digest = page_digest(data)  # (given to publish: hashed once)
        store.put(_SITEMAP_NS, _SITEMAP_KEY, (shown, digest))
        page = Page("sitemap.xml", data, "sitemap", digest)
    elif keep is None:
        page = Page("sitemap.xml", data, "sitemap")
    else:  # (kept: given again by the next builds of a session, hashed once)
        page = Page("sitemap.xml", data, "sitemap", page_digest(data))
        keep.sitemaps.append((dict(more or {}), page))
    return page


# What a new process's build made its sitemap of: a digest of the base URL and every
# path with its date (an aware date as its instant: the sitemap shows it in UTC; a
# naive one as its text), and the sha256 of the sitemap made
_SITEMAP_NS, _SITEMAP_KEY = "sitemap-shown", "sitemap"
_SHOWN = msgspec.msgpack.Encoder(order="sorted")


def _sitemap_again(store: cache.Cache, live: publish.Published, shown: str) -> bytes | None:
    """The published sitemap.xml when the last new process's build made it of what
    this one shows (``shown``) and the file still holds exactly those bytes; else None.
    (Its 12,000 <url> elements after an edit that moved no article and changed no date:
    the same.)"""
    got = store.get(_SITEMAP_NS, _SITEMAP_KEY, tuple[str, str])
    if got is None or got[0] != shown:
        return None
    return _published(live, "sitemap.xml", got[1])


def robots_txt(site: SiteConfig) -> Page:
    lines = ["User-agent: *", "Allow: /", ""]
    if site.absolute:
        lines.append(f"Sitemap: {site.absolute_url('sitemap.xml')}")
    else:
        lines.append("# Set base_url to the site's full address to list the sitemap here.")
    return Page("robots.txt", ("\n".join(lines) + "\n").encode("utf-8"), "robots.txt")


def cname_domain(cname: str) -> str:
    """The bare host name GitHub Pages expects, even if a URL was given."""
    value = cname.strip()
    if "//" in value:
        value = urlsplit(value).netloc
    return value.strip("/")


def host_files(site: SiteConfig) -> list[Page]:
    """.nojekyll always; CNAME when cname: is set."""
    pages = [Page(".nojekyll", b"", "GitHub Pages")]
    if site.cname and cname_domain(site.cname):
        pages.append(
            Page("CNAME", (cname_domain(site.cname) + "\n").encode("utf-8"), "site.yaml cname")
        )
    return pages


@dataclass(frozen=True)
class Kept:
    """What the feeds keep for the next build of a session (see digest.build.Session),
    for the site settings they were made with: each entry's articles.json line, each
    folder's feeds with what they showed, each sitemap <url> element with its date."""

    site: SiteConfig
    lines: dict[str, _Line] = field(default_factory=dict)
    feeds: dict[str, tuple[tuple[Any, ...], list[Page]]] = field(default_factory=dict)
    marks: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    # the sitemap, with the further pages (``more``) it was made with (once made)
    sitemaps: list[tuple[dict[str, datetime], Page]] = field(default_factory=list)
    # the entries in order, and articles.json's lines in that order (once made)
    entries: Sequence[Entry] = ()
    order: list[list[bytes]] = field(default_factory=list)
    # what digest.build._pages carries from build to build for the other data files
    # (stories.json, the editions feeds, the sitemap's further pages, the navigation,
    # the redirects), each made of what it shows (see digest.build._pages)
    side: dict[str, Any] = field(default_factory=dict)


def _shape(a: Any) -> tuple[Any, ...]:
    """What the sitemap and the choice and order of a feed's items use of an article:
    its place (slug, URL, section, tags) and dates."""
    return (a.slug, a.url, a.section_slug, a.section, a.tags, a.date, a.updated)


def _others(
    entries: Sequence[Entry], kept: Kept, at: dict[str, int] | None = None
) -> dict[str, Entry] | None:
    """The entries that are other objects than the last build's, by slug, when the site
    has the same articles in the same order, each with the same shape (see _shape);
    else None.  (Compared by identity: only the entries of an edit are looked into.)
    ``at`` gets the place of each."""
    lines = kept.lines
    if len(lines) != len(entries):
        return None
    out: dict[str, Entry] = {}
    then = kept.entries
    if len(then) == len(entries):  # (the other objects found in C: see moved)
        places = moved(entries, then, len(entries))
        assert places is not None
        for i in places:
            e, last = entries[i], then[i]
            if _shape(e.article) != _shape(last.article):
                return None
            out[e.article.slug] = e
            if at is not None:
                at[e.article.slug] = i
        return out
    for e, (slug, (last, _sc, _line)) in zip(entries, lines.items(), strict=True):
        if e is not last:
            if _shape(e.article) != _shape(last.article) or slug != e.article.slug:
                return None
            out[slug] = e
    return out


def _rescored(
    others: dict[str, Entry],
    at: dict[str, int],
    rescored: frozenset[str],
    entries: Sequence[Entry],
    places: Mapping[str, int],
) -> dict[str, Entry] | None:
    """``others`` (see _others) with the entries of the ``rescored`` slugs (the same
    objects as the last build's, with other scores) and their places in ``at``, found
    by ``places`` (slug -> place in ``entries``); None when a slug is not there."""
    out = dict(others)
    for slug in rescored - others.keys():
        i = places.get(slug)
        if i is None or i >= len(entries) or entries[i].article.slug != slug:
            return None
        out[slug] = entries[i]
        at[slug] = i
    return out


def moved(now: Sequence[Any], then: Sequence[Any], few: int) -> list[int] | None:
    """The places where ``now`` holds another object than ``then``; None when the two
    differ in length or at more than ``few`` places.  (Pointers compared in C: no object
    is looked into.)"""
    if len(now) != len(then):
        return None
    places = list(islice(compress(count(), map(is_not, now, then)), few + 1))
    return places if len(places) <= few else None


def feed_pages(
    entries: Sequence[Entry],
    site: SiteConfig,
    more: Mapping[str, datetime] | None = None,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
    store: cache.Cache | None = None,
    live: Path | None = None,
    *,
    scores: LinkScores,
    rescored: frozenset[str] | None = None,
    places: Mapping[str, int] | None = None,
) -> list[Page]:
    """Every data/feed file of the site (``more``: further pages for the sitemap;
    ``scores``: each entry's related links' scores, by slug).  ``kept``: a session's last
    build's (see Kept); ``keep`` gets this build's; ``rescored``: the slugs whose scores
    are not the objects of ``kept``'s build (None: not known); ``places``: each entry's
    place in ``entries``, by slug (where those slugs' lines are).
    ``store``, ``live``: the cache and the output folder (see sitemap)."""
    if kept is not None and kept.site != site:
        kept = None
    now = Kept(site, entries=entries) if keep is not None else None
    lines = now.lines if now is not None else None
    at: dict[str, int] = {}
    others = None
    if kept is not None and kept.sitemaps and rescored is not None:
        others = _others(entries, kept, at)
    if others is not None and rescored:
        # (the entries whose scores alone moved: their lines are made again, no feed
        # or sitemap shows scores)
        others = _rescored(others, at, rescored, entries, places) if places else None
    if others is not None and kept is not None:
        # an edit that moved no article and changed no date (most): the sitemap is the
        # last build's, and so are the feeds that show none of the entries changed
        order = kept.order[0] if kept.order and len(at) == len(others) else None
        keep_order = now.order if now is not None else None
        got = articles_json(
            *(entries, site, kept.lines, lines, others, None, None, order, at, keep_order),
            scores=scores,
        )
        pages = [got]
        for folder, (shown, _pages) in kept.feeds.items():
            newest = [others.get(e.article.slug, e) for e in shown[2:]]
            feed = _Feed(site, (), folder, newest=(shown[0], shown[1], newest))
            pages += _feed_files(feed, kept, now)
        more = dict(more or {})
        if more == kept.sitemaps[0][0]:
            pages.append(kept.sitemaps[0][1])
            if now is not None:
                now.marks.update(kept.marks)
                now.sitemaps.append(kept.sitemaps[0])
        else:
            pages.append(sitemap(entries, site, more, kept, now))
        pages += [robots_txt(site), *host_files(site)]
        if keep is not None and now is not None:
            keep.append(now)
        return pages
    # (a new process's build: what the last one published is read back where it shows
    # the same, see _articles_again and _Again)
    fresh = store is not None and live is not None and kept is None and keep is None
    published = publish.Published(live) if fresh and live is not None else None
    again = _Again(store, live) if fresh and store is not None and live is not None else None
    pages = [
        articles_json(
            entries,
            site,
            kept.lines if kept is not None else None,
            lines,
            store=store if fresh else None,
            live=published or live,
            keep_order=now.order if now is not None else None,
            scores=scores,
        ),
        *feeds_for(entries, site, kept=kept, keep=now, again=again),
        *section_feeds(entries, site, kept, now, again),
        sitemap(entries, site, more, kept, now, store, published or live),
        robots_txt(site),
        *host_files(site),
    ]
    if again is not None:
        again.save()
    if keep is not None and now is not None:
        keep.append(now)
    return pages
