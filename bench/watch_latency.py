"""Seconds from saving an article to `digest build --watch` having rebuilt it, with the
changes told by inotify (the default on Linux) and found by polling (--poll), in one run.

    python bench/watch_latency.py --site DIR [--edits 7] [--rounds 2]

Copies the site DIR (content/, site.yaml and its .digest-cache/) to a temporary folder,
then, for each way of watching in turn, starts `digest build --watch -v` there, waits for
its first build, and appends a paragraph of another article to one article K times, a
second apart: for each edit, the time from the write to the watcher's "built" line (what
a writer waits for), and the build's own figure from that line.  Also the CPU seconds the
watching process used over 5 quiet seconds (a poll looks at every file a few times a
second).  Each way runs --rounds times, taking turns; medians of the
runs' medians are printed.  SOURCE_DATE_EPOCH is set to 1700000000.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _built(proc: subprocess.Popen[str]) -> float:
    """The next "built ... in X s" line's X (the build's own seconds)."""
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("digest build --watch ended")
        if line.startswith("built"):
            return float(line.rsplit(" in ", 1)[1].split()[0])


def run(site: Path, extra: list[str], edits: int, seed: int) -> dict[str, float]:
    files = sorted((site / "content").rglob("*.md"))
    rng = random.Random(seed)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "build", "--watch", "-v", *extra],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _built(proc)  # the first build
        time.sleep(1.0)
        quiet = _cpu(proc.pid)
        time.sleep(5.0)
        quiet = _cpu(proc.pid) - quiet
        waits, builds = [], []
        for _ in range(edits):
            victim, donor = rng.sample(files, 2)
            par = donor.read_text().split("---\n", 2)[-1].strip().split("\n\n")[0]
            text = victim.read_text().rstrip("\n") + "\n\n" + par + "\n"
            t = time.perf_counter()
            victim.write_text(text)
            builds.append(_built(proc))
            waits.append(time.perf_counter() - t)
            time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    return {
        "save to built": statistics.median(waits),
        "build": statistics.median(builds),
        "quiet CPU /5 s": quiet,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, required=True)
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=2, help="runs of each way, taking turns")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("public", "out"))
        # (the copy's first build, untimed: its cache is then warm for both ways)
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        subprocess.run([sys.executable, "-m", "digest", "build", "-q"], cwd=site, env=env)
        got: dict[str, list[dict[str, float]]] = {"inotify": [], "--poll": []}
        for r in range(args.rounds):  # (taking turns: drifting load falls on both alike)
            for name in got:
                extra = ["--poll"] if name == "--poll" else []
                got[name].append(run(site, extra, args.edits, 10 * r + len(got[name])))
        rows = {
            name: {k: statistics.median(x[k] for x in runs) for k in runs[0]}
            for name, runs in got.items()
        }
    keys = list(next(iter(rows.values())))
    print(f"{'median s':<10}" + "".join(f"{k:>16}" for k in keys))
    for name, row in rows.items():
        print(f"{name:<10}" + "".join(f"{row[k]:>16.3f}" for k in keys))


if __name__ == "__main__":
    main()
