"""NLTK's Snowball stemmers (the ones sumy's ``Stemmer`` uses), imported cheaply.

Any ``import nltk.<module>`` first runs ``nltk/__init__.py``, which imports most of
NLTK and, through it, ``scipy.stats`` and scikit-learn when they are installed:
0.9 s of a build measured here, against 0.15 s without them.  NLTK imports both
optionally (``try: ... except ImportError``) for features digest never uses
(Fisher's exact test in collocations, scikit-learn classifiers), so while NLTK
is imported they are marked unavailable (``sys.modules[name] = None``, which
makes an import raise ImportError) and then restored.  The stemmers are the
same objects either way.

Even so, importing NLTK costs 0.3 s, most of a one-article rebuild's own work.  So
NLTK is imported only when a word is really stemmed (:func:`lazy`), and a build keeps
the words it has stemmed in its cache (:func:`seed`, :func:`take_fresh`; the collect
stage stores them beside the term counts): a rebuild whose edited article uses no word
unseen before never imports NLTK.  English needs no NLTK at all: :func:`english_stem` is
NLTK's English stemmer transcribed (the same stem for every word; a cold build of an
English site no longer spends 0.2-0.3 s importing NLTK before its workers start).
sumy's stemmer and stop words for a Snowball
language come from here too (:func:`sumy_stemmer`, :func:`sumy_stop_words`), the same
functions and data sumy would give, without sumy's import of NLTK and ``requests``.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable

Stem = Callable[[str], str]  # a stemmer: word -> stem

_OPTIONAL = ("scipy.stats", "sklearn")
_LOCK = threading.Lock()


def import_nltk() -> None:
    """Import NLTK's Snowball stemmer module without NLTK's optional heavy imports."""
    if "nltk.stem.snowball" in sys.modules:
        return
    with _LOCK:
        if "nltk.stem.snowball" in sys.modules:
            return
        blocked = [m for m in _OPTIONAL if m not in sys.modules]
        for m in blocked:
            sys.modules[m] = None  # type: ignore[assignment]
        try:
            import nltk.stem.snowball  # noqa: F401
        finally:
            for m in blocked:
                if sys.modules.get(m, 0) is None:
                    del sys.modules[m]


# NLTK's Snowball languages (nltk.stem.snowball.SnowballStemmer.languages; a test checks),
# known here so that a stemmer can be promised before NLTK is imported
LANGUAGES = (
    "arabic", "danish", "dutch", "english", "finnish", "french", "german", "hungarian",
    "italian", "norwegian", "porter", "portuguese", "romanian", "russian", "spanish", "swedish",
)  # fmt: skip
# languages for which sumy's Stemmer is not NLTK's (sumy.nlp.stemmers.Stemmer.SPECIAL_STEMMERS)
_SUMY_OWN = ("czech", "slovak", "hebrew", "chinese", "japanese", "korean", "ukrainian", "greek")


def lazy(language: str) -> Stem:
    """NLTK's Snowball stemmer for ``language`` (one of LANGUAGES), imported on its first
    word: ``<Language>Stemmer().stem``, as sumy makes it (and as ``SnowballStemmer``)."""
    if language not in LANGUAGES:
        raise ValueError(f"no Snowball stemmer for {language!r}")
    if language == "english":
        return english_stem  # NLTK's, without importing NLTK (see below)
    real: list[Stem] = []

    def stem(word: str) -> str:
        if not real:
            import_nltk()
            import nltk.stem.snowball as nltk_snowball

            real.append(getattr(nltk_snowball, language.capitalize() + "Stemmer")().stem)
        return real[0](word)

    return stem


def stemmer(language: str) -> Stem:
    """NLTK's Snowball stemmer for a Snowball language name ("english"), memoized (NLTK
    is imported when a word not in the table is stemmed)."""
    return memoized(language, lazy(language))


def sumy_stemmer(language: str) -> Stem:
    """What ``sumy.nlp.stemmers.Stemmer(language)`` is (LookupError when sumy has none),
    without importing NLTK for a Snowball language until a word needs it.  (sumy takes a
    name of more than three letters as it is, lower-cased; shorter ones are looked up as
    ISO codes, left to sumy.)"""
    name = language.lower()
    if len(language) > 3 and name in LANGUAGES and name not in _SUMY_OWN:
        return lazy(name)
    import_nltk()
    from sumy.nlp.stemmers import Stemmer

    return Stemmer(language)


def sumy_stop_words(language: str) -> frozenset[str]:
    """``sumy.utils.get_stop_words(language)`` (LookupError when sumy has none): read from
    sumy's own data, without importing ``sumy.utils`` (which imports ``requests``) for a
    name sumy takes as it is (see :func:`sumy_stemmer`)."""
    if len(language) <= 3:
        from sumy.utils import get_stop_words

        return frozenset(get_stop_words(language))
    import pkgutil

    name = language.lower()
    try:
        data = pkgutil.get_data("sumy", f"data/stopwords/{name}.txt")
    except OSError:
        raise LookupError(f"Stop-words are not available for language {name}.") from None
    if data is None:  # pragma: no cover - sumy installed without a loader
        raise LookupError(f"Stop-words are not available for language {name}.")
    return frozenset(w.rstrip() for w in data.decode("utf-8").splitlines() if w)


MEMO_LIMIT = 200_000  # words per language kept stemmed (bounds memory on huge vocabularies)
_MEMO: dict[str, dict[str, str]] = {}
# words stemmed by this process since take_fresh() last ran, per language: what a build
# adds to the stored table (a forked worker sends its own back with its results)
_FRESH: dict[str, dict[str, str]] = {}


def seed(tables: dict[str, dict[str, str]]) -> None:
    """Add stored word -> stem tables (language -> table) to the memo: their words are
    not stemmed again (stemming is a pure function of the word and NLTK's version, which
    is part of the build cache's fingerprint)."""
    for language, table in tables.items():
        memo = _MEMO.setdefault(language, {})
        if len(memo) + len(table) <= MEMO_LIMIT:
            memo.update(table)


def take_fresh() -> dict[str, dict[str, str]]:
    """The words stemmed here since the last call (language -> word -> stem), forgotten."""
    fresh = {lang: words for lang, words in _FRESH.items() if words}
    _FRESH.clear()
    return fresh


def memoized(language: str, stem: Stem) -> Stem:
    """``stem`` with its results kept, in one table per language shared by all callers.

    The summarizer (sumy's ``Stemmer``) and related links (``stemmer`` above) stem
    the same words: for the Snowball languages sumy's ``Stemmer`` is NLTK's Snowball
    stemmer, the same function, so each word is stemmed once per process.
    """
    memo = _MEMO.setdefault(language, {})

    def cached(word: str) -> str:
        s = memo.get(word)
        if s is None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            s = memo[word] = stem(word)
            fresh = _FRESH.get(language)
            if fresh is None:
                fresh = _FRESH[language] = {}
            if len(fresh) < MEMO_LIMIT:
                fresh[word] = s
        return s

    return cached


# ---------------------------------------------------------------- English, without NLTK
#
# NLTK's EnglishStemmer.stem (nltk/stem/snowball.py, NLTK 3.10; Apache License 2.0,
# Copyright (C) 2001-2026 NLTK Project), transcribed step by step so that it gives the same
# stem for every string (tests/test_snowball.py compares the two on the words of generated
# and real text): importing NLTK costs a build 0.2-0.3 s before its workers start, and an
# English site needs nothing else from it.  The regions r1 and r2 are kept as NLTK keeps
# them, quirks included (a region shorter than a replaced suffix becomes "" or "e").
# This part is a derivative work of NLTK's code under the Apache License 2.0, whose text is
# in digest/NLTK-LICENSE.txt (shipped in the package); changed from NLTK's: one function
# instead of a class, suffix tables as tuples and dicts, the same results.  The algorithm is
# Martin Porter's English (Porter2) Snowball stemmer.

_VOWELS = "aeiouy"
_DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
_LI_ENDING = "cdeghkmnrt"
_STEP1A = ("sses", "ied", "ies", "us", "ss", "s")
_STEP1B = ("eedly", "ingly", "edly", "eed", "ing", "ed")
_STEP2 = (
    "ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti", "lessli",
    "entli", "ation", "alism", "aliti", "ousli", "iviti", "fulli", "enci", "anci", "abli",
    "izer", "ator", "alli", "bli", "ogi", "li",
)  # fmt: skip
# step 2's replacements: suffix -> (new ending, what r2 becomes when shorter than the suffix)
_STEP2_NEW = {
    "enci": ("ence", None), "anci": ("ance", None), "abli": ("able", None),
    "izer": ("ize", ""), "ization": ("ize", ""),
    "ational": ("ate", "e"), "ation": ("ate", "e"), "ator": ("ate", "e"),
    "alism": ("al", ""), "aliti": ("al", ""), "alli": ("al", ""),
    "ousli": ("ous", ""), "ousness": ("ous", ""),
    "iveness": ("ive", "e"), "iviti": ("ive", "e"),
    "biliti": ("ble", ""), "bli": ("ble", ""),
}  # fmt: skip
_STEP3 = ("ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful")
_STEP4 = (
    "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous",
    "ive", "ize", "ion", "al", "er", "ic",
)  # fmt: skip
_SPECIAL = {
    "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
    "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
    "singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
    "cosmos": "cosmos", "bias": "bias", "andes": "andes", "inning": "inning",
    "innings": "inning", "outing": "outing", "outings": "outing", "canning": "canning",
    "cannings": "canning", "herring": "herring", "herrings": "herring",
    "earring": "earring", "earrings": "earring", "proceed": "proceed",
    "proceeds": "proceed", "proceeded": "proceed", "proceeding": "proceed",
    "exceed": "exceed", "exceeds": "exceed", "exceeded": "exceed", "exceeding": "exceed",
    "succeed": "succeed", "succeeds": "succeed", "succeeded": "succeed",
    "succeeding": "succeed",
}  # fmt: skip


# The suffixes of a step by their last character, each group in the step's order: a word's
# suffix ends with the word's last character, so the first of its group that the word ends
# with is the first of the step's (NLTK tries them in order and takes the first).  One
# look-up instead of an endswith of every suffix (the most costly part of a stem).
def _by_last(suffixes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for suffix in suffixes:
        groups[suffix[-1]] = (*groups.get(suffix[-1], ()), suffix)
    return groups


_STEP0_BY_LAST = _by_last(("'s'", "'s", "'"))
_STEP1A_BY_LAST = _by_last(_STEP1A)
_STEP1B_BY_LAST = _by_last(_STEP1B)
_STEP2_BY_LAST = _by_last(_STEP2)
_STEP3_BY_LAST = _by_last(_STEP3)
_STEP4_BY_LAST = _by_last(_STEP4)
_VC = re.compile(f"[{_VOWELS}][^{_VOWELS}]", re.DOTALL)  # a vowel, then any other character
_VOWEL_SET = frozenset(_VOWELS)


def _after_vc(word: str) -> str:
    """What follows the first non-vowel that follows a vowel ("" when there is none)."""
    m = _VC.search(word)  # (the first such pair: one search in C, not a loop in Python)
    return "" if m is None else word[m.end() :]


def _replaced(region: str, suffix: str, new: str, short: str) -> str:
    """A region's new value when the word's ``suffix`` becomes ``new`` (NLTK's rule: the
    region loses the suffix's length and gains ``new``, or is ``short`` if shorter)."""
    return region[: -len(suffix)] + new if len(region) >= len(suffix) else short


def english_stem(word: str) -> str:
    """The English Snowball stem of a word, as NLTK's ``EnglishStemmer().stem`` gives it.

    (A step's suffixes are tried one by one, as NLTK does, but only those that end with the
    word's last character: see _by_last.)"""
    word = word.lower()
    if len(word) <= 2:
        return word
    special = _SPECIAL.get(word)
    if special is not None:
        return special
    if not word.isascii():  # (the quotes below are not ASCII)
        word = word.replace("\u2019", "'").replace("\u2018", "'").replace("\u201b", "'")
    if word.startswith("'"):
        word = word[1:]
    if word.startswith("y"):
        word = "Y" + word[1:]
    if "y" in word:
        chars = list(word)
        for i in range(1, len(chars)):
            if chars[i - 1] in _VOWELS and chars[i] == "y":
                chars[i] = "Y"
        word = "".join(chars)

    if word.startswith(("gener", "commun", "arsen")):
        r1 = word[5:] if word.startswith(("gener", "arsen")) else word[6:]
        r2 = _after_vc(r1)
    else:
        r1 = _after_vc(word)
        r2 = _after_vc(r1)

    # step 0
    for suffix in _STEP0_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            n = len(suffix)
            word, r1, r2 = word[:-n], r1[:-n], r2[:-n]
            break

    # step 1a
    for suffix in _STEP1A_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            if suffix == "sses":
                word, r1, r2 = word[:-2], r1[:-2], r2[:-2]
            elif suffix in ("ied", "ies"):
                if len(word[: -len(suffix)]) > 1:
                    word, r1, r2 = word[:-2], r1[:-2], r2[:-2]
                else:
                    word, r1, r2 = word[:-1], r1[:-1], r2[:-1]
            elif suffix == "s" and not _VOWEL_SET.isdisjoint(word[:-2]):
                word, r1, r2 = word[:-1], r1[:-1], r2[:-1]
            break

    # step 1b
    for suffix in _STEP1B_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            n = len(suffix)
            if suffix in ("eed", "eedly"):
                if r1.endswith(suffix):
                    word = word[:-n] + "ee"
                    r1 = _replaced(r1, suffix, "ee", "")
                    r2 = _replaced(r2, suffix, "ee", "")
            elif not _VOWEL_SET.isdisjoint(word[:-n]):
                word, r1, r2 = word[:-n], r1[:-n], r2[:-n]
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                    r1 += "e"
                    if len(word) > 5 or len(r1) >= 3:
                        r2 += "e"
                elif word.endswith(_DOUBLES):
                    word, r1, r2 = word[:-1], r1[:-1], r2[:-1]
                elif (
                    r1 == ""
                    and len(word) >= 3
                    and word[-1] not in _VOWELS
                    and word[-1] not in "wxY"
                    and word[-2] in _VOWELS
                    and word[-3] not in _VOWELS
                ) or (
                    r1 == "" and len(word) == 2 and word[0] in _VOWELS and word[1] not in _VOWELS
                ):
                    word += "e"
                    if len(r1) > 0:
                        r1 += "e"
                    if len(r2) > 0:
                        r2 += "e"
            break

    # step 1c
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in _VOWELS:
        word = word[:-1] + "i"
        r1 = r1[:-1] + "i" if len(r1) >= 1 else ""
        r2 = r2[:-1] + "i" if len(r2) >= 1 else ""

    # step 2
    for suffix in _STEP2_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            if r1.endswith(suffix):
                new = _STEP2_NEW.get(suffix)
                if new is not None:
                    ending, short2 = new
                    if short2 is None:  # enci, anci, abli: the last letter becomes "e"
                        word = word[:-1] + "e"
                        r1 = r1[:-1] + "e" if len(r1) >= 1 else ""
                        r2 = r2[:-1] + "e" if len(r2) >= 1 else ""
                    else:
                        word = word[: -len(suffix)] + ending
                        r1 = _replaced(r1, suffix, ending, "")
                        r2 = _replaced(r2, suffix, ending, short2)
                elif suffix in ("tional", "entli", "fulli", "lessli"):
                    word, r1, r2 = word[:-2], r1[:-2], r2[:-2]
                elif suffix == "fulness":
                    word, r1, r2 = word[:-4], r1[:-4], r2[:-4]
                elif suffix == "ogi" and word[-4] == "l":
                    word, r1, r2 = word[:-1], r1[:-1], r2[:-1]
                elif suffix == "li" and word[-3] in _LI_ENDING:
                    word, r1, r2 = word[:-2], r1[:-2], r2[:-2]
            break

    # step 3
    for suffix in _STEP3_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            if r1.endswith(suffix):
                if suffix == "tional":
                    word, r1, r2 = word[:-2], r1[:-2], r2[:-2]
                elif suffix == "ational":
                    word = word[:-7] + "ate"
                    r1 = _replaced(r1, suffix, "ate", "")
                    r2 = _replaced(r2, suffix, "ate", "")
                elif suffix == "alize":
                    word, r1, r2 = word[:-3], r1[:-3], r2[:-3]
                elif suffix in ("icate", "iciti", "ical"):
                    word = word[: -len(suffix)] + "ic"
                    r1 = _replaced(r1, suffix, "ic", "")
                    r2 = _replaced(r2, suffix, "ic", "")
                elif suffix in ("ful", "ness"):
                    n = len(suffix)
                    word, r1, r2 = word[:-n], r1[:-n], r2[:-n]
                elif suffix == "ative" and r2.endswith(suffix):
                    word, r1, r2 = word[:-5], r1[:-5], r2[:-5]
            break

    # step 4
    for suffix in _STEP4_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix):
            if r2.endswith(suffix):
                if suffix == "ion":
                    if word[-4] in "st":
                        word, r1, r2 = word[:-3], r1[:-3], r2[:-3]
                else:
                    n = len(suffix)
                    word, r1, r2 = word[:-n], r1[:-n], r2[:-n]
            break

    # step 5
    if (
        (r2.endswith("l") and word[-2] == "l")
        or r2.endswith("e")
        or (
            r1.endswith("e")
            and len(word) >= 4
            and (
                word[-2] in _VOWELS
                or word[-2] in "wxY"
                or word[-3] not in _VOWELS
                or word[-4] in _VOWELS
            )
        )
    ):
        word = word[:-1]

    return word.replace("Y", "y")
