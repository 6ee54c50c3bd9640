"""Editions: the digest read by the day (or week), and the stories data file.

An edition is a period (a day by default, an ISO week with ``editions: weekly``)
and the stories that had an article in it.  A story covered on two days is in
both editions, each time with that day's articles.  Rules (tested in
tests/test_editions.py):

* **Period** of an article: the calendar date of its ``date`` as written (in its
  own time zone).  Daily editions live at ``editions/YYYY-MM-DD/``, weekly ones
  at ``editions/YYYY-Www/`` (ISO 8601 week, e.g. ``editions/2026-W48/``).
* **Ranking** inside an edition: most outlets covering the story in the period
  first, then most articles in the period, then the most recent article in the
  period, then the story's slug.
* **Navigation**: ``prev`` is the next older edition, ``next`` the next newer.
* **Front page**: the latest ``front.days`` editions.
* **Feeds**: ``editions/feed.xml`` (Atom) and ``editions/rss.xml`` (RSS), one
  entry per edition (the 20 newest), its stories' headlines and summaries as
  content; an edition's date is its newest article's (never the clock).

Output is deterministic: everything is ordered by dates of the content and slugs.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import format_datetime
from html import escape
from typing import Any

import msgspec

from digest import __version__
from digest.config import EditionsConfig, SiteConfig
from digest.feeds import feed_updated, moved
from digest.model import Entry, Page, Story, page_digest
from digest.stories.compose import Member, Stories, compose

STORIES_JSON_VERSION = 1
EDITION_FEED_ITEMS = 20
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class EditionItem:
    """One story in one edition, with its articles of that period (oldest first)."""

    story: Story
    entries: tuple[Entry, ...]
    outlets: int  # distinct outlets with an article in the period
    more: int  # the story's articles outside the period
    title: str = ""  # the headline shown in this edition (see headed)
    lead: str = ""  # the sentence shown under it


def headed(story: Story, got: Sequence[Entry]) -> tuple[str, str]:
    """(headline, lead sentence) of a story in an edition, from that period's articles only
    (an edition never shows what was reported later): the story's headline when its
    article is in the period, else the title of the period's first article; the first
    summary sentence from an article of the period, else that article's own first."""
    if len(got) == 1:  # (most items: an article alone in its story, its headline and lead)
        slug = got[0].article.slug
        if story.headline_from == slug and story.summary and story.summary_from[:1] == (slug,):
            return story.title, story.summary[0]
    here = {e.article.slug for e in got}
    title = story.title if story.headline_from in here or not got else got[0].article.title
    for text, slug in zip(story.summary, story.summary_from, strict=False):
        if slug in here:
            return title, text
    first = got[0].summary.sentences if got else ()
    return title, first[0] if first else ""


@dataclass(frozen=True)
class Edition:
    key: str  # "2026-11-25" or "2026-W48"
    label: str  # "Wednesday 25 November 2026" or "Week 48, 2026"
    url: str  # site-relative, "editions/<key>/"
    updated: datetime  # its newest article's date
    items: tuple[EditionItem, ...]  # ranked
    prev: str | None = None  # url of the next older edition
    next: str | None = None  # url of the next newer edition
    prev_label: str | None = None
    next_label: str | None = None

    @property
    def articles(self) -> int:
        return sum(len(it.entries) for it in self.items)


@dataclass(frozen=True)
class News:
    """What the story and edition pages are made from."""

    stories: Stories
    editions: tuple[Edition, ...]  # newest first
    front_days: int = EditionsConfig().front_days

    @classmethod
    def make(
        cls,
        entries: Sequence[Entry],
        stories: Stories,
        cfg: EditionsConfig,
        site: SiteConfig,
        kept: Kept | None = None,
        keep: list[Kept] | None = None,
    ) -> News:
        """``kept``: the editions of a session's last build (see Kept); ``keep`` gets
        this build's."""
        eds = editions(entries, stories, cfg, site, kept, keep)
        return cls(stories, eds, cfg.front_days)

    @classmethod
    def without_stories(
        cls, entries: Sequence[Entry], site: SiteConfig, cfg: EditionsConfig | None = None
    ) -> News:
        """Every article a story of its own (grouping off, or no grouping given)."""
        members = [Member(e.article, e.summary) for e in entries]
        stories = compose(members, [(i,) for i in range(len(members))], [])
        return cls.make(entries, stories, cfg or EditionsConfig(), site)


