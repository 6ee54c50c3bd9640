"""Saved HTML and scraped text keep the article's structure: paragraphs, subheadings, lists,
block quotes, simple tables and line breaks, rendered sanitized; summaries still come only
from prose paragraphs.  Fixtures are fictional and small."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

from digest.clean import clean_html_page, clean_scraped_text
from digest.cli import main
from digest.load.scraped import read_html_page, read_scraped_text

PARA = (
    "The harbour board of Velmora voted on Tuesday to rebuild the old north pier, which "
    "storms damaged last winter, and to open it to fishing boats again by the spring."
)
PARA2 = (
    "Board members said the work would take about eight months and would be paid for by a "
    "regional fund, with the town adding a smaller share from its own budget."
)
PARA3 = (
    "Local fishermen welcomed the decision, saying the closure had forced them to land "
    "their catch in a harbour two hours away along the coast for most of the year."
)

PAGE = f"""<!doctype html><html><head><title>Velmora rebuilds its north pier | Coast Daily</title>
<meta property="og:site_name" content="Coast Daily"></head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Velmora rebuilds its north pier</h1>
<p>{PARA}</p>
<h2>What the work involves</h2>
<p>{PARA2}</p>
<ul><li>New timber decking for the whole pier</li><li>Two lifting cranes for boats</li></ul>
<blockquote><p>We have waited a long time for this and the boats need their pier back.</p></blockquote>
<table><tr><th>Phase</th><th>Months</th></tr><tr><td>Piles</td><td>3</td></tr></table>
<p>Harbour office<br>Quay Street 4<br>Velmora</p>
<p>{PARA3}</p>
<p>Script: &lt;script&gt;alert(1)&lt;/script&gt; is only text here, as the page shows it.</p>
</article><footer>Copyright Coast Daily</footer></body></html>"""


def test_html_keeps_headings_lists_quotes_tables_and_breaks() -> None:
    c = clean_html_page(PAGE)
    assert c.body_html is not None
    html = c.body_html
    assert "<h2>What the work involves</h2>" in html
    assert "<li>New timber decking for the whole pier</li>" in html
    assert "<blockquote><p>We have waited a long time" in html
    assert "<th>Phase</th>" in html and "<td>Piles</td>" in html
    assert "Harbour office<br>Quay Street 4<br>Velmora" in html
    # text is escaped, never markup
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_html_paragraphs_are_prose_only_and_breaks_do_not_glue_words() -> None:
    c = clean_html_page(PAGE)
    assert PARA in c.paragraphs and PARA3 in c.paragraphs
    assert "Harbour office Quay Street 4 Velmora" in c.paragraphs  # not "officeQuay"
    assert not any("timber decking" in p or "Phase" in p for p in c.paragraphs)
    assert "What the work involves" not in c.paragraphs


def test_html_reader_gives_html_body() -> None:
    parsed = read_html_page(PAGE, "pier.html")
    assert parsed.body_format == "html"
    assert "<ul>" in parsed.body


def test_text_keeps_subheadings_and_list_items_out_of_paragraphs() -> None:
    text = "\n".join(
        [
            "Velmora rebuilds its north pier",
            PARA,
            "What the work involves",
            PARA2,
            "- New timber decking for the whole pier",
            "- Two lifting cranes for boats",
            PARA3,
        ]
    )
    c = clean_scraped_text(text)
    assert c.title == "Velmora rebuilds its north pier"
    assert c.paragraphs == (PARA, PARA2, PARA3)
    assert c.body_html is not None
    assert "<h3>What the work involves</h3>" in c.body_html
    assert "<li>New timber decking for the whole pier</li>" in c.body_html
    assert read_scraped_text(text, "pier.txt").body_format == "html"


def test_article_page_renders_structure_and_summary_uses_prose(tmp_path: Path) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    (root / "content/2026-03-02-pier.html").write_text(PAGE, encoding="utf-8")
    assert main(["build", "--config", str(root / "site.yaml"), "-q"]) == 0
    pages = list((root / "public").rglob("*pier*/index.html"))
    assert pages, list((root / "public").rglob("index.html"))
    page = pages[0].read_text(encoding="utf-8")
    assert "<h2>What the work involves</h2>" in page
    assert "<li>Two lifting cranes for boats</li>" in page
    assert "<table>" in page and "<blockquote>" in page
    assert "<script>alert" not in page


def test_blocks_inside_a_wrapping_div_are_kept() -> None:
    """trafilatura sometimes wraps the article's blocks in a ``<div>`` under ``<main>``:
    they are the article's all the same (a container's loose text is a paragraph)."""
    from lxml import etree

    from digest.clean.html import _blocks

    xml = (
        "<doc><main><div><p>First paragraph of the story.</p>"
        "<head rend='h2'>A subheading</head><div>Loose text in a box.<list><item>One</item>"
        "<item>Two</item></list></div></div><p>Last paragraph.</p></main></doc>"
    )
    blocks = _blocks(etree.fromstring(xml))
    assert [(b.kind, b.text) for b in blocks] == [
        ("p", "First paragraph of the story."),
        ("h", "A subheading"),
        ("p", "Loose text in a box."),
        ("ul", "One Two"),
        ("p", "Last paragraph."),
    ]
