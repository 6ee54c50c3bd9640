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
unseen before never imports NLTK.  sumy's stemmer and stop words for a Snowball
language come from here too (:func:`sumy_stemmer`, :func:`sumy_stop_words`), the same
functions and data sumy would give, without sumy's import of NLTK and ``requests``.
"""

from __future__ import annotations

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
