"""The news summarizer's faster paths choose what the plain ones chose: the selector over
Python lists picks the sentences the NumPy formulation picks, and an article's sentences,
searched only for the navigation phrases and agency names that occur in the article, are
usable or not exactly as when searched for all of them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.boilerplate import SENTENCE_NAV_ANYWHERE
from digest.summarize import news


def _select_with_arrays(
    base: np.ndarray, dep: np.ndarray, sim: np.ndarray, usable: np.ndarray, count: int
) -> list[int]:
    """The selector as array operations (how it was written before it took lists)."""
    n = len(base)
    chosen: list[int] = []
    avail = usable.copy()
    while len(chosen) < count and avail.any():
        after = np.zeros(n, dtype=bool)
        if chosen:
            ch = np.asarray(chosen)
            after[ch[ch + 1 < n] + 1] = True
        dangling = dep & ~after
        val = np.where(dangling, base * news.DEPENDENT_FACTOR, base)
        if chosen:
            red = sim[:, np.asarray(chosen)].max(axis=1)
            val -= news.MMR_LAMBDA * red
            avail &= red < news.DUPLICATE
            if not avail.any():
                break
        first = min(chosen) if chosen else n
        opener_ok = ~(dangling & (np.arange(n) < first))
        pool = avail & opener_ok if (avail & opener_ok).any() else avail
        best = int(np.flatnonzero(pool)[np.argmax(val[pool])])
        chosen.append(best)
        avail[best] = False
    return chosen


@settings(max_examples=500, deadline=None)
@given(
    n=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 6),
    ties=st.booleans(),
)
def test_the_selector_chooses_as_the_array_formulation(
    n: int, seed: int, count: int, ties: bool
) -> None:
    rng = np.random.default_rng(seed)
    terms = rng.integers(0, 3 if ties else 8, size=(n, 6)).astype(float)  # few terms: ties
    x = terms / np.maximum(np.linalg.norm(terms, axis=1), 1e-9)[:, None]
    sim = x @ x.T
    np.fill_diagonal(sim, 0.0)
    base = np.round(rng.random(n), 1 if ties else 6)
    dep = rng.random(n) < 0.4
    dep[0] = False
    usable = rng.random(n) < 0.8
    base = np.where(usable, base + 1e-6, 0.0)
    got = news._select(base, dep, sim, usable, count)
    assert got == _select_with_arrays(base, dep, sim, usable, count)


_AGENCY = news._AGENCY_NAMES[0]
_SENTENCE = st.lists(
    st.sampled_from(
        [
            "The mayor opened the bridge on Monday",
            "Click HERE for more",
            f"(Photo: {_AGENCY.upper()} Images)",
            "Copyright \u00a9 2026",
            "\u03a3\u039f\u03a3 said the council",
            "Scroll down for video",
            "Officials said",
            "repairs will cost four million pounds",
            "\u0130stanbul",
        ]
        + [p.capitalize() for p in SENTENCE_NAV_ANYWHERE[:5]]
    ),
    min_size=1,
    max_size=4,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(sentences=st.lists(_SENTENCE, min_size=1, max_size=8))
def test_sentences_searched_for_the_phrases_present_are_usable_as_before(
    sentences: list[str],
) -> None:
    words = [news._words(s.lower())[: news.MAX_WORDS] for s in sentences]
    present = news._present("\n".join(sentences).lower())
    got = news._usable_mask(sentences, words, present).tolist()
    assert got == news._usable_mask(sentences, words).tolist()  # searched for all phrases


def test_the_phrases_hold_no_sigma() -> None:
    # _present lower-cases a whole article: a character lower-cased by its context (a final
    # sigma) could differ from the sentence's own lower-casing
    for phrase in (*SENTENCE_NAV_ANYWHERE, *news._AGENCY_NAMES):
        assert not set(phrase) & set("\u03a3\u03c3\u03c2"), phrase


def test_an_article_without_a_navigation_phrase_is_searched_for_none() -> None:
    low = "the harbour wall collapsed.\nthe council will rebuild it this year."
    assert news._present(low) == ((), ())
    assert news._present(low + "\nclick here to read more")[0] == ("click here",)
