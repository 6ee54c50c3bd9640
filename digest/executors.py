"""Where the stages that split their work run: this machine's worker processes, or a
Dask cluster.

    local   forked worker processes of this machine (digest.pool; the default)
    dask    the workers of a Dask distributed cluster (``--executor dask --scheduler
            ADDRESS``; needs the ``dask`` extra: ``pip install "digest-ssg[dask]"``)

Two stages ask the executor of the build (:func:`current`) to map a module-level
function over their items, in order: the per-article work of ``collect`` (read, clean,
summarize, term counts, story features; only the sources the cache does not hold) and
the related-link top-k (spans of rows).  Results come back in input order, so the site
does not depend on where they were computed.

On Dask, what moves is data, never paths: each source's bytes (and modification time)
go out, its result (article without its text, summary, term counts, features) comes
back; the cache stays here.  What all items need (the config; the related-link vectors)
is sent to every worker once (``Client.scatter``).  A worker must run the same digest:
the same version, code and result-affecting libraries (``cache.fingerprint``), checked
when the build connects and again by every task, so a worker that joins later is
refused too.  A worker that dies mid-build loses only its tasks: the scheduler runs
them again on another worker (up to ``distributed.scheduler.allowed-failures`` times,
3 by default), and the result is the same.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from digest import pool
from digest.errors import DigestError

EXECUTORS = ("local", "dask")
DASK_EXTRA = 'pip install "digest-ssg[dask]"'


class ExecutorError(DigestError):
    """The executor asked for cannot be used (no dask, no scheduler, another digest)."""


class Local:
    """Worker processes of this machine, forked (digest.pool)."""

    name = "local"

    def workers(self, jobs: int | None) -> int:
        return pool.workers(jobs)

    def map(
        self,
        fn: Callable[..., Any],
        items: Sequence[Any],
        workers: int,
        shared: Any = None,
        chunksize: int | None = None,
    ) -> Iterator[Any]:
        """fn(item) -- fn(shared, item) when ``shared`` is given -- for each item, in
        order; the forked workers inherit ``shared`` instead of receiving it (so with
        ``shared`` only where the platform can fork: see pool.can_fork)."""
        if shared is None:
            return pool.ordered_map(fn, items, workers, chunksize)
        return pool.map_shared(_local_shared, (fn, shared), items, workers, chunksize or 1)

    def close(self) -> None:
        pass


def _local_shared(item: Any) -> Any:
    fn, shared = pool.shared()
    return fn(shared, item)


class Dask:
    """The workers of a Dask distributed cluster, through a Client of its scheduler."""

    name = "dask"

    def __init__(self, scheduler: str, timeout: float = 30) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError(
                "--executor dask needs Dask distributed, which is not installed; "
                f"install the dask extra: {DASK_EXTRA}"
            ) from None
        try:
            self.client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            self._check_workers()
        except BaseException:
            self.client.close()
            raise

    def _check_workers(self) -> None:
        here = identity()
        theirs = self.client.run(_worker_identity)  # worker address -> (version, fingerprint)
        if not theirs:
            raise ExecutorError("the Dask cluster has no workers")
        for address, there in sorted(theirs.items()):
            problem = _mismatch(here, tuple(there), address)
            if problem:
                raise ExecutorError(problem)

    def workers(self, jobs: int | None) -> int:
        """Tasks the cluster runs at once (its workers' threads); ``--jobs`` is for the
        local pool."""
        return max(1, sum(self.client.nthreads().values()))

    def map(
        self,
        fn: Callable[..., Any],
        items: Sequence[Any],
        workers: int,
        shared: Any = None,
        chunksize: int | None = None,
    ) -> Iterator[Any]:
        """fn(item) -- fn(shared, item) when ``shared`` is given -- for each item, in
        order, on the cluster: items go in chunks, at most a few chunks per worker in
        flight (so memory here stays bounded on big sites); ``shared`` is sent to every
        worker once."""
        chunk = chunksize or max(1, min(64, len(items) // (workers * 4)))
        return self._ordered(fn, items, workers, shared, chunk, _dask_chunk)

    def map_sources(
        self, fn: Callable[..., Any], sources: Sequence[Any], args: tuple, workers: int
    ) -> Iterator[Any]:
        """fn(source, *args) for each source file, in order, on the cluster: the workers
        get each file's bytes and modification time (not its path: they need not see
        this machine's files).  A file that cannot be sent (unreadable, too large) is
        processed here, which reports why."""
        chunk = max(1, min(64, len(sources) // (workers * 4)))
        return self._ordered(fn, sources, workers, args, chunk, _dask_sources)

    def _ordered(
        self,
        fn: Callable[..., Any],
        items: Sequence[Any],
        workers: int,
        shared: Any,
        chunk: int,
        task: Callable[..., list],
    ) -> Iterator[Any]:
        if not items:
            return
        here = (*identity(), _environment())
        shared_ref = None
        if shared is not None:
            # (in a list: a tuple of its own would be scattered item by item)
            shared_ref = self.client.scatter([shared], broadcast=True, hash=False)[0]

        def submit(start: int) -> Any:
            part = items[start : start + chunk]
            if task is _dask_sources:
                part = [_outgoing(src) for src in part]
            return self.client.submit(task, here, fn, shared_ref, part, pure=False)

        # (at most max(2, workers x 3) chunks on the cluster, the one waited for among them)
        futures = pool.in_order(submit, range(0, len(items), chunk), max(2, workers * 3) - 1)
        try:
            for future in futures:
                for out in future.result():
                    if isinstance(out, _Local):  # could not be sent: done here
                        yield fn(out.source, *shared)
                    else:
                        yield out
                future.release()
        finally:
            futures.close()  # (the chunks not handed out: cancelled)
            if shared_ref is not None:
                shared_ref.release()

    def close(self) -> None:
        self.client.close()


# ---------------------------------------------------------------- the one in use


_CURRENT: Local | Dask = Local()


def current() -> Local | Dask:
    """The executor of the build in progress (the local pool outside one)."""
    return _CURRENT


@contextlib.contextmanager
def using(kind: str = "local", scheduler: str | None = None) -> Iterator[Local | Dask]:
    """Run the stages on ``kind`` ("local" or "dask") while the block runs."""
    global _CURRENT
    ex: Local | Dask
    if kind == "local":
        if scheduler:
            raise ExecutorError("--scheduler is for --executor dask (the local pool has none)")
        ex = Local()
    elif kind == "dask":
        if not scheduler:
            raise ExecutorError(
                "--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)"
            )
        ex = Dask(scheduler)
    else:
        raise ExecutorError(f"unknown executor {kind!r} (choose from {', '.join(EXECUTORS)})")
    before, _CURRENT = _CURRENT, ex
    try:
        yield ex
    finally:
        _CURRENT = before
        ex.close()


# ---------------------------------------------------------------- on the workers


def identity() -> tuple[str, str]:
    """(digest version, fingerprint of its code and result-affecting libraries)."""
    import digest
    from digest import cache

    return digest.__version__, cache.fingerprint()


def _worker_identity() -> tuple[str, str]:
    return identity()  # (on the worker: its own digest's)


def _mismatch(here: tuple[str, str], there: tuple[str, str], where: str) -> str | None:
    if there[0] != here[0]:
        return (
            f"Dask worker {where} runs digest {there[0]}, this build digest {here[0]}: "
            f"install digest {here[0]} on every worker (with its dask extra)"
        )
    if there[1] != here[1]:
        return (
            f"Dask worker {where} runs digest {there[0]} with other code or other versions "
            "of the libraries digest's results depend on; install the same digest and "
            "libraries on every worker (pip freeze here, pip install -r on the workers)"
        )
    return None


def _check_here(expected: tuple[str, str]) -> None:
    problem = _mismatch(expected, identity(), _worker_address())
    if problem:
        raise ExecutorError(problem)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # pragma: no cover
        return "?"


# What in the environment changes per-source results (see collect.SourceKeys).
_RESULT_ENV = ("SOURCE_DATE_EPOCH",)
_ENVIRON = threading.Lock()


def _environment() -> tuple[str | None, ...]:
    return tuple(os.environ.get(name) for name in _RESULT_ENV)


def _set_env(names: Sequence[str], values: Sequence[str | None]) -> None:
    for name, value in zip(names, values, strict=True):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _dask_chunk(expected: tuple, fn: Callable[..., Any], shared: Any, items: Sequence[Any]) -> list:
    _check_here(expected[:2])
    if shared is None:
        return [fn(item) for item in items]
    return [fn(shared, item) for item in items]


class _Local:
    """A source the client could not send: it is processed there."""

    def __init__(self, source: Any) -> None:
        self.source = source


def _outgoing(src: Any) -> Any:
    """What goes to a worker for one source: (source, bytes, mtime_ns), or _Local."""
    from digest.load import MAX_FILE_BYTES

    try:
        st = src.path.stat()
        if st.st_size > MAX_FILE_BYTES:
            return _Local(src)
        return (src, src.path.read_bytes(), st.st_mtime_ns)
    except OSError:
        return _Local(src)


def _dask_sources(
    expected: tuple, fn: Callable[..., Any], args: tuple, items: Sequence[Any]
) -> list:
    """On a worker: fn(source, *args) for each (source, bytes, mtime) sent, each read
    from a private copy of the file (same name, bytes and modification time), with the
    client's SOURCE_DATE_EPOCH (it clamps the dates scraped pages take from their file's
    time).  One chunk at a time per worker process, as the environment is the process's
    (the work holds the GIL: threads of one worker would not run it in parallel anyway)."""
    import dataclasses

    _check_here(expected[:2])
    out: list = []
    with _ENVIRON, tempfile.TemporaryDirectory(prefix="digest-") as tmp:
        _set_env(_RESULT_ENV, expected[2])
        for n, item in enumerate(items):
            if isinstance(item, _Local):
                out.append(item)
                continue
            src, data, mtime_ns = item
            folder = Path(tmp) / str(n)
            folder.mkdir()
            copy = folder / src.path.name
            copy.write_bytes(data)
            os.utime(copy, ns=(mtime_ns, mtime_ns))
            out.append(fn(dataclasses.replace(src, where=str(copy)), *args))
    return out
