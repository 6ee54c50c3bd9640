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
records each file's size and mtime so unchanged files need no re-read, and
which folders of each tree held exactly their pages (see :class:`_Folders`), so
a rebuild lists only the folders that changed since.
Every output path is claimed by one page only (see :class:`_Claims`).

A long-lived process (``digest build --watch``, ``digest serve``) passes what its last
build kept (:class:`Kept`); render then gives the pages that are that build's again in
one bulk (:class:`digest.model.Same`), and publish trusts the staging tree when it is
the one the session's build before last wrote, untouched since: it looks at a share of
its files each build (an edit made in place in the live site reaches it through the
hard link the trees share), at those a build found edited, and at the files of every
live folder that changed (a page replaced or deleted by hand); see :class:`Kept`.

Only one build writes an output folder at a time (:func:`locked`, a lock file
beside it).  No bookkeeping path beside the trees (stamps, staging tree, lock,
temporaries) is written through a symlink: one found there is replaced.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from digest.errors import BuildError, Problem, Problems
from digest.model import Page, Same, page_digest
from digest.outwatch import FolderEvents
from digest.paths import shown, told_apart

_TMP_PREFIX = ".digest-new-"
_OLD_PREFIX = ".digest-old-"
_STAGING_PREFIX = ".digest-staging-"
_MARKER = ".digest-output"  # marks a folder digest created, so we never replace another
_PART = ".digest-part"  # suffix of a file being written (ours: never a user's file)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# The bookkeeping files (marker, stamps) are read with msgspec's decoder: json.loads
# took 0.06 s of a 10,000-article rebuild on them
_JSON = msgspec.json.Decoder()


def _safe_relpath(path: str) -> str | None:
    if not path or "\x00" in path or path.startswith(("/", "\\")) or "\\" in path:
        return None
    parts = path.split("/")
    if "" in parts or "." in parts or ".." in parts:
        return None
    return path


def recover(output: Path) -> None:
    """Finish or undo a swap that was interrupted; remove stale temporaries."""
    parent = output.parent
    if not parent.is_dir():
        return
    olds = [p for p in sorted(parent.glob(_OLD_PREFIX + output.name + "-*")) if _real_dir(p)]
    if not output.exists() and olds:
        os.rename(olds[-1], output)
        olds = olds[:-1]
    for stale in olds + sorted(parent.glob(_TMP_PREFIX + output.name + "-*")):
        if _real_dir(stale):
            shutil.rmtree(stale, ignore_errors=True)


