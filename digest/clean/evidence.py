"""Evidence about the lines of a scraped page: is a line prose, and where is the article?

The plain-text cleaner (:mod:`digest.clean.scraped`) decides what each line is from
several signals rather than from keyword lists alone:

* **length and punctuation** -- article paragraphs are long and end with a sentence end
  (``. ! ?``, and ``。！？`` in Chinese and Japanese); menus, buttons and teasers are short;
* **stop-word density** (the jusText idea) -- running text is about a third function words
  ("the", "und", "que"), a list of links or tags is not; the page's language is the one whose
  stop words are most frequent on it (English, German, French, Spanish, Portuguese, Italian);
* **position** -- the article is the densest run of prose on the page
  (:func:`densest_run`, a maximum-sum run over line scores), so a single odd line inside
  it never cuts the article short, and prose far from it (comments, footers) stays out;
* **repetition** across the other pages of the same folder, passed in by the caller
  (see :func:`digest.clean.scraped.common_lines`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from functools import cache

__all__ = ["Prose", "prose_of", "page_language", "densest_run", "content_words", "is_cjk"]

# The languages whose stop words are consulted (jusText's lists, shipped with trafilatura).
_LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
}
SENTENCE_ENDS = ".!?\u2026\u3002\uff01\uff1f\uff0e"  # also 。！？ and the full-width stop
_CLOSERS = "\"'\u2019\u201d\u00bb\u300d\u300f)]}*_ "
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_BULLET = re.compile(r"^(?:[-\u2013\u2022\u00b7*\u25aa\u25cf\u2023\u25e6]\s+|\d{1,2}[.)]\s+\S)")


@cache
def stop_words(language: str) -> frozenset[str]:
    """jusText's stop words of a language code ("en", ...); empty when unknown."""
    name = _LANGUAGES.get(language)
    if name is None:
        return frozenset()
    try:
        import justext
    except ImportError:  # pragma: no cover - a dependency of trafilatura
        return frozenset()
    return frozenset(w.lower() for w in justext.get_stoplist(name))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def is_cjk(text: str) -> bool:
    """Mostly Chinese, Japanese or Korean characters (no spaces between words)."""
    sample = text[:200]
    return len(_CJK.findall(sample)) * 2 > len(sample.replace(" ", ""))


def page_language(lines: Sequence[str]) -> str | None:
    """The language (of :data:`_LANGUAGES`) whose stop words are most frequent in the page's
    longer lines; None when none reaches 10% of the words (or the page is CJK)."""
    sample: list[str] = []
    for ln in lines:
        if len(ln) >= 40:
            sample += words(ln[:400])
        if len(sample) > 3000:
            break
    if not sample:
        return None
    best, share = None, 0.10
    for code in _LANGUAGES:
        sw = stop_words(code)
        s = sum(1 for w in sample if w in sw) / len(sample)
        if s > share:
            best, share = code, s
    return best


def ends_sentence(text: str) -> bool:
    s = text.rstrip(_CLOSERS)
    return bool(s) and s[-1] in SENTENCE_ENDS


def is_bullet(text: str) -> bool:
    return bool(_BULLET.match(text))


class Prose(Enum):
    """How much a line looks like article text."""

    GOOD = "good"  # a paragraph of running text
    NEAR = "near"  # a short sentence: text if its neighbours are
    SHORT = "short"  # a short line without a sentence end: heading, list item or furniture
    BAD = "bad"  # long, but not running text (a list of links, tags, a table of figures)


def prose_of(text: str, language: str | None) -> Prose:
    """The jusText-style class of a line: length, sentence end and stop-word density."""
    if is_cjk(text):
        n = len(_CJK.findall(text[:400]))
        if n >= 25 and ends_sentence(text):
            return Prose.GOOD
        return Prose.NEAR if n >= 12 and ends_sentence(text) else Prose.SHORT
    ws = words(text[:600])
    n = len(ws)
    density = _density(ws, language)
    end = ends_sentence(text)
    if n >= 12 and (density >= 0.25 or (end and density >= 0.15)):
        return Prose.GOOD
    if n >= 25 and density >= 0.12:
        return Prose.GOOD
    if n >= 5 and end and density >= 0.15:
        return Prose.NEAR
    if n >= 12:
        return Prose.BAD
    return Prose.SHORT


def _density(ws: list[str], language: str | None) -> float:
    if not ws:
        return 0.0
    if language is None:
        return 0.3  # no list to judge by: length and punctuation decide
    sw = stop_words(language)
    return sum(1 for w in ws if w in sw) / len(ws)


def densest_run(scores: Sequence[float]) -> tuple[int, int]:
    """``(start, end)`` (end exclusive) of the run of lines with the largest sum of scores
    (Kadane); ``(0, 0)`` when no line scores above zero."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += s
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def content_words(text: str, language: str | None) -> set[str]:
    """The words of a line that carry meaning: not stop words, three letters or more
    (for CJK text: its two-character runs)."""
    if is_cjk(text):
        chars = "".join(_CJK.findall(text))
        return {chars[i : i + 2] for i in range(len(chars) - 1)}
    sw = stop_words(language) if language else frozenset()
    return {w for w in words(text) if len(w) >= 3 and w not in sw}
