"""Seconds per article for each stage of `digest build` (the stage list of digest.build).

    python bench/build_speed.py [--n 2127] [--synthetic]
    python bench/build_speed.py --site DIR --edits 5 [--against SRC] [--watch]

Builds a corpus of N articles (BBC from ../shared/eval/bbc when present,
else synthetic), then builds it twice with a cold cache: in one process
(``--jobs 1``: each stage's own cost) and with worker processes (as users
build), and prints the time of every stage of :data:`digest.build.STAGES`.

With ``--site DIR --edits K``: one-article edit rebuilds of a copy of the site DIR
(content/ + site.yaml; a .digest-cache/ in it is copied too), each a new
``digest build -v`` process (one sentence appended to a different article each
time), and the median of each stage and of the wall time.  ``--against SRC``
(a source tree of digest, e.g. an exported main) runs the same edits with that
code on a second copy, the two taking turns, and prints both with their ratio.
``--watch`` adds the long-lived process: K edits made while one
``digest build --watch -v`` per source tree runs (its own "built ... in X s").
SOURCE_DATE_EPOCH is set to 1700000000 for every build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aside import move_aside  # noqa: E402
from corpus import write_corpus  # noqa: E402

from digest.build import BuildOptions, BuildResult, build  # noqa: E402
from digest.config import load_config  # noqa: E402


def cold_build(site: Path, out: Path, jobs: int | None) -> BuildResult:
    move_aside(site / ".digest-cache", out)  # (not deleted: see bench/aside.py)
    return build(load_config(site / "site.yaml"), BuildOptions(output=out, jobs=jobs))


def table(result: BuildResult, n: int) -> str:
    rows = ["| stage | seconds | ms/article |", "|---|---:|---:|"]
    for stage, secs in result.timings:
        rows.append(f"| {stage} | {secs:.3f} | {1000 * secs / n:.3f} |")
    rows.append(f"| **total** | {result.seconds:.3f} | {1000 * result.seconds / n:.3f} |")
    return "\n".join(rows)


# ---------------------------------------------------------------- one-edit rebuilds

HERE = str(Path(__file__).resolve().parent.parent)  # this checkout's digest
_STAGE = re.compile(r"^  (\S+)\s+([\d.]+) s$", re.M)


def _env(src: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=src, SOURCE_DATE_EPOCH="1700000000")


def _edit(site: Path, i: int) -> None:
    """Append one sentence to the i-th article (a different one for each i)."""
    files = sorted((site / "content").rglob("*.md"))
    f = files[(i * 997) % len(files)]
    with open(f, "a", encoding="utf-8") as out:
        out.write(f"\nThe committee said on Tuesday that edit number {i} changed the outlook.\n")


def _digest(src: str, site: Path, *args: str, **kw: object) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "digest", "build", "-v", "--output", str(site / "out"), *args]
    return subprocess.Popen(cmd, cwd=site, env=_env(src), text=True, **kw)  # type: ignore[call-overload]


def _stages(text: str) -> dict[str, float]:
    return {name: float(secs) for name, secs in _STAGE.findall(text)}


def site_copies(site: Path, trees: dict[str, str], tmp: Path) -> dict[str, Path]:
    """A copy of the site (its cache too, not its output) in ``tmp`` for each source
    tree, built twice by it: cold (or its copied cache brought up to date), then with
    nothing changed, so the next build of each is an edit's."""
    copies = {}
    for name, src in trees.items():
        copies[name] = copy = tmp / name
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", "out"))
        for _ in range(2):
            p = _digest(src, copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if p.wait() != 0:
                raise SystemExit(f"digest build failed ({name})")
    return copies


def edit_rebuilds(site: Path, trees: dict[str, str], edits: int, watch: bool) -> None:
    """K one-edit rebuilds per source tree (new processes, taking turns), then --watch."""
    with tempfile.TemporaryDirectory() as tmp:
        copies = site_copies(site, trees, Path(tmp))
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        names = list(trees)
        for i in range(edits):
            for name in names if i % 2 == 0 else names[::-1]:
                _edit(copies[name], i)
                t = time.perf_counter()
                p = _digest(
                    trees[name], copies[name], stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )
                out, err = p.communicate()
                stages = _stages(out + err)
                stages["wall"] = time.perf_counter() - t
                runs[name].append(stages)
        print(f"\nOne-article edit rebuild, new process each, median of {edits}:\n")
        _table(runs)
        if watch:
            print(f"\nThe same in one long-lived `digest build --watch` each, median of {edits}:\n")
            _table(_watched(copies, trees, edits))


def _watched(
    copies: dict[str, Path], trees: dict[str, str], edits: int
) -> dict[str, list[dict[str, float]]]:
    procs, logs = {}, {}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    try:
        for name, src in trees.items():
            logs[name] = open(copies[name] / "watch.log", "w+")  # noqa: SIM115
            procs[name] = p = _digest(
                src, copies[name], "--watch", stdout=subprocess.PIPE, stderr=logs[name]
            )
            assert p.stdout is not None
            if not p.stdout.readline().startswith("built"):
                raise SystemExit(f"digest build --watch failed ({name})")
        names = list(trees)
        for i in range(edits):
            for name in names if i % 2 == 0 else names[::-1]:
                time.sleep(0.3)
                _edit(copies[name], 1000 + i)
                stdout = procs[name].stdout
                assert stdout is not None
                line = stdout.readline()
                runs[name].append({"wall": float(line.rsplit(" in ", 1)[1].split()[0])})
    finally:
        for p in procs.values():
            p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:  # never left running
                p.kill()
                p.wait()
    for name, log in logs.items():
        log.seek(0)
        blocks = re.split(r"\n(?=  collect )", log.read())[2:]  # after the first build
        for run, block in zip(runs[name], blocks, strict=False):
            run.update(_stages(block))
        log.close()
    return runs


def _table(runs: dict[str, list[dict[str, float]]]) -> None:
    names = list(runs)
    keys = [k for k in runs[names[0]][0] if k not in ("theme", "check")]
    head = "| stage | " + " | ".join(f"{n} s" for n in names)
    print(head + (f" | {names[1]} / {names[0]} |" if len(names) == 2 else " |"))
    print("|---" * (len(names) + 1 + (len(names) == 2)) + "|")
    for k in keys:
        med = [statistics.median(r.get(k, 0.0) for r in runs[n]) for n in names]
        row = f"| {k} | " + " | ".join(f"{m:.3f}" for m in med)
        ratio = f" | {med[1] / med[0]:.2f}" if len(med) == 2 and med[0] else ""
        print(row + ratio + " |")


def main() -> None:
    # A bench started in the background (`cmd &` without job control) inherits SIGINT
    # ignored, and so would the --watch processes, which are stopped with it: a handler
    # here makes theirs the default again (an ignored signal stays ignored across exec).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2127)
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--site", type=Path, help="one-edit rebuilds of a copy of this site")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--against", help="another digest source tree to compare with")
    ap.add_argument("--watch", action="store_true", help="also in a long-lived --watch")
    args = ap.parse_args()
    if args.site is not None:
        trees = {"against": args.against, "this": HERE} if args.against else {"this": HERE}
        edit_rebuilds(args.site, trees, args.edits, args.watch)
        return
    with tempfile.TemporaryDirectory() as tmp:
        site = write_corpus(Path(tmp) / "site", args.n, args.synthetic)
        n = len(list((site / "content").rglob("*.md")))
        one = cold_build(site, Path(tmp) / "out", jobs=1)
        pooled = cold_build(site, Path(tmp) / "out", jobs=None)
    src = "synthetic" if args.synthetic else "BBC (or synthetic past its size)"
    print(f"corpus: {n} articles, {src}\n")
    print(f"One process (--jobs 1), cold cache: {one.pages} files\n\n{table(one, n)}\n")
    print(f"Worker processes (all cores), cold cache: {pooled.pages} files\n")
    print(table(pooled, n))


if __name__ == "__main__":
    main()
