"""A new process's rebuild reads the related stage's vectors from the store (in blocks of
rows, digest.related._store_vectors) and makes again only the rows edited since: its
links, neighbour lists and the vectors it stores are bit for bit what a build without
the cache makes, whatever the edit (a changed text, a title, an article deleted or
added, an edit that moves the IDF of a term of over 750 rows), and a block that is
missing or damaged is a miss, not an error."""

from __future__ import annotations

import random
from array import array
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from digest import related
from digest.cache import Cache
from digest.config import RelatedConfig
from digest.model import Article, TermCounts

CFG = RelatedConfig(count=5, min_score=0.02)
VECTORIZE = related.vectorize  # (not the tests' spies)


def block_arrays(block: related._Block) -> tuple[bytes, bytes, bytes]:
    return block.lens, block.term_ids, block.term_lens


def _article(i: int, title: str = "A title") -> Article:
    slug = f"a{i:05d}"
    return Article(
        path=f"content/{slug}.md",
        slug=slug,
        title=title,
        date=datetime(2024, 1, 1, tzinfo=UTC),
        section="News",
        section_slug="news",
        url=f"news/{slug}/",
    )


def _counts(rng: random.Random, extra: tuple[int, ...] = ()) -> TermCounts:
    ids = {min(3999, int(rng.paretovariate(0.8))) + 10 for _ in range(rng.randint(3, 40))}
    ids.update(extra)
    ids_sorted = sorted(ids)
    return TermCounts(array("i", ids_sorted), array("i", [rng.randint(1, 4) for _ in ids_sorted]))


class Site:
    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.articles = [_article(i) for i in range(n)]
        self.counts = [_counts(self.rng) for _ in range(n)]
        self.sigs = [f"s{i}" for i in range(n)]
        self.version = 0

    def edit(self, i: int, counts: TermCounts | None = None, title: str | None = None) -> None:
        self.version += 1
        self.sigs[i] = f"s{i}-v{self.version}"
        if counts is not None:
            self.counts[i] = counts
        if title is not None:
            self.articles[i] = _article(int(self.articles[i].slug[1:]), title)

    def build(self, store: Cache) -> related.SiteLinks:
        return related.site_links(self.articles, self.counts, self.sigs, CFG, store, jobs=1, wide=9)


