"""The news summarizer's faster paths choose what the plain ones chose: the selector over
Python lists picks the sentences the NumPy formulation picks, and an article's sentences,
searched only for the navigation phrases and agency names that occur in the article, are
usable or not exactly as when searched for all of them."""

from __future__ import annotations

from re import _constants, _parser  # type: ignore[attr-defined]

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


def _usable_by_the_patterns(t: str, n_words: int) -> bool:
    """usable_sentence as it was written before its tests were put in one function: every
    pattern tried on every sentence of enough words."""
    if n_words < news.MIN_WORDS:
        return False
    low = t.lower()
    cased = t != low
    navigation = any(k in low for k in SENTENCE_NAV_ANYWHERE) or news._NAV_START.search(t)
    m = news._BY.match(t)
    by = m is not None and (
        not cased
        or all(w[0].isupper() or w.lower() in news._BY_LINKS for w in news._WORD.findall(m[1]))
    )
    byline = news._BYLINE.match(t) or "daily mail reporter" in low or by
    return not (navigation or byline or news._is_caption(t, cased) or t.endswith(":"))


_OPENING = st.sampled_from(
    # the labels the opening patterns look for, in any case, after non-word characters or
    # not; and other openings (a sentence that opens with another ASCII letter or digit is
    # not searched for them)
    [
        "READ MORE:", "read more -", "See also:", "Related |", "Watch \u2014", "Listen:",
        "More >", "Video:", "Advertisement", "Subscribe", "Sign up", "Follow us",
        "Published:", "Updated :", "Last updated:", "Posted:", "Reporting by", "Editing by",
        "Additional reporting by", "By", "by", "BY", "\u017fubscribe", "The", "Tony", "2005",
        "\u00bbRead more:", "\u201cWatch:", "-- Video:", "...", "\u00c9lys\u00e9e", "_By",
    ]
)  # fmt: skip
_REST = st.sampled_from(
    ["Jane Doe and John Roe", "the council met on Monday", "Science Correspondent", "it."]
)


@settings(max_examples=1500, deadline=None)
@given(opening=_OPENING, rest=st.lists(_REST, min_size=1, max_size=3).map(" ".join))
def test_a_sentence_is_usable_as_when_every_pattern_was_tried(opening: str, rest: str) -> None:
    for t in (f"{opening} {rest}", f"{opening}{rest}", f"{opening} {rest}:", rest):
        n_words = len(news._words(t))
        assert news._usable(t, n_words) == _usable_by_the_patterns(t, n_words), t
        assert news._usable(t, n_words, low=t.lower()) == news._usable(t, n_words)


def _first_characters(items: list) -> set[str]:
    """The characters a parsed pattern (re._parser items) can start with: literals,
    through groups and alternatives (other elements are not expected)."""
    for op, av in items:
        if op is _constants.SUBPATTERN:
            return _first_characters(av[3])
        if op is _constants.BRANCH:
            return set().union(*(_first_characters(branch) for branch in av[1]))
        if op is _constants.LITERAL:
            return {chr(av)}
        raise AssertionError(f"unexpected {op} in an opening label")
    return set()


def test_the_opening_labels_start_with_the_letters_looked_for() -> None:
    # each opening pattern: (^) any non-word characters, then a label whose first letter,
    # in either case, is one of _LABEL_FIRST
    for pattern in (news._NAV_START, news._BYLINE, news._BY):
        items = list(_parser.parse(pattern.pattern, pattern.flags))
        if items[0][0] is _constants.AT:
            items = items[1:]
        op, (low, _high, repeated) = items[0]
        assert op is _constants.MAX_REPEAT and low == 0
        assert list(repeated) == [
            (_constants.IN, [(_constants.CATEGORY, _constants.CATEGORY_NOT_WORD)])
        ]
        firsts = _first_characters(items[1:])
        assert firsts and all(c.isalpha() for c in firsts), pattern.pattern
        assert {c.lower() for c in firsts} | {c.upper() for c in firsts} <= news._LABEL_FIRST
