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


def test_what_is_put_in_the_output_by_hand_is_kept_by_every_build(tmp_path: Path) -> None:
    """A .git folder, a verification file, a file beside the pages, a symlink: each build
    carries them over to the tree it swaps in (as Hugo leaves them in public/)."""
    out = tmp_path / "public"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    publish.publish(PAGES, out)
    publish.publish(PAGES, out)
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "google123.html").write_text("verification")
    (out / "a/extra.html").write_text("beside the pages")
    if hasattr(os, "symlink"):
        (out / "assets").symlink_to(elsewhere)
    yours = {
        ".git/HEAD": b"ref: refs/heads/gh-pages\n",
        "google123.html": b"verification",
        "a/extra.html": b"beside the pages",
    }
    pages = [*PAGES, Page("assets/logo.txt", b"a page where the symlink is")]
    for _ in range(3):  # through both trees
        publish.publish(PAGES, out)
        assert files(out) == {
            "index.html": b"home",
            "a/b/index.html": b"deep",
            "c.txt": b"c",
            **yours,
        }
        if hasattr(os, "symlink"):
            assert (out / "assets").is_symlink()
    assert list(elsewhere.iterdir()) == []
    publish.publish(pages, out)  # a page wants the symlink's place: the page wins
    assert (out / "assets/logo.txt").read_bytes() == b"a page where the symlink is"
    assert list(elsewhere.iterdir()) == []
    assert {k: v for k, v in files(out).items() if k in yours} == yours


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_an_output_folder_that_is_a_symlink_stays_one(tmp_path: Path) -> None:
    """public -> /srv/www: the site is published in /srv/www and the link is left alone;
    symlinks the user keeps in /srv/www stay."""
    www = tmp_path / "srv-www"
    www.mkdir()
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "logo.png").write_text("png")
    out = tmp_path / "site/public"
    out.parent.mkdir()
    publish.publish(PAGES, www)  # the deploy folder already holds a digest site
    (www / "assets").symlink_to(shared)
    out.symlink_to(www)
    for _ in range(3):
        publish.publish(PAGES, out)
        assert out.is_symlink() and out.resolve() == www.resolve()
        assert files(www) == {"index.html": b"home", "a/b/index.html": b"deep", "c.txt": b"c"}
        assert (www / "assets").is_symlink() and (shared / "logo.png").read_text() == "png"


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
