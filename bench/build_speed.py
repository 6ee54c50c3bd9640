"""Seconds per article for each build stage.

    python bench/build_speed.py [--n 2127] [--synthetic]

Builds a corpus of N articles (BBC from ../shared/eval/bbc when present,
else synthetic), then:

1. runs each stage on its own, in one process, and prints its wall time and
   time per article (load = read, decode, front matter, Markdown, sanitize;
   summarize = sentence split + the configured summarizer; terms = related-link
   features; related = vectors + top-k; render; feeds; publish);
2. runs `digest build` as users do (worker processes, cold cache) and prints
   its own stage times.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402

from digest import feeds, load, publish, related, render, summarize  # noqa: E402
from digest.build import BuildOptions, build  # noqa: E402
from digest.config import load_config  # noqa: E402
from digest.errors import Problems  # noqa: E402
from digest.model import Entry  # noqa: E402


def stages(site: Path, out: Path) -> list[tuple[str, float]]:
    cfg = load_config(site / "site.yaml")
    problems = Problems()
    times = []

    def lap(name: str, t: float) -> None:
        times.append((name, time.perf_counter() - t))

    t = time.perf_counter()
    sources = load.discover(cfg.content, problems)
    defaults = load.folder_defaults(cfg.content, problems)
    articles = [load.load_one(s, cfg.content, defaults)[0] for s in sources]
    articles = load.check_collection([a for a in articles if a], problems)
    lap("load", t)
    t = time.perf_counter()
    summaries = [summarize.summarize(a, cfg.summary) for a in articles]
    lap("summarize", t)
    t = time.perf_counter()
    counts = [related.term_counts(a) for a in articles]
    lap("terms", t)
    t = time.perf_counter()
    links = related.related_links(articles, cfg.related, counts)
    lap("related", t)
    entries = [Entry(a, s, links[a.slug]) for a, s in zip(articles, summaries, strict=True)]
    t = time.perf_counter()
    theme = render.load_theme(cfg.theme, cfg.site)
    pages = list(
        render.render_site(entries, theme, cfg.site, {"feeds": feeds.discovery_links(cfg.site)})
    )
    lap("render", t)
    t = time.perf_counter()
    pages += feeds.feed_pages(entries, cfg.site)
    lap("feeds", t)
    t = time.perf_counter()
    publish.publish(pages, out)
    lap("publish", t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2127)
    ap.add_argument("--synthetic", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = write_corpus(Path(tmp) / "site", args.n, args.synthetic)
        per_stage = stages(site, Path(tmp) / "stages-out")
        n = len(list((site / "content").rglob("*.md")))
        t = time.perf_counter()
        result = build(load_config(site / "site.yaml"), BuildOptions())
        total = time.perf_counter() - t
    src = "synthetic" if args.synthetic else "BBC (or synthetic past its size)"
    print(f"corpus: {n} articles, {src}\n")
    print("Each stage alone, one process:\n")
    print("| stage | seconds | ms/article |\n|---|---:|---:|")
    for stage, secs in per_stage:
        print(f"| {stage} | {secs:.3f} | {1000 * secs / n:.3f} |")
    one = sum(s for _, s in per_stage)
    print(f"| **total** | {one:.3f} | {1000 * one / n:.3f} |")
    print(f"\n`digest build` (worker processes, cold cache): {result.pages} files\n")
    print("| stage | seconds | ms/article |\n|---|---:|---:|")
    for stage, secs in result.timings:
        print(f"| {stage} | {secs:.3f} | {1000 * secs / n:.3f} |")
    print(f"| **total** | {total:.3f} | {1000 * total / n:.3f} |")


if __name__ == "__main__":
    main()
