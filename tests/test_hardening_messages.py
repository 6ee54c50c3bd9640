"""Issue 18 (hardening, round two): feeds that stay text, site.yaml names, messages.

Each test builds a small site in tmp_path and checks what a user would notice:
the exit status, the message naming file and line, or what a feed reader shows.
"""

from __future__ import annotations

import html
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import run_build, write_site

from digest.cli import main

GOOD = (
    "---\ntitle: A good article\ndate: 2024-01-01\n---\n"
    "The good article has a first sentence. It has a second sentence too.\n"
)
# Next to the case under test: its problem must be reported too (problems are collected).
SECOND = ("zz-second.md", "---\ntitle: Second\ndate: yesterday\n---\nText.\n")
SECOND_MSG = "content/zz-second.md:3: front matter: 'date' is not a date (got 'yesterday'"


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`digest build -q` for the site in root; (exit status, stderr)."""
    return run_build(root, capsys, "-q", *args)


# ---------------------------------------------------------------- item 8: feeds

HOSTILE_DESCRIPTION = "News <script>alert(1)</script><img src=x onerror=alert(2)> & more"
HOSTILE_SUMMARY = "Sum <script>alert(3)</script> and <img src=y onerror=alert(4)> &amp; AT&T."


class _Tags(HTMLParser):
    """The elements and attributes a browser would make of some HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text += data


def _as_html(detail: dict) -> str:
    """The HTML a feed reader renders for a feedparser text construct."""
    value = detail["value"]
    if detail["type"] in ("text/html", "application/xhtml+xml"):
        return value
    return html.escape(value)


def _inert(shown_html: str, text: str) -> None:
    """The HTML has no element or handler, and shows ``text`` as written."""
    p = _Tags()
    p.feed(shown_html)
    p.close()
    assert p.tags == [] and p.attrs == [], shown_html
    assert p.text == text


@pytest.fixture(scope="module")
def hostile_feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = (
        f'title: "Hostile"\ndescription: {json.dumps(HOSTILE_DESCRIPTION)}\n'
        'base_url: "https://example.org/"\n'
    )
    article = (
        "---\ntitle: A harmless title\ndate: 2024-01-01\nsection: World\n"
        f"summary: {json.dumps(HOSTILE_SUMMARY)}\n---\nThe body has a sentence.\n"
    )
    site = write_site(tmp_path_factory.mktemp("feeds") / "site", {"world/a.md": article}, config)
    assert main(["build", "-q", "--config", str(site / "site.yaml")]) == 0
    return site / "public"


@pytest.fixture
def unsanitized(monkeypatch: pytest.MonkeyPatch) -> None:
    # A reader that trusts the feed: feedparser's own sanitizer would hide the bug.
    monkeypatch.setattr(feedparser, "SANITIZE_HTML", False)


@pytest.mark.parametrize("folder", ["", "world/"])
def test_rss_description_reaches_readers_as_text(hostile_feeds: Path, unsanitized, folder: str):
    d = feedparser.parse((hostile_feeds / folder / "rss.xml").read_bytes())
    assert not d.bozo
    _inert(_as_html(d.feed.subtitle_detail), HOSTILE_DESCRIPTION)
    (entry,) = d.entries
    _inert(_as_html(entry.summary_detail), HOSTILE_SUMMARY)


@pytest.mark.parametrize("folder", ["", "world/"])
def test_atom_summary_reaches_readers_as_text(hostile_feeds: Path, unsanitized, folder: str):
    d = feedparser.parse((hostile_feeds / folder / "feed.xml").read_bytes())
    assert not d.bozo
    _inert(_as_html(d.feed.subtitle_detail), HOSTILE_DESCRIPTION)
    (entry,) = d.entries
    assert entry.summary_detail["type"] == "text/plain"
    _inert(_as_html(entry.summary_detail), HOSTILE_SUMMARY)


