"""The digest index (each source's stamp and sha256, see digest.collect.Digests) is
written by a new process's build only when it differs from the stored one in more than
a few files: after an edit of one article the next new process hashes that file again
(its stamp moved) and builds the edit, whatever the index says."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from digest import cache, collect
from digest.config import load_config
from tests.conftest import build_site, tree, write_site

EDITED = "world/2026-03-05-harbour-funding.md"


def _index_time(site: Path) -> int:
    store = cache.Cache(load_config(site / "site.yaml").cache_dir)
    try:
        rows = store.db.execute(  # type: ignore[union-attr]
            "SELECT k FROM entries WHERE ns='digests'"
        ).fetchall()
        assert len(rows) == 1
        got = store.get("digests", rows[0][0], collect.DigestIndex)
        assert isinstance(got, collect.DigestIndex)
        return got.time
    finally:
        store.close()


def _old_site(tmp_path: Path) -> Path:
    """A site whose files were last changed an hour ago (none within a second of an index
    written now, which each build would hash again)."""
    site = write_site(tmp_path / "site")
    then = time.time() - 3600
    for p in (site / "content").rglob("*.md"):
        os.utime(p, (then, then))
    return site


def _shown(out: Path, words: str) -> bool:
    return any(words.encode() in data for data in tree(out).values())


def _append(site: Path, sentence: str) -> None:
    with open(site / "content" / EDITED, "a", encoding="utf-8") as f:
        f.write(f"\n{sentence}\n")


def test_an_edit_keeps_the_stored_index_and_is_built(tmp_path: Path) -> None:
    site, out = _old_site(tmp_path), tmp_path / "out"
    build_site(site, output=out)
    written = _index_time(site)
    _append(site, "The harbour board met on Tuesday to approve the plans.")
    build_site(site, output=out)
    assert _index_time(site) == written  # (one file moved: not written again)
    assert _shown(out, "approve the plans")
    # the index still holds the file's first stamp: hashed again, the next edit is seen
    _append(site, "Work on the north pier starts in May.")
    build_site(site, output=out)
    assert _index_time(site) == written
    assert _shown(out, "approve the plans") and _shown(out, "north pier starts in May")


def test_many_moved_files_write_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = _old_site(tmp_path), tmp_path / "out"
    build_site(site, output=out)
    written = _index_time(site)
    monkeypatch.setattr(collect, "_FEW", 0)  # (any file moved is more than a few)
    _append(site, "The harbour board met on Tuesday to approve the plans.")
    build_site(site, output=out)
    assert _index_time(site) > written
    assert _shown(out, "approve the plans")
