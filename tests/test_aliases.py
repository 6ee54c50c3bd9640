"""Aliases (Hugo/Zola `aliases`, Jekyll `redirect_from`) become redirect pages; sites
written in Hugo, Zola and Jekyll style build without errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digest.load.keys import site_path
from tests.conftest import run_build, write_site

TEXT = (
    "The harbour board met on Monday and agreed to rebuild the north quay wall. "
    "Work on the quay will start in the spring and take about six months to finish.\n\n"
    "Boats will moor at the south quay while the north quay is closed, the board said.\n"
)

HUGO = {
    "posts/_index.md": '+++\ntitle = "Harbour news"\ndescription = "From the quay"\n+++\n',
    "posts/quay-wall.md": '+++\ntitle = "Quay wall to be rebuilt"\ndate = 2026-03-01T09:00:00Z\n'
    'lastmod = 2026-03-02\ntags = ["harbour"]\ncategories = ["Harbour news", "Works"]\n'
    'aliases = ["/old/quay-wall/", "/2026/03/quay.html"]\nweight = 3\n'
    'images = ["/img/quay.jpg"]\n+++\n' + TEXT + "\n{{< youtube w7Ft2ymGmfc >}}\n\n"
    '{{< figure src="/img/quay.jpg" caption="The north quay" >}}\n\n'
    "{{< highlight go >}}\nx := 1\n{{< /highlight >}}\n",
    "posts/draft.md": '+++\ntitle = "Not yet"\ndate = 2026-03-03\ndraft = true\n+++\n' + TEXT,
    "about.md": '+++\ntitle = "About"\nmenu = "main"\nweight = 1\naliases = ["/about-us/"]\n'
    "+++\nThis digest follows the harbour.\n",
}
ZOLA = {
    "blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n',
    "blog/first.md": '+++\ntitle = "First post"\ndate = 2026-03-01\n'
    'aliases = ["/posts/first/"]\n[taxonomies]\ntags = ["quay", "harbour"]\n'
    'categories = ["Harbour"]\n[extra]\nmath = true\n+++\n'
    + TEXT
    + '\n{{ youtube(id="dQw4w9WgXcQ") }}\n\n{{ gist(url="https://gist.github.com/Keats/'
    'e5fb6aad409f28721c0ba14161644c57") }}\n\n{{ quote(body="Hi") }}\n',
    "pages/about.md": '+++\ntitle = "About"\npath = "about"\n+++\nAbout this digest.\n',
    # a weight-sorted section of undated pages, and a bundle with its assets
    "docs/_index.md": '+++\ntitle = "Docs"\nsort_by = "weight"\n+++\n',
    "docs/moorings.md": '+++\ntitle = "Moorings"\nweight = 2\n+++\nWhere boats moor.\n',
    "blog/south-quay/index.md": '+++\ntitle = "South quay opens"\ndate = 2026-03-04\n+++\n' + TEXT,
}
JEKYLL = {
    "_posts/x.md": "---\ntitle: hidden\n---\n",  # leading "_" folders are not read
    "2026-03-01-quay.md": "---\ntitle: Quay\nlayout: post\ncategories: [harbour, works]\n"
    "redirect_from:\n  - /2026/03/01/quay.html\n  - /quay-old/\n---\n" + TEXT,
    "about.md": "---\ntitle: About\nlayout: page\npermalink: /about/\n---\nAbout us.\n",
}


class _Refresh(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refresh: str | None = None
        self.canonical: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            m = re.match(r"0;\s*url=(.+)$", a.get("content") or "")
            self.refresh = m.group(1) if m else None
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")


def redirect_of(path: Path) -> str:
    p = _Refresh()
    p.feed(path.read_text(encoding="utf-8"))
    assert p.refresh is not None and p.refresh == p.canonical, path
    return p.refresh


def _build(
    tmp_path: Path, capsys: pytest.CaptureFixture, files: dict[str, str]
) -> tuple[Path, str]:
    root = write_site(tmp_path / "s", files)
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    assert "error" not in err
    return root / "public", err


def _feeds_and_sitemap(out: Path) -> str:
    return "".join(
        (out / f).read_text()
        for f in ("feed.xml", "sitemap.xml", "articles.json")
        if (out / f).exists()
    )


def test_hugo_style_site(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out, err = _build(tmp_path, capsys, HUGO)
    # _index.md named the section; categories added tags; lastmod is 'updated'
    article = (out / "harbour-news" / "quay-wall" / "index.html").read_text()
    assert "Harbour news" in article and "/tags/works/" in article
    assert "youtube.com/watch?v=w7Ft2ymGmfc" in article and "<figure>" in article
    assert "Not yet" not in (out / "index.html").read_text()
    assert not (out / "posts" / "draft").exists()
    # the first category moved it from Hugo's /posts/quay-wall/: that URL redirects
    assert (
        redirect_of(out / "posts" / "quay-wall" / "index.html")
        == "https://example.org/harbour-news/quay-wall/"
    )
    assert (
        redirect_of(out / "old" / "quay-wall" / "index.html")
        == "https://example.org/harbour-news/quay-wall/"
    )
    assert (
        redirect_of(out / "2026" / "03" / "quay.html")
        == "https://example.org/harbour-news/quay-wall/"
    )
    assert redirect_of(out / "about-us" / "index.html") == "https://example.org/about/"
    home = (out / "index.html").read_text()
    assert 'href="/about/"' in home.split("</nav>")[0]
    feeds = _feeds_and_sitemap(out)
    assert "/about/" not in feeds and "old/quay-wall" not in feeds and "about-us" not in feeds
    assert '<code class="language-go">x := 1' in article and "shortcode" not in err
    print(err)


def test_zola_style_site(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out, err = _build(tmp_path, capsys, ZOLA)
    article = (out / "harbour" / "first" / "index.html").read_text()
    assert "/tags/quay/" in article and "youtube.com/watch?v=dQw4w9WgXcQ" in article
    assert "gist.github.com/Keats/" in article
    assert (
        redirect_of(out / "posts" / "first" / "index.html") == "https://example.org/harbour/first/"
    )
    assert (out / "about" / "index.html").is_file()
    assert "/about/" not in _feeds_and_sitemap(out)
    assert "shortcode 'quote'" in err and "'extra'" not in err  # Zola's own custom table
    assert (
        redirect_of(out / "blog" / "first" / "index.html") == "https://example.org/harbour/first/"
    )
    # an undated page is at its path, out of feeds and the menu; a bundle is its folder
    assert "Where boats moor" in (out / "docs" / "moorings" / "index.html").read_text()
    assert "moorings" not in _feeds_and_sitemap(out)
    assert 'href="/docs/moorings/"' not in (out / "index.html").read_text()
    assert "content/docs/moorings.md: no date: published as a page" in err.replace("\\", "/")
    assert (out / "blog" / "south-quay" / "index.html").is_file()
    print(err)


def test_jekyll_style_site(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out, err = _build(tmp_path, capsys, JEKYLL)
    assert (out / "harbour" / "quay" / "index.html").is_file()
    assert (
        redirect_of(out / "2026" / "03" / "01" / "quay.html") == "https://example.org/harbour/quay/"
    )
    assert redirect_of(out / "quay-old" / "index.html") == "https://example.org/harbour/quay/"
    assert (out / "about" / "index.html").is_file()
    assert "/about/" not in _feeds_and_sitemap(out)


def test_alias_onto_another_page_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "news/2026-03-01-a.md": "---\ntitle: A\n---\n" + TEXT,
            "news/2026-03-02-b.md": "---\ntitle: B\naliases: [/news/a/]\n---\n" + TEXT,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc != 0 and "news/a/index.html" in err.replace("\\", "/")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/old/post/", "old/post/"),
        ("old/post", "old/post/"),
        ("/2026/03/a.html", "2026/03/a.html"),
        ("https://evil.example/", None),
        ("//evil.example/x", None),
        ("/a/../b/", None),
        ("/a?x=1", None),
        ("/", None),
        ('/a"><script>/', None),
    ],
)
def test_alias_paths(given: str, expected: str | None) -> None:
    assert site_path(given) == expected


def test_bad_alias_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = write_site(
        tmp_path / "s",
        {"news/2026-03-01-a.md": "---\ntitle: A\naliases: [https://evil.example/]\n---\n" + TEXT},
    )
    rc, err = run_build(root, capsys)
    assert rc != 0 and "a.md:3: front matter: 'aliases' holds" in err


def test_folder_url_redirect_only_when_a_category_moved_the_article(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out, _err = _build(
        tmp_path,
        capsys,
        {
            "post/mill.md": '+++\ntitle = "Mill"\ndate = 2026-03-01\ncategories = ["Town"]\n+++\n'
            + TEXT,
            "post/weir.md": '+++\ntitle = "Weir"\ndate = 2026-03-02\nsection = "Town"\n'
            'categories = ["River"]\n+++\n' + TEXT,
            "post/ford.md": '+++\ntitle = "Ford"\ndate = 2026-03-03\n+++\n' + TEXT,
        },
    )
    assert redirect_of(out / "post" / "mill" / "index.html") == "https://example.org/town/mill/"
    assert (out / "town" / "weir" / "index.html").is_file()  # 'section:' chose: no redirect
    assert not (out / "post" / "weir").exists()
    assert "Ford" in (out / "post" / "ford" / "index.html").read_text()  # the folder's own
