"""Seconds to read and decode a site's stored snapshot (collect's segments), as a new
process's rebuild does, and its size.

    python bench/snapshot_decode.py SITE [--rounds 5]

SITE must have a warm cache made by the digest on PYTHONPATH (run it with another tree
on PYTHONPATH to compare two versions on their own caches).
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time
from pathlib import Path

from digest import cache, collect, load


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    store = cache.Cache(args.site / ".digest-cache")
    assert store.db is not None
    keys = [k for (k,) in store.db.execute("SELECT k FROM entries WHERE ns='segment'")]
    size = store.db.execute("SELECT sum(length(v)) FROM entries WHERE ns='segment'").fetchone()[0]
    lazy = "bodies" in inspect.signature(collect.Stored.processed).parameters
    bodies = getattr(collect, "_Bodies", None)
    reader = bodies(store, None, {}, {}) if lazy and bodies is not None else None
    src = load.SourceFile(Path("x"), "x", "x")  # (only read should a body be made again)
    times, n = [], 0
    for _ in range(args.rounds):
        t = time.perf_counter()
        n = 0
        for start in range(0, len(keys), 15):
            chunk = keys[start : start + 15]
            for seg in store.get_many("segment", chunk, collect.Segment).values():
                collect.valid(dict(zip(seg.keys, seg.entries, strict=True)))
                for k, e in zip(seg.keys, seg.entries, strict=True):
                    e.processed(k, src, reader) if lazy else e.processed()
                    n += 1
        times.append(time.perf_counter() - t)
    print(
        f"{n} results in {len(keys)} segments, {size / 2**20:.1f} MiB "
        f"({size / max(n, 1) / 1024:.2f} KiB each): median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s"
    )
    store.close()


if __name__ == "__main__":
    main()
