"""Bad input: every mistake is a clear `file:line: message`, no traceback, and the
rest of the content is still checked (a second bad file is reported in the same run).

Each case is built through ``digest.cli.main`` as a user would run it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import run_build, write_site

from digest.cli import main
from tests.conftest import HANG_SECONDS

GOOD = (
    "---\ntitle: A good article\ndate: 2024-01-01\n---\n"
    "The good article has a first sentence. It has a second sentence too.\n"
)
# Always present next to the case under test: its error must be reported as well.
SECOND = ("zz-second.md", "---\ntitle: Second\ndate: yesterday\n---\nText.\n")
SECOND_MSG = "content/zz-second.md:3: front matter: 'date' is not a date (got 'yesterday'"


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`digest build` for the site in root; (exit status, stderr)."""
    return run_build(root, capsys, *args)


def fm(**fields: str) -> str:
    """Front matter from raw YAML lines (values are written as given)."""
    lines = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\n{lines}---\nSome body text here. And a second sentence.\n"


BASE = {"title": "T", "date": "2024-01-01"}

# (case id, file name under content/, file text (str or bytes), expected message fragment)
CASES: list[tuple[str, str, str | bytes, str]] = [
    # -- malformed YAML front matter
    (
        "unclosed-quote",
        "a.md",
        "---\ntitle: 'unclosed\ndate: 2024-01-01\n---\nText.\n",
        "content/a.md:2: front matter: YAML syntax error",
    ),
    (
        "tab-indentation",
        "a.md",
        "---\ntitle: T\ntags:\n\t- x\n---\nText.\n",
        "content/a.md:4: front matter: tab used for indentation (YAML needs spaces)",
    ),
    (
        "list-for-string",
        "a.md",
        "---\ntitle:\n  - one\n  - two\ndate: 2024-01-01\n---\nText.\n",
        "content/a.md:2: front matter: 'title' must be text (got a list)",
    ),
    (
        "no-closing-fence",
        "a.md",
        "---\ntitle: T\ndate: 2024-01-01\nText without a closing fence.\n",
        "content/a.md:1: front matter: opening '---' has no closing '---' line",
    ),
    (
        "duplicate-key",
        "a.md",
        "---\ntitle: One\ndate: 2024-01-01\ntitle: Two\n---\nText.\n",
        "content/a.md:4: front matter: 'title' is given twice (first on line 2)",
    ),
    (
        "bad-indentation",
        "a.md",
        "---\ntitle: T\n  date: 2024-01-01\n---\nText.\n",
        "content/a.md:3: front matter: YAML syntax error",
    ),
    (
        "yaml-alias-bomb",
        "a.md",
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "title: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ndate: 2024-01-01\n---\nText.\n",
        "content/a.md:2: front matter: too large (more than 10000 values, counting aliases)",
    ),
    # -- front matter that is not a mapping
    (
        "fm-is-list",
        "a.md",
        "---\n- title\n- date\n---\nText.\n",
        "content/a.md:2: front matter: expected a mapping of 'key: value' lines, got a list",
    ),
    (
        "fm-is-string",
        "a.md",
        "---\njust some words\n---\nText.\n",
        "content/a.md:2: front matter: expected a mapping of 'key: value' lines, got str",
    ),
    (
        "fm-is-number",
        "a.md",
        "---\n42\n---\nText.\n",
        "content/a.md:2: front matter: expected a mapping of 'key: value' lines, got int",
    ),
    # -- title
    (
        "missing-title",
        "a.md",
        fm(date="2024-01-01"),
        "content/a.md: front matter: 'title' is missing",
    ),
    (
        "empty-title",
        "a.md",
        fm(title="''", date="2024-01-01"),
        "content/a.md:2: front matter: 'title' is empty",
    ),
    (
        "blank-title",
        "a.md",
        fm(title="'   '", date="2024-01-01"),
        "content/a.md:2: front matter: 'title' is empty",
    ),
    (
        "null-title",
        "a.md",
        fm(title="~", date="2024-01-01"),
        "content/a.md:2: front matter: 'title' is missing",
    ),
    # -- dates
    (
        "impossible-date",
        "a.md",
        fm(title="T", date="2024-02-30"),
        "content/a.md:3: front matter: 'date' is not a date (got '2024-02-30'",
    ),
    (
        "unparseable-date",
        "a.md",
        fm(title="T", date="next tuesday"),
        "content/a.md:3: front matter: 'date' is not a date (got 'next tuesday'",
    ),
    (
        "impossible-time",
        "a.md",
        fm(title="T", date="2024-01-01T25:61:00"),
        "content/a.md:3: front matter: 'date' is not a date",
    ),
    (
        "number-date",
        "a.md",
        fm(title="T", date="20240101"),
        "content/a.md:3: front matter: 'date' is not a date",
    ),
    (
        "impossible-updated",
        "a.md",
        fm(title="T", date="2024-01-01", updated="2023-13-01"),
        "content/a.md:4: front matter: 'updated' is not a date",
    ),
    (
        "missing-date",
        "nodate.md",
        fm(title="T"),
        "content/nodate.md: front matter: 'date' is missing",
    ),
    (
        "impossible-date-in-file-name",
        "2024-02-30-x.md",
        fm(title="T"),
        "content/2024-02-30-x.md: front matter: 'date' is missing",
    ),
    # -- files that are not articles
    ("empty-file", "a.md", "", "content/a.md: front matter: 'title' is missing"),
    ("whitespace-only", "a.md", "\n \n\t\n", "content/a.md: front matter: 'title' is missing"),
    ("binary", "a.md", bytes(range(256)) * 16, "content/a.md: not a text file"),
    (
        "png-named-md",
        "a.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        "content/a.md: not a text file",
    ),
    (
        "invalid-utf8",
        "a.md",
        "---\ntitle: T\ndate: 2024-01-01\n---\nCafé “quoted” ok.\n".encode()
        + b"Broken \xff here.\n",
        "content/a.md:6: not valid UTF-8",
    ),
    (
        "mixed-encodings",
        "a.md",
        "---\ntitle: T\ndate: 2024-01-01\n---\nCafé in UTF-8.\n".encode()
        + "Café in Latin-1.\n".encode("latin-1"),
        "content/a.md:6: not valid UTF-8",
    ),
    (
        "bad-bom",
        "a.md",
        b"\xef\xbb\xbf---\ntitle: T\n\xff\n",
        "content/a.md: not valid utf-8 text despite its byte-order mark",
    ),
    # -- slugs and sections that try to leave their folder
    (
        "slug-dotdot",
        "a.md",
        fm(**BASE, slug="../../etc"),
        "content/a.md:4: front matter: 'slug' may hold only",
    ),
    (
        "slug-slash",
        "a.md",
        fm(**BASE, slug="a/b"),
        "content/a.md:4: front matter: 'slug' may hold only",
    ),
    (
        "slug-absolute",
        "a.md",
        fm(**BASE, slug="/etc/passwd"),
        "content/a.md:4: front matter: 'slug' may hold only",
    ),
    (
        "slug-nul",
        "a.md",
        fm(**BASE, slug='"a\\0b"'),
        "content/a.md:4: front matter: 'slug' contains control characters",
    ),
    (
        "slug-control",
        "a.md",
        fm(**BASE, slug='"a\\x1bb"'),
        "content/a.md:4: front matter: 'slug' contains control characters",
    ),
    (
        "slug-reserved",
        "a.md",
        fm(**BASE, slug="tags"),
        "content/a.md:4: front matter: 'slug' 'tags' is used by the site",
    ),
    (
        "section-dots",
        "a.md",
        fm(**BASE, section="'..'"),
        "content/a.md:4: front matter: 'section' has no letters or digits",
    ),
    (
        "section-slash",
        "a.md",
        fm(**BASE, section="'/'"),
        "content/a.md:4: front matter: 'section' has no letters or digits",
    ),
    (
        "section-nul",
        "a.md",
        fm(**BASE, section='"a\\0b"'),
        "content/a.md:4: front matter: 'section' contains control characters",
    ),
    (
        "section-reserved",
        "a.md",
        fm(**BASE, section="Tags"),
        "content/a.md:4: front matter: 'section' 'Tags' would take the URL /tags/",
    ),
    (
        "tag-dots",
        "a.md",
        fm(**BASE, tags="['../..', ok]"),
        "content/a.md:4: front matter: 'tags' holds '../..', which has no letters or digits",
    ),
    (
        "tag-control",
        "a.md",
        fm(**BASE, tags='["a\\x07"]'),
        "content/a.md:4: front matter: 'tags' contains control characters",
    ),
    # -- URLs
    (
        "source-url-javascript",
        "a.md",
        fm(**BASE, source_url="'javascript:alert(1)'"),
        "content/a.md:4: front matter: 'source_url' must be an http(s) URL",
    ),
    (
        "source-url-relative",
        "a.md",
        fm(**BASE, source_url="/local"),
        "content/a.md:4: front matter: 'source_url' must be an http(s) URL",
    ),
    (
        "image-data-url",
        "a.md",
        fm(**BASE, image="'data:image/png;base64,AAAA'"),
        "content/a.md:4: front matter: 'image' must be an http(s) URL or a site path",
    ),
    (
        "image-protocol-relative",
        "a.md",
        fm(**BASE, image="//evil.example/x.png"),
        "content/a.md:4: front matter: 'image' must be an http(s) URL or a site path",
    ),
    (
        "image-quote",
        "a.md",
        fm(**BASE, image="'/x.png\"onerror=alert(1)'"),
        "content/a.md:4: front matter: 'image' must be an http(s) URL or a site path",
    ),
    # -- other fields
    (
        "bad-summary-method",
        "a.md",
        fm(**BASE, summary_method="lexrnk"),
        "content/a.md:4: front matter: 'summary_method' 'lexrnk' is not one of",
    ),
    (
        "bad-draft",
        "a.md",
        fm(**BASE, draft="'yes'"),
        "content/a.md:4: front matter: 'draft' must be true or false",
    ),
    (
        "related-not-slug",
        "a.md",
        fm(**BASE, related="['../x']"),
        "content/a.md:4: front matter: 'related' holds '../x', which is not a slug",
    ),
    (
        "related-unknown",
        "a.md",
        fm(**BASE, related="[nope]"),
        "content/a.md: front matter: 'related' names 'nope', which is no article's slug",
    ),
]

