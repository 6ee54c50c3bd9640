"""Feeds (Atom, RSS, JSON Feed), sitemap, robots.txt, GitHub Pages files, discovery."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from digest.build import BuildOptions, build
from digest.config import load_config
from digest.feeds import FEED_ITEMS, JSON_FEED_VERSION

BASE = "https://user.github.io/repo/"

ARTICLES = {
    "world/2026-03-01-harbour-wall.md": """\
        ---
        title: "Harbour wall repairs begin in Port Ellis"
        date: 2026-03-01
        author: "Desk"
        tags: [harbour, repairs]
        source_url: "https://example.com/harbour-wall"
        ---
        Work to repair the harbour wall in Port Ellis began on Monday after winter storms cracked the old stone.

        The council said the repairs would cost £2.4m and take about eight months to finish.

        Fishing boats will moor at the north quay while the harbour wall is closed, the harbour master said.
        """,
    "world/2026-03-05-harbour-funding.md": """\
        ---
        title: "Tom & Jerry's <script>alert(1)</script> \\"quoted\\" harbour ]]> story"
        date: 2026-03-05
        updated: 2026-03-09
        tags: ["a&b", "<tag>"]
        ---
        The national government has added £600,000 to the budget for the <harbour> wall & more.

        Council leaders said the extra money would pay for a stronger concrete core inside the old stone harbour wall.
        """,
    "science/2026-03-03-moth-survey.md": """\
        ---
        title: "Volunteers count a record number of moths"
        date: 2026-03-03
        tags: [wildlife]
        ---
        Volunteers in the Ellis valley counted more moths this year than in any survey since records began.

        The survey found 312 species, up from 280 two years ago. Dr. Ana Ruiz said the warm spring had helped.
        """,
}


def make_site(root: Path, config: str, articles: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for rel, text in (ARTICLES if articles is None else articles).items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


CONFIG = """\
    title: "Feeds & <Tests>"
    description: "Testing feeds"
    base_url: "https://user.github.io/repo/"
    related:
      min_score: 0.05
    """


def build_site(root: Path, out: Path, **kw) -> Path:
    build(load_config(root / "site.yaml", **kw), BuildOptions(output=out))
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("feeds")
    site = make_site(tmp / "site", CONFIG)
    return build_site(site, tmp / "out")


def parse(path: Path):
    feedparser = pytest.importorskip("feedparser", reason="pip install feedparser")
    d = feedparser.parse(path.read_bytes())
    assert not d.bozo, f"{path.name}: {d.get('bozo_exception')}"
    return d


@pytest.mark.parametrize("folder", ["", "world/", "science/"])
@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_xml_feeds_parse_cleanly_newest_first_with_summaries(out: Path, folder: str, name: str):
    d = parse(out / folder / name)
    assert d.feed.title.startswith("Feeds & <Tests>")
    entries = d.entries
    assert entries, name
    expected = {"": 3, "world/": 2, "science/": 1}[folder]
    assert len(entries) == expected
    dates = [e.published_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)
    for e in entries:
        assert e.link.startswith(BASE + folder)
        assert e.summary.strip()
    self_links = [link.href for link in d.feed.get("links", []) if link.get("rel") == "self"]
    assert self_links == [BASE + folder + name]


def test_feeds_escape_everything(out: Path):
    d = parse(out / "feed.xml")
    titles = [e.title for e in d.entries]
    assert 'Tom & Jerry\'s <script>alert(1)</script> "quoted" harbour ]]> story' in titles
    raw = (out / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw
    for name in ("rss.xml", "sitemap.xml", "world/feed.xml", "world/rss.xml"):
        ET.fromstring((out / name).read_bytes())  # well-formed
    data = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert any("<script>" in i["title"] for i in data["items"])


@pytest.mark.parametrize("folder", ["", "world/", "science/"])
def test_json_feed_1_1(out: Path, folder: str):
    data = json.loads((out / folder / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == JSON_FEED_VERSION == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and data["title"]
    assert data["home_page_url"] == BASE + folder
    assert data["feed_url"] == BASE + folder + "feed.json"
    assert isinstance(data["items"], list) and data["items"]
    ids = [i["id"] for i in data["items"]]
    assert len(ids) == len(set(ids))
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert ("content_html" in item) or ("content_text" in item)
        assert item["content_text"].strip()
        assert item["url"].startswith(BASE)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["date_published"])
        for a in item.get("authors", []):
            assert a["name"]
    pub = [i["date_published"] for i in data["items"]]
    assert pub == sorted(pub, reverse=True)


def test_feed_updated_is_newest_article_date(out: Path):
    raw = (out / "feed.xml").read_text(encoding="utf-8")
    # the newest change is the `updated: 2026-03-09` of the funding article
    assert "<updated>2026-03-09T00:00:00Z</updated>" in raw.split("<entry>")[0]
    science = (out / "science/feed.xml").read_text(encoding="utf-8")
    assert "<updated>2026-03-03T00:00:00Z</updated>" in science.split("<entry>")[0]
    rss = (out / "rss.xml").read_text(encoding="utf-8")
    assert "<lastBuildDate>Mon, 09 Mar 2026 00:00:00 +0000</lastBuildDate>" in rss


def test_output_is_deterministic(tmp_path: Path):
    site = make_site(tmp_path / "site", CONFIG)
    a = build_site(site, tmp_path / "a")
    b = build_site(site, tmp_path / "b")
    for name in ("feed.xml", "rss.xml", "feed.json", "sitemap.xml", "world/feed.xml"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_no_articles_uses_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site = make_site(tmp_path / "site", CONFIG, articles={})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = build_site(site, tmp_path / "out")
    assert "<updated>2023-11-14T22:13:20Z</updated>" in (out / "feed.xml").read_text()
    parse(out / "feed.xml")
    parse(out / "rss.xml")
    assert json.loads((out / "feed.json").read_text())["items"] == []


def test_feed_item_limit(tmp_path: Path):
    articles = {
        f"news/2026-01-{d:02d}-item-{d}.md": f"""\
            ---
            title: "Item {d}"
            date: 2026-01-{d:02d}
            ---
            Item number {d} is one of many short articles written for this test today.

            It has a second paragraph so that the summarizer has two sentences to use.
            """
        for d in range(1, FEED_ITEMS + 6)
    }
    out = build_site(make_site(tmp_path / "site", CONFIG, articles), tmp_path / "out")
    d = parse(out / "feed.xml")
    assert len(d.entries) == FEED_ITEMS
    assert d.entries[0].title == f"Item {FEED_ITEMS + 5}"


def test_sitemap_and_robots(out: Path):
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert BASE in locs and BASE + "world/harbour-wall/" in locs
    assert BASE + "science/" in locs and BASE + "archive/" in locs
    for loc in locs:
        assert loc.startswith(BASE)
        rel = loc[len(BASE) :]
        assert (out / rel / "index.html").is_file(), loc
    for u in root.findall("s:url", ns):
        assert u.findtext("s:lastmod", namespaces=ns)
    robots = (out / "robots.txt").read_text()
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_relative_base_url_keeps_site_relative_urls(tmp_path: Path):
    site = make_site(tmp_path / "site", CONFIG.replace("https://user.github.io/repo/", "/"))
    out = build_site(site, tmp_path / "out")
    page = (out / "world/harbour-wall/index.html").read_text()
    assert '<link rel="canonical" href="/world/harbour-wall/">' in page
    assert "Sitemap:" not in (out / "robots.txt").read_text()
    parse(out / "feed.xml")


def test_github_pages_files(tmp_path: Path, out: Path):
    assert (out / ".nojekyll").is_file()
    assert not (out / "CNAME").exists()
    site = make_site(tmp_path / "site", CONFIG + 'cname: "news.example.org"\n')
    out2 = build_site(site, tmp_path / "out")
    assert (out2 / "CNAME").read_text() == "news.example.org\n"


def _head(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_discovery_links_on_every_page(out: Path):
    pages = sorted(p for p in out.rglob("*.html") if p.name != "email.html")  # not web pages
    assert len(pages) > 5
    for p in pages:
        head = _head(p.read_text(encoding="utf-8"))
        for name, mime in (
            ("feed.xml", "application/atom+xml"),
            ("rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
        ):
            assert f'type="{mime}"' in head and f'href="/repo/{name}"' in head, p


def test_section_pages_announce_section_feeds(out: Path):
    head = _head((out / "world/index.html").read_text(encoding="utf-8"))
    for name in ("feed.xml", "rss.xml", "feed.json"):
        assert f'href="/repo/world/{name}"' in head
    article = _head((out / "world/harbour-wall/index.html").read_text(encoding="utf-8"))
    assert 'href="/repo/world/feed.xml"' not in article


def test_canonical_and_social_meta_are_absolute(out: Path):
    head = _head((out / "world/harbour-wall/index.html").read_text(encoding="utf-8"))
    assert f'<link rel="canonical" href="{BASE}world/harbour-wall/">' in head
    assert f'<meta property="og:url" content="{BASE}world/harbour-wall/">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert 'name="twitter:title" content="Harbour wall repairs begin in Port Ellis"' in head
    assert "canonical" not in _head((out / "404.html").read_text(encoding="utf-8"))


def test_articles_json_format_is_unchanged(out: Path):
    data = json.loads((out / "articles.json").read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert set(data) == {"version", "title", "base_url", "articles"}
    assert set(data["articles"][0]) == {
        "slug", "url", "title", "date", "updated", "author", "section", "tags", "source",
        "source_url", "description", "credit", "image", "summary", "summary_method", "related",
        "story",  # added by issue 13 (a new key: version 1 readers are unaffected)
    }  # fmt: skip


def test_feed_and_sitemap_dates_are_strftimes_utc_text() -> None:
    """Feed and sitemap dates (_rfc3339, an f-string) are what strftime wrote: the
    instant in UTC for an aware date, a naive one's own fields, seconds without their
    fraction, for any year."""
    from datetime import datetime, timedelta, timezone

    from digest.feeds import _rfc3339

    zones = [
        None,
        timezone.utc,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(-timedelta(hours=11)),
    ]
    moments = [
        datetime(2005, 1, 13, 9, 5, 7),
        datetime(1999, 12, 31, 23, 59, 59, 999_999),
        datetime(2024, 2, 29, 0, 0, 0, 1),
        datetime(1000, 1, 1, 12),
        datetime(9999, 12, 31, 12),
        datetime(999, 6, 1, 3, 4, 5),
        datetime(1, 1, 2),
    ]
    for m in moments:
        for z in zones:
            d = m.replace(tzinfo=z)
            u = d.astimezone(timezone.utc) if z else d.replace(tzinfo=timezone.utc)
            assert _rfc3339(d) == u.strftime("%Y-%m-%dT%H:%M:%SZ"), d
