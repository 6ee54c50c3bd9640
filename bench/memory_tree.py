"""Memory of every process of a command (a build and its workers), over time.

    python bench/memory_tree.py LOG -- digest build -v

Runs the command and every 0.5 s reads the proportional set size (shared pages
counted once over all processes) and the resident size of each of its processes
from /proc (Linux), writing one line per sample to LOG:
``seconds total_pss=MiB pid:pss/rss ...``.  At the end it prints the wall time and
the sample with the largest total PSS (the figure the 2 GiB target of issue 17 is
about), with each process's share.  The command's stderr is passed through.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

MiB = 2**20


def tree(root: int) -> list[int]:
    """``root`` and its descendants' process ids."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process, in bytes (0, 0 once it is gone)."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


def main() -> None:
    if "--" not in sys.argv[2:]:
        sys.exit(__doc__)
    log = open(sys.argv[1], "w")  # noqa: SIM115
    cmd = sys.argv[sys.argv.index("--") + 1 :]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak: list[tuple[int, float, list[tuple[int, int, int]]]] = [(0, 0.0, [])]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            now = []  # (pid, PSS MiB, RSS MiB)
            for pid in tree(proc.pid):
                pss, rss = memory(pid)
                now.append((pid, pss // MiB, rss // MiB))
            total = sum(pss for _, pss, _ in now)
            at = time.perf_counter() - start
            if total > peak[0][0]:
                peak[0] = (total, at, now)
            shares = " ".join(f"{pid}:{pss}/{rss}" for pid, pss, rss in now)
            log.write(f"{at:7.1f} total_pss={total} {shares}\n")
            log.flush()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    total, at, shares = peak[0]
    print(f"wall {time.perf_counter() - start:.1f} s; peak of all processes {total} MiB (PSS)")
    print(
        f"  at {at:.1f} s, pid: PSS / RSS MiB: "
        + ", ".join(f"{p}: {a} / {b}" for p, a, b in shares)
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
