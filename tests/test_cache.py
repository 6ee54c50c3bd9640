"""Cached, incremental, parallel builds give the same bytes as a cold build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import build_site as run
from conftest import tree

from digest import cache, collect, pool
from digest.cli import main
from digest.errors import ThemeError


def test_rebuild_with_nothing_changed_redoes_nothing(site: Path) -> None:
    first = run(site)
    assert first.processed == 4 and first.written == first.pages
    before = {p: p.stat().st_ino for p in (site / "public").rglob("*.html")}
    second = run(site)
    assert second.processed == 0 and second.written == 0
    after = {p: p.stat().st_ino for p in (site / "public").rglob("*.html")}
    assert before == after  # files were not rewritten (same inodes, hard-linked)


def test_editing_one_article_reprocesses_only_it(site: Path) -> None:
    run(site)
    f = site / "content/science/2026-03-03-moth-survey.md"
    f.write_text(f.read_text().replace("312 species", "313 species"))
    result = run(site)
    assert result.processed == 1
    assert 0 < result.written < result.pages
    assert "313 species" in (site / "public/science/moth-survey/index.html").read_text()


def test_cache_gives_same_bytes_as_cold_build(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "warm1")
    run(site, output=tmp_path / "warm2")  # from the cache
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm2") == tree(tmp_path / "cold") == tree(tmp_path / "warm1")


def test_changed_setting_invalidates(site: Path) -> None:
    run(site)
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "summary:\n  sentences: 1\n")
    assert run(site).processed == 4


def test_corrupt_cache_is_detected_and_rebuilt(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "a")
    db = site / ".digest-cache/cache.sqlite"
    db.write_bytes(b"not a database" * 1000)
    result = run(site, output=tmp_path / "b")
    assert result.processed == 4
    assert result.cache_note and "unreadable" in result.cache_note
    assert not result.warnings  # a rebuilt cache is not the user's mistake
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_tampered_entry_is_not_trusted(site: Path, tmp_path: Path) -> None:
    import sqlite3

    run(site, output=tmp_path / "a")
    con = sqlite3.connect(site / ".digest-cache/cache.sqlite")
    con.execute("UPDATE entries SET v = X'4a00'")  # wrong checksum, broken blob
    con.commit()
    con.close()
    cache._MEMORY.clear()  # as in a new process: nothing decoded in memory
    result = run(site, output=tmp_path / "b")
    assert result.processed == 4 and tree(tmp_path / "a") == tree(tmp_path / "b")


def test_a_stored_value_with_one_byte_changed_is_a_miss(site: Path, tmp_path: Path) -> None:
    """A value damaged in place (one byte of its blob changed, its checksum left as it
    was) fails its checksum: the articles are made again, as a cold build makes them."""
    import sqlite3

    run(site, output=tmp_path / "a")
    con = sqlite3.connect(site / ".digest-cache/cache.sqlite")
    rows = con.execute("SELECT ns, k, v FROM entries WHERE ns = 'source'").fetchall()
    assert len(rows) == 4
    for ns, k, blob in rows:
        at = len(blob) // 2
        damaged = blob[:at] + bytes([blob[at] ^ 0x04]) + blob[at + 1 :]
        con.execute("UPDATE entries SET v = ? WHERE ns = ? AND k = ?", (damaged, ns, k))
    con.commit()
    con.close()
    cache._MEMORY.clear()
    result = run(site, output=tmp_path / "b")
    assert result.processed == 4 and tree(tmp_path / "a") == tree(tmp_path / "b")


def test_entry_of_the_wrong_shape_is_a_miss(site: Path, tmp_path: Path) -> None:
    """A value with a valid checksum that does not decode as what the reader expects
    (a foreign or older writer) is recomputed, not trusted or crashed on."""
    import sqlite3

    run(site, output=tmp_path / "a")
    con = sqlite3.connect(site / ".digest-cache/cache.sqlite")
    for blob in (b"M\x81\xa1a\x01", b"Z" + b"x" * 10, b"?junk"):  # {"a": 1}, bad zlib, bad tag
        con.execute(
            "UPDATE entries SET v = ?, sum = ? WHERE ns IN ('source', 'related')",
            (blob, cache.checksum(blob)),
        )
        con.commit()
        cache._MEMORY.clear()
        result = run(site, output=tmp_path / "b")
        assert result.processed == 4 and tree(tmp_path / "a") == tree(tmp_path / "b")
    con.close()


def test_entry_that_decodes_but_holds_impossible_values_is_a_miss(
    site: Path, tmp_path: Path
) -> None:
    """Cache values with valid checksums and the right shape but impossible contents
    (term ids out of range or out of order, counts that are not positive, a file index
    of wrong types) are recomputed: the site is the same as a cold build's."""
    import dataclasses
    import struct

    run(site, output=tmp_path / "a")
    bad_terms = [
        ([-5, 7], [1, 1]),
        ([3, 1 << 30], [1, 1]),
        ([9, 4], [1, 1]),  # not increasing
        ([1, 2], [1, 0]),  # a zero count
    ]
    for ids, counts in bad_terms:
        with cache.Cache(site / ".digest-cache") as store:
            keys = [k for (k,) in store.db.execute("SELECT k FROM entries WHERE ns='source'")]
            stored = store.get_many("source", keys, collect.Stored)
            assert len(stored) == 4
            store.put_many(
                "source",
                {
                    k: dataclasses.replace(
                        v,
                        term_ids=struct.pack("<2i", *ids),
                        term_counts=struct.pack("<2i", *counts),
                    )
                    for k, v in sorted(stored.items())[1:3]  # two of the four: found by halving
                },
            )
            rows = store.db.execute("SELECT k FROM entries WHERE ns='digests'")
            store.put_many("digests", {k: {"time": "soon", "files": {"a": "b"}} for (k,) in rows})
        cache._MEMORY.clear()
        result = run(site, output=tmp_path / "b")
        assert result.processed == 2 and tree(tmp_path / "a") == tree(tmp_path / "b")


