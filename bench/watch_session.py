"""One-article edits in ONE long-lived process, as ``digest build --watch`` does them.

    python bench/watch_session.py --site DIR [--edits 5] [--profile OUT.prof]

Copies the site DIR (content/, site.yaml and its .digest-cache/) to a temporary folder,
builds it once (the watch's first build) and again (no change: the second tree
publish keeps beside the output is made), then appends one sentence to a different
article K times, rebuilding in this process after each edit, and prints the median of
each stage and of the whole build, and this process's peak and current RSS.  Runs with
whatever digest is on PYTHONPATH (a main checkout too: it passes a build session only
when digest.build has one).  SOURCE_DATE_EPOCH is set to 1700000000.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

from digest import build as build_mod  # noqa: E402
from digest.build import BuildOptions, build  # noqa: E402
from digest.config import load_config  # noqa: E402


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process, MB."""
    cur = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


def _edit(site: Path, i: int) -> None:
    files = sorted((site / "content").rglob("*.md"))
    f = files[(i * 997) % len(files)]
    with open(f, "a", encoding="utf-8") as out:
        out.write(f"\nThe committee said on Tuesday that edit number {i} changed the outlook.\n")


def _sizes(session: object) -> None:
    """The biggest parts of what the session keeps: arrays and bytes, MB."""
    import numpy as np

    kept = session.kept  # type: ignore[attr-defined]
    rel = kept.related
    arrays = 0
    if rel is not None and rel.vectors is not None:
        v = rel.vectors
        arrays += v.matrix.data.nbytes + v.matrix.indices.nbytes + v.matrix.indptr.nbytes
        arrays += v.df.nbytes + v.term_ids.nbytes + v.term_ptr.nbytes
    if rel is not None and rel.saved is not None:
        arrays += rel.saved.idx.nbytes + rel.saved.scores.nbytes
    if kept.stories is not None and kept.stories.graph is not None:
        g = kept.stories.graph
        arrays += sum(x.nbytes for x in vars(g).values() if isinstance(x, np.ndarray))
    lines = sum(len(line[-1]) for line in kept.feeds.lines.values()) if kept.feeds else 0
    print(f"  kept arrays (vectors, lists, story graph): {arrays / 2**20:.0f} MB")
    print(f"  kept articles.json lines: {lines / 2**20:.0f} MB")


def _pin(db: Path) -> None:
    import functools
    import sqlite3

    from digest import cache

    with sqlite3.connect(db) as con:
        (fp,) = con.execute("SELECT v FROM meta WHERE k='fingerprint'").fetchone()
    pinned = functools.lru_cache(maxsize=1)(lambda: fp)
    pinned()
    cache.fingerprint = pinned  # type: ignore[assignment]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, required=True)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--profile", help="cProfile the edit rebuilds into this file")
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="time stages in CPU seconds of this process (less noisy on a busy machine)",
    )
    ap.add_argument(
        "--pin-cache",
        action="store_true",
        help="take the site's cache as made by this code (its fingerprint pinned): for "
        "comparing changes that leave per-article results as they were without a cold "
        "first build after each",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("public", "out"))
        out = Path(tmp) / "out"
        os.chdir(site)  # as `digest build` runs: paths shown relative to the site
        if args.pin_cache:
            _pin(site / ".digest-cache" / "cache.sqlite")
        if args.cpu:
            import types

            build_mod.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[assignment]
        session = build_mod.Session() if hasattr(build_mod, "Session") else None
        kw = {"session": session} if session is not None else {}

        def once() -> build_mod.BuildResult:
            config = load_config(site / "site.yaml")
            # as digest build --watch runs: a session, or (before sessions) the cache's
            # values kept decoded in memory
            options = BuildOptions(output=out, jobs=args.jobs, remember=session is None)
            return build(config, options, **kw)

        t = time.perf_counter()
        first = once()
        print(f"first build: {time.perf_counter() - t:.2f} s, {first.pages} files", flush=True)
        cur, peak = rss_mb()
        print(f"RSS after first build: {cur:.0f} MB (peak {peak:.0f} MB)", flush=True)
        once()  # a no-change rebuild, not counted: it makes the staging tree beside the output
        prof = None
        if args.profile:
            import cProfile

            prof = cProfile.Profile()
        runs = []
        for i in range(args.edits):
            time.sleep(0.05)
            _edit(site, 1000 + i)
            if prof is not None:
                prof.enable()
            t = time.perf_counter()
            r = once()
            wall = time.perf_counter() - t
            if prof is not None:
                prof.disable()
            runs.append({**dict(r.timings), "total": r.seconds, "wall": wall})
            print(f"edit {i}: {wall:.3f} s ({r.written} written)", file=sys.stderr, flush=True)
        print(f"\nmedian of {args.edits} one-article edits in one process:")
        for k in runs[0]:
            print(f"  {k:<13} {statistics.median(r[k] for r in runs):7.3f} s")
        cur, peak = rss_mb()
        print(f"RSS after the edits: {cur:.0f} MB (peak {peak:.0f} MB)")
        if session is not None:
            _sizes(session)
        if prof is not None:
            prof.dump_stats(args.profile)


if __name__ == "__main__":
    main()
