"""Hostile input: raw HTML is sanitized, every front-matter value lands escaped in
HTML, attributes, JSON and feeds, URLs are http(s) only, and nothing a content file
names can make the build read or write outside the site's folders."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import write_site

from digest.cli import main

PAYLOAD = "</script><script>alert(1)</script>\"'<b>&amp;]]><!--"
FIELDS = ("title", "author", "section", "source", "description", "credit")

HOSTILE_BODY = """\
Body text <script>alert('s')</script> starts here. <iframe src="https://evil.example/"></iframe> More text.

<img src="x.png" onerror="alert('img')"> <a href="javascript:alert('js')">js</a> <a href="JaVaScRiPt:alert('js2')">js2</a>

<a href="data:text/html,<script>alert('data')</script>">data</a> [md](javascript:alert('md')) ![i](data:image/svg+xml;base64,PHN2Zz4=)

<style>body{display:none}</style><svg onload="alert('svg')"></svg><math><mi xlink:href="javascript:alert('m')">m</mi></math>

<a href="jav&#x09;ascript:alert('tab')">tab</a> <object data="x.swf"></object><embed src="x.swf"><form action="https://evil.example/"><input name="q"></form>

<div style="background:url(javascript:alert('css'))" onclick="alert('div')">styled</div> <p onmouseover="alert('p')">hover</p>