# Wrong type in every field: one file, one error per field, each with its line.
WRONG_TYPES = {
    "title": ("{a: 1}", "'title' must be text (got a mapping)"),
    "date": ("[2024]", "'date' is not a date"),
    "updated": ("{a: 1}", "'updated' is not a date"),
    # (a list of names is several authors, joined: Hugo's and Jekyll's form)
    "author": ("[[x]]", "'author' must be text (got a list)"),
    "section": ("{a: b}", "'section' must be text (got a mapping)"),
    "tags": ("{a: 1}", "'tags' must be a list of text (got a mapping)"),
    "source": ("[1]", "'source' must be text (got a list)"),
    "source_url": ("[1]", "'source_url' must be text (got a list)"),
    "image": ("true", "'image' must be text (got true)"),
    "description": ("{}", "'description' must be text (got a mapping)"),
    "summary": ("3", "'summary' must be text or a list (got 3)"),
    "summary_method": ("[news]", "'summary_method' must be text (got a list)"),
    "related": ("{a: 1}", "'related' must be a list of text (got a mapping)"),
    "slug": ("[a]", "'slug' must be text (got a list)"),
    "draft": ("3", "'draft' must be true or false (got 3)"),
    "language": ("[en]", "'language' must be text (got a list)"),
    "credit": ("[x]", "'credit' must be text (got a list)"),
}


