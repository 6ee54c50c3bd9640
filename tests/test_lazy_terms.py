"""A rebuild reads the stored term counts of the articles it compares again, not all.

The cached results' snapshot (collect._Segments) holds no term counts: each source's own
entry does, read when the counts are first asked for (a segment's sources' together), and
made again from the source when that entry is missing or holds impossible counts.  The
site is a cold build's either way."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import struct
from pathlib import Path

import pytest
from conftest import build_site as run
from conftest import tree

from digest import cache, collect
from digest.config import load_config
from digest.errors import Problems


@pytest.fixture
def segmented(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments on for the 4-article test site, two sources each at most."""
    monkeypatch.setattr(collect._Segments, "MIN_SOURCES", 1)
    monkeypatch.setattr(collect._Segments, "SEGMENT", 2)


def _collected(site: Path, texts: bool = False) -> collect.Collected:
    config = load_config(site / "site.yaml")
    with cache.Cache(config.cache_dir) as store:
        return collect.collect(config.content, config.summary, store, Problems(), texts=texts)


def test_the_snapshot_holds_no_term_counts_and_a_rebuild_reads_them_when_asked(
    site: Path, tmp_path: Path, segmented: None
) -> None:
    run(site, output=tmp_path / "a")
    with cache.Cache(site / ".digest-cache") as store:
        assert store.db is not None
        keys = [k for (k,) in store.db.execute("SELECT k FROM entries WHERE ns='segment'")]
        segs = store.get_many("segment", keys, collect.Segment).values()
    entries = [e for s in segs for e in s.entries]
    assert entries and all(e.terms_apart and e.term_ids == b"" for e in entries)
    cache._MEMORY.clear()
    got = _collected(site)
    assert got.processed == 0
    assert all(it.terms.fetch is not None for it in got.items)  # (none read yet)
    fresh = _collected(site, texts=True)
    for it, again in zip(got.items, fresh.items, strict=True):
        assert it.terms == again.terms and it.terms.fetch is None
        assert len(it.terms.ids) > 0
    cache._MEMORY.clear()
    assert run(site, output=tmp_path / "b").processed == 0
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "cold")


def test_term_counts_missing_or_impossible_are_made_again_from_the_source(
    site: Path, tmp_path: Path, segmented: None
) -> None:
    run(site, output=tmp_path / "a")
    fresh = _collected(site, texts=True)
    con = sqlite3.connect(site / ".digest-cache/cache.sqlite")
    (first, *rest) = [k for (k,) in con.execute("SELECT k FROM entries WHERE ns='source'")]
    con.execute("DELETE FROM entries WHERE ns='source' AND k=?", (first,))
    con.commit()
    con.close()
    with cache.Cache(site / ".digest-cache") as store:
        bad = store.get("source", rest[0], collect.Stored)
        bad_ids = struct.pack("<2i", 9, 4)  # ids not increasing
        store.put("source", rest[0], dataclasses.replace(bad, term_ids=bad_ids))
    cache._MEMORY.clear()
    got = _collected(site)
    assert got.processed == 0  # (the snapshot still holds every article)
    for it, again in zip(got.items, fresh.items, strict=True):
        assert it.terms == again.terms
    cache._MEMORY.clear()
    assert run(site, output=tmp_path / "b").processed == 0
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "b") == tree(tmp_path / "cold")


def test_counts_not_yet_read_are_pickled_as_the_counts(
    site: Path, tmp_path: Path, segmented: None
) -> None:
    """What a worker or the cache is sent is the counts, not the reader of this process's
    store (which cannot be pickled, nor used elsewhere)."""
    import pickle

    run(site, output=tmp_path / "a")
    cache._MEMORY.clear()
    got = _collected(site)
    fresh = _collected(site, texts=True)
    for it, again in zip(got.items, fresh.items, strict=True):
        assert it.terms.fetch is not None
        copy = pickle.loads(pickle.dumps(it.terms))
        assert copy.fetch is None and copy == again.terms and len(copy.ids) > 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_counts_not_yet_read_are_refused_in_a_forked_process(
    site: Path, tmp_path: Path, segmented: None
) -> None:
    """A forked worker reading the parent's store through its copy of the connection would
    be undefined behaviour: it raises, naming what to do, and the parent still reads."""
    run(site, output=tmp_path / "a")
    cache._MEMORY.clear()
    got = _collected(site)
    terms = got.items[0].terms
    pid = os.fork()
    if pid == 0:  # the child: 0 when refused as it should be
        try:
            terms.held()
        except RuntimeError as exc:
            os._exit(0 if "forked process" in str(exc) else 2)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(terms.ids) > 0 and terms.fetch is None


@pytest.mark.parametrize("held", [True, False])
def test_a_sessions_first_build_holds_every_articles_counts(
    site: Path, tmp_path: Path, segmented: None, monkeypatch: pytest.MonkeyPatch, held: bool
) -> None:
    """A long-lived process (serve, build --watch) reads every article's counts at its
    first build, up to related.HELD_COUNTS articles: an edit that moves the IDF of common
    words weighs hundreds of rows again, and reads none of them then.  Past the limit,
    they are read when an edit needs them.  The site is a cold build's either way."""
    from digest import related
    from digest.build import BuildOptions, Session, build

    monkeypatch.setattr(related, "HELD_COUNTS", 10**6 if held else 0)
    run(site, output=tmp_path / "a")  # (the cache filled: a new process's counts are later)
    cache._MEMORY.clear()
    session = Session()
    config = load_config(site / "site.yaml")
    build(config, BuildOptions(output=tmp_path / "live", jobs=1), session=session)
    kept = session.kept.related
    assert kept is not None and len(kept.counts) == 4
    assert all(c.fetch is None for c in kept.counts) is held
    run(site, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")
