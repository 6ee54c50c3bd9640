"""Sentence splitting for extractive summaries.

A small rule-based splitter with no data files and no third-party dependency.
It was chosen by measurement against library alternatives (pysbd, nupunkt, the
NLTK punkt model); see ``bench/sentence_split.py`` and the gold set in
``tests/data/sentences_gold.json``.

Design constraints:

* Every sentence is an exact substring of the input (stripped of surrounding
  whitespace), never empty, in input order.
* Work is linear in ``len(text)``: the only regular expressions used have no
  nested or overlapping quantifiers, each match is consumed once, and every
  look-around is bounded by a constant number of characters.
* Newlines always end a sentence (paragraphs, headlines, list items).
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# Longest word we look at around a candidate boundary; anything longer is
# treated as an ordinary word (keeps look-behind bounded).
_MAX_WORD = 48


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


_NEWLINES = re.compile(r"[ \t]*(?:\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85)\s*")

# A run of terminal punctuation followed by closing quotes / brackets.  No
# look-ahead: the following character is checked in Python so a long run that
# is not followed by whitespace cannot cause backtracking.
_TERMINATOR = re.compile(
    r"[.?!\u2026\u203c\u2047\u2048\u2049]+"  # . ? ! … ‼ ⁇ ⁈ ⁉
    r"[\"'\u2019\u201d\u00bb)\]}\u203a*_]*"  # closing quotes and brackets
)

# Terminators of scripts that do not put a space after the full stop.
_CJK_TERMINATOR = re.compile(
    r"[\u3002\uff01\uff1f\uff61]+"  # 。！？｡
    r"[\u300d\u300f\uff09\u3011\"'\u201d\u2019)]*"
)

_OPENERS = "\"'\u2018\u201c\u00ab\u2039([{\u00bf\u00a1*_-\u2013\u2014"
_CLOSERS = "\"'\u2019\u201d\u00bb)]}\u203a*_"

# Abbreviations that (almost) never end a sentence: titles and the like.
_NEVER_END = _words(
    """
    mr mrs ms messrs mmes dr prof gen sen rep reps gov lt col capt cmdr cmdr adm maj sgt cpl pvt
    pres supt det insp atty hon rev fr sra srta ste
    vs v cf viz approx ca vol vols chap pp p para
    nos nr tel ext e.g i.e a.k.a aka
    univ assn
    """
)

# Abbreviations that do not end a sentence when followed by a number.
_BEFORE_NUMBER = _words(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec no nos nr vol vols p pp ch art sec
    fig figs op rev ed eds
    """
)

# Abbreviations that end a sentence when followed by a capitalised word (they
# are rarely followed by a proper noun).
_END_IF_CAPITAL = _words(
    """
    inc ltd corp co plc llc llp bros etc al jr sr esq ph.d phd m.d b.a m.a
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """
)

# Abbreviations that end a sentence only when followed by a word that
# typically starts one (``U.S. Secretary`` vs ``the U.S. The``).
_END_IF_STARTER = _words(
    """
    u.s u.k u.n u.s.a e.u a.m p.m d.c l.a n.y u.a.e p.r.c s.a n.v
    st mt ft pt ave blvd rd dept
    """
)

_STARTERS = _words(
    """
    a an the this that these those there here it its he she they we i you his her their our my
    your him them us but and or so yet nor for if when while after before although though
    because since as at in on by with without from to of into during under over about
    however meanwhile still also then now later earlier instead indeed moreover nevertheless
    yes no not none some many most all both each every few several such other another
    what who whom whose which where why how one two three
    officials police critics analysts experts authorities investors residents
    mr mrs ms dr
    """
)

