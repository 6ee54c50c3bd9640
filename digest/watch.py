"""Watching the site's files: one callback per burst of changes.

Used by ``digest serve`` (rebuild, then reload the browser) and ``digest build
--watch`` (rebuild into the output folder, nothing served).  Polling, not
inotify: it works the same on every platform and file system (network mounts,
containers); a scan that takes long (a huge site) is repeated less often.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Protocol

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
    changed files as soon as they are seen (see Listener).
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
    ) -> None:
        self.paths, self.on_change, self.listener = paths, on_change, listener
        self.debounce, self.poll, self.max_wait = debounce, poll, max_wait
        self._stop = stop or threading.Event()
        self._thread: threading.Thread | None = None
        self._roots: tuple[Path, ...] = ()
        self._last: Snapshot | None = None

    def prime(self) -> None:
        """Take the first snapshot now: changes from here on are seen."""
        self._roots = tuple(self.paths())
        self._last = snapshot(self._roots)
        self._watching(self._roots)

    def _watching(self, roots: Sequence[Path]) -> None:
        if self.listener is not None:
            self.listener.watching([str(p) for p in roots])

    def start(self) -> None:
        if self._last is None:
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
        roots, last = tuple(self.paths()), dict(self._last or {})
        extra = tuple(p for p in roots if p not in self._roots)
        if extra:  # the first build found other folders to watch (content_dir)
            last.update(snapshot(extra))
            self._watching(roots)  # (their changes during the first build were not seen)
        first_change = last_change = 0.0
        changes = 0
        wait = self.poll
        while not self._stop.wait(wait):
            t = time.monotonic()
            snap = snapshot(roots)
            now = time.monotonic()
            wait = max(self.poll, 2 * (now - t))  # a huge site: scan at most 1/3 of the time
            if snap != last:
                paths = _changed(last, snap)
                changes += len(paths)
                if self.listener is not None:
                    self.listener.changed(paths)
                if not first_change:
                    first_change = now
                last_change = now
                last = snap
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
                if new_roots != roots:  # site.yaml moved content_dir: watch the new folders
                    roots = new_roots
                    last = snapshot(roots)
                    self._watching(roots)


def _changed(old: Snapshot, new: Snapshot) -> set[str]:
    keys = old.keys() | new.keys()
    return {k for k in keys if old.get(k) != new.get(k)}


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
) -> None:
    """``digest build --watch``: build now, then again after every burst of changes,
    until ``stop`` is set (or Ctrl+C).  ``rebuild`` builds once and reports how it went
    (a failed build too: the watching goes on, and fixing the file brings the next
    build).  The builds run in the calling thread: in the main thread they may use
    worker processes, as ``digest build`` does.  ``listener``: see Watcher."""
    watcher = Watcher(
        paths, lambda _changes: rebuild(), debounce=debounce, stop=stop, listener=listener
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
