"""Worker processes for the stages that split their work over all cores.

Workers are forked (where the platform can), so they start with what the
parent already holds (loaded stemmers, templates, the entries to render)
instead of receiving it pickled; only each item and its result cross the
pipe.  Results come back in input order, so output never depends on the
number of workers.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any

# When a stage splits its work over worker processes: below these sizes starting the
# workers costs more than it saves (measured on 2 cores with bench/build_speed.py).
ARTICLES = 48  # articles to read, clean and summarize
PAGES = 200  # pages to render
ROWS_PER_WORKER = 1000  # related-link rows per worker
# Pages rendered by one set of forked workers before a fresh set takes over (see
# map_shared): each fork costs ~20 ms at 10,000 articles; each set's workers grow by
# the parent's memory pages they copy, ~330 MiB in all by the end of a round of 10,000
# listing pages at 100,000 articles.  A page counts as 1 + the objects it shows (its
# deps: ~8 for an article page, ~25 for a page of a listing), PAGES_PER_ROUND x 10 a round.
PAGES_PER_ROUND = 5_000

# What forked workers of map_shared read: set in the parent before the workers fork,
# inherited copy-on-write, never pickled.
_SHARED: Any = None


def workers(jobs: int | None) -> int:
    """Worker processes for ``--jobs`` (None: one per core)."""
    return max(1, jobs or os.cpu_count() or 1)


# multiprocessing and concurrent.futures (~25 ms to import) are imported when workers
# are started: a one-article rebuild does its little work in the build's own process.


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def ordered_map(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    n_workers: int,
    chunksize: int | None = None,
    wait: bool = True,
) -> Iterator[Any]:
    """fn(item) for each item, in order, computed by ``n_workers`` worker processes.

    ``fn`` must be a module-level function (it is sent to the workers by name).
    ``wait=False``: once every result is here, the workers are told to stop and the last
    results are handed out at once; the workers end meanwhile (the executor's thread
    joins them), not before them (a consumer that stops early still waits for them).
    """
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = chunksize or max(1, min(32, len(items) // (n_workers * 8)))
    starts = range(0, len(items), chunk)
    pool = ProcessPoolExecutor(
        max_workers=n_workers,
        mp_context=ctx,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )

    # At most AHEAD chunks a worker submitted and not yet taken by the consumer:
    # Executor.map submits them all, and results the consumer has not taken yet wait
    # here (rendered pages while publish writes them: +100 MiB at 10,000 articles
    # when tracemalloc slowed the parent; not seen when it keeps up)
    def submit(start: int) -> Future[list[Any]]:
        return pool.submit(_chunk, fn, items[start : start + chunk])

    done = False  # (every result here, the workers told to stop without waiting)
    try:
        for i, future in enumerate(in_order(submit, starts, AHEAD * n_workers), 1):
            got = future.result()
            if not wait and i == len(starts):
                # (a consumer that takes the last results and goes on waited here for
                # the workers to end: 15-50 ms of a cold BBC build's render)
                pool.shutdown(wait=False)
                done = True
            yield from got
    except BaseException:  # an error, or the consumer stopped: drop the queued work
        if not done:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=wait)


# Chunks of ordered_map submitted ahead of the consumer, per worker
AHEAD = 4


def in_order(
    submit: Callable[[int], Any], starts: Iterable[int], ahead: int
) -> Generator[Any, None, None]:
    """The futures of submit(start) for each start, in order, with at most ``ahead`` of
    them submitted beyond the one the consumer waits for: results not taken yet are held
    by the futures, so a consumer slower than the workers does not fill the memory.  The
    ones not handed out are cancelled when the consumer stops."""
    flight: deque[Any] = deque()
    try:
        for start in starts:
            flight.append(submit(start))
            if len(flight) > ahead:
                yield flight.popleft()
        while flight:
            yield flight.popleft()
    finally:
        for future in flight:
            future.cancel()


def _chunk(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    return [fn(item) for item in items]


def map_shared(
    fn: Callable[[Any], Any],
    shared: Any,
    items: Sequence[Any],
    n_workers: int,
    chunksize: int = 1,
    per_round: int | None = None,
    costs: Sequence[int] | None = None,
    wait: bool = True,
) -> Iterator[Any]:
    """fn(item) for each item, in order, in forked workers that read ``shared()`` for what
    all items need (a renderer and its jobs, the related-link vectors): it is inherited
    when the workers fork instead of being sent to each.

    ``per_round``: at most this many items per set of workers (with ``costs``, items
    costing at most this much in all, but at least one item), each set forked when the
    last has finished.  A worker that reads the parent's objects writes their reference
    counts, which copies every page of them it reads into the worker; workers that read
    only a part of them each hold only that part's pages (rendering 100,000 articles' pages,
    two workers held ~580 MiB of such copies each).

    ``wait=False``: the last set of workers ends while the consumer takes the last results
    (see ordered_map); a set before it has ended before the next forks, as always."""
    global _SHARED
    _SHARED = shared
    bounds = _rounds(len(items), per_round, costs)
    try:
        for start, stop in pairwise(bounds):
            if start:  # (what the last round's results took, given back before forking)
                give_back_freed_memory()
            last = stop == len(items)
            yield from ordered_map(fn, items[start:stop], n_workers, chunksize, wait or not last)
    finally:
        _SHARED = None


def _rounds(n: int, per_round: int | None, costs: Sequence[int] | None) -> list[int]:
    """Where each round of map_shared starts, and n."""
    if n == 0:
        return [0]  # (no round)
    if not per_round:
        return [0, n]
    if costs is None:
        return [*range(0, n, per_round), n]
    bounds, spent = [0], 0
    for i, cost in enumerate(costs):
        if spent and spent + cost > per_round:
            bounds.append(i)
            spent = 0
        spent += cost
    return [*bounds, n]


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim), where there
    is such a call: what was freed stays in the process's heap otherwise, counted in its
    memory and in each worker forked from it."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # (not glibc: musl, macOS, Windows)
        return
    trim(0)


def shared() -> Any:
    """In a worker of map_shared: what the parent shared."""
    assert _SHARED is not None, "pool.shared() outside a map_shared worker"
    return _SHARED


def _die_with_parent(parent: int) -> None:
    """Worker start: on Linux, ask to be killed when the parent dies (even by SIGKILL),
    so no orphaned worker keeps the terminal or a pipe open.  A worker collects its own
    cyclic garbage even when its parent does not (a one-shot build: see
    digest.commands.build), and leaves the parent's objects it was forked with alone: a
    parent that never collected holds them all in the youngest generation, and a walk of
    them would copy every page of them into the worker."""
    gc.freeze()
    gc.enable()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover
            pass
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