@pytest.mark.parametrize("folder", ["", "world/"])
def test_json_feed_summary_is_text_only(hostile_feeds: Path, folder: str):
    data = json.loads((hostile_feeds / folder / "feed.json").read_bytes())
    assert data["description"] == HOSTILE_DESCRIPTION  # JSON Feed: description is plain text
    (item,) = data["items"]
    assert "content_html" not in item and "summary" not in item
    # A reader shows content_text as text: escaped, it is inert HTML.
    _inert(_as_html({"type": "text/plain", "value": item["content_text"]}), HOSTILE_SUMMARY)


# ---------------------------------------------------------------- item 11: cname, language


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'cname: "news.example.org\\n<b>x</b>"',
            "site.yaml:2: cname: 'news.example.org\\n<b>x</b>' is not a host name "
            "(a custom domain such as news.example.org",
        ),
        ('cname: "news example.org"', "site.yaml:2: cname: 'news example.org' is not a host name"),
        ("cname: <script>", "site.yaml:2: cname: '<script>' is not a host name"),
        (
            "cname: https://news.example.org/digest/",
            "site.yaml:2: cname: 'https://news.example.org/digest/' is a URL, not a host name "
            "(write just the host name: cname: news.example.org)",
        ),
        ("cname: news.example.org/x", "site.yaml:2: cname: 'news.example.org/x' is not a host"),
        (
            'language: "en\\"><script>"',
            "site.yaml:2: language: 'en\"><script>' is not a language tag "
            "(a BCP 47 code such as en, de or pt-BR: letters, digits and '-')",
        ),
        ('language: "de\\nX"', "site.yaml:2: language: 'de\\nX' is not a language tag"),
        ("language: en_GB", "site.yaml:2: language: 'en_GB' is not a language tag (write 'en-GB')"),
    ],
)
def test_bad_cname_or_language_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
):
    config = f"title: T\n{line}\ndate_format: 5\n"
    site = write_site(tmp_path / "site", {"a.md": GOOD}, config)
    rc, err = run(site, capsys)
    assert rc == 1
    assert f"error: {message}" in err
    # every problem is reported
    assert "error: site.yaml:3: date_format: expected text, got a number (5)" in err
    assert not (site / "public").exists()


@pytest.mark.parametrize(
    "lines", ["cname: news.example.org\nlanguage: pt-BR", "cname: a-b.c0.example\nlanguage: es-419"]
)
def test_good_cname_and_language_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: str
):
    site = write_site(tmp_path / "site", {"a.md": GOOD}, f"title: T\n{lines}\n")
    rc, err = run(site, capsys)
    assert rc == 0, err
    cname = lines.split("\n")[0].split(": ")[1]
    language = lines.split("\n")[1].split(": ")[1]
    assert (site / "public/CNAME").read_text() == cname + "\n"
    assert f'<html lang="{language}">' in (site / "public/index.html").read_text()


# ---------------------------------------------------------------- item 19: messages


