"""What a large build does to stay within memory: render workers forked afresh every
pool.PAGES_PER_ROUND pages (each holds copies of the parent's pages it read, see
pool.map_shared), and a one-shot build of build.LIGHTEN_AT articles or more lets go of
the items and related state before it renders.  Neither may change a byte of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest import build, pool
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
    spy(monkeypatch, build, "_give_back_freed_memory", lambda: calls.append(1))
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "a", jobs=1))
    assert calls and tree(tmp_path / "a") == want

    import ctypes

    def no_such_library(*args: object) -> None:
        raise OSError("no C library here")

    monkeypatch.setattr(ctypes, "CDLL", no_such_library)
    build.build(load_config(site / "site.yaml"), BuildOptions(output=tmp_path / "b", jobs=1))
    assert len(calls) == 2 and tree(tmp_path / "b") == want