@pytest.mark.parametrize(
    ("name", "text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_file_is_reported_with_file_and_line_and_the_rest_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str | bytes, expected: str
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD, SECOND[0]: SECOND[1]}, "title: T\n")
    target = root / "content" / name
    target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    rc, err = run(root, capsys)
    assert rc == 1
    assert expected in err, err
    assert SECOND_MSG in err, err
    assert "nothing was published" in err
    assert not (root / "public").exists()


def test_wrong_type_in_every_field_is_one_error_per_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [f"{k}: {v}" for k, (v, _) in WRONG_TYPES.items()]
    text = "---\n" + "\n".join(lines) + "\n---\nText.\n"
    root = write_site(tmp_path / "site", {"types.md": text, SECOND[0]: SECOND[1]}, "title: T\n")
    rc, err = run(root, capsys)
    assert rc == 1
    for i, (key, (_, msg)) in enumerate(WRONG_TYPES.items()):
        assert f"content/types.md:{i + 2}: front matter: {msg}" in err, (key, err)
    assert SECOND_MSG in err


def test_every_problem_in_one_run_sorted_by_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All the corpus files at once: every one reported, in file order, then a count."""
    files = {
        f"{i:02d}-{c[0]}/{c[1]}": c[2]
        for i, c in enumerate(CASES)
        if c[0] not in ("related-unknown", "slug-reserved")
    }
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\n")
    for rel, text in files.items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    rc, err = run(root, capsys)
    assert rc == 1
    reported = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    for rel in files:
        assert any(f"content/{rel}" in ln for ln in reported), rel
    assert reported == sorted(reported, key=lambda ln: ln.split(":", 2)[1])
    assert err.rstrip().endswith("nothing was published")


def test_two_articles_wanting_one_url_name_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(
        tmp_path / "site",
        {
            "world/2024-01-01-same.md": fm(title="One"),
            "world/2024-01-02-other.md": fm(title="Two", slug="same"),
            SECOND[0]: SECOND[1],
        },
        "title: T\n",
    )
    rc, err = run(root, capsys)
    assert rc == 1
    line = next(ln for ln in err.splitlines() if "same URL" in ln)
    assert (
        "content/world/2024-01-01-same.md" in line and "content/world/2024-01-02-other.md" in line
    )
    assert SECOND_MSG in err


def test_section_and_slug_that_collide_with_a_site_page_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`section: Archive` + `slug: index.html`-like tricks never overwrite a site page."""
    root = write_site(
        tmp_path / "site",
        {
            "a.md": fm(**BASE, section="Archive"),
            "b.md": fm(**BASE, section="Static"),
            "c.md": fm(**BASE, slug="page"),
            "d.md": fm(**BASE, slug="404.html"),
        },
        "title: T\n",
    )
    rc, err = run(root, capsys)
    assert rc == 1
    assert "content/a.md:4: front matter: 'section' 'Archive' would take the URL /archive/" in err
    assert "content/b.md:4: front matter: 'section' 'Static' would take the URL /static/" in err
    assert "content/c.md:4: front matter: 'slug' 'page' is used by the site" in err
    assert "content/d.md:4: front matter: 'slug' '404.html' is used by the site" in err


