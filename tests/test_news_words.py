"""The news summarizer's words: the ASCII shortcut finds exactly the words the Unicode
pattern finds, and the TF-IDF columns follow the terms' first appearance."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.summarize import news

_TEXT = st.text(alphabet=st.sampled_from("aZq09_ '’-‘.,\"\n\tçÉß東ΣİK\u0301"), max_size=80)


@settings(max_examples=1500, deadline=None)
@given(text=_TEXT)
def test_words_are_the_word_patterns_words(text: str) -> None:
    assert news._words(text) == news._WORD.findall(text)
    assert news._words(text.lower()) == news._WORD.findall(text.lower())


@settings(max_examples=800, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_words_are_the_word_patterns_words(text: str) -> None:
    assert news._words(text) == news._WORD.findall(text)


def test_words_of_a_news_sentence() -> None:
    s = "O'Neill's rock-'n'-roll -- 3.5% of M&S's £600m, 'quoted' naïve café"
    assert news._words(s) == news._WORD.findall(s)
    assert news._words("it's a well-known fact'") == ["it's", "a", "well-known", "fact'"]


def test_term_columns_follow_first_appearance() -> None:
    v = news._vectors([["market", "rise"], [], ["rise", "bank", "market", "bank"]])
    assert v.vocab == {"market": 0, "rise": 1, "bank": 2}
    assert v.x.shape == (3, 3) and not v.x[1].any()
    assert v.sim[0, 2] > 0 and v.sim[0, 2] == v.sim[2, 0]


def _caption_by_the_patterns(t: str, cased: bool) -> bool:
    tail = t[-90:]
    return bool(
        news._CAPTION_START.search(t)
        or news._CAPTION_MARK.search(t)
        or (news._AGENCY.search(tail.lower()) and news._CREDIT.search(tail))
        or news._is_caption_label(t, cased)
    )


_CAPTION_WORDS = (
    "Pictured: Above: Left: Horrifying: (left) (pictured) Getty Images AP Photo/Jane Reuters "
    'afp Photo: credit: the a said "Yes" Bridget Jones: The Edge ( second right ) : '
    "REX/Shutterstock pa wire EPA alamy"
).split()


@settings(max_examples=1500, deadline=None)
@given(words=st.lists(st.sampled_from(_CAPTION_WORDS), min_size=1, max_size=12))
def test_captions_are_what_the_patterns_find(words: list[str]) -> None:
    t = " ".join(words)
    for cased in (True, False):
        assert news._is_caption(t, cased) == _caption_by_the_patterns(t, cased)


def test_captions_and_sentences() -> None:
    assert news._is_caption("Pictured: the mayor at the opening on Monday", True)
    assert news._is_caption("The mayor opened the bridge (Getty Images)", True)
    assert news._is_caption("Horrifying: The little girl's body was found", True)
    assert not news._is_caption("Bridget Jones: The Edge of Reason was a hit", True)
    assert not news._is_caption("Shares in Reuters rose 3% on Monday", True)


def test_an_articles_terms_looked_up_at_once_give_each_sentences_vectors() -> None:
    # rank looks every word of the article up in one pass and numbers the columns from the
    # flat list: the same columns, rows and cosines as sentence by sentence
    sentences = [
        "Markets rose as the bank cut rates.",
        "It was.",
        "The bank said markets rose again, and rates fell.",
    ]
    stem, stops = news.stemmer_and_stop_words("english")
    words = [news._words(s.lower()) for s in sentences]
    by_sentence = news._vectors([news._terms(w, stem, stops) for w in words])
    ranked = news.rank(sentences, [0, 0, 1], title="Bank cuts rates", count=1)
    flat = [t for w in words for t in news._terms(w, stem, stops)]
    rows = np.repeat(np.arange(3), [len(news._terms(w, stem, stops)) for w in words])
    at_once = news._vectors_of(flat, rows, 3)
    assert at_once.vocab == by_sentence.vocab and list(at_once.vocab)[:2] == ["market", "rose"]
    assert np.array_equal(at_once.sim, by_sentence.sim) and not at_once.x[1].any()
    assert ranked.chosen == [0] and ranked.usable == [True, False, True]


def test_tfidf_is_numpys_counts_and_norms_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        n, v = int(rng.integers(1, 30)), int(rng.integers(1, 120))
        rows = rng.integers(0, n, size=200)
        cols = rng.integers(0, v, size=200)
        x, idf = news._tfidf(rows, cols, n, v)
        tf = np.bincount(rows * v + cols, minlength=n * v).reshape(n, v).astype(float)
        assert np.array_equal(idf, np.log((n + 1) / (np.count_nonzero(tf, axis=0) + 1)) + 1.0)
        plain = np.log1p(tf) * idf
        norms = np.linalg.norm(plain, axis=1)
        assert np.array_equal(x, plain / np.where(norms > 0, norms, 1.0)[:, None])


def test_a_lower_case_start_leans_on_the_predecessor_only_in_cased_text() -> None:
    cased = ["The council met.", "and then it voted.", "Rates rose."]
    lower = [s.lower() for s in cased]
    assert news._dependents(cased, english=True).tolist() == [False, True, False]
    assert news._dependents(cased, english=True, lows=lower).tolist() == [False, True, False]
    # all lower case: capitalisation says nothing, only the words do ("and" leans)
    assert news._dependents(lower, english=True).tolist() == [False, True, False]
    assert news._dependents(["Rates rose.", "rates fell."], english=True).tolist() == [False, True]
    assert news._dependents(["rates rose.", "rates fell."], english=True).tolist() == [False, False]
    assert not news._dependents(cased, english=False).any()


def test_words_met_before_and_new_ones_take_their_terms_in_place() -> None:
    stem, stops = news.stemmer_and_stop_words("english")
    memo: dict[str, str] = {}
    assert news._terms(["harbours", "walls"], stem, stops, memo) == ["harbour", "wall"]
    words = ["the", "harbours", "running", "walls", "running", "x"]
    assert news._each_term(words, stem, stops, memo) == [
        news._NO_TERM, "harbour", "run", "wall", "run", news._NO_TERM,
    ]  # fmt: skip
    assert memo["running"] == "run" and memo["the"] == news._NO_TERM
    assert news._each_term(words, stem, stops, memo) == news._each_term(words, stem, stops)


def _dependent_unicode(text: str, cased: bool) -> bool:
    """news._dependent as written with the Unicode word pattern alone."""
    t = text.lstrip()
    if t.startswith(("...", "\u2026")):
        return True
    m = news._WORD.search(t, 0, 40)
    if m is None:
        return False
    w = m.group(0)
    if cased and w[0].islower() and m.start() <= 2:
        return True
    return w.lower() in news._DEPENDENT


@settings(max_examples=800, deadline=None)
@given(
    text=st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
    | st.builds(
        "".join, st.lists(st.sampled_from(["He ", "but", " ", '"', "it's", "-", "...", "x"]))
    )
)
def test_dependent_first_word_of_ascii_text_is_the_word_patterns(text: str) -> None:
    """_dependent reads ASCII text's first word with the ASCII pattern: the same answer."""
    for cased in (True, False):
        assert news._dependent(text, cased) == _dependent_unicode(text, cased)


