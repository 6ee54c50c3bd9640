"""A source's path is held as a str (digest.load.SourceFile.where) and made a Path when
asked: the sources a new process makes from the listings stored in the cache are the
ones discovery lists, with the same paths, and build the same site."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest import cache, collect, load
from digest.config import load_config
from digest.errors import Problems
from tests.conftest import build_site, tree, write_site


def test_a_path_given_is_held_as_its_str() -> None:
    a = load.SourceFile(Path("/site/content/a.md"), "a.md", "content/a.md")
    b = load.SourceFile("/site/content/a.md", "a.md", "content/a.md")
    assert a == b and a.where == "/site/content/a.md" and b.path == Path("/site/content/a.md")


def test_sources_from_stored_listings_are_the_discovered_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    monkeypatch.setattr(load, "_LISTING_AGE_NS", -(10**12))  # (kept though made just now)
    first = build_site(site, output=tmp_path / "out")
    cfg = load_config(site / "site.yaml")
    store = cache.Cache(cfg.cache_dir)
    try:
        listed = collect._stored_listings(store, cfg.content)
    finally:
        store.close()
    assert listed  # (what a new process starts from)
    stored = [f for it in listed.values() for f in it.files]
    found = load.discover(cfg.content, Problems())
    assert sorted(stored, key=lambda s: s.rel) == sorted(found, key=lambda s: s.rel)
    for src in stored:
        assert src.path.is_file() and str(src.path) == src.where
    # a build from them (a new process: the listings read back) makes the same site
    again = build_site(site, output=tmp_path / "again")
    assert again.pages == first.pages
    assert tree(tmp_path / "again") == tree(tmp_path / "out")
