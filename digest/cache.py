"""The build cache: a service the stages keep their state in, in SQLite.

It knows no stage: each stage names its own namespace and value types
(collect: per-source results; related: neighbour lists; render: page keys)
and this module stores, checks and decodes them.  Entries are keyed by a hash
of everything that affects them: the source file's bytes and path, the config
section the stage reads, the versions of digest and of the libraries that
change results (and a fingerprint of digest's own code, so a development
checkout never serves stale entries).
Each value carries a checksum (CRC-32: it catches damage, not forgery; decoding
into checked types is what keeps a forged value harmless); a corrupt entry is a
miss, a corrupt or
foreign database is deleted and rebuilt, never trusted.  Values are
MessagePack (msgspec), decoded into the type the reader asks for, and
checked against it (never pickle), so a tampered cache cannot run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import sys
import threading
import weakref
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

import digest

CACHE_FORMAT = 6  # 3: source entries carry story features; 4: and key points; 5: bodies
# apart; 6: CRC-32 checksums
DB_NAME = "cache.sqlite"
PAGE_SIZE = 65536  # bytes; of a new database (see Cache._open)
_LIBRARIES = (
    "sumy",
    "markdown",
    "nh3",
    "pyyaml",
    "trafilatura",
    "numpy",
    "scipy",
    "jinja2",
    "charset-normalizer",
    "nltk",
    "lxml",
    "msgspec",
)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Versions of digest and the result-affecting libraries, plus digest's code."""
    h = hashlib.sha256(f"format={CACHE_FORMAT};digest={digest.__version__}".encode())
    h.update(_library_versions(_VERSIONS_MEMO[0]).encode())
    root = Path(digest.__file__).parent
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:32]


# The cache folder whose memo of library versions fingerprint() may use (set by
# Cache._open before its first fingerprint()).
_VERSIONS_MEMO: list[Path | None] = [None]
_VERSIONS_FILE = "versions.json"


def _library_versions(folder: Path | None) -> str:
    """ ";lib=version" of every result-affecting library.  Asking importlib.metadata
    (about 50 ms with its import: every call scans sys.path) is done once per set of
    installed packages: the answer is kept in ``folder`` with each folder on sys.path,
    its mtime and the names of the package metadata it holds (installing, upgrading or
    removing a package adds or removes a ``*.dist-info`` folder there, and its name
    carries the version).  A folder whose mtime moved is listed again: the site's own
    folder is on sys.path when digest runs from there, and each build writes in it."""
    where: list[list[Any]] = []
    for entry in sys.path:
        try:
            where.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            where.append([entry, None])
    memo = folder / _VERSIONS_FILE if folder is not None else None
    if memo is not None:
        try:
            saved = json.loads(memo.read_text(encoding="utf-8"))
            if _same_packages(saved.get("where"), where) and isinstance(saved.get("versions"), str):
                return str(saved["versions"])
        except (OSError, ValueError, AttributeError, TypeError):
            pass  # no memo, or not one of ours: asked again below
    from importlib import metadata  # (only here: its import alone is ~30 ms)

    parts = []
    for lib in _LIBRARIES:
        try:
            parts.append(f";{lib}={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            parts.append(f";{lib}=-")
    versions = "".join(parts)
    if memo is not None:
        for it in where:
            it.append(_package_names(it[0]) if it[1] is not None else None)
        data = json.dumps({"where": where, "versions": versions}).encode()
        tmp = memo.with_name(memo.name + ".tmp")
        with contextlib.suppress(OSError):
            if os.path.islink(tmp):
                os.unlink(tmp)  # not made by digest: never followed
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o666)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, memo)
    return versions


def _same_packages(saved: Any, now: list[list[Any]]) -> bool:
    """Whether the sys.path folders ``now`` ([path, mtime]) hold the package metadata they
    held when ``saved`` ([path, mtime, names]) was: the same paths, and each folder's
    mtime as it was, or else the same names of metadata in it."""
    if not isinstance(saved, list) or len(saved) != len(now):
        return False
    for old, (entry, mtime) in zip(saved, now, strict=True):
        if not isinstance(old, list) or len(old) != 3 or old[0] != entry:
            return False
        if old[1] == mtime:
            continue
        names = _package_names(entry) if mtime is not None else None
        if names is None or old[2] != names:  # (a zip file that changed: asked again)
            return False
    return True


def _package_names(entry: str) -> list[str] | None:
    """The package metadata folders and files in a sys.path folder, sorted (None: it
    cannot be listed)."""
    try:
        names = os.listdir(entry or ".")
    except OSError:
        return None
    return sorted(n for n in names if n.endswith((".dist-info", ".egg-info", ".egg-link")))


