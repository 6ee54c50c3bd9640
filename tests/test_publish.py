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


def test_a_file_added_to_the_output_by_hand_does_not_come_back(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish.publish(PAGES, out)
    publish.publish(PAGES, out)
    (out / "stray.html").write_text("added by hand")
    (out / "a/extra").mkdir()
    (out / "a/extra/x.html").write_text("also by hand")
    for _ in range(3):  # the hand-made files sit in the tree swapped out, then swapped back
        publish.publish(PAGES, out)
        assert files(out) == {"index.html": b"home", "a/b/index.html": b"deep", "c.txt": b"c"}
        assert not (out / "a/extra").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlinked_folder_in_a_trusted_tree_is_never_written_through(tmp_path: Path) -> None:
    out = tmp_path / "public"
    pages = [Page("a/b/c/new.html", b"new"), *PAGES]  # its folder is made first
    publish.publish(PAGES, out)
    publish.publish(PAGES, out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    staging = publish.staging_dir(out)
    (staging / "a/b/index.html").unlink()
    (staging / "a/b").rmdir()
    (staging / "a/b").symlink_to(elsewhere)  # its manifest is intact: the tree is trusted
    publish.publish(pages, out)
    assert list(elsewhere.iterdir()) == []
    assert files(out)["a/b/c/new.html"] == b"new"
    assert not (out / "a/b").is_symlink()


def test_a_file_two_levels_above_a_page_is_replaced_by_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "public"
    pages = [Page("x/y/z/index.html", b"deep")]
    publish.publish([Page("index.html", b"home")], out)
    publish.publish([Page("index.html", b"home")], out)
    (publish.staging_dir(out) / "x").write_text("a file where a folder goes")
    publish.publish(pages, out)
    publish.publish(pages, out)  # and again, through the other tree
    assert files(out) == {"x/y/z/index.html": b"deep"}
