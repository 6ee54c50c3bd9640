"""The upstream stages of a session's rebuild (collect, related, stories, entries) do
only the changed articles' work, and give what a full run gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from digest import related
from digest.model import Article
from digest.related import term_counts, top_k, update_top_k, vectorize


def _art(slug: str, text: str) -> Article:
    return Article(
        path=f"{slug}.md",
        slug=slug,
        title=slug,
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url=f"{slug}/",
        text=text,
        paragraphs=(text,),
    )


def test_one_edited_row_is_updated_without_transposing_the_matrix(monkeypatch) -> None:
    """An edit touching a few rows is scored with one pass over the matrix (no term ->
    rows index, 40-60 ms at 10,000 articles): the lists and scores are top_k's, bit for
    bit, ties included."""
    rng = random.Random(7)
    words = [f"w{i}" for i in range(500)]
    docs = [
        _art(
            f"d{i:03d}",
            " ".join(rng.choice(words[(i % 11) * 40 : (i % 11) * 40 + 70]) for _ in range(35)),
        )
        for i in range(400)
    ]
    docs[5] = replace(docs[5], text=docs[4].text)  # (a tie: two rows with the same scores)
    keys = [d.slug for d in docs]
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    result = top_k(vec, 5, 0.03, keys)
    transposed = []
    real = related._block_scores

    def scored(a, b):  # (the transposed matrix's product: counted)
        transposed.append(a.shape[0])
        return real(a, b)

    monkeypatch.setattr(related, "_block_scores", scored)
    few = 0
    for _ in range(10):
        i = rng.randrange(len(docs))
        # (its own words again mostly: few document frequencies move, few rows touched)
        more = rng.sample(docs[i].text.split(), 8) + rng.sample(words, rng.randrange(3))
        docs[i] = replace(docs[i], text=docs[i].text + " " + " ".join(more))
        counts[i] = term_counts(docs[i])
        new = vectorize(counts)
        touched = related.touched_rows(vec.df, new, [i])
        transposed.clear()
        updated = update_top_k(vec.df, result, new, [i], 5, 0.03, keys)
        if len(touched) * 16 < len(docs):
            few += 1
            assert not transposed
        full = top_k(new, 5, 0.03, keys)
        assert updated == full
        vec, result = new, full
    assert few >= 3  # (the edits of the corpus touch few rows)


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
