"""Edits in one build session compared with cold builds, on a real site.

    python bench/session_check.py --site DIR [--edits 8]

Copies the site DIR (content/ + site.yaml) to a temporary folder, builds it in one
digest.build.Session, then makes K edits of different kinds one after the other
(a sentence appended, words replaced, a file renamed, an article added under a new
slug), rebuilding in the session after each and comparing the site, file by file,
with a --no-cache build of the same content.  Stops at the first difference.
SOURCE_DATE_EPOCH is set to 1700000000.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

from digest.build import BuildOptions, BuildResult, Session, build  # noqa: E402
from digest.config import load_config  # noqa: E402


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def edit(files: list[Path], i: int) -> str:
    """The i-th edit (of four kinds, in turn); returns what it was."""
    n = (i * 389) % len(files)
    f = files[n]
    text = f.read_text(encoding="utf-8")
    kind = i % 4
    if kind == 0:
        f.write_text(text + "\nThe minister said on Tuesday that the plan would change.\n")
        return f"sentence appended to {f.name}"
    if kind == 1:
        f.write_text(text.replace("the", "a", 3), encoding="utf-8")
        return f"words replaced in {f.name}"
    if kind == 2:
        files[n] = f.rename(f.with_name("x-" + f.name))
        return f"{f.name} renamed"
    new = re.sub(r"(?m)^slug: *(.*)$", lambda m: f"slug: {m.group(1).strip()}-again", text, count=1)
    new = re.sub(r'(?m)^title: "(.*)"$', r'title: "\1 (again)"', new, count=1)
    f.with_name("again-" + f.name).write_text(new, encoding="utf-8")
    return f"article added beside {f.name}"


def check(
    source: Path,
    edits: int,
    kinds: Sequence[Callable[[list[Path], int], str]] = (edit,),
    watched: bool = False,
) -> None:
    """Copy the site ``source``, build it in one session, then make ``edits`` edits (the
    ``kinds`` in turn), comparing the session's site with a --no-cache build after each;
    exit 1 at the first difference.  ``watched``: the session is told each change as
    digest.watch.Watcher tells its listener (see bench/session_watched_check.py)."""
    from digest import watch

    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(source, site, ignore=shutil.ignore_patterns("public", ".digest-*"))
        os.chdir(site)
        session = Session()
        config = load_config(site / "site.yaml")
        roots = watch.watch_paths(config.path, config.content.dir)
        if watched:
            session.watching([str(p) for p in roots])
        snap = watch.snapshot(roots) if watched else {}

        def once(out: Path, s: Session | None, use_cache: bool = True) -> BuildResult:
            options = BuildOptions(output=out, use_cache=use_cache)
            return build(load_config(site / "site.yaml"), options, session=s)

        live, cold = Path(tmp) / "live", Path(tmp) / "cold"
        once(live, session)
        files = sorted((site / "content").rglob("*.md"))
        for i in range(edits):
            what = kinds[i % len(kinds)](files, i)
            if watched:
                new = watch.snapshot(roots)
                session.changed({p for p in snap.keys() | new.keys() if snap.get(p) != new.get(p)})
                snap = new
            t = time.perf_counter()
            r = once(live, session)
            took = time.perf_counter() - t
            shutil.rmtree(cold, ignore_errors=True)
            once(cold, None, use_cache=False)
            same = tree(live) == tree(cold)
            print(f"{what}: {took:.2f} s, {r.written} written, {'same' if same else 'DIFFERENT'}")
            if not same:
                sys.exit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, required=True)
    ap.add_argument("--edits", type=int, default=8)
    args = ap.parse_args()
    check(args.site, args.edits)


if __name__ == "__main__":
    main()
