"""Front matter as YAML (---), TOML (+++) or JSON ({ ... }); errors name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ContentError
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
