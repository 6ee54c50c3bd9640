"""A session's builds into a shared output folder (``digest build --watch``) learn from
inotify which folders of the live tree changed since they were last looked at (see
digest.outwatch), and stat only those: every change made there by hand is still
noticed, as by a build that stats every folder."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from test_publish_folders import PAGES, files

from digest import outwatch, publish
from digest.model import Page
from digest.outwatch import FolderEvents

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not FolderEvents().usable,
    reason="inotify is Linux's",
)


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders are trusted as soon as they are looked at (not a second later)."""
    monkeypatch.setattr(publish, "_RACY_NS", 0)


def _settle() -> None:
    time.sleep(0.02)  # past the file system's timestamp granularity


class _Twins:
    """One output folder published with the session's events, one without, given the
    same pages and the same hand changes: they must hold the same files."""

    def __init__(self, tmp_path: Path) -> None:
        self.watched, self.plain = tmp_path / "watched" / "public", tmp_path / "plain" / "public"
        self.events = FolderEvents()
        self.pages = list(PAGES)
        for _ in range(4):  # both trees written, looked at and watched
            self.publish()

    def publish(self) -> None:
        publish.publish(self.pages, self.watched, events=self.events)
        publish.publish(self.pages, self.plain)
        _settle()

    def hand(self, change) -> None:  # type: ignore[no-untyped-def]
        for out in (self.watched, self.plain):
            change(out)
        _settle()

    def check(self, what: str) -> None:
        for n in range(3):  # (each tree in turn the live one)
            self.publish()
            assert files(self.watched) == files(self.plain), f"{what}, build {n}"
            assert _links(self.watched) == _links(self.plain), f"{what}, build {n}"
            for out in (self.watched, self.plain):
                _records_hold(out)


def _records_hold(out: Path) -> None:
    """Each folder a tree's record trusts holds exactly the pages of that tree's marker
    and has the ctime recorded (what a later build takes on trust, see publish._Folders)."""
    data = publish._stamps_data(out)
    for tree in (out, publish.staging_dir(out)):
        if not tree.is_dir():
            continue
        record = publish._entry(data, publish._FOLDERS + publish._tree_id(tree))
        if not isinstance(record, dict):
            continue
        manifest = publish._marker(tree)[0]
        if manifest is None or record["marker"] != publish._marker(tree)[1]:
            continue  # (a record of another marker is not taken)
        layout = publish._layout(manifest)
        for rel, ctime in record["ctimes"].items():
            folder = tree / rel
            assert os.lstat(folder).st_ctime_ns == ctime, rel
            names = {e.name for e in os.scandir(folder)}
            assert names == layout[rel][0] | layout[rel][1], rel


def _links(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): os.readlink(p)
        for p in sorted(root.rglob("*"))
        if p.is_symlink()
    }


