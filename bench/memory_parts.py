"""Where a build's main process holds its memory, stage by stage.

    python bench/memory_parts.py SITE OUT [--jobs N] [--top 8]

Builds SITE (its own cache: cold when it has none) into OUT in this process with
tracemalloc on, and at the end of each stage of digest.build prints the memory
traced (Python objects and numpy arrays) now and at its peak so far, the process's
resident size, and which files allocated what is alive, largest first (the
allocating line's file: a msgspec-decoded value counts for digest/cache.py, an
article made by a reader for digest/load/, a matrix for digest/related.py).  Worker
processes are not traced: bench/memory_tree.py samples every process of a build.
Slow (tracemalloc: 2-3x; a parent slowed so much can hold rendered pages that a
build at full speed would not).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest import build as digest_build  # noqa: E402
from digest.config import load_config  # noqa: E402

MiB = 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    real = digest_build._Clock.stage

    @contextmanager
    def stage(self: digest_build._Clock, name: str) -> Iterator[None]:
        with real(self, name):
            yield
        now, peak = tracemalloc.get_traced_memory()
        stats = tracemalloc.take_snapshot().statistics("filename")
        top = ", ".join(
            f"{_short(s.traceback[0].filename)} {s.size / MiB:.0f}" for s in stats[: args.top]
        )
        print(
            f"{name:13} now {now / MiB:7.0f} MiB  peak {peak / MiB:7.0f} MiB  "
            f"RSS {_rss() / MiB:7.0f} MiB  | {top}"
        )
        sys.stdout.flush()

    digest_build._Clock.stage = stage  # type: ignore[method-assign]
    tracemalloc.start(1)
    t = time.perf_counter()
    config = load_config(args.site / "site.yaml")
    digest_build.build(config, digest_build.BuildOptions(output=args.out, jobs=args.jobs))
    print(f"built in {time.perf_counter() - t:.1f} s (traced)")


def _rss() -> int:
    """This process's resident set size now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _short(path: str) -> str:
    for mark in ("/digest/", "/site-packages/", "/lib/python"):
        if mark in path:
            return path.split(mark, 1)[1]
    return path


if __name__ == "__main__":
    main()
