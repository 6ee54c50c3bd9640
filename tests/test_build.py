"""End-to-end: a small fixture site built by `digest build`."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from conftest import write_site

from digest.cli import main


def page_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def build(site: Path, *args: str) -> int:
    return main(["build", "--config", str(site / "site.yaml"), "-q", *args])


def test_build_writes_complete_site(site: Path) -> None:
    assert build(site) == 0
    out = site / "public"
    for rel in [
        "index.html",
        "404.html",
        "articles.json",
        "archive/index.html",
        "tags/index.html",
        "tags/harbour/index.html",
        "world/index.html",
        "science/index.html",
        "world/harbour-wall/index.html",
        "static/style.css",
    ]:
        assert (out / rel).is_file(), rel


def test_articles_json_summaries_are_verbatim_on_the_page(site: Path) -> None:
    assert build(site) == 0
    out = site / "public"
    data = json.loads((out / "articles.json").read_text(encoding="utf-8"))
    arts = data["articles"]
    assert [a["slug"] for a in arts] == [
        "moth-followup",
        "harbour-funding",
        "moth-survey",
        "harbour-wall",
    ]  # newest first
    for a in arts:
        assert set(a) >= {
            "slug",
            "url",
            "title",
            "date",
            "section",
            "tags",
            "source",
            "source_url",
            "summary",
            "related",
        }
        assert a["summary"], a["slug"]
        text = page_text(out / a["url"].lstrip("/") / "index.html")
        for sentence in a["summary"]:
            assert sentence in text, (a["slug"], sentence)
    wall = next(a for a in arts if a["slug"] == "harbour-wall")
    assert wall["date"] == "2026-03-01T00:00:00+00:00"
    assert wall["section"] == "World"
    assert wall["url"] == "/world/harbour-wall/"
    assert wall["related"][0]["slug"] == "harbour-funding"
    assert 0 < wall["related"][0]["score"] <= 1
    assert not any("Boats will move" in s for s in wall["summary"])  # lists never summarized
    manual = next(a for a in arts if a["slug"] == "moth-followup")
    assert manual["summary"] == ["Volunteers will repeat the moth survey in the autumn."]


def test_article_page_has_summary_related_and_attribution(site: Path) -> None:
    assert build(site) == 0
    page = (site / "public/world/harbour-wall/index.html").read_text(encoding="utf-8")
    box = page.split('<h2 id="summary-heading">Key points</h2>')[1].split("</section>")[0]
    assert "Work to repair" not in box and "Work to repair" in page  # never the lede again
    assert "Related" in page and 'href="/world/harbour-funding/"' in page
    assert 'href="https://example.com/harbour-wall"' in page
    assert "Ellis Gazette (test)" in page


def test_subpath_base_url_is_honoured_by_every_link(site: Path) -> None:
    assert build(site, "--base-url", "https://user.github.io/repo/") == 0
    out = site / "public"
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for link in re.findall(r'(?:href|src)="(/[^"]*)"', text):
            assert link.startswith("/repo/"), (page, link)
    data = json.loads((out / "articles.json").read_text())
    assert data["articles"][0]["url"].startswith("/repo/")


def test_pagination(tmp_path: Path) -> None:
    articles = {
        f"news/2026-01-{d:02d}-item-{d}.md": f"---\ntitle: Item {d}\n---\nStory number {d} "
        f"happened today in the town. People talked about story {d} all day.\n"
        for d in range(1, 8)
    }
    root = write_site(tmp_path, articles, "title: T\npagination:\n  size: 3\n")
    assert build(root) == 0
    out = root / "public"
    assert (out / "news/page/2/index.html").is_file() and (out / "news/page/3/index.html").is_file()
    assert not (out / "news/page/4").exists()
    first = (out / "news/index.html").read_text()
    assert first.count('class="entry"') == 3 and 'href="/news/page/2/"' in first
    # the front page is not paginated: it shows the latest edition (front.days, 1)
    assert not (out / "page").exists()
    front = (out / "index.html").read_text()
    assert front.count('class="edition"') == 1 and 'href="/editions/2026-01-06/"' in front


def test_drafts_left_out_unless_asked(site: Path) -> None:
    (site / "content/world/2026-03-09-draft.md").write_text(
        "---\ntitle: Secret draft\ndraft: true\n---\nNot ready yet. Still being written.\n"
    )
    assert build(site) == 0
    assert not (site / "public/world/draft").exists()
    assert build(site, "--drafts") == 0
    assert (site / "public/world/draft/index.html").is_file()


def test_files_no_longer_produced_are_removed(site: Path) -> None:
    assert build(site) == 0
    assert (site / "public/science/moth-survey/index.html").exists()
    (site / "content/science/2026-03-03-moth-survey.md").unlink()
    assert build(site) == 0
    assert not (site / "public/science/moth-survey").exists()


def test_failed_build_leaves_previous_site_untouched(site: Path) -> None:
    assert build(site) == 0
    before = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    (site / "content/world/bad.md").write_text("---\ntitle: Bad\ndate: yesterday\n---\nText.\n")
    assert build(site) == 1
    after = {p: p.read_bytes() for p in (site / "public").rglob("*") if p.is_file()}
    assert after == before


def test_same_input_gives_byte_identical_output(site: Path, tmp_path: Path) -> None:
    assert build(site, "--output", str(tmp_path / "a")) == 0
    assert build(site, "--output", str(tmp_path / "b")) == 0
    a = {
        p.relative_to(tmp_path / "a"): p.read_bytes()
        for p in (tmp_path / "a").rglob("*")
        if p.is_file()
    }
    b = {
        p.relative_to(tmp_path / "b"): p.read_bytes()
        for p in (tmp_path / "b").rglob("*")
        if p.is_file()
    }
    assert a == b and len(a) > 10


def test_file_without_front_matter_uses_heading_and_file_name_date(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {"2026-02-14-plain.md": "# A plain title\n\nThe body has two sentences. It is short.\n"},
        "title: T\n",
    )
    assert build(root) == 0
    data = json.loads((root / "public/articles.json").read_text())
    a = data["articles"][0]
    assert a["title"] == "A plain title" and a["date"].startswith("2026-02-14")
    assert a["slug"] == "plain" and a["url"] == "/plain/"
    page = (root / "public/plain/index.html").read_text()
    assert page.count("A plain title</h1>") == 1  # heading not repeated in the body