def _same_as_without_cache(site: Site, folder: Path) -> related.SiteLinks:
    """A new process's build (a new Cache, no session) against one without the cache;
    then the vectors it stored against vectorize's of the same rows."""
    store = Cache(folder)
    got = site.build(store)
    store.close()
    want = site.build(Cache(None))
    assert got.links == want.links
    assert got.neighbours == want.neighbours
    store = Cache(folder)
    key = related.cache.key(
        "related-state", related.cache.fingerprint(), related._lists_config(CFG, 9)
    )
    loaded = related._load_saved(store, key)
    assert loaded is not None
    stored = related._load_vectors(store, loaded[1], loaded[0])
    store.close()
    assert stored is not None
    made = VECTORIZE(site.counts)
    for name in ("data", "indices", "indptr", "df", "term_ids", "term_ptr"):
        a, b = getattr(stored, name), getattr(made, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    return got


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []
    vectorize = related.vectorize

    def spy(counts):
        made.append(len(counts))
        return vectorize(counts)

    monkeypatch.setattr(related, "vectorize", spy)
    return made


def test_edits_in_new_processes_are_what_a_build_without_cache_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(related, "VECTOR_BLOCK", 64)  # several blocks, a few rewritten
    monkeypatch.setattr(related, "STORE_BLOCKS", 3)  # written to the store 3 at a time
    site = Site(400, seed=1)
    folder = tmp_path / "cache"
    _same_as_without_cache(site, folder)
    made = _spied(monkeypatch)
    # a changed text: the vectors are read from the store, one row made again
    site.edit(5, counts=_counts(site.rng))
    _same_as_without_cache(site, folder)
    # a changed title (its links in other rows change too), and a changed text
    site.edit(7, title="Another title")
    site.edit(300, counts=_counts(site.rng))
    _same_as_without_cache(site, folder)
    assert made.count(400) == 2  # (only the builds without the cache made them all)
    # an article deleted, then one added: other rows, all made again
    del site.articles[9], site.counts[9], site.sigs[9]
    _same_as_without_cache(site, folder)
    site.articles.append(_article(999))
    site.counts.append(_counts(site.rng))
    site.sigs.append("s999")
    _same_as_without_cache(site, folder)
    made.clear()
    # (more words of its own: no frequency moves, so no other row's IDF)
    was = site.counts[100]
    site.edit(100, counts=TermCounts(was.ids, array("i", [k + 2 for k in was.counts])))
    _same_as_without_cache(site, folder)
    assert made == [400]  # (the build without the cache only)


def test_an_edit_moving_a_common_terms_idf_across_750_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every touched row made again from the stored vectors, not all rows
    monkeypatch.setattr(related, "REVECTORIZE_SHARE", 1.0)
    monkeypatch.setattr(related, "INCREMENTAL_SHARE", 1.0)
    n, common = 1200, 5
    # the number of rows holding the term at which one more moves its rounded IDF
    held = next(
        d
        for d in range(760, n)
        if related.idf_of(np.array([d]), n)[0] != related.idf_of(np.array([d + 1]), n)[0]
    )
    site = Site(n, seed=2)
    site.counts = [_counts(site.rng, (common,) if i < held else ()) for i in range(n)]
    folder = tmp_path / "cache"
    _same_as_without_cache(site, folder)
    made = _spied(monkeypatch)
    revectorized: list[int] = []
    revectorize = related.revectorize

    def spy(*a, **k):
        out = revectorize(*a, **k)
        revectorized.append(len(out.redone or ()) if out is not None else -1)
        return out

    monkeypatch.setattr(related, "revectorize", spy)
    site.edit(n - 1, counts=_counts(site.rng, (common,)))
    _same_as_without_cache(site, folder)
    assert made == [n]  # (the build without the cache)
    assert revectorized and revectorized[0] > 750


@pytest.mark.parametrize("damage", ["missing", "garbled"])
def test_a_missing_or_damaged_block_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setattr(related, "VECTOR_BLOCK", 64)
    monkeypatch.setattr(related, "REVECTORIZE_SHARE", 1.0)  # (however many rows an edit moves)
    site = Site(300, seed=3)
    folder = tmp_path / "cache"
    _same_as_without_cache(site, folder)
    store = Cache(folder)
    assert store.db is not None
    (k,) = store.db.execute(
        "SELECT k FROM entries WHERE ns=? ORDER BY k LIMIT 1", (related.VECTORS,)
    ).fetchone()
    if damage == "missing":
        store.forget(related.VECTORS, [k])
    else:  # a block of other rows under that key: does not hold together
        block = store.get(related.VECTORS, k, related._Block)
        moved = related._Block(
            block.start + 1, block.rows, block.data, block.indices, *block_arrays(block)
        )
        store.put(related.VECTORS, k, moved)
    store.close()
    made = _spied(monkeypatch)
    site.edit(11, counts=_counts(site.rng))
    _same_as_without_cache(site, folder)
    assert made == [300, 300]  # read nothing: made all again (and without the cache)


def test_edits_at_the_ends_of_stored_blocks_are_what_a_build_without_cache_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the stored blocks are joined once, with the edited rows spliced in: rows at a
    # block's first and last places, the site's first and last, and a row left with no
    # terms (an empty slice where the block had some)
    monkeypatch.setattr(related, "VECTOR_BLOCK", 64)
    monkeypatch.setattr(related, "REVECTORIZE_SHARE", 1.0)  # (however many rows an edit moves)
    site = Site(300, seed=3)
    folder = tmp_path / "cache"
    _same_as_without_cache(site, folder)
    made = _spied(monkeypatch)
    for i in (0, 63, 64, 127, 299):
        site.edit(i, counts=_counts(site.rng, (11, 12)))
    site.edit(200, counts=TermCounts(array("i"), array("i")))
    _same_as_without_cache(site, folder)
    site.edit(200, counts=_counts(site.rng))
    _same_as_without_cache(site, folder)
    assert made.count(300) == 2  # (only the builds without the cache made them all)


@pytest.mark.parametrize("seed", range(4))
def test_values_in_parts_are_spliced_as_the_whole(seed: int) -> None:
    rng = np.random.default_rng(seed)
    whole = rng.integers(0, 50, size=200).astype(np.int32)
    cuts = sorted(rng.integers(0, 201, size=5).tolist())  # (empty parts too)
    parts = related._Parts.of(*np.split(whole, cuts))
    assert len(parts) == len(whole) and parts.joined().tobytes() == whole.tobytes()
    for a, b in [(0, 0), (0, 200), (17, 90), (cuts[0], cuts[-1]), (199, 200)]:
        assert parts.take(a, b).tobytes() == whole[a:b].tobytes()
    mark = np.zeros(50, dtype=bool)
    mark[[3, 7, 49]] = True
    assert parts.where(mark).tolist() == np.flatnonzero(mark[whole]).tolist()
    bounds = sorted(rng.choice(201, size=6, replace=False).tolist())
    lo, hi = np.array(bounds[0::2]), np.array(bounds[1::2])
    new = rng.integers(100, 200, size=9).astype(np.int32)
    new_ptr = np.array([0, 0, 4, 9])
    want = np.concatenate(
        [whole[: lo[0]], new[0:0], whole[hi[0] : lo[1]], new[0:4], whole[hi[1] : lo[2]]]
        + [new[4:9], whole[hi[2] :]]
    )
    assert parts.spliced(lo, hi, new, new_ptr).tobytes() == want.tobytes()
