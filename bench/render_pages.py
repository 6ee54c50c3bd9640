"""CPU of rendering a site's pages in one process, for timing or callgrind/cachegrind.

    python bench/render_pages.py --site /work/bbc --dump /tmp/jobs.pickle
    python bench/render_pages.py --jobs /tmp/jobs.pickle 500 [--kind article.html]
    valgrind --tool=cachegrind --cache-sim=no python bench/render_pages.py --jobs F 500
    valgrind --tool=cachegrind --cache-sim=no python bench/render_pages.py --jobs F 0

``--dump``: a cold build of the site (one process, no cache, into a temporary folder)
whose render stage's pages to render (the Renderer's jobs, as _render_all is given them)
are pickled to the file.  Then N: the pages of the first N of those jobs (of one template
with ``--kind``) are rendered, after the first page of each template (which compiles the
templates, as the build's process does before its workers fork); the difference of the
instruction counts of N and 0 is what N pages cost a render worker, free of the machine's
load.  Prints the CPU seconds of the N pages and their sha256 over all (to compare trees).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# (first: digest's command line sets one BLAS thread per process before numpy is imported,
# as in a build; an idle OpenBLAS thread's spin is counted by valgrind, see article_callgrind)
import digest.cli  # noqa: F401, I001
from digest import render
from digest.build import BuildOptions, build
from digest.config import load_config


def dump(site: str, to: str) -> None:
    cfg = load_config(Path(site) / "site.yaml")
    got: list[Any] = []
    before = render.Renderer._render_all

    def capture(self: render.Renderer, jobs: list[Any]) -> Any:
        if not got:
            got.append((self.site, self.extra, [j for j in jobs if j.make is None]))
        return before(self, jobs)

    render.Renderer._render_all = capture  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as out:
        build(cfg, BuildOptions(output=Path(out), jobs=1, use_cache=False))
    sys.setrecursionlimit(100_000)
    with open(to, "wb") as f:
        pickle.dump((str(Path(site).resolve()), *got[0]), f, pickle.HIGHEST_PROTOCOL)
    print(f"{len(got[0][2])} jobs -> {to}")


def run(path: str, n: int, kind: str | None) -> None:
    sys.setrecursionlimit(100_000)
    with open(path, "rb") as f:
        site_dir, site, extra, jobs = pickle.load(f)
    cfg = load_config(Path(site_dir) / "site.yaml")
    theme = render.load_theme(cfg.theme, cfg.site)
    r = render.Renderer(theme, site, extra, jobs=1)
    firsts: dict[str, Any] = {}
    for job in jobs:
        firsts.setdefault(job.template, job)
    for job in firsts.values():
        r._render(job)
    todo = [j for j in jobs if kind is None or j.template == kind][:n]
    h = hashlib.sha256()
    t0 = time.process_time()
    for job in todo:
        h.update(r._render(job))
    secs = time.process_time() - t0
    per = 1000 * secs / max(1, len(todo))
    print(f"{len(todo)} pages: {secs:.3f} s CPU ({per:.3f} ms a page) sha256 {h.hexdigest()[:16]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=0)
    ap.add_argument("--site", default="/work/bbc")
    ap.add_argument("--dump", help="build the site and pickle its render jobs here")
    ap.add_argument("--jobs", help="the pickled jobs to render")
    ap.add_argument("--kind", help="only the pages of this template")
    args = ap.parse_args()
    if args.dump:
        dump(args.site, args.dump)
    else:
        run(args.jobs, args.n, args.kind)


if __name__ == "__main__":
    main()