def _key_default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [type(obj).__name__, *(getattr(obj, f.name) for f in dataclasses.fields(obj))]
    if isinstance(obj, (datetime, Path)):
        return str(obj)
    raise TypeError(f"cannot key {type(obj).__name__}")


def key(*parts: Any) -> str:
    """A cache key from JSON-able parts (dataclasses, datetimes and paths included)."""
    data = json.dumps(
        parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_key_default
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


_ENCODER = msgspec.msgpack.Encoder()


def quick_key(*parts: str | int | list | tuple) -> str:
    """A cache key from plain strings, numbers and lists of them (faster than key())."""
    return hashlib.sha256(_ENCODER.encode(parts)).hexdigest()


# ---------------------------------------------------------------- codec


@lru_cache(maxsize=32)
def _decoder(typ: Any) -> msgspec.msgpack.Decoder:
    return msgspec.msgpack.Decoder(typ)


# ---------------------------------------------------------------- store


class Cache:
    """A namespaced key-value store; ``Cache(None)`` is a cache that never hits."""

    def __init__(self, folder: Path | None, remember: bool = False) -> None:
        """``remember``: also keep recent values decoded in this process's memory (for a
        long-lived process such as ``digest serve``, whose next build reuses them)."""
        self.folder = folder
        self.remember = remember
        self.db: sqlite3.Connection | None = None
        self.rebuilt_reason: str | None = None
        self.fresh = False  # the database was made (or emptied) by this opening
        self._suspect = False  # a read or write failed: check the database next time
        if folder is not None:
            self._open(folder)

    def _open(self, folder: Path) -> None:
        try:
            if folder.is_symlink():
                # not made by digest (a cloned repository can carry one): replaced by a
                # folder, never followed, so the cache is never written elsewhere
                folder.unlink()
                self.rebuilt_reason = f"{folder.name} was a symlink; replaced by a folder"
            folder.mkdir(parents=True, exist_ok=True)
            _unlink_links(folder)
        except OSError as exc:  # e.g. a file where the folder should be: build without
            self.rebuilt_reason = f"cache not usable ({exc.strerror or exc}); built without it"
            return
        path = folder / DB_NAME
        fresh = not path.exists()
        if fresh:
            _forget(folder)
            self.fresh = True
        for _attempt in range(2):
            try:
                self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                if not path.exists() or path.stat().st_size == 0:
                    # a new database: large pages (set before its first write; a WAL
                    # database keeps its page size).  Most of what a build reads are
                    # values of 100 KB to a few MB (segments of sources, whole-site
                    # states), read ~40% faster from 64 KB pages than from overflow
                    # chains of 4 KB ones; a small value costs a few tenths of a ms more
                    self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                self.db.execute("PRAGMA journal_mode=WAL")
                # a cache needs no durability: no fsync (a database left broken by a crash
                # fails its checks below and is rebuilt)
                self.db.execute("PRAGMA synchronous=OFF")
                self.db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS entries (ns TEXT, k TEXT, "
                    "sum TEXT, v BLOB, PRIMARY KEY (ns, k))"
                )
                row = self.db.execute("SELECT v FROM meta WHERE k='fingerprint'").fetchone()
                if fingerprint.cache_info().currsize == 0:
                    _VERSIONS_MEMO[0] = folder
                fp = fingerprint()
                if row is None or row[0] != fp:
                    _forget(folder)
                    self.fresh = True
                    if row is not None:
                        self.rebuilt_reason = "digest or a library changed"
                        small = self.db.execute("PRAGMA page_size").fetchone()[0] != PAGE_SIZE
                        if small and _attempt == 0:
                            # nothing in it is of use: a new file instead, made with
                            # PAGE_SIZE pages (and none of the old one's free pages)
                            self.close()
                            for suffix in _DB_SUFFIXES:
                                with contextlib.suppress(OSError):
                                    os.unlink(str(path) + suffix)
                            fresh = True
                            continue
                    self.db.execute("DELETE FROM entries")
                    self.db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fp,))
                self._check(folder, fresh)
                return
            except sqlite3.DatabaseError as exc:  # corrupt or not a database: start over
                self.rebuilt_reason = f"the cache was unreadable ({exc})"
                self.fresh = True
                _forget(folder)
                self.close()
                for suffix in _DB_SUFFIXES:
                    with contextlib.suppress(OSError):
                        os.unlink(str(path) + suffix)
        self.db = None  # pragma: no cover - could not even create a fresh one

    def _check(self, folder: Path, fresh: bool) -> None:
        """Check the database's pages (``PRAGMA quick_check``, about 0.1 s at 10,000
        articles) when the last process that opened it did not close it cleanly, or
        one of its reads or writes failed: the marker file :data:`_OPEN_MARK` is there
        while a process has it open.  (A process killed mid-write leaves a WAL database
        whole even without fsync; what the check catches is damage from outside, such
        as a crash of the machine, and each value carries its own checksum too.)"""
        assert self.db is not None
        mark = folder / _OPEN_MARK
        if not fresh and os.path.lexists(mark):
            row = self.db.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":  # (a damaged page is reported, not raised)
                raise sqlite3.DatabaseError(f"quick_check: {row[0] if row else 'no answer'}")
        with contextlib.suppress(OSError):
            if os.path.islink(mark):
                os.unlink(mark)  # not made by digest: never followed
            os.close(os.open(mark, os.O_WRONLY | os.O_CREAT | _NOFOLLOW, 0o666))

    def _memory(self, ns: str) -> OrderedDict[str, Any] | None:
        if self.folder is None or self.db is None or not self.remember or ns in UNREMEMBERED:
            return None
        return _MEMORY.setdefault((str(self.folder.resolve()), ns), OrderedDict())

    def get_many(self, ns: str, keys: Iterable[str], type: Any = Any) -> dict[str, Any]:
        """The stored values of ``keys`` that decode as ``type`` (others are misses)."""
        keys = list(keys)
        found: dict[str, Any] = {}
        if self.db is None or not keys:
            return found
        memory = self._memory(ns)
        if memory:  # a long-lived process (digest serve) keeps recent values decoded
            for k in keys:
                if k in memory:
                    found[k] = memory[k]
                    memory.move_to_end(k)
        missing = [k for k in keys if k not in found]
        try:
            for k, checksum, blob in _rows(self.db, ns, missing):
                value = _unpack(blob, checksum, type)
                if value is not _BAD:
                    found[k] = value
                    self._remember(memory, k, value)
        except sqlite3.DatabaseError:
            self._suspect = True
            found = {}
        return found

    def get(self, ns: str, k: str, type: Any = Any) -> Any:
        return self.get_many(ns, [k], type).get(k)

    def _remember(self, memory: OrderedDict[str, Any] | None, k: str, value: Any) -> None:
        if memory is not None:
            memory[k] = value
            memory.move_to_end(k)
            while len(memory) > MEMORY_ITEMS:
                memory.popitem(last=False)

    def put_many(self, ns: str, items: Mapping[str, Any]) -> None:
        if self.db is None or not items:
            return
        rows = []
        memory = self._memory(ns)
        for k, v in items.items():
            self._remember(memory, k, v)
            blob = _pack(v)
            rows.append((ns, k, checksum(blob), blob))
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._suspect = True
            with contextlib.suppress(sqlite3.DatabaseError):
                self.db.execute("ROLLBACK")

    def put(self, ns: str, k: str, value: Any) -> None:
        self.put_many(ns, {k: value})

    def prune(self, ns: str, keep: Iterable[str]) -> None:
        """Forget entries of a namespace that the last build did not use."""
        if self.db is None:
            return
        keep = set(keep)
        try:
            stale = [
                k
                for (k,) in self.db.execute("SELECT k FROM entries WHERE ns=?", (ns,))
                if k not in keep
            ]
            if stale:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "DELETE FROM entries WHERE ns=? AND k=?", [(ns, k) for k in stale]
                )
                self.db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._suspect = True

    def forget(self, ns: str, keys: Iterable[str]) -> None:
        """Forget these entries of a namespace (when a build knows what it no longer
        uses: cheaper than :meth:`prune`, which reads every key of the namespace)."""
        keys = list(keys)
        if self.db is None or not keys:
            return
        memory = self._memory(ns)
        for k in keys:
            if memory is not None:
                memory.pop(k, None)
        try:
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM entries WHERE ns=? AND k=?", [(ns, k) for k in keys])
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._suspect = True
            with contextlib.suppress(sqlite3.DatabaseError):
                self.db.execute("ROLLBACK")

    def reader(self) -> Reader:
        """A Reader of this database, for any process; its connection in this process is
        closed when a Cache of the database closes (and opened again if used after)."""
        assert self.folder is not None
        return Reader(self.folder)

    def close(self) -> None:
        if self.folder is not None:
            where = self.folder.resolve() / DB_NAME
            for reader in list(_READERS):
                if reader.path == where:
                    reader.close()
        if self.db is not None:
            with contextlib.suppress(sqlite3.DatabaseError):
                self.db.close()
            self.db = None
            if not self._suspect and self.folder is not None:
                with contextlib.suppress(OSError):  # closed cleanly: no check next time
                    os.unlink(self.folder / _OPEN_MARK)

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Reader:
    """Reads single values of a cache database in whichever process asks: each process
    opens its own connection on its first read (an SQLite connection must not be used
    across a fork: forked render workers read article bodies through one of these).
    A value missing, unreadable or failing its checksum is None, as is a database that
    is gone; the caller makes the value again."""

    def __init__(self, folder: Path) -> None:
        self.path = folder.resolve() / DB_NAME
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        _READERS.add(self)

    def get(self, ns: str, k: str, type: Any = Any) -> Any:
        return self.get_many(ns, [k], type).get(k)

    def get_many(self, ns: str, keys: Sequence[str], type: Any = Any) -> dict[str, Any]:
        """The values of ``keys`` found, read and checked (others are left out)."""
        with self._lock:
            try:
                if self._pid != os.getpid():
                    if self._db is not None:
                        # the parent's, inherited by a fork: never used nor closed here
                        _INHERITED.append(self._db)
                    self._db, self._pid = None, os.getpid()
                if self._db is None:
                    if not self.path.is_file():
                        return {}  # (connect would make an empty database)
                    self._db = sqlite3.connect(
                        self.path, isolation_level=None, check_same_thread=False
                    )
                rows = list(_rows(self._db, ns, keys))
            except (sqlite3.Error, OSError):
                return {}
        found = {}
        for k, checksum_, blob in rows:
            value = _unpack(blob, checksum_, type)
            if value is not _BAD:
                found[k] = value
        return found

    def close(self) -> None:
        """Close this process's connection (the next get opens another): a connection
        left open would keep the database's write-ahead log from being folded back and
        removed when the build's own connection closes."""
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None


