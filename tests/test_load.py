"""The load stage: front matter, inference, validation with file and line."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

from digest import cache, collect
from digest.config import load_config
from digest.errors import Problems
from digest.load import parse_date, slugify
from digest.load.decode import decode


def load(root: Path, drafts: bool = False):
    cfg = load_config(root / "site.yaml", drafts=drafts)
    problems = Problems()
    with cache.Cache(None) as store:
        site = collect.collect(cfg.content, cfg.summary, store, problems, texts=True)
    return site.articles, problems


def test_subfolder_is_section_unless_front_matter_says_otherwise(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "world/2026-01-01-a.md": "---\ntitle: A\n---\nBody text here. More text.\n",
            "world/2026-01-02-b.md": "---\ntitle: B\nsection: Opinion\n---\nBody. More.\n",
            "2026-01-03-c.md": "---\ntitle: C\n---\nBody. More.\n",
        },
        "title: T\n",
    )
    arts, problems = load(root)
    by = {a.slug: a for a in arts}
    assert (by["a"].section, by["a"].url) == ("World", "world/a/")
    assert (by["b"].section, by["b"].url) == ("Opinion", "opinion/b/")
    assert (by["c"].section, by["c"].url) == ("", "c/")
    assert not problems.errors


def test_errors_name_file_and_line_and_all_files_are_checked(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "a.md": "---\ntitle: A\ndate: 2024-02-30\n---\nText.\n",
            "b.md": "---\ntitle: [1, 2]\ndate: 2024-01-01\n---\nText.\n",
            "c.md": "---\ntitle: 'unclosed\n---\nText.\n",
            "d.md": "---\n- a list\n---\nText.\n",
            "e.md": "---\ntitle: E\ndate: 2024-01-01\ntags: {a: 1}\nsource_url: ftp://x\n---\nT.\n",
            "f.md": "",
        },
        "title: T\n",
    )
    arts, problems = load(root)
    msgs = [str(p) for p in problems.errors]
    text = "\n".join(msgs)
    assert "content/a.md:3: front matter: 'date' is not a date (got '2024-02-30'" in text
    assert "content/b.md:2: front matter: 'title' must be text (got a list)" in text
    assert "content/c.md:" in text and "YAML syntax error" in text
    assert "content/d.md:2: front matter: expected a mapping" in text
    assert "content/e.md:4: front matter: 'tags' must be a list of text" in text
    assert "content/e.md:5: front matter: 'source_url' must be an http(s) URL" in text
    assert "content/f.md: front matter: 'title' is missing" in text
    assert arts == []


def test_unknown_key_is_a_warning_with_hint(tmp_path: Path) -> None:
    root = write_site(
        tmp_path, {"a.md": "---\ntitle: A\ndate: 2024-01-01\ntgas: [x]\n---\nT.\n"}, "title: T\n"
    )
    arts, problems = load(root)
    assert len(arts) == 1 and not problems.errors
    assert "content/a.md:4: front matter: unknown key 'tgas' is ignored (did you mean 'tags'?)" in [
        str(p) for p in problems.warnings
    ]


def test_two_articles_same_url_names_both(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "x/2026-01-01-same.md": "---\ntitle: A\n---\nText. More.\n",
            "x/2026-01-02-same.md": "---\ntitle: B\n---\nText. More.\n",
        },
        "title: T\n",
    )
    _, problems = load(root)
    msg = str(problems.errors[0])
    assert "content/x/2026-01-01-same.md" in msg and "content/x/2026-01-02-same.md" in msg


def test_pinned_related_must_exist(tmp_path: Path) -> None:
    root = write_site(
        tmp_path, {"2026-01-01-a.md": "---\ntitle: A\nrelated: [nope]\n---\nT. M.\n"}, "title: T\n"
    )
    _, problems = load(root)
    assert "'related' names 'nope'" in str(problems.errors[0])


def test_markdown_is_sanitized_and_lists_code_headings_not_candidates(tmp_path: Path) -> None:
    body = (
        "Intro sentence here. Second one.\n\n## Heading text\n\n- list item.\n\n"
        "```\ncode line.\n```\n\n<script>alert(1)</script>\n\n"
        '<a href="javascript:alert(1)" onclick="x()">click</a>\n'
    )
    root = write_site(tmp_path, {"2026-01-01-a.md": f"---\ntitle: A\n---\n{body}"}, "title: T\n")
    arts, _ = load(root)
    a = arts[0]
    assert "<script" not in a.body_html and "javascript:" not in a.body_html
    assert "onclick" not in a.body_html
    assert a.paragraphs[0] == "Intro sentence here. Second one."
    assert not any("list item" in p or "code line" in p or "Heading" in p for p in a.paragraphs)


def test_raw_html_opt_in(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {"2026-01-01-a.md": '---\ntitle: A\n---\n<div class="x">Hi.</div>\n\nText.\n'},
        "title: T\nraw_html: true\n",
    )
    arts, _ = load(root)
    assert '<div class="x">' in arts[0].body_html


def test_folder_defaults_file(tmp_path: Path) -> None:
    root = write_site(
        tmp_path,
        {
            "wire/2026-01-01-a.md": "---\ntitle: A\n---\nText. More.\n",
            "wire/2026-01-02-b.md": "---\ntitle: B\nsource: Own\n---\nText. More.\n",
        },
        "title: T\n",
    )
    (root / "content/wire/_source.yaml").write_text(
        "source: Wire Service\nsource_url: https://wire.example.com/\n"
    )
    arts, problems = load(root)
    by = {a.slug: a for a in arts}
    assert by["a"].source == "Wire Service" and by["a"].source_url == "https://wire.example.com/"
    assert by["b"].source == "Own"
    assert not problems.errors


def test_parse_date_and_slugify() -> None:
    assert parse_date("2024-05-01").isoformat() == "2024-05-01T00:00:00+00:00"
    assert parse_date("2024-05-01T10:00:00Z").isoformat() == "2024-05-01T10:00:00+00:00"
    assert parse_date("yesterday") is None and parse_date("2024-02-30") is None
    assert slugify("Hello, World! Ça va?") == "hello-world-ca-va"
    assert slugify("../../etc") == "etc"


def test_decode_encodings() -> None:
    text = "Caf\u00e9 \u201cquoted\u201d \u2014 na\u00efve"
    assert decode(text.encode("utf-8"), "x")[0] == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "x")[0] == text
    assert decode(text.encode("utf-16"), "x")[0] == text
    assert decode(text.encode("utf-16-le"), "x")[0] == text
    assert decode(text.encode("cp1252"), "x")[0] == text
    assert (
        decode("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, d\u00e9j\u00e0 vu".encode("latin-1"), "x")[0]
        == "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, d\u00e9j\u00e0 vu"
    )


def test_binary_file_is_an_error_naming_it(tmp_path: Path) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    (root / "content/pic.md").write_bytes(bytes(range(256)) * 4)
    arts, problems = load(root)
    assert arts == [] and "content/pic.md: not a text file" in str(problems.errors[0])


def test_control_characters_are_found_as_their_category_says() -> None:
    """_has_control (printable text first, told in C) finds a character of category Cc,
    and only those: at every code point of the first planes, and at a sample beyond."""
    import sys
    import unicodedata

    from digest.load import _has_control

    for code in (*range(0x30000), *range(0x30000, sys.maxunicode + 1, 61)):
        c = chr(code)
        assert _has_control(f"a {c}b") == (unicodedata.category(c) == "Cc"), hex(code)
    assert not _has_control("") and not _has_control("A plain title \u00e9\u2014\u4e2d")
