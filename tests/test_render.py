"""Themes: overriding one template, errors with file and line, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_site

from digest.cli import main


def test_site_overrides_only_article_template(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        '{% extends "base.html" %}{% block main %}<p class="custom">CUSTOM {{ article.title }}'
        "</p>{% endblock %}"
    )
    assert main(["build", "--config", str(site / "site.yaml"), "-q"]) == 0
    out = site / "public"
    assert "CUSTOM Harbour wall repairs" in (out / "world/harbour-wall/index.html").read_text()
    index = (out / "index.html").read_text()
    assert 'class="entry' in index and "CUSTOM" not in index  # default index.html
    assert (out / "archive/index.html").is_file() and (out / "static/style.css").is_file()


def test_named_theme_falls_back_to_default(site: Path) -> None:
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/templates/404.html").write_text("MINE 404")
    (site / "themes/mine/static").mkdir()
    (site / "themes/mine/static/style.css").write_text("body{}")
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "theme: mine\n")
    assert main(["build", "--config", str(site / "site.yaml"), "-q"]) == 0
    assert (site / "public/404.html").read_text() == "MINE 404"
    assert (site / "public/static/style.css").read_text() == "body{}"
    assert "Related" in (site / "public/world/harbour-wall/index.html").read_text()


def test_missing_theme_is_an_error(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "theme: nope\n")
    assert main(["build", "--config", str(site / "site.yaml")]) == 1
    assert "theme 'nope' not found" in capsys.readouterr().err


def test_template_syntax_error_names_file_and_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates").mkdir()
    (site / "templates/tags.html").write_text("line one\n{% for x in %}\n")
    assert main(["build", "--config", str(site / "site.yaml")]) == 1
    err = capsys.readouterr().err
    assert "templates/tags.html:2: template syntax error" in err
    assert not (site / "public").exists()


def test_undefined_variable_names_file_and_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates").mkdir()
    (site / "templates/tags.html").write_text("ok\n{{ no_such_thing.attr }}\n")
    assert main(["build", "--config", str(site / "site.yaml")]) == 1
    err = capsys.readouterr().err
    assert "templates/tags.html:2: undefined variable" in err and "no_such_thing" in err


def test_a_template_showing_a_related_links_score_is_told_it_has_none(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Related links hold no score (articles.json has the scores): a template that shows
    one fails with its file and line, never a page a later edit leaves stale."""
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        "{{ article.title }}\n{% for x in entry.related %}{{ x.title }} {{ x.score }}{% endfor %}\n"
    )
    assert main(["build", "--config", str(site / "site.yaml")]) == 1
    err = capsys.readouterr().err
    assert "templates/article.html:2: undefined variable" in err and "score" in err


def test_front_matter_values_are_escaped(tmp_path: Path) -> None:
    from conftest import write_site

    evil = '<script>alert(1)</script>"'
    root = write_site(
        tmp_path,
        {
            "2026-01-01-x.md": f"---\ntitle: '{evil}'\nsource: '{evil}'\n"
            f"tags: ['{evil}']\n---\nBody text. More text.\n"
        },
        "title: T\n",
    )
    assert main(["build", "--config", str(root / "site.yaml"), "-q"]) == 0
    for page in (root / "public").rglob("*.html"):
        assert "<script>alert(1)" not in page.read_text(), page
    import json

    data = json.loads((root / "public/articles.json").read_text())
    assert data["articles"][0]["title"] == evil  # JSON keeps the value exactly


def test_dates_of_one_instant_in_two_time_zones_show_each_its_own(tmp_path: Path) -> None:
    """The date filters make each date's text once (digest.render._Dates): two articles
    published at the same instant from two time zones (equal datetimes) still show each
    its own local time, on their own pages and in each other's related links; a
    template's own format is honoured."""
    body = (
        "The harbour council voted to repair the harbour wall before the winter storms "
        "reach the old quay and the fishing boats moored beside it.\n"
    )
    site = write_site(
        tmp_path / "site",
        {
            "world/2026-03-01-paris.md": '---\ntitle: "Harbour wall vote in Paris"\n'
            f"date: 2026-03-01T10:30:00+01:00\n---\n{body}",
            "world/2026-03-01-london.md": '---\ntitle: "Harbour wall vote in London"\n'
            f"date: 2026-03-01T09:30:00+00:00\n---\n{body}",
        },
    )
    assert main(["build", "--config", str(site / "site.yaml"), "-q"]) == 0
    paris = (site / "public/world/paris/index.html").read_text()
    london = (site / "public/world/london/index.html").read_text()
    assert '<time datetime="2026-03-01T10:30:00+01:00">' in paris
    assert '<time datetime="2026-03-01T09:30:00+00:00">' in london
    # each shows the other in its related links, with the other's own zone
    assert '<time datetime="2026-03-01T09:30:00+00:00">' in paris
    assert '<time datetime="2026-03-01T10:30:00+01:00">' in london


def test_date_filter_takes_a_format_of_the_template(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        '{% extends "base.html" %}{% block main %}<p class="when">{{ article.date | date }}'
        ' / {{ article.date | date("%Y-%m-%d") }} / {{ article.date | date("") }}'
        "</p>{% endblock %}"
    )
    assert main(["build", "--config", str(site / "site.yaml"), "-q"]) == 0
    page = (site / "public/world/harbour-wall/index.html").read_text()
    shown = page.split('<p class="when">', 1)[1].split("</p>", 1)[0]
    site_format, own, empty = shown.split(" / ")
    assert own.count("-") == 2 and own[:2] == "20"
    assert site_format == empty and site_format != own and " " in site_format
