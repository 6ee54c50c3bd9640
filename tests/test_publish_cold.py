"""A cold build's writes: each new folder is made once, by the write of the first file in
it, while the writer threads write the other files in it (publish._Writer).  The files
written are those of writing them one at a time, wherever the folders come from."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from digest import publish
from digest.errors import Problems
from digest.model import Page
from tests.conftest import tree


def _pages(n: int) -> list[Page]:
    """n pages, three to a folder (as an edition's), the folders two levels below new
    sections, so a folder's files and the folders above it are written by several
    threads at once."""
    return [
        Page(
            f"s{i // 3 % 7}/day-{i // 60}/e{i // 3:03d}/{('index.html', 'a.txt', 'b.xml')[i % 3]}",
            b"x",
        )
        for i in range(n)
    ]


def _update(staging: Path, pages: list[Page]) -> tuple[dict[str, list[int]], set[str]]:
    touched: set[str] = set()
    _, stamps = publish._update(staging, {}, {}, pages, Problems(), touched)
    return stamps, touched


def test_each_new_folder_is_made_once_and_the_tree_is_one_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    monkeypatch.setattr(publish, "_WRITE_ALONE", 10**9)
    one, one_touched = _update(tmp_path / "one", _pages(600))
    monkeypatch.setattr(publish, "_WRITE_ALONE", 5)
    clashed: list[str] = []
    real = os.mkdir

    def mkdir(path: str, *args: int) -> None:
        time.sleep(0.001)  # (as on a slow disk: the other threads come meanwhile)
        try:
            real(path, *args)
        except FileExistsError:
            clashed.append(os.fspath(path))
            raise

    monkeypatch.setattr(os, "mkdir", mkdir)
    many, many_touched = _update(tmp_path / "many", _pages(600))
    assert tree(tmp_path / "many") == tree(tmp_path / "one")
    assert list(many) == list(one) and many_touched == one_touched
    assert clashed == []  # no folder made by one thread was tried by another


def test_pages_in_folders_already_there_or_in_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staging tree of a build before (folders there, a read-only one, a file where a
    folder goes, a folder where a file goes): the same files as into an empty tree."""
    monkeypatch.setattr(publish, "_WRITE_ALONE", 10**9)
    (tmp_path / "empty").mkdir()
    _update(tmp_path / "empty", _pages(300))
    there = tmp_path / "there"
    (there / "s1/day-0/e001").mkdir(parents=True)
    (there / "s2/day-0").mkdir(parents=True)
    (there / "s2/day-0").chmod(0o555)
    (there / "s3").write_bytes(b"a file where a section's folder goes")
    (there / "s4/day-0/e004/a.txt").mkdir(parents=True)
    monkeypatch.setattr(publish, "_WRITE_ALONE", 0)
    _update(there, _pages(300))
    assert tree(there) == tree(tmp_path / "empty")


def test_a_folder_that_cannot_be_made_fails_the_writes_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "_WRITE_ALONE", 0)
    real = publish._folder

    def refused(path: str) -> bool:
        if path.endswith("/e050"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(publish, "_folder", refused)
    with pytest.raises(PermissionError) as exc:
        _update(tmp_path, _pages(300))
    assert exc.value.filename.endswith("/e050")
