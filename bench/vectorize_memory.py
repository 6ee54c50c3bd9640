"""Peak memory and time of related.vectorize on synthetic term counts (tracemalloc).

    python bench/vectorize_memory.py [--n 100000] [--per 300]
    PYTHONPATH=../other python bench/vectorize_memory.py   # another checkout, to compare

Each of --n rows gets --per Zipf-distributed hashed term ids (distinct, so ~110 a row at
the defaults: ~11 M counts for 100,000 rows; real news articles have ~300) and small
counts.  Prints the counts, the vectors' size, the peak traced while they were made
(numpy's arrays are traced), the time, and a digest of the vectors (the same for two
checkouts that make the same vectors).
"""

from __future__ import annotations

import argparse
import hashlib
import time
import tracemalloc
from array import array

import numpy as np

from digest import related
from digest.model import TermCounts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--per", type=int, default=300)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    counts = []
    for _ in range(args.n):
        ids = np.unique((rng.zipf(1.3, args.per) * 7919) % (1 << related.DIM_BITS))
        c = rng.integers(1, 5, len(ids))
        counts.append(
            TermCounts(
                array("i", ids.astype(np.int32).tobytes()), array("i", c.astype(np.int32).tobytes())
            )
        )
    entries = sum(len(c.ids) for c in counts)
    tracemalloc.start()
    t = time.perf_counter()
    v = related.vectorize(counts)
    seconds = time.perf_counter() - t
    size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    h = hashlib.sha256()
    for a in (v.data, v.indices, v.indptr, v.df, v.term_ids, v.term_ptr):
        h.update(np.ascontiguousarray(a).tobytes())
    print(
        f"{entries / 1e6:.1f} M counts: vectors {size / 2**20:.0f} MiB, "
        f"peak {peak / 2**20:.0f} MiB, {seconds:.2f} s, digest {h.hexdigest()[:16]}"
    )


if __name__ == "__main__":
    main()
