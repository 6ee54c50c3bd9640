"""The ``news`` summarizer: extractive, unsupervised, offline, tuned for news articles.

Sentences are taken verbatim. Words, stop words and stems come from the same places as for
sumy's stock methods (a regex tokenizer, ``sumy.utils.get_stop_words``, sumy's Snowball
``Stemmer``), so no NLTK data or model is needed. The method:

1. **Usable sentences.** Bylines, datelines, "Scroll down for video", "Click here", "READ MORE",
   navigation and share/follow prompts, URLs, photo captions (``(pictured)``, ``(left)``, a
   trailing photo credit, ``Pictured:`` or a Daily-Mail style ``Horrifying: ...`` label),
   sentences ending in a colon and sentences of fewer than ``MIN_WORDS`` words are never
   chosen (:func:`usable_sentence`). They still count as evidence of what matters below.
2. **Centrality.** TF-IDF vectors (sublinear tf, in-article idf) of the sentences' stemmed
   content words; a sentence's centrality is its degree (sum of cosines to all other
   sentences), scaled by the maximum over usable sentences (LexRank-style degree centrality).
3. **Position prior.** News puts what matters first: centrality is multiplied by
   ``1 / (1 + i / POSITION_TAU)``.
4. **Headline.** When a title is given, ``TITLE_WEIGHT`` x cosine(sentence, title) is added.
5. **Selection.** Greedy, maximal marginal relevance: score minus ``MMR_LAMBDA`` x the largest
   cosine to an already chosen sentence; near-duplicates (cosine >= ``DUPLICATE``) are skipped.
   A sentence that leans on its predecessor (English: "He added ...", "But", "However", "It",
   "They", a pronoun or connective first, an ellipsis, a lower-case start in cased text) is
   weighted by ``DEPENDENT_FACTOR`` unless its predecessor is chosen, and never opens the
   summary (is never the earliest chosen sentence) while another usable sentence is available.

Summary length (:func:`default_count`): ``min(requested, max(1, round_half_up(n / 4)))``, so
an article gets at most a quarter of its sentences (4 sentences -> 1, 6 -> 2, 10+ -> 3 of 3).

Measured with ``bench/quality.py`` (ROUGE F1, 3 sentences, 50 CNN/DM test articles; Lead-3 is
39.9 / 15.7 / 36.0 there): degree centrality alone 36.8 / 13.7 / 33.0; x position prior
40.0 / 16.0 / 36.4; + boilerplate/caption filter 40.7 / 15.8 / 36.7; + MMR 41.7 / 16.5 / 37.8;
the dependent-sentence rule and the title weight (CNN/DM has no titles) are neutral there
(41.7 / 16.4 / 37.8 final). The parameters are round values from the middle of flat regions
(tau 3-6 and MMR 0.3-0.7 all stay above Lead-3) rather than the best points of a search.
Tried and dropped: PacSum-style directed centrality (weighting edges to earlier sentences
down or negative) and thresholded edges, both below undirected degree x position prior here;
penalties on short sentences, which cost ROUGE.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, count, repeat
from operator import is_, ne
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from digest import languages, snowball
from digest.boilerplate import PHOTO_AGENCY as _AGENCY
from digest.boilerplate import PHOTO_CREDIT_TAIL as _CREDIT
from digest.boilerplate import SENTENCE_BY as _BY
from digest.boilerplate import SENTENCE_BY_LINKS as _BY_LINKS
from digest.boilerplate import SENTENCE_BYLINE_LABEL as _BYLINE
from digest.boilerplate import SENTENCE_CAPTION_MARK as _CAPTION_MARK
from digest.boilerplate import SENTENCE_CAPTION_START as _CAPTION_START
from digest.boilerplate import SENTENCE_NAV_ANYWHERE as _NAV_ANYWHERE
from digest.boilerplate import SENTENCE_NAV_START as _NAV_START
from digest.snowball import Stem

if TYPE_CHECKING:  # scipy is imported only for huge inputs
    from scipy import sparse

__all__ = ["Ranking", "default_count", "rank", "rank_news", "usable_sentence"]

# Parameters (few, general; chosen on CNN/DM dev, see the module docstring and bench/quality.py)
POSITION_TAU = 4.0  # position prior 1 / (1 + i / tau): sentence 4 weighs half of sentence 0
MMR_LAMBDA = 0.5  # redundancy penalty: minus lambda * max cosine to an already chosen sentence
DUPLICATE = 0.8  # cosine at or above which a sentence repeats a chosen one: never chosen
DEPENDENT_FACTOR = 0.8  # dependent sentence whose predecessor is not chosen
TITLE_WEIGHT = 0.3  # bonus for overlap with the headline (cosine), when a title is given
MIN_WORDS = 4  # shorter sentences are not usable
SUMMARY_RATIO = 0.25  # adaptive length: at most a quarter of the article's sentences
MAX_WORDS = 100  # words of one sentence that are weighed (every method): bounds the work

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-]+[^\W\d_]*)*")  # a letter, then letters, ' ’ and -
# _WORD on ASCII text, where a letter is [A-Za-z] and ' ’ - are ' and -: the same words
# (a maximal run of letters, ' and -, from its first letter), found faster than with the
# Unicode class, which is looked up character by character
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


# ASCII text's bytes with a blank for each character that is no letter, ' or -: its runs of
# those characters, split at the blanks (see _words)
_RUNS = bytes(
    c if chr(c).isascii() and (chr(c).isalpha() or chr(c) in "'-") else 32 for c in range(256)
)


def _words(text: str) -> list[str]:
    """``_WORD.findall(text)``: the words of a text.

    In ASCII text a word is a run of letters, ' and - from its first letter: the runs that
    start with a letter are the words, split in C (half the instructions of the search,
    which allocates for each word it finds); a text with a run that starts with ' or - (a
    dash between blanks, a quote) is searched."""
    if not text.isascii():
        return _WORD.findall(text)
    runs = text.encode("ascii").translate(_RUNS).decode("ascii")
    if runs.startswith(("'", "-")) or " '" in runs or " -" in runs:
        return _ASCII_WORD.findall(text)
    return runs.split()


def _language(language: str) -> str:
    """sumy's language name for ``rank``'s language: ``"english"`` for English by any of its
    names (``"english"``, ``"en-GB"``, ``"eng"``, see :func:`digest.languages.named`), any other
    lower-cased without its region and otherwise as given.  The summarize stage passes sumy's
    names; another code (``"de"``) is taken as a name that has no stemmer or stop words."""
    tag = language or "english"
    return "english" if languages.english_rules(tag) else languages.primary_subtag(tag)


@lru_cache(maxsize=8)
def stemmer_and_stop_words(language: str) -> tuple[Stem, frozenset[str]]:
    """(memoized stem function, stop words) from sumy for a sumy language name."""
    # sumy's stemmer and stop words, without importing NLTK before a word needs stemming
    from digest.snowball import sumy_stemmer as Stemmer
    from digest.snowball import sumy_stop_words as get_stop_words

    stem: Stem
    try:
        stem = snowball.memoized(language, Stemmer(language))
    except LookupError:
        from sumy.nlp.stemmers import null_stemmer

        stem = null_stemmer
    try:
        stops = frozenset(get_stop_words(language))
    except LookupError:
        stops = frozenset()
    return stem, stops


def _terms(
    words: list[str], stem: Stem, stops: frozenset[str], memo: dict[str, str] | None = None
) -> list[str]:
    """Stemmed content terms of lower-cased words; ``memo`` (word -> term, _NO_TERM for none)
    keeps what each word gave, so a word met again costs one look-up (:func:`_term_memo`)."""
    return [t for t in _each_term(words, stem, stops, memo) if t != _NO_TERM]


def _each_term(
    words: list[str], stem: Stem, stops: frozenset[str], memo: dict[str, str] | None = None
) -> list[str]:
    """Each word's term (see _terms), _NO_TERM for a word that gives none."""
    if memo is None:
        memo = {}
    try:  # every word met before (most articles, once a few were read): one C loop
        return list(map(memo.__getitem__, words))
    except KeyError:
        pass
    terms = list(map(memo.get, words))  # (map: the look-ups run without bytecode per word)
    if len(memo) > snowball.MEMO_LIMIT:  # bound memory on huge vocabularies
        memo.clear()
    # only the words not met before, picked in C (an article has a few among hundreds)
    for i in list(compress(range(len(words)), map(is_, terms, repeat(None)))):
        w = words[i]
        t = memo.get(w)  # (met earlier in this article)
        terms[i] = memo[w] = _term(w, stem, stops) if t is None else t
    return terms  # type: ignore[return-value]


