"""Related links: never self, scored, ties by slug, pinned first, no N x N."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone

from digest import pool
from digest.config import RelatedConfig
from digest.model import Article
from digest.related import Vectors, related_links, term_counts, top_k, vectorize


def art(slug: str, text: str, pinned=()) -> Article:
    return Article(
        path=f"{slug}.md",
        slug=slug,
        title=slug.replace("-", " "),
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url=f"{slug}/",
        text=text,
        paragraphs=(text,),
        pinned_related=tuple(pinned),
    )


ARTS = [
    art("rail-a", "The railway electrification of the valley line will cost millions."),
    art("rail-b", "Electrification work on the valley railway line begins next year."),
    art("comet-a", "Astronomers track the bright comet with telescopes at night."),
    art("comet-b", "The comet was seen by amateur astronomers through small telescopes."),
    art("bake", "The village bakery won a prize for its sourdough bread.", pinned=["comet-b"]),
]


def test_links_go_to_the_same_story_never_self() -> None:
    links, scores = related_links(ARTS, RelatedConfig(count=2, min_score=0.05))
    assert links["rail-a"][0].slug == "rail-b"
    assert links["comet-b"][0].slug == "comet-a"
    for slug, ls in links.items():
        assert slug not in [x.slug for x in ls]
        assert len(scores[slug]) == len(ls)
        shown = zip(ls, scores[slug], strict=True)
        assert all(0 < s <= 1 for x, s in shown if x.slug != "comet-b" or slug != "bake")


def test_pinned_first_and_min_score() -> None:
    links, _scores = related_links(ARTS, RelatedConfig(count=3, min_score=0.3))
    assert [x.slug for x in links["bake"]] == ["comet-b"]  # pinned even though dissimilar


def test_ties_broken_by_slug() -> None:
    same = [art(s, "identical words about harbour repairs") for s in ["zeta", "alpha", "mid"]]
    links, _scores = related_links(same, RelatedConfig(count=2, min_score=0.0))
    assert [x.slug for x in links["mid"]] == ["alpha", "zeta"]
    assert [x.slug for x in links["zeta"]] == ["alpha", "mid"]


def test_blocks_bound_memory_and_match_unblocked() -> None:
    docs = [
        art(f"d{i}", " ".join(f"word{(i * 7 + j) % 50}" for j in range(12))) for i in range(300)
    ]
    vec = vectorize([term_counts(d) for d in docs])
    keys = [f"k{i:03d}" for i in range(300)]
    small = top_k(vec, 5, 0.0, keys, block_bytes=4 * 300 * 3)  # 3 rows at a time
    big = top_k(vec, 5, 0.0, keys)
    assert small == big


def _clustered(
    seed: int, vocab: int, n: int, groups: int, step: int, span: int, length: int
) -> tuple[random.Random, list[str], list[Article]]:
    """(the random source, the words, n articles): ``length`` random words each of a
    ``vocab``-word list, article i's drawn from the ``span`` words starting at
    (i % groups) * step, so groups of articles share words."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    docs = [
        art(
            f"d{i:03d}",
            " ".join(
                rng.choice(words[(i % groups) * step : (i % groups) * step + span])
                for _ in range(length)
            ),
        )
        for i in range(n)
    ]
    return rng, words, docs


def _edited(
    docs: list[Article],
    counts: list,
    changed: list[int],
    rng: random.Random,
    words: list[str],
    extra: int,
) -> Vectors:
    """The ``changed`` articles each get ``extra`` random words more (in ``docs`` and
    their ``counts``, in place): the new vectors of all."""
    for i in changed:
        docs[i] = replace(docs[i], text=docs[i].text + " " + " ".join(rng.sample(words, extra)))
        counts[i] = term_counts(docs[i])
    return vectorize(counts)


def test_incremental_update_equals_full_recomputation() -> None:

    from digest.related import update_top_k

    rng, words, docs = _clustered(5, 400, 120, groups=9, step=40, span=60, length=40)
    keys = [d.slug for d in docs]
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    result = top_k(vec, 4, 0.05, keys)
    for _ in range(12):
        i = rng.randrange(len(docs))
        new = _edited(docs, counts, [i], rng, words, 15)
        updated = update_top_k(vec.df, result, new, [i], 4, 0.05, keys)
        full = top_k(new, 4, 0.05, keys)
        assert updated == full
        # scores against the touched rows a few at a time: the same lists
        assert (
            update_top_k(vec.df, result, new, [i], 4, 0.05, keys, block_bytes=8 * 120 * 3) == full
        )
        vec, result = new, full


