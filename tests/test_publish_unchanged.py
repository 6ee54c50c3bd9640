"""publish._update's check of an unchanged file (a page passed without its bytes, its
sha256 the tree's): a file whose stat is its recorded stamp is kept as it is; any other
(edited by hand, a stamp that is not [size, mtime], a symlink) is re-checked and
rewritten when its bytes differ."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from digest import publish
from digest.errors import Problems
from digest.model import Page


def _page(path: str, data: bytes) -> Page:
    return Page(path, None, "src.md", hashlib.sha256(data).hexdigest(), lambda: data)


def _stamp(f: Path) -> list[int]:
    st = os.lstat(f)
    return [st.st_size, st.st_mtime_ns]


def _run(tree: Path, data: bytes, stamps: dict) -> tuple[dict, dict]:
    sha = hashlib.sha256(data).hexdigest()
    state = {"a/index.html": sha}
    return publish._update(tree, state, stamps, [_page("a/index.html", data)], Problems())


def test_a_file_with_its_recorded_stamp_is_kept_without_rewriting(tmp_path: Path) -> None:
    f = tmp_path / "a/index.html"
    f.parent.mkdir()
    f.write_bytes(b"page")
    inode = os.lstat(f).st_ino
    files, stamps = _run(tmp_path, b"page", {"a/index.html": _stamp(f)})
    assert os.lstat(f).st_ino == inode  # not written again
    assert stamps == {"a/index.html": _stamp(f)}
    assert files == {"a/index.html": hashlib.sha256(b"page").hexdigest()}


def test_a_file_edited_by_hand_since_its_stamp_is_rewritten(tmp_path: Path) -> None:
    f = tmp_path / "a/index.html"
    f.parent.mkdir()
    f.write_bytes(b"page")
    stamp = _stamp(f)
    f.write_bytes(b"PAGE")  # the same size, a later mtime
    os.utime(f, ns=(stamp[1] + 10**9, stamp[1] + 10**9))
    _run(tmp_path, b"page", {"a/index.html": stamp})
    assert f.read_bytes() == b"page"


@pytest.mark.parametrize("stamp", [{"0": 4}, "4", [4], [4, 0, 0], None])
def test_a_stamp_that_is_not_size_and_mtime_is_no_proof(tmp_path: Path, stamp: object) -> None:
    """(The stamps file is read back from disk: a damaged or forged entry is re-checked.)"""
    f = tmp_path / "a/index.html"
    f.parent.mkdir()
    f.write_bytes(b"edit")
    _run(tmp_path, b"page", {"a/index.html": stamp})
    assert f.read_bytes() == b"page"


def test_a_symlink_with_a_matching_stamp_is_replaced(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes(b"page")
    tree = tmp_path / "tree"
    (tree / "a").mkdir(parents=True)
    link = tree / "a/index.html"
    link.symlink_to(elsewhere)
    _run(tree, b"page", {"a/index.html": _stamp(link)})  # (the link's own size and mtime)
    assert not link.is_symlink() and link.read_bytes() == b"page"
    assert elsewhere.read_bytes() == b"page"