def period(d: datetime, mode: str) -> str:
    """The key of the edition an article dated ``d`` is in."""
    day = d.date()
    if mode == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def label(key: str, date_format: str) -> str:
    """How an edition is named on pages: "Wednesday, 25 November 2026", "Week 48, 2026"."""
    if "-W" in key:
        year, week = key.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        sunday = date.fromisocalendar(int(year), int(week), 7)
        return f"Week {int(week)}, {year} ({_day(monday, '%-d %b')} – {_day(sunday, '%-d %b')})"
    d = date.fromisoformat(key)
    return f"{d.strftime('%A')}, {_day(d, date_format)}"


def _day(d: date, fmt: str) -> str:
    return d.strftime(fmt.replace("%-d", str(d.day)).replace("%-m", str(d.month)))


def _outlet(e: Entry) -> str:
    return e.article.source or ""


@dataclass(frozen=True)
class Kept:
    """The editions of a session's last build (see digest.build.Session), for the
    next: each edition by key, with the stories and entries of its period it was made
    from (objects: compared by identity), under the settings it was made with."""

    made_for: tuple[str, str]  # (period, date format)
    editions: dict[str, tuple[tuple[tuple[Story, tuple[Entry, ...]], ...], Edition]]
    # what they were made from and what was made: the entries, each article's story, and
    # the editions in order (see _again)
    entries: Sequence[Entry] = ()
    of: dict[str, Story] | None = None
    made: tuple[Edition, ...] = ()
    # each edition's place in ``made``, by key (None: not made)
    places: dict[str, int] | None = None
    # each entry's place in ``entries``, by slug (None: not made; see _again)
    at: dict[str, int] | None = None


def _same_items(
    a: tuple[tuple[Story, tuple[Entry, ...]], ...], b: tuple[tuple[Story, tuple[Entry, ...]], ...]
) -> bool:
    """The same stories with the same entries (the same objects), in the same order."""
    if len(a) != len(b):
        return False
    for (s1, e1), (s2, e2) in zip(a, b, strict=True):
        if s1 is not s2 or len(e1) != len(e2):
            return False
        for x, y in zip(e1, e2, strict=True):
            if x is not y:
                return False
    return True


def editions(
    entries: Sequence[Entry],
    stories: Stories,
    cfg: EditionsConfig,
    site: SiteConfig,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
) -> tuple[Edition, ...]:
    """Every edition of the site, newest first.  ``kept``: a session's last build's (an
    edition whose period has the same stories and entries, and the same neighbours, is
    the same Edition object); ``keep`` gets this build's."""
    made_for = (cfg.period, site.date_format)
    before = kept.editions if kept is not None and kept.made_for == made_for else {}
    if before and kept is not None:
        got = _again(entries, stories, cfg, kept)
        if got is not None:
            if keep is not None:
                keep.append(
                    Kept(made_for, got[1], entries, stories.of, got[0], kept.places, got[2])
                )
            return got[0]
    now: dict[str, tuple[tuple[tuple[Story, tuple[Entry, ...]], ...], Edition]] = {}
    by_period: dict[str, list[Entry]] = {}  # period -> its entries (with a story), in order
    of = stories.of
    keys: dict[date, str] = {}  # day -> its period's key (a period is made of whole days)
    for e in entries:
        a = e.article
        if a.slug not in of:
            continue
        day = a.date.date()
        key = keys.get(day)
        if key is None:
            key = keys[day] = period(a.date, cfg.period)
        held = by_period.get(key)
        if held is None:
            by_period[key] = [e]
        else:
            held.append(e)
    made: list[tuple[str, str, datetime, tuple[EditionItem, ...]]] = []
    inputs: list[tuple[tuple[Story, tuple[Entry, ...]], ...]] = []
    for key in sorted(by_period, reverse=True):
        given = _by_story(by_period[key], of)
        inputs.append(given)
        last = before.get(key)
        if last is not None and _same_items(last[0], given):
            ed = last[1]
            made.append((key, ed.label, ed.updated, ed.items))
            continue
        ranked, newest = _ranked(given)
        made.append((key, label(key, site.date_format), newest, ranked))
    # each edition made once, with its neighbours' links (newest first: the next is older)
    out = []
    for i, (key, name, newest, ranked) in enumerate(made):
        newer = made[i - 1] if i > 0 else None
        older = made[i + 1] if i + 1 < len(made) else None
        prev = f"editions/{older[0]}/" if older else None
        next_ = f"editions/{newer[0]}/" if newer else None
        prev_label = older[1] if older else None
        next_label = newer[1] if newer else None
        last = before.get(key)
        old = last[1] if last is not None else None
        if (
            old is not None
            and old.items is ranked
            and old.label == name
            and old.updated == newest
            and old.prev == prev
            and old.next == next_
            and old.prev_label == prev_label
            and old.next_label == next_label
        ):
            ed = old  # (the same items, the same neighbours: the same edition; not made)
        else:
            ed = Edition(
                key, name, f"editions/{key}/", newest, ranked, prev, next_, prev_label, next_label
            )
        out.append(ed)
        now[key] = (inputs[i], ed)
    if keep is not None:
        places = {ed.key: i for i, ed in enumerate(out)}
        keep.append(Kept(made_for, now, entries, stories.of, tuple(out), places))
    return tuple(out)