def test_a_rebuild_stats_only_the_folders_with_an_event(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    twins = _Twins(tmp_path)
    assert twins.events.watched() >= 2 * 40
    stats: list[str] = []
    real = os.lstat

    def counting(path, *a, **k):  # type: ignore[no-untyped-def]
        stats.append(os.fspath(path))
        return real(path, *a, **k)

    walk = publish._carry_yours

    def walking(*a, **k):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(publish.os, "lstat", counting)
        try:
            return walk(*a, **k)
        finally:
            monkeypatch.setattr(publish.os, "lstat", real)

    monkeypatch.setattr(publish, "_carry_yours", walking)
    twins.pages[7] = Page("news/6/index.html", b"edited")
    publish.publish(twins.pages, twins.watched, events=twins.events)
    watched = [p for p in stats if p.startswith(os.fspath(twins.watched))]
    # the top and its folder of folders, not the 41 folders of the tree
    assert len(watched) <= 4, watched
    stats.clear()
    publish.publish(twins.pages, twins.plain)
    assert len(stats) > 40  # (without events: every folder)
    assert files(twins.watched)["news/6/index.html"] == b"edited"


def _add_file(out: Path) -> None:
    (out / "news/7/notes.txt").write_text("mine\n", encoding="utf-8")


def _delete_folder(out: Path) -> None:
    shutil.rmtree(out / "news/5")


def _replace_parent(out: Path) -> None:
    """The folder of folders moved aside and copied back, a file added deep in the copy:
    the copy's subfolders are other folders at the watched names."""
    os.rename(out / "news", out / "news.old")
    shutil.copytree(out / "news.old", out / "news")
    (out / "news/3/extra.txt").write_text("deep\n", encoding="utf-8")


def _replace_leaf(out: Path) -> None:
    shutil.rmtree(out / "news/9")
    (out / "news/9").mkdir()
    (out / "news/9/index.html").write_text("by hand\n", encoding="utf-8")
    (out / "news/9/keep.txt").write_text("keep\n", encoding="utf-8")


def _rename_leaf(out: Path) -> None:
    os.rename(out / "news/11", out / "news/eleven")


def _symlink(out: Path) -> None:
    os.symlink("../../index.html", out / "news/12/link")


@pytest.mark.parametrize(
    "change", [_add_file, _delete_folder, _replace_parent, _replace_leaf, _rename_leaf, _symlink]
)
def test_a_change_by_hand_in_the_live_tree_is_seen_as_without_events(
    tmp_path: Path, trusting: None, change
) -> None:  # type: ignore[no-untyped-def]
    twins = _Twins(tmp_path)
    twins.hand(change)
    twins.check(change.__name__)
    twins.pages[20] = Page("news/19/index.html", b"an edit after")
    twins.check(change.__name__ + ", then an edit")


def test_lost_events_make_every_folder_looked_at_again(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An overflow of the kernel's queue (events lost) forgets every watch."""
    twins = _Twins(tmp_path)
    read = FolderEvents.read

    def overflowing(self: FolderEvents) -> None:
        monkeypatch.setattr(FolderEvents, "read", read)
        self.reset()

    monkeypatch.setattr(FolderEvents, "read", overflowing)
    twins.hand(_add_file)
    twins.check("added, events lost")
    assert twins.events.watched() >= 40


def test_out_of_watches_looks_at_every_folder(
    tmp_path: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fs.inotify.max_user_watches reached: folders not watched are statted, as before."""
    made = outwatch.FolderEvents._open

    def few(self: FolderEvents):  # type: ignore[no-untyped-def]
        ino = made(self)
        if ino is not None and not hasattr(ino, "_real_add"):
            ino._real_add = ino.add_watch
            count = [0]

            def add_watch(path, mask):  # type: ignore[no-untyped-def]
                count[0] += 1
                if count[0] > 10:
                    raise OSError(28, "No space left on device")
                return ino._real_add(path, mask)

            ino.add_watch = add_watch
        return ino

    monkeypatch.setattr(outwatch.FolderEvents, "_open", few)
    twins = _Twins(tmp_path)
    twins.hand(_add_file)
    twins.hand(_replace_leaf)
    twins.check("out of watches")


def test_a_folder_found_elsewhere_is_no_longer_watched(tmp_path: Path) -> None:
    """A watched folder moved away and another made at its path: the new one is watched,
    the old one not at all (its later events are not kept)."""
    events = FolderEvents()
    a = tmp_path / "a"
    a.mkdir()
    events.look("t", "a", str(a))
    events.confirm("t", "a")
    assert events.clean("t")[0].keys() == {"a"}
    os.rename(a, tmp_path / "old")
    a.mkdir()
    events.look("t", "a", str(a))
    events.confirm("t", "a")
    events.read()
    (tmp_path / "old" / "x.txt").write_text("x", encoding="utf-8")
    events.read()
    watches, dirty = events.clean("t")
    assert events.watched() == 1 and not dirty and watches["a"] not in dirty
    (a / "y.txt").write_text("y", encoding="utf-8")
    events.read()
    assert watches["a"] in events.clean("t")[1]