<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css">
"""


class _Audit(HTMLParser):
    """Collects dangerous things in an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            if a.get("type") != "application/ld+json":
                self.bad.append(f"<script {a}>")
            self._in_script = True
        if tag in ("iframe", "object", "embed", "form", "base", "style", "svg", "math"):
            self.bad.append(f"<{tag}>")
        if tag == "meta" and a.get("http-equiv"):
            self.bad.append("<meta http-equiv>")
        if tag == "link" and a.get("rel") == "stylesheet" and "evil" in (a.get("href") or ""):
            self.bad.append("<link evil>")
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append(f"{tag} {k}=")
            if k == "style":
                self.bad.append(f"{tag} style=")
            if k in ("href", "src", "action", "srcset", "xlink:href") and v:
                scheme = v.strip().split(":", 1)[0].lower().replace("\t", "")
                if ":" in v and scheme in ("javascript", "data", "vbscript"):
                    self.bad.append(f"{tag} {k}={v!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def build(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["build", "--config", str(root / "site.yaml"), "-q", *args])
    return rc, capsys.readouterr().err


def hostile_site(tmp_path: Path, raw_html: bool = False) -> Path:
    lines = [f"{k}: {json.dumps(f'{k.title()} {PAYLOAD}')}" for k in FIELDS]
    lines += [
        "date: 2024-01-01",
        f"tags: [{json.dumps('Tag ' + PAYLOAD)}, plain]",
        'source_url: "https://example.com/a?b=1&c=%3Cscript%3E"',
        'image: "/img/a.png"',
    ]
    text = "---\n" + "\n".join(lines) + "\n---\n" + HOSTILE_BODY
    second = (
        "---\ntitle: Second plain story\ndate: 2024-01-02\ntags: [plain]\n"
        f"summary: {json.dumps('Manual ' + PAYLOAD)}\n---\nA second story. It is plain text.\n"
    )
    cfg = (
        "title: "
        + json.dumps("Site " + PAYLOAD)
        + "\ndescription: "
        + json.dumps("Desc " + PAYLOAD)
    )
    if raw_html:
        cfg += "\nraw_html: true"
    return write_site(tmp_path / "site", {"a.md": text, "b.md": second}, cfg + "\n")


def test_every_html_page_is_free_of_active_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = hostile_site(tmp_path)
    rc, err = build(root, capsys)
    assert rc == 0, err
    pages = list((root / "public").rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        if page.name == "email.html":
            continue  # the email edition: inline styles by design (tests/test_newsletter.py)
        text = page.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(text)
        assert audit.bad == [], (page, audit.bad)
        for block in audit.scripts:  # JSON-LD: data that cannot break out of its <script>
            json.loads(block)
            assert "</" not in block and "<!--" not in block, page
        # the payload only ever appears escaped
        assert "<script>alert(1)" not in text, page
        assert "<b>&amp;" not in text, page
    article = next(p for p in pages if p.parent.name == "a").read_text(encoding="utf-8")
    for k in FIELDS:
        assert f"{k.title()} &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in article, k
    # the body's text survives sanitizing
    assert "starts here." in article and "styled" in article and "hover" in article


def test_front_matter_lands_verbatim_in_articles_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = hostile_site(tmp_path)
    assert build(root, capsys)[0] == 0
    data = json.loads((root / "public/articles.json").read_text(encoding="utf-8"))
    assert data["title"] == "Site " + PAYLOAD
    a = next(x for x in data["articles"] if x["slug"] == "a")
    for k in FIELDS:
        assert a[k] == f"{k.title()} {PAYLOAD}", k
    assert a["tags"][0] == "Tag " + PAYLOAD
    b = next(x for x in data["articles"] if x["slug"] == "b")
    assert b["summary"] == ["Manual " + PAYLOAD]
    # every URL the site computed stays a site path
    for art in data["articles"]:
        assert art["url"].startswith("/") and ".." not in art["url"]


def test_inline_json_cannot_break_out_of_its_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = hostile_site(tmp_path)
    assert build(root, capsys)[0] == 0
    found = 0
    for page in (root / "public").rglob("*.html"):
        audit = _Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        for block in audit.scripts:
            found += 1
            json.loads(block)  # a whole JSON value: nothing broke out
            assert "</" not in block and "<!--" not in block
    if not found:
        pytest.skip("the theme writes no inline JSON-LD")


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_feeds_are_well_formed_and_carry_values_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = hostile_site(tmp_path)
    assert build(root, capsys)[0] == 0
    feed = root / "public" / name
    if not feed.exists():
        pytest.skip(f"{name} is not written (yet)")
    tree = ET.parse(feed)  # well-formed XML, or this raises
    texts = [t for el in tree.iter() for t in [el.text or "", *el.attrib.values()]]
    assert any(t == "Title " + PAYLOAD for t in texts), name
    assert not any("<script>" in (el.tag or "") for el in tree.iter())


def test_json_feed_carries_values_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = hostile_site(tmp_path)
    assert build(root, capsys)[0] == 0
    feed = root / "public/feed.json"
    if not feed.exists():
        pytest.skip("feed.json is not written (yet)")
    data = json.loads(feed.read_text(encoding="utf-8"))
    assert any(item.get("title") == "Title " + PAYLOAD for item in data["items"])


def test_raw_html_opt_in_keeps_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = hostile_site(tmp_path, raw_html=True)
    assert build(root, capsys)[0] == 0
    page = next(p for p in (root / "public").rglob("a/index.html")).read_text(encoding="utf-8")
    assert "<script>alert('s')</script>" in page  # trusted content, as asked
    # front matter is still escaped: raw_html is about the body only
    assert "Title &lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("source_url", "javascript:alert(1)"),
        ("source_url", "data:text/html,hi"),
        ("source_url", "vbscript:x"),
        ("source_url", "//evil.example/x"),
        ("source_url", "/relative/path"),
        ("source_url", "ftp://example.com/x"),
        ("source_url", 'https://example.com/"onmouseover="x'),
        ("source_url", "https://example.com/<script>"),
        ("source_url", "https://exa mple.com/"),
        ("source_url", "https://example.com/\u0000"),
        ("image", "javascript:alert(1)"),
        ("image", "data:image/png;base64,AAAA"),
        ("image", "//evil.example/x.png"),
        ("image", "img/relative.png"),
        ("image", '/x.png"onerror="alert(1)'),
    ],
)
def test_urls_are_http_or_site_paths_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: str
) -> None:
    text = f"---\ntitle: T\ndate: 2024-01-01\n{key}: {json.dumps(value)}\n---\nText here. More.\n"
    root = write_site(tmp_path / "site", {"a.md": text}, "title: T\n")
    rc, err = build(root, capsys)
    assert rc == 1
    assert f"content/a.md:4: front matter: '{key}' " in err