# ---------------------------------------------------------------- symlinks


def test_symlinks_out_of_content_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(
        "---\ntitle: Secret\ndate: 2024-01-01\n---\nTop secret text. Do not publish.\n"
    )
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir/s.md").write_text(secret.read_text())
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\n")
    (root / "content/link.md").symlink_to(secret)
    (root / "content/dirlink").symlink_to(tmp_path / "secret-dir", target_is_directory=True)
    (root / "content/passwd.md").symlink_to("/etc/passwd")
    (root / "content/_source.yaml").symlink_to(tmp_path / "secret.md")
    rc, err = run(root, capsys)
    assert rc == 1
    assert "content/link.md: symlink points outside the content folder; not read" in err
    assert "content/passwd.md: symlink points outside the content folder; not read" in err
    assert "content/dirlink: symlink points outside the content folder; not read" in err
    assert "content/_source.yaml: symlink points outside the content folder; not read" in err
    assert not (root / "public").exists()


def test_symlink_inside_content_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path / "site", {"_shared/x.md": GOOD}, "title: T\n")
    (root / "content/x.md").symlink_to(root / "content/_shared/x.md")
    rc, err = run(root, capsys, "-q")
    assert rc == 0, err
    assert (root / "public/x/index.html").is_file()


def test_content_dir_outside_the_site_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "a.md").write_text(GOOD)
    root = write_site(tmp_path / "site", {}, f"title: T\ncontent_dir: {shared}\n")
    rc, err = run(root, capsys, "-q")
    assert rc == 0, err
    assert (root / "public/a/index.html").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_named_like_an_article_does_not_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD, SECOND[0]: SECOND[1]}, "title: T\n")
    os.mkfifo(root / "content/pipe.md")
    rc, err = run(root, capsys)
    assert rc == 1
    assert "content/pipe.md: not a regular file; not read" in err
    assert SECOND_MSG in err


