"""Time the related stage's top-k (every row's most similar rows) at a large N.

    python bench/related_topk.py [--n 100000] [--jobs 2] [--save FILE] [--check FILE] [--rows]

The articles come from bench/corpus.py (recombined BBC paragraphs, or synthetic text
with --synthetic); their term counts are made directly from title and text (no
build), in worker processes.  Prints the time of ``related.vectorize`` and of
``related.top_k`` with the lists a build keeps for story grouping (count 9, down to
score 0.04), and the peak RSS of this process and of its workers.  --save writes the
neighbour lists (JSON), --check compares them with a saved file: two versions of the
code must give the same lists.  --rows also times, in the same run, the way top_k
worked before tiles (every row against all rows, `_parallel_top_k`/`_rows_top_k`), and
says whether the lists are the same.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from multiprocessing import Pool
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import articles  # noqa: E402

from digest import related  # noqa: E402
from digest.config import RelatedConfig  # noqa: E402
from digest.model import TermCounts  # noqa: E402


def _counts(item: tuple[str, str, list[str]]) -> tuple[bytes, bytes]:
    _section, title, paragraphs = item
    art = SimpleNamespace(title=title, text="\n\n".join(paragraphs), language="en")
    tc = related.term_counts(art)  # type: ignore[arg-type]  # it reads these three
    return tc.ids.tobytes(), tc.counts.tobytes()


def _cpu() -> float:
    """CPU seconds of this process and its finished workers."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--save", type=Path)
    ap.add_argument("--check", type=Path)
    ap.add_argument("--rows", action="store_true", help="also time every row x all rows")
    args = ap.parse_args()
    from array import array

    items = articles(args.n, args.synthetic)
    t = time.perf_counter()
    with Pool(args.jobs) as pool:
        raw = pool.map(_counts, items, chunksize=256)
    counts = []
    for ids, cnt in raw:
        a, b = array("i"), array("i")
        a.frombytes(ids)
        b.frombytes(cnt)
        counts.append(TermCounts(a, b))
    print(f"term counts of {len(counts)} articles: {time.perf_counter() - t:.1f} s")
    keys = [f"a{i:06d}" for i in range(len(counts))]
    cfg = RelatedConfig(count=9, min_score=0.04)
    t = time.perf_counter()
    vectors = related.vectorize(counts)
    print(f"vectorize: {time.perf_counter() - t:.2f} s, nnz {vectors.matrix.nnz}")
    t, c = time.perf_counter(), _cpu()
    nb = related.top_k(vectors, cfg.count, cfg.min_score, keys, jobs=args.jobs)
    took, cpu = time.perf_counter() - t, _cpu() - c
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"top_k: {took:.1f} s, CPU {cpu:.1f} s (jobs {args.jobs}); "
        f"peak RSS {me:.0f} MiB, worker {kids:.0f} MiB"
    )
    if args.rows:
        import numpy as np

        block = 64 * 2**20
        t, c = time.perf_counter(), _cpu()
        if args.jobs > 1:
            rows = related._parallel_top_k(vectors, 9, 0.04, keys, block, args.jobs)
        else:
            rows = related._rows_top_k(vectors, np.arange(len(keys)), 9, 0.04, keys, block)
        took2, cpu2 = time.perf_counter() - t, _cpu() - c
        print(
            f"every row x all rows: {took2:.1f} s, CPU {cpu2:.1f} s; top_k / that: "
            f"wall {took / took2:.2f}x, CPU {cpu / cpu2:.2f}x; same lists: {rows == nb}"
        )
    if args.save:
        args.save.write_text(json.dumps(nb))
    if args.check:
        same = json.loads(args.check.read_text()) == json.loads(json.dumps(nb))
        print("same neighbour lists as", args.check, ":", same)
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