_READERS: weakref.WeakSet[Reader] = weakref.WeakSet()
# Connections a forked process inherited from its parent's Readers (kept, not closed:
# closing one in the child could disturb the parent's use of the database).
_INHERITED: list[sqlite3.Connection] = []

_BAD = object()
# Values kept decoded in memory per (cache folder, namespace), most recent last: a
# long-lived process such as `digest serve` skips reading and decoding them again.
MEMORY_ITEMS = 20_000
# Namespaces whose values are never kept decoded so (values a long-lived process must
# not hold, such as article bodies: a stage adds its own)
UNREMEMBERED: set[str] = set()
_MEMORY: dict[tuple[str, str], OrderedDict[str, Any]] = {}


_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")
# Beside the database while a process has it open (removed when it is closed cleanly).
_OPEN_MARK = "cache.open"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _unlink_links(folder: Path) -> None:
    """Remove symlinks at the database's names (SQLite would write through them)."""
    for suffix in _DB_SUFFIXES:
        p = folder / (DB_NAME + suffix)
        if p.is_symlink():
            p.unlink()


def _forget(folder: Path) -> None:
    """Drop the in-memory values of a cache whose database was (re)created."""
    where = str(folder.resolve())
    for k in [k for k in _MEMORY if k[0] == where]:
        del _MEMORY[k]