_NO_TERM = "\0"  # a word that gives no term (no word holds a NUL)


def _term(w: str, stem: Stem, stops: frozenset[str]) -> str:
    """A lower-cased word's stemmed term, _NO_TERM when it has none (short, or a stop word)."""
    if len(w) < 2 or w in stops:
        return _NO_TERM
    w = w.strip("'\u2019-")
    if len(w) >= 2 and w not in stops:
        return stem(w)
    return _NO_TERM


@lru_cache(maxsize=8)
def _term_memo(language: str) -> dict[str, str]:
    """The word -> term table of _terms for a sumy language name (see stemmer_and_stop_words)."""
    return {}


def default_count(n_sentences: int, requested: int) -> int:
    """Sentences in the summary of an article of ``n_sentences``: at most ``requested`` and at
    most a quarter of the article (rounded half up), but at least one."""
    if n_sentences <= 0 or requested <= 0:
        return 0
    return min(requested, max(1, math.floor(n_sentences * SUMMARY_RATIO + 0.5)))


# Navigation, byline, caption and photo-credit patterns: see digest.boilerplate.

# Daily Mail style caption label: "Horrifying: The little girl's body ..." (short label, a
# colon, no verb of saying in the label)
_LABEL = re.compile(r"^[^\w\"'\u2018\u201c`]*([^\W\d][\w'\u2019 -]{1,40}?)\s*:\s+(\S)")
_QUOTES = "\"'`\u2018\u2019\u201c\u201d\u00ab\u00bb"
_SAYING = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|asked|asks|wrote|writes|explained|insisted"
    r"|warned|stated|claimed|reads|read|include|includes|included|are|is|was|were|be|been"
    r"|will|would|has|have|had|continued|concluded|went on|noted|argued|admitted|declared"
    r"|replied|responded|tweeted|posted|commented|announced|defines|defined|as)\b",
    re.IGNORECASE,
)


