"""Sentence splitting for extractive summaries.

A small rule-based splitter with no data files and no third-party dependency.
It was chosen by measurement against library alternatives (pysbd, nupunkt, the
NLTK punkt model, sentencex, syntok, segtok, blingfire); see
``bench/sentence_split.py`` and the gold set in ``tests/data/sentences_gold.json``.

Guarantees:

* Every sentence is an exact substring of the input, stripped of surrounding
  whitespace, never empty, in input order.
* Newlines always end a sentence (paragraphs, headlines, list items).
* Work is linear in ``len(text)``.  The regular expressions have a single
  quantified character class each, are only ever used with ``finditer`` over
  the whole string (each character is consumed by at most one match, and a
  failed attempt cannot re-scan a run of characters); the only look-arounds are a
  look-behind at the one character just matched and a look-ahead of at most
  ``_MAX_GAP + _MAX_WORD`` characters.  Every look at the
  words around a candidate boundary is capped at ``_MAX_WORD`` characters, and a
  long whitespace gap is skipped by one search that later candidates never repeat.

How a boundary is decided: a candidate is a run of ``. ? ! …`` (plus closing
quotes/brackets) followed by whitespace.  ``?``, ``!`` and ellipses end the
sentence unless the next word starts in lowercase.  A single ``.`` ends it
unless the word before it is a known abbreviation, an initial, a dotted
acronym or a list number, with per-class rules about the word that follows
(``U.S. Secretary`` vs ``the U.S. The``, ``Jan. 5`` vs ``in Jan. The``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from digest import languages

__all__ = ["split_sentences"]

# Longest word looked at on either side of a candidate boundary; a longer word
# is never an abbreviation, and the cap keeps the work per candidate constant.
_MAX_WORD = 48
_MAX_GAP = 64


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


# Line and paragraph separators (the str.splitlines set).
_NEWLINE_CHARS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TERM_CHARS = ".?!\u2026\u203c\u2047\u2048\u2049"  # . ? ! … ‼ ⁇ ⁈ ⁉
_CJK_CHARS = "\u3002\uff01\uff1f\uff61"  # 。！？｡ (scripts with no space after a stop)

# One pass over the text finds every event: a newline (one character), a run of
# CJK full stops, or a run of terminal punctuation; both runs take the closing
# quotes / brackets after them.  The three kinds share no character, and a run's
# two classes share none either, so no match can backtrack.  The pattern opens
# with one class of every event's first character (then tells the kinds apart by
# a look-behind at it), so that the regex engine skips from one such character to
# the next at C speed instead of trying three alternatives at every position.
_EVENT = re.compile(
    f"[{_NEWLINE_CHARS}{_CJK_CHARS}{_TERM_CHARS}]"
    f"(?:(?<=[{_NEWLINE_CHARS}])"
    # + 」』）】 " ' ” ’ )
    f"|(?<=[{_CJK_CHARS}])[{_CJK_CHARS}]*[\u300d\u300f\uff09\u3011\"'\u201d\u2019)]*"
    # + " ' ’ ” » › ) ] } * _
    f"|(?<=[{_TERM_CHARS}])[{_TERM_CHARS}]*[\"'\u2019\u201d\u00bb\u203a)\\]}}*_]*"
    # Bounded look-ahead: the whitespace gap and the next word (at most 64 + 48 characters;
    # the two classes are disjoint, so this is constant work per match).
    f"(?=(\\s{{0,{_MAX_GAP}}})(\\S{{0,{_MAX_WORD}}})))"
)
_NEWLINE_RE = re.compile(f"[{_NEWLINE_CHARS}]")

# First character after a candidate that is either not whitespace or a newline.
_NEXT_STOP = re.compile(f"[\\S{_NEWLINE_CHARS}]")

_OPENERS = "\"'\u2018\u201c\u00ab\u2039([{\u00bf\u00a1*_"
_CLOSERS = "\"'\u2019\u201d\u00bb\u203a)]}*_"
_WORD_TRAIL = ".,;:!?\"'\u2019\u201d)]}*_"

# Titles and other abbreviations that (almost) never end a sentence.
_NEVER_END = _words(
    """
    mr mrs ms messrs mmes dr prof gen sen sens rep reps gov lt col capt cmdr adm maj sgt cpl pvt
    pres supt det insp atty hon rev fr sra srta ste gens
    vs v cf viz approx ca vol vols chap pp p para
    nos nr tel ext e.g i.e a.k.a aka
    univ assn
    """
)

# Abbreviations that do not end a sentence when a number follows.
_BEFORE_NUMBER = _words(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec no nos nr vol vols p pp ch art sec
    fig figs op rev ed eds
    """
)

