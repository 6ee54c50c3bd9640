"""publish lists only the folders that changed since it last looked (see publish._Folders),
and still notices every change made by hand in either tree."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from digest import publish
from digest.model import Page

PAGES = [Page("index.html", b"home")] + [
    Page(f"news/{i}/index.html", f"article {i}".encode()) for i in range(40)
]


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".digest-output"
    }


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders are trusted as soon as they are looked at (not a second later), so a test
    need not wait; a short pause before each hand change puts it in a later clock tick."""
    monkeypatch.setattr(publish, "_RACY_NS", 0)


def _settle() -> None:
    time.sleep(0.05)  # past the file system's timestamp granularity


def _warm(out: Path, pages: list[Page] = PAGES) -> None:
    for _ in range(4):  # both trees written and looked at twice
        publish.publish(pages, out)
        _settle()


def test_a_rebuild_lists_only_the_folders_that_changed(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "public"
    _warm(out)
    listed: list[str] = []
    real = os.scandir

    def counting(path):  # type: ignore[no-untyped-def]
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(publish.os, "scandir", counting)
    pages = [*PAGES[:5], Page("news/4/index.html", b"edited"), *PAGES[6:]]
    publish.publish(pages, out)
    during = list(listed)
    assert files(out)["news/4/index.html"] == b"edited"
    # the two tops (and at most a few changed folders), not the 42 folders of each tree
    assert len(during) <= 6, "\n".join(during)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_trusted_folders_still_notice_what_was_changed_by_hand(
    tmp_path: Path, trusting: None
) -> None:
    out = tmp_path / "public"
    _warm(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # in the live site, deep in folders that were trusted
    (out / "news/7/verify.txt").write_text("mine")
    (out / "news/8/link").symlink_to(elsewhere)
    (out / "news/9/index.html").unlink()
    with open(out / "news/10/index.html", "ab") as f:  # edited in place: same folder
        f.write(b" tampered")
    (out / "news/11/mine").mkdir()
    (out / "news/11/mine/notes.txt").write_text("notes")
    # in the staging tree: a symlink where a page goes, a folder made read-only
    staging = publish.staging_dir(out)
    (staging / "news/12/index.html").unlink()
    (staging / "news/12/index.html").symlink_to(elsewhere / "x.html")
    os.chmod(staging / "news/13", stat.S_IRUSR | stat.S_IXUSR)
    want = {p.path: p.content for p in PAGES}
    for _ in range(3):  # each tree in turn is the live one
        publish.publish(PAGES, out)
        got = files(out)
        assert {k: got[k] for k in want} == want
        assert got["news/7/verify.txt"] == b"mine"
        assert got["news/11/mine/notes.txt"] == b"notes"
        assert (out / "news/8/link").is_symlink()
        assert list(elsewhere.iterdir()) == []  # nothing written through a symlink
        _settle()


def test_a_page_removed_from_a_trusted_folder_is_removed_from_the_site(
    tmp_path: Path, trusting: None
) -> None:
    out = tmp_path / "public"
    _warm(out)
    fewer = [p for p in PAGES if p.path != "news/3/index.html"]
    for _ in range(3):
        publish.publish(fewer, out)
        assert not (out / "news/3").exists()
        assert files(out) == {p.path: p.content for p in fewer}
        _settle()
    publish.publish(PAGES, out)
    assert files(out) == {p.path: p.content for p in PAGES}


def test_a_file_added_by_hand_beside_a_page_is_kept(tmp_path: Path, trusting: None) -> None:
    out = tmp_path / "public"
    _warm(out)
    stray = out / "news/5/old.html"
    stray.write_text("an old page")  # not listed in the marker: carried as the user's
    _settle()
    publish.publish(PAGES, out)
    assert (out / "news/5/old.html").read_text() == "an old page"
