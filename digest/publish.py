"""The ``publish`` stage: write the site atomically.

Two trees are kept: the output folder (``public/``) and a staging tree beside
it (``.digest-staging-public/``, see :func:`staging_dir`), which holds the site
of the build before last.  A build brings the staging tree up to date (only
files whose bytes changed are written; files no page claims are removed; files
put in the output by hand are carried over) and swaps the two trees only when
every file is written, so a failed or killed build leaves the previous site
untouched.  On Linux the swap is a single ``renameat2(RENAME_EXCHANGE)``;
elsewhere two renames, with recovery of the old site at the next build if the
process dies between them.  The stamps file beside the trees (``stamps_file``)
records each file's size and mtime so unchanged files need no re-read.
Refuses to write two pages to one path.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import stat
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
    data = _marker(folder)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def stamps_file(output: Path) -> Path:
    """Beside the two trees (not in them: published files stay byte-identical)."""
    return output.parent / f".digest-stamps-{output.name}.json"


def _tree_id(folder: Path) -> str:
    st = folder.stat()
    return f"{st.st_dev}:{st.st_ino}"  # a folder keeps its inode when it is renamed


def _stamps(output: Path, tree: Path) -> dict[str, list[int]]:
    """path -> [size, mtime_ns] of each file of ``tree`` when a build last wrote it."""
    try:
        data = json.loads(stamps_file(output).read_text(encoding="utf-8"))
        stamps = data.get(_tree_id(tree)) if isinstance(data, dict) else None
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


def _save_stamps(output: Path, staging: Path, stamps: dict[str, list[int]]) -> None:
    """Record the staging tree's stamps (and keep the live tree's)."""
    keep = {_tree_id(staging): stamps}
    if output.is_dir():
        keep[_tree_id(output)] = _stamps(output, output)
    stamps_file(output).write_text(json.dumps(keep, separators=(",", ":")))


def _marker(folder: Path) -> object:
    try:
        return json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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


def _prepare_staging(output: Path) -> tuple[Path, dict[str, str], dict[str, list[int]]]:
    """A folder to write the new site into, and what it holds now (path -> sha256).

    It is the tree swapped out by the previous build, or else hard links to the
    current output: either way unchanged files are already there and are not
    written again.  Its manifest is removed first, so a build killed while
    updating it leaves a tree that the next build re-checks rather than trusts.
    """
    staging = staging_dir(output)
    if staging.is_dir():
        held, stamps = _manifest(staging), _stamps(output, staging)
        (staging / _MARKER).unlink(missing_ok=True)
        if held is None:
            return staging, _scan(staging), {}
        return staging, held, stamps
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
    return staging, state, {}


def _update(
    staging: Path,
    state: dict[str, str],
    stamps: dict[str, list[int]],
    pages: Iterable[Page],
    problems: Problems,
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Make staging hold exactly ``pages``; writes only files whose bytes differ.

    Pages are consumed one at a time (a big site is never all in memory); two
    pages for one path, or a path outside the output, are added to ``problems``.
    Returns path -> sha256 and path -> [size, mtime_ns] of every file now there.
    """
    files: dict[str, str] = {}
    new_stamps: dict[str, list[int]] = {}
    top = os.fspath(staging) + os.sep
    sources: dict[str, str] = {}
    made: set[str] = set()
    for p in pages:
        if _safe_relpath(p.path) is None:
            problems.add(f"refusing to write outside the output folder: {p.path!r}", p.source)
            continue
        if p.path in sources:
            problems.add(
                f"two pages want the same output file {p.path}: {sources[p.path]} and {p.source}",
                p.source or None,
            )
            continue
        sources[p.path] = p.source
        h = p.digest or hashlib.sha256(p.data()).hexdigest()
        if state.get(p.path) == h:
            held = _holds(top + p.path, h, p.content, stamps.get(p.path))
            if held is not None:
                files[p.path], new_stamps[p.path] = h, held
                continue
        content = p.data()
        if p.content is None:
            h = hashlib.sha256(content).hexdigest()
        files[p.path] = h
        target = top + p.path
        parent = os.path.dirname(target)
        if parent not in made:
            _folder(parent)
            made.add(parent)
        new_stamps[p.path] = _write(target, content)
    return files, new_stamps


