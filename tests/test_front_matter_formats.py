"""Front matter as YAML (---), TOML (+++) or JSON ({ ... }); errors name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import ContentError
from digest.load import frontmatter
from digest.load.frontmatter import split_front_matter
from tests.conftest import run_build, write_site

BODY = "The council met on Monday and agreed a plan for the harbour wall repairs.\n"


def test_toml_front_matter_is_read_with_key_lines() -> None:
    text = '+++\ntitle = "Harbour"\ndate = 2026-03-01\ntags = ["a", "b"]\n+++\n' + BODY
    meta, lines, body, body_line = split_front_matter(text, "a.md")
    assert meta["title"] == "Harbour" and meta["tags"] == ["a", "b"]
    assert lines == {"title": 2, "date": 3, "tags": 4}
    assert body == BODY and body_line == 6


def test_json_front_matter_is_read_with_key_lines() -> None:
    text = '{\n  "title": "Harbour",\n  "date": "2026-03-01"\n}\n' + BODY
    meta, lines, body, body_line = split_front_matter(text, "a.md")
    assert meta == {"title": "Harbour", "date": "2026-03-01"}
    assert lines == {"title": 2, "date": 3}
    assert body == BODY and body_line == 5


def test_body_starting_with_a_shortcode_is_not_json() -> None:
    meta, _lines, body, _ = split_front_matter("{{< youtube abc >}}\n", "a.md")
    assert meta == {} and body.startswith("{{<")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('+++\ntitle = "A\ndate = 1\n+++\n', "a.md:2: front matter: TOML syntax error"),
        ("+++\na = 1\na = 2\n+++\n", "a.md:3: front matter: 'a' is given twice (first on line 2)"),
        ("+++\ntitle = 1\n", "a.md:1: front matter: opening '+++' has no closing '+++' line"),
        ('{\n "a": 1,\n "a": 2\n}\n', "a.md:3: front matter: 'a' is given twice"),
        ('{\n "a": 1,\n}\n', "a.md:3: front matter: JSON syntax error"),
        ("---\ntitle: [\n---\n", "a.md:3: front matter: YAML syntax error"),
    ],
)
def test_errors_name_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(ContentError) as exc:
        split_front_matter(text, "a.md")
    assert str(exc.value.problem).startswith(expected)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("#+TITLE: Harbour\n#+DATE: 2026-03-01\n\nBody.\n", "Org-mode"),
        ("Title: Harbour\nDate: 2026-03-01\n\nBody.\n", "Pelican/MultiMarkdown"),
        ("% Harbour\n% Someone\n% 2026-03-01\n\nBody.\n", "Pandoc"),
    ],
)
def test_unread_format_says_so(text: str, name: str) -> None:
    with pytest.raises(ContentError) as exc:
        split_front_matter(text, "a.md")
    message = str(exc.value.problem)
    assert name in message and "does not read" in message and "missing" not in message


def test_site_of_all_three_formats_builds(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "news/yaml.md": "---\ntitle: Yaml one\ndate: 2026-03-01\n---\n" + BODY,
            "news/toml.md": '+++\ntitle = "Toml one"\ndate = 2026-03-02T10:00:00Z\n+++\n' + BODY,
            "news/json.md": '{\n "title": "Json one",\n "date": "2026-03-03"\n}\n' + BODY,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    for slug in ("yaml", "toml", "json"):
        assert (root / "public" / "news" / slug / "index.html").is_file()


def test_bad_toml_in_a_build_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(tmp_path / "s", {"news/a.md": '+++\ntitle = "A"\ndate = nope\n+++\n' + BODY})
    rc, err = run_build(root, capsys)
    assert rc != 0
    assert "error: content/news/a.md:3: front matter: TOML syntax error" in err.replace("\\", "/")


# ---------------------------------------------------------------- keys from Hugo and Zola


def _article(text: str, rel: str = "post/x.md") -> tuple[Any, list[str]]:
    from digest.config import ContentConfig, FolderDefaults
    from digest.errors import Problems
    from digest.load import to_article
    from digest.load.markdown import read_markdown

    problems = Problems()
    parsed = read_markdown(text, "content/" + rel)
    cfg = ContentConfig(dir=Path("content"), root=Path("."))
    art = to_article(parsed, rel, cfg, FolderDefaults(), problems)
    return art, [
        ("warning: " if p.warning else "error: ") + str(p)
        for p in problems.errors + problems.warnings
    ]


def test_hugo_author_table_gives_its_name() -> None:
    head = '+++\ntitle = "Quay"\ndate = 2026-03-01\n'
    art, problems = _article(head + '[author]\n  name = "Ada Lane"\n+++\n' + BODY)
    assert art.author == "Ada Lane" and problems == []
    art, problems = _article(
        head + '[[author]]\nname = "Ada Lane"\n[[author]]\nname = "Bo Chen"\n+++\n' + BODY
    )
    assert art.author == "Ada Lane, Bo Chen" and problems == []
    art, problems = _article(head + '[author]\n  email = "a@b.example"\n+++\n' + BODY)
    assert art is None and "'author' is a table with no 'name'" in problems[0]


def test_free_text_slug_is_made_a_slug_with_a_warning() -> None:
    art, problems = _article(
        '+++\ntitle = "Q"\ndate = 2026-03-01\nslug = "Débuter avec Quay"\n+++\n' + BODY
    )
    assert art.slug == "debuter-avec-quay"
    assert problems == [
        "warning: content/post/x.md:4: front matter: 'slug' 'Débuter avec Quay' is not a URL "
        "slug; using 'debuter-avec-quay' (a slug holds only letters, digits, '-', '_' and '.')"
    ]
    art, problems = _article('+++\ntitle = "Q"\ndate = 2026-03-01\nslug = "!!"\n+++\n' + BODY)
    assert art is None and "'slug' may hold only letters" in problems[0]


def test_language_suffix_gives_language_and_its_own_slug() -> None:
    text = '+++\ntitle = "Quai"\ndate = 2026-03-01\n+++\n' + BODY
    art, problems = _article(text, "post/quay.fr.md")
    assert (art.slug, art.language) == ("quay-fr", "fr") and problems == []
    art, _ = _article(text, "post/quay.md")
    assert (art.slug, art.language) == ("quay", "en")
    art, _ = _article(text, "post/v1.zz.md")  # not a language digest knows: part of the name
    assert art.slug == "v1-zz" and art.language == "en"


def test_noise_keys_are_read_quietly_and_series_are_tags() -> None:
    text = (
        '+++\ntitle = "Quay"\ndate = 2026-03-01\nlinktitle = "Q"\ntemplate = "x.html"\n'
        'series = ["Harbour 101"]\nin_search_index = false\n[extra]\nmath = true\n+++\n' + BODY
    )
    art, problems = _article(text)
    assert problems == [] and "Harbour 101" in art.tags
    assert art.draft is False


@pytest.mark.parametrize("key", ["render = false", "hidden = true"])
def test_unrendered_or_hidden_is_left_out_as_a_draft(key: str) -> None:
    art, problems = _article(f'+++\ntitle = "Quay"\ndate = 2026-03-01\n{key}\n+++\n' + BODY)
    assert problems == [] and art.draft is True


def test_draft_section_index_makes_its_files_drafts(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "secret/_index.md": '+++\ntitle = "Secret"\ndraft = true\n+++\n',
            "secret/inner/a.md": '+++\ntitle = "Hidden one"\ndate = 2026-03-01\ndraft = false\n+++\n'
            + BODY,
            "news/b.md": '+++\ntitle = "Shown one"\ndate = 2026-03-02\n+++\n' + BODY,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 0, err
    home = (root / "public" / "index.html").read_text()
    assert "Shown one" in home and "Hidden one" not in home
    assert not (root / "public" / "secret").exists()


def test_failed_build_shows_warnings_too_and_counts_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = write_site(
        tmp_path / "s",
        {
            "news/a.md": '+++\ntitle = "A"\ndate = 2026-03-01\nmood = "x"\n+++\n' + BODY,
            "news/b.md": '+++\ntitle = "B"\ndate = "yesterday"\n+++\n' + BODY,
        },
    )
    rc, err = run_build(root, capsys)
    assert rc == 1
    assert "warning: content/news/a.md:4: front matter: unknown key 'mood'" in err.replace(
        "\\", "/"
    )
    assert "build failed: 1 problem (and 1 warning); nothing was published" in err


@pytest.mark.parametrize(
    "text, kind",
    [
        ('+++\ntitle = "A"\n+++\nBody.\n', "toml"),
        ('{"title": "A"}\nBody.\n', "json"),
        ('{"title": "A"}', "json"),  # nothing after the object: still JSON front matter
        ("---\ntitle: A\n---\nBody.\n", "yaml"),
        ("Body only.\n", ""),
    ],
)
def test_front_matter_format_is_the_one_the_splitter_read(text: str, kind: str) -> None:
    from digest.load.frontmatter import read_front_matter

    assert read_front_matter(text, "a.md").format == kind


_KEYS = ["title", "date", "slug", "yes", "null", "On", "x_1", "Title", "title"]
_VALUES = [
    '"Ad sales boost Time Warner profit"', "\"it's\"", '"a \\"quote\\""', '"tab\\there"', '""',
    '"no\u00a0break"', '"#1 & more: yes"', '"  spaced  "', '"caf\u00e9 \u6771\u4eac"',
    "2005-01-01T00:00:00Z", "2005-01-01", "a000000", "123", "1.5", "12:30", "yes", "null",
    "0x1f", "1_000", ".inf", "x:y", "x:1", "a/b+c", "Y", "~", "=", "<<", "'single'", "[1]",
    "a #b", "- item", "value:", "1e3",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(_KEYS), st.sampled_from(_VALUES)).map(": ".join)
        | st.sampled_from(["", "# comment", "  indented: x", "key:value", "k:  two"]),
        min_size=0,
        max_size=5,
    ),
    end=st.sampled_from(["\n", ""]),
)
def test_simple_front_matter_reads_as_yaml_reads_it(rows: list[str], end: str) -> None:
    raw = "\n".join(rows) + end

    def read() -> object:
        try:
            return frontmatter.parse_yaml_mapping(raw, "a.md", first_line=2)
        except ContentError as exc:
            return str(exc)

    got = read()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(frontmatter, "_simple_mapping", lambda raw, first_line: None)
        assert read() == got


def test_a_news_articles_front_matter_is_read_without_yaml_nodes() -> None:
    raw = 'title: "Ad sales boost Time Warner profit"\ndate: 2005-01-01T00:00:00Z\nslug: a000000\n'
    meta = {"title": "Ad sales boost Time Warner profit", "date": "2005-01-01T00:00:00Z"}
    expected = ({**meta, "slug": "a000000"}, {"title": 2, "date": 3, "slug": 4})
    assert frontmatter._simple_mapping(raw, 2) == expected
    assert frontmatter.parse_yaml_mapping(raw, "a.md", first_line=2) == expected
    # a value YAML reads as another type, or a key given twice: read by YAML
    assert frontmatter._simple_mapping(raw + "draft: yes\n", 2) is None
    assert frontmatter._simple_mapping(raw + "slug: b\n", 2) is None
    with pytest.raises(ContentError, match="'slug' is given twice"):
        frontmatter.parse_yaml_mapping(raw + "slug: b\n", "a.md", first_line=2)
