"""The stories stage vs the related stage on one-article edits, before and after a change.

    python bench/story_update.py [--site /work/bbc] [--n 10000] [--edits 5] [--before main]

For each site (a copy of each --site, and a corpus of each --n articles from
bench/corpus.py), two copies are built, one with the code of git ref --before (exported
with ``git archive`` to a temporary folder) and one with this checkout's (copied): a cold build,
then a no-change build (cache warm).  Then --edits times a fixed random article gets a
paragraph of another (the same edit in both copies) and each copy is rebuilt with
``digest build -v`` in a new process, the two versions taking turns in alternating order;
the related and stories stage times are read from its stage lines.  Printed: the median
of each stage per version, stories / related, and whether the two versions' outputs are
the same bytes and equal to a build without the cache (--no-cache) of the edited content.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import stage_seconds  # noqa: E402
from corpus import write_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def export(ref: str, dest: Path) -> Path:
    """The digest package (and its themes) of git ref ``ref``, as files under dest."""
    dest.mkdir(parents=True)
    tar = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "digest", "themes"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    return dest


def snapshot(dest: Path) -> Path:
    """This checkout's digest package and themes as they are now, copied under dest (so
    an edit made while the benchmark runs does not change the code it times)."""
    for part in ("digest", "themes"):
        shutil.copytree(REPO / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def build(code: Path, site: Path, out: Path | None = None, *extra: str) -> str:
    """Run ``digest build -v`` of ``code`` on ``site`` in a new process; its stderr."""
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    out = out or site / "out"
    r = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-v", "--output", str(out), *extra],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return r.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def measure(name: str, source: Path, versions: dict[str, Path], edits: int, tmp: Path) -> None:
    copies = {}
    for v in versions:
        copies[v] = tmp / f"{name}-{v}"
        shutil.copytree(source, copies[v], ignore=shutil.ignore_patterns(".digest-cache*"))
        for d in ("public", "out"):
            shutil.rmtree(copies[v] / d, ignore_errors=True)
        build(versions[v], copies[v])  # cold
        build(versions[v], copies[v])  # nothing changed: the cache is warm
    files = sorted((copies["after"] / "content").rglob("*.md"))
    n = len(files)
    rng = random.Random(7)
    times: dict[str, dict[str, list[float]]] = {v: {"related": [], "stories": []} for v in versions}
    for k in range(edits):
        victim, donor = rng.sample(files, 2)
        paragraph = donor.read_text().split("---\n", 2)[-1].strip().split("\n\n")[0]
        rel = victim.relative_to(copies["after"])
        for v in versions:
            f = copies[v] / rel
            f.write_text(f.read_text().rstrip("\n") + "\n\n" + paragraph + "\n")
        order = list(versions) if k % 2 == 0 else list(reversed(versions))
        for v in order:
            err = build(versions[v], copies[v])
            for stage in ("related", "stories"):
                times[v][stage].append(stage_seconds(err, stage))
    for v in versions:
        rel_s, sto_s = (statistics.median(times[v][s]) for s in ("related", "stories"))
        print(
            f"| {name} | {n} | {v} | {rel_s:.3f} | {sto_s:.3f} | {sto_s / rel_s:.2f} "
            f"| {' '.join(f'{x:.3f}' for x in times[v]['stories'])} |",
            flush=True,
        )
    same = tree(copies["before"] / "out") == tree(copies["after"] / "out")
    build(versions["after"], copies["after"], tmp / "cold", "--no-cache")
    cold = tree(copies["after"] / "out") == tree(tmp / "cold")
    shutil.rmtree(tmp / "cold")
    print(
        f"|  |  | outputs: before == after: {'yes' if same else 'NO'}; "
        f"after == --no-cache build: {'yes' if cold else 'NO'} |  |  |  |  |",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, action="append", default=[], help="a site to copy")
    ap.add_argument("--n", type=int, action="append", default=[], help="corpus size to write")
    ap.add_argument("--edits", type=int, default=5, help="one-article edits per site")
    ap.add_argument("--before", default="main", help="git ref of the code to compare with")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        versions = {
            "before": export(args.before, tmp / "before-code"),
            "after": snapshot(tmp / "after-code"),
        }
        print(f"One-article edits, median of {args.edits} (seconds; new process each)\n")
        print("| site | articles | code | related | stories | stories / related | stories each |")
        print("|---|---:|---|---:|---:|---:|---|")
        for site in args.site:
            measure(site.name, site, versions, args.edits, tmp)
        for n in args.n:
            measure(f"corpus-{n}", write_corpus(tmp / f"corpus-{n}", n), versions, args.edits, tmp)


if __name__ == "__main__":
    main()
