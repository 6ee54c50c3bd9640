"""NLTK's Snowball stemmers (the ones sumy's ``Stemmer`` uses), imported cheaply.

Any ``import nltk.<module>`` first runs ``nltk/__init__.py``, which imports most of
NLTK and, through it, ``scipy.stats`` and scikit-learn when they are installed:
0.9 s of a build measured here, against 0.15 s without them.  NLTK imports both
optionally (``try: ... except ImportError``) for features digest never uses
(Fisher's exact test in collocations, scikit-learn classifiers), so while NLTK
is imported they are marked unavailable (``sys.modules[name] = None``, which
makes an import raise ImportError) and then restored.  The stemmers are the
same objects either way.
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


def stemmer(language: str) -> Stem:
    """NLTK's Snowball stemmer for a Snowball language name ("english"), memoized."""
    import_nltk()
    from nltk.stem.snowball import SnowballStemmer

    return memoized(language, SnowballStemmer(language).stem)


MEMO_LIMIT = 200_000  # words per language kept stemmed (bounds memory on huge vocabularies)
_MEMO: dict[str, dict[str, str]] = {}


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
        return s

    return cached
