"""site.yaml: declared schema, collected errors, did-you-mean, YAML syntax errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.config import SCHEMA, load_config
from digest.errors import BuildError


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        load_config(tmp_path / "site.yaml")
    return [str(p) for p in exc.value.problems]


def test_defaults(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Hello\n")
    cfg = load_config(tmp_path / "site.yaml")
    assert cfg.site.title == "Hello"
    assert cfg.summary.method == "news" and cfg.summary.sentences == 3
    assert cfg.related.count == 5
    assert cfg.site.per_page == 10
    assert cfg.output_dir == tmp_path.resolve() / "public"


def test_every_problem_collected_with_key_path_and_line(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "title: 3\nsumary:\n  sentences: 2\nsummary:\n  sentences: three\n"
        "  method: lexrnk\nrelated:\n  count: -1\npagination: 7\n",
    )
    text = "\n".join(got)
    assert "site.yaml:1: title: expected text, got a number (3)" in text
    assert "site.yaml:2: sumary: unknown setting (did you mean 'summary'?)" in text
    assert "site.yaml:5: summary.sentences: expected a number, got 'three'" in text
    assert re.search(
        r"site.yaml:6: summary.method: 'lexrnk' is not one of .*did you mean "
        r"'lexrank'",
        text,
    )
    assert "site.yaml:8: related.count: must be at least 0 (got -1)" in text
    assert "site.yaml:9: pagination: expected a mapping of settings" in text
    assert len(got) == 6


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    got = problems(tmp_path, 'title: "unclosed\ndescription: x\n')
    assert len(got) == 1 and "YAML syntax error" in got[0]
    assert re.search(r"site.yaml:\d+: .*column \d+", got[0])


def test_missing_config_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as exc:
        load_config(tmp_path / "site.yaml")
    assert "digest init" in str(exc.value)


def test_base_url_must_be_http_or_path(tmp_path: Path) -> None:
    got = problems(tmp_path, "base_url: javascript:alert(1)\n")
    assert "base_url" in got[0] and "http(s)" in got[0]


def test_subpath_base(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("base_url: https://u.github.io/repo\n")
    cfg = load_config(tmp_path / "site.yaml")
    assert cfg.site.base_path == "/repo/"
    assert cfg.site.absolute_url("a/b/") == "https://u.github.io/repo/a/b/"


def test_readme_documents_every_option() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for key, opt in SCHEMA.items():
        if opt.kind == "section":
            for sub in opt.schema or {}:
                assert f"| `{key}.{sub}` |" in readme, f"{key}.{sub}"
        else:
            assert f"| `{key}` |" in readme, key