# Words after which a following capitalised word after an ellipsis is still
# part of the sentence would be guesswork; ellipses break before capitals.


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of ``text`` in order; each one is an exact substring of text (stripped of
    surrounding whitespace); never empty strings. Must be bounded in time: linear-ish in
    len(text), never seconds on any input of up to a few MB. Paragraph breaks (blank lines /
    newlines) always end a sentence."""
    if not text:
        return []
    english = (language or "en").lower().split("-")[0].split("_")[0] in ("en", "eng", "english")
    out: list[str] = []
    start = 0
    for m in _NEWLINES.finditer(text):
        _split_line(text, start, m.start(), english, out)
        start = m.end()
    _split_line(text, start, len(text), english, out)
    return out


def _emit(text: str, start: int, end: int, out: list[str]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(text[start:end])


def _split_line(text: str, start: int, end: int, english: bool, out: list[str]) -> None:
    if start >= end:
        return
    line = text[start:end]
    cuts: list[int] = []
    for m in _TERMINATOR.finditer(line):
        pos = m.end()
        if pos < len(line) and not line[pos].isspace():
            continue
        if _is_boundary(line, m.start(), m.end(), english):
            cuts.append(pos)
    for m in _CJK_TERMINATOR.finditer(line):
        cuts.append(m.end())
    if len(cuts) > 1:
        cuts = sorted(set(cuts))
    prev = 0
    for cut in cuts:
        _emit(line, prev, cut, out)
        prev = cut
    _emit(line, prev, len(line), out)


def _word_before(line: str, i: int) -> str:
    """The whitespace-delimited word ending at ``line[i]`` (exclusive), bounded length."""
    j = i
    lo = max(0, i - _MAX_WORD)
    while j > lo and not line[j - 1].isspace():
        j -= 1
    if j == lo and lo > 0 and not line[lo - 1].isspace():
        return ""  # too long to be an abbreviation
    return line[j:i]


def _next_word(line: str, i: int) -> str:
    """The word after position ``i`` (skipping whitespace and opening punctuation)."""
    n = len(line)
    j = i
    while j < n and line[j].isspace():
        j += 1
    k = j
    hi = min(n, j + _MAX_WORD)
    while k < hi and not line[k].isspace():
        k += 1
    word = line[j:k]
    return word.lstrip(_OPENERS)


def _is_boundary(line: str, pstart: int, pend: int, english: bool) -> bool:
    punct = line[pstart:pend].rstrip(_CLOSERS)
    nxt = _next_word(line, pend)
    if not nxt:
        return True  # end of the line
    first = nxt[0]
    has_closer = len(punct) < pend - pstart
    if first.islower():
        # "Why?" he asked. / "the list... for details" / "e.g. apples"
        # Camel-case brand names (iPhone, eBay) may start a sentence.
        if not _is_camel(nxt):
            return False
        if punct == "." and not has_closer:
            return not _is_abbrev_context(line, pstart, nxt, english)
        return punct != ".." and not set(punct) <= {".", "\u2026"} or has_closer
    if first in ",;:)]}" or first in "\u2019\u201d":
        return False
    if punct != ".":
        # ?, !, ellipsis or mixtures: a boundary unless followed by lowercase.
        if punct.startswith(".") and set(punct) == {"."} and len(punct) == 2:
            return not _is_abbrev_context(line, pstart, nxt, english)
        return True
    if has_closer:
        # Stop." She left.  /  (See below.) Next
        return True
    return not _is_abbrev_context(line, pstart, nxt, english)


def _is_camel(word: str) -> bool:
    return any(c.isupper() for c in word[1:8])


def _is_abbrev_context(line: str, pstart: int, nxt: str, english: bool) -> bool:
    """True when the period at ``line[pstart]`` belongs to an abbreviation/initial/number
    that does not end the sentence, given the next word ``nxt``."""
    word = _word_before(line, pstart)
    # Strip opening punctuation: "(Dr." / "“Mr."
    core = word.lstrip(_OPENERS)
    if not core:
        return False
    low = core.lower()
    next_is_digit = nxt[0].isdigit()
    next_is_upper = nxt[0].isupper()
    # Numbered list item at the start of a line: "1. Buy milk", "a) ..." handled elsewhere
    if core.isdigit() and len(core) <= 3 and line[: pstart - len(word)].strip() == "":
        return True
    # Single letter: an initial (George W. Bush, J. R. R. Tolkien).
    if len(core) == 1 and core.isalpha():
        if core.isupper():
            return not _starter(nxt)
        return True
    if not english:
        # Generic fallback: dotted acronyms (U.S.A.) and single letters only.
        return _is_dotted_acronym(core) and not _starter(nxt)
    if next_is_digit and low in _BEFORE_NUMBER:
        return True
    if low in _NEVER_END:
        return True
    if low in _END_IF_CAPITAL:
        return not (next_is_upper or next_is_digit)
    if low in _END_IF_STARTER:
        return not (_starter(nxt) or next_is_digit)
    if _is_dotted_acronym(core):
        # Unknown dotted abbreviation (e.g. "N.J.", "Ph.D."): same policy as U.S.
        return not (_starter(nxt) or next_is_digit)
    return False


def _is_dotted_acronym(core: str) -> bool:
    """``U.S``, ``a.m``, ``N.Y.C`` -- single letters separated by periods."""
    if len(core) < 3 or len(core) > 12:
        return False
    parts = core.split(".")
    return len(parts) >= 2 and all(len(p) == 1 and p.isalpha() for p in parts)


def _starter(word: str) -> bool:
    w = word.lower()
    for ch in ".,;:!?\"'\u2019\u201d)":
        w = w.split(ch, 1)[0]
    return w in _STARTERS
