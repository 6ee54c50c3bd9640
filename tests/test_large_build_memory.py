"""What a large build does to stay within memory: render workers forked afresh every
pool.PAGES_PER_ROUND pages (each holds copies of the parent's pages it read, see
pool.map_shared), and a one-shot build of build.LIGHTEN_AT articles or more lets go of
the items and related state before it renders.  Neither may change a byte of the site."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from digest import build, pool, render
from digest.build import BuildOptions
from digest.config import load_config
from tests.conftest import cold_tree, spy, tree


def test_pages_rendered_by_a_fresh_set_of_workers_each_round_are_the_same(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = cold_tree(site, tmp_path)  # one process
    monkeypatch.setattr(pool, "PAGES", 0)
    monkeypatch.setattr(pool, "PAGES_PER_ROUND", 4)
    sets: list[object] = []
    spy(monkeypatch, pool, "ordered_map", lambda *a, **k: sets.append(a))
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "two", jobs=2))
    assert len(sets) > 2  # several sets of workers, one after another
    assert tree(tmp_path / "two") == want


def test_pages_showing_many_entries_are_rendered_by_the_build_not_a_worker(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive shows every article: a worker rendering it would copy the memory of
    all of them (the build's own process holds them anyway).  The site is the same."""
    want = cold_tree(site, tmp_path)  # one process
    monkeypatch.setattr(pool, "PAGES", 0)
    monkeypatch.setattr(render, "WIDE_PAGE", 3)
    here: list[str] = []
    parent = os.getpid()
    spy(monkeypatch, render.Renderer, "_render", lambda r, job: here.append(job.out))
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "two", jobs=2))
    assert tree(tmp_path / "two") == want
    assert os.getpid() == parent  # (what the workers rendered was never listed here)
    assert "archive/index.html" in here
    articles = [p for p in want if p.count("/") == 2 and p.endswith("/index.html")]
    assert articles and not set(articles) <= set(here)  # (the workers made the rest)


@pytest.mark.parametrize("leftovers", [None, []])
def test_a_large_one_shot_build_that_lets_go_early_builds_the_same_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leftovers: list | None
) -> None:
    want = cold_tree(site, tmp_path)
    monkeypatch.setattr(build, "LIGHTEN_AT", 1)
    for _ in range(2):  # cold, then from the cache
        build.build(
            load_config(site / "site.yaml"),
            BuildOptions(output=tmp_path / "out", jobs=1),
            leftovers=leftovers,
        )
        assert tree(tmp_path / "out") == want


def test_a_lightened_build_gives_the_freed_heap_back_and_builds_the_same_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the stages before rendering freed is returned to the system before render
    forks its workers (where the C library can: glibc's malloc_trim); where it cannot,
    the build goes on the same."""
    want = cold_tree(site, tmp_path)
    monkeypatch.setattr(build, "LIGHTEN_AT", 1)
    calls: list[object] = []
    spy(monkeypatch, pool, "give_back_freed_memory", lambda: calls.append(1))
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "a", jobs=1))
    assert calls and tree(tmp_path / "a") == want

    import ctypes

    def no_such_library(*args: object) -> None:
        raise OSError("no C library here")

    monkeypatch.setattr(ctypes, "CDLL", no_such_library)
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "b", jobs=1))
    assert len(calls) == 2 and tree(tmp_path / "b") == want


def _marked(item: tuple[str, int]) -> int:
    folder, i = item
    Path(folder, f"{i}.done").touch()
    return i


def test_workers_run_only_a_few_chunks_ahead_of_a_slow_consumer(tmp_path: Path) -> None:
    """Results wait in the parent until the consumer takes them (rendered pages while
    publish writes them): the workers are handed only pool.AHEAD chunks each beyond what
    was taken, not every item at once, so a slow consumer does not fill the memory."""
    items = [(str(tmp_path), i) for i in range(120)]
    ahead = pool.AHEAD * 2  # chunks of one item, two workers
    got = []
    for i in pool.ordered_map(_marked, items, 2, chunksize=1):
        got.append(i)
        if i % 10 == 0:
            time.sleep(0.2)  # (a slow consumer: the workers would be done with all items)
            done = len(list(tmp_path.glob("*.done")))
            assert done <= i + 1 + ahead, (i, done)
    assert got == list(range(120))


def test_a_round_of_workers_takes_pages_by_what_they_show() -> None:
    """Rounds of render workers end when their pages' costs (1 + the objects each shows)
    reach the budget: fewer pages of a listing (each showing many entries) than of
    articles in a round, and never an empty round."""
    assert pool._rounds(10, None, None) == [0, 10]
    assert pool._rounds(10, 4, None) == [0, 4, 8, 10]
    assert pool._rounds(6, 20, [9, 9, 26, 26, 9, 9]) == [0, 2, 3, 4, 6]
    assert pool._rounds(3, 5, [30, 1, 1]) == [0, 1, 3]  # (one item over the budget: alone)
    assert pool._rounds(0, 5, []) == [0]  # (no round, no workers)


class _Future:
    def __init__(self, start: int) -> None:
        self.start, self.cancelled = start, False

    def cancel(self) -> None:
        self.cancelled = True


def test_futures_in_order_stay_a_few_ahead_and_the_rest_are_cancelled() -> None:
    """pool.in_order (the local workers' and the Dask cluster's chunks): each future is
    handed out in order with at most ``ahead`` more submitted; those submitted and not
    handed out when the consumer stops are cancelled."""
    submitted: list[_Future] = []

    def submit(start: int) -> _Future:
        submitted.append(_Future(start))
        return submitted[-1]

    futures = pool.in_order(submit, range(0, 100, 10), 3)
    for i, future in enumerate(futures):
        assert future.start == 10 * i
        assert len(submitted) <= i + 1 + 3
        if i == 4:
            break
    futures.close()
    assert [f.start for f in submitted if f.cancelled] == [50, 60, 70]
    assert list(pool.in_order(submit, range(3), 5)) == submitted[-3:]


def test_article_page_identities_are_made_one_at_a_time_for_their_keys(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article page's identity (what its key is made from) is made when its key is,
    and let go of then: not one for every article held until the last key (~1.5 KB an
    article, before the render workers fork).  The site is the same."""
    import weakref

    want = cold_tree(site, tmp_path)
    alive: weakref.WeakSet = weakref.WeakSet()
    most = [0]
    made = render.article_ident

    class Ident(list):  # (a list that a weak reference can follow, in a WeakSet)
        __hash__ = object.__hash__

    def ident(*args: object) -> object:
        got = made(*args)  # type: ignore[arg-type]
        if got is None:
            return None
        out = Ident(got)
        alive.add(out)
        most[0] = max(most[0], len(alive))
        return out

    monkeypatch.setattr(render, "article_ident", ident)
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "two", jobs=1))
    assert tree(tmp_path / "two") == want
    assert most[0] == 1  # (each gone before the next was made)