def test_no_cache_writes_no_cache(site: Path) -> None:
    assert main(["build", "--config", str(site / "site.yaml"), "-q", "--no-cache"]) == 0
    assert not (site / ".digest-cache").exists()


def test_clean_command(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(site)
    assert (site / ".digest-cache").is_dir()
    assert main(["clean", "--config", str(site / "site.yaml")]) == 0
    assert not (site / ".digest-cache").exists() and (site / "public").is_dir()
    assert main(["clean", "--config", str(site / "site.yaml"), "--all"]) == 0
    assert not (site / "public").exists()


def test_clean_removes_the_serve_preview_folder_unless_a_preview_is_using_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    from digest.publish import PREVIEW_LOCK, try_hold
    from digest.serve import preview_folder

    run(site)
    kept = preview_folder(site / "site.yaml")  # (as digest serve takes it)
    assert kept is not None
    output, held = kept
    run(site, output=output)
    assert main(["clean", "--config", str(site / "site.yaml")]) == 0
    assert "a digest serve of this site is using it" in capsys.readouterr().out
    assert (output / "index.html").is_file()  # (never deleted under a running preview)
    os.close(held)
    assert main(["clean", "--config", str(site / "site.yaml")]) == 0
    assert not (site / ".digest-cache").exists()
    again = preview_folder(site / "site.yaml")  # (made anew by the next preview)
    assert again is not None and try_hold(again[0].parent / PREVIEW_LOCK) is None
    os.close(again[1])


def test_worker_count_does_not_change_output(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "ARTICLES", 0)
    monkeypatch.setattr(pool, "PAGES", 0)  # pages rendered by workers too
    run(site, output=tmp_path / "one", jobs=1, use_cache=False)
    run(site, output=tmp_path / "two", jobs=2, use_cache=False)
    run(site, output=tmp_path / "three", jobs=3)  # and with the cache
    assert tree(tmp_path / "one") == tree(tmp_path / "two") == tree(tmp_path / "three")
    f = site / "content/science/2026-03-03-moth-survey.md"
    f.write_text(f.read_text().replace("312 species", "313 species"))
    run(site, output=tmp_path / "three", jobs=3)  # a few pages re-rendered by workers
    run(site, output=tmp_path / "cold", jobs=1, use_cache=False)
    assert tree(tmp_path / "three") == tree(tmp_path / "cold")


def test_template_error_in_a_worker_is_reported_with_file_and_line(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "PAGES", 0)
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        "<p>{{ article.title }}</p>\n{% if article.slug == 'moth-survey' %}{{ nope.x }}{% endif %}\n"
    )
    with pytest.raises(ThemeError) as exc:  # as the CLI shows it: file:line: message
        run(site, output=tmp_path / "out", jobs=2, use_cache=False)
    assert "article.html:2: undefined variable: 'nope'" in str(exc.value)
    assert not (tmp_path / "out").exists()  # nothing published