def _by_story(
    got: Sequence[Entry], of: dict[str, Story]
) -> tuple[tuple[Story, tuple[Entry, ...]], ...]:
    """A period's entries (in the site's order) by their story: each story once, in the
    order of its first entry there, with its entries in order."""
    told: dict[str, tuple[Story, list[Entry]]] = {}
    for e in got:
        story = of[e.article.slug]
        same = told.get(story.slug)
        if same is None:
            told[story.slug] = (story, [e])
        else:
            same[1].append(e)
    return tuple([(story, tuple(es)) for story, es in told.values()])


def _ranked(
    given: tuple[tuple[Story, tuple[Entry, ...]], ...],
) -> tuple[tuple[EditionItem, ...], datetime]:
    """An edition's items, ranked, and its newest article's date, from its stories with
    their articles of the period (in the order of the site's entries)."""
    items = []
    for story, got in given:
        if len(got) > 1:  # (most stories have one article in a period: nothing to sort)
            got = tuple(sorted(got, key=lambda e: (e.article.date.timestamp(), e.article.slug)))
        title, lead = headed(story, got)
        outlets = len({_outlet(e) for e in got}) if len(got) > 1 else 1
        items.append(EditionItem(story, got, outlets, len(story.articles) - len(got), title, lead))
    if len(items) > 1:
        items.sort(key=rank_key)
    newest = items[0].entries[0].article.date  # (the first of the latest, as max() takes)
    for it in items:
        for e in it.entries:
            if e.article.date > newest:
                newest = e.article.date
    return tuple(items), newest


def _again(
    entries: Sequence[Entry], stories: Stories, cfg: EditionsConfig, kept: Kept
) -> tuple[tuple[Edition, ...], dict[str, Any], dict[str, int] | None] | None:
    """A session's editions made from the last build's (see Kept) when the site has the
    same articles in the same order, each with the same date, and the same articles in
    stories: only the editions of the periods of the entries that are other objects, and
    of the articles whose story is another (and not an equal) Story, are made again (with
    the same neighbours).  None when that is not so, or when more than 8 editions and a
    quarter of them would be.  (Compared by identity: only the entries of an edit, and
    the stories it changed, are looked into.)  The third item: each entry's place by
    slug, when it was needed (Kept.at)."""
    last = kept.entries
    if kept.of is None or not kept.made or len(last) != len(entries):
        return None
    others: dict[str, Entry] = {}
    for i in moved(entries, last, len(entries)) or ():  # (found in C: see moved)
        e, old = entries[i], last[i]
        a, b = e.article, old.article
        if a.slug != b.slug or a.date.isoformat() != b.date.isoformat():
            return None
        others[a.slug] = e
    of, was = stories.of, kept.of
    told: list[str] = []  # articles of another story
    if of is not was:
        if of.keys() != was.keys():
            return None
        told = [slug for slug, s in of.items() if (o := was[slug]) is not s and o != s]
    periods = {period(e.article.date, cfg.period) for e in others.values()}
    at = kept.at
    if told:
        if at is None:
            at = {e.article.slug: i for i, e in enumerate(entries)}
        regroup = {period(entries[at[slug]].article.date, cfg.period) for slug in told}
        periods |= regroup
    else:
        regroup = set()
    now = dict(kept.editions)
    out = list(kept.made)
    places = kept.places
    if places is None:
        places = {ed.key: i for i, ed in enumerate(out)}
    if len(periods) > 8 and len(periods) * 4 > len(places):
        return None
    for i in sorted(places[key] for key in periods if key in places):
        ed = out[i]
        if ed.key in regroup:  # (its articles in the site's order, by story, as editions)
            got = [others.get(e.article.slug, e) for _, es in now[ed.key][0] for e in es]
            assert at is not None
            got.sort(key=lambda e: at[e.article.slug])
            given = _by_story(got, of)
        else:
            given = tuple(
                (s, tuple([others.get(e.article.slug, e) for e in es])) for s, es in now[ed.key][0]
            )
        items, newest = _ranked(given)
        ed = dataclasses.replace(ed, items=items, updated=newest)
        out[i] = ed
        now[ed.key] = (given, ed)
    return tuple(out), now, at