# ---------------------------------------------------------------- odd but valid articles


@pytest.mark.parametrize(
    ("name", "body", "language"),
    [
        ("one-word", "Word\n", "en"),
        (
            "no-punctuation",
            " ".join(["the harbour wall is old and the storm was strong"] * 60),
            "en",
        ),
        ("one-long-line", "x" * 20000, "en"),
        (
            "russian",
            "В Москве прошёл сильный дождь. Люди взяли зонты. Синоптики обещают солнце.",
            "ru",
        ),
        ("japanese", "東京で大きな地震がありました。被害は少ないです。皆さんは無事でした。", "ja"),
        ("arabic", "ذهب الولد إلى المدرسة. كان الجو جميلا. عاد إلى البيت مساء.", "ar"),
        ("emoji-only", "🌊🌊🌊 🚢 ⚓", "en"),
        ("only-a-heading", "## Just a heading\n", "en"),
    ],
)
def test_odd_but_valid_article_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, body: str, language: str
) -> None:
    text = f"---\ntitle: Odd {name}\ndate: 2024-01-01\nlanguage: {language}\n---\n{body}\n"
    root = write_site(tmp_path / "site", {f"{name}.md": text}, "title: T\n")
    rc, err = run(root, capsys, "-q")
    assert rc == 0, err
    page = (root / f"public/{name}/index.html").read_text(encoding="utf-8")
    first = body.split()[0].lstrip("#")
    assert first in page or name == "only-a-heading"
    assert f'<html lang="{language}">' in page


def test_legacy_single_byte_encoding_is_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "---\ntitle: Café crème\ndate: 2024-01-01\n---\nLe café était très bon. Déjà vu à Noël.\n"
    )
    root = write_site(tmp_path / "site", {}, "title: T\n")
    (root / "content/a.md").write_bytes(text.encode("cp1252"))
    rc, err = run(root, capsys, "-q")
    assert rc == 0, err
    assert "Déjà vu à Noël." in (root / "public/a/index.html").read_text(encoding="utf-8")


