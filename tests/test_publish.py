"""publish writes exactly the pages given, whatever the tree it prepares holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest import publish
from digest.model import Page


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".digest-output"
    }


PAGES = [Page("index.html", b"home"), Page("a/b/index.html", b"deep"), Page("c.txt", b"c")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_things_in_the_way_are_replaced_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish.publish(PAGES, out)
    publish.publish(PAGES, out)  # the staging tree now exists beside it
    staging = publish.staging_dir(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (staging / "a/b/index.html").unlink()
    (staging / "a/b").rmdir()
    (staging / "a/b").symlink_to(elsewhere)  # a symlink where a folder goes
    (staging / "c.txt").unlink()
    (staging / "c.txt").mkdir()  # a folder where a file goes
    (staging / "c.txt/x").write_text("x")
    (staging / ".digest-output").unlink()  # as after a killed build: re-checked
    publish.publish(PAGES, out)
    assert files(out) == {"index.html": b"home", "a/b/index.html": b"deep", "c.txt": b"c"}
    assert list(elsewhere.iterdir()) == []  # nothing written through the symlink


def test_a_changed_page_gets_a_new_inode_never_written_through_a_hard_link(
    tmp_path: Path,
) -> None:
    out = tmp_path / "public"
    publish.publish(PAGES, out)
    live_inode = (out / "c.txt").stat().st_ino
    publish.publish([*PAGES[:2], Page("c.txt", b"changed")], out)
    assert (out / "c.txt").read_bytes() == b"changed"
    assert (out / "c.txt").stat().st_ino != live_inode
    assert (publish.staging_dir(out) / "c.txt").read_bytes() == b"c"  # the previous site
