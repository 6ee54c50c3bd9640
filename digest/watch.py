"""Watching the site's files: one callback per burst of changes.

Used by ``digest serve`` (rebuild, then reload the browser) and ``digest build
--watch`` (rebuild into the output folder, nothing served).  On Linux the kernel tells
which files changed (inotify): a change costs a stat of the files it names, whatever
the size of the site.  Elsewhere, and with ``polling=True`` (``--poll``: file systems whose
changes inotify does not see, such as network mounts and some containers' shared
folders), every watched file is looked at on each scan (0.12 s at 10,000 articles, a
scan repeated less often on a huge site), as also where inotify cannot be used (a
symbolic link in a watched folder, the system out of inotify watches or instances).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from digest.outwatch import IN_FLAGS, in_mask

DEBOUNCE = 0.1  # seconds of quiet after the last change before rebuilding (one burst: one build)
POLL = 0.05  # seconds between scans of the watched files
MAX_WAIT = 2.0  # rebuild at the latest this long after the first change of a burst

_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", "~", ".pyc")


def ignored(name: str) -> bool:
    """Editor and VCS clutter that never affects the site (never watched: a file or
    folder of the site so named is not seen to change, see Listener)."""
    return (
        name.startswith((".", "#"))
        or name.endswith(_IGNORED_SUFFIXES)
        or name == "4913"  # vim's write test
        or name == "__pycache__"
    )


# ---------------------------------------------------------------- watching


Snapshot = dict[str, tuple[int, int, int]]


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """path -> (mtime_ns, size, inode) of every watched file."""
    snap: Snapshot = {}

    def add(path: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        snap[path] = (st.st_mtime_ns, st.st_size, st.st_ino)

    for p in paths:
        p_str = str(p)
        if os.path.isfile(p_str):
            add(p_str)
            continue
        for dirpath, dirnames, filenames in os.walk(p_str):
            dirnames[:] = sorted(d for d in dirnames if not ignored(d))
            for name in filenames:
                if not ignored(name):
                    add(os.path.join(dirpath, name))
    return snap


def _changed(old: Snapshot, new: Snapshot) -> set[str]:
    keys = old.keys() | new.keys()
    return {k for k in keys if old.get(k) != new.get(k)}


class _Polled:
    """Changes found by looking at every watched file (see snapshot)."""

    def __init__(self, roots: Sequence[Path], last: Snapshot | None = None) -> None:
        self.roots = tuple(roots)
        self.last = snapshot(self.roots) if last is None else last

    def changed(self) -> set[str]:
        snap = snapshot(self.roots)
        paths = _changed(self.last, snap)
        self.last = snap
        return paths

    def close(self) -> None:
        pass


class _NoInotify(Exception):
    """inotify cannot watch these files (see _Notified): they are polled instead."""


# what changes a file's (mtime, size, inode), or a folder's entries
_MASK = in_mask(
    "MODIFY",
    "ATTRIB",
    "CLOSE_WRITE",
    "MOVED_FROM",
    "MOVED_TO",
    "CREATE",
    "DELETE",
    "DELETE_SELF",
    "MOVE_SELF",
    "ONLYDIR",
)
_GONE = in_mask("DELETE_SELF", "MOVE_SELF")


class _Notified:
    """Changes told by Linux inotify: each watched folder (and the folder holding each
    root, for a root made, removed or replaced) is watched, and an event's file is
    looked at again (its stat against the last one), or, for a folder's event, that
    folder's files (a folder made, moved in or out, removed).  The same changes a
    snapshot of every file finds (see _Polled), by path as os.walk spells it, at the cost
    of the files changed.  The kernel's queue overflowing: every file is looked at once.

    Raises _NoInotify where inotify is unusable here (another system; the module, its
    instances or watches missing) or could miss a change: a symbolic link under a root
    (a change of the file it points to is no event of the folder watched)."""

    def __init__(self, roots: Sequence[Path]) -> None:
        if not sys.platform.startswith("linux"):
            raise _NoInotify("not Linux")
        try:
            import inotify_simple

            self._ino: Any = inotify_simple.INotify(nonblocking=True)
        except (ImportError, OSError) as exc:
            raise _NoInotify(str(exc)) from exc
        self.roots = tuple(roots)
        self._root_strs = tuple(str(r) for r in self.roots)
        self._wd: dict[int, str] = {}  # watch -> the folder it watches (by path)
        self._by_path: dict[str, int] = {}
        self.last: Snapshot = {}
        try:
            for parent in dict.fromkeys(os.path.dirname(r) for r in self._root_strs):
                if os.path.isdir(parent or "."):  # ("": a relative root's, spelled so)
                    self._add(parent)
            for root in self._root_strs:
                self.last.update(self._scan(root))
        except BaseException:
            self.close()
            raise

    def _add(self, folder: str) -> None:
        try:
            wd = self._ino.add_watch(folder or ".", _MASK)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return  # (gone already: its parent's event tells)
            raise _NoInotify(f"{folder}: {exc.strerror}") from exc  # (ENOSPC: out of watches)
        old = self._wd.get(wd)
        if old is not None and old != folder:
            self._by_path.pop(old, None)  # (a folder moved: the same watch, a new path)
        self._wd[wd] = folder
        self._by_path[folder] = wd

    def _scan(self, path: str) -> Snapshot:
        """The snapshot of ``path`` (a file or a folder's files, as snapshot() takes it),
        each folder watched before its entries are read."""
        snap: Snapshot = {}
        try:
            st = os.stat(path)
        except OSError:
            return snap
        if os.path.islink(path) and path not in self._root_strs:
            raise _NoInotify(f"{path} is a symbolic link")
        if not stat.S_ISDIR(st.st_mode):
            snap[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
            return snap
        folders = [path]
        while folders:
            folder = folders.pop()
            self._add(folder)
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if ignored(entry.name):
                    continue
                if entry.is_symlink():
                    raise _NoInotify(f"{entry.path} is a symbolic link")
                try:
                    if entry.is_dir():
                        folders.append(entry.path)
                        continue
                    est = entry.stat()
                except OSError:
                    continue
                snap[entry.path] = (est.st_mtime_ns, est.st_size, est.st_ino)
        return snap

    def changed(self) -> set[str]:
        try:
            events = self._ino.read(timeout=0)
        except OSError as exc:
            raise _NoInotify(str(exc)) from exc
        files: set[str] = set()
        folders: set[str] = set()
        for ev in events:
            if ev.mask & IN_FLAGS["Q_OVERFLOW"]:
                folders.update(self._root_strs)  # (everything looked at again)
                continue
            folder = self._wd.get(ev.wd)
            if folder is None:
                continue
            if ev.mask & IN_FLAGS["IGNORED"]:  # (the watch is gone: its folder removed)
                del self._wd[ev.wd]
                if self._by_path.get(folder) == ev.wd:
                    del self._by_path[folder]
                continue
            if not ev.name:  # (the folder itself moved or removed)
                if ev.mask & _GONE and _within(self.roots, folder):
                    folders.add(folder)
                continue
            path = os.path.join(folder, ev.name)
            if ignored(ev.name) or not _within(self.roots, path):
                continue
            (folders if ev.mask & IN_FLAGS["ISDIR"] or path in self._root_strs else files).add(path)
        if not files and not folders:
            return set()
        # (what is found is applied to ``last`` at the end: a _NoInotify on the way
        # leaves it as it was, for the poll that takes over to find every change)
        tops: list[str] = []
        for folder in sorted(folders):  # (each folder once: not those inside another)
            if not _under(folder, tops):
                tops.append(folder)
        now: Snapshot = {}
        for top in tops:
            now.update(self._scan(top))
        for path in files:
            if _under(path, tops):
                continue
            try:
                st = os.lstat(path)  # (not a link: its stat is snapshot()'s)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                raise _NoInotify(f"{path} is a symbolic link")
            if stat.S_ISDIR(st.st_mode):  # (a file replaced by a folder)
                tops.append(path)
                now.update(self._scan(path))
            else:
                now[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        before: Snapshot = {}
        for top in tops:
            inside = top + os.sep
            before.update((k, v) for k, v in self.last.items() if k == top or k.startswith(inside))
            for folder in [f for f in self._by_path if f == top or f.startswith(inside)]:
                if not os.path.isdir(folder):  # (moved out or removed: not watched any more)
                    wd = self._by_path.pop(folder)
                    self._wd.pop(wd, None)
                    with contextlib.suppress(OSError):
                        self._ino.rm_watch(wd)
        for path in files:
            if path in self.last:
                before[path] = self.last[path]
        out = _changed(before, now)
        for k in before:
            del self.last[k]
        self.last.update(now)
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._ino.close()


def _source(roots: Sequence[Path], polling: bool) -> _Polled | _Notified:
    """What tells the changes under ``roots`` from now on: inotify where it can, else a
    poll of every file."""
    if not polling:
        with contextlib.suppress(_NoInotify):
            return _Notified(roots)
    return _Polled(roots)


def _within(roots: Sequence[Path], path: str) -> bool:
    """Whether ``path`` is one of ``roots`` or under one."""
    return any(path == str(r) or path.startswith(str(r) + os.sep) for r in roots)


def _under(path: str, folders: Sequence[str]) -> bool:
    return any(path.startswith(f + os.sep) for f in folders)


class Listener(Protocol):
    """Told which files changed, as the watcher sees them (digest.build.Session: a
    rebuild then looks again at those files only)."""

    def watching(self, roots: Sequence[str]) -> None:
        """From now on every change of a file under ``roots`` (by path, as os.walk
        spells it from them) is told through changed(); what changed before is not
        known (a first snapshot, or one of new roots)."""

    def changed(self, paths: Collection[str]) -> None:
        """These files were added, removed or changed (mtime, size or inode) since the
        last snapshot."""


class Watcher:
    """Poll the watched files; call ``on_change`` once per burst of changes.

    A burst ends after ``debounce`` seconds without a further change (or
    ``max_wait`` seconds after it began, so a file that never stops changing
    cannot starve the preview).  Changes made while ``on_change`` runs are
    seen afterwards and give one more rebuild.  ``listener``: told each scan's
    changed files as soon as they are seen (see Listener).  ``polling``: every file
    looked at on each scan, never inotify (see the module's doc).
    """

    def __init__(
        self,
        paths: Callable[[], Iterable[Path]],
        on_change: Callable[[int], object],
        debounce: float = DEBOUNCE,
        poll: float = POLL,
        max_wait: float = MAX_WAIT,
        stop: threading.Event | None = None,
        listener: Listener | None = None,
        polling: bool = False,
    ) -> None:
        self.paths, self.on_change, self.listener = paths, on_change, listener
        self.debounce, self.poll, self.max_wait = debounce, poll, max_wait
        self.polling = polling
        self._stop = stop or threading.Event()
        self._thread: threading.Thread | None = None
        self._source: _Polled | _Notified | None = None

    def prime(self) -> None:
        """Start watching now: changes from here on are seen."""
        self._source = _source(tuple(self.paths()), self.polling)
        self._watching(self._source.roots)

    @property
    def notified(self) -> bool:
        """Whether inotify tells the changes (else every file is polled)."""
        return isinstance(self._source, _Notified)

    def _watching(self, roots: Sequence[Path]) -> None:
        if self.listener is not None:
            self.listener.watching([str(p) for p in roots])

    def start(self) -> None:
        if self._source is None:
            self.prime()
        self._thread = threading.Thread(target=self.run, name="digest-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run(self) -> None:
        """Watch until :meth:`stop`, in the calling thread (``start`` runs it in a thread
        of its own; ``digest build --watch`` in the main thread, so its builds may fork
        worker processes)."""
        if self._source is None:
            self.prime()
        assert self._source is not None
        pending: set[str] = set()
        roots = tuple(self.paths())
        if roots != self._source.roots:  # the first build found other folders (content_dir)
            first = self._source
            self._source = _source(roots, self.polling)
            first.close()
            # (changes under the first roots during the first build give a rebuild; the
            # listener is told that those of the others were not seen)
            seen = {k: v for k, v in self._source.last.items() if _within(first.roots, k)}
            pending = _changed(first.last, seen)
            self._watching(roots)
        first_change = last_change = 0.0
        changes = 0
        wait = self.poll
        while not self._stop.wait(wait):
            t = time.monotonic()
            paths = pending | self._changes()
            pending = set()
            now = time.monotonic()
            wait = max(self.poll, 2 * (now - t))  # a huge site polled: at most 1/3 of the time
            if paths:
                changes += len(paths)
                if self.listener is not None:
                    self.listener.changed(paths)
                if not first_change:
                    first_change = now
                last_change = now
                continue
            if first_change and (
                now - last_change >= self.debounce or now - first_change >= self.max_wait
            ):
                n, changes, first_change = changes, 0, 0.0
                try:
                    self.on_change(n)
                except Exception:  # pragma: no cover - on_change reports its own errors
                    traceback.print_exc()
                new_roots = tuple(self.paths())
                if new_roots != self._source.roots:  # site.yaml moved content_dir
                    self._source.close()
                    self._source = _source(new_roots, self.polling)
                    self._watching(new_roots)
        self._source.close()

    def _changes(self) -> set[str]:
        """The files changed since the last call; inotify found unusable on the way (a
        symbolic link made, out of watches): polled from then on."""
        source = self._source
        assert source is not None
        try:
            return source.changed()
        except _NoInotify:
            source.close()
            self._source = _Polled(source.roots, source.last)
            return self._source.changed()


def watch_paths(config_path: Path, content_dir: Path | None = None) -> tuple[Path, ...]:
    """What a site's build reads: site.yaml, content/ (and ``content_dir`` when
    site.yaml puts the articles elsewhere), templates/, themes/ and static/."""
    root = config_path.resolve().parent
    paths = [config_path, root / "content", root / "templates", root / "themes"]
    paths.append(root / "static")
    if content_dir is not None:
        paths.append(content_dir)
    return tuple(dict.fromkeys(paths))  # in order, each once


def build_and_watch(
    rebuild: Callable[[], object],
    paths: Callable[[], Iterable[Path]],
    debounce: float = DEBOUNCE,
    stop: threading.Event | None = None,
    listener: Listener | None = None,
    polling: bool = False,
) -> None:
    """``digest build --watch``: build now, then again after every burst of changes,
    until ``stop`` is set (or Ctrl+C).  ``rebuild`` builds once and reports how it went
    (a failed build too: the watching goes on, and fixing the file brings the next
    build).  The builds run in the calling thread: in the main thread they may use
    worker processes, as ``digest build`` does.  ``listener``, ``polling``: see Watcher."""
    watcher = Watcher(
        paths,
        lambda _changes: rebuild(),
        debounce=debounce,
        stop=stop,
        listener=listener,
        polling=polling,
    )
    watcher.prime()  # before the first build: edits made during it are seen
    rebuild()
    watcher.run()


def stop_on_sigterm() -> Callable[[], None]:
    """Make SIGTERM (systemd, docker stop, kill) stop a long-lived process (`digest
    serve`, `digest build --watch`) as Ctrl+C (SIGINT) does: it raises KeyboardInterrupt
    in the main thread, so the preview lets go of its folder (a temporary one is
    removed) and the session's deferred states are written.  Returns what puts the
    previous handler back.  A forked build worker that inherits the handler dies of
    SIGTERM as before."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    pid = os.getpid()

    def stop(signum: int, _frame: object) -> None:
        if os.getpid() != pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
