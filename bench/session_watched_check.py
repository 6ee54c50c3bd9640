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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

from session_check import check, edit  # noqa: E402


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
    check(Path(sys.argv[1]), edits, [edit, redate, edit, delete, edit, redate, edit, edit], True)


if __name__ == "__main__":
    main()
