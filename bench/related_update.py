"""When to update related links incrementally and when to recompute them in full.

    python bench/related_update.py [--n 10000] [--edits 1 2 4 16 100 1000] [--synthetic]
    python bench/related_update.py --singles 40 [--min-touched 60]

Builds a corpus of N articles (bench/corpus.py), computes their related links, then
edits M articles (each gets a paragraph of another article appended, a fixed random
choice) and times, for each M, what a build does after such an edit:

- full: vectors + top-k of every row (``related.top_k``, on all cores as in a build);
- incremental: vectors + ``related.update_top_k`` (the rows that can have changed:
  the edited ones and those holding a term whose rounded IDF moved, "touched");
- build: what ``related.neighbours_for`` does, which picks one of the two by the
  number of touched rows (``related.INCREMENTAL_SHARE``, ``related.MERGED_SHARE``).

All must give the same neighbour lists (checked).  The crossover printed here is
what that share is set from.

With --singles S: S different one-article edits, each from the same start, with the
neighbour lists a build keeps (those of story grouping: ``stories.NEIGHBOURS`` long, down
to ``related.WIDE_MIN_SCORE``); a row for each edit that touched at least --min-touched
rows (an edit whose words move a common term's rounded IDF touches every row holding
it), with the update's time on one core and the full computation's on one core.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402

from digest import cache, collect, related  # noqa: E402
from digest.config import RelatedConfig, load_config  # noqa: E402
from digest.errors import Problems  # noqa: E402


def articles_of(site: Path) -> list:
    cfg = load_config(site / "site.yaml")
    problems = Problems()
    with cache.Cache(None) as store:
        site = collect.collect(cfg.content, cfg.summary, store, problems, texts=True)
    return site.articles


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--edits", type=int, nargs="*", default=[1, 2, 4, 16, 100, 1000])
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--singles", type=int, default=0)
    ap.add_argument("--min-touched", type=int, default=1)
    args = ap.parse_args()
    cfg = RelatedConfig()
    with tempfile.TemporaryDirectory() as tmp:
        articles = articles_of(write_corpus(Path(tmp) / "site", args.n, args.synthetic))
    if args.singles:
        singles(articles, args.singles, args.min_touched)
        return
    n = len(articles)
    keys = [a.slug for a in articles]
    counts = [related.term_counts(a) for a in articles]
    before = related.vectorize(counts)
    old = related.top_k(before, cfg.count, cfg.min_score, keys)
    rng = random.Random(5)
    previous = related.Previous(tuple(keys), tuple(str(i) for i in range(n)), before.df, old)
    print(f"{n} articles; related links after M edited articles (seconds, one run each)\n")
    print("| M edited | touched rows | full | incremental | incr. / full | build | picks | same |")
    print("|---:|---:|---:|---:|---:|---:|---|---|")
    for m in args.edits:
        changed = sorted(rng.sample(range(n), min(m, n)))
        new_counts = list(counts)
        for i in changed:
            extra = articles[rng.randrange(n)].paragraphs[:1]
            a = dataclasses.replace(articles[i], text=articles[i].text + "\n\n" + "\n".join(extra))
            new_counts[i] = related.term_counts(a)
        edited = set(changed)
        sigs = [("edited" if i in edited else str(i)) for i in range(n)]
        new, tv = timed(related.vectorize, new_counts)
        touched = related.touched_rows(before.df, new, changed)
        full, tf = timed(related.top_k, new, cfg.count, cfg.min_score, keys)
        inc, ti = timed(
            related.update_top_k, before.df, old, new, changed, cfg.count, cfg.min_score, keys
        )
        (picked, how), tb = timed(related.neighbours_for, new, keys, sigs, cfg, previous)
        same = full == inc == picked
        print(
            f"| {len(changed)} | {len(touched)} ({len(touched) / n:.1%}) | {tv + tf:.2f} "
            f"| {tv + ti:.2f} | {(tv + ti) / (tv + tf):.2f} | {tv + tb:.2f} | {how} "
            f"| {'yes' if same else 'NO'} |"
        )
    print(
        f"\nThe build updates incrementally while at most max(16, {related.INCREMENTAL_SHARE:.0%}"
        f" / workers of the rows) are touched, or {related.MERGED_SHARE:.0%} / workers of them"
        f" while touched x rows <= {related.MERGE_SCORED:,} and the floor is above 0 (the"
        " other rows' lists merged)."
    )


def singles(articles: list, edits: int, min_touched: int) -> None:
    """One-article edits, each from the same start (see the module's --singles)."""
    from digest.stories import NEIGHBOURS

    n = len(articles)
    keys = [a.slug for a in articles]
    k, floor = max(RelatedConfig().count, NEIGHBOURS), related.WIDE_MIN_SCORE
    counts = [related.term_counts(a) for a in articles]
    before = related.vectorize(counts)
    old = related.top_k(before, k, floor, keys)
    rng = random.Random(9)
    print(f"{n} articles; {edits} one-article edits (lists of {k} down to {floor})\n")
    print("| touched rows | update s (1 core) | full s (1 core) | update / full | same |")
    print("|---:|---:|---:|---:|---|")
    small = 0
    for _ in range(edits):
        i = rng.randrange(n)
        extra = articles[rng.randrange(n)].paragraphs[:1]
        a = dataclasses.replace(articles[i], text=articles[i].text + "\n\n" + "\n".join(extra))
        new_counts = list(counts)
        new_counts[i] = related.term_counts(a)
        new = related.vectorize(new_counts)
        touched = related.touched_rows(before.df, new, [i])
        if len(touched) < min_touched:
            small += 1
            continue
        full, tf = timed(related.top_k, new, k, floor, keys, jobs=1)
        inc, ti = timed(related.update_top_k, before.df, old, new, [i], k, floor, keys, touched)
        same = "yes" if inc == full else "NO"
        print(f"| {len(touched)} | {ti:.3f} | {tf:.2f} | {ti / tf:.3f} | {same} |", flush=True)
    print(f"\n{small} of the {edits} edits touched fewer than {min_touched} rows (not shown).")


if __name__ == "__main__":
    main()
