"""load.discover hands the stat of each source it looked at to its caller (collect's cache
keys use it instead of asking again): it must be what os.stat says of the file, whether
the folder was listed or its listing was read back from the cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest import load
from digest.config import load_config
from digest.errors import Problems
from tests.conftest import build_site, write_site


def _stats(site: Path, last: dict | None = None) -> tuple[dict, dict, list]:
    cfg = load_config(site / "site.yaml")
    stats: dict[str, os.stat_result] = {}
    keep: dict[str, load.Listing] = {}
    found = load.discover(cfg.content, Problems(), last or {}, keep, stats)
    return stats, keep, found


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ino, a.st_mode) == (
        b.st_size,
        b.st_mtime_ns,
        b.st_ino,
        b.st_mode,
    )


def _each_sources_own(stats: dict, found: list) -> None:
    assert found and sorted(stats) == sorted(s.rel for s in found)
    for s in found:
        assert _same(stats[s.rel], os.stat(s.path))


def test_listed_folders_give_each_sources_stat(site: Path) -> None:
    stats, _keep, found = _stats(site)
    _each_sources_own(stats, found)


def test_a_listing_read_back_gives_each_sources_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    monkeypatch.setattr(load, "_LISTING_AGE_NS", -(10**12))  # (kept though made just now)
    _stats0, keep, _found = _stats(site)
    assert keep  # listings kept for the next build
    read_back = {
        k: load.Listing(v.stamp, v.top, v.rel, v.files, v.folders, seen=False)
        for k, v in keep.items()
    }
    stats, _keep, found = _stats(site, read_back)
    _each_sources_own(stats, found)


def test_an_edit_is_seen_by_a_new_process_with_cached_listings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The stat collect takes from discover is the file's as it is now, not the last build's.)"""
    site = write_site(tmp_path / "site")
    monkeypatch.setattr(load, "_LISTING_AGE_NS", -(10**12))
    build_site(site)
    build_site(site)  # listings now read back from the cache
    md = sorted((site / "content").rglob("*.md"))[0]
    md.write_text(md.read_text(encoding="utf-8") + "\nAn added sentence about zebras.\n", "utf-8")
    build_site(site)
    assert any("zebras" in p.read_text("utf-8") for p in (site / "public").rglob("index.html"))
