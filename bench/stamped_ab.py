"""A/B of publish's look at the unchanged files of a new process's build: _holds called
for each file in sorted order (main before session 28) against _stamped (a stat each
compared inline), on the staging tree of a built site; alternated, medians.

    python bench/stamped_ab.py SITE/public [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from digest import publish


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("output", type=Path)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    output = args.output.absolute()
    staging = publish.staging_dir(output)
    files = publish._manifest(staging) or {}
    stamps = publish._stamps(output, staging)
    top = os.fspath(staging) + os.sep
    paths = [p for p in files if p in stamps]
    print(f"{len(paths)} files with stamps of {len(files)}")

    def old() -> int:
        held = 0
        for path in sorted(paths):
            if publish._holds(top + path, files[path], None, stamps.get(path)) is not None:
                held += 1
        return held

    def new() -> int:
        sure, rest = publish._stamped(top, paths, stamps)
        return len(sure) + sum(
            publish._holds(top + p, files[p], None, stamps.get(p)) is not None for p in rest
        )

    times: dict[str, list[float]] = {"_holds each": [], "_stamped": []}
    for _ in range(args.rounds):
        for name, fn in (("_holds each", old), ("_stamped", new)):
            t = time.perf_counter()
            n = fn()
            times[name].append(time.perf_counter() - t)
            assert n == len(paths), (name, n)
    a, b = (statistics.median(v) for v in times.values())
    print(f"_holds each {a:.4f} s, _stamped {b:.4f} s, ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