def _real_dir(path: Path) -> bool:
    """True when ``path`` is a folder itself; a symlink (or file) at one of our
    bookkeeping names was not made by digest: it is removed, never followed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        return True
    os.unlink(path)
    return False


def _manifest(folder: Path) -> dict[str, str] | None:
    """path -> sha256 of the files a build wrote there (from its marker), or None."""
    return _marker(folder)[0]


def _manifest_and_sha(folder: Path) -> tuple[dict[str, str] | None, str]:
    """(_manifest(folder), sha256 of its marker's bytes: "" when there is none, or when
    the marker cannot be trusted entirely).  The dict may be shared with the next call
    (see _Known): never change it.

    A marker with an entry that is not a safe relative path and a string (edited by
    hand, or by a tool) gives only its other entries, and "": the tree is then treated
    as one digest cannot vouch for (nothing of it trusted without a look, and what is
    in it beyond those entries is the user's, carried over: see publish)."""
    files, sha, _raw = _marker(folder)
    return files, sha


class _MarkerFile(msgspec.Struct):
    files: dict[str, str]


# a marker decoded with its types checked in C (a value not a string fails it whole, and
# the entries are then looked at one by one): no Python check per entry
_MARKER_JSON = msgspec.json.Decoder(_MarkerFile)


def _marker(folder: Path) -> tuple[dict[str, str] | None, str, bytes]:
    """_manifest_and_sha(folder), and the marker's bytes when they were read (b"" when
    the marker was known by its stamp, see _Known, but for the last marker read: a new
    process's feeds read the live one before publish does, see Published)."""
    try:
        fd = os.open(folder / _MARKER, os.O_RDONLY)
        with open(fd, "rb") as f:
            st = os.fstat(fd)
            known = _KNOWN.by_stamp(st)
            if known is not None:
                raw = _KNOWN.read[1] if _KNOWN.read[0] == known[0] else b""
                return known[1], known[0], raw
            raw = f.read()
        sha = page_digest(raw)
        _KNOWN.stamped(st, sha)
        _KNOWN.read = (sha, raw)
        got = _KNOWN.get(sha)
        if got is not None:
            return got, sha, raw
        try:
            files = _MARKER_JSON.decode(raw).files
        except msgspec.ValidationError:
            files = None
        if files is not None and _safe_relpaths(files):
            return _KNOWN.put(sha, files), sha, raw
        data = _JSON.decode(raw)
    except (OSError, msgspec.DecodeError):
        return None, "", b""
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None, "", b""
    ok = {
        k: v
        for k, v in files.items()
        if isinstance(k, str) and isinstance(v, str) and _safe_relpath(k) is not None
    }
    return ok, "", raw  # (not kept in _KNOWN: only whole markers are known by their sha)


def _safe_relpaths(files: dict[str, str]) -> bool:
    """_safe_relpath(path) is the path for every path of ``files``, found by a few scans
    of them all joined (in C: a check per path was 10 ms of a 10,000-article rebuild).
    Each path is joined as NUL / path / NUL: an empty part (an empty path, a leading,
    trailing or doubled "/") shows as "//", a "." or ".." part as "/./" or "/../", and a
    NUL inside a path as more NULs than the joins put there."""
    if not files:
        return True
    joined = "\x00/" + "/\x00\x00/".join(files) + "/\x00"
    return (
        "//" not in joined
        and "/./" not in joined
        and "/../" not in joined
        and "\\" not in joined
        and joined.count("\x00") == 2 * len(files)
    )


def stamps_file(output: Path) -> Path:
    """Beside the two trees (not in them: published files stay byte-identical)."""
    return output.parent / f".digest-stamps-{output.name}.json"


def _tree_id(folder: Path) -> str:
    st = folder.stat()
    return f"{st.st_dev}:{st.st_ino}"  # a folder keeps its inode when it is renamed


def _stamps_data(output: Path) -> dict:
    """The stamps file's contents ({} when missing or unreadable), each value as its
    JSON (msgspec.Raw) until _entry decodes it, or as it was written by this process.
    (Read without following a symlink: one at that name was not written by digest.)

    A build decodes the stamps of the tree it writes and the folder records, and writes
    the live tree's stamps back as they were read: decoding the whole file took twice
    as long (18 ms at 10,000 articles)."""
    try:
        fd = os.open(stamps_file(output), os.O_RDONLY | _NOFOLLOW)
        with open(fd, "rb") as f:
            st = os.fstat(fd)
            known = _KNOWN.by_stamp(st)
            if known is not None:
                return known[1]
            raw = f.read()
        sha = page_digest(raw)
        _KNOWN.stamped(st, sha)
        got = _KNOWN.get(sha)
        if got is not None:
            return got
        data = _JSON_RAW.decode(raw)
    except (OSError, msgspec.DecodeError):
        return {}
    return _KNOWN.put(sha, data)


_JSON_RAW = msgspec.json.Decoder(dict[str, msgspec.Raw])


def _entry(data: dict, key: str) -> object:
    """The value at ``key`` of the stamps file's ``data`` (see _stamps_data), decoded."""
    value = data.get(key)
    if isinstance(value, msgspec.Raw):
        try:
            return _JSON.decode(value)
        except msgspec.DecodeError:  # pragma: no cover - checked whole when read
            return None
    return value


class _Known:
    """The bookkeeping files (marker, stamps) this process read or wrote last, decoded,
    by the sha256 of their bytes: a long-lived process (``digest build --watch``,
    ``digest serve``) reads back what its previous build wrote without decoding 40,000
    entries again (hashing the bytes is a tenth of decoding them).  A few files only
    (the marker of each tree and the stamps of an output).  The values are shared
    between calls: never changed.

    Each file it read or wrote is also known by its stamp then (device, inode, size,
    mtime and ctime, all in ns): a file with that stamp still is those bytes (written
    in place, it has another mtime and ctime; replaced, another inode), so a session's
    build does not read and hash its 7 MB of bookkeeping again.  (The inode stays with
    a file when its tree is renamed: the marker of the tree swapped out is known.)"""

    SIZE = 8

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        # (device, inode) -> (the file's stamp, sha256 of its bytes)
        self.stamps: dict[tuple[int, int], tuple[tuple[int, ...], str]] = {}
        self.read: tuple[str, bytes] = ("", b"")  # the last marker read: (sha256, bytes)

    def get(self, sha: str) -> Any:
        return self.items.get(sha)

    def by_stamp(self, st: os.stat_result) -> tuple[str, Any] | None:
        """(sha256, value) of the file ``st`` is the stat of, when it is a file this
        process read or wrote, unchanged since (and its value still held)."""
        got = self.stamps.get((st.st_dev, st.st_ino))
        if got is None or got[0] != _file_stamp(st) or not stat.S_ISREG(st.st_mode):
            return None
        value = self.items.get(got[1])
        return None if value is None else (got[1], value)

    def stamped(self, st: os.stat_result, sha: str) -> None:
        """The file ``st`` is the stat of holds the bytes whose sha256 is ``sha``."""
        where = (st.st_dev, st.st_ino)
        self.stamps.pop(where, None)
        self.stamps[where] = (_file_stamp(st), sha)
        while len(self.stamps) > self.SIZE:
            del self.stamps[next(iter(self.stamps))]

    def put(self, sha: str, value: _V) -> _V:
        self.items.pop(sha, None)
        self.items[sha] = value
        while len(self.items) > self.SIZE:
            del self.items[next(iter(self.items))]
        return value


def _stamp(st: os.stat_result) -> list[int]:
    """A file's stamp as the stamps file records it for each path of a tree: [size,
    mtime_ns] (a list: as JSON gives it back).  A file whose stamp is the one recorded
    when a build wrote it is trusted without reading it (see _holds)."""
    return [st.st_size, st.st_mtime_ns]


def _file_stamp(st: os.stat_result) -> tuple[int, ...]:
    # (not _stamp: _Known knows the files this process read or wrote by their inode, and
    # a write changes a file's ctime even when its mtime is set back, as a copy keeping
    # times does)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


_V = TypeVar("_V")
_KNOWN = _Known()


def _stamps(output: Path, tree: Path, data: dict | None = None) -> dict[str, list[int]]:
    """path -> [size, mtime_ns] of each file of ``tree`` when a build last wrote it."""
    stamps = _entry(_stamps_data(output) if data is None else data, _tree_id(tree))
    return stamps if isinstance(stamps, dict) else {}


def _save_stamps(
    output: Path,
    staging: Path,
    stamps: dict[str, list[int]],
    folders: dict[str, _Folders] | None = None,
    data: dict | None = None,
    derived: Collection[tuple[dict, dict, Collection[str]]] = (),
) -> None:
    """Record the staging tree's stamps (and keep the live tree's), and the folders of
    each tree found to hold exactly their pages (``folders``: tree id -> record).
    ``data``: the stamps file as read at the start of this build; ``derived``: (new, old,
    keys) for a value (or a record's ctimes) that is ``old`` but at ``keys`` (see
    _Chunked)."""
    data = _stamps_data(output) if data is None else data
    keep: dict[str, object] = {_tree_id(staging): stamps}
    if output.is_dir():
        live = data.get(_tree_id(output))  # (as read: its JSON is written back)
        keep[_tree_id(output)] = live if isinstance(live, (dict, msgspec.Raw)) else {}
    for tree, record in (folders or {}).items():
        keep[_FOLDERS + tree] = record.data()
    raw = _encode_stamps(keep, derived)
    path = stamps_file(output)
    _replace_file(path, raw)
    # known by its stamp under a name of its own, not its sha256 (3.3 MB at 10,000
    # articles): only this process reads it back so; a file found with another stamp
    # is hashed and decoded, as one another process wrote
    name = f"stamps:{secrets.token_hex(8)}"
    _KNOWN.put(name, keep)
    _KNOWN.stamped(os.stat(path, follow_symlinks=False), name)


def _encode_stamps(
    keep: dict[str, object], derived: Collection[tuple[dict, dict, Collection[str]]] = ()
) -> bytes:
    """msgspec.json.encode(keep) in meaning (the same keys and values, a dict's entries
    maybe in another order): each big dict (a tree's stamps, a folder record's ctimes)
    as its parts' JSON (see _Chunked), taken from the last calls when it is the same
    object, or made from an older one's parts when ``derived`` says what changed: in a
    session, the live tree's stamps are the ones the build before wrote for its tree
    (read back through _KNOWN), and the staging tree's are the ones recorded for it two
    builds ago but for the files this build wrote (20,000 entries, 8 ms of JSON on a busy
    machine, not encoded again)."""
    enc = msgspec.json.encode
    made: dict[int, tuple[dict, dict, Collection[str]]] = {
        id(new): (new, old, keys) for new, old, keys in derived
    }

    def chunked(value: dict) -> bytes:
        got = _CHUNKS.get(value)
        if got is None:
            how = made.get(id(value))
            older = _CHUNKS.get(how[1]) if how is not None and how[0] is value else None
            keys = how[2] if how is not None else ()
            # (made whole when the keys would make most parts again: a public session's
            # look at an eighth of the files, say)
            if older is not None and len(keys) * 2 < len(value) // _Chunked.SIZE:
                got = older.derive(value, keys)
            else:
                got = _Chunked.of(value)
            _CHUNKS.put(value, got)
        return got.json()

    parts = [b"{"]  # (joined once: each copy of the 3.3 MB was 1-2 ms)
    for k, v in keep.items():
        if type(v) is dict and len(v) > _Chunked.SIZE:
            raw = chunked(v)
        elif type(v) is dict and list(v) == ["marker", "ctimes"] and type(v["ctimes"]) is dict:
            raw = b'{"marker":%s,"ctimes":%s}' % (enc(v["marker"]), chunked(v["ctimes"]))
        else:
            raw = enc(v)
        parts += [enc(k), b":", raw, b","]
    if len(parts) > 1:
        parts[-1] = b"}"
    else:
        parts.append(b"}")
    return b"".join(parts)


class _Chunked:
    """A dict's JSON as the JSON of parts of its entries (SIZE each, at most), joined: a
    dict that differs from another at a few keys (a session's build: the stamps of the
    files it wrote) is encoded by encoding again only the parts holding them.  ``where``
    (key -> its part) is shared by the dicts made from one another, and only grows: a
    key keeps its part, in each of them (a key not in a dict may still be there)."""

    SIZE = 32

    def __init__(self, where: dict[str, int], parts: list[dict], raws: list[bytes]) -> None:
        self.where, self.parts, self.raws = where, parts, raws

    @classmethod
    def of(cls, value: dict) -> _Chunked:
        items = list(value.items())
        size = cls.SIZE
        parts = [dict(items[i : i + size]) for i in range(0, len(items), size)]
        where: dict[str, int] = {}
        for i, part in enumerate(parts):
            where.update(dict.fromkeys(part, i))
        return cls(where, parts, [_inner(part) for part in parts])

    def derive(self, value: dict, keys: Iterable[str]) -> _Chunked:
        """The parts of ``value``: this one's but at ``keys`` (set to value's, or gone)."""
        where, parts = self.where, list(self.parts)
        dirty: set[int] = set()
        tail = -1  # (a part made here, for keys that have none)
        for key in keys:
            i = where.get(key)
            if key in value:
                if i is None:
                    if tail < 0 or len(parts[tail]) >= self.SIZE:
                        parts.append({})
                        tail = len(parts) - 1
                        dirty.add(tail)
                    i = where[key] = tail
                while len(parts) <= i:  # (a part of another dict made from this one)
                    parts.append({})
            elif i is None or i >= len(parts) or key not in parts[i]:
                continue
            if i not in dirty:
                parts[i] = dict(parts[i])
                dirty.add(i)
            if key in value:
                parts[i][key] = value[key]
            else:
                del parts[i][key]
        raws = list(self.raws)
        raws += [b""] * (len(parts) - len(raws))
        for i in dirty:
            raws[i] = _inner(parts[i])
        return _Chunked(where, parts, raws)

    def json(self) -> bytes:
        return b"{" + b",".join([raw for raw in self.raws if raw]) + b"}"


def _inner(part: dict) -> bytes:
    """A dict's JSON without its braces."""
    return msgspec.json.encode(part)[1:-1]


class _ChunksOf:
    """The _Chunked of the big dicts of the stamps files this process wrote last, by the
    dict's identity (the dicts are never changed once written)."""

    SIZE = 12

    def __init__(self) -> None:
        self.items: dict[int, tuple[dict, _Chunked]] = {}

    def get(self, value: dict) -> _Chunked | None:
        got = self.items.get(id(value))
        return got[1] if got is not None and got[0] is value else None

    def put(self, value: dict, chunked: _Chunked) -> None:
        self.items.pop(id(value), None)
        self.items[id(value)] = (value, chunked)
        while len(self.items) > self.SIZE:
            del self.items[next(iter(self.items))]


_CHUNKS = _ChunksOf()


def _json_entry(raw: bytes, key: bytes) -> tuple[int, int] | None:
    """(start, end) of the value of ``key`` (its JSON) in ``raw``, the compact JSON of a
    dict of lists of numbers as msgspec writes it (a tree's stamps), or None.  A '"'
    inside a JSON string is escaped, so ',"' and '{"' start an entry only; the last
    entry of a key is its value, as when decoded.

    A fast path, not another decoder: a new process reads two stamps of the live tree
    (articles.json and sitemap.xml, see Published.stamp), and finding them here took
    0.9-1.1 ms at 10,000 articles (19,548 entries, 1.1 MB of JSON), decoding the tree's
    stamps whole 9-16 ms, as msgspec.Raw entries 5-10 (bench/stamp_entry.py).  What it
    cannot find (JSON another writer spaced or escaped otherwise) is None: the file is
    then read and hashed, never trusted on a guess."""
    at = raw.rfind(b"," + key + b":")
    if at < 0:
        if not raw.startswith(b"{" + key + b":"):
            return None
        at = 0
    start = at + len(key) + 2
    end = raw.find(b"]", start)
    if end < 0 or raw[start : start + 1] != b"[":
        return None
    return start, end + 1


def _replace_file(path: Path, data: bytes) -> None:
    """Write a bookkeeping file as a new file renamed over ``path``: a symlink there is
    replaced, never written through."""
    part = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}{_PART}")
    fd = os.open(part, _CREATE | _NOFOLLOW, 0o666)
    try:
        with open(fd, "wb") as f:
            f.write(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _marker_bytes(files: dict[str, str]) -> bytes:
    """The marker file's bytes: exactly ``json.dumps({"generator": "digest", "files":
    files}, sort_keys=True, indent=0) + "\\n"`` (its format since the marker exists),
    made with the C encoder (``indent`` makes json use its pure-Python one: 0.1 s at
    20,000 files).  json escapes every newline inside a string, so the only newlines
    are the separators."""
    if not files:
        body = "{}"
    else:
        body = json.dumps(files, sort_keys=True, separators=(",\n", ": "))
        body = "{\n" + body[1:-1] + "\n}"
    return f'{{\n"files": {body},\n"generator": "digest"\n}}\n'.encode()


def _new_marker(
    files: dict[str, str],
    last: tuple[dict[str, str], bytes] | None,
    live: dict[str, str] | None = None,
    diff: Collection[tuple[str, str]] = (),
    same_paths: bool | None = None,
) -> bytes:
    """_marker_bytes(files), from ``last`` (a marker's files and its bytes, as
    _marker_bytes made them) when the paths are the same and few files changed: their
    lines replaced (a line is a path and its sha256, and json escapes every newline in a
    string, so each line is found whole).  ``diff``: ``files.items() - live.items()``,
    made already (the last marker's files are usually the live tree's manifest: the
    same object).  ``same_paths``: whether ``files`` has the paths of ``live`` (known to
    the caller: else compared).  (Made whole: 10 ms at 10,000 articles; patched: 1.)"""
    if same_paths is None or last is None or last[0] is not live:
        same_paths = last is not None and last[0].keys() == files.keys()
    if last is not None and same_paths:
        old, data = last
        changed = diff if old is live else [(p, h) for p, h in files.items() if old.get(p) != h]
        if len(changed) <= _MARKER_EDITS:
            patched = _patched(data, [(p, old[p], h) for p, h in changed])
            if patched is not None:
                return patched
    return _marker_bytes(files)


def _patched(data: bytes, changes: list[tuple[str, str, str]]) -> bytes | None:
    """A marker's bytes with the line of each (path, sha256 there, new sha256) changed;
    None when one is not found.  The lines are in the order of their paths (sort_keys),
    so each is looked for after the one before: one scan of the 2 MB, not one each
    (bytes.replace for each of an edit's 40-60 changed pages was 5-10 ms)."""
    out, at = [], 0
    for path, was, now in sorted(changes):
        key = json.dumps(path)
        line = f"\n{key}: {json.dumps(was)}".encode()
        found = data.find(line, at)
        if found < 0:
            return None
        out += [data[at:found], f"\n{key}: {json.dumps(now)}".encode()]
        at = found + len(line)
    out.append(data[at:])
    return b"".join(out)


_BLOCK = 1 << 18  # (see _Hashed)


@dataclass(frozen=True)
class _Hashed:
    """Bytes with their sha256, and the hash's state after each block of _BLOCK bytes:
    a page that is mostly the last build's bytes (articles.json, 12.5 MB at 10,000
    articles; the marker, 2 MB) is hashed again from the block where they differ."""

    data: bytes
    marks: tuple[Any, ...]  # (hashlib objects, never updated: copied first)
    digest: str


def _hashed(data: bytes, last: _Hashed | None = None) -> _Hashed:
    """_Hashed of ``data`` (its digest is page_digest(data)), resumed from ``last``'s
    state at the start of the first block whose bytes differ."""
    marks: list[Any] = [hashlib.sha256()]
    if last is not None:
        same = _same_start(last.data, data)
        marks = list(last.marks[: min(same // _BLOCK, len(last.marks) - 1) + 1])
    h = marks[-1].copy()
    view = memoryview(data)
    at = (len(marks) - 1) * _BLOCK
    while at + _BLOCK <= len(data):
        h.update(view[at : at + _BLOCK])
        at += _BLOCK
        marks.append(h.copy())
    h.update(view[at:])
    return _Hashed(data, tuple(marks), h.hexdigest())


def _same_start(a: bytes, b: bytes) -> int:
    """How many bytes at the start of ``a`` and ``b`` are surely the same (a multiple of
    64 KB, or the shorter's length): compared a slice at a time, in C."""
    n, step, at = min(len(a), len(b)), 1 << 16, 0
    while at < n and a[at : at + step] == b[at : at + step]:
        at += step
    return min(at, n)


def _scan(folder: Path) -> dict[str, str]:
    """path -> sha256 of every file under folder (when its manifest cannot be trusted)."""
    out = {}
    for f in folder.rglob("*"):
        if f.is_file() and not f.is_symlink() and f.name != _MARKER:
            out[f.relative_to(folder).as_posix()] = page_digest(f.read_bytes())
    return out


def staging_dir(output: Path) -> Path:
    """The second tree kept beside the output: the next build is prepared in it."""
    return output.parent / f"{_STAGING_PREFIX}{output.name}"


def _prepare_staging(
    output: Path, data: dict
) -> tuple[Path, dict[str, str], dict[str, list[int]], _Folders, str]:
    """A folder to write the new site into, what it holds now (path -> sha256), its
    stamps, its folders that held exactly their pages when last looked at, and the
    sha256 of the marker it had ("" when none: a new or untrusted tree).

    It is the tree swapped out by the previous build, or else hard links to the
    current output: either way unchanged files are already there and are not
    written again.  Its manifest is removed first, so a build killed while
    updating it leaves a tree that the next build re-checks rather than trusts.
    Hard links share their files' inodes, so the live tree's stamps are theirs:
    the first rebuild of a new output folder reads no unchanged file back (it read
    and hashed all 19,548 files of a 10,000-article site: 3-4 s once).
    """
    staging = staging_dir(output)
    if _real_dir(staging):
        _follow_umask(staging)
        (held, sha), stamps = _manifest_and_sha(staging), _stamps(output, staging, data)
        record = _Folders.read(data, staging, sha)
        (staging / _MARKER).unlink(missing_ok=True)
        if held is None:
            return staging, _scan(staging), {}, _Folders(), ""
        return staging, held, stamps, record, sha
    tmp = _new_folder(output.parent, f"{_TMP_PREFIX}{output.name}-")
    state: dict[str, str] = {}
    live = _manifest(output) if output.is_dir() else None
    made = {""}
    top, new = os.fspath(output) + os.sep, os.fspath(tmp) + os.sep
    for rel, h in (live or {}).items():
        if _safe_relpath(rel) is None:
            continue
        try:
            if not stat.S_ISREG(os.lstat(top + rel).st_mode):
                continue  # a folder or a symlink there now: not the page it was
        except OSError:
            continue
        folder = rel.rpartition("/")[0]
        if folder not in made:
            os.makedirs(new + folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(top + rel, new + rel)
        except OSError:
            break  # no hard links here: write everything instead
        state[rel] = h
    os.rename(tmp, staging)
    stamps = _stamps(output, output, data) if state else {}
    return staging, state, {rel: stamps[rel] for rel in state if rel in stamps}, _Folders(), ""


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder ``parent/prefix<random>``, with the mode the umask gives (not
    mkdtemp's 0700: the published site must be readable by the web server's user)."""
    while True:
        path = parent / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
            return path
        except FileExistsError:  # pragma: no cover - a clash of random names
            continue


def _follow_umask(tree: Path) -> None:
    """Give the top of a tree we made the mode a new folder gets (the umask), as every
    folder below it has: also repairs a tree made 0700 by an older digest, or one that
    was made read-only while it was the live site (the build must write into it)."""
    probe = _new_folder(tree.parent, f"{_TMP_PREFIX}{tree.name.removeprefix(_STAGING_PREFIX)}-")
    try:
        mode = stat.S_IMODE(os.lstat(probe).st_mode)
    finally:
        os.rmdir(probe)
    if stat.S_IMODE(os.lstat(tree).st_mode) != mode:
        os.chmod(tree, mode)


def _update(
    staging: Path,
    state: dict[str, str],
    stamps: dict[str, list[int]],
    pages: Iterable[Page],
    problems: Problems,
    touched: set[str] | None = None,
    claimed: Collection[str] = (),
    look: _Look | None = None,
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Make staging hold exactly ``pages``; writes only files whose bytes differ.

    Pages are consumed one at a time (a big site is never all in memory); two
    claims on one path (see :class:`_Claims`), or a path outside the output, are
    added to ``problems``.  ``claimed``: the paths the last build published, every one
    claimed then without a clash: while this build's pages are all among them (an edit)
    it is enough that none comes twice; the first other page has all the pages so far
    claimed in full, and every page after it.  Pages given in bulk (see Same) are
    settled once every other page is (see _settle_same, or _settle_delta for a session
    that trusts its staging tree); ``look``: see _Look.
    Returns path -> sha256 and path -> [size, mtime_ns] of every file now there;
    adds the folders whose entries it changed to ``touched`` (relative paths).
    """
    files: dict[str, str] = {}
    new_stamps: dict[str, list[int]] = {}
    top = os.fspath(staging) + os.sep
    claims: _Claims | None = None
    known: dict[str, str] = {}  # path -> source of the pages claimed only by path so far
    bulks: list[Same] = []
    # (a session that trusts the tree: the files it looks at, see _Look; a page given
    # alone is taken as there as one given in bulk is)
    trusting = look.check if look is not None and look.check is not None else None
    with _Writer(top, touched, new_stamps) as writer:
        for p in pages:
            if type(p) is Same:
                bulks.append(p)
                continue
            if _safe_relpath(p.path) is None or p.path.endswith(_PART) or p.path == _MARKER:
                problems.add(f"refusing to write outside the output folder: {p.path!r}", p.source)
                continue
            if claims is None and p.path in claimed and p.path not in known:
                known[p.path] = p.source
            else:
                if claims is None:
                    claims = _Claims()
                    for path, source in known.items():
                        claims.claim(path, source)  # (no clash: all claimed at the last build)
                clash = claims.claim(p.path, p.source)
                if clash is not None:
                    problems.extend([clash])
                    continue
            h = p.digest or _digest(p, look)
            if state.get(p.path) == h:
                if trusting is not None and p.path not in trusting and p.path in stamps:
                    files[p.path], new_stamps[p.path] = h, stamps[p.path]  # (see _Look)
                    continue
                held = _holds(top + p.path, h, p.content, stamps.get(p.path))
                if held is not None:
                    files[p.path], new_stamps[p.path] = h, held
                    continue
                if look is not None:
                    look.found.add(p.path)
            content = p.data()
            if p.content is None:
                h = page_digest(content)
            files[p.path] = h
            writer.put(p.path, content)
        writer.finish()  # (every page's stamp known before the bulk's are settled)
        for bulk in bulks:
            settled = None
            if (
                claims is None
                and len(bulks) == 1
                and look is not None
                and look.last is not None  # (the bulk's paths are its: see _settle_delta)
                and bulk.digests.keys().isdisjoint(known)  # (no page given twice)
            ):
                settled = _settle_delta(top, bulk, state, stamps, files, new_stamps, known, look)
            if settled is not None:
                todo, new_stamps, files = settled
                writer.stamps = new_stamps  # (nothing pending: finished above)
            else:
                if claims is None and not _among(bulk.digests.keys(), claimed, known):
                    claims = _Claims()  # (a new path, or one given twice: every claim checked)
                    for path, source in known.items():
                        claims.claim(path, source)
                todo = _settle_same(
                    top, bulk, state, stamps, files, new_stamps, problems, claims, look
                )
            for path in todo:  # (files the tree lacks: their bytes fetched and written)
                assert bulk.fetch_path is not None, "pages given in bulk must say how to fetch them"
                content = bulk.fetch_path(path)
                files[path] = page_digest(content)
                writer.put(path, content)
        writer.finish()
    return files, new_stamps


_BIG = 1 << 20  # (a page this big given without its sha256 is hashed as a _Hashed)


def _digest(p: Page, look: _Look | None) -> str:
    """page_digest(p.data()); a big page's from the last build's hash of its path, kept
    for the next (see _Hashed)."""
    data = p.data()
    if look is None or len(data) < _BIG:
        return page_digest(data)
    hashed = look.hashed_now[p.path] = _hashed(data, look.hashed.get(p.path))
    return hashed.digest


def _among(paths: Collection[str], claimed: Collection[str], alone: Collection[str]) -> bool:
    """True when every path of ``paths`` is ``claimed`` and none is ``alone``: checked in
    C, with no set of all the paths made (``paths - claimed`` was 1-3 ms at 10,000
    articles)."""
    if not paths:
        return True
    if not isinstance(claimed, (set, frozenset, type({}.keys()))):
        claimed = set(claimed)
    return paths <= claimed and paths.isdisjoint(alone)  # type: ignore[operator,attr-defined]


def _put(
    top: str,
    rel: str,
    content: bytes,
    make: bool,
    touched: set[str] | None,
    after: Future[list[int]] | None = None,
) -> list[int]:
    """Write a page's file (``top``: the tree, with a separator); its [size, mtime_ns].
    ``make``: its folder may be missing (made here, with those above it: see _folder);
    ``after``: the write that makes the nearest folder above it that none of the
    builds' writes before made, or its own folder (waited for first: raises what that
    one raised); ``touched``: see _update."""
    if after is not None:
        after.result()
    target = top + rel
    if make and _folder(os.path.dirname(target)) and touched is not None:
        touched.update(_ancestors(rel))  # folders made: their parents change
    if touched is not None:
        touched.add(rel.rpartition("/")[0])
    return _write(target, content)


# Threads writing new files once a build has more than a few to write: on a slow disk
# each new file and folder waits for it (0.4-0.8 ms each on a loaded cloud disk), and
# those waits overlap (3,000 new pages in their own folders: 4.0-4.7 s in one thread,
# 2.2-2.7 s in four)
_WRITERS = 4
_WRITE_ALONE = 32  # files written by the build's own thread first (an edit's few)
_WRITES_AHEAD = 256  # files handed to the threads before the first of them is waited for


class _Writer:
    """Writes pages' files (see _put) and puts each one's [size, mtime_ns] in ``stamps``
    in the order handed over (its place is taken then); an error writing one is raised
    by put or finish, as _put raises it.

    Each folder is made by the write of the first file handed over for it (with the
    folders above it that no write made before); the writes of the other files in it
    wait for that one, rather than each thread trying the mkdir (the three files of an
    edition's folder, written at once by three threads: ~700 mkdir calls that failed,
    and a stat after each, in a cold BBC build).  The threads take writes in the order
    handed over, so the one waited for has started already: none waits for a later one."""

    def __init__(self, top: str, touched: set[str] | None, stamps: dict[str, list[int]]) -> None:
        self.top, self.touched, self.stamps = top, touched, stamps
        # folder (relative, "" the top) -> the write that makes it (None: there)
        self.made: dict[str, Future[list[int]] | None] = {"": None}
        self.count = 0
        self.threads: ThreadPoolExecutor | None = None
        self.pending: deque[tuple[str, Future[list[int]]]] = deque()

    def put(self, rel: str, content: bytes) -> None:
        self.count += 1
        folder = rel.rpartition("/")[0]
        made = self.made
        make, above = folder not in made, folder  # (and the nearest folder made or begun)
        while above not in made:
            above = above.rpartition("/")[0]
        if self.count <= _WRITE_ALONE:
            self.stamps[rel] = _put(self.top, rel, content, make, self.touched)
            self._made(folder, None)
            return
        if self.threads is None:
            self.threads = ThreadPoolExecutor(_WRITERS, thread_name_prefix="digest-write")
        self.stamps[rel] = []
        after = made[above]  # (the write making it, or the one above those this one makes)
        if after is not None and after.done():
            after.result()  # (its error raised here, as the others' are)
            after = None
        done = self.threads.submit(_put, self.top, rel, content, make, self.touched, after)
        if make:
            self._made(folder, done)
        self.pending.append((rel, done))
        if len(self.pending) > _WRITES_AHEAD:
            self._settle_one()

    def _made(self, folder: str, by: Future[list[int]] | None) -> None:
        """``folder`` and the folders above it not made before are made by ``by`` (None:
        they are there)."""
        while folder not in self.made:
            self.made[folder] = by
            folder = folder.rpartition("/")[0]

    def _settle_one(self) -> None:
        rel, done = self.pending.popleft()
        self.stamps[rel] = done.result()

    def finish(self) -> None:
        """Wait for every file handed over."""
        while self.pending:
            self._settle_one()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.threads is not None:  # (after an error: the files being written finish)
            self.threads.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Look:
    """How much of the staging tree a build looks at.  ``check`` None: every file, as a
    new process does.  Else the session trusts the tree (see Kept: it is the tree the
    build before last wrote and the last build left alone), so a page given in bulk
    (see Same) whose bytes it held then is taken as there without a look, but for those
    in ``check`` (a share of the tree each build, see publish, and those the last build
    found edited).  ``found`` gets the files found edited or missing (by hand: an edit
    made in place in the live site shows in the staging tree through the hard link
    the two share), for the next build to look at in the other tree too."""

    check: set[str] | None = None
    found: set[str] = field(default_factory=set)
    cursor: int = 0  # where the next build's share starts (see Kept)
    # What the session's last build published, to settle the bulk by what changed since
    # (see _settle_delta), when ``check`` is not None (its trees are the ones that build
    # left, by their markers' sha256, see Kept.look): ``last``, its files (the live
    # tree's manifest), and ``changed``, the paths whose sha256 differs between those and
    # the files of the tree it replaced (this build's staging tree: ``state``), or that
    # one of them lacks.  None: not known.
    last: dict[str, str] | None = None
    changed: frozenset[str] | None = None
    base_stamps: dict | None = None  # (the stamps the stamps file held for that tree then)
    paths_same: bool = False  # (last and state have the same paths)
    # set by _settle_delta when it settled the bulk: the paths of the pages given alone,
    # the paths whose stamp differs from the staging tree's recorded one (set, or gone),
    # and the files of the staging tree no page of this build claims
    alone: list[str] | None = None
    delta: set[str] | None = None
    gone: set[str] | None = None
    dropped: set[str] | None = None  # (and the last build's paths this one has not)
    # the big pages given alone without a sha256, hashed by the last build and this one
    # (see _Hashed)
    hashed: dict[str, _Hashed] = field(default_factory=dict)
    hashed_now: dict[str, _Hashed] = field(default_factory=dict)


_MARKER_EDITS = 64  # (more files changed: the marker is made whole again)

# A session's build looks at this share of the unchanged files of the tree it publishes
# (see Kept): a hand edit made in place in the live site is overwritten within this
# many builds of a session (a new process looks at every file)
LOOK_SHARE = 8


def _settle_same(
    top: str,
    bulk: Same,
    state: dict[str, str],
    stamps: dict[str, list[int]],
    files: dict[str, str],
    new_stamps: dict[str, list[int]],
    problems: Problems,
    claims: _Claims | None,
    look: _Look | None,
) -> list[str]:
    """The pages given in bulk: each claimed when ``claims`` checks every claim (else
    they are all paths of the last build, and none came as a page of this build), and
    added to ``files`` (with its stamp in ``new_stamps`` when the tree holds its bytes);
    returns those the tree lacks, to be written.  Each file is looked at as a page given
    alone is (see _holds), but for those a session trusts (see _Look)."""
    digests = bulk.digests
    refused: set[str] = set()
    if claims is not None:
        for path in digests:
            if _safe_relpath(path) is None or path.endswith(_PART) or path == _MARKER:
                problems.add(f"refusing to write outside the output folder: {path!r}", "")
                refused.add(path)
                continue
            clash = claims.claim(path, bulk.sources(path))
            if clash is not None:
                problems.extend([clash])
                refused.add(path)
    if refused:
        digests = {path: h for path, h in digests.items() if path not in refused}
    files.update(digests)
    # (a session's bulk is nearly every page of the site: a lookup each, no tuple made
    # and hashed per page as items() - items() does, 3-4 times as long)
    was = state.get
    lacks = {path for path, h in digests.items() if was(path) != h}
    todo = sorted(lacks)
    if look is None or look.check is None:  # (every file looked at: a new process)
        sure, rest = _stamped(top, digests.keys() - lacks, stamps)
        new_stamps.update(sure)
    else:
        trusted = digests.keys() & stamps.keys()
        trusted -= lacks
        trusted -= look.check
        new_stamps.update({path: stamps[path] for path in trusted})  # (see _Look)
        rest = sorted(digests.keys() - lacks - trusted)
    for path in rest:
        held = _holds(top + path, digests[path], None, stamps.get(path))
        if held is not None:
            new_stamps[path] = held
        else:
            todo.append(path)
            if look is not None:
                look.found.add(path)
    return todo


def _settle_delta(
    top: str,
    bulk: Same,
    state: dict[str, str],
    stamps: dict[str, list[int]],
    files: dict[str, str],
    new_stamps: dict[str, list[int]],
    alone: Collection[str],
    look: _Look,
) -> tuple[list[str], dict[str, list[int]], dict[str, str]] | None:
    """_settle_same for a session that trusts its staging tree (see _Look), by what
    changed since the last build: None when it cannot tell (then _settle_same looks at
    every page of the bulk).  Else the files the tree lacks, the stamps of every file of
    this build (a new dict: the pages given alone's from ``new_stamps``, and the staging
    tree's recorded ones but where they changed, see _Look.delta), and this build's
    files (path -> sha256: a new dict; ``files`` holds the pages given alone's).

    It holds when the staging tree is the one the last build replaced (its marker's
    sha256 is the one that tree had then, and the live tree's is the last build's: see
    Kept.look; so ``state`` holds what that tree's manifest held), its stamps are the
    ones the stamps file held then (the very object, ``look.base_stamps``: written by
    this process for every file of it), no claim needs a check (the caller's ``claims``
    is None: each page given alone has a path of the last build's, and none came twice),
    and each page of the bulk is the last build's (not checked here: render gives in
    bulk only pages it gave the last build, path and sha256, and what render and publish
    keep for the next build is one completed build's, see digest.build.Session;
    publish's last build made the live tree: ``last`` is its manifest).  Then a page of
    the bulk is missing from the staging tree, or has other bytes there, only at a path
    that changed in the last build (``look.changed``).  So nothing here passes over
    every page (19,548 at 10,000 articles: even a check in C, as ``digests.items() <=
    last.items()``, took 5-13 ms on a busy machine, its memory scattered) but two dict
    copies; the rest is in proportion to what changed."""
    last, changed, check = look.last, look.changed, look.check
    digests = bulk.digests
    if (
        check is None
        or last is None
        or changed is None
        or look.base_stamps is not stamps
        or len(stamps) != len(state)
        or len(digests) > len(last)
    ):
        return None
    lacks = {path for path in changed if path in digests and state.get(path) != digests[path]}
    # the last build's paths not in the bulk: the pages given alone (none of them is in
    # the bulk: see the caller), and those gone since (counted: found only when some are)
    again = [path for path in alone if path in last]
    if len(again) == len(last) - len(digests):
        dropped: Collection[str] = ()
        not_bulk: Collection[str] = again
    else:
        not_bulk = last.keys() - digests.keys()
        dropped = not_bulk - set(alone)
    # the staging tree's files not in the bulk (state's paths beyond the last build's
    # changed in it)
    out = {path for path in changed if path in state and path not in digests}
    out.update(path for path in not_bulk if path in state)
    rest = sorted(path for path in check if path in digests and path not in lacks)
    now = dict(stamps)  # (a copy, in C: every file's recorded stamp, but those below)
    for path in out:
        del now[path]
    for path in lacks:
        now.pop(path, None)
    now.update(new_stamps)  # (the pages given alone)
    # this build's files: the last build's (a copy, in C), but those gone, and the pages
    # given alone (all of them paths of the last build: see the caller)
    made = dict(last)
    for path in dropped:
        del made[path]
    made.update(files)
    todo = sorted(lacks)
    delta = out | lacks
    delta.update(new_stamps)
    lstat, regular = os.lstat, stat.S_ISREG
    for path in rest:  # (looked at: a stamp that is the recorded one is left as it is)
        stamp = stamps[path]
        try:  # (_holds's first test, inline: a share of the site's files each build)
            st = lstat(top + path)
            if regular(st.st_mode) and st.st_size == stamp[0] and st.st_mtime_ns == stamp[1]:
                continue
        except OSError:
            pass
        held = _holds(top + path, digests[path], None, stamp)
        if held is None:
            todo.append(path)
            look.found.add(path)
            delta.add(path)
        elif held != stamp:
            now[path] = held
            delta.add(path)
    look.alone = list(alone)
    look.delta = delta
    look.gone = out.difference(alone)
    look.dropped = set(dropped)
    return todo, now, made


def _stamped(
    top: str, paths: Iterable[str], stamps: dict[str, list[int]]
) -> tuple[dict[str, list[int]], list[str]]:
    """What _holds finds of many files without reading one: {path: [size, mtime_ns]} of
    those that are regular files whose size and mtime are their recorded stamp (a stat
    each, compared inline: a new process's build looks at all 19,548 files of a
    10,000-article site this way, and a call of _holds for each was a third of the
    time of its publish), and the others, sorted, for _holds to look at one by one
    (read and hashed when they are there)."""
    sure: dict[str, list[int]] = {}
    rest: list[str] = []
    lstat, regular = os.lstat, stat.S_ISREG
    for path in paths:
        stamp = stamps.get(path)
        if type(stamp) is list and len(stamp) == 2:
            try:
                st = lstat(top + path)
            except OSError:
                rest.append(path)
                continue
            # (_stamp(st) == stamp, field by field: no list made for each of every file)
            if regular(st.st_mode) and st.st_size == stamp[0] and st.st_mtime_ns == stamp[1]:
                sure[path] = stamp  # (the same [size, mtime_ns]; stamps are never changed)
                continue
        rest.append(path)
    rest.sort()
    return sure, rest


class _Claims:
    """Every output path is claimed once.

    A page claims its file and every folder above it; a second claim on a path is
    a problem naming both pages, whether it is the same file (two pages for
    ``feed.xml``), a file where another page needs a folder (the site's
    ``feed.xml`` and an article at ``feed.xml/index.html``), or the same name in
    another letter case or Unicode form (``About/`` and ``about/``: one folder on
    macOS and Windows, where many sites are built or served).
    """

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str]] = {}  # folded path -> (path, source)
        # folded folder -> (its spelling, the first page inside it, that page's source)
        self.folders: dict[str, tuple[str, str, str]] = {}

    def claim(self, path: str, source: str) -> Problem | None:
        key = _fold(path)
        if key in self.files:
            return _clash(self.files[key], (path, source))
        if key in self.folders:
            _name, inside, by = self.folders[key]
            return _clash((inside, by), (path, source))
        i = path.rfind("/")
        while i > 0:
            folder = path[:i]
            fk = _fold(folder)
            if fk in self.files:
                return _clash(self.files[fk], (path, source))
            held = self.folders.get(fk)
            if held is not None:
                if held[0] != folder:
                    return _clash((held[1], held[2]), (path, source))
                break  # the folders above it were claimed with it
            self.folders[fk] = (folder, path, source)
            i = path.rfind("/", 0, i)
        self.files[key] = (path, source)
        return None


def _fold(path: str) -> str:
    """What a case-insensitive, normalization-insensitive file system sees."""
    return unicodedata.normalize("NFC", path).casefold()


def _clash(first: tuple[str, str], second: tuple[str, str]) -> Problem:
    """Two claims on one output path, each (the page's path, its source)."""
    (p1, s1), (p2, s2) = first, second
    if p1 == p2:
        what = f"two pages want the same output file {p1}: {s1} and {s2}"
    else:
        f1, f2 = _fold(p1), _fold(p2)
        if f2.startswith(f1 + "/") or f1.startswith(f2 + "/"):
            short = p1 if len(p1) < len(p2) else p2
            note = f"{short} cannot be both a file and a folder"
        else:
            note = "one path on macOS and Windows: the names differ only in letter case"
            if unicodedata.normalize("NFC", p1) == unicodedata.normalize("NFC", p2):
                note = "one path on macOS: the names differ only in Unicode form"
        p1, p2 = told_apart(p1, p2)
        what = f"two pages want one output path: {s1} writes {p1} and {s2} writes {p2} ({note})"
    users = [s for s in (s2, s1) if s and os.path.isfile(s)]
    return Problem(
        what,
        users[0] if users else None,
        hint="give the article another 'slug:', or its file another name",
    )


def _folder(path: str) -> bool:
    """Make the folder (and its parents); a file or symlink in the way is replaced, and a
    folder there made writable (a folder of files only is trusted without a stat, see
    _sweep).  True when it was made (it was missing, or not a folder): mkdir tells, no
    stat before it."""
    try:
        os.mkdir(path)
        return True
    except (FileNotFoundError, NotADirectoryError):  # a parent is missing, or is a file
        _folder(os.path.dirname(path))
    except FileExistsError:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:  # (a file in the way, removed meanwhile by another writer)
            return _folder(path)
        if stat.S_ISDIR(mode):
            if mode & stat.S_IRWXU != stat.S_IRWXU:
                os.chmod(path, mode | stat.S_IRWXU)
            return False
        with contextlib.suppress(FileNotFoundError):  # (or by another writer)
            os.unlink(path)
    try:
        os.mkdir(path)
    except FileExistsError:  # (made meanwhile by another of the build's writers)
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise
        return False
    return True


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _write(target: str, content: bytes) -> list[int]:
    """Write a file with a new inode (never through a hard link shared with the live
    site); returns its [size, mtime_ns].  A new file is written in place (a build killed
    meanwhile leaves the tree untrusted, so the next build checks every file); an
    existing one is replaced by a renamed copy, never written over: every file of the
    staging tree was published two builds ago, and a reader that still has it open (a
    download, a deploy copying the site, a server's open-file cache) must keep reading
    whole old bytes (and a new file gets default permissions, not a hand-set mode)."""
    try:
        fd = os.open(target, _CREATE, 0o666)
    except FileExistsError:
        if stat.S_ISDIR(os.lstat(target).st_mode):
            shutil.rmtree(target)
            return _write(target, content)
        part = target + _PART
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)  # left by a killed build
        _write_fd(os.open(part, _CREATE | _NOFOLLOW, 0o666), content)
        os.replace(part, target)
        return _stamp(os.lstat(target))
    return _stamp(_write_fd(fd, content))


def _write_fd(fd: int, content: bytes) -> os.stat_result:
    """Write ``content`` to a new file's descriptor and close it; its stat.  (os.write,
    not a file object: a buffered writer for each of 20,000 pages cost more than the
    writes themselves on a fast disk.)"""
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        return os.fstat(fd)
    finally:
        os.close(fd)


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
        now = _stamp(st)
        if not stat.S_ISREG(st.st_mode):
            return None
        if content is not None and st.st_size != len(content):
            return None
        if stamp is not None and now == list(stamp):
            return now
        with open(target, "rb") as f:
            data = f.read()
        same = data == content if content is not None else page_digest(data) == digest
        return now if same else None
    except OSError:
        return None


# ---------------------------------------------------------------- listing the trees


_FOLDERS = "folders:"  # prefix of a tree's folder record in the stamps file
_RACY_NS = 10**9  # a folder changed this recently is listed again next time, not trusted


class _Folders:
    """The folders of one tree that held exactly their pages (the files of the tree's
    manifest directly in them, and the folders of pages below them) when a build last
    looked, each with its ctime then: relative path -> st_ctime_ns (never the top).

    What is trusted: a folder whose ctime is still the recorded one has had no entry
    added, removed, renamed or replaced, and no change of mode, since (each of those
    sets the folder's ctime to the current time; a file edited in place does not,
    and is caught by publish's per-file stat, see :func:`_holds`).  A folder is
    recorded only when its ctime is more than a second older than the look (a later
    change within the same clock tick would keep it), only for the manifest whose
    marker bytes it was checked against, and not when this build changed it.  Any
    other folder is listed (os.scandir) as before: a hand-made file, symlink or
    half-written file in it is noticed.  So a rebuild stats every folder of the two
    trees (about one per article) instead of listing them all twice."""

    def __init__(
        self,
        ctimes: dict[str, int] | None = None,
        marker: str = "",
        base: tuple[dict[str, int], list[str]] | None = None,
    ) -> None:
        self.ctimes: dict[str, int] = ctimes or {}
        self.marker = marker  # sha256 of the manifest's marker file it was checked against
        # (the ctimes of the record it was made from, and the folders whose ctime differs
        # from that one's, or that one lacks or holds alone: see _carry_yours, and
        # _Chunked for why)
        self.base = base

    @classmethod
    def read(cls, data: dict, tree: Path, marker: str) -> _Folders:
        """The record of ``tree`` from the stamps file's ``data``, if it was made for the
        manifest whose marker bytes hash to ``marker`` (else an empty one)."""
        if sys.platform == "win32":  # st_ctime is the creation time there: nothing trusted
            return cls()
        raw = _entry(data, _FOLDERS + _tree_id(tree))
        if not marker or not isinstance(raw, dict) or raw.get("marker") != marker:
            return cls()
        ctimes = raw.get("ctimes")
        if not isinstance(ctimes, dict):
            return cls()
        if any(ctimes is mine for mine in _WRITTEN):  # (made by this process: all ints)
            return cls(ctimes, marker)
        return cls({k: v for k, v in ctimes.items() if isinstance(v, int)}, marker)

    def data(self) -> dict[str, object]:
        """What the stamps file holds of it; its ctimes (never changed once made: see
        without) are taken back as they are when this process reads them again."""
        _WRITTEN.append(self.ctimes)
        del _WRITTEN[: -_Known.SIZE]
        return {"marker": self.marker, "ctimes": self.ctimes}

    def without(self, touched: Collection[str]) -> _Folders:
        ctimes = dict(self.ctimes)
        for rel in touched:
            ctimes.pop(rel, None)
        base = None if self.base is None else (self.base[0], [*self.base[1], *touched])
        return _Folders(ctimes, self.marker, base)


# the ctimes of the folder records this process wrote last (see _Folders.data)
_WRITTEN: list[dict[str, int]] = []

_Layout = dict[str, tuple[set[str], set[str], list[str]]]


def _layout(files: Iterable[str]) -> _Layout:
    """folder (relative, "" the top) -> (names of its files, names of its folders, its
    folders as relative paths) of a tree holding exactly ``files``.  (The relative paths
    are made once here: the walks of both trees take a trusted folder's subfolders from
    them, with no path built per folder and tree.)"""
    out: _Layout = {"": (set(), set(), [])}
    for rel in files:
        folder, _, name = rel.rpartition("/")
        entry = out.get(folder)
        if entry is None:
            entry = out[folder] = (set(), set(), [])
            child = folder
            while child:  # register the new folder with its parents
                parent, _, sub = child.rpartition("/")
                above = out.get(parent)
                if above is None:
                    above = out[parent] = (set(), set(), [])
                    above[1].add(sub)
                    above[2].append(child)
                    child = parent
                else:
                    above[1].add(sub)
                    above[2].append(child)
                    break
        entry[0].add(name)
    return out


def _ancestors(rel: str) -> list[str]:
    """The folders above a relative path, nearest first ("" the top)."""
    out = []
    while rel:
        rel = rel.rpartition("/")[0]
        out.append(rel)
    return out


def _sweep(
    staging: Path,
    state: dict[str, str] | None = None,
    record: _Folders | None = None,
    layout: _Layout | None = None,
) -> tuple[set[str], _Folders, set[str]]:
    """The files staging holds (relative paths), after deleting every symlink and
    half-written file (``*.digest-part``) in it, and making its folders writable; and
    the folders found holding exactly the pages of ``state`` (its manifest).

    digest never writes a symlink, and carries those put in the output folder by hand
    over to each new tree after its pages are written, so one found here was put there
    otherwise: it is removed before any page is written, so no write can follow it out
    of the tree.  A folder made read-only while this tree was the live site is made
    writable again (the tree is digest's; the live site is checked by
    :func:`_check_output`).  A folder that ``record`` trusts (see :class:`_Folders`)
    is not listed: its files are the manifest's.  (os.scandir: the file types come with
    the names, no stat per file.)  ``layout``: _layout(state), when made already.

    The files of the trusted folders (those of ``state`` in them) are left out of the
    files returned, which are those of the folders listed; the third value names the
    trusted folders (see :func:`_strays`)."""
    layout = _layout(state or {}) if layout is None else layout
    trust = record.ctimes if record is not None else {}
    held: set[str] = set()
    seen: dict[str, int] = {}
    trusted: set[str] = set()
    old = time.time_ns() - _RACY_NS
    root = os.fspath(staging)
    top = root + os.sep
    folders = [""]  # relative paths of the folders to look at
    rwx = stat.S_IRWXU
    while folders:
        rel = folders.pop()
        expect = layout.get(rel)
        if expect is not None and not expect[1] and rel in trust:
            # a folder of files only, that held exactly its pages when last looked at: not
            # even a stat (the folders of 13,000 of a 10,000-article site's 13,700).  It
            # was not replaced (its parent, a folder of folders, is looked at); anything
            # else put in it is left alone, not written through (see _put)
            seen[rel] = trust[rel]
            trusted.add(rel)
            continue
        folder = top + rel if rel else root
        st = os.lstat(folder)
        if st.st_mode & rwx != rwx:
            os.chmod(folder, st.st_mode | rwx)
            st = os.lstat(folder)
        if rel and expect is not None and trust.get(rel) == st.st_ctime_ns:
            seen[rel] = st.st_ctime_ns
            trusted.add(rel)
            folders += expect[2]
            continue
        prefix = rel + "/" if rel else ""
        exact, matched = expect is not None, 0
        with os.scandir(folder) as it:
            for e in it:
                if e.is_symlink() or e.name.endswith(_PART):
                    os.unlink(e.path)
                    exact = False
                elif e.is_dir():
                    folders.append(prefix + e.name)
                    if exact and expect is not None and e.name in expect[1]:
                        matched += 1
                    else:
                        exact = False
                elif prefix or e.name != _MARKER:
                    held.add(prefix + e.name)
                    if exact and expect is not None and e.name in expect[0] and e.is_file():
                        matched += 1
                    else:
                        exact = False
        # exactly its pages (none missing), and unchanged for long enough to be trusted
        complete = expect is not None and matched == len(expect[0]) + len(expect[1])
        if exact and complete and rel and st.st_ctime_ns < old:
            seen[rel] = st.st_ctime_ns
    return held, _Folders(seen), trusted


def _strays(
    held: set[str], trusted: Collection[str], state: dict[str, str], files: dict[str, str]
) -> set[str]:
    """The files of the staging tree that no page of this build claims (``files``): of
    those listed (``held``), and of the trusted folders' (``state``'s files in them)."""
    gone = held.difference(files)
    for rel in state.keys() - files.keys():
        if rel.rpartition("/")[0] in trusted:
            gone.add(rel)
    return gone


def _remove_strays(staging: Path, strays: Iterable[str], touched: set[str]) -> None:
    """Delete files in the new tree that are no page of this build (left by a killed
    build, or pages no longer made), and the folders they leave empty (each folder
    above a stray is added to ``touched``)."""
    for rel in sorted(strays, reverse=True):
        touched.update(_ancestors(rel))
        f = staging / rel
        try:
            if not stat.S_ISDIR(os.lstat(f).st_mode):  # (a page's folder may be there now)
                f.unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass  # gone with a folder a page replaced
        _prune_empty(f.parent, staging)


def _carry_yours(
    output: Path,
    staging: Path,
    ours: Iterable[str],
    record: _Folders | None = None,
    layout: _Layout | None = None,
    doubt: list[str] | None = None,
    events: FolderEvents | None = None,
) -> tuple[list[tuple[str, str]], _Folders, bool]:
    """Move what was put in the live output by hand into the new tree, so no build loses
    it: a ``.git`` folder, a verification file, a symlink, a file beside the pages.

    Anything in ``output`` that is not a file of its manifest (``ours``) is moved
    (renamed: a whole folder at once) to the same place in ``staging``, unless a page or
    its folder is there now (the page wins; what it displaces stays in the old tree); a
    folder where the new tree has a folder of pages is looked into, and what is in it
    moved the same way (a page's folder made by hand before the page, or one a marker
    that cannot be trusted does not list). A folder that ``record`` trusts (see
    :class:`_Folders`) holds nothing else and is not listed. Returns the moves made,
    (from, to), to undo them if the swap fails, the folders of ``output`` found holding
    exactly its pages (none moved from), and whether anything was left behind there (a
    page in its place in ``staging``, or a folder the next build could not write into).
    ``doubt`` gets the files of ``ours`` in the folders it lists (an entry there was
    added, removed, renamed or replaced since the folder was last looked at: a page may
    have been replaced or deleted by hand), and the folders of ``ours`` found missing
    there (with a "/" after).
    ``layout``: _layout(ours), when made already.  ``events``: a session's inotify
    watches (see digest.outwatch): a folder that ``record`` trusts, with no event since
    it was last looked at, in a folder found unchanged, is taken as it was, no stat.
    """
    layout = _layout(ours) if layout is None else layout
    trust = record.ctimes if record is not None else {}
    # the record made: the old one (of the folders still ours), changed where a folder
    # looked at is found otherwise (``differs``), or not reached (see _forget)
    seen = dict(trust)
    differs = list(trust.keys() - layout.keys())
    for rel in differs:
        del seen[rel]
    old = time.time_ns() - _RACY_NS
    moves: list[tuple[str, str]] = []
    left = False
    root, dest = os.fspath(output), os.fspath(staging)
    top = root + os.sep
    pending = [""]  # relative paths of the folders to look at
    tree = ""
    # (with events: the subfolders of each folder that may not be taken as they were)
    attention: dict[str, list[str]] = {}
    if events is not None and events.usable and trust:
        tree = _tree_id(output)
        events.read()
        watches, dirty = events.clean(tree)
        attention = _attention(layout, trust, watches, events.dirty_in(tree))
    else:
        events = None
    while pending:
        rel = pending.pop()
        folder = top + rel if rel else root
        expect = layout.get(rel)
        if events is not None and rel and expect is not None:
            events.look(tree, rel, folder)  # (before the stat: a change after it is seen)
        st = os.lstat(folder)
        if rel and expect is not None and trust.get(rel) == st.st_ctime_ns:
            if events is None:
                pending += expect[2]
                continue
            events.confirm(tree, rel)
            # its entries are the ones recorded: each subfolder is the one watched at its
            # name, taken as it was (with all below it) when it had no event since it was
            # looked at, unless something below it had
            below = list(attention.get(rel, ()))
            while below:
                sub = below.pop()
                wd = watches.get(sub)
                if sub in trust and wd is not None and wd not in dirty:
                    below += attention.get(sub, ())
                else:
                    pending.append(sub)
            continue
        if seen.pop(rel, None) is not None:
            differs.append(rel)
        prefix = rel + "/" if rel else ""
        with os.scandir(folder) as it:
            entries = list(it)
        exact, matched = expect is not None, 0
        for e in entries:
            name = e.name
            if (not prefix and name == _MARKER) or name.endswith(_PART):
                exact = exact and not name.endswith(_PART)
                continue  # ours, never a file put there by hand
            link = e.is_symlink()
            if not link and expect is not None and name in expect[1] and e.is_dir():
                pending.append(prefix + name)
                matched += 1
                continue
            if not link and expect is not None and name in expect[0] and e.is_file():
                matched += 1
                continue  # a page of the last build: this build decided about it
            exact = False
            target = os.path.join(dest, prefix + name)
            there = _there(dest, prefix + name)
            if there == _FOLDER and not link and e.is_dir():
                pending.append(prefix + name)  # (a folder of pages there now: merged)
                continue
            if there != _FREE:
                left = True
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(e.path, target)
            moves.append((e.path, target))
        # exactly its pages (none missing), and unchanged for long enough to be trusted
        complete = expect is not None and matched == len(expect[0]) + len(expect[1])
        if exact and complete and rel and st.st_ctime_ns < old:
            seen[rel] = st.st_ctime_ns
            differs.append(rel)
        if expect is not None and not complete:  # (folders of ours not there as such)
            looked = set(pending)
            for name in expect[1]:
                if prefix + name not in looked:
                    _forget(layout, prefix + name, seen, differs)
        if expect is not None and doubt is not None:  # (listed: changed since last looked)
            names = {e.name for e in entries}
            doubt += [prefix + n for n in expect[0]]
            doubt += [prefix + n + "/" for n in expect[1] if n not in names]
        if st.st_mode & stat.S_IRWXU != stat.S_IRWXU:
            left = True  # (the next build writes into this tree: it looks at it first)
    return moves, _Folders(seen, base=(trust, differs)), left


def _attention(
    layout: _Layout, trust: dict[str, int], watches: dict[str, int], dirty: Iterable[str]
) -> dict[str, list[str]]:
    """folder -> those of its subfolders that may have changed (see _carry_yours: not
    recorded, not watched, or with an event) or that hold one below them."""
    loose = layout.keys() - trust.keys()
    loose.update(trust.keys() - watches.keys())
    loose.update(dirty)
    out: dict[str, dict[str, None]] = {}
    for rel in sorted(loose):  # (the walk's order, and so the record's, the same each time)
        while rel:
            parent = rel.rpartition("/")[0]
            subs = out.get(parent)
            if subs is None:
                out[parent] = {rel: None}
            elif rel in subs:
                break  # (and its parents: listed already)
            else:
                subs[rel] = None
            rel = parent
    return {k: list(v) for k, v in out.items()}


def _forget(layout: _Layout, rel: str, seen: dict[str, int], differs: list[str]) -> None:
    """A folder of pages not found as one, and those below it: out of the record."""
    todo = [rel]
    while todo:
        rel = todo.pop()
        if seen.pop(rel, None) is not None:
            differs.append(rel)
        todo += layout.get(rel, ((), (), []))[2]


_FREE, _FOLDER, _TAKEN = range(3)


def _there(top: str, rel: str) -> int:
    """_FREE: nothing at top/rel, and every folder above it is a real folder or missing;
    _FOLDER: a real folder there, and above it; else _TAKEN."""
    path = top
    for part in rel.split("/"):
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return _FREE
        if not stat.S_ISDIR(mode):
            return _TAKEN
    return _FOLDER


@dataclass(frozen=True)
class Kept:
    """What publish keeps for the next build of a session (see digest.build.Session):
    the folder layout (see _layout) of the files it last wrote, made once for a set of
    paths (an edit changes bytes, not paths), and what the session may take on trust.

    The next build's staging tree is the tree that was live during this one: when it is
    still that tree (the same folder, ``other_id``) with the marker it had then
    (``other_sha``; a build that starts to update a tree removes its marker first), and
    the live tree is the one this build wrote (``live_id``, ``live_sha``), the staging
    tree holds what its marker says, unless a hand edit made in place in the live site
    reached it through a shared hard link.  Those are looked for a share at a time: the
    files from ``cursor`` on (an eighth of them each build), and those ``found`` edited
    or missing by this build.  The rest of the pages given in bulk are taken as there
    (see _Look).  Files deleted from the live site by hand, and folders made read-only
    there, are noticed by the look at its folders that every build makes (see
    _carry_yours): then the next build looks at those files, or at everything."""

    files: dict[str, str]
    layout: _Layout  # (read only: shared between builds)
    live_id: str = ""
    live_sha: str = ""
    other_id: str = ""
    other_sha: str = ""  # "": the next build looks at every file of its staging tree
    cursor: int = 0
    found: frozenset[str] = frozenset()
    marked: tuple[dict[str, str], bytes] | None = None  # files, and their marker's bytes
    # the paths whose sha256 differs between ``marked``'s files and those of the live
    # tree when the build began (the next build's staging tree), or that one lacks; the
    # stamps the stamps file held for that tree (the very object it holds, see
    # _settle_delta); and whether the two have the same paths
    changed: frozenset[str] | None = None
    base_stamps: dict | None = None
    paths_same: bool = False
    # the marker's bytes hashed, and those of the big pages given alone without a sha256
    # (articles.json), by path: hashed again from where they differ (see _Hashed)
    marker_hashed: _Hashed | None = None
    hashed: dict[str, _Hashed] = field(default_factory=dict)

    def marker(
        self,
        files: dict[str, str],
        live: dict[str, str] | None = None,
        diff: Collection[tuple[str, str]] = (),
        same_paths: bool | None = None,
    ) -> bytes:
        """_marker_bytes(files), from the last build's marker (see _new_marker)."""
        return _new_marker(files, self.marked, live, diff, same_paths)

    def look(
        self, staging: Path, staging_sha: str, output: Path, live_sha: str, private: bool = False
    ) -> _Look:
        """How much of ``staging`` the next build looks at (see _Look; ``private``: see
        publish, no share at all)."""
        if (
            not self.other_sha
            or staging_sha != self.other_sha
            or live_sha != self.live_sha
            or _tree_id(staging) != self.other_id
            or _tree_id(output) != self.live_id
        ):
            return _Look()
        if private:
            return _Look(set(self.found), cursor=self.cursor)
        order = list(self.files)
        step = -(-len(order) // LOOK_SHARE)
        start = self.cursor % len(order) if order else 0
        # (round the end: every file is in one of LOOK_SHARE builds' shares in a row)
        share = order[start : start + step] + order[: max(0, start + step - len(order))]
        return _Look({*share, *self.found}, cursor=start + step)

    def layout_of(self, files: dict[str, str], base: bool = False) -> _Layout:
        """_layout(files), made again only for another set of paths.  ``base``: ``files``
        are those of the tree the last build replaced (see Kept.look)."""
        if files is self.files or (
            base and self.paths_same and self.marked is not None and self.files is self.marked[0]
        ):
            return self.layout  # (known the same paths: not compared, 3-5 ms)
        if files.keys() == self.files.keys():
            return self.layout
        return _layout(files)


def publish(
    pages: Iterable[Page],
    output: Path,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
    private: bool = False,
    events: FolderEvents | None = None,
) -> tuple[int, int]:
    """Write pages into ``output`` atomically; returns (files, files whose bytes changed).

    The new site is prepared in a second tree beside the output (see
    :func:`staging_dir`) and swapped in with one atomic exchange; only files
    whose bytes changed are written, and nothing is deleted in bulk.  ``kept``: what
    a session's last build kept (see Kept); ``keep`` gets this build's.  ``private``:
    the output is the session's own folder, that nothing but its builds writes while it
    runs (``digest serve``'s preview folder, see digest.serve.preview_folder): once the
    session has looked at both trees whole (its first build looks at every file of the
    staging tree, and at every folder of the live tree, trusting none, so that the next
    looks at every file of that one), a build takes them as its builds left them,
    without looking in them for files put there, edited or deleted by hand (the walk of
    every folder of the live tree, see _carry_yours, and the share of files looked at,
    see Kept.look).  ``events``: a session's watches of its output trees (see
    digest.outwatch), so that the walk of the live tree's folders stats only those that
    may have changed since it last looked.
    """
    output = target(output)
    if output.exists() and not output.is_dir():
        raise BuildError([Problem(f"output path {output} exists and is not a folder")])
    _check_writable(output)
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
        manifest, live_sha, live_raw = _marker(output) if output.is_dir() else (None, "", b"")
        # live_ok: its marker is whole (else what it does not list is the user's, and
        # nothing of the tree is taken on trust)
        live, live_ok = manifest or {}, bool(live_sha)
        data = _stamps_data(output)
        base_stamps = data.get(_tree_id(output)) if live_ok else None  # (see Kept)
        # a tree's folder record names only a marker digest wrote (see below), so the live
        # marker's bytes are _marker_bytes(live) when its record names them
        live_record = _Folders.read(data, output, live_sha) if live_ok else _Folders()
        staging, state, stamps, record, staging_sha = _prepare_staging(output, data)
        look = _Look()
        if kept is not None and live_ok and stamps:
            look = kept.look(staging, staging_sha, output, live_sha, private)
        if kept is not None:
            look.hashed = kept.hashed
            if look.check is not None:  # (the trees are the last build's: see _settle_delta)
                look.last, look.changed = live, kept.changed
                look.base_stamps, look.paths_same = kept.base_stamps, kept.paths_same
        # the two trees mostly hold the same files (always, after an edit): one layout
        if kept is not None:
            layout = kept.layout_of(state, look.check is not None)
        else:
            layout = _layout(state)
        trusted: Collection[str]
        if look.check is None:
            held, swept, trusted = _sweep(staging, state, record, layout)
        else:  # (a session's own tree, as its build before last left it: see Kept)
            held, swept, trusted = set(), record, layout  # (its folders: all of state's)
        problems = Problems()
        touched: set[str] = set()
        claimed = live.keys() if live_ok else ()
        files, new_stamps = _update(staging, state, stamps, pages, problems, touched, claimed, look)
        problems.raise_if_errors()  # staging has no manifest now: the next build re-checks it
        strays = _strays(held, trusted, state, files) if look.gone is None else look.gone
        _remove_strays(staging, strays, touched)
        was = live.get  # (files whose bytes changed: see _settle_same for why not items())
        if look.alone is not None:  # (the bulk's are the live tree's: see _settle_delta)
            diff = [(path, files[path]) for path in look.alone if was(path) != files[path]]
        else:
            diff = [(path, h) for path, h in files.items() if was(path) != h]
        # (whether files has the live tree's paths, when _settle_delta knows)
        paths_same = None if look.dropped is None else not look.dropped
        if kept is not None:
            marker = kept.marker(files, live, diff, paths_same)
        else:  # (a new process: the live marker patched, when digest wrote its bytes)
            ours = (live, live_raw) if live_raw and live_record.marker else None
            marker = _new_marker(files, ours, live, diff)
        with open(staging / _MARKER, "wb") as f:
            f.write(marker)
            f.flush()
            written = os.fstat(f.fileno())
        # (2 MB at 10,000 articles: hashed once, from where it differs from the last)
        marker_hashed = _hashed(marker, kept.marker_hashed if kept is not None else None)
        marker_sha = marker_hashed.digest
        _KNOWN.put(marker_sha, files)
        _KNOWN.stamped(written, marker_sha)
        moves: list[tuple[str, str]] = []
        looked = _Folders()
        left, doubt = True, list[str]()
        if private and look.check is not None:  # (nothing there but its builds' pages)
            left = False
        elif output.is_dir():
            same = live.keys() == state.keys()
            moves, looked, left = _carry_yours(
                output,
                staging,
                live,
                None if private and kept is None else live_record,  # (see above)
                layout if same else None,
                doubt if keep is not None else None,  # (a session's next build: see Kept)
                events,
            )
        ids = (_tree_id(staging), _tree_id(output) if live_ok else "")
        try:
            for src, dst in moves:  # the folders a move changed are not trusted next time
                touched.update(_ancestors(os.path.relpath(dst, staging).replace(os.sep, "/")))
                gone = _ancestors(os.path.relpath(src, output).replace(os.sep, "/"))
                looked = looked.without(gone)
            ctimes = swept.without(touched).ctimes
            folders = {_tree_id(staging): _Folders(ctimes, marker_sha)}
            if live_record.marker:  # (its marker is one digest wrote: see above)
                folders[_tree_id(output)] = _Folders(looked.ctimes, live_sha)
            # (what is known to differ from what the stamps file held: see _Chunked)
            derived: list[tuple[dict, dict, Collection[str]]] = [(ctimes, swept.ctimes, touched)]
            if look.delta is not None:
                derived.append((new_stamps, stamps, look.delta))
            if looked.base is not None:  # (the live tree's record: as it was but there)
                derived.append((looked.ctimes, *looked.base))
            _save_stamps(output, staging, new_stamps, folders, data, derived)
            _swap(staging, output)
        except OSError:
            for src, dst in reversed(moves):  # put them back where they were
                os.rename(dst, src)
            raise
    except OSError as exc:
        # Disk full, permissions, a read-only mount: the previous site is untouched.
        raise BuildError([_write_problem(exc, output)]) from None
    changed = len(diff)
    if keep is not None:
        if paths_same is not None:  # (state is the last build's base: see _settle_delta)
            same = paths_same and look.paths_same
        else:
            same = files.keys() == state.keys()
            paths_same = live_ok and files.keys() == live.keys()
        # the paths whose file differs from the live tree's (see _Look.changed)
        if not live_ok:
            differ = None
        elif look.dropped is not None:
            differ = frozenset(path for path, _h in diff).union(look.dropped)
        else:
            differ = frozenset(path for path, _h in diff).union(live.keys() - files.keys())
        found = look.found
        for rel in doubt:  # (maybe changed by hand in the tree the next build writes)
            if rel.endswith("/"):
                found.update(k for k in live if k.startswith(rel))
            else:
                found.add(rel)
        keep.append(
            Kept(
                files if same else state,
                layout,
                ids[0],
                marker_sha,
                ids[1],
                live_sha if live_ok and not left else "",
                look.cursor,
                frozenset(found),
                (files, marker),
                differ,
                base_stamps if type(base_stamps) is dict else None,
                bool(paths_same),
                marker_hashed,
                look.hashed_now,
            )
        )
    return len(files), changed


class Published:
    """The files of a live output folder as the build that published them left them,
    read without hashing them: a file that is still a regular file of the size and mtime
    recorded when it was written (its stamp) holds the bytes whose sha256 its marker
    names, the trust publish gives every file (see _holds: an edit in place sets a new
    mtime).  A new process's feeds read their big published files back this way (12.5 MB
    of articles.json at 10,000 articles: its sha256 was 6 ms of each build, 15-30 on a
    busy machine; finding its stamp, 0.2)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._looked = False
        self.files: dict[str, str] = {}
        self.stamps: bytes | dict = b""  # the live tree's stamps: as JSON, or decoded

    def _look(self) -> None:
        self._looked = True
        output = target(self.output)
        if not output.is_dir():
            return
        files, sha, _raw = _marker(output)
        if not sha or files is None:  # (a marker not trusted whole: nothing vouched for)
            return
        value = _stamps_data(output).get(_tree_id(output))
        if isinstance(value, msgspec.Raw):
            self.stamps = bytes(value)
        elif isinstance(value, dict):
            self.stamps = value
        else:
            return
        self.output, self.files = output, files

    def stamp(self, rel: str) -> list[int] | None:
        """The recorded [size, mtime_ns] of the live file ``rel``, or None."""
        stamps = self.stamps
        if isinstance(stamps, dict):
            got = stamps.get(rel)
        else:  # (one entry found in the JSON, see _json_entry: not all 20,000 decoded)
            span = _json_entry(stamps, msgspec.json.encode(rel))
            if span is None:
                return None
            try:
                got = _JSON.decode(stamps[span[0] : span[1]])
            except msgspec.DecodeError:
                return None
        if type(got) is list and len(got) == 2 and all(type(x) is int for x in got):
            return got
        return None

    def read(self, rel: str) -> tuple[bytes, str] | None:
        """(bytes, sha256) of the live file ``rel`` when the stamps vouch for them; else
        None (the caller reads and hashes it, if it needs it)."""
        if not self._looked:
            self._look()
        digest = self.files.get(rel)
        stamp = self.stamp(rel) if digest is not None else None
        if digest is None or stamp is None:
            return None
        try:
            fd = os.open(os.path.join(self.output, rel), os.O_RDONLY | _NOFOLLOW)
        except OSError:
            return None
        with open(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or _stamp(st) != stamp:
                return None
            data = f.read()
        return (data, digest) if len(data) == st.st_size else None


def target(output: Path) -> Path:
    """The folder a build of ``output`` writes: a symlinked output folder (``public ->
    /srv/www``) is published into where it points, and the link stays as it is."""
    output = output.absolute()
    return output.resolve() if output.is_symlink() else output


def _check_writable(output: Path) -> None:
    """A read-only output folder is a choice of its owner: refused, not replaced."""
    try:
        mode = os.stat(output).st_mode
    except FileNotFoundError:
        return
    if not mode & stat.S_IWUSR or not os.access(output, os.W_OK):
        where = shown(output)
        raise BuildError(
            [
                Problem(
                    f"output folder {where} is read-only; digest replaces it as a whole, "
                    "so it is left as it is",
                    hint=f"make it writable (chmod -R u+w {where}) or build elsewhere "
                    "with --output DIR",
                )
            ]
        )


def _write_problem(exc: OSError, output: Path) -> Problem:
    """An OSError while publishing, in terms of the user's folders: a path in the staging
    tree (a hidden folder of digest's own) is named with what it is."""
    where = ""
    if exc.filename:
        name = os.fspath(exc.filename)
        staging = os.fspath(staging_dir(output))
        if name == staging or name.startswith(staging + os.sep):
            rel = os.path.relpath(name, staging)
            inside = "" if rel == "." else f" (at {rel})"
            where = (
                f" in {shown(staging)}{inside}, the copy of the site digest keeps beside "
                f"{shown(output)} to prepare the next one (safe to delete)"
            )
        else:
            where = f" ({shown(name)})"
    return Problem(
        f"cannot write the site into {shown(output)}: {exc.strerror or exc}{where}; "
        "the previous site is untouched"
    )


# ---------------------------------------------------------------- one build at a time


def lock_file(output: Path) -> Path:
    """Beside the output folder (named after its staging tree, whose updates it guards):
    held by the build that writes it."""
    staging = staging_dir(target(output))
    return staging.with_name(staging.name + ".lock")


@contextmanager
def locked(output: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock: one build at a time writes an output folder (and
    its staging tree and stamps).  When another process holds it, ``on_wait`` is told
    (a message naming that process) and the lock is waited for.  The lock file is
    opened without following a symlink (one there is replaced) and is left in place
    (removing it would let a third build lock another file of the same name)."""
    path = lock_file(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(path)
    try:
        if not _try_lock(fd):
            if on_wait is not None:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() if _PREAD else ""
                who = f"process {holder}" if holder.isdigit() else "another process"
                on_wait(
                    f"waiting for another digest build ({who}) that is writing "
                    f"{shown(target(output))} (its lock: {shown(path)})"
                )
            _wait_lock(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


_PREAD = hasattr(os, "pread")


# ``digest serve``'s preview: the folder in the cache folder it builds into, kept between
# runs (see digest.serve.preview_folder), and the lock file there that keeps it one
# preview's at a time (see try_hold)
PREVIEW = "preview"
PREVIEW_LOCK = ".digest-serve-lock"


def try_hold(path: Path) -> int | None:
    """An exclusive lock on the file ``path`` (made when missing, never through a
    symlink), held until the descriptor returned is closed; None when another process
    holds it."""
    fd = _open_lock(path)
    if _try_lock(fd):
        return fd
    os.close(fd)
    return None


def _open_lock(path: Path) -> int:
    if os.path.islink(path):
        os.unlink(path)  # not made by digest: replaced, never followed
    return os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o666)


if sys.platform == "win32":  # pragma: no cover - lock the file's first byte
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _wait_lock(fd: int) -> None:
        while not _try_lock(fd):
            time.sleep(0.2)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def is_digest_output(folder: Path) -> bool:
    """True when digest wrote this folder (its marker file, or an older digest site)."""
    return (folder / _MARKER).exists() or _looks_like_site(folder)


def _looks_like_site(folder: Path) -> bool:
    """An output folder from before the marker existed (index.html + articles.json)."""
    return (folder / "index.html").exists() and (folder / "articles.json").exists()


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when unsupported."""
    fn = _renameat2()
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


_LIBC: list[Any] = []  # [libc's renameat2, or None where there is none]: looked up once


def _renameat2() -> Any:
    """libc's renameat2 (None when unsupported), looked up once per process."""
    if not _LIBC:
        _LIBC.append(_find_renameat2() if sys.platform.startswith("linux") else None)
    return _LIBC[0]


def _find_renameat2() -> Any:
    """First among the symbols the process has loaded (glibc has renameat2 since 2.28):
    ctypes.util.find_library runs ``ldconfig -p``, 7 ms (it ran at every build before)."""
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        pass
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


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
