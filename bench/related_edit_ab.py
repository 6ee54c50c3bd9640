"""The related stage of one-article edits, this checkout against another source tree.

    python bench/related_edit_ab.py --site DIR --against SRC [--edits 5] [--reps 2] [--session]

Copies the site DIR (content, site.yaml and its warm .digest-cache), builds the copy once
to take the related stage's input (articles, term counts, source keys), then for each
source tree (this checkout, and SRC, e.g. an exported main) writes the related state of
those articles under that tree's cache fingerprint, and runs ``--edits`` one-article
edits, each ``related.site_links`` alone in a NEW process as a ``digest build`` after an
edit runs it (kept is None; the edits pile up, as bench/build_speed.py's do: the same
sentence appended to a different article each time, its term counts updated), the trees
taking turns.  Prints each tree's median wall and CPU seconds of the stage and of its
steps, and the process's peak resident memory (MiB, the input's included), and checks
that both trees give the same links and neighbour lists, bit for bit.
``--reps`` runs the edits again from the same warm state.  ``--session``: also the
edits in one long-lived process per tree (a session's kept state, as ``digest build
--watch`` keeps it), median CPU seconds of site_links per edit.

Without the rest of a build in the process, the stage's own time shows through the
noise of a shared machine better than build_speed.py's stage times.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import defaultdict
from pathlib import Path

HERE = str(Path(__file__).resolve().parent.parent)  # this checkout's digest
STEPS = (
    "_load_saved",
    "_load_vectors",
    "_stored_vectors",
    "revectorize",
    "neighbours_for",
    "_save_state",
    "related_links",
    "_links_again",
)


def _sentence(i: int) -> str:
    return f"The committee said on Tuesday that edit number {i} changed the outlook."


def _capture(site: Path, out: Path) -> None:
    """Build the site in this process until the related stage; pickle that stage's input."""
    from digest import related
    from digest.build import BuildOptions, build
    from digest.config import load_config

    class Taken(Exception):
        pass

    def take(articles, counts, source_keys, cfg, store, jobs=None, wide=0, kept=None, keep=None):
        data = (list(articles), list(counts), list(source_keys), cfg, wide)
        out.write_bytes(pickle.dumps(data))
        raise Taken

    related.site_links = take
    try:
        build(load_config(site / "site.yaml"), BuildOptions(output=site / "out"))
    except Taken:
        return
    raise SystemExit("the build did not reach the related stage")


def _edited(data: tuple, upto: int) -> tuple[list, list, list]:
    """The articles, counts and source keys after edits 0 .. upto (each one sentence)."""
    from digest import related
    from digest.model import TermCounts

    articles, counts, keys, _cfg, _wide = data
    by_path = {a.path: i for i, a in enumerate(articles)}
    files = sorted(by_path)
    articles, counts, keys = list(articles), list(counts), list(keys)
    for i in range(upto + 1):
        r = by_path[files[(i * 997) % len(files)]]
        added = related.term_counts(dataclasses.replace(articles[r], title="", text=_sentence(i)))
        c = dict(zip(counts[r].ids, counts[r].counts, strict=True))
        for t, k in zip(added.ids, added.counts, strict=True):
            c[t] = c.get(t, 0) + k
        ids = sorted(c)
        counts[r] = TermCounts(array("i", ids), array("i", [c[t] for t in ids]))
        articles[r] = dataclasses.replace(articles[r], text=articles[r].text + " " + _sentence(i))
        keys[r] = f"{keys[r]} edit {i}"
    return articles, counts, keys


def _timed_steps() -> dict[str, float]:
    from digest import related

    spent: dict[str, float] = defaultdict(float)
    for name in STEPS:
        f = getattr(related, name, None)
        if f is None:
            continue

        def wrapper(*a, _f=f, _name=name, **k):
            t = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                spent[_name] += time.perf_counter() - t

        setattr(related, name, wrapper)
    return spent


def _fingerprint(got) -> str:
    links = [
        (s, [(x.slug, x.title, x.url) for x in ls], got.scores.get(s))
        for s, ls in got.links.items()
    ]
    return hashlib.sha256(repr((got.neighbours, links)).encode()).hexdigest()[:16]


