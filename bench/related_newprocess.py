"""Where the related and stories stages spend a new process's one-edit rebuild.

    python bench/related_newprocess.py SITE [--edits 3] [--line 5000]

Appends a sentence (its own last paragraph again, or with --brief-sentence the one of the
brief's measurements) to one article of SITE/content (a different one each edit) and
builds it in this process as ``digest build`` does (a new process each time, since the
script is run once per edit when --edits is 1; with more edits the later builds run in
this same process but without a session: kept is None each time, as in a new process,
though imports are warm).  Prints the related and stories stage times and the time of
their main steps (wrapped with timers).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
t0 = time.perf_counter()
from digest import related  # noqa: E402
from digest.build import BuildOptions, build  # noqa: E402
from digest.config import load_config  # noqa: E402
from digest.stories import state  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)


def timed(module, name: str, label: str) -> None:
    f = getattr(module, name)

    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            SPENT[label] += time.perf_counter() - t

    setattr(module, name, wrapper)


for mod, name in [
    (related, "vectorize"),
    (related, "revectorize"),
    (related, "related_links"),
    (related, "_links_again"),
    (related, "_load_saved"),
    (related, "_load_vectors"),
    (related, "_store_vectors"),
    (related, "_save_state"),
    (related, "neighbours_for"),
    (state, "_load"),
    (state, "regroup"),
    (state, "compose"),
    (state, "_members"),
]:
    timed(mod, name, f"{mod.__name__.split('.')[-1]}.{name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("--edits", type=int, default=1)
    ap.add_argument("--line", type=int, default=5000)
    ap.add_argument("--brief-sentence", action="store_true")
    ap.add_argument(
        "--no-stored-vectors", action="store_true", help="vectorize every row (as before)"
    )
    args = ap.parse_args()
    if args.no_stored_vectors:
        related._load_vectors = lambda *a: None
    files = sorted(args.site.glob("content/*/*.md"))
    for e in range(args.edits):
        f = files[(args.line + 97 * e) % len(files)]
        if args.brief_sentence:  # (its words' frequencies grow each edit: IDF steps move)
            extra = "A further sentence on the subject appears here."
        else:  # the article's last paragraph again: no new term, no frequency moves
            body = f.read_text().split("\n---\n", 1)[-1]
            extra = next((ln for ln in reversed(body.splitlines()) if ln.strip()), "Again")
        with open(f, "a") as fh:
            fh.write("\n" + extra.strip("-# ") + ".\n")
        SPENT.clear()
        r = build(load_config(args.site / "site.yaml"), BuildOptions())
        stages = {a: round(b, 3) for a, b in r.timings if a in ("related", "stories")}
        steps = {k: round(v, 3) for k, v in sorted(SPENT.items())}
        print(f"edit {e}: {stages} scipy={'scipy' in sys.modules} {steps}", flush=True)


if __name__ == "__main__":
    main()
