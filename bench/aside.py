"""Outputs moved aside, not deleted, before a timed build; everything removed when the
benchmark ends.

On an ext4 file system without a journal (this project's benchmark machine:
/proc/fs/jbd2 is empty, /sys/fs/ext4/*/journal_task says <none>), the kernel skips every
inode deleted in the last 60-360 s when it picks one for a new file (recently_deleted()
in fs/ext4/ialloc.c, checked only without a journal), reading the inode table entry of
each.  A cold build of the 2,127 BBC articles started right after `rm -rf` of the last
build's output and cache (~7,600 files and folders) spent ~40% of its CPU samples there
(perf: find_get_block_common, recently_deleted, ext4_get_group_desc, find_inode_bit),
7-10 s of system time against 1.2-1.6 s after a quiet few minutes, and its publish stage
took 0.8-4.1 s against 0.17 s.  Every tool that writes many files pays it, the more
files the more; how much depends on what else was deleted in the last minutes, so it
was noise as well as a cost.  A cold build in CI starts from a clean checkout, and ext4
with its default journal never makes that search: a benchmark's cold build starts as
one would, with nothing deleted just before it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_RUN: list[Path] = []  # the run's work folder (made by workdir)


def workdir() -> Path:
    """A new folder in the run's work folder (removed when the run ends)."""
    if not _RUN:
        _RUN.append(Path(tempfile.mkdtemp(prefix="digest-bench-")))
        atexit.register(shutil.rmtree, _RUN[0], True)
    return Path(tempfile.mkdtemp(dir=_RUN[0]))


@contextmanager
def work_folder() -> Iterator[str]:
    """As tempfile.TemporaryDirectory, but removed only when the run ends."""
    yield str(workdir())


def move_aside(*paths: Path) -> None:
    """Each of ``paths`` that exists (a file or a folder) moved into the run's work folder
    (removed when the run ends), as if deleted."""
    aside = None
    for p in paths:
        if p.is_symlink() or p.exists():
            aside = aside or workdir()
            p.rename(aside / f"{len(list(aside.iterdir()))}-{p.name}")
