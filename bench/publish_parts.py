"""Wall time of the parts of publish (and of render's page keys) in one new-process
one-edit rebuild of a site: each named function wrapped with a timer.

    python bench/publish_parts.py SITE [--output DIR] [--edit content/x.md]

Appends a sentence to the edited article first (default: the first .md under content/).
The times of nested parts add up in both (``_update`` holds the pages it pulls)."""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict
from pathlib import Path

from digest import build as build_mod
from digest import editions, feeds, publish, render
from digest.build import BuildOptions
from digest.config import load_config

SPENT: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(owner: object, name: str) -> None:
    real = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            SPENT[f"{owner.__name__}.{name}"] += time.perf_counter() - t  # type: ignore[attr-defined]
            CALLS[f"{owner.__name__}.{name}"] += 1  # type: ignore[attr-defined]

    setattr(owner, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("--output", type=Path)
    ap.add_argument("--edit")
    args = ap.parse_args()
    edit = args.site / args.edit if args.edit else sorted((args.site / "content").rglob("*.md"))[0]
    with open(edit, "a", encoding="utf-8") as f:
        f.write(f"\nA sentence appended at {time.time():.0f}.\n")
    for name in (
        "_prepare_staging",
        "_layout",
        "_sweep",
        "_settle_same",
        "_remove_strays",
        "_marker_bytes",
        "_new_marker",
        "_carry_yours",
        "_save_stamps",
        "_swap",
        "_stamps_data",
        "_marker",
        "_holds",
    ):
        timed(publish, name)
    for name in ("articles_json", "sitemap", "feeds_for", "section_feeds"):
        timed(feeds, name)
    for name in ("article_ident", "edition_ident", "_digest", "_read_state"):
        timed(render, name)
    timed(editions.News, "make")
    config = load_config(args.site / "site.yaml")
    options = BuildOptions(output=args.output) if args.output else BuildOptions()
    result = build_mod.build(config, options)
    for stage, secs in result.timings:
        print(f"  {stage:14s} {secs:.3f}")
    for name in sorted(SPENT, key=SPENT.get, reverse=True):  # type: ignore[arg-type]
        print(f"  {name:30s} {SPENT[name]:.3f} s  ({CALLS[name]} calls)")


if __name__ == "__main__":
    main()