def test_update_of_several_rows_at_once_equals_full_top_k() -> None:
    """Several edited rows in one update (scored against the transposed matrix, one
    index for both products): the lists and scores top_k gives, bit for bit."""

    from digest.related import update_top_k

    rng, words, docs = _clustered(11, 300, 150, groups=7, step=30, span=50, length=30)
    keys = [d.slug for d in docs]
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    result = top_k(vec, 5, 0.02, keys)
    for _ in range(5):
        changed = sorted(rng.sample(range(len(docs)), 6))
        new = _edited(docs, counts, changed, rng, words, 10)
        full = top_k(new, 5, 0.02, keys)
        assert update_top_k(vec.df, result, new, changed, 5, 0.02, keys) == full
        vec, result = new, full


def test_a_sessions_kept_index_gives_top_k_edit_after_edit() -> None:
    """A session keeps its matrix transposed from build to build (see _Transposed): after
    each edit the rows made again are stale there and scored from their own rows, and
    every update gives top_k's lists bit for bit; renumbered (a date moved articles),
    the index scores the rows as a new one does."""

    import numpy as np

    from digest.related import _against, _Transposed, revectorize, update_top_k

    rng, words, docs = _clustered(31, 3000, 400, groups=7, step=300, span=500, length=40)
    keys = [d.slug for d in docs]
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    result = top_k(vec, 5, 0.02, keys)
    tr = _Transposed.of(vec)
    stale_seen = 0
    for step in range(8):
        before = list(counts)
        changed = sorted(rng.sample(range(len(docs)), 1 + step % 3))
        _edited(docs, counts, changed, rng, words, 2)
        new = revectorize(vec, before, counts)
        if new is None:  # (too many rows to make again: the index is made again)
            new, kept = vectorize(counts), None
        else:
            kept = tr.after(vec, new)
        tr = kept if kept is not None else _Transposed.of(new)
        stale_seen = max(stale_seen, len(tr.stale))
        full = top_k(new, 5, 0.02, keys)
        assert update_top_k(vec.df, result, new, changed, 5, 0.02, keys, transposed=tr) == full
        vec, result = new, full
    assert stale_seen >= 50  # (the stale rows' own scores were used)
    order = np.array(rng.sample(range(len(docs)), len(docs)), dtype=np.int64)
    moved = vec.matrix[order]
    rows = np.array([0, 5, 77, 140], dtype=np.int64)
    got = tr.renumbered(order).scores(moved, rows)
    assert np.array_equal(got, _against(moved, rows).T)


def test_update_merges_many_touched_rows_a_block_at_a_time(monkeypatch) -> None:
    """An edit that touches many rows (its words moved common terms' IDF), their scores
    taken a few touched rows at a time: the untouched rows' lists are merged from their
    old ones, not recomputed, and every list is top_k's bit for bit; with too many cells
    to keep for the merge, the rows are recomputed, with the same lists."""

    from digest import related
    from digest.related import update_top_k

    rng, words, docs = _clustered(23, 200, 160, groups=5, step=30, span=80, length=30)
    keys = [d.slug for d in docs]
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    result = top_k(vec, 5, 0.02, keys)
    merged: list[int] = []  # untouched rows settled by merging, per update
    real = related._merge

    def counted(result, rows, *args, **kwargs):  # type: ignore[no-untyped-def]
        hard = real(result, rows, *args, **kwargs)
        merged.append(len(rows) - len(hard))
        return hard

    monkeypatch.setattr(related, "_merge", counted)
    for _ in range(6):
        changed = sorted(rng.sample(range(len(docs)), 3))
        new = _edited(docs, counts, changed, rng, words, 6)
        full = top_k(new, 5, 0.02, keys)
        touched = related.touched_rows(vec.df, new, changed)
        assert 7 < len(touched) < len(docs)  # (several blocks of 7, and rows untouched)
        merged.clear()
        got = update_top_k(vec.df, result, new, changed, 5, 0.02, keys, block_bytes=8 * 160 * 7)
        assert got == full
        assert sum(merged) > 0
        with monkeypatch.context() as m:  # too many cells to keep: recomputed, the same
            m.setattr(related, "MERGE_CELLS", 10)
            merged.clear()
            got = update_top_k(vec.df, result, new, changed, 5, 0.02, keys, block_bytes=8 * 160 * 7)
            assert got == full and not merged
        vec, result = new, full


def test_articles_without_words_get_no_links_and_do_not_crash() -> None:
    docs = [art("a", ""), art("harbour-wall", "harbour wall repairs"), art("b", "")]
    docs += [art("harbour-fund", "harbour wall money")]
    links, _scores = related_links(docs, RelatedConfig(count=2, min_score=0.0))
    assert links["a"] == () and links["b"] == ()
    assert [x.slug for x in links["harbour-wall"]] == ["harbour-fund"]


