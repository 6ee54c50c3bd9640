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
_STAGING_PREFIX = ".digest-staging-"
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


def _manifest(folder: Path) -> dict[str, str] | None:
    """path -> sha256 of the files a build wrote there (from its marker), or None."""
    try:
        data = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def _scan(folder: Path) -> dict[str, str]:
    """path -> sha256 of every file under folder (when its manifest cannot be trusted)."""
    out = {}
    for f in folder.rglob("*"):
        if f.is_file() and not f.is_symlink() and f.name != _MARKER:
            out[f.relative_to(folder).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def staging_dir(output: Path) -> Path:
    """The second tree kept beside the output: the next build is prepared in it."""
    return output.parent / f"{_STAGING_PREFIX}{output.name}"


def _prepare_staging(output: Path) -> tuple[Path, dict[str, str]]:
    """A folder to write the new site into, and what it holds now (path -> sha256).

    It is the tree swapped out by the previous build, or else hard links to the
    current output: either way unchanged files are already there and are not
    written again.  Its manifest is removed first, so a build killed while
    updating it leaves a tree that the next build re-checks rather than trusts.
    """
    staging = staging_dir(output)
    if staging.is_dir():
        state = _manifest(staging)
        (staging / _MARKER).unlink(missing_ok=True)
        return staging, state if state is not None else _scan(staging)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{output.name}-", dir=output.parent))
    state: dict[str, str] = {}
    live = _manifest(output) if output.is_dir() else None
    for rel, h in (live or {}).items():
        src, dst = output / rel, tmp / rel
        if _safe_relpath(rel) is None or not src.is_file() or src.is_symlink():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            break  # no hard links here: write everything instead
        state[rel] = h
    os.rename(tmp, staging)
    return staging, state


def _update(staging: Path, state: dict[str, str], pages: list[Page]) -> dict[str, str]:
    """Make staging hold exactly ``pages``; writes only files whose bytes differ."""
    files: dict[str, str] = {}
    made: set[Path] = set()
    for p in pages:
        h = hashlib.sha256(p.content).hexdigest()
        files[p.path] = h
        target = staging / p.path
        if state.get(p.path) == h and _holds(target, p.content):
            continue
        if target.parent not in made:
            if target.parent.is_symlink() or target.parent.is_file():
                target.parent.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        part = target.with_name(target.name + ".digest-part")
        part.write_bytes(p.content)
        os.replace(part, target)  # a new inode: never writes through a shared hard link
    for rel in sorted(set(state) - set(files), reverse=True):
        f = staging / rel
        if f.is_file() or f.is_symlink():
            f.unlink()
    _remove_strays(staging, set(files))
    return files


def _holds(target: Path, content: bytes) -> bool:
    """The file holds exactly ``content``.

    The manifest alone is not trusted: unchanged files are hard links shared with
    the live site, so an edit made in place in the output folder (by hand, or a
    deploy step) shows up here too and must be overwritten, not kept.
    """
    try:
        if target.is_symlink() or target.stat().st_size != len(content):
            return False
        return target.read_bytes() == content
    except OSError:
        return False


def _remove_strays(staging: Path, keep: set[str]) -> None:
    """Delete files not in ``keep`` (left by a killed build) and empty folders."""
    for dirpath, _dirnames, filenames in os.walk(staging, topdown=False):
        d = Path(dirpath)
        for name in filenames:
            rel = (d / name).relative_to(staging).as_posix()
            if rel not in keep and name != _MARKER:
                (d / name).unlink()
        if d != staging and not any(d.iterdir()):
            d.rmdir()


def publish(pages: Iterable[Page], output: Path) -> tuple[int, int]:
    """Write pages into ``output`` atomically; returns (files, files whose bytes changed).

    The new site is prepared in a second tree beside the output (see
    :func:`staging_dir`) and swapped in with one atomic exchange; only files
    whose bytes changed are written, and nothing is deleted in bulk.
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
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        recover(output)
        live = (_manifest(output) if output.is_dir() else None) or {}
        staging, state = _prepare_staging(output)
        files = _update(staging, state, pages)
        (staging / _MARKER).write_text(
            json.dumps({"generator": "digest", "files": files}, sort_keys=True, indent=0) + "\n"
        )
        _swap(staging, output)
    except OSError as exc:
        # Disk full, permissions, a read-only mount: the previous site is untouched.
        where = f" ({exc.filename})" if exc.filename else ""
        raise BuildError(
            [
                Problem(
                    f"cannot write the site into {output}: {exc.strerror or exc}{where}; "
                    "the previous site is untouched"
                )
            ]
        ) from None
    changed = sum(1 for k, h in files.items() if live.get(k) != h)
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
        return  # `new` now holds the previous site: the next build's staging tree
    old = output.parent / f"{_OLD_PREFIX}{output.name}-{os.getpid()}"
    os.rename(output, old)
    os.rename(new, output)
    shutil.rmtree(old, ignore_errors=True)
