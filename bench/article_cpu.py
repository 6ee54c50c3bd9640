"""CPU per article of the per-source work (read, summarize, term counts, story features).

    python bench/article_cpu.py [--site /work/bbc] [--repeat 3] [--profile out.prof]

Runs digest.collect.process_one over every source of a site in this process (no cache,
no workers) and prints the best of ``--repeat`` passes in ms per article, with each part's
share: load (read + Markdown + clean), summarize, term counts (with the reading of the
title and text that the story features share), story features.  The first
pass warms the per-process memos (stems, terms) as a cold build's workers do over their
share of the articles.  BLAS runs on one thread, as in a build (see digest.cli).
"""

from __future__ import annotations

import argparse
import cProfile
import time
from pathlib import Path
from typing import Any

# (first: digest's command line sets one BLAS thread per process before numpy is imported,
# as a build runs; numpy's default of a thread per core spins threads that a build has not,
# and process_time counts them: a third of the summarizer's time here on 2 cores)
import digest.cli  # noqa: F401, I001
from digest import collect, load, related, storyfeatures, summarize, tokens
from digest.config import Config, load_config
from digest.errors import Problems


def site_sources(site: str) -> tuple[Config, list[load.SourceFile], Any, Any]:
    """A site's config, its sources, folder defaults and folder line tables, as a build's
    collect stage finds them (what digest.collect.process_one is given)."""
    cfg = load_config(Path(site) / "site.yaml")
    problems = Problems()
    sources = load.discover(cfg.content, problems)
    defaults = load.folder_defaults(cfg.content, problems)
    return cfg, sources, defaults, load.folder_line_table(sources)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", default="/work/bbc")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", help="write a cProfile of one pass here")
    args = ap.parse_args()
    cfg, sources, defaults, tables = site_sources(args.site)
    n = len(sources)

    def one_pass() -> dict[str, float]:
        parts = dict.fromkeys(("load", "summarize", "terms", "features"), 0.0)
        for src in sources:
            common = tables.get(src.rel.rpartition("/")[0], frozenset())
            t0 = time.process_time()
            art = load.load_one(src, cfg.content, defaults, common).article
            t1 = time.process_time()
            assert art is not None
            summarize.summarize_with_limits(art, cfg.summary)
            t2 = time.process_time()
            # (the title and text read once for both, as process_one does: counted here)
            reading = tokens.reading(art.title, art.text)
            related.term_counts(art, reading)
            t3 = time.process_time()
            storyfeatures.story_features(art.title, art.text, reading)
            t4 = time.process_time()
            parts["load"] += t1 - t0
            parts["summarize"] += t2 - t1
            parts["terms"] += t3 - t2
            parts["features"] += t4 - t3
        return parts

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for src in sources:
            collect.process_one(src, cfg.content, defaults, cfg.summary, tables)
        prof.disable()
        prof.dump_stats(args.profile)
    passes = [one_pass() for _ in range(args.repeat)]
    best = min(passes, key=lambda p: sum(p.values()))
    total = sum(best.values())
    for k, v in best.items():
        print(f"{k:10s} {1000 * v / n:6.3f} ms/article  {100 * v / total:5.1f} %")
    print(f"{'total':10s} {1000 * total / n:6.3f} ms/article  ({n} articles, best pass)")
    first = sum(passes[0].values())
    print(f"{'first':10s} {1000 * first / n:6.3f} ms/article  (stems and terms not yet memoized)")


if __name__ == "__main__":
    main()
