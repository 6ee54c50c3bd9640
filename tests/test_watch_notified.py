"""The watcher's changed files, told by inotify (Linux): the same files a poll of every
file finds, whatever is done to the site's folders."""

from __future__ import annotations

import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from digest import watch
from digest.watch import Watcher, _NoInotify, _Notified, _Polled, watch_paths

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="inotify is Linux's (elsewhere: polled)"
)


def _site(root: Path) -> tuple[Path, ...]:
    (root / "content" / "world").mkdir(parents=True)
    (root / "site.yaml").write_text("title: x\n")
    for i in range(3):
        (root / "content" / "world" / f"a{i}.md").write_text(f"text {i}\n")
    return watch_paths(root / "site.yaml")


def _both(roots: tuple[Path, ...]) -> tuple[_Notified, _Polled]:
    try:
        notified = _Notified(roots)
    except _NoInotify as exc:  # pragma: no cover - a system out of inotify instances
        pytest.skip(f"inotify unusable here: {exc}")
    return notified, _Polled(roots)


def _skip_unless_notified(watcher: Watcher) -> None:
    if not watcher.notified:  # pragma: no cover - a system out of inotify instances
        pytest.skip("inotify unusable here: the watcher polls")


def _settled(notified: _Notified) -> set[str]:
    """The changes inotify tells, once its events are in (they come a moment after)."""
    found: set[str] = set()
    for _ in range(3):
        time.sleep(0.02)
        found |= notified.changed()
    return found


def test_edits_new_files_removals_and_an_editors_save_are_told(tmp_path: Path):
    roots = _site(tmp_path)
    notified, polled = _both(roots)
    world = tmp_path / "content" / "world"
    steps = [
        lambda: (world / "a0.md").write_text("text 0, edited\n"),
        lambda: (world / "new.md").write_text("new\n"),
        lambda: (world / "a1.md").unlink(),
        lambda: (world / "a2.md").rename(world / "moved.md"),
        # an editor's save: a new file renamed over the old one (site.yaml, a root)
        lambda: (
            (tmp_path / "y.tmp").write_text("title: y\n"),
            (tmp_path / "y.tmp").replace(tmp_path / "site.yaml"),
        ),
        # vim's and emacs' clutter is never told
        lambda: (world / ".a0.md.swp").write_text("x"),
    ]
    expected = [
        {str(world / "a0.md")},
        {str(world / "new.md")},
        {str(world / "a1.md")},
        {str(world / "a2.md"), str(world / "moved.md")},
        {str(tmp_path / "site.yaml")},
        set(),
    ]
    for step, want in zip(steps, expected, strict=True):
        step()
        assert _settled(notified) == polled.changed() == want
    notified.close()


def test_folders_made_moved_and_removed_tell_every_file_in_them(tmp_path: Path):
    roots = _site(tmp_path)
    notified, polled = _both(roots)
    content = tmp_path / "content"
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "b.md").write_text("b\n")
    (outside / "c.md").write_text("c\n")

    def made_and_filled_at_once() -> None:  # (files written before any watch of the folder)
        (content / "sport" / "x").mkdir(parents=True)
        (content / "sport" / "x" / "d.md").write_text("d\n")
        (content / "sport" / "e.md").write_text("e\n")

    steps = [
        made_and_filled_at_once,
        lambda: (outside).rename(content / "moved-in"),
        lambda: (content / "moved-in" / "deep" / "b.md").write_text("b, edited\n"),
        lambda: (content / "moved-in").rename(content / "renamed"),
        lambda: (content / "renamed" / "deep" / "b.md").write_text("b, again\n"),
        lambda: shutil.rmtree(content / "sport"),
        lambda: (content / "renamed").rename(tmp_path / "out-again"),
        lambda: (tmp_path / "out-again" / "c.md").write_text("not watched any more\n"),
        # a root made after the watching began (templates/), and removed
        lambda: (
            (tmp_path / "templates").mkdir(),
            (tmp_path / "templates" / "base.html").write_text("x"),
        ),
        lambda: shutil.rmtree(tmp_path / "templates"),
        lambda: shutil.rmtree(content),
    ]
    for step in steps:
        step()
        told, found = _settled(notified), polled.changed()
        assert told == found, step
    assert notified.last == polled.last
    notified.close()


def _random_op(rng: random.Random, content: Path, n: int) -> str:
    """One random change under ``content``: a file written, made, removed or renamed, a
    folder made (with a file), removed or moved."""
    files = sorted(p for p in content.rglob("*") if p.is_file())
    folders = sorted([content, *(p for p in content.rglob("*") if p.is_dir())])
    op = rng.choice(["write", "write", "new", "remove", "rename", "mkdir", "rmtree", "mvdir"])
    if op == "write" and files:
        rng.choice(files).write_text(f"edit {n}\n")
    elif op == "new" or (op == "write" and not files):
        (rng.choice(folders) / f"n{n}.md").write_text(f"new {n}\n")
    elif op == "remove" and files:
        rng.choice(files).unlink()
    elif op == "rename" and files:
        rng.choice(files).rename(rng.choice(folders) / f"r{n}.md")
    elif op == "mkdir":
        made = rng.choice(folders) / f"d{n}"
        made.mkdir()
        (made / "in.md").write_text("in\n")
    elif op == "rmtree" and len(folders) > 1:
        shutil.rmtree(rng.choice(folders[1:]))
    elif op == "mvdir" and len(folders) > 1:
        src = rng.choice(folders[1:])
        dest = rng.choice([f for f in folders if f != src and src not in f.parents])
        src.rename(dest / f"m{n}")
    return op


