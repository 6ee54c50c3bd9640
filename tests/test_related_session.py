"""A session's rebuild makes the related stage's vectors from the last build's, changing
only the rows an edit can change (digest.related.revectorize): bit for bit what making
them all again gives, whatever the edit (new words, words gone, a term now shared by two
articles or by one only, an article emptied)."""

from __future__ import annotations

import random
from array import array

import numpy as np
import pytest

from digest import related
from digest.cache import Cache
from digest.model import TermCounts
from digest.related import Vectors, revectorize, vectorize


def _counts(rng: random.Random, vocab: int, words: int) -> TermCounts:
    ids = sorted(rng.sample(range(vocab), words))
    return TermCounts(array("i", ids), array("i", [rng.randint(1, 5) for _ in ids]))


def _equal(a: Vectors, b: Vectors) -> None:
    for x, y in [
        (a.matrix.data, b.matrix.data),
        (a.matrix.indices, b.matrix.indices),
        (a.matrix.indptr, b.matrix.indptr),
        (a.df, b.df),
        (a.term_ids, b.term_ids),
        (a.term_ptr, b.term_ptr),
    ]:
        assert x.dtype == y.dtype
        assert x.tobytes() == y.tobytes()
    assert a.matrix.shape == b.matrix.shape


@pytest.mark.parametrize("seed", range(6))
def test_revectorized_rows_are_what_vectorize_makes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(related, "REVECTORIZE_SHARE", 1.0)  # every edit made so, however wide
    rng = random.Random(seed)
    # a small vocabulary over many rows: common terms, rare terms and terms of one row
    counts = [_counts(rng, 3000, rng.randint(5, 60)) for _ in range(400)]
    before = vectorize(counts)
    incremental = 0
    for _step in range(8):
        now = list(counts)
        for i in rng.sample(range(len(now)), rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.15:
                now[i] = TermCounts(array("i"), array("i"))  # emptied
            elif kind < 0.3:
                now[i] = _counts(rng, 10**6, 20)  # words no other row has (df 1)
            else:
                now[i] = _counts(rng, 3000, rng.randint(5, 60))
        again = revectorize(before, counts, now)
        full = vectorize(now)
        if again is not None:
            _equal(again, full)
            incremental += 1
            # the rows it made again hold every term whose IDF moved: the rows touched
            # found among them are those found among all rows
            edited = [i for i in range(len(now)) if now[i] is not counts[i]]
            assert related.touched_rows(
                before.df, again, edited, again.redone
            ) == related.touched_rows(before.df, again, edited)
        counts, before = now, full
    assert incremental == 8


def test_nothing_changed_is_the_same_vectors_and_other_row_counts_are_not_taken() -> None:
    rng = random.Random(7)
    counts = [_counts(rng, 500, 20) for _ in range(50)]
    before = vectorize(counts)
    assert revectorize(before, counts, list(counts)) is before
    assert revectorize(before, counts, counts[:-1]) is None  # a row fewer: made in full


@pytest.mark.parametrize("min_score", [0.0, 0.05])
def test_lists_merged_from_the_old_ones_are_what_top_k_gives(
    min_score: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An untouched row's new list made from its old list and its scores against the
    touched rows (digest.related._merge): bit for bit top_k's, whether an edit raises or
    drops a touched row's scores, and across rows whose lists are full or have room."""
    from digest.related import top_k, update_top_k

    settled: list[int] = []
    real = related._merge

    def counting(result, rows, *args):  # type: ignore[no-untyped-def]
        hard = real(result, rows, *args)
        settled.append(len(rows) - len(hard))
        return hard

    monkeypatch.setattr(related, "_merge", counting)
    rng = random.Random(3)
    n = 300
    counts = [_counts(rng, 400, rng.randint(8, 30)) for _ in range(n)]
    keys = [f"a{i:04d}" for i in range(n)]
    vec = vectorize(counts)
    result = top_k(vec, 6, min_score, keys)
    for _ in range(25):
        changed = sorted(rng.sample(range(n), rng.randint(1, 2)))
        for i in changed:
            if rng.random() < 0.5:  # other words: its scores drop, others' rise
                counts[i] = _counts(rng, 400, rng.randint(8, 30))
            else:  # more of the same words: its scores rise
                ids = sorted(set(counts[i].ids) | set(rng.sample(range(400), 5)))
                counts[i] = TermCounts(array("i", ids), array("i", [2] * len(ids)))
        new = vectorize(counts)
        full = top_k(new, 6, min_score, keys)
        assert update_top_k(vec.df, result, new, changed, 6, min_score, keys) == full
        vec, result = new, full
    assert sum(settled) > 50  # (most rows to redo were settled so)


def test_the_related_stages_arrays_are_the_story_grouping_table() -> None:
    """Story grouping takes the neighbour lists as the related stage stored them
    (SiteLinks.table) instead of laying them out again: the same table."""
    from digest.related import _save_state, top_k
    from digest.stories.grouping import NEIGHBOURS, _table

    rng = random.Random(9)
    counts = [_counts(rng, 300, rng.randint(3, 25)) for _ in range(120)]
    keys = [f"a{i:03d}" for i in range(120)]
    vec = vectorize(counts)
    for k in (3, NEIGHBOURS, NEIGHBOURS + 4):
        lists = top_k(vec, k, 0.05, keys)
        lists[5] = []  # a row with no neighbours at all
        saved = _save_state(Cache(None), "k", keys, keys, vec.df, lists)
        made = _table(lists, len(lists), (saved.idx, saved.scores))
        plain = _table(lists, len(lists))
        for a, b in zip(made, plain, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)


def test_scores_against_a_few_rows_are_scipys_product_bit_for_bit() -> None:
    rng = random.Random(3)
    v = vectorize([_counts(rng, 800, rng.randint(5, 60)) for _ in range(300)])
    m = v.matrix
    for rows in ([0], [5, 17, 299], list(range(0, 300, 7))):
        at = np.array(rows)
        want = (m @ m[at].T).toarray()
        got = related._against(m, at)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