# Abbreviations that end a sentence when a capitalised word follows (they are
# rarely followed by a proper noun inside a sentence).
_END_IF_CAPITAL = _words(
    """
    inc ltd corp co plc llc llp bros etc al jr sr esq ph.d phd m.d b.a m.a
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """
)

# Clock abbreviations: end a sentence before a capitalised word unless it is a
# day, month or time zone (``9 a.m. Eastern time``, ``2 p.m. Thursday``).
_CLOCK = _words("a.m p.m")
_AFTER_CLOCK = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
    sun january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    et est edt ct cst cdt mt mst mdt pt pst pdt gmt bst utc cet cest ist jst aest
    eastern central mountain pacific atlantic local
    """
)

# Abbreviations (besides dotted acronyms such as U.S.) that end a sentence only
# when the next word is one that typically starts a sentence.
_END_IF_STARTER = _words("st mt ft pt ave blvd rd dept")

# Words that typically start a sentence (used after ambiguous abbreviations).
_STARTERS = _words(
    """
    a an the this that these those there here it its he she they we i you his her their our my
    your him them us but and or so yet nor for if when while after before although though
    because since as at in on by with without from to of into during under over about
    however meanwhile still also then now later earlier instead indeed moreover nevertheless
    yes no not none some many most all both each every few several such other another
    what who whom whose which where why how one two three
    officials police critics analysts experts authorities investors residents
    """
)

_BARE = re.compile(f"[^{re.escape(_WORD_TRAIL)}]*")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of ``text`` in order; each one is an exact substring of text (stripped of
    surrounding whitespace); never empty strings. Must be bounded in time: linear-ish in
    len(text), never seconds on any input of up to a few MB. Paragraph breaks (blank lines /
    newlines) always end a sentence."""
    if not text:
        return []
    english = languages.english_rules((language or "en").strip())
    out: list[str] = []
    n = len(text)
    prev = 0  # start of the current sentence
    line_start = 0
    for m in _EVENT.finditer(text):
        start, cut = m.span()
        ch = text[start]
        if ch in _NEWLINE_CHARS:
            line_start = cut
            cut = start
        elif ch in _TERM_CHARS:
            gap, nxt = m.group(1, 2)
            if not gap:
                if cut < n:
                    continue  # "3.5", "example.com": not followed by whitespace
                nxt = None
            elif len(gap) == _MAX_GAP:
                nxt = _next_word(text, cut)  # a long gap: search past it
            elif (len(gap) > 1 or gap in _NEWLINE_CHARS) and _NEWLINE_RE.search(gap):
                nxt = None  # the line ends here
            elif not nxt:
                nxt = None if cut + len(gap) >= n else ""
            else:
                nxt = nxt.lstrip(_OPENERS)
            if nxt is not None and not _is_boundary(text, start, cut, line_start, nxt, english):
                continue
        sentence = text[prev:cut].strip()
        if sentence:
            out.append(sentence)
        prev = m.end()
    sentence = text[prev:].strip()
    if sentence:
        out.append(sentence)
    return out


def _word_before(text: str, i: int) -> str:
    """The whitespace-delimited word ending at ``i`` (exclusive); "" if longer than the cap."""
    if i == 0 or text[i - 1].isspace():
        return ""
    lo = i - _MAX_WORD - 1
    if lo < 0:
        lo = 0
    parts = text[lo:i].rsplit(None, 1)
    if not parts:
        return ""
    word = parts[-1]
    if len(parts) == 1 and lo > 0 and len(word) == i - lo:
        return ""  # no whitespace within the cap: too long to be an abbreviation
    return word


def _next_word(text: str, i: int) -> str | None:
    """The word after ``i`` (capped, opening quotes/brackets removed); None at end of line.

    The whitespace before it is skipped by a regex search, so each gap is scanned
    once: the gaps after successive candidates do not overlap.
    """
    m = _NEXT_STOP.search(text, i)
    if m is None or text[m.start()] in _NEWLINE_CHARS:
        return None
    j = m.start()
    return text[j : j + _MAX_WORD].split(None, 1)[0].lstrip(_OPENERS)


