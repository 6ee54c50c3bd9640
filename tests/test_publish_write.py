"""publish._update writes new folders and files: the folders it made (and those above them)
are reported as changed, so the next build lists them instead of trusting a stale record;
a file where a page needs a folder is replaced."""

from __future__ import annotations

import ctypes.util
import sys
from pathlib import Path

import pytest

from digest import publish
from digest.errors import Problems
from digest.model import Page


def _update(staging: Path, pages: list[Page]) -> set[str]:
    touched: set[str] = set()
    publish._update(staging, {}, {}, pages, Problems(), touched)
    return touched


def test_new_folders_and_those_above_them_are_touched(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    touched = _update(tmp_path, [Page("news/a/b/index.html", b"x")])
    assert (tmp_path / "news/a/b/index.html").read_bytes() == b"x"
    assert touched == {"news/a/b", "news/a", "news", ""}


def test_a_page_in_a_folder_that_exists_touches_that_folder_only(tmp_path: Path) -> None:
    (tmp_path / "news/a").mkdir(parents=True)
    touched = _update(tmp_path, [Page("news/a/index.html", b"x")])
    assert touched == {"news/a"}


def test_a_file_where_a_page_needs_a_folder_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "news").write_bytes(b"left by hand")
    touched = _update(tmp_path, [Page("news/index.html", b"x")])
    assert (tmp_path / "news/index.html").read_bytes() == b"x"
    assert touched == {"news", ""}


def test_the_swap_is_one_exchange_looked_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trees are swapped with renameat2, found without running ldconfig (7 ms a build)."""
    if not sys.platform.startswith("linux") or publish._renameat2() is None:
        pytest.skip("renameat2 is Linux-only")

    def no_ldconfig(name: str) -> str:
        raise AssertionError("find_library ran")

    monkeypatch.setattr(ctypes.util, "find_library", no_ldconfig)
    monkeypatch.setattr(publish, "_LIBC", [])
    out = tmp_path / "public"
    for text in (b"one", b"two"):
        publish.publish([Page("index.html", text)], out)
        assert (out / "index.html").read_bytes() == text
    assert (publish.staging_dir(out) / "index.html").read_bytes() == b"one"  # swapped out
