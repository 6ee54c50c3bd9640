"""A new cache database is made with large pages (big values read faster); one made
with smaller pages is used as it is, unless it is of another digest (nothing in it is of
use): then a new one is made."""

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


def _small_pages(folder: Path, fingerprint: str) -> None:
    """A cache database of 4 KB pages made for ``fingerprint`` (this digest's: holding
    one value)."""
    folder.mkdir()
    con = sqlite3.connect(folder / cache.DB_NAME)
    con.execute("PRAGMA page_size=4096")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT)")
    con.execute("CREATE TABLE entries (ns TEXT, k TEXT, sum TEXT, v BLOB, PRIMARY KEY (ns, k))")
    con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
    con.commit()
    con.close()
    if fingerprint == cache.fingerprint():
        with cache.Cache(folder) as store:
            store.put("ns", "k", {"a": 1})


def test_a_cache_of_this_digest_with_small_pages_is_used_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / ".digest-cache"
    _small_pages(folder, cache.fingerprint())
    with cache.Cache(folder) as store:
        assert not store.fresh
        assert store.get("ns", "k") == {"a": 1}
    assert _page_size(folder) == 4096


def test_a_cache_of_another_digest_with_small_pages_starts_over_with_large_ones(
    tmp_path: Path,
) -> None:
    folder = tmp_path / ".digest-cache"
    _small_pages(folder, "another digest")
    with cache.Cache(folder) as store:
        assert store.fresh and store.rebuilt_reason == "digest or a library changed"
        store.put("ns", "k", {"b": 2})
    assert _page_size(folder) == cache.PAGE_SIZE
    with cache.Cache(folder) as store:
        assert not store.fresh
        assert store.get("ns", "k") == {"b": 2}
