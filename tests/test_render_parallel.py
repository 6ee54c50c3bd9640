"""Render workers inherit every template compiled: the build's own process renders the
first page of each template before they fork (each worker compiled the templates of the
pages after the first on its own).  The pages, their order and the error a failing page
raises are those of rendering them one by one."""

from __future__ import annotations

import os
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