def _pack(value: Any) -> bytes:
    """Bytes (pages: compressed) or MessagePack of anything msgspec encodes: built-in
    types, dataclasses, datetimes (as RFC 3339 strings)."""
    if isinstance(value, bytes):
        return b"Z" + zlib.compress(value, 1)
    return b"M" + _ENCODER.encode(value)


def checksum(blob: bytes) -> str:
    """A stored value's checksum: its CRC-32, in hex (a new process reads ~70 MB of values
    at 10,000 articles: a SHA-256 of them took ~40 ms, this ~10)."""
    return f"{zlib.crc32(blob):08x}"


def _rows(db: sqlite3.Connection, ns: str, keys: Sequence[str]) -> Iterator[tuple[str, str, bytes]]:
    """(key, checksum, blob) of each of ``keys`` stored in ``ns`` (500 keys a query: under
    SQLite's limit of bound parameters)."""
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        marks = ",".join("?" * len(chunk))
        yield from db.execute(
            f"SELECT k, sum, v FROM entries WHERE ns=? AND k IN ({marks})", (ns, *chunk)
        )


def _unpack(blob: bytes, sum_: str, typ: Any = Any) -> Any:
    try:
        if checksum(blob) != sum_:
            return _BAD
        if blob[:1] == b"Z":
            return zlib.decompress(blob[1:]) if typ in (Any, bytes) else _BAD
        if blob[:1] == b"M":
            return _decoder(typ).decode(memoryview(blob)[1:])
        return _BAD
    except (zlib.error, msgspec.DecodeError, ValueError, TypeError):
        return _BAD


def clear(folder: Path) -> bool:
    """Delete the cache database; True when there was one."""
    existed = False
    if folder.is_symlink():  # not ours: the link is removed, what it points to is kept
        folder.unlink()
        return False
    for suffix in _DB_SUFFIXES:
        p = folder / (DB_NAME + suffix)
        if p.is_symlink():
            p.unlink()
        elif p.exists():
            p.unlink()
            existed = True
    for name in (_OPEN_MARK, _VERSIONS_FILE, _VERSIONS_FILE + ".tmp"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()
    return existed