def test_folder_defaults_source_url_is_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(
        tmp_path / "site",
        {"wire/a.md": "---\ntitle: T\ndate: 2024-01-01\n---\nText.\n"},
        "title: T\n",
    )
    (root / "content/wire/_source.yaml").write_text('source_url: "javascript:alert(1)"\n')
    rc, err = build(root, capsys)
    assert (
        rc == 1
        and "content/wire/_source.yaml:1: front matter: 'source_url' must be an http(s) URL" in err
    )


@pytest.mark.parametrize(
    "base_url",
    ['/x"><script>alert(1)</script>/', "javascript:alert(1)", "//evil.example/", "/a b/"],
)
def test_base_url_cannot_inject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    root = write_site(
        tmp_path / "site", {"a.md": "---\ntitle: T\ndate: 2024-01-01\n---\nText.\n"}, "title: T\n"
    )
    rc, err = build(root, capsys, "--base-url", base_url)
    assert rc == 1 and "--base-url:" in err
    (root / "site.yaml").write_text(f"base_url: {json.dumps(base_url)}\n")
    rc, err = build(root, capsys)
    assert rc == 1 and "base_url:" in err


# ---------------------------------------------------------------- paths


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_no_value_writes_outside_the_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Slugs, sections and tags full of '../' land as harmless folder names in public/."""
    arts = {
        "a.md": "---\ntitle: A\ndate: 2024-01-01\nsection: '../../../escaped'\ntags: ['../../t1', '/abs', 'a/../../b']\n---\nText.\n",
        "b.md": "---\ntitle: B\ndate: 2024-01-02\nsection: '..\\\\..\\\\win'\ntags: ['..%2f..%2fenc']\n---\nText.\n",
        "../../../outside.md": "---\ntitle: O\ndate: 2024-01-01\n---\nText.\n",  # written beside, not in, content/
    }
    root = write_site(
        tmp_path / "w" / "site",
        {k: v for k, v in arts.items() if not k.startswith("..")},
        "title: T\n",
    )
    before = _tree(tmp_path)
    rc, err = build(root, capsys)
    assert rc == 0, err
    after = _tree(tmp_path)
    ours = (
        "w/site/public",
        "w/site/.digest-cache",
        "w/site/.digest-staging-public",
        "w/site/.digest-stamps-public.json",
    )  # output, cache, staging copy, its stamps
    new = {p for p in after - before if not p.startswith(ours)}
    assert new == set(), new
    public = root / "public"
    for p in public.rglob("*"):
        assert p.resolve().is_relative_to(public.resolve())
        assert ".." not in p.relative_to(public).parts
    assert (public / "escaped/a/index.html").is_file()
    assert (public / "win/b/index.html").is_file()


def test_config_paths_cannot_write_outside_the_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(
        tmp_path / "site",
        {"a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n"},
        "title: T\noutput_dir: ../../escaped\ncache_dir: ../cache\ntheme: ../../../etc\n",
    )
    before = _tree(tmp_path)
    rc, err = build(root, capsys)
    assert rc == 1
    assert "output_dir: '../../escaped' is outside the site folder" in err
    assert "cache_dir: '../cache' is outside the site folder" in err
    assert "theme: '../../../etc' is not a theme name" in err
    assert _tree(tmp_path) == before


def test_symlinked_theme_template_folder_is_read_only_where_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `theme:` name is a folder name; absolute names are refused too."""
    root = write_site(
        tmp_path / "site",
        {"a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n"},
        "theme: /etc\n",
    )
    rc, err = build(root, capsys)
    assert rc == 1 and "theme: '/etc' is not a theme name" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX symlinks")
def test_output_symlink_is_not_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """public/ as a symlink to a folder digest did not write: refused, target untouched."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    root = write_site(
        tmp_path / "site", {"a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n"}, "title: T\n"
    )
    (root / "public").symlink_to(victim, target_is_directory=True)
    rc, err = build(root, capsys)
    assert rc == 1
    assert (victim / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
