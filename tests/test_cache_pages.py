"""A new cache database is made with large pages (big values read faster); one made
with another page size is used as it is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from digest import cache


def _page_size(folder: Path) -> int:
    con = sqlite3.connect(folder / cache.DB_NAME)
    try:
        return con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()


def test_a_new_cache_has_large_pages_and_keeps_values(tmp_path: Path) -> None:
    folder = tmp_path / ".digest-cache"
    with cache.Cache(folder) as store:
        store.put("ns", "big", b"x" * 300_000)
    assert _page_size(folder) == cache.PAGE_SIZE
    with cache.Cache(folder) as store:
        assert not store.fresh
        assert store.get("ns", "big") == b"x" * 300_000


def test_a_cache_with_small_pages_is_used_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / ".digest-cache"
    folder.mkdir()
    con = sqlite3.connect(folder / cache.DB_NAME)
    con.execute("PRAGMA page_size=4096")
    con.execute("CREATE TABLE t (x)")  # (the first write fixes the page size)
    con.commit()
    con.close()
    with cache.Cache(folder) as store:
        store.put("ns", "k", {"a": 1})
    with cache.Cache(folder) as store:
        assert store.get("ns", "k") == {"a": 1}
    assert _page_size(folder) == 4096