def _folder(path: str) -> None:
    """Make the folder (and its parents); a file or symlink in the way is replaced."""
    try:
        os.mkdir(path)
        return
    except (FileNotFoundError, NotADirectoryError):  # a parent is missing, or is a file
        _folder(os.path.dirname(path))
    except FileExistsError:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            return
        os.unlink(path)
    os.mkdir(path)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _write(target: str, content: bytes) -> list[int]:
    """Write a file with a new inode (never through a hard link shared with the live
    site); returns its [size, mtime_ns].  A new file is written in place (a build killed
    meanwhile leaves the tree untrusted, so the next build checks every file); an
    existing one is replaced by a renamed copy."""
    try:
        fd = os.open(target, _CREATE, 0o666)
    except FileExistsError:
        if stat.S_ISDIR(os.lstat(target).st_mode):
            shutil.rmtree(target)
            return _write(target, content)
        part = target + ".digest-part"
        with open(part, "wb") as f:
            f.write(content)
        os.replace(part, target)
        st = os.lstat(target)
        return [st.st_size, st.st_mtime_ns]
    with open(fd, "wb") as f:
        f.write(content)
        f.flush()
        st = os.fstat(fd)
    return [st.st_size, st.st_mtime_ns]


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _holds(
    target: str, digest: str, content: bytes | None, stamp: list[int] | None = None
) -> list[int] | None:
    """The file's [size, mtime_ns] when it holds exactly the bytes whose sha256 is
    ``digest`` (``content``, when given), else None.

    The manifest alone is not trusted: unchanged files are hard links shared with
    the live site, so an edit made in place in the output folder (by hand, or a
    deploy step) shows up here too and must be overwritten, not kept.  A file
    whose size and modification time are those recorded when it was written is
    trusted without reading it; any other is read and compared.
    """
    try:
        st = os.lstat(target)
        now = [st.st_size, st.st_mtime_ns]
        if not stat.S_ISREG(st.st_mode):
            return None
        if content is not None and st.st_size != len(content):
            return None
        if stamp is not None and now == list(stamp):
            return now
        with open(target, "rb") as f:
            data = f.read()
        same = data == content if content is not None else _sha(data) == digest
        return now if same else None
    except OSError:
        return None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sweep(staging: Path) -> set[str]:
    """The files staging holds (relative paths), after deleting every symlink in it.

    digest never writes a symlink, and carries those put in the output folder by hand
    over to each new tree after its pages are written, so one found here was put there
    otherwise: it is removed before any page is written, so no write can follow it out
    of the tree.  (os.scandir: the file
    types come with the names, no stat per file.)"""
    held: set[str] = set()
    folders = [(os.fspath(staging), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as it:
            for e in it:
                if e.is_symlink():
                    os.unlink(e.path)
                elif e.is_dir():
                    folders.append((e.path, prefix + e.name + "/"))
                elif prefix or e.name != _MARKER:
                    held.add(prefix + e.name)
    return held


def _remove_strays(staging: Path, strays: Iterable[str]) -> None:
    """Delete files in the new tree that are no page of this build (left by a killed
    build, or pages no longer made), and the folders they leave empty."""
    for rel in sorted(strays, reverse=True):
        f = staging / rel
        try:
            if not stat.S_ISDIR(os.lstat(f).st_mode):  # (a page's folder may be there now)
                f.unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass  # gone with a folder a page replaced
        _prune_empty(f.parent, staging)


def _carry_yours(output: Path, staging: Path, ours: Iterable[str]) -> list[tuple[str, str]]:
    """Move what was put in the live output by hand into the new tree, so no build loses
    it: a ``.git`` folder, a verification file, a symlink, a file beside the pages.

    Anything in ``output`` that is not a file of its manifest (``ours``) is moved
    (renamed: a whole folder at once) to the same place in ``staging``, unless a page
    or its folder is there now (the page wins; what it displaces stays in the old tree).
    Returns the moves made, (from, to), to undo them if the swap fails.
    """
    files = set(ours)
    folders: set[str] = set()
    for rel in files:
        i = rel.rfind("/")
        while i > 0 and rel[:i] not in folders:
            folders.add(rel[:i])
            i = rel.rfind("/", 0, i)
    moves: list[tuple[str, str]] = []
    top, dest = os.fspath(output), os.fspath(staging)
    pending = [(top, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as it:
            entries = list(it)
        for e in entries:
            rel = prefix + e.name
            if rel == _MARKER:
                continue
            link = e.is_symlink()
            if not link and rel in folders and e.is_dir():
                pending.append((e.path, rel + "/"))
                continue
            if not link and rel in files and e.is_file():
                continue  # a page of the last build: this build decided about it
            target = os.path.join(dest, rel)
            if not _free(dest, rel):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(e.path, target)
            moves.append((e.path, target))
    return moves


def _free(top: str, rel: str) -> bool:
    """Nothing at top/rel, and every folder above it is a real folder or missing."""
    path = top
    parts = rel.split("/")
    for i, part in enumerate(parts):
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return True
        if i == len(parts) - 1 or not stat.S_ISDIR(mode):
            return False
    return True


def publish(pages: Iterable[Page], output: Path) -> tuple[int, int]:
    """Write pages into ``output`` atomically; returns (files, files whose bytes changed).

    The new site is prepared in a second tree beside the output (see
    :func:`staging_dir`) and swapped in with one atomic exchange; only files
    whose bytes changed are written, and nothing is deleted in bulk.
    """
    output = output.absolute()
    if output.is_symlink():  # e.g. public -> /srv/www: publish there, the link stays as it is
        output = output.resolve()
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
        manifest = _manifest(output) if output.is_dir() else None
        live, live_ok = manifest or {}, manifest is not None
        staging, state, stamps = _prepare_staging(output)
        held = _sweep(staging)
        problems = Problems()
        files, new_stamps = _update(staging, state, stamps, pages, problems)
        problems.raise_if_errors()  # staging has no manifest now: the next build re-checks it
        _remove_strays(staging, held.difference(files))
        (staging / _MARKER).write_text(
            json.dumps({"generator": "digest", "files": files}, sort_keys=True, indent=0) + "\n"
        )
        _save_stamps(output, staging, new_stamps)
        moves = _carry_yours(output, staging, live) if live_ok else []
        try:
            _swap(staging, output)
        except OSError:
            for src, dst in reversed(moves):  # put them back where they were
                os.rename(dst, src)
            raise
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
    return len(files), changed


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
