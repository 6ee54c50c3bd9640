"""A new process's publish looks at every file of the tree it writes with one stat each
(publish._stamped): a file whose size and mtime are its stamp is taken as there, any
other is read and, if not the page, written again.  Hand edits of public/ of every
kind are undone by the next `digest build`, and what a user added is kept."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import pytest
from conftest import build_once, tree, write_site
from test_session import _append, _many

from digest import publish

PAGE = "world/item-0/index.html"
OTHER = "science/item-1/index.html"


def _settled(tmp_path: Path) -> tuple[Path, Path]:
    """A site of 30 articles built three times into tmp_path/live (each a new process's
    build): both trees are there, with their stamps."""
    site = write_site(tmp_path / "site", _many(30))
    live = tmp_path / "live"
    for _ in range(3):
        build_once(site, live)
    return site, live


ITEM5 = "content/business/2026-02-06-item-5.md"


def _change(site: Path, edit: str) -> None:
    """One change of the site's content (a new process builds it after the hand edits)."""
    path = site / ITEM5
    text = path.read_text(encoding="utf-8")
    if edit == "sentence":
        _append(site, ITEM5, "\nThe harbour reopened on Monday after the repairs.\n")
    elif edit == "title":
        path.write_text(text.replace('title: "The ', 'title: "Now the ', 1), encoding="utf-8")
    elif edit == "date":
        path.write_text(text.replace("date: 2026-02-06", "date: 2026-02-27", 1), encoding="utf-8")
    elif edit == "deleted":
        path.unlink()
    elif edit == "new":
        new = text.replace("part 5", "part 500").replace("report number 5", "report number 500")
        (site / "content/business/2026-02-06-item-500.md").write_text(new, encoding="utf-8")


@pytest.mark.parametrize("edit", ["none", "sentence", "title", "date", "deleted", "new"])
def test_a_new_process_undoes_hand_edits_of_every_kind_and_keeps_a_users_files(
    tmp_path: Path, edit: str
) -> None:
    site, live = _settled(tmp_path)
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"not the site's")
    page = live / PAGE
    size = page.stat().st_size
    with open(page, "r+b") as f:  # the same size, in place (another mtime)
        f.write(b"<!-- same length -->")
    assert page.stat().st_size == size
    (live / OTHER).unlink()
    os.symlink(outside, live / OTHER)  # a page replaced by a symlink
    (live / "business/item-2/index.html").unlink()  # a page deleted
    (live / "world/item-3/index.html").unlink()
    (live / "world/item-3/index.html").mkdir()  # a page replaced by a folder
    (live / "googleabc.html").write_text("verification")  # the user's own file
    _change(site, edit)
    build_once(site, live)
    cold = tmp_path / "cold"
    build_once(site, cold, use_cache=False)
    got = tree(live)
    assert got.pop("googleabc.html") == b"verification"
    assert got == tree(cold)
    assert outside.read_bytes() == b"not the site's"
    assert not (live / OTHER).is_symlink()


def test_a_new_process_reads_back_only_the_files_whose_stamp_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, live = _settled(tmp_path)
    with open(live / PAGE, "r+b") as f:
        f.write(b"<!-- edited by hand -->")
    read: list[str] = []
    staging = os.fspath(publish.staging_dir(live)) + os.sep

    def opened(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if isinstance(file, str) and file.startswith(staging) and "r" in mode:
            read.append(file[len(staging) :])  # a page's file read back to compare it
        return open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(publish, "open", opened, raising=False)
    build_once(site, live)
    # the edited page (in both trees: they share its inode), no other file of the site
    assert read == [PAGE]
    cold = tmp_path / "cold"
    build_once(site, cold, use_cache=False)
    assert tree(live) == tree(cold)


def test_a_stamps_file_with_odd_values_is_no_reason_to_trust_a_file(tmp_path: Path) -> None:
    site, live = _settled(tmp_path)
    stamps = publish.stamps_file(live)
    data = stamps.read_text()
    # every [size, mtime] of the stamps file made a string: nothing trusted, all read
    raw = msgspec.json.decode(data)
    for key, value in raw.items():
        if not key.startswith("folders:") and isinstance(value, dict):
            raw[key] = {path: [str(x) for x in st] for path, st in value.items()}
    stamps.write_bytes(msgspec.json.encode(raw))
    with open(live / PAGE, "r+b") as f:
        f.write(b"<!-- edited by hand -->")
    build_once(site, live)
    cold = tmp_path / "cold"
    build_once(site, cold, use_cache=False)
    assert tree(live) == tree(cold)