def usable_sentence(text: str) -> bool:
    """False for sentences that must never be a summary sentence (datelines, bylines, captions,
    'Scroll down for video', navigation, too short)."""
    t = text.strip()
    return _usable(t, len(_words(t)))


def _usable(
    t: str,
    n_words: int,
    nav: tuple[str, ...] = _NAV_ANYWHERE,
    agencies: tuple[str, ...] | None = None,
    low: str | None = None,
) -> bool:
    """``usable_sentence`` of a stripped sentence of ``n_words`` words; ``nav`` and
    ``agencies``: the navigation phrases and agency names to look for (all by default; an
    article's sentences need only those that occur in the article, see _present); ``low``:
    the sentence lower-cased, when at hand.

    Not navigation ("Scroll down for video", "READ MORE:", a URL), no byline ("Published:",
    "Reporting by", "By Jane Doe and John Roe, Science Correspondent"), no caption, and no
    colon at the end.  One function with the cheap tests first: it runs on every sentence."""
    if n_words < MIN_WORDS:
        return False
    if low is None:
        low = t.lower()
    if t.endswith(":") or (nav and any(k in low for k in nav)) or "daily mail reporter" in low:
        return False
    cased = t != low  # any capital letter: in all-lower-case text capitalisation says nothing
    first = t[0]
    if (first in _LABEL_FIRST or not (first.isascii() and first.isalnum())) and (
        _NAV_START.search(t) or _BYLINE.match(t) or _by_line(t, cased)
    ):
        return False
    return not _is_caption(t, cased, _AGENCY_NAMES if agencies is None else agencies)


