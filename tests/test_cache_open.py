"""Opening the cache is cheap after a clean close, and still catches damage.

The database's pages are checked (``PRAGMA quick_check``) only when the last
process that had it open did not close it cleanly; the library versions of the
fingerprint are remembered in the cache folder, asked again when a package is
installed or removed."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from conftest import build_site as run
from conftest import tree

from digest import cache


def _damage(db: Path) -> None:
    """Garbage over every page but the first (the header stays valid)."""
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(page, len(data), page):
        data[start : start + page] = b"\xa5" * min(page, len(data) - start)
    db.write_bytes(bytes(data))


def test_clean_close_leaves_no_open_marker(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "a")
    assert (site / ".digest-cache/cache.sqlite").exists()
    assert not (site / ".digest-cache" / cache._OPEN_MARK).exists()


def test_damaged_pages_after_an_unclean_close_are_caught(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "a")
    folder = site / ".digest-cache"
    _damage(folder / "cache.sqlite")
    (folder / cache._OPEN_MARK).touch()  # as a process killed with the cache open leaves
    cache._MEMORY.clear()
    result = run(site, output=tmp_path / "b")
    assert result.processed == 4
    assert result.cache_note and "unreadable" in result.cache_note
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    # and the rebuilt cache serves the next build
    assert run(site, output=tmp_path / "c").processed == 0


def test_damage_found_while_reading_is_checked_next_time(site: Path, tmp_path: Path) -> None:
    """Without the marker the pages are not checked at open: damage is found by the
    reads at open (then the cache is rebuilt at once), or by a later read, a miss
    that leaves the marker, so the next build checks and rebuilds the cache."""
    run(site, output=tmp_path / "a")
    folder = site / ".digest-cache"
    _damage(folder / "cache.sqlite")
    cache._MEMORY.clear()
    second = run(site, output=tmp_path / "b")
    assert second.processed == 4 and tree(tmp_path / "a") == tree(tmp_path / "b")
    cache._MEMORY.clear()
    if not second.cache_note:
        assert (folder / cache._OPEN_MARK).exists()
        third = run(site, output=tmp_path / "c")
        assert third.cache_note and "unreadable" in third.cache_note
        assert tree(tmp_path / "a") == tree(tmp_path / "c")
    assert run(site, output=tmp_path / "d").processed == 0  # a working cache again


def test_failed_read_leaves_the_marker(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path / "c")
    assert store.db is not None
    store.put("ns", "k", 1)
    store.db.execute("DROP TABLE entries")  # every read and write of entries fails now
    assert store.get("ns", "k") is None  # a miss, not a crash
    store.close()
    assert (tmp_path / "c" / cache._OPEN_MARK).exists()  # checked at the next open
    again = cache.Cache(tmp_path / "c")
    assert again.get("ns", "k") is None
    again.put("ns", "k", 2)
    assert again.get("ns", "k") == 2
    again.close()


def test_versions_are_remembered_per_set_of_installed_packages(tmp_path: Path) -> None:
    asked = cache._library_versions(None)
    assert ";numpy=" in asked
    assert cache._library_versions(tmp_path) == asked  # asked, and remembered
    memo = tmp_path / cache._VERSIONS_FILE
    assert memo.exists()
    # a remembered answer is used while sys.path's folders are as they were ...
    text = memo.read_text()
    memo.write_text(text.replace(";numpy=", ";numpy=0.0.0-remembered"))
    assert "numpy=0.0.0-remembered" in cache._library_versions(tmp_path)
    # ... and asked again when a package is installed or removed (a folder changes)
    extra = tmp_path / "site-packages"
    extra.mkdir()
    sys.path.append(str(extra))
    try:
        assert cache._library_versions(tmp_path) == asked
        memo.write_text(memo.read_text().replace(";numpy=", ";numpy=0.0.0-remembered"))
        (extra / "newpkg-1.0.dist-info").mkdir()
        st = os.stat(extra)
        os.utime(extra, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # coarse clocks
        assert cache._library_versions(tmp_path) == asked
    finally:
        sys.path.remove(str(extra))


def test_versions_stay_remembered_when_a_folder_changes_without_a_package(
    tmp_path: Path,
) -> None:
    """The site's folder is on sys.path when digest runs from it, and every build writes
    there: its mtime moving is no reason to ask importlib.metadata again."""
    asked = cache._library_versions(None)
    extra = tmp_path / "site"
    extra.mkdir()
    sys.path.append(str(extra))
    try:
        assert cache._library_versions(tmp_path) == asked
        memo = tmp_path / cache._VERSIONS_FILE
        memo.write_text(memo.read_text().replace(";numpy=", ";numpy=0.0.0-remembered"))
        (extra / "public").mkdir()
        st = os.stat(extra)
        os.utime(extra, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        assert "numpy=0.0.0-remembered" in cache._library_versions(tmp_path)
        (extra / "numpy-0.0.1.dist-info").mkdir()  # a package appears there: asked again
        os.utime(extra, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))
        assert cache._library_versions(tmp_path) == asked
    finally:
        sys.path.remove(str(extra))


def test_foreign_memo_is_ignored(tmp_path: Path) -> None:
    (tmp_path / cache._VERSIONS_FILE).write_text("[1, 2]")
    assert cache._library_versions(tmp_path) == cache._library_versions(None)
    (tmp_path / cache._VERSIONS_FILE).write_bytes(b"\xff\xfe junk")
    assert cache._library_versions(tmp_path) == cache._library_versions(None)


def test_clear_removes_the_whole_cache_folder(site: Path) -> None:
    run(site)
    folder = site / ".digest-cache"
    assert cache.clear(folder)
    assert not folder.exists()


def test_symlinked_marker_is_not_followed(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "a")
    folder = site / ".digest-cache"
    outside = tmp_path / "outside"
    (folder / cache._OPEN_MARK).symlink_to(outside)
    run(site, output=tmp_path / "b")
    assert not outside.exists()


def test_corrupt_database_file_is_still_rebuilt(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "a")
    db = site / ".digest-cache/cache.sqlite"
    db.write_bytes(b"not a database" * 1000)
    result = run(site, output=tmp_path / "b")
    assert result.cache_note and "unreadable" in result.cache_note
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    con.close()