def rank_key(it: EditionItem) -> tuple[int, int, float, str]:
    """Edition order: outlets, then articles (both in the period), then recency, then slug."""
    got = it.entries
    if len(got) == 1:  # (most items)
        newest = got[0].article.date.timestamp()
    else:
        newest = max(e.article.date.timestamp() for e in got)
    return (-it.outlets, -len(got), -newest, it.story.slug)


# ---------------------------------------------------------------- stories.json


def story_record(s: Story, site: SiteConfig) -> dict[str, Any]:
    """One story as the stable stories.json object."""
    return {
        "slug": s.slug,
        "url": site.base_path + s.url,
        "title": s.title,
        "summary": list(s.summary),
        "articles": list(s.articles),
        "sources": list(s.sources),
        "first": s.first.isoformat() if s.first else None,
        "last": s.last.isoformat() if s.last else None,
    }


def stories_json(stories: Stories, site: SiteConfig) -> Page:
    """public/stories.json: every story of two or more articles, newest first (ties by slug)."""
    return _stories_json(stories.pages, site)


# A session's rebuild (see digest.build._pages): what a data file was made of, and the
# file; the same objects, the same file
_Carried = tuple[tuple[Any, ...], list[Page]]
FEW = 64  # (objects changed, past which a carried file is made again)


def stories_json_again(
    pages: tuple[Story, ...], site: SiteConfig, last: _Carried | None
) -> _Carried:
    """stories.json of the story pages ``pages``: ``last`` (a session's last build's, made
    with the same settings) when they are the same objects."""
    if last is not None and moved(pages, last[0], 0) is not None:
        return last
    page = _stories_json(pages, site)
    assert page.content is not None
    return pages, [Page(page.path, page.content, page.source, page_digest(page.content))]


def _stories_json(pages: Sequence[Story], site: SiteConfig) -> Page:
    head = {"version": STORIES_JSON_VERSION, "title": site.title, "base_url": site.base_url}
    enc = msgspec.json.Encoder()
    ordered = sorted(pages, key=lambda s: (-(s.last.timestamp() if s.last else 0.0), s.slug))
    lines = [enc.encode(story_record(s, site)) for s in ordered]
    data = enc.encode(head)[:-1] + b',"stories":['
    data += (b"\n" + b",\n".join(lines) + b"\n" if lines else b"") + b"]}\n"
    return Page("stories.json", data, "stories.json")


# ---------------------------------------------------------------- edition feeds


def _utc(d: datetime) -> datetime:
    return d.astimezone(timezone.utc) if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _rfc3339(d: datetime) -> str:
    return _utc(d).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def edition_html(ed: Edition, site: SiteConfig) -> str:
    """An edition's stories as HTML for a feed entry (escaped by the XML writer)."""
    parts = []
    for it in ed.items:
        url = escape(site.absolute_url(it.story.url))
        parts.append(f'<h3><a href="{url}">{escape(it.title)}</a></h3>')
        if it.story.summary:
            parts.append(f"<p>{escape(' '.join(it.story.summary))}</p>")
    return "\n".join(parts)


def edition_feed_title(site: SiteConfig) -> str:
    return f"{site.title} · Editions"


def feed_discovery(site: SiteConfig) -> list[dict[str, str]]:
    """The editions feeds, to announce with <link rel="alternate">."""
    title = edition_feed_title(site)
    return [
        {"type": "application/atom+xml", "title": f"{title} (Atom)", "path": "editions/feed.xml"},
        {"type": "application/rss+xml", "title": f"{title} (RSS)", "path": "editions/rss.xml"},
    ]


def _feed_updated(eds: Sequence[Edition]) -> datetime:
    if eds:
        return max(ed.updated for ed in eds)
    return feed_updated([])


