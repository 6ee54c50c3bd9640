"""A new process's publish trusts the folders of files only that held exactly their pages
when last looked at without a stat (publish._sweep: 13,000 of the 13,700 folders of a
10,000-article site); a folder of folders above one is still looked at, so a trusted
folder replaced, removed or made read-only in either tree is noticed, and nothing is
ever written through a symlink."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from digest import publish
from digest.model import Page

PAGES = [Page("index.html", b"home")] + [
    Page(f"news/{i}/index.html", f"article {i}".encode()) for i in range(20)
]


@pytest.fixture(autouse=True)
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders are trusted as soon as they are looked at (see test_publish_folders)."""
    monkeypatch.setattr(publish, "_RACY_NS", 0)


def _settle() -> None:
    time.sleep(0.05)  # past the file system's timestamp granularity


def _warm(out: Path) -> None:
    for _ in range(4):  # both trees written and looked at twice
        publish.publish(PAGES, out)
        _settle()


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".digest-output"
    }


def _edited(i: int) -> list[Page]:
    return [Page(p.path, b"edited") if p.path == f"news/{i}/index.html" else p for p in PAGES]


def test_the_folders_of_files_only_get_no_stat_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "public"
    _warm(out)
    looked: list[str] = []
    real = os.lstat

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        looked.append(os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(publish.os, "lstat", counting)
    publish.publish(_edited(4), out)
    news = os.fspath(publish.staging_dir(out) / "news") + os.sep
    folders = [p[len(news) :] for p in looked if p.startswith(news) and "/" not in p[len(news) :]]
    assert folders == ["4"]  # (the folder the edited page is written into), not all 20
    assert files(out)["news/4/index.html"] == b"edited"


def test_a_trusted_folder_made_read_only_in_the_staging_tree_is_written_into(
    tmp_path: Path,
) -> None:
    out = tmp_path / "public"
    _warm(out)
    staging = publish.staging_dir(out)
    os.chmod(staging / "news/6", stat.S_IRUSR | stat.S_IXUSR)
    publish.publish(_edited(6), out)
    assert files(out) == {p.path: p.content for p in _edited(6)}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_trusted_folder_replaced_by_a_symlink_is_never_written_through(
    tmp_path: Path,
) -> None:
    out = tmp_path / "public"
    _warm(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_bytes(b"article 7")
    staging = publish.staging_dir(out)
    for i in (7, 8):  # in the tree the next build writes
        for f in (staging / f"news/{i}").iterdir():
            f.unlink()
        (staging / f"news/{i}").rmdir()
    (staging / "news/7").symlink_to(elsewhere)  # where a page is edited
    (staging / "news/9/extra").symlink_to(elsewhere)  # inside a trusted folder
    for edit in (7, 9, 7):
        publish.publish(_edited(edit), out)
        assert files(out) == {p.path: p.content for p in _edited(edit)}
        assert not (out / "news/7").is_symlink()
        assert sorted(os.listdir(elsewhere)) == ["index.html"]
        assert (elsewhere / "index.html").read_bytes() == b"article 7"
        _settle()
