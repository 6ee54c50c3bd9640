"""top_k by tiles (each pair of rows scored once, for both rows): the same lists and
scores as scoring every row against all rows, whatever the spans, blocks and workers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_related import art

from digest import pool, related
from digest.model import Article
from digest.related import term_counts, top_k, vectorize


def _art(i: int, text: str) -> Article:
    return art(f"d{(i * 37) % 301:03d}-{i}", text)  # keys in another order than the rows


def _docs() -> list[Article]:
    """Many exact ties (repeated texts), rows with no neighbour, long and short rows."""
    docs = []
    for i in range(301):
        if i % 50 == 7:
            text = f"lonely{i} hermit{i}"
        elif i % 3 == 0:
            text = f"harbour wall w{i % 4} w{i % 9}"
        else:
            text = " ".join(f"w{(i * 7 + j) % 40}" for j in range(5 + i % 25))
        docs.append(_art(i, text))
    return docs


def _by_rows(vec: related.Vectors, k: int, min_score: float, keys: list[str]):
    return related._rows_top_k(vec, np.arange(vec.matrix.shape[0]), k, min_score, keys)


@pytest.mark.parametrize("k", [1, 4, 9])
@pytest.mark.parametrize("min_score", [0.0, 0.04, 0.3])
def test_tiles_give_what_every_row_against_all_rows_gives(
    monkeypatch: pytest.MonkeyPatch, k: int, min_score: float
) -> None:
    docs = _docs()
    keys = [d.slug for d in docs]
    vec = vectorize([term_counts(d) for d in docs])
    want = _by_rows(vec, k, min_score, keys)
    assert sum(map(len, want)) > 100  # (the fixture has neighbours to find)
    monkeypatch.setattr(related, "TILES_MIN_ROWS", 10)
    monkeypatch.setattr(related, "TILE_MIN_SPAN", 20)
    monkeypatch.setattr(pool, "ROWS_PER_WORKER", 50)
    for jobs, block_bytes in [(1, 64 * 2**20), (1, 4 * 301 * 7), (2, 4 * 301 * 5)]:
        got = top_k(vec, k, min_score, keys, block_bytes=block_bytes, jobs=jobs)
        assert got == want, (jobs, block_bytes)


def test_candidates_cut_as_the_tiles_come_give_the_same_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tiles' candidates are cut whenever they outgrow a multiple of the lists, not
    all held until the last tile: the lists are the same."""
    docs = _docs()
    keys = [d.slug for d in docs]
    vec = vectorize([term_counts(d) for d in docs])
    want = _by_rows(vec, 4, 0.04, keys)
    monkeypatch.setattr(related, "TILES_MIN_ROWS", 10)
    monkeypatch.setattr(related, "TILE_MIN_SPAN", 20)
    monkeypatch.setattr(pool, "ROWS_PER_WORKER", 50)
    monkeypatch.setattr(related, "FOLD_MIN", 1)
    monkeypatch.setattr(related, "FOLD_LISTS", 1)
    cuts: list[int] = []
    real = related._best_cells

    def counted(parts, kk, rank):
        cuts.append(sum(len(p[0]) for p in parts))
        return real(parts, kk, rank)

    monkeypatch.setattr(related, "_best_cells", counted)
    for jobs in (1, 2):
        cuts.clear()
        assert top_k(vec, 4, 0.04, keys, jobs=jobs) == want
        assert len(cuts) > 2  # (cut as they came, then once more at the end)
        # what is cut at once stays near the lists' size (301 rows x 4), never all tiles'
        assert max(cuts) < 3 * 301 * 4


def test_tiles_are_used_on_big_sites_and_score_each_pair_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With s spans, s(s + 1)/2 tiles: about half the products of all rows x all rows."""
    docs = _docs()
    keys = [d.slug for d in docs]
    vec = vectorize([term_counts(d) for d in docs])
    monkeypatch.setattr(related, "TILES_MIN_ROWS", 10)
    monkeypatch.setattr(related, "TILE_MIN_SPAN", 20)
    cells: list[int] = []
    real = related._product

    def counted(a, b):
        cells.append(a.shape[0] * b.shape[1])
        return real(a, b)

    monkeypatch.setattr(related, "_product", counted)
    top_k(vec, 5, 0.04, keys, jobs=1)
    assert 0 < sum(cells) < 0.7 * len(docs) ** 2


def test_many_articles_with_the_same_text_keep_k_candidates_a_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eighty pages with one text (a paywall notice, a "page not found") all score 1.0
    with each other: each tile still hands on at most k candidates a row, chosen by key,
    and the lists are those of every row against all rows."""
    notice = "subscribe to read this story on our site"
    docs = _docs() + [replace(_art(400 + i, notice), title="Subscribe") for i in range(80)]
    keys = [d.slug for d in docs]
    vec = vectorize([term_counts(d) for d in docs])
    want = _by_rows(vec, 4, 0.04, keys)
    monkeypatch.setattr(related, "TILES_MIN_ROWS", 10)
    monkeypatch.setattr(related, "TILE_MIN_SPAN", 20)
    handed: list[int] = []
    real = related._tile_part

    def counted(shared, tile):
        rows, cols, vals = real(shared, tile)
        handed.append(int(np.bincount(rows).max()) if len(rows) else 0)
        return rows, cols, vals

    monkeypatch.setattr(related, "_tile_part", counted)
    for block_bytes in (64 * 2**20, 4 * 400 * 7):
        handed.clear()
        assert top_k(vec, 4, 0.04, keys, block_bytes=block_bytes, jobs=1) == want
        assert handed and max(handed) <= 4
    same = [row for i, row in enumerate(want) if i >= len(docs) - 80]
    assert all(len(row) == 4 and {s for _j, s in row} == {1.0} for row in same)


def test_segment_best_keeps_ties_with_the_kth() -> None:
    seg = np.array([0, 0, 0, 0, 1, 1, 2])
    vals = np.array([0.5, 0.2, 0.5, 0.2, 0.1, 0.3, 0.9], dtype=np.float32)
    pick = related._segment_best(seg, vals, 2)
    assert [(int(seg[i]), float(vals[i])) for i in pick] == [
        (0, 0.5),
        (0, 0.5),
        (1, float(np.float32(0.3))),
        (1, float(np.float32(0.1))),
        (2, float(np.float32(0.9))),
    ]
    pick = related._segment_best(seg, vals, 3)  # the 3rd best of row 0 ties with the 4th
    assert sorted(int(i) for i in pick if seg[i] == 0) == [0, 1, 2, 3]
    # by key: of the two tied for the 3rd place, the one whose key comes first
    rank = np.array([0, 5, 1, 2, 0, 0, 0])
    pick = related._segment_best(seg, vals, 3, rank=rank)
    assert sorted(int(i) for i in pick if seg[i] == 0) == [0, 2, 3]


def test_segment_best_first_cut_by_score_buckets_keeps_the_same_entries() -> None:
    """Many entries a segment (the cut by buckets runs): the same entries, ties included,
    as sorting them all."""
    rng = np.random.default_rng(7)
    seg = rng.integers(0, 30, 20000)
    # few distinct scores: many ties, some across a bucket's edge
    vals = np.round(rng.choice([0.04, 0.1, 0.25, 0.2539, 0.5, 1.0], 20000), 6).astype(np.float32)
    vals[seg == 3] = 0.25  # a segment all tied
    for kk in (1, 5, 9):
        want = related._segment_best(seg, vals, kk)
        got = related._segment_best(seg, vals, kk, 30)
        assert np.array_equal(want, got)
        assert len(got) > 30 * kk  # (ties kept)