# What the patterns of labels opening a sentence (_NAV_START, _BYLINE, _BY) look for after
# any non-word characters starts with one of these letters, in either case: a sentence
# that opens with another ASCII letter or digit (which no non-word character precedes)
# matches none of them, and is not searched (a test checks the labels' first letters).
_LABEL_FIRST = frozenset("abeflmprsuvwABEFLMPRSUVW")


def _by_line(t: str, cased: bool) -> bool:
    """ "By Jane Doe and John Roe, Science Correspondent" (in cased text, every word after
    "By" capitalised or a linking word)."""
    m = _BY.match(t)
    if m is None:
        return False
    return not cased or all(
        w[0].isupper() or w.lower() in _BY_LINKS for w in _WORD.findall(m.group(1))
    )


# The agency names of _AGENCY (an alternation of plain words): found by substring tests,
# faster than the regex on lower-case text, where its first letters are everywhere.
_AGENCY_NAMES = tuple(_AGENCY.pattern.split("|"))
if not all(re.fullmatch(r"[a-z ]+", name) for name in _AGENCY_NAMES):  # pragma: no cover
    _AGENCY_NAMES = ()


def _names_agency(text: str, names: tuple[str, ...] | None = None) -> bool:
    """Does lower-case ``text`` name a picture agency (``_AGENCY.search``), looking for
    ``names`` (all of them by default)?"""
    if not _AGENCY_NAMES:  # pragma: no cover - _AGENCY is no list of plain names
        return bool(_AGENCY.search(text))
    return any(name in text for name in (_AGENCY_NAMES if names is None else names))


def _is_caption(t: str, cased: bool, agencies: tuple[str, ...] | None = None) -> bool:
    """A photo caption: "Pictured: ...", "(left)", a trailing photo credit, a caption label."""
    # a caption's opening label ("Pictured:") and a Daily-Mail style label both end in a
    # colon: most sentences have none, and neither pattern is tried on them
    colon = ":" in t
    # (a position marker opens with "(": a sentence without one is not searched for it)
    if (colon and _CAPTION_START.search(t)) or ("(" in t and _CAPTION_MARK.search(t)):
        return True
    tail = t[-90:]
    # an agency name first (none to look for: no tail to lower-case)
    if agencies != () and _names_agency(tail.lower(), agencies) and _CREDIT.search(tail):
        return True
    return colon and _is_caption_label(t, cased)


def _is_caption_label(t: str, cased: bool) -> bool:
    """A Daily-Mail style label: "Horrifying: The little girl's body ..."."""
    m = _LABEL.match(t)
    if not m:
        return False
    label = m.group(1).split()
    # a name or title ("Bridget Jones: The Edge of Reason was ...") is no caption label
    title_case = cased and len(label) > 1 and all(w[0].isupper() for w in label)
    after = m.group(2)[0]
    caption_like = not (after in _QUOTES or (cased and after.islower()))
    return len(label) <= 5 and caption_like and not title_case and not _SAYING.search(m.group(1))


# first words that make a sentence lean on its predecessor (English)
_DEPENDENT = frozenset(
    (
        "he she it they this that these those his her its their him them but however also and"
        " so yet meanwhile still then further furthermore moreover additionally instead thus"
        " therefore nevertheless nonetheless besides otherwise hence or nor"
    ).split()
)


def _dependent(text: str, cased: bool) -> bool:
    """Does the sentence lean on its predecessor: a pronoun or connective first ("He added",
    "But", "However", "It", "They"), an ellipsis, or (in cased text) a lower-case start, i.e. the
    continuation of a quote or of a wrongly split sentence?"""
    t = text.lstrip()
    if t.startswith(("...", "\u2026")):
        return True
    # (_ASCII_WORD finds the same first word in ASCII text, some four times faster)
    m = (_ASCII_WORD if t.isascii() else _WORD).search(t, 0, 40)
    if m is None:
        return False
    w = m.group(0)
    if cased and w[0].islower() and m.start() <= 2:
        return True
    return w.lower() in _DEPENDENT


_DENSE_MAX = 2_000_000  # cells of the sentence x term matrix below which dense is faster


