"""Editions: periods and URLs, ranking, navigation, the index, the front page, the feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from conftest import build_site as run
from storysite import CONFIG, story_site

from digest.config import EditionsConfig, SiteConfig, load_config
from digest.editions import editions, label, period
from digest.model import Article, Entry, Summary
from digest.stories.compose import Member, compose

ATOM = "{http://www.w3.org/2005/Atom}"


def entry(slug: str, day: int, source: str, hour: int = 12) -> Entry:
    a = Article(
        path=f"{slug}.md",
        slug=slug,
        title=slug,
        date=datetime(2026, 11, day, hour, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url=f"{slug}/",
        source=source,
    )
    return Entry(a, Summary((f"About {slug}.",), "news"), key=slug)


def test_period_and_label() -> None:
    d = datetime(2026, 11, 25, 23, 30, tzinfo=timezone.utc)
    assert period(d, "daily") == "2026-11-25"
    assert period(d, "weekly") == "2026-W48"
    assert period(datetime(2027, 1, 1, tzinfo=timezone.utc), "weekly") == "2026-W53"
    assert label("2026-11-25", "%-d %B %Y") == "Wednesday, 25 November 2026"
    assert label("2026-W48", "%-d %B %Y") == "Week 48, 2026 (23 Nov – 29 Nov)"


def test_ranking_outlets_then_articles_then_recency_then_slug() -> None:
    es = [
        entry("many-articles-1", 25, "A", 8),
        entry("many-articles-2", 25, "A", 9),
        entry("many-articles-3", 25, "A", 10),
        entry("two-outlets-1", 25, "A", 8),
        entry("two-outlets-2", 25, "B", 9),
        entry("recent", 25, "C", 20),
        entry("early", 25, "C", 6),
        entry("tie-b", 25, "D", 7),
        entry("tie-a", 25, "D", 7),
    ]
    groups = [(0, 1, 2), (3, 4), (5,), (6,), (7,), (8,)]
    told = compose([Member(e.article, e.summary) for e in es], groups, [[] for _ in es])
    (ed,) = editions(es, told, EditionsConfig(), SiteConfig())
    assert [it.story.slug for it in ed.items] == [
        "two-outlets-1",  # 2 outlets
        "many-articles-1",  # 1 outlet, 3 articles
        "recent",  # 1 article, newest
        "tie-a",  # same time: by slug
        "tie-b",
        "early",
    ]


def test_a_story_over_two_days_is_in_both_editions_with_prev_next() -> None:
    es = [entry("day-one", 24, "A"), entry("day-two", 25, "B"), entry("other", 26, "C")]
    told = compose([Member(e.article, e.summary) for e in es], [(0, 1), (2,)], [[], [], []])
    eds = editions(es, told, EditionsConfig(), SiteConfig())
    assert [ed.key for ed in eds] == ["2026-11-26", "2026-11-25", "2026-11-24"]
    assert eds[1].items[0].story.slug == "day-one"
    assert [e.article.slug for e in eds[1].items[0].entries] == ["day-two"]
    assert eds[1].items[0].more == 1
    assert eds[1].prev == "editions/2026-11-24/" and eds[1].next == "editions/2026-11-26/"
    assert eds[0].next is None and eds[-1].prev is None
    weekly = editions(es, told, EditionsConfig(period="weekly"), SiteConfig())
    assert [ed.key for ed in weekly] == ["2026-W48"] and len(weekly[0].items) == 2


def test_edition_pages_index_and_front_page(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    run(root)
    out = root / "public"
    page = (out / "editions/2026-11-25/index.html").read_text(encoding="utf-8")
    assert "Wednesday, 25 November 2026" in page
    # the bridge story (2 outlets that day) comes before the moth article (1)
    assert page.index("stories/bridge-closed/") < page.index("science/moths/")
    assert 'rel="prev" href="/editions/2026-11-24/"' in page
    assert 'rel="next" href="/editions/2026-11-26/"' in page
    assert 'href="/editions/2026-11-25/email.html"' in page
    assert 'type="application/atom+xml" title="Story Test · Editions (Atom)"' in page
    assert len(page.encode()) < 11_000 and 'class="skip"' in page
    # the bridge story goes on on the 26th: this edition shows its 25 November date
    bridge = page[page.index("stories/bridge-closed/") :].split("</article>")[0]
    assert "25 November 2026" in bridge and "26 November" not in bridge
    index = (out / "editions/index.html").read_text(encoding="utf-8")
    assert index.index("2026-11-26") < index.index("2026-11-25") < index.index("2026-11-24")
    front = (out / "index.html").read_text(encoding="utf-8")
    assert front.count('class="edition"') == 1 and "/editions/2026-11-26/" in front  # default
    assert 'href="/editions/2026-11-25/"' in front  # older editions
    (root / "site.yaml").write_text(CONFIG + "front:\n  days: 3\n")
    run(root)
    front = (out / "index.html").read_text(encoding="utf-8")
    assert front.count('class="edition"') == 3


def test_weekly_editions(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s", config=CONFIG + "editions: weekly\n")
    run(root)
    out = root / "public"
    assert (out / "editions/2026-W48/index.html").is_file()
    assert (out / "editions/2026-W48/email.txt").is_file()
    assert not (out / "editions/2026-11-25").exists()


def test_bad_editions_setting_is_a_config_error(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s", config=CONFIG + "editions: monthly\nfront:\n  days: 0\n")
    try:
        load_config(root / "site.yaml")
    except Exception as exc:
        text = str(getattr(exc, "problems", exc))
        assert "editions" in text and "front.days" in text
    else:
        raise AssertionError("expected a config error")


def test_edition_feeds_one_entry_per_edition(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    run(root)
    out = root / "public"
    atom = ET.parse(out / "editions/feed.xml").getroot()
    entries = atom.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        f"https://news.example.org/editions/2026-11-{d}/" for d in (26, 25, 24)
    ]
    content = entries[1].findtext(f"{ATOM}content") or ""
    assert "Kestrel Bridge" in content and "<h3>" in content  # headlines and summaries
    assert entries[1].findtext(f"{ATOM}updated") == "2026-11-25T15:00:00Z"  # from content
    rss = ET.parse(out / "editions/rss.xml").getroot()
    items = rss.findall("channel/item")
    assert len(items) == 3 and items[0].findtext("link") == entries[0].findtext(f"{ATOM}id")
    assert "Kestrel Bridge" in (items[1].findtext("description") or "")


def test_editions_are_deterministic(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    run(root, output=tmp_path / "a", use_cache=False)
    run(root, output=tmp_path / "b", use_cache=False, jobs=2)
    for rel in ("editions/feed.xml", "editions/rss.xml", "stories.json", "index.html"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_an_edition_never_shows_a_later_headline() -> None:
    es = [entry("early-report", 24, "A"), entry("hub-report", 25, "B"), entry("side", 25, "C")]
    nb = [[(1, 0.5)], [(0, 0.5), (2, 0.5)], [(1, 0.5)]]
    told = compose([Member(e.article, e.summary) for e in es], [(0, 1, 2)], nb)
    assert told.all[0].title == "hub-report"  # the most central
    eds = editions(es, told, EditionsConfig(), SiteConfig())
    day24, day25 = eds[-1].items[0], eds[0].items[0]
    assert [e.article.slug for e in day24.entries] == ["early-report"]
    assert day24.title == "early-report"  # the headline article is of the 25th
    assert day24.lead == "About early-report."
    assert day25.title == "hub-report" and day25.lead != "About early-report."


def test_a_sessions_editions_after_a_story_changes_are_a_cold_builds() -> None:
    """An edit that changes stories (two merged into one, with another headline) makes
    the editions again from the last build's for the days those stories are on only, and
    they are what a cold build makes; a day of untouched stories keeps its Edition."""
    from digest.editions import Kept, _again

    es = [
        entry("quiet-day", 23, "A"),
        entry("storm-warning", 24, "A", 8),
        entry("storm-lands", 25, "B", 9),
        entry("flood-relief", 25, "C", 10),
        entry("market-dip", 25, "A", 11),
        entry("market-rebound", 26, "D", 9),
    ]
    members = [Member(e.article, e.summary) for e in es]
    nb = [[] for _ in es]
    before = compose(members, [(0,), (1, 2), (3,), (4, 5)], nb)
    keep: list[Kept] = []
    first = editions(es, before, EditionsConfig(), SiteConfig(), keep=keep)
    # the flood joins the storm's story; the market story is as it was
    after = compose(members, [(0,), (1, 2, 3), (4, 5)], nb)
    es2 = list(es)
    es2[3] = entry("flood-relief", 25, "C", 10)  # (its entry is another object)
    got = _again(es2, after, EditionsConfig(), keep[0])
    assert got is not None
    cold = editions(es2, after, EditionsConfig(), SiteConfig())
    assert got[0] == cold
    by_key = {ed.key: ed for ed in got[0]}
    assert by_key["2026-11-23"] is first[-1]  # (no story of that day changed)
    day25 = [it.story.slug for it in by_key["2026-11-25"].items]
    assert day25 == [it.story.slug for it in cold[1].items] and "flood-relief" not in day25
    # and through editions(): the same, kept for the next edit
    keep2: list[Kept] = []
    again = editions(es2, after, EditionsConfig(), SiteConfig(), kept=keep[0], keep=keep2)
    assert again == cold and keep2[0].at is not None
