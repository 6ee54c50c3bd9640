"""A new process's rebuild takes each articles.json line whose record shows the same as
at the last build from the published file (see digest.feeds._articles_again), and each
folder's feeds that show the same (see digest.feeds._Again), and publishes byte for byte
what a cold build does, whatever the published files hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FERRY, MOTHS, build_once, cold_tree, spy, tree, write_site

from digest import feeds


def _encoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs whose articles.json record the builds make from now on."""
    made: list[str] = []
    spy(monkeypatch, feeds, "_record", lambda e, _base, _sc: made.append(e.article.slug))
    return made


def _slugs(out: Path) -> list[str]:
    return [a["slug"] for a in json.loads((out / "articles.json").read_text())["articles"]]


def test_an_edit_encodes_the_record_of_the_edited_article_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    made = _encoded(monkeypatch)
    build_once(root, tmp_path / "out")
    assert made == []  # nothing changed: every line read back
    f = root / MOTHS
    f.write_text(f.read_text().replace("312 species", "313 species"))
    build_once(root, tmp_path / "out")
    assert "moth-survey" in made
    assert len(made) < len(_slugs(tmp_path / "out"))
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


@pytest.mark.parametrize("change", ["base_url", "added", "title", "file edited", "no cache"])
def test_articles_json_is_what_a_cold_build_writes_whatever_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    build_once(root, out)
    if change == "base_url":
        f = root / "site.yaml"
        f.write_text(f.read_text().replace("https://example.org/", "https://example.org/news/"))
    elif change == "added":
        (root / "content/world/2026-03-09-ferry.md").write_text(FERRY)
    elif change == "title":
        f = root / MOTHS
        f.write_text(f.read_text().replace('title: "', 'title: "Record - ', 1))
    elif change == "file edited":  # (the published file is not the one the record was made for)
        published = out / "articles.json"
        published.write_bytes(published.read_bytes().replace(b"2026", b"2025"))
    made = _encoded(monkeypatch)
    build_once(root, out, use_cache=change != "no cache")
    if change in ("base_url", "file edited", "no cache"):
        assert sorted(made) == sorted(_slugs(out))  # every record made again
    assert tree(out) == cold_tree(root, tmp_path)


# ---------------------------------------------------------------- feeds read back


def _feeds_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders whose feeds the builds make from now on ("" the site's)."""
    made: list[str] = []
    spy(monkeypatch, feeds, "atom", lambda feed: made.append(feed.folder))
    return made


@pytest.mark.parametrize("change", ["none", "title", "feed edited", "base_url", "no cache"])
def test_a_new_process_makes_again_only_the_feeds_that_would_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    build_once(root, out)
    folders = ["", "science/", "world/"]  # the site's and its sections'
    if change == "title":
        f = root / MOTHS
        f.write_text(f.read_text().replace('title: "', 'title: "Record - ', 1))
    elif change == "feed edited":
        (out / "world/feed.json").write_bytes(b"{}\n")
    elif change == "base_url":
        f = root / "site.yaml"
        f.write_text(f.read_text().replace("https://example.org/", "https://example.net/"))
    made = _feeds_made(monkeypatch)
    build_once(root, out, use_cache=change != "no cache")
    want = {
        "none": [],
        "title": ["", "science/"],  # the feeds that show the moth survey
        "feed edited": ["world/"],
        "base_url": folders,
        "no cache": folders,
    }[change]
    assert sorted(made) == want
    assert tree(out) == cold_tree(root, tmp_path)
