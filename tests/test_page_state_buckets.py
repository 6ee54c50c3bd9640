"""A new process's build writes back only the buckets of the stored page state that hold
a page whose entry changed (see digest.render.Renderer.flush), and the state it leaves
still describes every page: the next build renders nothing it need not."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from conftest import build_once, cold_tree, spy, tree
from storysite import story_site

from digest import cache, render

MOTHS = "content/science/2026-11-25-moths.md"


def _written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The page-state buckets the builds write from now on."""
    got: list[str] = []

    def record(_store: Any, ns: str, items: dict[str, Any]) -> None:
        if ns == render._STATE_NS:
            got.extend(items)

    spy(monkeypatch, cache.Cache, "put_many", record)
    return got


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    spy(monkeypatch, render.Renderer, "_render", lambda _r, job: made.append(job.out))
    return made


def test_an_edit_writes_the_buckets_of_its_pages_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = story_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    written = _written(monkeypatch)
    f = root / MOTHS
    f.write_text(f.read_text() + "\nLepidopterists catalogued specimens.\n")
    build_once(root, tmp_path / "out")
    assert 0 < len(written) < render._STATE_BUCKETS
    with cache.Cache(root / ".digest-cache") as store:
        state = render._read_state(store)
    assert state["science/moths/index.html"][1] == _sha256(
        tmp_path / "out/science/moths/index.html"
    )
    made = _rendered(monkeypatch)
    build_once(root, tmp_path / "out")
    assert made == []
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


def test_a_lost_bucket_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = story_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    lost = f"{render._STATE_KEY}-{render._bucket('science/moths/index.html')}"
    with cache.Cache(root / ".digest-cache") as store:
        assert store.get(render._STATE_NS, lost)
        store.put(render._STATE_NS, lost, "garbage")
    made = _rendered(monkeypatch)
    build_once(root, tmp_path / "out")
    assert "science/moths/index.html" in made  # (its page unknown: made again)
    with cache.Cache(root / ".digest-cache") as store:
        assert "science/moths/index.html" in store.get(render._STATE_NS, lost)
    made.clear()
    build_once(root, tmp_path / "out")
    assert made == []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