def test_huge_article_is_refused_quickly_with_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """50 MB of text: a clear error naming the file and the limit, in bounded time."""
    root = write_site(tmp_path / "site", {"good.md": GOOD, SECOND[0]: SECOND[1]}, "title: T\n")
    para = (
        "The council met again and talked about the harbour wall for hours. " * 20 + "\n\n"
    ).encode()
    with open(root / "content/huge.md", "wb") as f:
        f.write(b"---\ntitle: Huge\ndate: 2024-01-01\n---\n")
        f.write(para * (50 * 2**20 // len(para) + 1))
    t = time.perf_counter()
    rc, err = run(root, capsys)
    assert time.perf_counter() - t < HANG_SECONDS
    assert rc == 1
    assert "content/huge.md: file is too large (50.0 MiB; the limit is 5 MiB)" in err
    assert SECOND_MSG in err


def test_article_just_under_the_limit_builds_in_bounded_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # just under the Markdown limit (1 MiB; other sources may be 5 MiB)
    para = "The council met again and talked about the harbour wall for hours. " * 20 + "\n\n"
    body = para * (int(0.95 * 2**20) // len(para))
    root = write_site(
        tmp_path / "site",
        {"big.md": f"---\ntitle: Big\ndate: 2024-01-01\n---\n{body}"},
        "title: T\n",
    )
    t = time.perf_counter()
    rc, err = run(root, capsys, "-q")
    assert rc == 0, err
    assert time.perf_counter() - t < HANG_SECONDS


# ---------------------------------------------------------------- site.yaml


def test_site_yaml_with_every_kind_of_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = """\
titel: Typo
description: [not, text]
base_url: "ftp://example.org/"
language: 5
theme: ../../etc
content_dir: ""
output_dir: ../../elsewhere
cache_dir: /tmp/cache
raw_html: "yes"
date_format: 12
summary:
  method: lexrnk
  sentences: 0
  ratio: 1.5
related: 5
pagination:
  size: ten
  colour: red
sources:
  wire: AFP
  news:
    source_url: "javascript:alert(1)"
    tags: {a: 1}
title: One
title: Two
"""
    root = write_site(tmp_path / "site", {"good.md": GOOD}, config)
    rc, err = run(root, capsys)
    assert rc == 1
    expected = [
        "site.yaml:1: titel: unknown setting (did you mean 'title'?)",
        "site.yaml:2: description: expected text, got a list",
        "site.yaml:3: base_url: 'ftp://example.org/' is not an http(s) URL",
        "site.yaml:4: language: expected text, got a number (5)",
        "site.yaml:5: theme: '../../etc' is not a theme name",
        "site.yaml:6: content_dir: is not a usable path",
        "site.yaml:7: output_dir: '../../elsewhere' is outside the site folder",
        "site.yaml:8: cache_dir: '/tmp/cache' is outside the site folder",
        "site.yaml:9: raw_html: expected true or false, got 'yes'",
        "site.yaml:10: date_format: expected text, got a number (12)",
        "site.yaml:12: summary.method: 'lexrnk' is not one of",
        "site.yaml:13: summary.sentences: must be at least 1 (got 0)",
        "site.yaml:14: summary.ratio: must be at most 1 (got 1.5)",
        "site.yaml:15: related: expected a mapping of settings, got a number (5)",
        "site.yaml:17: pagination.size: expected a number, got 'ten'",
        "site.yaml:18: pagination.colour: unknown setting",
        "site.yaml:20: sources.wire: expected a mapping, got 'AFP'",
        "site.yaml:22: sources.news.source_url: 'javascript:alert(1)' is not an http(s) URL",
        "site.yaml:23: sources.news.tags: expected a list of text, got a mapping",
        "site.yaml:25: title: is given twice (first on line 24)",
    ]
    for e in expected:
        assert f"error: {e}" in err, (e, err)
    assert not (root / "public").exists()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("title: 'unclosed\n", "site.yaml:1: YAML syntax error"),
        ("title: T\n\tdescription: x\n", "site.yaml:2: YAML syntax error"),
        ("- a\n- b\n", "site.yaml:1: expected a mapping of settings at the top level, got a list"),
        ("just text\n", "site.yaml:1: expected a mapping of settings at the top level"),
    ],
    ids=["unclosed-quote", "tab", "list", "scalar"],
)
def test_site_yaml_that_is_not_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, expected: str
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD}, config)
    rc, err = run(root, capsys)
    assert rc == 1 and expected in err, err


def test_site_yaml_binary_or_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\n")
    (root / "site.yaml").write_bytes(b"title: \xff\xfe\x00\x01")
    rc, err = run(root, capsys)
    assert rc == 1 and "site.yaml: cannot read" in err
    (root / "site.yaml").unlink()
    rc, err = run(root, capsys)
    assert rc == 1 and "site.yaml: configuration file not found" in err


def test_empty_site_yaml_uses_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "")
    rc, err = run(root, capsys, "-q")
    assert rc == 0, err


def test_explicit_output_outside_the_site_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\n")
    rc, err = run(root, capsys, "-q", "--output", str(tmp_path / "elsewhere"))
    assert rc == 0, err
    assert (tmp_path / "elsewhere/index.html").is_file()