def test_parallel_top_k_equals_serial(monkeypatch) -> None:

    monkeypatch.setattr(pool, "ROWS_PER_WORKER", 50)
    docs = [
        art(f"d{i:03d}", " ".join(f"word{(i * 7 + j) % 60}" for j in range(15))) for i in range(240)
    ]
    vec = vectorize([term_counts(d) for d in docs])
    keys = [d.slug for d in docs]
    assert top_k(vec, 5, 0.0, keys, jobs=2) == top_k(vec, 5, 0.0, keys, jobs=1)


def test_edits_touching_many_rows_are_recomputed_in_full(monkeypatch) -> None:
    """An edit that moves the IDF of a common term touches every row holding it: past
    INCREMENTAL_SHARE of the rows the full computation runs instead (it is faster there,
    bench/related_update.py), with the same result either way."""

    from digest import related
    from digest.config import RelatedConfig
    from digest.related import Previous, neighbours_for, touched_rows

    docs = [
        art(f"d{i:02d}", f"harbour {'wall' if i % 2 else 'fund'} w{i} w{i + 1}") for i in range(40)
    ]
    keys = [d.slug for d in docs]
    sigs = [f"s{i}" for i in range(40)]
    vec = vectorize([term_counts(d) for d in docs])
    cfg = RelatedConfig(count=3, min_score=0.0)
    old = top_k(vec, 3, 0.0, keys)
    previous = Previous(tuple(keys), tuple(sigs), vec.df, old)
    docs[0] = replace(docs[0], text="quay " * 3 + "wall fund " * 4)  # rare terms become common
    new = vectorize([term_counts(d) for d in docs])
    new_sigs = ["edited", *sigs[1:]]
    touched = touched_rows(vec.df, new, [0])
    assert len(touched) > 16  # the edit touches many rows
    monkeypatch.setattr(related, "INCREMENTAL_SHARE", 0.0)
    full, how = neighbours_for(new, keys, new_sigs, cfg, previous, jobs=1)
    assert how == "full"
    monkeypatch.setattr(related, "INCREMENTAL_SHARE", 1.0)
    inc, how = neighbours_for(new, keys, new_sigs, cfg, previous, jobs=1)
    assert how == "incremental" and inc == full == top_k(new, 3, 0.0, keys)
    # with a floor above 0 the other rows' lists are merged: a larger share is updated
    floored = RelatedConfig(count=3, min_score=0.01)
    was = Previous(tuple(keys), tuple(sigs), vec.df, top_k(vec, 3, 0.01, keys))
    monkeypatch.setattr(related, "INCREMENTAL_SHARE", 0.0)
    monkeypatch.setattr(related, "MERGED_SHARE", 1.0)
    inc, how = neighbours_for(new, keys, new_sigs, floored, was, jobs=1)
    assert how == "incremental" and inc == top_k(new, 3, 0.01, keys)
    _, how = neighbours_for(new, keys, new_sigs, cfg, previous, jobs=1)
    assert how == "full"  # (no floor: the cells to keep are nearly all)
    monkeypatch.setattr(related, "MERGE_SCORED", 0)  # (too many scores to merge: full)
    assert neighbours_for(new, keys, new_sigs, floored, was, jobs=1)[1] == "full"


def test_weights_made_a_block_of_rows_at_a_time_are_the_same(monkeypatch) -> None:
    """vectorize weighs the rows a block at a time (the temporaries of 100,000 articles'
    weights at once were the peak of a cold build); the vectors are those of one block,
    bit for bit, with rows that are empty, rows longer than a block, and words that
    only one article has (left out)."""
    from digest import related

    rng = random.Random(3)
    words = [f"word{i}" for i in range(120)]
    docs = [art(f"d{i}", " ".join(rng.sample(words, rng.randrange(0, 40)))) for i in range(60)]
    docs[7] = art("d7", "")  # no terms at all
    docs[8] = art("d8", " ".join(words) + " hapaxlegomenon")  # longer than a block
    counts = [term_counts(d) for d in docs]
    whole = vectorize(counts)
    monkeypatch.setattr(related, "WEIGH_ENTRIES", 16)
    blocks = vectorize(counts)
    for name in ("data", "indices", "indptr", "df", "term_ids", "term_ptr"):
        a, b = getattr(whole, name), getattr(blocks, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    assert len(whole.indptr) == 61 and whole.indptr[8] == whole.indptr[7]
