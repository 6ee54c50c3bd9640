"""Render and publish of a rebuild, proportional to what changed (issue 17): templates
compiled by an earlier build are taken from the cache, a session's rebuild hands
publish its unchanged pages in bulk, and the site is byte for byte a cold build's."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from conftest import build_site, tree, write_site


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on."""
    names: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: object, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        names.append(str(name))
        return compile_(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


HARBOUR = "content/world/2026-03-01-harbour-wall.md"


def _retitle(site: Path, title: str) -> None:
    """A new title for one article: its page (and the lists showing it) are rendered."""
    path = site / HARBOUR
    text = path.read_text(encoding="utf-8")
    start = text.index('title: "') + len('title: "')
    end = text.index('"', start)
    path.write_text(text[:start] + title + text[end:], encoding="utf-8")


def test_a_new_process_takes_the_templates_compiled_by_the_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    build_site(site)
    first = tree(site / "public")
    compiled = _compiles(monkeypatch)
    _retitle(site, "Harbour wall repairs start")
    build_site(site)  # (a new Theme, as in a new process)
    assert compiled == []
    second = tree(site / "public")
    assert b"Harbour wall repairs start" in second["world/harbour-wall/index.html"]
    assert second != first
    cold = tmp_path / "cold"
    build_site(site, use_cache=False, output=cold)
    assert tree(cold) == second


def test_a_changed_template_is_compiled_again_never_taken_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    (site / "templates").mkdir()
    page = site / "templates/article.html"
    page.write_text("<h1>{{ article.title }}</h1>\n", encoding="utf-8")
    build_site(site)
    page.write_text("<h2>{{ article.title }}</h2>\n", encoding="utf-8")
    compiled = _compiles(monkeypatch)
    build_site(site)
    assert compiled == ["article.html"]
    shown = (site / "public/world/harbour-wall/index.html").read_text(encoding="utf-8")
    assert shown.startswith("<h2>Harbour wall")


def test_templates_compiled_by_another_jinja_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    build_site(site)
    first = tree(site / "public")
    monkeypatch.setattr(jinja2, "__version__", jinja2.__version__ + ".other")
    compiled = _compiles(monkeypatch)
    _retitle(site, "Harbour wall repairs start")
    build_site(site)
    assert "article.html" in compiled and "base.html" in compiled
    assert tree(site / "public") != first


def test_without_the_cache_every_template_is_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    build_site(site)
    compiled = _compiles(monkeypatch)
    build_site(site, use_cache=False)
    assert "article.html" in compiled