def _is_boundary(
    text: str, pstart: int, pend: int, line_start: int, nxt: str, english: bool
) -> bool:
    """Whether the terminator run ``text[pstart:pend]``, followed by whitespace and the word
    ``nxt`` on the same line, ends a sentence."""
    word = _word_before(text, pstart)
    at_line_start = (
        word[-1:].isdigit()
        and len(word) <= 8
        and _starts_line(text, pstart - len(word), line_start)
    )
    return _decide(word, text[pstart:pend], nxt, at_line_start, english)


# The decision depends only on a few short strings, so it is memoised: repetitive
# input (the usual pathological case) costs a dictionary lookup per candidate.
@lru_cache(maxsize=4096)
def _decide(word: str, run: str, nxt: str, at_line_start: bool, english: bool) -> bool:
    if not nxt:
        return False  # a lone quote / bracket follows: keep it with this sentence
    punct = run.rstrip(_CLOSERS)
    has_closer = len(punct) < len(run)
    first = nxt[0]
    if first.islower():
        # "Why?" he asked.  /  the list... and on.  /  e.g. apples
        # A camel-case brand name (iPhone, eBay) can start a sentence.
        if not _is_camel(nxt):
            return False
        if punct == "." and not has_closer:
            return not _is_abbrev_context(word, nxt, at_line_start, english)
        return True
    if not (first.isalnum() or first in "$\u20ac\u00a3\u00a5#@"):
        # "Stop." -- he said / a dangling dash or comma
        return False
    if punct != "." or has_closer:
        # ? ! … or a closing quote / bracket after the full stop: "Stop." She left.
        return True
    return not _is_abbrev_context(word, nxt, at_line_start, english)


def _is_camel(word: str) -> bool:
    return any(c.isupper() for c in word[1:8])


def _is_abbrev_context(word: str, nxt: str, at_line_start: bool, english: bool) -> bool:
    """Whether a full stop after ``word`` belongs to an abbreviation, initial, dotted acronym
    or list number that does not end the sentence, given the next word ``nxt``."""
    core = word.lstrip(_OPENERS)
    if not core:
        return False
    next_is_digit = nxt[0].isdigit()
    # List item number at the start of a line: "1. Buy milk".
    if core.isdigit():
        if len(core) <= 3 and at_line_start:
            return True
        # Ordinals of other languages: "am 3. Mai" (German), "den 5. juni".
        return not english and len(core) <= 2
    # A single letter: an initial (George W. Bush, J. R. R. Tolkien).
    if len(core) == 1 and core.isalpha():
        return not (core.isupper() and _starter(nxt))
    low = core.lower()
    dotted = _is_dotted_acronym(core)
    if not english:
        # Generic fallback: initials and dotted acronyms (U.S.A., z.B., d.h.) only.
        return dotted and not _starter(nxt)
    if next_is_digit and (low in _BEFORE_NUMBER or (dotted and low not in _CLOCK)):
        return True  # Jan. 5, No. 3, H.R. 1234
    if low in _NEVER_END:
        return True
    if low in _END_IF_CAPITAL:
        return not (nxt[0].isupper() or next_is_digit)
    if low in _CLOCK:
        if next_is_digit:
            return False
        return _bare(nxt) in _AFTER_CLOCK or _is_title(nxt)
    if dotted or low in _END_IF_STARTER:
        # U.S. Secretary of State / moved to the U.S. The decision ...
        return not _starter(nxt)
    return False


def _starts_line(text: str, i: int, line_start: int) -> bool:
    """Whether only whitespace precedes ``i`` on its line (looking back a bounded distance)."""
    if i - line_start > 64:
        return False
    return not text[line_start:i].strip()


def _is_dotted_acronym(core: str) -> bool:
    """``U.S``, ``a.m``, ``N.Y.C``: single letters separated by full stops."""
    if len(core) < 3 or len(core) > 16:
        return False
    parts = core.split(".")
    if len(parts) < 2:
        return False
    return all(len(p) == 1 and p.isalpha() for p in parts)


def _bare(word: str) -> str:
    """``word`` lowercased, cut at the first trailing punctuation mark."""
    m = _BARE.match(word.lower())
    assert m is not None  # _BARE matches every string (it may match nothing)
    return m.group()


def _starter(word: str) -> bool:
    return _bare(word) in _STARTERS


def _is_title(word: str) -> bool:
    w = word.lower()
    return w.endswith(".") and w[:-1] in _NEVER_END
