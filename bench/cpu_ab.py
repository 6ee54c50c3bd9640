"""CPU seconds of one-article edit rebuilds, each a new `digest build -v` process, for two
source trees taking turns: on a machine shared with other work, wall times say more about
the neighbours than about the code; the CPU time a process used (user + system, from
wait4) says less about them.

    python bench/cpu_ab.py --site DIR --against SRC [--edits 6]

As bench/build_speed.py --edits: a copy of the site DIR (content/, site.yaml and a
.digest-cache/ in it) per tree, built twice first (cold or with the copied cache, then a
no-change build), then one sentence appended to a different article before each rebuild.
Prints the median CPU seconds, user seconds, wall seconds and each stage's (wall) time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_speed import HERE, _digest, _edit, _stages, site_copies  # noqa: E402

ROWS = (
    "cpu",
    "user",
    "wall",
    "collect",
    "related",
    "stories",
    "entries",
    "render+feeds",
    "publish",
)


Runs = dict[str, list[dict[str, float]]]  # tree -> each rebuild's figures


def cpu_rebuilds(site: Path, trees: dict[str, str], edits: int) -> Runs:
    runs: Runs = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        copies = site_copies(site, trees, Path(tmp))
        names = list(trees)
        for i in range(edits):
            for name in names if i % 2 == 0 else names[::-1]:
                _edit(copies[name], i)
                t = time.perf_counter()
                p = _digest(
                    trees[name], copies[name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
                out = p.stdout.read() if p.stdout is not None else ""
                _pid, status, usage = os.wait4(p.pid, 0)
                p.returncode = os.waitstatus_to_exitcode(status)
                stages = _stages(out)
                stages["wall"] = time.perf_counter() - t
                stages["cpu"] = usage.ru_utime + usage.ru_stime
                stages["user"] = usage.ru_utime
                runs[name].append(stages)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, required=True)
    ap.add_argument("--against", required=True, help="the other digest source tree")
    ap.add_argument("--edits", type=int, default=6)
    args = ap.parse_args()
    runs = cpu_rebuilds(args.site, {"against": args.against, "this": HERE}, args.edits)
    print(f"\nOne-article edit rebuild, new process each, median of {args.edits}:\n")
    print("| | against s | this s | this / against |\n|---|---|---|---|")
    for k in ROWS:
        a, b = (statistics.median(r.get(k, 0.0) for r in runs[n]) for n in ("against", "this"))
        print(f"| {k} | {a:.3f} | {b:.3f} | {b / a if a else 0.0:.2f} |")


if __name__ == "__main__":
    main()
