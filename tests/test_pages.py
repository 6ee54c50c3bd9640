"""Standalone pages: content/pages/ and `type: page` (About, Contact)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest import scaffold
from tests.conftest import ARTICLES, run_build, write_site

ABOUT = """\
    ---
    title: "About this digest"
    weight: 2
    description: "Who we are."
    ---
    This digest collects the news of Port Ellis and the Ellis valley.
    """
CONTACT = """\
    +++
    title = "Contact"
    weight = 1
    +++
    Write to us at the harbour office.
    """
JEKYLL_PAGE = """\
    ---
    title: Colophon
    layout: page
    weight: 3
    ---
    Built with digest.
    """


def _site(tmp_path: Path) -> Path:
    return write_site(
        tmp_path / "s",
        {
            **ARTICLES,
            "pages/about.md": ABOUT,
            "pages/contact.md": CONTACT,
            "colophon.md": JEKYLL_PAGE,
        },
    )


def test_pages_build_without_dates_and_are_in_the_menu(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = _site(tmp_path)
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert "warning" not in err
    out = root / "public"
    about = (out / "about" / "index.html").read_text()
    assert "Port Ellis and the Ellis valley" in about
    assert 'class="summary"' not in about and 'class="related"' not in about
    home = (out / "index.html").read_text()
    nav = home[home.index('<nav aria-label="Sections">') : home.index("</nav>")]
    # in the menu by weight: Contact (1), About (2), Colophon (3)
    assert nav.index("Contact") < nav.index("About this digest") < nav.index("Colophon")
    assert 'href="/about/"' in nav and 'href="/colophon/"' in nav


def test_pages_are_in_no_feed_archive_sitemap_or_articles_json(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = _site(tmp_path)
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    out = root / "public"
    for f in ("feed.xml", "rss.xml", "feed.json", "sitemap.xml", "archive/index.html"):
        if (out / f).exists():
            text = (out / f).read_text()
            text = text.split('<main id="main">', 1)[-1]  # the menu links pages everywhere
            assert "about/" not in text and "Colophon" not in text, f
    records = json.loads((out / "articles.json").read_text())
    urls = json.dumps(records)
    assert "about/" not in urls and "contact/" not in urls
    assert "About this digest" not in (out / "index.html").read_text().split("</nav>", 1)[1]


def test_page_template_can_be_overridden(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = _site(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text("PAGE {{ article.title }}\n")
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert (root / "public" / "about" / "index.html").read_text() == "PAGE About this digest\n"


def test_page_and_article_on_one_url_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "pages/about.md": ABOUT,
            "2026-03-01-about.md": "---\ntitle: About news\n---\nSome news text here today.\n",
        },
    )
    rc, err = run_build(root, capsys)
    assert rc != 0 and "/about/" in err


def test_init_writes_an_about_page_listing_sources() -> None:
    files = scaffold.files()
    about = files["content/pages/about.md"]
    assert "title:" in about and "date:" not in about
    assert "digest" in about.lower()


def test_root_level_about_is_a_page_dated_articles_stay_articles(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            **ARTICLES,
            # Hugo's content/about.md: dated, with aliases, directly in content/
            "about.md": '+++\ntitle = "About"\ndate = "2014-04-09"\ntags = ["x"]\n'
            'aliases = ["about-us"]\n+++\nThis digest follows the valley.\n',
            "contact.fr.md": '+++\ntitle = "Contact"\n+++\nEcrivez-nous.\n',
            "2026-03-01-mill-reopens.md": "---\ntitle: Mill reopens\n---\n"
            "The old mill reopened on Saturday after a year of repairs to its wheel.\n",
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    out = root / "public"
    nav = (out / "index.html").read_text().split("</nav>")[0]
    assert 'href="/about/"' in nav and 'href="/contact-fr/"' in nav
    assert (out / "about-us" / "index.html").is_file()
    feeds = (out / "feed.xml").read_text() + (out / "articles.json").read_text()
    assert "/about/" not in feeds and "Mill reopens" in feeds
    assert (out / "mill-reopens" / "index.html").is_file()
