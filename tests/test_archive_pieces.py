"""A new process's rebuild takes the built-in archive page by the record the last build
stored (see digest.render._ArchivePieces) when the edit leaves what it shows alone: its
rows are not made; an edit it shows (a title, an article added or removed) makes it
again, and a record that does not fit is never believed."""

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

from digest import render


def _archive_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item for each time the builds from now on make the archive's rows."""
    made: list[int] = []
    spy(monkeypatch, render, "archive_key", lambda *_a: made.append(1))
    return made


def _archive(out: Path) -> str:
    return (out / "archive/index.html").read_text(encoding="utf-8")


def test_an_edit_of_an_articles_text_leaves_the_archive_as_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    made = _archive_made(monkeypatch)
    append(root)
    build_once(root, tmp_path / "out")
    assert made == []
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


@pytest.mark.parametrize("change", ["retitled", "added", "removed"])
def test_an_edit_the_archive_shows_makes_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    if change == "retitled":
        f = root / MOTHS
        f.write_text(f.read_text().replace('title: "', 'title: "Update - ', 1))
    elif change == "added":
        (root / "content/world/2026-03-09-ferry.md").write_text(FERRY)
    else:
        (root / MOTHS).unlink()
    made = _archive_made(monkeypatch)
    build_once(root, tmp_path / "out")
    assert made
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
    archive = _archive(tmp_path / "out")
    if change == "retitled":
        assert "Update - " in archive
    elif change == "added":
        assert "ferry" in archive.lower()
    else:
        assert "moth-survey" not in archive


@pytest.mark.parametrize("record", ["garbage", "other base", "other order", "other rows"])
def test_a_record_that_does_not_fit_is_never_believed(tmp_path: Path, record: str) -> None:
    """A record of other settings, of articles in another order, or claiming rows the
    articles do not have costs the archive's rows, never a stale page."""
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    base, order, key, rows = stored(root, render._ARCHIVE_NS, render._ARCHIVE_KEY)
    # the page as the record would have it: the moths article under its old title
    f = root / MOTHS
    f.write_text(f.read_text().replace('title: "', 'title: "Update - ', 1))
    value: Any
    if record == "garbage":
        value = "not a record"
    elif record == "other base":
        value = ["0" * 64, order, key, rows]
    elif record == "other order":
        value = [base, "0" * 64, key, rows]
    else:  # (the edited article's row claimed to be its new one: it is not the stored)
        value = [base, order, key, {s: "0" * 64 for s in rows}]
    store_value(root, render._ARCHIVE_NS, render._ARCHIVE_KEY, value)
    build_once(root, tmp_path / "out")
    assert "Update - " in _archive(tmp_path / "out")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
    assert stored(root, render._ARCHIVE_NS, render._ARCHIVE_KEY)[0] == base  # (made right)
