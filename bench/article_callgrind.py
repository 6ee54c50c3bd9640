"""The per-article work of the first N sources of a site in one cold process, for callgrind.

    valgrind --tool=callgrind python bench/article_callgrind.py --site /work/bbc 500
    valgrind --tool=callgrind python bench/article_callgrind.py --site /work/bbc 0

The difference of the two instruction counts is what N sources cost a forked worker of a cold
build (``digest.collect.process_one``, memos filling as they go), free of the machine's load,
which timings are not.  One source is processed before the N (the last one of the site): it
loads the stemmer and stop words, as the build's first source does before the workers fork.
Compile the tree's modules first (``python -m compileall digest``): else the N=... run that
first imports a changed module counts its compilation.  BLAS runs on one thread, as in a build
(see digest.cli): an idle OpenBLAS thread spins, and valgrind counts its spin (from 4 to 18
billion instructions for N=300, run to run, where one thread gives the same count to 0.01%).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# (first: digest's command line sets one BLAS thread per process before numpy is imported)
import digest.cli  # noqa: F401, I001
from digest import collect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_cpu import site_sources  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, help="sources to process (0: only the setup)")
    ap.add_argument("--site", default="/work/bbc")
    args = ap.parse_args()
    cfg, sources, defaults, tables = site_sources(args.site)
    collect.process_one(sources[-1], cfg.content, defaults, cfg.summary, tables)
    for src in sources[: args.n]:
        collect.process_one(src, cfg.content, defaults, cfg.summary, tables)


if __name__ == "__main__":
    main()