@pytest.mark.skipif(not hasattr(os, "link"), reason="needs hard links")
def test_removed_article_disappears_after_cached_build(site: Path) -> None:
    run(site)
    (site / "content/world/2026-03-05-harbour-funding.md").unlink()
    run(site)
    assert not (site / "public/world/harbour-funding").exists()
    assert "harbour-funding" not in (site / "public/world/harbour-wall/index.html").read_text()


def test_template_or_site_change_re_renders_cached_pages(site: Path) -> None:
    run(site)
    (site / "templates").mkdir()
    (site / "templates/_meta.html").write_text('<p class="meta">CUSTOM META</p>\n')
    run(site)
    assert "CUSTOM META" in (site / "public/world/index.html").read_text()
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text().replace("Test Digest", "Renamed Digest")
    )
    run(site)
    assert "Renamed Digest" in (site / "public/world/harbour-wall/index.html").read_text()


def test_related_title_change_updates_linking_pages(site: Path) -> None:
    run(site)
    f = site / "content/world/2026-03-05-harbour-funding.md"
    f.write_text(f.read_text().replace("gets extra funding", "gets a cash boost"))
    run(site)
    page = (site / "public/world/harbour-wall/index.html").read_text()
    assert "Port Ellis harbour wall gets a cash boost" in page


def test_edits_update_related_links_exactly_as_a_cold_build(site: Path, tmp_path: Path) -> None:
    run(site, output=tmp_path / "warm")
    f = site / "content/science/2026-03-07-moth-followup.md"
    f.write_text(f.read_text() + "\nThe harbour wall repairs in Port Ellis were mentioned too.\n")
    run(site, output=tmp_path / "warm")  # related links updated incrementally
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")


def test_related_links_turned_off_survive_an_edit(site: Path, tmp_path: Path) -> None:
    """related.count: 0 (no related links) and an edited article: the rebuild updates the
    related state like any other (it crashed there once)."""
    cfg = site / "site.yaml"
    cfg.write_text(cfg.read_text().replace("related:\n", "related:\n  count: 0\n"))
    run(site)
    f = site / "content/science/2026-03-03-moth-survey.md"
    f.write_text(f.read_text().replace("312 species", "313 species"))
    run(site)
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(site / "public") == tree(tmp_path / "cold")
    assert "Related" not in (site / "public/science/moth-survey/index.html").read_text()


def test_only_a_long_lived_process_keeps_values_in_memory(site: Path) -> None:
    cache._MEMORY.clear()
    run(site)
    assert not cache._MEMORY  # a one-off build keeps nothing beyond its own run
    run(site, remember=True)
    assert any(ns == "source" and len(v) == 4 for (_, ns), v in cache._MEMORY.items())
    cache._MEMORY.clear()


def test_same_size_same_mtime_edit_right_after_a_build_is_seen(site: Path) -> None:
    """Like git's "racy" rule: a file whose mtime is within a second of the last build is
    read again even when its size and mtime look unchanged."""
    f = site / "content/science/2026-03-03-moth-survey.md"
    run(site)
    st = f.stat()
    f.write_text(f.read_text().replace("312 species", "321 species"))  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
    assert run(site).processed == 1
    assert "321 species" in (site / "public/science/moth-survey/index.html").read_text()


def test_unchanged_files_are_not_read_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = 1_600_000_000 * 10**9  # files last written long before the build
    for f in (site / "content").rglob("*.md"):
        os.utime(f, ns=(old, old))
    run(site)
    reads: list[Path] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        if self.suffix == ".md":
            reads.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    assert run(site).processed == 0
    assert reads == []


@pytest.mark.parametrize("lose_page_cache", [False, True])
def test_unchanged_pages_missing_from_the_output_tree_are_restored(
    site: Path, tmp_path: Path, lose_page_cache: bool
) -> None:
    """An unchanged page is passed on without its bytes; when the tree being prepared
    (the site from two builds ago) holds an older version, the bytes come from the page
    cache, or are rendered again when that is gone."""
    import sqlite3

    f = site / "content/science/2026-03-03-moth-survey.md"
    run(site)
    f.write_text(f.read_text().replace("312 species", "313 species"))
    run(site)  # the moth page changes; the swapped-out tree keeps "312"
    if lose_page_cache:
        con = sqlite3.connect(site / ".digest-cache/cache.sqlite")
        con.execute("DELETE FROM entries WHERE ns = 'page'")
        con.commit()
        con.close()
        cache._MEMORY.clear()
    result = run(site)  # nothing changed, but the tree it is written into is old
    assert result.processed == 0
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(site / "public") == tree(tmp_path / "cold")
    assert "313 species" in (site / "public/science/moth-survey/index.html").read_text()