@settings(max_examples=3000, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("abZ'- -\t\n\x1c\x1f9.,\"_"), max_size=60)
    | st.builds(" ".join, st.lists(st.sampled_from(["it's", "well-known", "-", "'a", "x'", "9a"])))
)
def test_ascii_words_split_at_the_other_characters_are_the_searched_words(text: str) -> None:
    """_words of ASCII text, its runs of letters, ' and - split in C when none starts with
    ' or - (else searched): the words _WORD and _ASCII_WORD find."""
    assert news._words(text) == news._WORD.findall(text) == news._ASCII_WORD.findall(text)
    assert news._words("12 months - a well-known 'fact'") == ["months", "a", "well-known", "fact'"]
    assert news._words("the bbc's 2m viewers") == ["the", "bbc's", "m", "viewers"]


@settings(max_examples=1500, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["(", ")", "( ", "left", "pictured", "second right", "file photo", "x"]),
        max_size=8,
    )
)
def test_a_caption_mark_is_looked_for_only_after_an_opening_bracket(words: list[str]) -> None:
    """_is_caption searches for a position marker ("(left)") only in a sentence with a "(":
    the same answer as the patterns searched in every sentence."""
    t = "The mayor " + "".join(words) + " opened the bridge"
    for cased in (True, False):
        assert news._is_caption(t, cased) == _caption_by_the_patterns(t, cased)
    assert news._is_caption("The mayor ( second right ) opened it", True)
    assert not news._is_caption("The mayor, second right, opened it", True)