# np.log1p of the counts 0..MAX_WORDS, the most a sentence's term can occur (its words are
# cut at MAX_WORDS): a count's value is taken from here, not computed for each of the
# sentence x term cells (most of them 0), the same float (the same function of the same
# value; a test compares them)
_LOG1P = np.log1p(np.arange(MAX_WORDS + 1, dtype=float))


def _log1p_of_counts(counts: np.ndarray) -> np.ndarray:
    """``np.log1p(counts.astype(float))`` of an array of counts (integers from 0), each
    value looked up in a table rather than computed (a tenth of the summarizer's vectors)."""
    table = _LOG1P
    top = int(counts.max(initial=0))
    if top >= len(table):  # (a count above MAX_WORDS: _vectors of longer sentences)
        table = np.log1p(np.arange(top + 1, dtype=float))
    return table[counts]


def _tfidf(rows: np.ndarray, cols: np.ndarray, n: int, v: int):
    """Unit-length TF-IDF rows (sublinear tf, smoothed in-article idf) and the idf vector.
    Dense for ordinary articles (fast), sparse for huge inputs (memory linear in the text)."""
    if n * v <= _DENSE_MAX:
        counts = np.bincount(rows * v + cols, minlength=n * v).reshape(n, v)
        df = np.add.reduce(counts != 0, axis=0, dtype=np.intp)  # (np.count_nonzero's counts)
        idf = np.log((n + 1) / (df + 1)) + 1.0
        x = _log1p_of_counts(counts) * idf
        norms = np.sqrt(np.add.reduce(x * x, axis=1))  # np.linalg.norm's own sum, bit for bit
        x /= np.where(norms > 0, norms, 1.0)[:, None]
        return x, idf
    from scipy import sparse  # only for huge inputs

    tf = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, v))  # sums repeats
    tf.sum_duplicates()
    idf = np.log((n + 1) / (np.bincount(tf.indices, minlength=v) + 1)) + 1.0
    tf.data = np.log1p(tf.data)
    x = sparse.csr_matrix(tf.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.csr_matrix(x.multiply((1.0 / np.where(norms > 0, norms, 1.0))[:, None]))
    return x, idf


def rank_news(
    sentences: Sequence[str],
    paragraph_ids: Sequence[int],
    *,
    title: str | None,
    count: int,
    language: str = "english",
) -> tuple[list[float], list[int]]:
    """Score each candidate sentence (article order) and choose `count` of them.
    Returns (scores, chosen) where scores[i] is sentence i's score (higher is better; used by
    `digest explain`), and chosen is the sorted list of chosen indices (len <= count; may be
    fewer when the article is short or sentences are unusable). Deterministic."""
    r = rank(sentences, paragraph_ids, title=title, count=count, language=language)
    return r.scores, r.chosen


class Ranking(NamedTuple):
    scores: list[float]
    chosen: list[int]
    usable: list[bool]  # usable_sentence() of each sentence


def rank(
    sentences: Sequence[str],
    paragraph_ids: Sequence[int],
    *,
    title: str | None,
    count: int,
    language: str = "english",
) -> Ranking:
    """rank_news, also saying which sentences were usable at all.

    The passes (steps 1-5 of the module docstring): usable sentences, TF-IDF vectors and their
    cosines, each sentence's relevance (centrality x position prior + title bonus), the
    dependent-sentence rule, and the selection by maximal marginal relevance."""
    n = len(sentences)
    if len(paragraph_ids) != n:
        raise ValueError(f"{len(paragraph_ids)} paragraph ids for {n} sentences")
    if n == 0 or count <= 0:
        return Ranking([0.0] * n, [], [usable_sentence(s) for s in sentences])
    lang = _language(language)
    stem, stops = stemmer_and_stop_words(lang)
    memo = _term_memo(lang)
    lows = [s.lower() for s in sentences]
    words = [_words(low)[:MAX_WORDS] for low in lows]
    usable = _usable_mask(sentences, words, _present("\n".join(lows)), lows)
    # every sentence's words at once: one look-up pass over the article, not one per sentence
    terms = _each_term(list(chain.from_iterable(words)), stem, stops, memo)
    keep = list(map(ne, terms, repeat(_NO_TERM)))
    rows = np.repeat(np.arange(n, dtype=np.intp), list(map(len, words)))
    vectors = _vectors_of(list(compress(terms, keep)), rows[np.array(keep, dtype=bool)], n)
    base = _relevance(vectors, usable, _title_direction(title, vectors, stem, stops, memo))
    dep = _dependents(sentences, english=lang == "english", lows=lows)
    scores = np.where(dep, base * DEPENDENT_FACTOR, base)
    chosen = _select(base, dep, vectors.sim, usable, count)
    return Ranking(scores.tolist(), sorted(chosen), usable.tolist())


def _present(low: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(navigation phrases, agency names) that occur in ``low``, an article's sentences
    lower-cased: only those can occur in one of its sentences (lower-casing maps each
    character on its own but a sigma, which no phrase holds), and most articles have none, so each
    sentence is searched for a few phrases or none instead of all of them."""
    return (
        tuple(k for k in _NAV_ANYWHERE if k in low),
        tuple(k for k in _AGENCY_NAMES if k in low),
    )


def _usable_mask(
    sentences: Sequence[str],
    words: list[list[str]],
    present: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
    lows: list[str] | None = None,
) -> np.ndarray:
    """``usable_sentence`` of each sentence, given its words (as a boolean array), the
    phrases present in the article (see _present; all when not given) and, when at hand,
    the sentences lower-cased (``lows``)."""
    nav, agencies = present or (_NAV_ANYWHERE, _AGENCY_NAMES)
    if lows is None:
        lows = [""] * len(sentences)
    got = []
    for s, w, low in zip(sentences, words, lows, strict=True):
        t = s.strip()  # (split sentences are stripped already: then t is s, lowered in low)
        got.append(_usable(t, len(w), nav, agencies, low if t is s and low else None))
    return np.array(got, dtype=bool)


@dataclass(frozen=True)
class _Vectors:
    """The sentences as TF-IDF vectors (sublinear tf, smoothed in-article idf), unit length."""

    x: np.ndarray | sparse.csr_matrix  # sentence x term (sparse for huge inputs)
    idf: np.ndarray  # by term
    vocab: dict[str, int]  # term -> column
    sim: np.ndarray  # dense sentence x sentence cosines, zero on the diagonal


def _vectors(terms: list[list[str]]) -> _Vectors:
    """TF-IDF vectors of sentences given as their terms, and their pairwise cosines."""
    n = len(terms)
    rows = np.repeat(np.arange(n, dtype=np.intp), [len(ts) for ts in terms])
    return _vectors_of(list(chain.from_iterable(terms)), rows, n)


def _vectors_of(terms: list[str], rows: np.ndarray, n: int) -> _Vectors:
    """_vectors of ``n`` sentences given as their terms in a row, and each one's sentence."""
    # columns in order of first appearance (dict.fromkeys keeps the first; then numbered)
    vocab = dict(zip(dict.fromkeys(terms), count()))
    cols = np.fromiter(map(vocab.__getitem__, terms), dtype=np.intp, count=len(terms))
    v = max(1, len(vocab))
    x, idf = _tfidf(rows, cols, n, v)
    sim = x @ x.T if isinstance(x, np.ndarray) else (x @ x.T).toarray()
    np.fill_diagonal(sim, 0.0)
    return _Vectors(x, idf, vocab, sim)


def _title_direction(
    title: str | None,
    vectors: _Vectors,
    stem: Stem,
    stops: frozenset[str],
    memo: dict[str, str] | None = None,
) -> np.ndarray | None:
    """The title's unit TF-IDF vector over the article's terms; None when there is no title
    (or no title weight) or it shares no term with the article."""
    if not title or TITLE_WEIGHT <= 0:
        return None
    tv = np.zeros(len(vectors.idf))
    for t in _terms(_words(title.lower()), stem, stops, memo):
        j = vectors.vocab.get(t)
        if j is not None:
            tv[j] = vectors.idf[j]
    tn = np.sqrt(tv.dot(tv))  # (np.linalg.norm of a vector, without its checks)
    return tv / tn if tn > 0 else None


def _relevance(vectors: _Vectors, usable: np.ndarray, title: np.ndarray | None) -> np.ndarray:
    """Each sentence's score before the dependent-sentence rule: centrality x position prior
    (+ the title bonus), a tiny epsilon for usable sentences (so a usable sentence with no
    evidence still beats none), 0 for unusable ones."""
    n = len(usable)
    # centrality: degree in the cosine graph of all sentences (captions and the like vote
    # too: they restate what matters), scaled to [0, 1] over the usable ones
    deg = vectors.sim.sum(axis=1)
    if usable.any():
        hi = float(deg[usable].max())
        cent = deg / hi if hi > 0 else np.ones(n)
    else:
        cent = np.ones(n)
    # position prior: news puts what matters first
    score = cent / (1.0 + np.arange(n) / POSITION_TAU)
    if title is not None:
        score = score + TITLE_WEIGHT * (vectors.x @ title)
    return np.where(usable, score + 1e-6, 0.0)


def _dependents(
    sentences: Sequence[str], *, english: bool, lows: Sequence[str] | None = None
) -> np.ndarray:
    """Which sentences lean on their predecessor; none but in English (the rule's words are
    English ones), and never sentence 0.  ``lows``: the sentences lower-cased, if at hand."""
    dep = np.zeros(len(sentences), dtype=bool)
    if not english:
        return dep
    if lows is None:
        lows = [s.lower() for s in sentences]
    cased = any(map(ne, sentences, lows))
    dep[1:] = [_dependent(s, cased) for s in sentences[1:]]  # nothing precedes sentence 0
    return dep


def _select(
    base: np.ndarray, dep: np.ndarray, sim: np.ndarray, usable: np.ndarray, count: int
) -> list[int]:
    """Up to ``count`` sentences (in the order chosen) by greedy maximal marginal relevance:
    ``base`` (times ``DEPENDENT_FACTOR`` for a dependent sentence whose predecessor is not
    chosen) minus ``MMR_LAMBDA`` x the largest cosine to a chosen sentence; near-duplicates of
    a chosen sentence are out.  The earliest chosen sentence (the one that opens the summary)
    must not be a dependent one while an alternative exists.

    In plain Python over lists: an article has a few dozen sentences and a summary three,
    where NumPy's cost per call outweighs its speed per element.  The same IEEE arithmetic,
    element by element, so the same choices as array operations would make."""
    n = len(base)
    scores = base.tolist()
    leans = dep.tolist()
    avail = usable.tolist()
    chosen: list[int] = []
    red: list[float] = []  # each sentence's largest cosine to a chosen one
    while len(chosen) < count and any(avail):
        after = _after_chosen(chosen, n)
        dangling = [d and not a for d, a in zip(leans, after, strict=True)]
        val = [b * DEPENDENT_FACTOR if g else b for b, g in zip(scores, dangling, strict=True)]
        if chosen:
            val = [v - MMR_LAMBDA * r for v, r in zip(val, red, strict=True)]
            avail = [a and r < DUPLICATE for a, r in zip(avail, red, strict=True)]
            if not any(avail):
                break
        best = _best(val, avail, dangling, min(chosen) if chosen else n)
        chosen.append(best)
        avail[best] = False
        column = sim[:, best].tolist()
        red = column if not red else [max(r, c) for r, c in zip(red, column, strict=True)]
    return chosen


def _after_chosen(chosen: list[int], n: int) -> list[bool]:
    """Which of ``n`` sentences directly follow a chosen one."""
    pred_chosen = [False] * n
    for c in chosen:
        if c + 1 < n:
            pred_chosen[c + 1] = True
    return pred_chosen


def _best(val: list[float], avail: list[bool], dangling: list[bool], first: int) -> int:
    """The available sentence of highest ``val`` (the earliest on a tie), not a dangling one
    before the ``first`` chosen sentence while another is available."""
    pool = [i for i, a in enumerate(avail) if a and not (dangling[i] and i < first)]
    if not pool:
        pool = [i for i, a in enumerate(avail) if a]
    return max(pool, key=val.__getitem__)  # (max: the first of equal values)
