"""The ``publish`` stage: write the site atomically.

The whole site is written into a fresh temporary folder beside the output
folder and swapped into place only when every file is written, so a failed
or killed build leaves the previous site untouched.  On Linux the swap is a
single ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with recovery
of the old site at the next build if the process dies between them.
Refuses to write two pages to one path.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from digest.errors import BuildError, Problem, Problems
from digest.model import Page

_TMP_PREFIX = ".digest-new-"
_OLD_PREFIX = ".digest-old-"
_MARKER = ".digest-output"  # marks a folder digest created, so we never replace another


def check_collisions(pages: Iterable[Page]) -> list[Page]:
    """Pages sorted by path; two pages for one path is an error naming both sources."""
    by_path: dict[str, Page] = {}
    problems = Problems()
    for p in pages:
        safe = _safe_relpath(p.path)
        if safe is None:
            problems.add(f"refusing to write outside the output folder: {p.path!r}", p.source)
            continue
        other = by_path.get(safe)
        if other is not None:
            problems.add(
                f"two pages want the same output file {safe}: {other.source} and {p.source}",
                p.source or None,
            )
            continue
        by_path[safe] = p
    problems.raise_if_errors()
    return [by_path[k] for k in sorted(by_path)]


def _safe_relpath(path: str) -> str | None:
    if not path or "\x00" in path or path.startswith(("/", "\\")) or "\\" in path:
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return path


def recover(output: Path) -> None:
    """Finish or undo a swap that was interrupted; remove stale temporaries."""
    parent = output.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(_OLD_PREFIX + output.name + "-*"))
    if not output.exists() and olds:
        os.rename(olds[-1], output)
        olds = olds[:-1]
    for stale in olds + sorted(parent.glob(_TMP_PREFIX + output.name + "-*")):
        shutil.rmtree(stale, ignore_errors=True)


def _manifest(output: Path) -> dict[str, str]:
    """path -> sha256 of the files the previous build wrote (from its marker file)."""
    try:
        data = json.loads((output / _MARKER).read_text(encoding="utf-8"))
        files = data.get("files", {}) if isinstance(data, dict) else {}
        return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}
    except (OSError, ValueError):
        return {}


def _write_or_link(target: Path, content: bytes, previous: Path | None) -> bool:
    """Hard-link the previous build's identical file, else write; True when written."""
    if previous is not None:
        try:
            os.link(previous, target)
            return False
        except OSError:
            pass
    target.write_bytes(content)
    return True


def publish(pages: Iterable[Page], output: Path) -> tuple[int, int]:
    """Write pages into ``output`` atomically; returns (files, files whose bytes changed).

    Files identical to the previous build's are hard-linked from it, not rewritten.
    """
    pages = check_collisions(pages)
    output = output.absolute()
    if output.exists() and not output.is_dir():
        raise BuildError([Problem(f"output path {output} exists and is not a folder")])
    if (
        output.is_dir()
        and any(output.iterdir())
        and not (output / _MARKER).exists()
        and not _looks_like_site(output)
    ):
        raise BuildError(
            [
                Problem(
                    f"output folder {output} holds files digest did not write; "
                    "refusing to replace it",
                    hint="choose another --output or empty the folder",
                )
            ]
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    recover(output)
    old = _manifest(output) if output.is_dir() else {}
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{output.name}-", dir=output.parent))
    changed = 0
    files: dict[str, str] = {}
    made: set[Path] = set()
    try:
        for p in pages:
            target = tmp / p.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            h = hashlib.sha256(p.content).hexdigest()
            files[p.path] = h
            previous = output / p.path if old.get(p.path) == h else None
            changed += _write_or_link(target, p.content, previous)
        (tmp / _MARKER).write_text(
            json.dumps({"generator": "digest", "files": files}, sort_keys=True, indent=0) + "\n"
        )
        _swap(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(pages), changed


def is_digest_output(folder: Path) -> bool:
    """True when digest wrote this folder (its marker file, or an older digest site)."""
    return (folder / _MARKER).exists() or _looks_like_site(folder)


def _looks_like_site(folder: Path) -> bool:
    """An output folder from before the marker existed (index.html + articles.json)."""
    return (folder / "index.html").exists() and (folder / "articles.json").exists()


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _swap(new: Path, output: Path) -> None:
    if not output.exists():
        os.rename(new, output)
        return
    if _exchange(new, output):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old site
        return
    old = output.parent / f"{_OLD_PREFIX}{output.name}-{os.getpid()}"
    os.rename(output, old)
    os.rename(new, output)
    shutil.rmtree(old, ignore_errors=True)
