"""Which folders of a session's output trees may have changed since publish last looked
at them: Linux inotify, for ``digest build --watch``.

Each build of a session that publishes into a folder others may write (not ``digest
serve``'s own preview folder) looks at every folder of the live tree for what was put
there by hand, to carry it over to the new tree (see digest.publish._carry_yours): one
``lstat`` per folder, about one per article, 10,000 of them at 10,000 articles and most
of such a rebuild's publishing.  A folder watched since it was last looked at, and with
no event since, has had no entry added, removed, renamed or replaced and no change of
mode (each of those is an event, as each sets its ctime), so it is taken as it was,
without a stat.

Anything not known for sure is looked at as before: a folder not watched (the first
build of each tree, a folder new since, a system out of inotify watches or instances,
any other platform), one with an event (this process's own writes included: publish
writes the staging tree, which is the live tree one build later), one whose parent is
looked at (it may be another folder at that name), and all of them after the kernel's
queue of events overflowed.  Events are only read, between builds nothing runs.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from typing import Any

IN_FLAGS = {  # inotify(7)'s event flags (this module's and digest.watch's)
    "MODIFY": 0x2,
    "ATTRIB": 0x4,
    "CLOSE_WRITE": 0x8,
    "MOVED_FROM": 0x40,
    "MOVED_TO": 0x80,
    "CREATE": 0x100,
    "DELETE": 0x200,
    "DELETE_SELF": 0x400,
    "MOVE_SELF": 0x800,
    "Q_OVERFLOW": 0x4000,
    "IGNORED": 0x8000,
    "ONLYDIR": 0x1000000,
    "DONT_FOLLOW": 0x2000000,
    "ISDIR": 0x40000000,
}


def in_mask(*names: str) -> int:
    """The inotify mask of these IN_FLAGS."""
    return sum(IN_FLAGS[k] for k in names)


# every change that sets a folder's ctime, and the folder itself moved or deleted
MASK = in_mask(
    "ATTRIB",
    "MOVED_FROM",
    "MOVED_TO",
    "CREATE",
    "DELETE",
    "DELETE_SELF",
    "MOVE_SELF",
    "ONLYDIR",
    "DONT_FOLLOW",
)

Key = tuple[str, str]  # (tree id, as digest.publish._tree_id gives it; relative path)


class FolderEvents:
    """The folders watched, by tree and relative path, and those with an event since
    they were last looked at.  ``usable`` is False where inotify is not (then every
    folder is looked at, as without it)."""

    def __init__(self) -> None:
        self._ino: Any = None
        self._wd: dict[str, dict[str, int]] = {}  # tree -> folder -> its watch
        self._key: dict[int, Key] = {}  # watch -> the folder it was added for
        self._dirty: set[int] = set()  # watches with an event since their folder was looked at
        self._full = False  # out of watches: none added until the next reset
        self.usable = sys.platform.startswith("linux")

    def _open(self) -> Any:
        if self._ino is None and self.usable:
            try:
                import inotify_simple

                self._ino = inotify_simple.INotify(nonblocking=True)
            except (ImportError, OSError):  # (not installed; out of inotify instances)
                self.usable = False
        return self._ino

    def reset(self) -> None:
        """Forget every watch (each folder is looked at again)."""
        if self._ino is not None:
            self._ino.close()
        self._ino = None
        self._wd.clear()
        self._key.clear()
        self._dirty.clear()
        self._full = False

    def read(self) -> None:
        """Take the events queued since the last read (before a walk of the folders)."""
        ino = self._ino
        if ino is None:
            return
        try:
            events = ino.read(timeout=0)
        except OSError:
            self.reset()
            return
        dirty, key = self._dirty, self._key
        for wd, mask, _cookie, _name in events:
            if mask & IN_FLAGS["Q_OVERFLOW"]:  # (events were lost: nothing is known)
                self.reset()
                return
            if mask & IN_FLAGS["IGNORED"]:  # (the watch is gone: its folder deleted)
                k = key.pop(wd, None)
                if k is not None and self._wd[k[0]].get(k[1]) == wd:
                    del self._wd[k[0]][k[1]]
                dirty.discard(wd)
            else:
                dirty.add(wd)

    def clean(self, tree: str) -> tuple[dict[str, int], set[int]]:
        """The folders of ``tree`` watched (relative path -> watch), and the watches not
        clean: a folder watched is clean when it was found as recorded when last looked
        at and had no event since (as far as read took them; the caller knows its
        parent's entries are the ones recorded)."""
        return self._wd.setdefault(tree, {}), self._dirty

    def dirty_in(self, tree: str) -> list[str]:
        """The folders of ``tree`` with an event since they were last looked at."""
        key = self._key
        return [k[1] for wd in self._dirty if (k := key.get(wd)) is not None and k[0] == tree]

    def confirm(self, tree: str, rel: str) -> None:
        """The folder, looked at after look(), was found as recorded: clean until its
        next event."""
        wd = self._wd.get(tree, {}).get(rel)
        if wd is not None:
            self._dirty.discard(wd)

    def look(self, tree: str, rel: str, path: str) -> None:
        """The folder at ``path`` is about to be looked at (call before its stat):
        watched from now on, not clean until confirmed."""
        ino = self._open() if not self._full else None
        if ino is None:
            return
        key = (tree, rel)
        mine = self._wd.setdefault(tree, {})
        try:
            wd = ino.add_watch(path, MASK)
        except OSError as exc:
            self._drop(mine.pop(rel, None))
            if exc.errno == errno.ENOSPC:  # (fs.inotify.max_user_watches reached)
                self._full = True
            return
        was = self._key.get(wd)
        if was is not None and was != key and self._wd[was[0]].get(was[1]) == wd:
            del self._wd[was[0]][was[1]]  # (the same folder, found under another path now)
        old = mine.get(rel)
        if old is not None and old != wd:
            self._drop(old)  # (another folder at this path now)
        mine[rel] = wd
        self._key[wd] = key
        self._dirty.add(wd)

    def _drop(self, wd: int | None) -> None:
        """Stop watching a folder no longer at the path it was watched for."""
        if wd is None or self._key.pop(wd, None) is None:
            return
        self._dirty.discard(wd)
        with contextlib.suppress(OSError):  # (gone with its folder already)
            self._ino.rm_watch(wd)

    def watched(self) -> int:
        return sum(len(v) for v in self._wd.values())
