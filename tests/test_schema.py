"""The declared schema: one source of defaults, one checker per option kind,
one check for site.yaml `sources:` and `_source.yaml`, YAML helpers in one place."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_site

import digest
from digest.config import (
    CHECKERS,
    SCHEMA,
    SITE_RULES,
    SOURCE_SCHEMA,
    ContentConfig,
    FolderDefaults,
    Opt,
    Place,
    RelatedConfig,
    SiteConfig,
    SummaryConfig,
    check_mapping,
    default,
    load_config,
)
from digest.errors import Problems
from digest.load import defaults_for, folder_defaults
from digest.yamltext import line_map, yaml_error_problem


def _kinds(schema: dict[str, Opt] | Any) -> set[str]:
    out: set[str] = set()
    for opt in schema.values():
        out.add(opt.kind)
        if opt.schema:
            out |= _kinds(opt.schema)
    return out


def test_every_declared_kind_has_a_checker() -> None:
    assert _kinds(SCHEMA) <= set(CHECKERS)


def test_dataclass_defaults_are_the_schema_defaults() -> None:
    for section, instance in (("summary", SummaryConfig()), ("related", RelatedConfig())):
        for key, opt in (SCHEMA[section].schema or {}).items():
            assert getattr(instance, key) == opt.default == default(f"{section}.{key}")
    site = SiteConfig()
    for key in ("title", "description", "base_url", "language", "date_format", "cname"):
        assert getattr(site, key) == SCHEMA[key].default
    assert site.per_page == default("pagination.size")
    content = ContentConfig(dir=Path("c"), root=Path("."))
    assert (content.language, content.author, content.raw_html) == (
        SCHEMA["language"].default,
        SCHEMA["author"].default,
        SCHEMA["raw_html"].default,
    )
    assert dict(content.sources) == SCHEMA["sources"].default
    assert FolderDefaults() == FolderDefaults(None, None, None, ())
    assert default("sources.tags") == ()  # a list default comes back immutable


def test_a_default_is_written_once(tmp_path: Path) -> None:
    """An empty site.yaml gives exactly what the dataclasses give by default."""
    cfg = load_config(write_site(tmp_path, {}, ""))
    assert cfg.summary == SummaryConfig() and cfg.related == RelatedConfig()
    assert cfg.site == SiteConfig()


def _place(problems: Problems) -> Place:
    return Place("site.yaml", lambda key: {"a": 1}.get(key), problems, SITE_RULES)


@pytest.mark.parametrize(
    ("opt", "value", "message"),
    [
        (Opt("str", "d", ""), 5, "a: expected text, got a number (5)"),
        (Opt("str", "d", ""), None, "a: must not be empty"),
        (Opt("path", "d", ""), " ", "a: is not a usable path"),
        (Opt("url", "d", ""), "ftp://x/", "a: 'ftp://x/' is not an http(s) URL"),
        (Opt("choice", "d", "", choices=("news", "lsa")), "nws", "a: 'nws' is not one of news"),
        (Opt("bool", False, ""), "yes", "a: expected true or false, got 'yes'"),
        (Opt("int", 3, "", minimum=1), 2.5, "a: expected a whole number, got 2.5"),
        (Opt("int", 3, "", minimum=1), True, "a: expected a number, got a true/false value"),
        (Opt("int", 3, "", minimum=1), 0, "a: must be at least 1 (got 0)"),
        (Opt("float", 0.5, "", maximum=1.0), 1.5, "a: must be at most 1 (got 1.5)"),
        (Opt("list", [], ""), {"x": 1}, "a: expected a list of text, got a mapping"),
        (Opt("section", None, "", schema={}), 5, "a: expected a mapping of settings"),
        (Opt("map", {}, "", schema={}), [1], "a: expected a mapping, got a list"),
    ],
)
def test_each_kind_rejects_a_bad_value_and_uses_the_default(
    opt: Opt, value: Any, message: str
) -> None:
    problems = Problems()
    out = check_mapping({"a": value}, {"a": opt}, _place(problems))
    assert out == {"a": opt.default}
    [problem] = problems.errors
    assert str(problem).startswith(f"site.yaml:1: {message}")


def test_every_problem_is_collected_not_only_the_first() -> None:
    problems = Problems()
    schema = {"a": Opt("int", 1, ""), "b": Opt("bool", False, ""), "c": Opt("str", "", "")}
    out = check_mapping({"a": "x", "b": 1, "c": [], "d": 0}, schema, _place(problems))
    assert out == {"a": 1, "b": False, "c": ""}
    assert sorted(p.message.split(":")[0] for p in problems.errors) == ["a", "b", "c", "d"]


def test_list_text_is_split_on_commas_and_sections_fill_in_defaults() -> None:
    problems = Problems()
    schema = {
        "tags": Opt("list", [], ""),
        "s": Opt("section", None, "", schema={"x": Opt("int", 7, "")}),
    }
    assert check_mapping({"tags": "a, b,,"}, schema, _place(problems)) == {
        "tags": ["a", "b"],
        "s": {"x": 7},
    }
    assert not problems.errors


def _folder_site(
    tmp_path: Path, source_yaml: str, config: str = "title: T\n"
) -> tuple[dict[str, FolderDefaults], Problems]:
    root = write_site(tmp_path, {"wire/a.md": "---\ntitle: A\n---\nA.\n"}, config)
    (root / "content/wire/_source.yaml").write_text(source_yaml)
    problems = Problems()
    cfg = load_config(root / "site.yaml")
    return folder_defaults(cfg.content, problems), problems


def test_source_yaml_is_checked_against_the_sources_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _defaults, problems = _folder_site(
        tmp_path,
        "sorce: x\nsource_url: /rel\ntags: ['!!']\nextra: 1\n",
    )
    assert [str(p) for p in problems.errors] == [
        "content/wire/_source.yaml:1: folder defaults: unknown key 'sorce' "
        "(did you mean 'source'?)",
        "content/wire/_source.yaml:2: front matter: 'source_url' must be an http(s) URL "
        "(got '/rel')",
        "content/wire/_source.yaml:3: front matter: 'tags' holds '!!', which has no letters "
        "or digits for a URL",
        "content/wire/_source.yaml:4: folder defaults: unknown key 'extra' "
        f"(known keys: {', '.join(SOURCE_SCHEMA)})",
    ]


def test_source_yaml_wins_over_site_yaml_and_nearest_folder_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = "title: T\nsources:\n  wire:\n    source: Site\n    section: S\n    tags: [x]\n"
    source_yaml = "source: ' Wire   Service '\nsource_url: https://w.example/\n"
    defaults, problems = _folder_site(tmp_path, source_yaml, config)
    assert not problems.errors
    assert defaults["wire"] == FolderDefaults("Wire Service", "https://w.example/", "S", ("x",))
    assert defaults_for(
        "wire/deep/a.md", {**defaults, "wire/deep": FolderDefaults(section="D")}
    ) == (FolderDefaults("Wire Service", "https://w.example/", "D", ("x",)))


def test_yaml_helpers_line_map_and_error_line() -> None:
    duplicates: list[tuple[str, int, int]] = []
    lines = line_map("a: 1\nb:\n  c: 2\na: 3\n", duplicates)
    assert lines[("b", "c")] == 3 and duplicates == [("a", 4, 1)]
    with pytest.raises(yaml.YAMLError) as err:
        yaml.safe_load("a: 1\nb: c: 2\n")
    problem = yaml_error_problem(err.value, "site.yaml").problem
    assert problem.path == "site.yaml" and problem.line == 2
    assert problem.message.startswith("YAML syntax error:")


@pytest.mark.parametrize("module", ["config.py", "yamltext.py", "load/frontmatter.py"])
def test_no_import_inside_a_function(module: str) -> None:
    """config and load share YAML helpers through digest.yamltext, imported at the top."""
    tree = ast.parse((Path(digest.__file__).parent / module).read_text(encoding="utf-8"))
    inner = [
        node.lineno
        for fn in ast.walk(tree)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(fn)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    assert inner == []
