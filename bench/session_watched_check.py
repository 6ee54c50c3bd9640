"""bench/session_check.py's edits in a session told of each change as its watcher tells it.

    python bench/session_watched_check.py SITE [EDITS]

Copies the site SITE (content/ + site.yaml) to a temporary folder, builds it in one
digest.build.Session that listens as digest.watch.Watcher's listener (a snapshot of the
watched folders, then the files changed between snapshots, before each build), and makes
EDITS edits (default 8): session_check's (a sentence appended, a file renamed, an article
added), a date changed (the article moves among the others) and a file deleted, comparing
the site after each, file by file, with a --no-cache build.  Stops at the first difference.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

from session_check import edit, tree  # noqa: E402

from digest import watch  # noqa: E402
from digest.build import BuildOptions, BuildResult, Session, build  # noqa: E402
from digest.config import load_config  # noqa: E402


def redate(files: list[Path], i: int) -> str:
    f = files[(i * 577) % len(files)]
    text = f.read_text(encoding="utf-8")
    m = re.search(r"(?m)^date: *(\S+)", text)
    if m is None:
        return f"{f.name}: no date"
    f.write_text(text.replace(m.group(0), f"date: 2003-03-0{1 + i % 9}", 1), encoding="utf-8")
    return f"date of {f.name} changed"


def delete(files: list[Path], i: int) -> str:
    f = files.pop((i * 211) % len(files))
    f.unlink()
    return f"{f.name} deleted"


def main() -> None:
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(sys.argv[1], site, ignore=shutil.ignore_patterns("public", ".digest-*"))
        os.chdir(site)
        config = load_config(site / "site.yaml")
        roots = watch.watch_paths(config.path, config.content.dir)
        session = Session()
        session.watching([str(p) for p in roots])
        snap = watch.snapshot(roots)

        def once(out: Path, s: Session | None, use_cache: bool = True) -> BuildResult:
            options = BuildOptions(output=out, use_cache=use_cache)
            return build(load_config(site / "site.yaml"), options, session=s)

        live, cold = Path(tmp) / "live", Path(tmp) / "cold"
        once(live, session)
        files = sorted((site / "content").rglob("*.md"))
        kinds = [edit, redate, edit, delete, edit, redate, edit, edit]
        for i in range(edits):
            what = kinds[i % len(kinds)](files, i)
            new = watch.snapshot(roots)
            session.changed(watch._changed(snap, new))
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


if __name__ == "__main__":
    main()