def _one(data_file: Path, folder: Path, upto: int) -> None:
    """site_links after edits 0 .. upto, as a new process runs it; prints a JSON line."""
    gc.disable()  # (as the program runs)
    from digest import cache, related

    data = pickle.loads(data_file.read_bytes())
    articles, counts, keys = _edited(data, upto)
    spent = _timed_steps()
    store = cache.Cache(folder)
    t, c = time.perf_counter(), time.process_time()
    got = related.site_links(articles, counts, keys, data[3], store, wide=data[4])
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # (MiB: KiB on Linux)
    print(
        json.dumps({"wall": wall, "cpu": cpu, "peak_mib": peak, "hash": _fingerprint(got), **spent})
    )


def _session(data_file: Path, folder: Path, edits: int) -> None:
    """The edits in one process with a session's kept state; prints a JSON line."""
    gc.disable()
    from digest import cache, related

    data = pickle.loads(data_file.read_bytes())
    store = cache.Cache(folder, remember=True)
    keep: list[related.Kept] = []
    related.site_links(*data[:3], data[3], store, wide=data[4], keep=keep)
    cpu = []
    for i in range(edits):
        articles, counts, keys = _edited(data, i)  # (edits 0 .. i: one more each time)
        kept, keep = keep[-1], []
        c = time.process_time()
        related.site_links(
            articles, counts, keys, data[3], store, wide=data[4], kept=kept, keep=keep
        )
        cpu.append(time.process_time() - c)
    print(json.dumps({"cpu": statistics.median(cpu)}))


def _run(src: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=src, SOURCE_DATE_EPOCH="1700000000")
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path)
    ap.add_argument("--against")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--session", action="store_true")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--capture", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--in-session", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.capture:
        return _capture(Path(args.capture[0]), Path(args.capture[1]))
    if args.one:
        return _one(Path(args.one[0]), Path(args.one[1]), int(args.one[2]))
    if args.in_session:
        return _session(Path(args.in_session[0]), Path(args.in_session[1]), int(args.in_session[2]))
    if args.site is None or args.against is None:
        ap.error("--site and --against are needed")
    trees = {"against": args.against, "this": HERE}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("public", "out"))
        data = tmp / "input.pickle"
        _run(HERE, "--capture", str(site), str(data))
        warm = {}
        for name, src in trees.items():
            warm[name] = tmp / f"warm-{name}"
            shutil.copytree(site / ".digest-cache", warm[name])
            _run(src, "--one", str(data), str(warm[name]), "-1")  # (no edit: the state)
        runs: dict[str, list[dict]] = {name: [] for name in trees}
        for rep in range(args.reps):
            work = {}
            for name in trees:
                work[name] = tmp / f"work-{name}"
                shutil.rmtree(work[name], ignore_errors=True)
                shutil.copytree(warm[name], work[name])
            for i in range(args.edits):
                names = list(trees) if (i + rep) % 2 == 0 else list(trees)[::-1]
                got = {n: _run(trees[n], "--one", str(data), str(work[n]), str(i)) for n in names}
                if got["this"]["hash"] != got["against"]["hash"]:
                    raise SystemExit(f"edit {i}: the trees' links or lists differ")
                for n in names:
                    runs[n].append(got[n])
        print(
            "related stage of a one-article edit, new process each,"
            f" median of {len(runs['this'])}:\n"
        )
        print("| step | against s | this s | this / against |\n|---|---:|---:|---:|")
        for key in ("wall", "cpu", *STEPS, "peak_mib"):
            med = [statistics.median(r.get(key, 0.0) for r in runs[n]) for n in trees]
            if any(med):
                ratio = f"{med[1] / med[0]:.2f}" if med[0] else ""
                print(f"| {key} | {med[0]:.3f} | {med[1]:.3f} | {ratio} |")
        if args.session:
            cpu = {}
            for rep in range(args.reps):
                for n in trees if rep % 2 == 0 else list(trees)[::-1]:
                    shutil.rmtree(tmp / "session", ignore_errors=True)
                    shutil.copytree(warm[n], tmp / "session")
                    got = _run(
                        trees[n], "--in-session", str(data), str(tmp / "session"), str(args.edits)
                    )
                    cpu.setdefault(n, []).append(got["cpu"])
            a, b = (statistics.median(cpu[n]) for n in trees)
            print(
                f"\nin a session (kept state), CPU s a edit: against {a:.3f}, this {b:.3f},"
                f" {b / a:.2f}x"
            )


if __name__ == "__main__":
    main()
