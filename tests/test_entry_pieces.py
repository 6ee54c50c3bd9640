"""A new process's rebuild takes the article pages an edit leaves alone by the pieces the
last build stored (see digest.render._read_pieces): it makes the identity of only the
pages the edit shows on, and publishes byte for byte what a cold build does, whatever
the stored record holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FERRY,
    MOTHS,
    append,
    build_once,
    cold_tree,
    spy,
    store_value,
    stored,
    tree,
    write_site,
)

from digest import feeds, render


def _identities(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs whose article page identity the builds make from now on."""
    made: list[str] = []
    spy(monkeypatch, render, "article_ident", lambda e, *_a: made.append(e.article.slug))
    return made


def _pieces(root: Path) -> Any:
    return stored(root, render._PIECES_NS, render._PIECES_KEY)


def _set_pieces(root: Path, value: Any) -> None:
    store_value(root, render._PIECES_NS, render._PIECES_KEY, value)


def test_an_edit_makes_the_identity_of_the_pages_it_shows_on_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    articles = len(_pieces(root)[1])
    assert articles == 4
    made = _identities(monkeypatch)
    append(root)
    build_once(root, tmp_path / "out")
    assert "moth-survey" in made
    assert len(made) < articles  # (the pages not linking to it: taken as stored)
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


def test_a_rebuild_without_changes_makes_no_article_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    before = tree(tmp_path / "out")
    made = _identities(monkeypatch)
    build_once(root, tmp_path / "out")
    assert made == []
    assert tree(tmp_path / "out") == before


@pytest.mark.parametrize(
    "change",
    ["appended", "added", "removed", "retitled", "two edits"],
)
def test_after_each_change_the_site_is_a_cold_builds(tmp_path: Path, change: str) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    if change == "appended":
        append(root)
    elif change == "added":
        (root / "content/world/2026-03-09-ferry.md").write_text(FERRY)
    elif change == "removed":
        (root / MOTHS).unlink()
    elif change == "retitled":
        f = root / "content/world/2026-03-01-harbour-wall.md"
        f.write_text(f.read_text().replace('title: "', 'title: "Update - ', 1))
    else:
        append(root)
        build_once(root, tmp_path / "out")
        append(root, "content/world/2026-03-05-harbour-funding.md")
    build_once(root, tmp_path / "out")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


@pytest.mark.parametrize("record", ["garbage", "other base", "wrong keys", "wrong shape"])
def test_a_bad_record_is_never_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    """A record that does not fit (unreadable, of other templates or settings, or naming
    other keys than the pages had) costs time, never a stale page."""
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    base, pieces = _pieces(root)
    if record == "garbage":
        value: Any = "not a record"
    elif record == "other base":
        value = ["0" * 64, pieces]
    elif record == "wrong keys":  # (entries as stored, page keys of no page)
        value = [base, {s: [k, story, "0" * 64] for s, (k, story, _page) in pieces.items()}]
    else:
        value = [base, {s: [k] for s, (k, *_rest) in pieces.items()}]
    _set_pieces(root, value)
    append(root)
    made = _identities(monkeypatch)
    build_once(root, tmp_path / "out")
    if record != "wrong keys":
        assert len(made) == len(pieces)  # (every page keyed again)
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
    assert _pieces(root)[0] == base  # (and the record made right again)


def test_a_record_that_hides_an_edit_cannot_keep_the_page_as_it_was(tmp_path: Path) -> None:
    """A stored page key is believed only when the stored page state has that key: a
    record claiming an edited article is as stored (its new entry key, its old page key)
    still gets its page made again."""
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    append(root)
    build_once(root, tmp_path / "other", use_cache=False)  # (to learn the edited entry's key)
    base, pieces = _pieces(root)
    build_once(root, tmp_path / "scratch")
    _base, now = _pieces(root)
    lying = dict(now)
    lying["moth-survey"] = (now["moth-survey"][0], *pieces["moth-survey"][1:])
    _set_pieces(root, [base, lying])
    build_once(root, tmp_path / "out")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


def test_a_template_change_makes_every_article_page_again(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    templates = root / "templates"
    templates.mkdir()
    (templates / "article.html").write_text("<p>{{ article.title }}</p>\n")
    build_once(root, tmp_path / "out")
    page = (tmp_path / "out/science/moth-survey/index.html").read_text()
    assert page.startswith("<p>")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


def test_a_related_articles_edit_makes_the_pages_linking_to_it_again(tmp_path: Path) -> None:
    """The follow-up links to the survey: retitling the survey changes the follow-up's
    page (its related link) as a cold build shows it."""
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    follow = tmp_path / "out/science/moth-followup/index.html"
    assert "moth-survey" in follow.read_text()
    f = root / MOTHS
    f.write_text(f.read_text().replace('title: "', 'title: "Record - ', 1))
    build_once(root, tmp_path / "out")
    assert "Record - " in follow.read_text()
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


# ---------------------------------------------------------------- sitemap.xml read back


def _sitemaps_again(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each sitemap a build makes from now on: was it read back (not made)?"""
    got: list[bool] = []
    spy(monkeypatch, feeds, "_sitemap_again", result=lambda data: got.append(data is not None))
    return got


def test_an_edit_that_moves_no_date_reads_the_sitemap_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    again = _sitemaps_again(monkeypatch)
    append(root)
    build_once(root, tmp_path / "out")
    assert again == [True]
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


@pytest.mark.parametrize("change", ["date", "base_url", "added", "file edited"])
def test_the_sitemap_is_made_again_when_it_would_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    before = (tmp_path / "out/sitemap.xml").read_bytes()
    if change == "date":
        f = root / MOTHS
        f.write_text(f.read_text().replace("date: 2026-03-03", "date: 2026-03-04"))
    elif change == "base_url":
        f = root / "site.yaml"
        f.write_text(f.read_text().replace("https://example.org/", "https://example.net/"))
    elif change == "added":
        (root / "content/world/2026-03-09-ferry.md").write_text(FERRY)
    else:  # (the published file is not what the record says)
        (tmp_path / "out/sitemap.xml").write_bytes(before.replace(b"2026", b"2025"))
    again = _sitemaps_again(monkeypatch)
    build_once(root, tmp_path / "out")
    assert again == [False]
    after = (tmp_path / "out/sitemap.xml").read_bytes()
    assert (after == before) is (change == "file edited")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
