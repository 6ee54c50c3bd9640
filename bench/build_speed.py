"""Seconds per article for each stage of `digest build` (the stage list of digest.build).

    python bench/build_speed.py [--n 2127] [--synthetic]

Builds a corpus of N articles (BBC from ../shared/eval/bbc when present,
else synthetic), then builds it twice with a cold cache: in one process
(``--jobs 1``: each stage's own cost) and with worker processes (as users
build), and prints the time of every stage of :data:`digest.build.STAGES`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402

from digest.build import BuildOptions, BuildResult, build  # noqa: E402
from digest.config import load_config  # noqa: E402


def cold_build(site: Path, out: Path, jobs: int | None) -> BuildResult:
    shutil.rmtree(site / ".digest-cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return build(load_config(site / "site.yaml"), BuildOptions(output=out, jobs=jobs))


def table(result: BuildResult, n: int) -> str:
    rows = ["| stage | seconds | ms/article |", "|---|---:|---:|"]
    for stage, secs in result.timings:
        rows.append(f"| {stage} | {secs:.3f} | {1000 * secs / n:.3f} |")
    rows.append(f"| **total** | {result.seconds:.3f} | {1000 * result.seconds / n:.3f} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2127)
    ap.add_argument("--synthetic", action="store_true")
    args = ap.parse_args()
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