def edition_atom(eds: Sequence[Edition], site: SiteConfig) -> bytes:
    shown = eds[:EDITION_FEED_ITEMS]
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": site.language})
    self_url = site.absolute_url("editions/feed.xml")
    _sub(root, "id", self_url)
    _sub(root, "title", edition_feed_title(site))
    _sub(root, "updated", _rfc3339(_feed_updated(eds)))
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=site.absolute_url("editions/"))
    _sub(_sub(root, "author"), "name", site.title)
    _sub(root, "generator", "digest", version=__version__)
    for ed in shown:
        url = site.absolute_url(ed.url)
        item = _sub(root, "entry")
        _sub(item, "id", url)
        _sub(item, "title", ed.label)
        _sub(item, "link", rel="alternate", type="text/html", href=url)
        _sub(item, "updated", _rfc3339(ed.updated))
        _sub(item, "summary", "; ".join(it.title for it in ed.items), type="text")
        _sub(item, "content", edition_html(ed, site), type="html")
    return _xml(root)


def edition_rss(eds: Sequence[Edition], site: SiteConfig) -> bytes:
    shown = eds[:EDITION_FEED_ITEMS]
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", edition_feed_title(site))
    _sub(channel, "link", site.absolute_url("editions/"))
    _sub(channel, "description", f"{site.description or site.title}: one entry per edition.")
    _sub(channel, "language", site.language)
    _sub(channel, "lastBuildDate", format_datetime(_utc(_feed_updated(eds))))
    _sub(channel, "generator", f"digest {__version__}")
    _sub(
        channel,
        "atom:link",
        rel="self",
        type="application/rss+xml",
        href=site.absolute_url("editions/rss.xml"),
    )
    for ed in shown:
        url = site.absolute_url(ed.url)
        item = _sub(channel, "item")
        _sub(item, "title", ed.label)
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true" if site.absolute else "false")
        _sub(item, "pubDate", format_datetime(_utc(ed.updated)))
        _sub(item, "description", edition_html(ed, site))
    return _xml(root)


def edition_feeds(eds: Sequence[Edition], site: SiteConfig) -> list[Page]:
    return [
        Page("editions/feed.xml", edition_atom(eds, site), "feeds (editions)"),
        Page("editions/rss.xml", edition_rss(eds, site), "feeds (editions)"),
    ]


def edition_feeds_again(
    eds: tuple[Edition, ...], site: SiteConfig, last: _Carried | None
) -> _Carried:
    """edition_feeds: ``last`` (a session's last build's, made with the same settings)
    when the editions they show are the same objects and every edition that is another
    object has the same date (the feeds' date is the newest edition's)."""
    if last is not None:
        then = last[0]
        places = moved(eds, then, FEW)
        if places is not None and all(
            i >= EDITION_FEED_ITEMS and eds[i].updated.isoformat() == then[i].updated.isoformat()
            for i in places
        ):
            return eds, last[1]
    made = edition_feeds(eds, site)
    return eds, [Page(p.path, p.content, p.source, page_digest(p.data())) for p in made]


def sitemap_paths(eds: Sequence[Edition], stories: Stories) -> dict[str, datetime]:
    """The new pages for sitemap.xml: path -> last change (from the content's dates)."""
    return _sitemap_paths(eds, stories.pages)


def sitemap_paths_again(
    eds: tuple[Edition, ...],
    pages: tuple[Story, ...],
    last: tuple[tuple[Edition, ...], tuple[Story, ...], dict[str, datetime]] | None,
) -> tuple[tuple[Edition, ...], tuple[Story, ...], dict[str, datetime]]:
    """sitemap_paths of the editions and story pages (with what it was made of): the
    last build's of a session (``last``) when every edition and story that is another
    object has the same URL and date."""
    if last is not None:
        then, pages_then, more = last
        places = moved(eds, then, FEW)
        stories = moved(pages, pages_then, FEW)
        if (
            places is not None
            and stories is not None
            and all(eds[i].url == then[i].url and eds[i].updated == then[i].updated for i in places)
            and all(
                pages[i].url == pages_then[i].url and pages[i].last == pages_then[i].last
                for i in stories
            )
        ):
            return eds, pages, more
    return eds, pages, _sitemap_paths(eds, pages)


def _sitemap_paths(eds: Sequence[Edition], pages: Sequence[Story]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for s in pages:
        if s.last is not None:
            out[s.url] = s.last
    for ed in eds:
        out[ed.url] = ed.updated
    if eds:
        out["editions/"] = max(ed.updated for ed in eds)
    return out
