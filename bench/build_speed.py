"""Seconds per article for each build stage.

    python bench/build_speed.py [--n 2127] [--synthetic]

Builds a corpus of N articles (BBC from ../shared/eval/bbc when present,
else synthetic) and runs `digest build` once, printing each stage's wall
time and time per article.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402

from digest.build import BuildOptions, build  # noqa: E402
from digest.config import load_config  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2127)
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--extra", nargs="*", default=[], help="extra site.yaml lines")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = write_corpus(Path(tmp) / "site", args.n, args.synthetic)
        if args.extra:
            with open(site / "site.yaml", "a") as f:
                f.write("\n".join(args.extra) + "\n")
        t = time.perf_counter()
        cfg = load_config(site / "site.yaml")
        result = build(cfg, BuildOptions())
        total = time.perf_counter() - t
    src = "synthetic" if args.synthetic else "BBC (or synthetic past its size)"
    print(f"corpus: {result.articles} articles, {src}; {result.pages} files written")
    print(f"{'stage':<12}{'seconds':>10}{'ms/article':>12}")
    for stage, secs in result.timings:
        print(f"{stage:<12}{secs:>10.3f}{1000 * secs / max(1, result.articles):>12.3f}")
    print(f"{'total':<12}{total:>10.3f}{1000 * total / max(1, result.articles):>12.3f}")


if __name__ == "__main__":
    main()