def test_too_large_file_shows_its_real_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    site = write_site(tmp_path / "site", {"good.md": GOOD, SECOND[0]: SECOND[1]}, "title: T\n")
    head = b"---\ntitle: Big\ndate: 2024-01-01\n---\n"
    size = int(5.16 * 2**20)  # 5.16 MiB: "5 MB" hid how far over the limit it is
    (site / "content/big.md").write_bytes(head + b"word " * ((size - len(head)) // 5))
    (site / "content/edge.md").write_bytes(head + b"x" * (5 * 2**20 + 1 - len(head)))
    rc, err = run(site, capsys)
    assert rc == 1
    assert "error: content/big.md: file is too large (5.2 MiB; the limit is 5 MiB)" in err
    # one byte over is not shown as "5.0 MiB; the limit is 5 MiB"
    assert (
        "error: content/edge.md: file is too large (5,242,881 bytes; the limit is 5,242,880 bytes)"
        in err
    )
    assert SECOND_MSG in err


def test_symlink_loop_is_reported_as_a_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    site = write_site(tmp_path / "site", {"good.md": GOOD, SECOND[0]: SECOND[1]}, "title: T\n")
    content = site / "content"
    (content / "self.md").symlink_to("self.md")
    (content / "a.md").symlink_to("b.md")
    (content / "b.md").symlink_to("a.md")
    (content / "_source.yaml").symlink_to("_source.yaml")
    (content / "away.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text(GOOD)
    rc, err = run(site, capsys)
    assert rc == 1
    loop = "symlink loop: following the link never reaches a file; not read"
    for name in ("self.md", "a.md", "b.md", "_source.yaml"):
        assert f"error: content/{name}: {loop} (remove the link, or point it at a file)" in err
        assert f"content/{name}: symlink points outside" not in err
    assert "error: content/away.md: symlink points outside the content folder; not read" in err
    assert SECOND_MSG in err


def test_strict_reports_the_warnings_it_fails_on_as_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    article = "---\ntitle: A\ndate: 2024-01-01\ntgas: [x]\n---\nText here. More text.\n"
    config = 'title: T\nbase_url: "https://example.org/"\n'  # (a relative one warns too)
    site = write_site(tmp_path / "site", {"a.md": article}, config)
    rc, err = run(site, capsys, "--strict")
    assert rc == 1
    assert "warning:" not in err
    assert err.splitlines() == [
        "error: content/a.md:4: front matter: unknown key 'tgas' is ignored (did you mean 'tags'?)",
        "build failed: 1 problem; nothing was published (--strict: warnings count as errors)",
    ]
    # without --strict it stays a warning and the site is built
    capsys.readouterr()
    old = Path.cwd()
    os.chdir(site)
    try:
        assert main(["build", "--config", str(site / "site.yaml")]) == 0
    finally:
        os.chdir(old)
    assert "warning: content/a.md:4: front matter: unknown key 'tgas'" in capsys.readouterr().err


def test_strict_with_errors_and_warnings_lists_both_as_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    article = "---\ntitle: A\ndate: 2024-01-01\ntgas: [x]\n---\nText here. More text.\n"
    config = 'title: T\nbase_url: "https://example.org/"\n'
    site = write_site(tmp_path / "site", {"a.md": article, SECOND[0]: SECOND[1]}, config)
    rc, err = run(site, capsys, "--strict")
    assert rc == 1 and "warning:" not in err
    assert "error: content/a.md:4: front matter: unknown key 'tgas' is ignored" in err
    assert f"error: {SECOND_MSG}" in err
    assert "build failed: 2 problems; nothing was published (--strict" in err


@pytest.mark.parametrize(
    ("title", "codes"),
    [
        ("\\u200b", "U+200B"),
        ("\\u200d", "U+200D"),
        ("\\u2060", "U+2060"),
        ("\\u202e", "U+202E"),
        ("\\ufeff\\u00ad", "U+FEFF, U+00AD"),
        ("\\u200b \\u200c\\u3000\\u2029", "U+200B, U+200C"),
        ("\\u3164", "U+3164"),
        ("\\ufe0f\\u034f", "U+FE0F, U+034F"),
    ],
)
def test_invisible_title_is_refused_like_an_empty_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, codes: str
):
    article = f'---\ntitle: "{title}"\ndate: 2024-01-01\n---\nBody text here. More text.\n'
    site = write_site(tmp_path / "site", {"a.md": article, SECOND[0]: SECOND[1]}, "title: T\n")
    rc, err = run(site, capsys)
    assert rc == 1
    assert (
        "error: content/a.md:2: front matter: 'title' is empty: it holds only invisible "
        f"characters ({codes})"
    ) in err
    assert SECOND_MSG in err


def test_titles_with_something_to_see_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    articles = {
        "a.md": '---\ntitle: "Caf\\u00e9\\u200b news"\ndate: 2024-01-01\n---\nBody. More.\n',
        "b.md": '---\ntitle: "\\U0001f30a"\ndate: 2024-01-02\n---\nBody text. More text.\n',
        "c.md": '---\ntitle: "\\u05e9\\u05dc\\u05d5\\u05dd"\ndate: 2024-01-03\n---\nBody. More.\n',
    }
    site = write_site(tmp_path / "site", articles, "title: T\n")
    rc, err = run(site, capsys)
    assert rc == 0, err