def test_output_that_would_replace_the_site_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\noutput_dir: .\n")
    rc, err = run(root, capsys)
    assert rc == 1 and "site.yaml:2: output_dir: '.' is the site folder itself" in err
    write_site(root, {}, "title: T\noutput_dir: content/out\n")
    rc, err = run(root, capsys)
    assert rc == 1 and "output_dir: 'content/out' is inside the content folder" in err
    write_site(root, {}, "title: T\n")
    rc, err = run(root, capsys, "--output", str(root))
    assert rc == 1 and "refusing to replace it" in err
    assert (root / "site.yaml").is_file() and (root / "content/good.md").is_file()


# ---------------------------------------------------------------- themes and templates


def test_missing_theme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(
        tmp_path / "site", {"good.md": GOOD, SECOND[0]: SECOND[1]}, "title: T\ntheme: nope\n"
    )
    rc, err = run(root, capsys)
    assert rc == 1
    assert "site.yaml: theme 'nope' not found" in err
    assert SECOND_MSG in err  # content is still checked


def test_template_syntax_error_names_template_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\n")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% if article.title %}\n{{ article.title }}\n{% endblock %}\n'
    )
    rc, err = run(root, capsys)
    assert rc == 1
    assert "templates/article.html:5: template syntax error" in err


def site_with_article_line(tmp_path: Path, line: str) -> Path:
    """A site whose article template has ``line`` as its line 4."""
    root = write_site(tmp_path / "site", {"good.md": GOOD}, "title: T\n")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ article.title }}</h1>\n'
        f"{line}\n{{% endblock %}}\n"
    )
    return root


def test_template_undefined_variable_names_template_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site_with_article_line(tmp_path, "<p>{{ no_such_thing.name }}</p>")
    rc, err = run(root, capsys)
    assert rc == 1
    assert "templates/article.html:4: undefined variable: 'no_such_thing' is undefined" in err


def test_template_that_fails_in_python_names_template_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error raised by Python inside a template (adding a number to a string) is a
    template error at its line, not a traceback."""
    root = site_with_article_line(tmp_path, "<p>{{ article.title + 1 }}</p>")
    rc, err = run(root, capsys)
    assert rc == 1
    assert "templates/article.html:4: template error:" in err and "str" in err
    assert not (root / "public").exists()


# ---------------------------------------------------------------- exit status and --strict


def test_exit_status_and_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(
        tmp_path / "site",
        {"a.md": "---\ntitle: A\ndate: 2024-01-01\ntgas: [x]\n---\nText here. More text.\n"},
        "title: T\nbase_url: https://example.org/\n",
    )
    warning = "content/a.md:4: front matter: unknown key 'tgas' is ignored (did you mean 'tags'?)"
    rc, err = run(root, capsys)
    assert rc == 0 and f"warning: {warning}" in err
    before = sorted(p.relative_to(root) for p in (root / "public").rglob("*"))
    rc, err = run(root, capsys, "--strict")
    assert rc == 1
    assert f"error: {warning}" in err and "build failed: 1 problem; nothing was published" in err
    assert sorted(p.relative_to(root) for p in (root / "public").rglob("*")) == before
    rc, err = run(root, capsys, "-q")
    assert rc == 0 and err == ""  # -q hides warnings


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["build", "--no-such-option"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unreadable_folder_is_reported_not_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site", {"good.md": GOOD, "locked/x.md": GOOD}, "title: T\n")
    real = os.scandir

    def scandir(path):  # as for a folder without read permission (root ignores chmod)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    rc, err = run(root, capsys)
    assert rc == 1
    assert "content/locked: cannot read folder: Permission denied" in err
    assert not (root / "public").exists()


def test_a_sub_folder_removed_while_content_is_read_is_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when an editor or a sync tool deletes a folder during a build (or a rebuild
    in `digest serve`): what is left is built."""
    root = write_site(tmp_path / "site", {"good.md": GOOD, "gone/x.md": GOOD}, "title: T\n")
    real = os.scandir

    def scandir(path):
        if str(path).endswith("gone"):
            raise FileNotFoundError(2, "No such file or directory")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    rc, err = run(root, capsys, "-q")
    assert rc == 0 and err == ""
    assert (root / "public/good/index.html").is_file()
