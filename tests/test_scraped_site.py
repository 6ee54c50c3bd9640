"""Scraped .txt/.html articles dropped into content/ become clean article pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import write_site

from digest.cli import main

SCRAPED = (
    "\n\n".join(
        [
            "Middle EastDiplomacyTrade",
            "Envoys from Avaria and Brenholt agree to resume border trade talks",
            "Negotiators discussed 'reopening the crossings' and a 'shared customs office'",
            "Envoys from Avaria and Brenholt met in the port city of Sardu on Friday and agreed to "
            "resume talks on reopening border trade, the Avarian foreign ministry said Saturday.",
            "The meeting was the first between senior officials of the two countries since the "
            "crossings closed in March.",
            "During the talks, both sides discussed “reopening the crossings” and a “shared customs "
            "office,” a ministry statement said.",
            "Traders on both sides of the border have lost millions since the closure, according to "
            "the regional chamber of commerce.",
            "A spokesperson for Brenholt's government declined to comment on the statement.",
            "Brenholt port workers strike over pay",
            "With reporting from Wire Agency",
            "Related Articles",
            "Back to top button",
        ]
    )
    + "\n"
)
CLUTTER = ["Brenholt port workers strike over pay", "Related Articles", "Back to top button"]


def build(root: Path) -> int:
    # these tests read the cleaned body on the page: show it (scraped pages default to summary)
    cfg = root / "site.yaml"
    if "article_body:" not in cfg.read_text(encoding="utf-8"):
        with cfg.open("a", encoding="utf-8") as f:
            f.write("\narticle_body: full\n")
    return main(["build", "--config", str(cfg), "-q"])


def test_scraped_text_becomes_a_clean_article(tmp_path: Path) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    (root / "content/2026-06-01-border-talks.txt").write_text(SCRAPED, encoding="utf-8")
    assert build(root) == 0
    out = root / "public"
    data = json.loads((out / "articles.json").read_text())
    a = data["articles"][0]
    assert a["title"] == "Envoys from Avaria and Brenholt agree to resume border trade talks"
    assert a["description"].startswith("Negotiators discussed")
    assert a["section"] == "Middle East" and a["tags"][:2] == [
        "Diplomacy",
        "Trade",
    ]  # not the section again
    assert a["credit"] == "With reporting from Wire Agency"
    page = (out / a["url"].lstrip("/") / "index.html").read_text()
    assert '<p class="standfirst">Negotiators discussed' in page
    assert "With reporting from Wire Agency" in page
    everything = page + json.dumps(data)
    for line in CLUTTER:
        assert line not in everything, line
    body = re.search(r'<div class="body">(.*?)</div>', page, re.S).group(1)
    assert "Negotiators discussed" not in body  # standfirst not duplicated in the body
    for s in a["summary"]:
        assert s in body or s.replace("'", "&#39;") in body


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_scraped_text_in_other_encodings(tmp_path: Path, encoding: str) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    text = SCRAPED.replace("Sardu", "Sardú")
    if encoding == "cp1252":
        text = text.replace("“", '"').replace("”", '"')
    (root / "content/2026-06-01-border-talks.txt").write_bytes(text.encode(encoding))
    assert build(root) == 0
    data = json.loads((root / "public/articles.json").read_text())
    assert data["articles"][0]["title"].startswith("Envoys from Avaria")
    assert "Sardú" in (root / "public/middle-east/border-talks/index.html").read_text()


def test_front_matter_on_txt_overrides_inference(tmp_path: Path) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    (root / "content/talks.txt").write_text(
        "---\nsource: Wire Agency\nsource_url: https://example.com/talks\ndate: 2026-06-02\n"
        "section: World\n---\n" + SCRAPED,
        encoding="utf-8",
    )
    assert build(root) == 0
    a = json.loads((root / "public/articles.json").read_text())["articles"][0]
    assert (a["source"], a["section"]) == ("Wire Agency", "World")
    assert a["date"].startswith("2026-06-02") and a["url"] == "/world/talks/"


def test_saved_html_page(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    root = write_site(tmp_path, {}, "title: T\n")
    page = """<!DOCTYPE html><html><head><title>Mill reopens as museum | Valley Post</title>
<meta property="og:site_name" content="Valley Post">
<meta property="og:title" content="Old mill reopens as a museum">
<meta property="article:published_time" content="2026-04-03T08:00:00Z">
<link rel="canonical" href="https://example.com/mill-museum">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie">We use cookies. Accept all cookies</div>
<article><h1>Old mill reopens as a museum</h1>
<p>The old wool mill in Hallow Bridge reopened on Saturday as a museum of the valley's textile trade, after a restoration that took six years.</p>
<p>Volunteers repaired the water wheel, which now turns again for the first time since 1962, and rebuilt two of the original looms.</p>
<p>The museum expects about 20,000 visitors in its first year, the trust that runs it said.</p>
</article><aside><h2>Most read</h2><ul><li><a href="/x">Council tax to rise</a></li></ul></aside>
<footer>Copyright 2026 Valley Post. All rights reserved.</footer></body></html>"""
    (root / "content/mill.html").write_text(page, encoding="utf-8")
    assert build(root) == 0
    a = json.loads((root / "public/articles.json").read_text())["articles"][0]
    assert a["title"] == "Old mill reopens as a museum"
    assert a["source"] == "Valley Post" and a["source_url"] == "https://example.com/mill-museum"
    assert a["date"].startswith("2026-04-03")
    html = (root / "public" / a["url"].lstrip("/") / "index.html").read_text()
    assert "water wheel" in html and "Accept all cookies" not in html
    assert "Council tax to rise" not in html and "All rights reserved" not in html
