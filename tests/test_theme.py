"""What readers see: key points never repeat the lede, quotes keep their speaker,
list summaries fit the word budget, article_body, images, tags, titles, the error page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.config import SummaryConfig
from digest.serve import State, error_page
from digest.summarize import candidates, summarize
from digest.summarize.keypoints import (
    has_attribution,
    is_quote,
    lede_end,
    with_attributions,
    within_words,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ex") / "public"
    subprocess.run(
        [sys.executable, "-m", "digest", "build", "--output", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return out


def _example_articles():
    from digest import load
    from digest.config import load_config
    from digest.errors import Problems

    cfg = load_config(REPO / "site.yaml")
    problems = Problems()
    defaults = load.folder_defaults(cfg.content, problems)
    got = [
        load.load_one(src, cfg.content, defaults) for src in load.discover(cfg.content, problems)
    ]
    return [g.article for g in got if g.article is not None], cfg


def test_key_points_never_repeat_the_lede_on_the_example_site() -> None:
    articles, cfg = _example_articles()
    assert len(articles) >= 17
    boxes = 0
    for a in articles:
        s = summarize(a, cfg.summary)
        sentences, pids = candidates(a)
        lede = sentences[: lede_end(pids)]
        for k in s.key_points:
            assert not any(k in x or x in k for x in lede), (a.path, k)
        assert not s.key_points or len(s.key_points) >= 2
        boxes += bool(s.key_points)
    assert boxes >= len(articles) // 2  # most articles still get a box


def test_quotes_come_with_their_attribution_on_the_example_site() -> None:
    articles, cfg = _example_articles()
    for a in articles:
        s = summarize(a, cfg.summary)
        sentences, _ = candidates(a)
        for shown in (s.sentences, s.key_points):
            for text in shown:
                if is_quote(text):
                    i = sentences.index(text)
                    near = {sentences[j] for j in (i - 1, i + 1) if 0 <= j < len(sentences)}
                    assert any(n in shown and has_attribution(n) for n in near), (a.path, text)
        # a quote left out for want of room gives its place to another sentence (the
        # estuary article's quote pair did not fit in 3 and left it 2 sentences long)
        if "estuary-sediment" in a.path:
            assert len(s.sentences) == cfg.summary.sentences == 3, s.sentences


def test_quote_rule() -> None:
    s = [
        "The council met on Monday.",
        '"Nobody wants masts here," said Agnes Whitlow, who chairs the council.',
        '"We are asking them to think again."',
        '"A bare quote with nobody named."',
    ]
    assert with_attributions([2], s, [0, 1, 1, 2]) == [1, 2]
    assert with_attributions([3], s, [0, 1, 1, 2]) == []
    assert with_attributions([0], s, [0, 1, 1, 2]) == [0]


def test_word_budget_keeps_whole_sentences() -> None:
    s = ["one two three four five.", "six seven eight.", "nine ten eleven twelve."]
    assert within_words(s, 8) == s[:2]
    assert within_words(s, 2) == s[:1]  # the first sentence always
    assert SummaryConfig().words == 45


def test_pages(example: Path) -> None:
    front = (example / "index.html").read_text()
    assert front.count('class="entry lead-story') == 1 and "story-grid" in front
    assert 'href="/static/favicon.svg"' in front and (example / "static/favicon.svg").is_file()
    assert (
        'class="feed-links"' in front
        and 'class="feed-links"' in (example / "world/index.html").read_text()
    )
    assert "<title>World (page 2) · " in (example / "world/page/2/index.html").read_text()
    tag = (example / "tags/kestrel-bridge/index.html").read_text()
    assert '<h1 class="page-title">Kestrel Bridge</h1>' in tag
    article = (example / "world/northwind-rail-valley-towns-react/index.html").read_text()
    assert "Key points" in article and "Read at Dunmere Valley Gazette" in article
    scraped = (example / "uk-news/larkmoor-sandbags/index.html").read_text()
    assert "Read the full article at Coastal Wire" in scraped and 'class="body"' not in scraped
    assert ">UK News</a></li>" not in scraped.split('aria-label="Tags"')[1][:600]
    archive = (example / "archive/index.html").read_text()
    assert '<h2 id="year-2026"' in archive and '<h3 id="month-2026-11">November</h3>' in archive


def _site(tmp_path: Path, front: str, static: bool) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.yaml").write_text('title: "T"\n')
    (tmp_path / "content" / "a.md").write_text(
        f'---\ntitle: "A"\ndate: 2026-01-01\n{front}\n---\nSome text here about a harbour.\n'
    )
    if static:
        (tmp_path / "static" / "images").mkdir(parents=True)
        (tmp_path / "static" / "images" / "x.jpg").write_bytes(b"\xff\xd8")
    return tmp_path


def _build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", "build", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def test_image_from_static_folder_with_alt(tmp_path: Path) -> None:
    root = _site(tmp_path, 'image: /images/x.jpg\nimage_alt: "A harbour wall"', static=True)
    r = _build(root)
    assert r.returncode == 0, r.stderr
    assert "not found" not in r.stderr
    front = (root / "public" / "index.html").read_text()
    assert 'src="/static/images/x.jpg" alt="A harbour wall" width=' in front


def test_missing_local_image_warns_and_fails_strict(tmp_path: Path) -> None:
    root = _site(tmp_path, "image: /images/missing.jpg", static=False)
    r = _build(root)
    assert r.returncode == 0 and "image '/images/missing.jpg' not found" in r.stderr
    assert _build(root, "--strict").returncode != 0


def test_image_added_to_static_after_a_build_is_picked_up(tmp_path: Path) -> None:
    """The image check reads static/: adding the file later must redo the article (a
    cached article would keep the unresolved path and the warning)."""
    root = _site(tmp_path, "image: /images/x.jpg", static=False)
    assert "not found" in _build(root).stderr
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "x.jpg").write_bytes(b"\xff\xd8")
    r = _build(root)
    assert r.returncode == 0 and "not found" not in r.stderr
    assert 'src="/static/images/x.jpg"' in (root / "public" / "index.html").read_text()


def test_article_body_summary_per_site(tmp_path: Path) -> None:
    root = _site(tmp_path, 'source: "Gazette"\nsource_url: "https://example.org/a"', False)
    (root / "site.yaml").write_text('title: "T"\narticle_body: summary\n')
    assert _build(root).returncode == 0
    page = (root / "public" / "a" / "index.html").read_text()
    assert "Read the full article at Gazette" in page and 'class="body"' not in page


def test_error_page_dark_mode_and_main() -> None:
    page = error_page(State("x", None, "/", problems=("content/a.md:1: bad",))).decode()
    assert "<main>" in page and "prefers-color-scheme: dark" in page