@pytest.mark.parametrize("burst", [1, 4], ids=["one-at-a-time", "bursts"])
def test_random_changes_are_told_as_a_poll_finds_them(tmp_path: Path, burst: int):
    """Many random file and folder operations, looked at after each (or after bursts of
    up to four, their events read together: a folder moved and a file in it edited at
    once): inotify's changes are the poll's, and what it knows of the files a snapshot's."""
    roots = _site(tmp_path)
    notified, polled = _both(roots)
    rng = random.Random(7 + burst)
    content = tmp_path / "content"
    for n in range(0, 120, burst):
        ops = [_random_op(rng, content, n + i) for i in range(rng.randint(1, burst))]
        assert _settled(notified) == polled.changed(), (n, ops)
    assert notified.last == polled.last
    notified.close()


def test_a_symbolic_link_in_a_watched_folder_makes_the_watcher_poll(tmp_path: Path):
    """A change of a linked file is no event of the folder the link is in: the watcher
    finds it by polling from then on, and sees the change that brought the link."""
    roots = _site(tmp_path)
    elsewhere = tmp_path / "shared.md"
    elsewhere.write_text("shared\n")
    watcher = Watcher(lambda: roots, lambda _n: None)
    watcher.prime()
    _skip_unless_notified(watcher)
    link = tmp_path / "content" / "world" / "link.md"
    os.symlink(elsewhere, link)
    time.sleep(0.05)
    assert watcher._changes() == {str(link)}
    assert not watcher.notified
    time.sleep(0.01)
    elsewhere.write_text("shared, edited at another length\n")
    assert watcher._changes() == {str(link)}
    # a site that holds a link when the watching begins is polled from the start
    again = Watcher(lambda: roots, lambda _n: None)
    again.prime()
    assert not again.notified


def test_an_overflowing_event_queue_looks_at_every_file(tmp_path: Path, monkeypatch):
    roots = _site(tmp_path)
    notified, polled = _both(roots)
    world = tmp_path / "content" / "world"
    (world / "a0.md").write_text("changed\n")
    (world / "z.md").write_text("new\n")
    time.sleep(0.05)

    class Event:
        wd, mask, cookie, name = -1, 0x4000, 0, ""  # IN_Q_OVERFLOW

    real = notified._ino.read
    monkeypatch.setattr(notified._ino, "read", lambda timeout=0: [Event(), *real(timeout=0)][:1])
    assert notified.changed() == polled.changed() == {str(world / "a0.md"), str(world / "z.md")}
    notified.close()


def test_polling_on_request_and_where_inotify_is_missing(tmp_path: Path, monkeypatch):
    roots = _site(tmp_path)
    polled = Watcher(lambda: roots, lambda _n: None, polling=True)
    polled.prime()
    assert not polled.notified
    monkeypatch.setitem(sys.modules, "inotify_simple", None)  # (not installed)
    missing = Watcher(lambda: roots, lambda _n: None)
    missing.prime()
    assert not missing.notified
    for w in (polled, missing):
        (tmp_path / "content" / "world" / "a0.md").write_text("edited\n")
        assert w._changes() == {str(tmp_path / "content" / "world" / "a0.md")}


def test_the_watch_scans_nothing_between_changes(tmp_path: Path, monkeypatch):
    """With inotify, a quiet site costs no look at its files (a poll of 10,000 articles
    took 0.12 s, a third of the time), and an edit is still seen and built."""
    roots = _site(tmp_path)
    scans: list[int] = []
    real = watch.snapshot
    monkeypatch.setattr(watch, "snapshot", lambda paths: scans.append(1) or real(paths))
    builds: list[int] = []
    stop = threading.Event()
    w = Watcher(lambda: roots, builds.append, debounce=0.1, stop=stop)
    w.prime()
    _skip_unless_notified(w)
    w.start()
    try:
        time.sleep(0.5)
        (tmp_path / "content" / "world" / "a0.md").write_text("edited\n")
        end = time.monotonic() + 10
        while not builds and time.monotonic() < end:
            time.sleep(0.02)
        assert builds == [1]
    finally:
        stop.set()
        w.stop()
    assert w.notified and scans == []


def test_roots_spelled_relative_are_told_as_spelled(tmp_path: Path, monkeypatch):
    """Roots given relative to the working folder (a content_dir so written): a root
    made later is seen, and paths are told as os.walk spells them from the roots."""
    _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    roots = (Path("site.yaml"), Path("content"), Path("templates"))
    notified, polled = _both(roots)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text("x")
    (tmp_path / "content" / "world" / "a0.md").write_text("edited\n")
    told = _settled(notified)
    assert told == polled.changed() == {"templates/base.html", "content/world/a0.md"}
    notified.close()
