"""Render workers inherit every template compiled: the build's own process renders the
first page of each template before they fork (each worker compiled the templates of the
pages after the first on its own).  The pages, their order and the error a failing page
raises are those of rendering them one by one."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pytest

from digest import build, pool, render
from digest.build import BuildOptions
from digest.config import load_config
from digest.errors import ThemeError
from tests.conftest import cold_tree, spy, tree

pytestmark = pytest.mark.skipif(not pool.can_fork(), reason="render workers need fork")


class _Pages:
    """A renderer of made-up pages: its template and path as its bytes."""

    def __init__(self, fail: str = "") -> None:
        self.fail = fail
        self.here: list[str] = []  # the pages this process rendered
        self.pid = os.getpid()

    def _render(self, job: render._Job) -> bytes:
        if job.path == self.fail:
            raise ThemeError(f"{job.template}: cannot render {job.path}")
        if os.getpid() == self.pid:
            self.here.append(job.path)
        return f"{job.template} {job.path}".encode()


def _jobs() -> list[render._Job]:
    names = ["article.html"] * 30 + ["edition.html"] * 10 + ["list.html"] * 10
    names[25], names[45] = "story.html", "email.html"
    return [render._Job(name, f"p{i}/", "", {}) for i, name in enumerate(names)]


def test_the_first_page_of_each_template_is_made_before_the_workers_and_in_order() -> None:
    jobs = _jobs()
    pages = _Pages()
    got = list(render.Renderer._render_parallel(pages, jobs, 2))  # type: ignore[arg-type]
    assert got == [render._hashed(f"{j.template} {j.path}".encode()) for j in jobs]
    firsts = {}
    for j in jobs:
        firsts.setdefault(j.template, j.path)
    assert set(firsts.values()) <= set(pages.here)
    assert len(pages.here) < len(jobs)  # (the workers made the rest)


def test_a_failing_page_made_early_raises_at_its_turn() -> None:
    jobs = _jobs()
    pages = _Pages(fail="p30/")  # the first edition page
    made = render.Renderer._render_parallel(pages, jobs, 2)  # type: ignore[arg-type]
    before = [next(made) for _ in range(30)]  # every page before it comes first
    assert before == [render._hashed(f"{j.template} {j.path}".encode()) for j in jobs[:30]]
    with pytest.raises(ThemeError, match="cannot render p30/"):
        next(made)


def test_a_site_rendered_by_workers_is_the_same_with_every_template_compiled_first(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = cold_tree(site, tmp_path)  # one process
    monkeypatch.setattr(pool, "PAGES", 0)
    here: list[str] = []
    spy(monkeypatch, render.Renderer, "_render", lambda r, job: here.append(job.template))
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "two", jobs=2))
    assert tree(tmp_path / "two") == want
    # (one page of each template here; before, the first page and none of the others)
    assert len(set(here)) >= 3 and len(here) == len(set(here))


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _worker_pids() -> set[int]:
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def _ended(pids: set[int]) -> bool:
    """Every one of the processes has ended (waited for up to 60 s: a bound on a
    loaded machine, not a timing)."""
    import time

    for _ in range(600):
        if not pids & _worker_pids():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("wait", [True, False])
def test_the_last_results_are_handed_out_with_or_without_waiting_for_the_workers(
    wait: bool,
) -> None:
    """ordered_map(wait=False): the same results in the same order; the workers end
    all the same (by the executor's thread), whether the consumer takes every result,
    stops after the last one or stops early."""
    items = list(range(100))
    got = list(pool.ordered_map(_square, items, 2, 3, wait=wait))
    assert [x for x, _ in got] == [i * i for i in items]
    workers = {pid for _, pid in got}
    assert os.getpid() not in workers and _ended(workers)
    # a consumer that takes exactly every result (as render does) and drops the map
    made = pool.ordered_map(_square, items, 2, 3, wait=wait)
    taken = [next(made) for _ in items]
    made.close()
    assert [x for x, _ in taken] == [i * i for i in items]
    assert _ended({pid for _, pid in taken})
    # and one that stops early: the queued work is dropped, the workers end
    made = pool.ordered_map(_square, items, 2, 3, wait=wait)
    first = [next(made) for _ in range(10)]
    made.close()
    assert [x for x, _ in first] == [i * i for i in range(10)]
    assert _ended({pid for _, pid in first})


def test_map_shared_waits_for_each_set_of_workers_but_the_last_when_asked() -> None:
    """map_shared(wait=False) over several rounds: a round's workers have ended when
    the next round's results come (the memory they copied is given back first); the
    results are those of waiting every time."""
    items = list(range(40))
    seen: list[tuple[int, set[int]]] = []
    for _x, pid in pool.map_shared(_square, None, items, 2, per_round=10, wait=False):
        seen.append((pid, _worker_pids()))
    assert [pid for pid, _ in seen] != [] and all(pid != os.getpid() for pid, _ in seen)
    by_round = [seen[i : i + 10] for i in range(0, 40, 10)]
    for before, after in pairwise(by_round):
        ended = {pid for pid, _ in before}
        assert not ended & after[0][1]  # (gone when the next round's first result came)
    got = list(pool.map_shared(_square, None, items, 2, per_round=10, wait=False))
    assert [x for x, _ in got] == [i * i for i in items]
