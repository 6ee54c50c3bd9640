"""The ``related`` stage: related-article links from the articles' text.

Features: stemmed content words (Snowball), numbers, and bigrams of adjacent
content words; title features count twice.  Weights: BM25-saturated term
frequency (fixed reference length) times smoothed IDF rounded to 1/8 steps,
L2-normalised, in a sparse matrix of hashed features.  Cosine similarities
are computed a block of rows at a time and only each row's top-k is kept, so
memory stays bounded: no N x N matrix is ever built; on big sites each pair of
rows is scored once, for both (see _tiles_top_k).  Ties are broken by slug, so
builds are repeatable.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import sys
import time
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from itertools import compress, count
from operator import is_not
from typing import TYPE_CHECKING, Any

import numpy as np

from digest import cache, executors, pool, snowball, tokens
from digest.config import RelatedConfig
from digest.languages import LANGUAGES, snowball_name
from digest.model import Article, LinkScores, RelatedLink, TermCounts, int32s, le_int32
from digest.snowball import Stem

if TYPE_CHECKING:  # scipy is imported when vectors are made (a no-change rebuild needs none)
    from scipy import sparse

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having
    he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm
    i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not
    of off on once only or other ought our ours ourselves out over own same shan't she she'd
    she'll she's should shouldn't so some such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's with won't would wouldn't you you'd
    you'll you're you've your yours yourself yourselves said says say will just one two three
    new also would year years could mr mrs ms dr told last first like get got since per may
    might us yet still much many
    """.split()
)


_TOKEN = re.compile(
    r"([^\W\d_][\w'’-]*[^\W_]|[^\W\d_])"  # a word
    r"|(\d[\d,.]*\d|\d)"  # a number
    r"|[.!?;:,()\[\]\"“”«»–—]",  # punctuation: ends a run of adjacent words
    re.UNICODE,
)
# _TOKEN for ASCII text (most English news), with ASCII classes in place of the Unicode ones
# (looked up character by character): a letter is [A-Za-z], \w is [A-Za-z0-9_], a digit
# [0-9]; ’ and the punctuation marks that are not ASCII cannot occur.  The same matches (a
# test compares them on generated text).
_ASCII_TOKEN = re.compile(
    # first, possessively, the characters that start no match (blanks, ' and -, symbols):
    # one match takes them with the next token instead of the search failing at each
    # (an eighth of the work; the same matches); after them a match always starts, so no
    # position is tried twice, but at the end of the text, which _scan strips of them
    r"[^A-Za-z0-9.!?;:,()\[\]\"]*+"
    r"(?:([A-Za-z][\w'-]*[A-Za-z0-9]|[A-Za-z])|([0-9][0-9,.]*[0-9]|[0-9])|[.!?;:,()\[\]\"])",
    re.ASCII,
)
# the ASCII characters that start no match of _ASCII_TOKEN
_ASCII_SKIPPED = "".join(c for c in map(chr, range(128)) if not (c.isalnum() or c in '.!?;:,()[]"'))

# The Snowball stemmers by code: a view of digest.languages (tests check that sumy's and NLTK's
# stemmers agree on each, so the summarizer and related links share one memo per language)
_SNOWBALL = {code: lang.snowball for code, lang in LANGUAGES.items() if lang.snowball}
_NORMAL: dict[str, dict[str, str]] = {}  # language -> word -> term ('' = not a term)


def _normaliser(language: str) -> tuple[dict[str, str], Stem | None]:
    """(word -> term cache, stemmer) for a language; the stemmer is loaded on first use."""
    lang = snowball_name(language)
    cache = _NORMAL.get(lang)
    if cache is None or len(cache) > 200_000:  # bound memory on huge vocabularies
        cache = _NORMAL[lang] = {}
    stem = _stemmer(lang)
    return cache, stem


_STEMMERS: dict[str, Stem | None] = {}


def _stemmer(lang: str) -> Stem | None:
    """The Snowball stemmer of that name, loaded once; None for ``""`` (words not stemmed)."""
    if lang not in _STEMMERS:
        if lang:
            _STEMMERS[lang] = snowball.stemmer(lang)
        else:
            _STEMMERS[lang] = None
    return _STEMMERS[lang]


def _normal(w: str, stem) -> str:
    """A lower-cased word's term: '' for stop words and one-letter words, else its stem."""
    w = w.replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) < 2 or w in STOP_WORDS:
        return ""
    if stem is not None:
        w = stem(w)
        if len(w) < 2 or w in STOP_WORDS:
            return ""
    return w


def _scan(
    text: str,
    language: str = "en",
    names: dict[str, str] | None = None,
    read: tokens.Read | None = None,
) -> tuple[list[str], list[str]]:
    """(terms, bigrams) of a text; ``names``, when given, gets each feature's first wording;
    ``read``: the text read with tokens.STREAM, when at hand (see tokens.Reading).

    Terms are stemmed content words and numbers of two or more digits; a bigram
    is two content words next to each other (no stop word, number or
    punctuation between them), joined by a space.
    """
    cache, stem = _normaliser(language)
    out: list[str] = []
    pairs: list[str] = []
    prev = prev_w = ""
    if names is None:
        if read is None:
            read = tokens.read(text)
        found = read.stream
        if found is not None and read.lowers_alike:
            add, pair, get, punctuation = out.append, pairs.append, cache.get, tokens.PUNCTUATION
            for w, num, mark in found:
                if w:
                    t = get(w)  # (as written: "The" is looked up as "The")
                    if t is None:
                        t = cache[w] = _normal(w.lower(), stem)
                    if t:
                        add(t)
                        if prev:
                            pair(prev + " " + t)
                        prev = t
                        continue
                elif num:
                    n = num.replace(",", "")
                    if len(n) > 1:
                        add(n)
                elif mark not in punctuation:
                    continue  # skipped: a run of words goes on across it
                prev = ""
            return out, pairs
    low = text.lower()
    plain = tokens.as_ascii(low)
    for w, num in (
        _TOKEN.findall(low) if plain is None else _ASCII_TOKEN.findall(plain.rstrip(_ASCII_SKIPPED))
    ):
        if w:
            t = cache.get(w)
            if t is None:
                t = cache[w] = _normal(w, stem)
            if t:
                out.append(t)
                if prev:
                    pairs.append(prev + " " + t)
                if names is not None:
                    names.setdefault(t, w)
                    if prev:
                        names.setdefault(prev + " " + t, prev_w + " " + w)
                prev, prev_w = t, w
                continue
        elif num:
            n = num.replace(",", "")
            if len(n) > 1:
                out.append(n)
                if names is not None:
                    names.setdefault(n, num)
        prev = ""
    return out, pairs


def terms(text: str, language: str = "en") -> list[str]:
    """Content words of a text (lower-cased, stemmed, no stop words) and its numbers."""
    return _scan(text, language)[0]


def features(text: str, language: str = "en") -> list[str]:
    """What an article is compared on: its terms, then the bigrams of adjacent content words."""
    out, pairs = _scan(text, language)
    return out + pairs


DIM_BITS = 20  # terms are hashed into 2**20 buckets: no vocabulary to build or keep


def term_id(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & ((1 << DIM_BITS) - 1)


TITLE_WEIGHT = 2  # a title's features count this many times


def term_counts(article: Article, reading: tokens.Reading | None = None) -> TermCounts:
    """Hashed feature counts of an article's text; title features count twice.
    ``reading``: the article's title and text read with tokens.STREAM, when at hand (the
    story features read them too: digest.collect.process_one reads them once for both)."""
    if reading is None:
        reading = tokens.reading(article.title, article.text)
    out, pairs = _scan(article.text, article.language, read=reading.text)
    words = Counter(out)
    words.update(pairs)
    get = words.get  # (not Counter's own [t] += k: a call of __missing__ per new feature)
    out, pairs = _scan(article.title, article.language, read=reading.title)
    for t in out + pairs:  # (features() of the title)
        words[t] = get(t, 0) + TITLE_WEIGHT
    return _hashed(words)


def _hashed(words: dict[str, int]) -> TermCounts:
    """Feature counts by feature as counts by term_id, the counts of one id summed."""
    if not words:
        return TermCounts(array("i"), array("i"))
    ids, counts = hashed_counts(words, DIM_BITS)
    return TermCounts(int32s(ids.astype("<i4").tobytes()), int32s(counts.astype("<i4").tobytes()))


def hashed_counts(words: dict[str, int], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, counts) of counts by feature hashed into ``2**bits`` buckets (the CRC-32 of a
    feature's UTF-8 bytes, masked: term_id for DIM_BITS): the ids in increasing order, the
    counts of the features of one id summed.  Each distinct feature is hashed once, the
    calls made from C, then sorted and summed as arrays, not id by id in Python."""
    n = len(words)
    ids = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.int64, count=n)
    ids &= (1 << bits) - 1
    counts = np.fromiter(words.values(), dtype=np.int64, count=n)
    order = np.argsort(ids, kind="stable")
    ids, counts = ids[order], counts[order]
    new = _run_starts(ids)
    if not new.all():  # features that share a bucket: one id, their counts summed
        first = np.flatnonzero(new)
        ids, counts = ids[first], np.add.reduceat(counts, first)
    return ids, counts


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted 1-d array starts (True there)."""
    new = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    return new


IDF_STEP = 0.125  # IDF is rounded to this step (see incremental updates below)

# BM25 term-frequency saturation: a feature's weight grows with its count but levels off
# (k1), and less so in long articles (b).  Length is measured against a fixed reference
# (a typical news article's feature count, title included) rather than the collection's
# mean, so a row's weights depend only on its own text and the IDF: that keeps incremental
# updates exact.
BM25_K1 = 1.2
BM25_B = 0.5
REF_LENGTH = 300.0


@dataclass(frozen=True)
class Vectors:
    """TF-IDF rows (CSR, L2-normalised) over hashed terms, and the document frequencies.

    The rows are kept as the CSR arrays; the scipy matrix is made from them when first
    asked for (:attr:`matrix`): a rebuild after an edit scores its few rows with numpy
    alone (see :func:`_few_scores`) and never imports scipy (0.2-0.3 s of a new process)."""

    data: np.ndarray  # float32 weights; terms with df == 1 left out (they match no other row)
    indices: np.ndarray  # int32 term ids, increasing within a row
    indptr: np.ndarray  # row r is data[indptr[r] : indptr[r + 1]]
    df: np.ndarray  # document frequency of every hashed term
    # every row's terms, unpruned: row r's are term_ids[term_ptr[r] : term_ptr[r + 1]]
    # (a pointer a row, not a row number a term: 4 bytes a term less, and an edit's
    # rows are spliced without making a row number for each of the site's terms again)
    term_ids: np.ndarray
    term_ptr: np.ndarray
    # made by revectorize: the rows that differ from the vectors it was made from
    redone: tuple[int, ...] | None = None

    @property
    def n(self) -> int:
        """The number of rows."""
        return len(self.indptr) - 1

    @cached_property
    def matrix(self) -> sparse.csr_matrix:
        """The rows as a scipy CSR matrix (made once, on first use)."""
        from scipy import sparse

        m = sparse.csr_matrix(
            (self.data, self.indices, self.indptr), shape=(self.n, 1 << DIM_BITS), dtype=np.float32
        )
        m.has_sorted_indices = True
        return m


def distinct(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-d integer array (its distinct values, increasing), without
    np.unique's look for a masked array: that imports numpy.ma, 5-12 ms of a new
    process's one-article edit rebuild, which uses nothing else of it."""
    out = np.sort(values)
    return out[_run_starts(out)]


def idf_of(df: np.ndarray, n: int) -> np.ndarray:
    """Smoothed IDF, rounded to IDF_STEP.

    Rounding makes one edited article change the IDF of only the few terms
    whose document frequency crosses a step, so an edit touches few rows and
    related links can be updated exactly (see :func:`update_top_k`).  The
    effect on quality is below what our benchmarks can measure.
    """
    raw = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return (np.round(raw / IDF_STEP) * IDF_STEP).astype(np.float32)


def tf_weight(cnt: np.ndarray, length: np.ndarray, lens: np.ndarray | None = None) -> np.ndarray:
    """BM25 saturation of counts ``cnt`` in rows of ``length`` features (same shape; or,
    with ``lens``, one length per row of lens[r] counts: the row's part of the formula is
    computed once per row, not once per count, and gives the same float32 values)."""
    den = BM25_K1 * (1.0 - BM25_B + BM25_B * length / REF_LENGTH)
    if lens is not None:
        den = np.repeat(den, lens)
    return cnt * (BM25_K1 + 1.0) / (cnt + den)


def _row_sums(x: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Sum of each row's slice of x (0 for empty rows); a row's sum depends on it alone.
    (Each slice is summed on its own, the last too: reduceat sums the last index's to the
    end, and a zero appended after the last row's values once made that row's sum
    differ in its last bit from the same row's summed among others, as revectorize
    sums the rows it makes again.)"""
    out = np.add.reduceat(np.append(x, np.float32(0)), indptr)[:-1].astype(np.float32)
    out[indptr[1:] == indptr[:-1]] = 0.0
    return out


def vectorize(counts: Sequence[TermCounts]) -> Vectors:
    """BM25-saturated TF times smoothed IDF, L2-normalised; all in numpy.

    The weights are made a block of rows at a time (about WEIGH_ENTRIES counts each)
    into arrays of the final size.  Made for the whole site at once, the temporaries (the
    counts as floats, the saturation's terms, the squares, a running count of 8 bytes a
    count, ...) were 2-3 times the vectors: 393 MiB at the peak for 129 MiB of vectors of
    11 M counts, 145 MiB now (bench: tracemalloc, synthetic counts).  Each row's values
    depend on its own counts and the document frequencies only (see _row_sums), so they
    are the same however the rows are grouped."""
    n = len(counts)
    lens = np.fromiter((len(c.ids) for c in counts), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    if indptr[-1]:
        # array("i") of each row joined as bytes: one C loop, not a numpy array per row
        ind = np.frombuffer(b"".join(le_int32(c.ids) for c in counts), dtype="<i4")
    else:
        ind = np.zeros(0, dtype=np.int32)
    df = np.bincount(ind, minlength=1 << DIM_BITS).astype(np.int32)
    idf = idf_of(df, n)
    # df == 1 terms only ever match their own row: they count in the norm, not the product
    # (kept: a term's df counts of the rows' entries, one per row holding it)
    kept = int(df[df > 1].sum(dtype=np.int64))
    data = np.empty(kept, dtype=np.float32)
    indices = np.empty(kept, dtype=ind.dtype)
    kept_ptr = np.zeros(n + 1, dtype=np.int64)
    start = at = 0
    while start < n:  # (rows start..end-1, at least one: a row longer than a block alone)
        end = max(start + 1, int(np.searchsorted(indptr, indptr[start] + WEIGH_ENTRIES)) - 1)
        end = min(end, n)
        val, kind, ptr = _weighed(counts[start:end], df, n, idf)
        data[at : at + len(val)] = val
        indices[at : at + len(val)] = kind
        kept_ptr[start + 1 : end + 1] = at + ptr[1:]
        at += len(val)
        start = end
    # each row's ids are sorted and distinct (TermCounts): CSR directly, no COO sort
    return Vectors(data, indices, kept_ptr, df, ind, indptr)


# vectorize weighs rows a block of about this many counts at a time
WEIGH_ENTRIES = 1 << 18


def _weighed(
    part: Sequence[TermCounts], df: np.ndarray, n: int, idf: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, term ids, row pointer) of these rows' kept terms (df > 1), as vectorize
    makes them for a site of ``n`` rows with document frequencies ``df`` (``idf``: its
    idf_of, when made already: the same values).  A row's values are its own: the same
    whichever rows are weighed with it."""
    lens = np.fromiter((len(c.ids) for c in part), dtype=np.int64, count=len(part))
    ptr = np.zeros(len(part) + 1, dtype=np.int64)
    np.cumsum(lens, out=ptr[1:])
    if ptr[-1]:
        ind = np.frombuffer(b"".join(le_int32(c.ids) for c in part), dtype="<i4")
        cnt = np.frombuffer(b"".join(le_int32(c.counts) for c in part), dtype="<i4")
        cnt = cnt.astype(np.float32)
    else:
        ind, cnt = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    length = _row_sums(cnt, ptr)
    val = tf_weight(cnt, length, lens) * (idf_of(df[ind], n) if idf is None else idf[ind])
    norms = np.sqrt(_row_sums(val * val, ptr))
    norms[norms == 0] = 1.0
    val = val / np.repeat(norms, lens)
    keep = df[ind] > 1
    return val[keep].astype(np.float32), ind[keep], _kept_ptr(keep, ptr)


def _kept_ptr(keep: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """The row pointer of values[keep], for values laid out by row as ``ptr`` says."""
    kept = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    return kept[ptr]


def _rows_holding(term_ids: _Parts, term_ptr: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """The rows (increasing) whose unpruned terms (see Vectors) hold any of ``terms``."""
    mark = np.zeros(1 << DIM_BITS, dtype=bool)
    mark[terms] = True
    at = term_ids.where(mark)
    return distinct(np.searchsorted(term_ptr, at, side="right") - 1)


@dataclass(frozen=True)
class _Parts:
    """Values held as consecutive arrays (the blocks of vectors read from the store, see
    _stored_vectors, or one array): the whole is their concatenation, which is made
    only with an edit's rows spliced in (see revectorize), not once more before."""

    arrays: tuple[np.ndarray, ...]
    starts: tuple[int, ...]  # where each array starts in the whole, and the whole's length

    @classmethod
    def of(cls, *arrays: np.ndarray) -> _Parts:
        return cls(arrays, (0, *np.cumsum([len(a) for a in arrays], dtype=np.int64).tolist()))

    def __len__(self) -> int:
        return self.starts[-1]

    def pieces(self, a: int, b: int) -> list[np.ndarray]:
        """Views of the arrays that make whole[a:b], in order."""
        out = []
        i = bisect.bisect_right(self.starts, a) - 1
        while a < b and i < len(self.arrays):
            s0 = self.starts[i]
            upto = min(b, self.starts[i + 1])
            out.append(self.arrays[i][a - s0 : upto - s0])
            a, i = upto, i + 1
        return out

    def take(self, a: int, b: int) -> np.ndarray:
        """whole[a:b]."""
        got = self.pieces(a, b)
        return got[0] if len(got) == 1 else np.concatenate(got or [self.arrays[0][:0]])

    def joined(self) -> np.ndarray:
        return self.arrays[0] if len(self.arrays) == 1 else np.concatenate(self.arrays)

    def where(self, mark: np.ndarray) -> np.ndarray:
        """The positions p (increasing) of the whole where mark[whole[p]]."""
        got = [np.flatnonzero(mark[a]) + s for a, s in zip(self.arrays, self.starts, strict=False)]
        return np.concatenate(got) if got else np.zeros(0, dtype=np.int64)

    def spliced(
        self, lo: np.ndarray, hi: np.ndarray, new: np.ndarray, new_ptr: np.ndarray
    ) -> np.ndarray:
        """The whole with the slices whole[lo[k]:hi[k]] (in order, apart) replaced by
        new[new_ptr[k]:new_ptr[k + 1]] each: one copy of every value kept."""
        pieces = []
        at = 0
        for k, (a, b) in enumerate(zip(lo.tolist(), hi.tolist(), strict=True)):
            pieces += self.pieces(at, a)
            pieces.append(new[new_ptr[k] : new_ptr[k + 1]])
            at = b
        pieces += self.pieces(at, len(self))
        return np.concatenate(pieces) if pieces else new[:0]


@dataclass(frozen=True)
class _SplitVectors:
    """Vectors whose data, indices and term_ids are held in parts (see _Parts)."""

    data: _Parts
    indices: _Parts
    indptr: np.ndarray
    df: np.ndarray
    term_ids: _Parts
    term_ptr: np.ndarray

    @classmethod
    def of(cls, v: Vectors) -> _SplitVectors:
        return cls(
            *(_Parts.of(v.data), _Parts.of(v.indices), v.indptr, v.df),
            *(_Parts.of(v.term_ids), v.term_ptr),
        )

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def joined(self) -> Vectors:
        return Vectors(
            *(self.data.joined(), self.indices.joined(), self.indptr, self.df),
            *(self.term_ids.joined(), self.term_ptr),
        )


# Past this share of rows to make again, revectorize leaves it to vectorize (copying the
# other rows' slices costs more than making them)
REVECTORIZE_SHARE = 0.125


def revectorize(
    before: Vectors | _SplitVectors,
    counts_before: Sequence[TermCounts],
    counts: Sequence[TermCounts],
    changed: Sequence[int] | None = None,
) -> Vectors | None:
    """vectorize(counts), bit for bit, from ``before`` = vectorize(counts_before) when
    only a few rows changed (a row's counts are another object; or ``changed``, the
    rows whose counts differ, when the last counts are not at hand: a new process's
    vectors read from the store, see _load_vectors): only the rows whose weights can
    differ are computed (the changed rows, and rows holding a term whose rounded IDF
    moved or that a changed row made kept or left out, see vectorize), the others are
    copied (the result's ``redone``), each once (``before`` may be held in parts: the
    blocks read from the store, joined only here).  None when the rows are not the same
    number, or too many differ."""
    n = len(counts)
    if n != before.n or (changed is None and n != len(counts_before)):
        return None
    if changed is None:
        changed = list(compress(count(), map(is_not, counts, counts_before)))
    else:
        changed = sorted(set(changed))
    if not changed:
        return before if isinstance(before, Vectors) else before.joined()
    if len(changed) > REVECTORIZE_SHARE * n:
        return None
    split = before if isinstance(before, _SplitVectors) else _SplitVectors.of(before)
    # each row's unpruned terms are its counts' ids (see vectorize): the last ones read there
    ch = np.array(changed, dtype=np.int64)
    if len(split.term_ptr) != n + 1 or split.term_ptr[-1] != len(split.term_ids):
        return None
    lo, hi = split.term_ptr[ch], split.term_ptr[ch + 1]
    old_ids = [split.term_ids.take(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
    new_ids = [np.frombuffer(le_int32(counts[i].ids), dtype="<i4") for i in changed]
    df = before.df.copy()
    for ids in old_ids:
        df[ids] -= 1  # (a row's ids are distinct)
    for ids in new_ids:
        df[ids] += 1
    cand = distinct(np.concatenate([*old_ids, *new_ids]))
    moved = cand[
        (idf_of(before.df[cand], n) != idf_of(df[cand], n))
        | ((before.df[cand] > 1) != (df[cand] > 1))
    ]
    redo = set(changed)
    if len(moved):
        redo.update(_rows_holding(split.term_ids, split.term_ptr, moved).tolist())
    if len(redo) > REVECTORIZE_SHARE * n:
        return None
    rows = np.array(sorted(redo), dtype=np.int64)
    # the rows' weights exactly as vectorize makes them (the IDF of their terms only)
    new_val, new_ind, kept_ptr = _weighed([counts[i] for i in rows.tolist()], df, n)
    kept_lens = np.diff(kept_ptr)
    at, upto = before.indptr[rows], before.indptr[rows + 1]
    data = split.data.spliced(at, upto, new_val, kept_ptr)
    indices = split.indices.spliced(at, upto, new_ind, kept_ptr)
    row_lens = np.diff(before.indptr)
    row_lens[rows] = kept_lens
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(row_lens, out=indptr[1:])
    # the unpruned terms: the changed rows' replaced
    ch_lens = np.array([len(ids) for ids in new_ids], dtype=np.int64)
    ch_ptr = np.zeros(len(ch) + 1, dtype=np.int64)
    np.cumsum(ch_lens, out=ch_ptr[1:])
    ch_ids = np.concatenate(new_ids) if new_ids else np.zeros(0, dtype=np.int32)
    term_ids = split.term_ids.spliced(lo, hi, ch_ids.astype(np.int32), ch_ptr)
    term_lens = np.diff(before.term_ptr)
    term_lens[ch] = ch_lens
    term_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(term_lens, out=term_ptr[1:])
    data, indices = data.astype(np.float32, copy=False), indices.astype(np.int32, copy=False)
    return Vectors(data, indices, indptr, df, term_ids, term_ptr, tuple(rows.tolist()))


Neighbours = list[list[tuple[int, float]]]


def top_k(
    vectors: Vectors,
    k: int,
    min_score: float,
    keys: Sequence[str],
    block_bytes: int = 64 * 2**20,
    jobs: int | None = None,
) -> Neighbours:
    """For each row, the k most similar other rows above min_score.

    Rows are compared a block at a time (at most ``block_bytes`` of dense
    scores), so memory is O(N * block) rather than O(N^2).  Ties are broken
    by key, so the result does not depend on block size, row order or the
    number of worker processes (``jobs``; default all cores, used on big sites).
    """
    n = vectors.n
    if n < 2 or k <= 0:
        return [[] for _ in range(n)]
    workers = _top_k_workers(n, jobs)
    if n >= TILES_MIN_ROWS:
        return _tiles_top_k(vectors, k, min_score, keys, block_bytes, workers)
    # (below TILES_MIN_ROWS a site has too few rows for workers at the default
    # pool.ROWS_PER_WORKER; tests lower it to check the workers' split, and
    # bench/related_topk.py --rows times this way on big sites)
    if workers > 1:
        return _parallel_top_k(vectors, k, min_score, keys, block_bytes, workers)
    return _rows_top_k(vectors, np.arange(n), k, min_score, keys, block_bytes)


def _top_k_workers(n: int, jobs: int | None) -> int:
    """The worker processes top_k uses for n rows (on the build's executor)."""
    ex = executors.current()
    wanted = min(ex.workers(jobs), n // pool.ROWS_PER_WORKER)
    if wanted <= 1 or (isinstance(ex, executors.Local) and not pool.can_fork()):
        return 1  # (can_fork: the vectors are inherited by forked workers)
    return wanted


def _parallel_top_k(
    vectors: Vectors, k: int, min_score: float, keys: Sequence[str], block_bytes: int, workers: int
) -> Neighbours:
    """top_k with the rows split over the executor's workers (forked worker processes,
    or a Dask cluster's workers, which get the vectors once): same result."""
    shared = (
        vectors,
        vectors.matrix.T.tocsr(),
        k,
        min_score,
        list(keys),
        max(1, block_bytes // workers),
    )
    spans = _spans(vectors.matrix, workers * SPANS_PER_WORKER)
    parts = executors.current().map(_top_k_part, spans, workers, shared=shared, chunksize=1)
    return [row for part in parts for row in part]


# Spans of rows handed out to the workers one at a time: many, so that a worker that is
# done takes the next one and none waits idle at the end while another finishes a long span.
SPANS_PER_WORKER = 16


def _spans(m: sparse.csr_matrix, count: int) -> list[tuple[int, int]]:
    """Up to ``count`` spans of consecutive rows of about equal work each: a row's product
    with all rows costs the document frequencies of its terms summed, and its dense
    scores cost one step per row of the site (rows differ: long articles, common words)."""
    n = m.shape[0]
    df = np.bincount(m.indices, minlength=m.shape[1]).astype(np.float64)
    work = np.zeros(n + 1, dtype=np.float64)
    np.cumsum(_row_sums(df[m.indices], m.indptr) + n, out=work[1:])
    cuts = np.searchsorted(work, np.linspace(0, work[-1], count + 1), side="left")
    bounds = sorted(set(np.clip(cuts, 0, n).tolist()) | {0, n})
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _top_k_part(shared: tuple, span: tuple[int, int]) -> Neighbours:
    vectors, mt, k, min_score, keys, block_bytes = shared
    tr = _Transposed(mt)
    return _rows_top_k(vectors, np.arange(*span), k, min_score, keys, block_bytes, tr)


def _rows_top_k(
    vectors: Vectors,
    rows: np.ndarray,
    k: int,
    min_score: float,
    keys: Sequence[str],
    block_bytes: int = 64 * 2**20,
    tr: _Transposed | None = None,
) -> Neighbours:
    """top_k for the given rows only (same result as top_k gives for them); ``tr``: the
    vectors' matrix transposed, when at hand."""
    n = vectors.n
    out: Neighbours = [[] for _ in range(len(rows))]
    if n < 2 or k <= 0 or not len(rows):
        return out
    if tr is None and _numpy_will_do(len(rows)):  # (numpy alone: scipy is not imported)
        sims = np.ascontiguousarray(_few_scores(vectors, rows).T)
        sims[np.arange(len(rows)), rows] = -1.0
        np.round(sims, 6, out=sims)
        return _scored_lists(sims, min(k, n - 1), min_score, keys, k)
    few = tr is None and len(rows) * 16 < n  # a few rows: no need to transpose all of m
    if tr is None and not few:
        tr = _Transposed(vectors.matrix.T.tocsr())
    block = max(1, block_bytes // (4 * n))
    kk = min(k, n - 1)
    for start in range(0, len(rows), block):
        idx = rows[start : start + block]
        # the same products summed in the same (term) order either way
        if tr is None:
            sims = np.ascontiguousarray(_against_rows(vectors, idx).T)
        else:
            sims = tr.scores(vectors.matrix, idx)
        sims[np.arange(len(idx)), idx] = -1.0
        np.round(sims, 6, out=sims)
        out[start : start + len(idx)] = _scored_lists(sims, kk, min_score, keys, k)
    return out


def _few_scores(v: Vectors, cols: np.ndarray) -> np.ndarray:
    """``(m @ m[cols].T).toarray()`` for the rows ``cols`` (n x len(cols), float32), bit for
    bit scipy's csr_matmat, with numpy alone: cell (i, c) is the sum, in float32 and in
    increasing term order, of row i's weight times row cols[c]'s for each term both hold
    (as csr_matmat walks row i's terms and adds each product to the cell in turn).  One
    pass over the term ids for up to eight columns (a bit per column marks the terms of
    its row: the entries of the matrix on any of them, and each entry's row, found once),
    then a column at a time: its entries among those, their products, added one after
    another per row (_add_in_order).  Slower than scipy's product (16 ms a row at 10,000
    articles against 17 for scipy's, but ~10 ms for several): worth it only where scipy
    is not imported yet (see _numpy_will_do)."""
    n, width = v.n, len(cols)
    out = np.zeros((width, n), dtype=np.float32)
    ptr = v.indptr.astype(np.int64, copy=False)
    w = np.zeros(1 << DIM_BITS, dtype=np.float32)
    rows = np.asarray(cols, dtype=np.int64).tolist()
    for lo in range(0, width, 8):
        group = [(c, int(ptr[r]), int(ptr[r + 1])) for c, r in enumerate(rows[lo : lo + 8], lo)]
        mark = np.zeros(1 << DIM_BITS, dtype=np.uint8)
        for bit, (_, a, b) in enumerate(group):
            mark[v.indices[a:b]] |= np.uint8(1 << bit)
        held = mark[v.indices]
        hit = np.flatnonzero(held)
        bits, terms, data = held[hit], v.indices[hit], v.data[hit]
        cell = np.searchsorted(ptr, hit, side="right") - 1
        for bit, (c, a, b) in enumerate(group):
            if a == b:
                continue
            mine = (bits & np.uint8(1 << bit)).astype(bool)
            w[v.indices[a:b]] = v.data[a:b]
            _add_in_order(out[c], cell[mine], data[mine] * w[terms[mine]])
            w[v.indices[a:b]] = 0.0
    return out.T


# Up to this many rows, an update scores them with numpy when scipy is not imported yet
# (a new process: its import is 0.2-0.3 s, eight rows scored with numpy ~0.1 s)
FEW_ROWS = 8


def _numpy_will_do(rows: int) -> bool:
    """Whether to score ``rows`` rows against all with _few_scores rather than scipy."""
    return rows <= FEW_ROWS and "scipy.sparse" not in sys.modules


def _add_in_order(out: np.ndarray, cell: np.ndarray, values: np.ndarray) -> None:
    """out[cell[k]] += values[k] for each k in order, in out's type (float32: each sum
    rounded as C's float sums are), ``cell`` sorted: a cell's values are added one
    after another, first to last, with one numpy step per place in the longest run of
    a cell (the k-th value of every cell that has one at a time), not one per value."""
    if not len(cell):
        return
    starts = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
    lens = np.diff(np.append(starts, len(cell)))
    cells = cell[starts]
    by_len = np.argsort(-lens, kind="stable")  # longest runs first: a prefix has a k-th
    starts, lens, cells = starts[by_len], lens[by_len], cells[by_len]
    acc = values[starts].astype(out.dtype)  # (0 + x is x)
    have = len(lens)
    for k in range(1, int(lens[0])):
        while lens[have - 1] <= k:
            have -= 1
        acc[:have] += values[starts[:have] + k]
    out[cells] = acc


def _scored_lists(
    sims: np.ndarray, kk: int, min_score: float, keys: Sequence[str], k: int
) -> Neighbours:
    """Each row's list from its scores against every row (rounded, its own -1)."""
    out: Neighbours = [[] for _ in range(sims.shape[0])]
    # Only scores at or above min_score (and above 0) can be listed: one pass over
    # the block finds them, and a row's best come from its own few candidates.
    hit_rows, hit_cols = np.nonzero(sims >= min_score if min_score > 0 else sims > 0)
    ends = np.searchsorted(hit_rows, np.arange(1, sims.shape[0] + 1))
    lo = 0
    for r, hi in enumerate(ends.tolist()):
        cand, lo = hit_cols[lo:hi], hi
        if not len(cand):
            continue
        vals = sims[r, cand]
        if len(cand) > kk:  # every candidate tied with the k-th best competes on key
            kth = np.partition(vals, len(vals) - kk)[len(vals) - kk]
            cand, vals = cand[vals >= kth], vals[vals >= kth]
        out[r] = _listed(cand.tolist(), vals.tolist(), keys, k)
    return out


def _listed(
    cols: list[int], vals: list[float], keys: Sequence[str], k: int
) -> list[tuple[int, float]]:
    """A row's list from its candidates: scores rounded to 6 decimals, by score then key,
    the first k (the one cut of both ways of top_k)."""
    best = list(zip(cols, [round(v, 6) for v in vals], strict=True))
    best.sort(key=lambda js: (-js[1], keys[js[0]]))
    return best[:k]


def _against(m: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """``(m @ m[rows].T).toarray()``: every row's scores against these rows, bit for bit
    (the same product, without scipy's first pass over all of m, see _product)."""
    return _dense_product(m, m[rows].T.tocsr())


def _against_rows(v: Vectors, rows: np.ndarray) -> np.ndarray:
    """_against(v.matrix, rows), the same bits, without importing scipy.sparse where it is
    not imported yet (a new process's edit: 0.3 s of ~4 at 10,000 articles, most of it
    scipy's array-API layer importing numpy.testing and numpy.f2py): the same C routines
    of scipy's (see _sparsetools) on the vectors' arrays, as scipy calls them."""
    st = None if "matrix" in v.__dict__ or "scipy.sparse" in sys.modules else _sparsetools()
    if st is None:
        return _against(v.matrix, rows)
    rows = np.asarray(rows, dtype=np.int64)
    at = _row_entries(v.indptr.astype(np.int64, copy=False), rows)
    lens = np.diff(v.indptr)[rows]
    ptr = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lens, out=ptr[1:])
    width = 1 << DIM_BITS
    # m[rows].T.tocsr(): the rows' terms by term (csr_tocsc, as scipy's tocsr of the
    # transposed rows calls it)
    t_ptr = np.empty(width + 1, dtype=np.int32)
    t_idx = np.empty(len(at), dtype=np.int32)
    t_val = np.empty(len(at), dtype=v.data.dtype)
    st.csr_tocsc(
        len(rows), width, ptr, v.indices[at].astype(np.int32, copy=False), v.data[at],
        t_ptr, t_idx, t_val,
    )  # fmt: skip
    a = _Csr((v.n, width), v.indptr, v.indices, v.data)
    made = _product(a, _Csr((width, len(rows)), t_ptr, t_idx, t_val), st)
    if made is None:  # (too big for int32 indices: scipy's product)
        return _against(v.matrix, rows)
    out = np.zeros((v.n, len(rows)), dtype=v.data.dtype)
    st.csr_todense(v.n, len(rows), *made, out)
    return out


@dataclass(frozen=True)
class _Csr:
    """A CSR matrix's arrays, as _product reads a scipy one's."""

    shape: tuple[int, int]
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype


@functools.cache
def _sparsetools() -> Any:
    """scipy's C routines of sparse products (scipy.sparse._sparsetools), without the
    package scipy.sparse around them: loaded from its file, as importing it would load
    it; None where that fails (another layout: scipy.sparse is imported instead)."""
    got = sys.modules.get("scipy.sparse._sparsetools")
    if got is not None:
        return got
    try:
        import importlib.machinery
        import importlib.util
        import os

        spec = importlib.util.find_spec("scipy")
        assert spec is not None and spec.origin is not None
        folder = os.path.join(os.path.dirname(spec.origin), "sparse")
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_sparsetools" + suffix)
            if os.path.isfile(path):
                name = "scipy.sparse._sparsetools"
                loader = importlib.machinery.ExtensionFileLoader(name, path)
                made = importlib.util.spec_from_file_location(name, path, loader=loader)
                assert made is not None
                got = importlib.util.module_from_spec(made)
                loader.exec_module(got)
                break
    except Exception:  # (any failure: scipy.sparse is imported instead)
        return None
    if got is None or not all(hasattr(got, f) for f in ("csr_tocsc", "csr_matmat", "csr_todense")):
        return None
    return got


def _block_scores(a: sparse.csr_matrix, mt: sparse.csr_matrix) -> np.ndarray:
    """A block of rows' scores against all rows, from the transposed matrix ``mt``."""
    return _dense_product(a, mt)


@dataclass(frozen=True)
class _Transposed:
    """The term -> rows index (a related matrix transposed, CSR) of some vectors, for the
    vectors of a later build of the session (see Kept) whose rows differ from those
    only in ``stale`` (revectorize's ``redone``, build after build).  A row's scores
    against all rows cost its terms' postings here (0.5 ms at 10,000 articles), against
    ~25-35 ms for a pass over the whole matrix (_against), and transposing the matrix
    again costs 80-100 ms: a session keeps it, never changed, and an edit adds its rows
    to ``stale``, whose scores are taken from their own (new) rows instead.  Within a
    term's postings the order of the rows does not matter (each row's score is summed
    over the terms in the scored row's order), so renumbering rows keeps it valid."""

    mt: sparse.csr_matrix
    stale: frozenset[int] = frozenset()
    # the stale rows of the last matrix scored, transposed: (m, their rows, m[rows].T),
    # made once for the calls of one build (see scores)
    _stale_t: list[tuple[sparse.csr_matrix, np.ndarray, sparse.csr_matrix]] = field(
        default_factory=list, compare=False, repr=False
    )

    @classmethod
    def of(cls, vectors: Vectors) -> _Transposed:
        return cls(vectors.matrix.T.tocsr())

    def scores(self, m: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
        """``(m[rows] @ m.T).toarray()`` (len(rows) x n), bit for bit: the same products
        summed in the same (term) order as _against's, with m the vectors this index
        is for (its rows but ``stale`` are the transposed ones')."""
        a = m[rows]
        s = _block_scores(a, self.mt)
        if self.stale:
            got = self._stale_t[0] if self._stale_t else None
            if got is None or got[0] is not m:
                cols = np.array(sorted(self.stale), dtype=np.int64)
                got = (m, cols, m[cols].T.tocsr())
                self._stale_t[:] = [got]
            s[:, got[1]] = _dense_product(a, got[2])
        return s

    def after(self, base: Vectors, vectors: Vectors) -> _Transposed | None:
        """This index, made for ``base`` or a build before it, for ``vectors`` (from
        revectorize(base, ...)); None: to be made again (too many rows stale)."""
        if vectors is base:
            return self
        if vectors.redone is None or vectors.n != base.n:
            return None
        stale = self.stale.union(vectors.redone)
        if len(stale) > max(STALE_ROWS, vectors.n // 16):
            return None
        return _Transposed(self.mt, stale)

    def renumbered(self, old_row: np.ndarray) -> _Transposed:
        """The index of the rows in a new order (row i is old row old_row[i])."""
        new_row = np.empty_like(old_row)
        new_row[old_row] = np.arange(len(old_row))
        mt = self.mt.copy()
        mt.indices = new_row[mt.indices].astype(mt.indices.dtype)
        mt.has_sorted_indices = False
        to = new_row.tolist()
        return _Transposed(mt, frozenset(to[r] for r in self.stale))


# Rows a session's kept index may find stale before it is made again (or 1/16 of the
# site's rows, if more): each scoring of a few rows takes those rows' scores from their
# own rows, transposed once a build (see _Transposed).  An edit that appends a paragraph
# moves the IDF of some of its terms, and 30-700 rows holding them are made again (10,000
# articles of bench/compare.py's corpus): with 256 the index was made again (~95 ms)
# every few edits, with 2,048 not once in 16.
STALE_ROWS = 2048


def _dense_product(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """``(a @ b).toarray()``, bit for bit (see :func:`_product`)."""
    rows, cols = a.shape[0], b.shape[1]
    made = _product(a, b)
    if made is None:
        return (a @ b).toarray()
    from scipy.sparse import _sparsetools as st

    out = np.zeros((rows, cols), dtype=a.dtype)
    st.csr_todense(rows, cols, *made, out)
    return out


def _product(
    a: sparse.csr_matrix | _Csr, b: sparse.csr_matrix | _Csr, st: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``a @ b`` as CSR arrays (indptr, indices, data), bit for bit scipy's own csr_matmat
    (the same products summed in the same order), without the first of scipy's two
    passes, which only counts the product's entries to allocate them: here every row of
    ``a`` meets most rows of the site, so room for every cell is reserved instead
    (np.empty: pages never written are never resident).  That pass was a quarter of the
    related stage at 20,000 articles.  None where scipy's internals differ or int32
    indices do not do (the caller then takes scipy's product).  ``st``: the _sparsetools
    module (see _sparsetools; default scipy.sparse's)."""
    rows, cols = a.shape[0], b.shape[1]
    cells = rows * cols
    try:
        if st is None:
            from scipy.sparse import _sparsetools

            st = _sparsetools
        if cells >= 2**31 or max(a.nnz, b.nnz) >= 2**31 or a.dtype != b.dtype:
            return None
        i32 = np.int32
        indptr = np.empty(rows + 1, dtype=i32)
        indices = np.empty(cells, dtype=i32)
        data = np.empty(cells, dtype=a.dtype)
        st.csr_matmat(
            rows,
            cols,
            a.indptr.astype(i32, copy=False),
            a.indices.astype(i32, copy=False),
            a.data,
            b.indptr.astype(i32, copy=False),
            b.indices.astype(i32, copy=False),
            b.data,
            indptr,
            indices,
            data,
        )
        return indptr, indices, data
    except (ImportError, AttributeError, TypeError, ValueError):
        return None


def _block_hits(
    a: sparse.csr_matrix, b: sparse.csr_matrix, min_score: float, diag: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of ``a @ b`` a list can hold, as (rows, cols, scores) sorted by row: the
    score rounded to 6 decimals as _rows_top_k rounds it, at or above min_score (above
    0 when min_score <= 0); with ``diag``, cell (i, diag + i) is the row's own and left
    out.  The same cells and bits as rounding ``_block_scores(a, b)``, read from the
    product's entries: no dense block to fill and scan."""
    made = _product(a, b)
    if made is None:
        c = (a @ b).tocsr()
        made = (c.indptr, c.indices, c.data.astype(np.float32, copy=False))
    indptr, indices, data = made
    data = data[: indptr[-1]]
    # rounding moves a score by at most 5e-7: the cells near enough to the floor are
    # found first, then rounded (not every cell) and checked against the floor exactly
    hit = np.flatnonzero(data >= min_score - 2e-6 if min_score > 0 else data > 0)
    vals = np.round(data[hit], 6)
    ok = vals >= min_score if min_score > 0 else vals > 0
    hit, vals = hit[ok], vals[ok]
    rows = np.searchsorted(indptr, hit, side="right") - 1
    cols = indices[hit]
    if diag is not None:
        own = cols != rows + diag
        rows, cols, vals = rows[own], cols[own], vals[own]
    return rows, cols, vals


# ---------------------------------------------------------------- top_k by tiles

# From this many rows, top_k computes each pair of rows once (see _tiles_top_k).
TILES_MIN_ROWS = 2000
# Spans of rows (tiles are pairs of spans): s spans score s(s + 1)/2 of s^2 tiles, 0.56 of
# all rows x all rows with 8; more give more candidate lists to merge.
TILE_SPANS = 8
TILE_SPANS_PER_WORKER = 4
TILE_MIN_SPAN = 500  # rows: fewer spans than that on smaller sites


def _tiles_top_k(
    vectors: Vectors, k: int, min_score: float, keys: Sequence[str], block_bytes: int, workers: int
) -> Neighbours:
    """top_k with each pair of rows scored once, not twice: the same result.

    The score of rows i and j is symmetric bit for bit: scipy's csr_matmat walks row i's
    terms in increasing order and adds one product a_it * a_jt per shared term to cell
    (i, j), so cell (j, i) gets the same products (IEEE products commute) in the same
    order.  The rows are cut into spans, and each tile (span a, span b >= a) is scored
    once, giving candidates to the rows of both spans: a tile keeps, for each row, every
    cell at or above that row's kk-th best within the tile, which is a superset of the
    row's cells at or above its kk-th best overall (a subset's kk-th best is no higher).
    The candidates of all tiles are then cut exactly as _rows_top_k cuts a whole row, so
    the lists do not depend on the spans, the blocks or the workers.  About half the
    products of computing every row against all rows (s spans: s(s + 1)/2 tiles of s^2).
    """
    m = vectors.matrix
    n = m.shape[0]
    kk = min(k, n - 1)
    count = max(TILE_SPANS, TILE_SPANS_PER_WORKER * max(workers, 1))
    count = max(2, min(count, n // TILE_MIN_SPAN))
    spans = _spans(m, count)
    tiles = [(a, b) for i, a in enumerate(spans) for b in spans[i:]]
    # the biggest tiles first, so the last ones handed out are small (none waits at the end)
    tiles.sort(key=lambda t: (-(t[0][1] - t[0][0]) * (t[1][1] - t[1][0]), t))
    order = sorted(range(n), key=keys.__getitem__)
    rank = np.empty(n, dtype=np.int64)  # each row's place in the order of keys
    rank[order] = np.arange(n)
    shared = (m, kk, min_score, block_bytes // max(workers, 1), rank)
    if workers > 1:
        made = executors.current().map(_tile_part, tiles, workers, shared=shared, chunksize=1)
    else:
        made = (_tile_part(shared, t) for t in tiles)
    # The tiles' candidates are cut as they come, whenever they outgrow FOLD_LISTS times
    # the lists (the cut is exact however they are grouped, see _segment_best): every
    # row is in a tile with each span, and all tiles' candidates held at once were about
    # spans x the lists (+57 MiB at the peak at 10,000 rows; this and _store_vectors'
    # blocks a few at a time: a cold build's peak at the end of related at 100,000
    # articles, 2,006 -> 1,407 MiB)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    held, fold_at = 0, max(FOLD_MIN, FOLD_LISTS * n * kk)
    for part in made:
        parts.append(part)
        held += len(part[0])
        if held > fold_at and len(parts) > 1:
            parts = [_best_cells(parts, kk, rank)]
            held = len(parts[0][0])
    rows, cols, vals = _best_cells(parts, kk, rank)  # (sorted by row, then score)
    out: Neighbours = [[] for _ in range(n)]
    ends = np.searchsorted(rows, np.arange(1, n + 1))
    lo = 0
    cl, vl = cols.tolist(), vals.tolist()
    for r, hi in enumerate(ends.tolist()):
        if hi == lo:
            continue
        out[r] = _listed(cl[lo:hi], vl[lo:hi], keys, k)
        lo = hi
    return out


# _tiles_top_k cuts the candidates gathered when they are more than FOLD_LISTS times the
# lists (n x kk cells), and not below FOLD_MIN cells
FOLD_LISTS = 2
FOLD_MIN = 1 << 20


def _best_cells(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], kk: int, rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (rows, cols, scores) of these candidates that are within their row's kk best
    (by score, then key), sorted by row, then score."""
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    vals = np.concatenate([p[2] for p in parts])
    pick = _segment_best(rows, vals, kk, rank=rank[cols])
    return rows[pick], cols[pick], vals[pick]


def _tile_part(
    shared: tuple, tile: tuple[tuple[int, int], tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates one tile gives: (rows, cols, scores) of the cells each row keeps
    (see _tiles_top_k), for the rows of span a against span b and, unless a is b, for
    the rows of span b against span a."""
    m, kk, min_score, block_bytes, rank = shared
    (a0, a1), (b0, b1) = tile
    bt = m[b0:b1].T.tocsr()
    width = b1 - b0
    block = max(1, block_bytes // (4 * width))
    same = a0 == b0
    got: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    back: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(a0, a1, block):
        stop = min(a1, start + block)
        r, c, v = _block_hits(m[start:stop], bt, min_score, start - b0 if same else None)
        pick = _segment_best(r, v, kk, stop - start, rank[c + b0])
        got.append((r[pick] + start, c[pick] + b0, v[pick]))
        if not same:  # span b's rows against this block's rows: cut again at the end
            pick = _segment_best(c, v, kk, width, rank[r + start])
            back.append((c[pick] + b0, r[pick] + start, v[pick]))
    rows = [g[0] for g in got]
    cols = [g[1] for g in got]
    vals = [g[2] for g in got]
    if back:
        br = np.concatenate([b[0] for b in back])
        bc = np.concatenate([b[1] for b in back])
        bv = np.concatenate([b[2] for b in back])
        pick = _segment_best(br, bv, kk, rank=rank[bc])
        rows.append(br[pick])
        cols.append(bc[pick])
        vals.append(bv[pick])
    return (
        np.concatenate(rows).astype(np.int32),
        np.concatenate(cols).astype(np.int32),
        np.concatenate(vals).astype(np.float32),
    )


_BUCKETS = 256  # score buckets of _segment_best's first cut (scores are at most about 1)


def _segment_best(
    seg: np.ndarray,
    vals: np.ndarray,
    kk: int,
    nseg: int = 0,
    rank: np.ndarray | None = None,
) -> np.ndarray:
    """Indices of the entries within their segment's kk best values, ties with the kk-th
    included (as _rows_top_k keeps them), ordered by segment, then value, best first.
    ``vals`` are positive float32: their bit patterns sort as they do, so one int64 key
    (segment, then value descending) sorts them, 5x faster than np.lexsort.

    ``rank`` (each entry's place in the order of keys): of the entries tied with the
    kk-th best, only those that come first by key fill a segment's kk places, so that
    many equal scores (articles with the same text) never keep more than kk a segment.
    A list is cut by (score, key), and a row's best k overall are among the best kk of
    any subset of its cells that holds them, in that order: the cut stays exact.

    ``nseg`` (segments are 0 <= seg < nseg): when there are many more entries than kk a
    segment, a first cut without sorting: each segment's entries are counted by score
    bucket (1/256 wide), and only the buckets from the top down to the one holding the
    segment's kk-th best are sorted (every entry below that bucket is below the kk-th)."""
    if not len(seg):
        return np.zeros(0, dtype=np.int64)
    if nseg and len(seg) > 8 * kk * nseg:
        bucket = np.minimum((vals * _BUCKETS).astype(np.int64), _BUCKETS)
        width = _BUCKETS + 1
        table = np.bincount(seg * width + bucket, minlength=nseg * width).reshape(nseg, width)
        at_least = np.cumsum(table[:, ::-1], axis=1)[:, ::-1]  # entries in bucket >= b
        floor = np.maximum((at_least >= kk).sum(axis=1) - 1, 0)
        first = np.flatnonzero(bucket >= floor[seg])
        kept = None if rank is None else rank[first]
        return first[_segment_best(seg[first], vals[first], kk, rank=kept)]
    bits = vals.astype(np.float32, copy=False).view(np.int32).astype(np.int64)
    order = np.argsort((seg.astype(np.int64) << 32) | (0x7FFFFFFF - bits), kind="stable")
    s, v = seg[order], vals[order]
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    lens = np.diff(np.append(starts, len(s)))
    kth = np.repeat(np.where(lens >= kk, v[np.minimum(starts + kk - 1, len(s) - 1)], -np.inf), lens)
    keep = v >= kth
    if rank is not None:
        tied = np.flatnonzero(v == kth)  # (only where the segment has kk or more entries)
        if len(tied):
            group = np.repeat(np.arange(len(starts)), lens)
            better = np.bincount(group[v > kth], minlength=len(starts))
            tied = tied[np.lexsort((rank[order[tied]], s[tied]))]  # by segment, then key
            first_tied = np.flatnonzero(np.concatenate(([True], s[tied][1:] != s[tied][:-1])))
            place = np.arange(len(tied)) - np.repeat(
                first_tied, np.diff(np.append(first_tied, len(tied)))
            )
            keep[tied] = place < kk - better[group[tied]]
    return order[np.flatnonzero(keep)]


def neighbours_of(
    vectors: Vectors, row: int, k: int, min_score: float, keys: Sequence[str]
) -> list[tuple[int, float]]:
    """The k most similar other rows of one row (what top_k gives for it)."""
    return _rows_top_k(vectors, np.array([row], dtype=np.int64), k, min_score, keys)[0]


def touched_rows(
    old_df: np.ndarray, new: Vectors, changed: Sequence[int], among: Sequence[int] | None = None
) -> list[int]:
    """The rows whose vector an edit of ``changed`` can have changed: the edited rows,
    and every row holding a term whose rounded IDF moved (a few common terms crossing
    a step can touch thousands of rows).  ``among``: rows known to hold all of those
    (revectorize's ``redone`` when it started from vectors of ``old_df``): only their
    terms are looked at, not every row's."""
    n = new.n
    # (only a term whose document frequency changed can have moved: the IDF of those
    # alone, not of all 2**DIM_BITS buckets)
    cand = np.flatnonzero(old_df != new.df)
    moved = cand[idf_of(old_df[cand], n) != idf_of(new.df[cand], n)]
    touched = set(int(i) for i in changed)
    if len(moved) and among is not None:  # rows holding a term whose IDF moved have a new norm
        rows = np.array(sorted(among), dtype=np.int64)
        mark = np.zeros(1 << DIM_BITS, dtype=bool)
        mark[moved] = True
        held = mark[new.term_ids[_row_entries(new.term_ptr, rows)]]
        touched.update(np.repeat(rows, np.diff(new.term_ptr)[rows])[held].tolist())
    elif len(moved):
        touched.update(_rows_holding(_Parts.of(new.term_ids), new.term_ptr, moved).tolist())
    return sorted(touched)


def update_top_k(
    old_df: np.ndarray,
    old_result: Neighbours,
    new: Vectors,
    changed: Sequence[int],
    k: int,
    min_score: float,
    keys: Sequence[str],
    touched: Sequence[int] | None = None,
    block_bytes: int = 64 * 2**20,
    table: tuple[np.ndarray, np.ndarray] | None = None,
    transposed: _Transposed | None = None,
) -> Neighbours:
    """top_k after the rows in ``changed`` were edited (same rows, same keys).

    Exactly what top_k(new, ...) returns, computed for the rows that can differ:
    rows whose vector changed (``touched``: the edited rows and rows holding a term
    whose rounded IDF changed), rows whose list held one of them, and rows that one
    of them now enters.  Scores against the touched rows are computed a block of
    them at a time (at most ``block_bytes`` of dense scores).  ``table``: the old
    lists as n x k arrays of rows (-1 pad) and scores (see Saved), when at hand.
    ``transposed``: the new vectors' matrix transposed (a session's, see _Transposed).
    """
    n = new.n
    if k <= 0:  # related links turned off (count: 0)
        return [[] for _ in range(n)]
    if touched is None:
        touched = touched_rows(old_df, new, changed)
    r_idx = np.array(sorted(touched), dtype=np.int64)
    redo = set(r_idx.tolist())
    tr = transposed
    result = list(old_result)  # (rows not redone are the old lists, never changed)
    if len(r_idx):
        # The term -> rows index (the matrix transposed, ~40-60 ms at 10,000 articles) makes
        # each row's scores cost its terms' postings, not a pass over the whole matrix
        # (~2 ms more a row with scipy's product): made once for both products below,
        # which sum the same products in the same (term) order as top_k does.  A few
        # touched rows (one edit) are scored with one pass over the matrix instead, as
        # _rows_top_k scores a few rows (the same sums): no transpose at all, unless
        # rows to recompute are many.  A session keeps one (see _Transposed).
        if tr is None and len(r_idx) * 16 >= n:
            tr = _Transposed.of(new)
        # each row's best score against the touched rows, in the new vectors
        best_new = np.full(n, -np.inf, dtype=np.float32)
        step = max(1, block_bytes // (8 * max(n, 1)))
        # every row's scores against the touched rows that a list can hold, a block of
        # touched rows at a time, for _merge (None: too many cells to keep, see MERGE_CELLS)
        hits: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = []
        cells = 0
        for start in range(0, len(r_idx), step):
            cols = r_idx[start : start + step]
            if tr is None and _numpy_will_do(len(cols)):
                s = _few_scores(new, cols)
            elif tr is None:
                s = _against_rows(new, cols)
            else:
                s = tr.scores(new.matrix, cols).T
            np.round(s, 6, out=s)
            s[cols, np.arange(len(cols))] = -1.0
            np.maximum(best_new, s.max(axis=1), out=best_new)
            # a touched row's scores against every row are its column here (the same
            # sums as its own row's, see _rows_top_k): its list is made from them
            lists = _scored_lists(np.ascontiguousarray(s.T), min(k, n - 1), min_score, keys, k)
            for r, lst in zip(cols.tolist(), lists, strict=True):
                result[r] = lst
            if hits is not None:
                at, c = np.nonzero(s >= np.float32(min_score) if min_score > 0 else s > 0)
                cells += len(at)
                if cells > MERGE_CELLS and start:  # (the first block's are always kept)
                    hits = None
                else:
                    hits.append((at.astype(np.int32), cols[c].astype(np.int32), s[at, c]))
        redo.difference_update(r_idx.tolist())
        others = _rows_to_redo(old_result, r_idx, best_new, k, min_score, table).tolist()
        if hits is None:
            redo.update(others)
        else:
            redo.update(_merge(result, others, r_idx, _by_row(hits), k, min_score, keys))
    rows = np.array(sorted(redo), dtype=np.int64)
    for r, lst in zip(
        rows.tolist(), _rows_top_k(new, rows, k, min_score, keys, tr=tr), strict=True
    ):
        result[r] = lst
    return result


# An untouched row's new list is found from its old one and its scores against the
# touched rows when that is exact (see _merge), not recomputed against every row, while
# the cells of those scores a list can hold are at most this many (12 bytes each), or
# all in one block (see update_top_k)
MERGE_CELLS = 4_000_000


def _by_row(
    hits: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of update_top_k's blocks as one (rows, touched rows, scores), sorted by
    row (a row's cells in the order of the touched rows)."""
    if not hits:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    rows = np.concatenate([h[0] for h in hits])
    cols = np.concatenate([h[1] for h in hits])
    vals = np.concatenate([h[2] for h in hits])
    order = np.argsort(rows, kind="stable")
    return rows[order], cols[order], vals[order]


def _merge(
    result: Neighbours,
    rows: Sequence[int],
    touched: np.ndarray,
    hits: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
    min_score: float,
    keys: Sequence[str],
) -> list[int]:
    """The new lists of untouched ``rows`` (sorted) from their old lists (in ``result``,
    replaced there) and their new scores against the ``touched`` rows, given as ``hits``
    (see _by_row: the cells at or above the threshold, rounded as top_k rounds them);
    returns the rows this cannot settle (to recompute).

    Exact: an untouched row's scores against the other untouched rows are unchanged, so
    its old list less the touched rows holds, in order, the best of those rows; any row
    not in its old list ranks after the list's last entry (in top_k's order: score, then
    key), or falls below the threshold.  Merged with the touched rows' new scores, the
    first ``k`` are the new list when the old list had room (every row above the
    threshold was in it) or when its new last entry ranks no lower than the old last."""
    is_touched = np.zeros(len(result), dtype=bool)
    is_touched[touched] = True
    at, cols, vals = hits
    starts = np.searchsorted(at, rows, side="left").tolist()
    ends = np.searchsorted(at, rows, side="right").tolist()
    hard = []
    for r, lo, hi in zip(rows, starts, ends, strict=True):
        old = result[r]
        cands = [(j, sc) for j, sc in old if not is_touched[j]]
        if hi > lo:
            got = zip(cols[lo:hi].tolist(), vals[lo:hi].tolist(), strict=True)
            cands += [(j, round(v, 6)) for j, v in got]
        cands.sort(key=lambda js: (-js[1], keys[js[0]]))
        new = cands[:k]
        if (
            len(old) >= k
            and old
            and (len(new) < k or (-new[-1][1], keys[new[-1][0]]) > (-old[-1][1], keys[old[-1][0]]))
        ):
            hard.append(r)  # a row outside its old list may come before the new last
            continue
        result[r] = new
    return hard


def _rows_to_redo(
    old_result: Neighbours,
    touched: np.ndarray,
    best_new: np.ndarray,
    k: int,
    min_score: float,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The untouched rows whose list can change: it holds a touched row, or a touched row's
    new score reaches it (its last entry's score, or min_score while it has room), all
    rows at once.  Scores compare as float32, as a float32 score with a Python float does.
    ``table``: the old lists as arrays (see update_top_k), read instead of the lists."""
    n = len(old_result)
    is_touched = np.zeros(n, dtype=bool)
    is_touched[touched] = True
    holds = np.zeros(n, dtype=bool)
    last = np.full(n, np.inf, dtype=np.float32)
    if table is not None and table[0].shape[0] == n:
        idx, scores = table
        there = idx >= 0
        lens = there.sum(axis=1)
        holds = (there & is_touched[np.maximum(idx, 0)]).any(axis=1)
        full = lens >= k
        at = np.flatnonzero(full)
        last[at] = scores[at, lens[at] - 1]
    else:
        lens = np.fromiter((len(lst) for lst in old_result), dtype=np.int64, count=n)
        ends = np.cumsum(lens)
        js = np.fromiter((j for lst in old_result for j, _ in lst), dtype=np.int64, count=ends[-1])
        holds[np.repeat(np.arange(n), lens)[is_touched[js]]] = True
        full = lens >= k
        last[full] = np.array([old_result[r][-1][1] for r in np.flatnonzero(full).tolist()])
    room = ~full & (best_new >= np.float32(min_score)) & (best_new > 0)
    return np.flatnonzero(~is_touched & (holds | room | (full & (best_new >= last))))


@dataclass(frozen=True)
class Previous:
    """What the last build computed, for an incremental update."""

    keys: tuple[str, ...]  # article slugs, in row order
    sigs: tuple[str, ...]  # one signature per row (changes when the row's text changes)
    df: np.ndarray
    neighbours: Neighbours


# Past this share of touched rows (see touched_rows) a full recomputation on one core is
# cheaper than an incremental update; with w worker processes, past a w-th of it.  Measured
# with bench/related_update.py at 10,000 articles, 2 workers (update time / full time):
# 0.11 at 1 touched row, 0.19 at 0.6 %, 0.77 at 7.8 %, 1.63 at 19.6 %, 3.2 at 53 %;
# the full computation on one core takes twice as long as on two.
INCREMENTAL_SHARE = 0.15
# The same while the untouched rows' lists are merged (see _merge): while the touched rows'
# scores against every row (touched x n cells) are at most MERGE_SCORED, and a list's
# floor is above 0 (a few percent of those cells reach it, and are kept: see MERGE_CELLS).
# bench/related_update.py at 10,000 articles, 2 workers (update / full): 0.36 at 12 %
# touched, 0.58 at 25 %, 0.72-0.87 at 36-38 %.
MERGED_SHARE = 0.6
MERGE_SCORED = 50_000_000


def neighbours_for(
    vectors: Vectors,
    keys: Sequence[str],
    sigs: Sequence[str],
    cfg: RelatedConfig,
    previous: Previous | None,
    jobs: int | None = None,
    table: tuple[np.ndarray, np.ndarray] | None = None,
    among: Sequence[int] | None = None,
    transposed: _Transposed | None = None,
) -> tuple[Neighbours, str]:
    """(top-k neighbours of every row, "full" or "incremental").

    Incremental when few rows are touched (edited, or holding a term whose IDF moved):
    at most max(16, INCREMENTAL_SHARE / workers of the rows), or MERGED_SHARE / workers
    of them while their scores are few enough to merge the other rows' lists.
    ``table``: previous's lists as arrays (see update_top_k); ``among``: see
    touched_rows; ``transposed``: see update_top_k.
    """
    if previous is not None and tuple(keys) == previous.keys and len(sigs) == len(previous.sigs):
        workers = _top_k_workers(len(keys), jobs)
        limit = max(16, INCREMENTAL_SHARE / workers * len(keys))
        if cfg.min_score > 0:  # (see MERGED_SHARE)
            limit = max(limit, min(MERGED_SHARE / workers * len(keys), MERGE_SCORED / len(keys)))
        changed = list(compress(count(), map(str.__ne__, sigs, previous.sigs)))
        if len(changed) <= limit:
            touched = touched_rows(previous.df, vectors, changed, among)
            if len(touched) <= limit:
                return update_top_k(
                    previous.df,
                    previous.neighbours,
                    vectors,
                    changed,
                    cfg.count,
                    cfg.min_score,
                    keys,
                    touched,
                    table=table,
                    transposed=transposed,
                ), "incremental"
    return top_k(vectors, cfg.count, cfg.min_score, keys, jobs=jobs), "full"


Links = dict[str, tuple[RelatedLink, ...]]  # slug -> its related links (pinned first)


def related_links(
    articles: Sequence[Article],
    cfg: RelatedConfig,
    counts: Sequence[TermCounts] | None = None,
    neighbours: Neighbours | None = None,
    vectors: Vectors | None = None,
    only: Sequence[int] | None = None,
) -> tuple[Links, LinkScores]:
    """slug -> related links (pinned slugs first, then the most similar), and slug ->
    their scores; ``only``: of these rows only (none with pinned links)."""
    rows = range(len(articles)) if only is None else only
    pinned = any(articles[i].pinned_related for i in rows)
    if vectors is None and (neighbours is None or pinned):
        vectors = vectorize(counts if counts is not None else [term_counts(a) for a in articles])
    if neighbours is None:
        assert vectors is not None
        neighbours = top_k(vectors, cfg.count, cfg.min_score, [a.slug for a in articles])
    # (made only for pinned links: a session's few rows do not walk all articles)
    by_slug = {a.slug: i for i, a in enumerate(articles)} if pinned else {}
    result: Links = {}
    scores: LinkScores = {}
    count = cfg.count
    # all rows, of distinct slugs: a list never holds its own row or a row twice, so its
    # first ``count`` are distinct others without a look at each (10,000 rows in a new
    # process: every link made, 60,000 of them, as fast as it goes)
    distinct = only is None and len({a.slug for a in articles}) == len(articles)
    link = _link_maker()
    # one link to each article, made when first listed and shared by every list holding
    # it (frozen, equal either way: five lists an article at 10,000, half the time)
    made: list[RelatedLink | None] = [None] * len(articles)

    def first(j: int) -> RelatedLink:
        got = made[j] = link(articles[j])
        return got

    for i in rows:
        a = articles[i]
        if not a.pinned_related:  # the usual case: the first ``count`` distinct others
            head = neighbours[i][: max(count, 0)]
            usable = distinct
            if not distinct:  # (unless a slug is its own or shown twice)
                firsts = [articles[j].slug for j, _ in head]
                usable = a.slug not in firsts and len(set(firsts)) == len(firsts)
            if usable:
                result[a.slug] = tuple([made[j] or first(j) for j, _ in head])
                scores[a.slug] = tuple([s for _, s in head])
                continue
        links: list[RelatedLink] = []
        shown: list[float] = []
        seen = {a.slug}
        for slug in a.pinned_related:
            j = by_slug.get(slug)
            if j is None or slug in seen:
                continue
            other = articles[j]
            assert vectors is not None
            s = round(float(vectors.matrix[i].multiply(vectors.matrix[j]).sum()), 6)
            links.append(RelatedLink(other.slug, other.title, other.url))
            shown.append(s)
            seen.add(slug)
        for j, s in neighbours[i]:
            if len(links) >= max(cfg.count, len(a.pinned_related)):
                break
            other = articles[j]
            if other.slug not in seen:
                links.append(RelatedLink(other.slug, other.title, other.url))
                shown.append(s)
                seen.add(other.slug)
        result[a.slug] = tuple(links)
        scores[a.slug] = tuple(shown)
    return result, scores


def _link_maker() -> Callable[[Article], RelatedLink]:
    """A function making the RelatedLink to an article: RelatedLink(o.slug, o.title,
    o.url), its fields set in the instance's dict at once (half the time of the frozen
    dataclass's __init__, which sets them one by one through object.__setattr__) while
    RelatedLink is such a dataclass; else its constructor."""
    names = [f.name for f in fields(RelatedLink)]
    plain = (
        names == ["slug", "title", "url"]
        and "__slots__" not in vars(RelatedLink)
        and not hasattr(RelatedLink, "__post_init__")
    )
    if not plain:
        return lambda o: RelatedLink(o.slug, o.title, o.url)
    new = object.__new__

    def link(o: Article) -> RelatedLink:
        made = new(RelatedLink)
        d = made.__dict__
        d["slug"], d["title"], d["url"] = o.slug, o.title, o.url
        return made

    return link


def feature_names(*articles: Article) -> dict[int, str]:
    """Hashed feature id -> the words it stands for, as first written in these articles."""
    words: dict[str, str] = {}
    for art in articles:
        _scan(art.title, art.language, words)
        _scan(art.text, art.language, words)
    out: dict[int, str] = {}
    for t, w in words.items():
        out.setdefault(term_id(t), w)
    return out


def explain_pair(
    a: Article, b: Article, vectors: Vectors, i: int, j: int, n_terms: int = 5
) -> list[tuple[str, float]]:
    """The features that contribute most to the similarity of articles a (row i) and b (row j).

    Each comes with its share of the score (the shares of all features sum to the score).
    Features are hashed: they are named by tokenizing the two articles again.
    """
    names = feature_names(a, b)
    prod = vectors.matrix[i].multiply(vectors.matrix[j]).tocoo()
    pairs = sorted(
        zip(prod.col.tolist(), prod.data.tolist(), strict=True),
        key=lambda cv: (-cv[1], names.get(cv[0], "")),
    )
    return [(names.get(c, f"#{c}"), round(float(v), 4)) for c, v in pairs[:n_terms]]


# ---------------------------------------------------------------- state between builds


@dataclass(frozen=True)
class Kept:
    """What the related stage keeps for the next build of a session (see
    digest.build.Session): the state it keeps in the store, as it is used (no decoding
    of neighbour lists again), the articles it was made for and their links."""

    state_key: str
    previous: Previous
    saved: Saved | None  # the neighbour lists as stored (None: not stored by this process)
    articles: tuple[Article, ...]
    own: Neighbours  # each row's candidates for its links (see site_links)
    links: Links
    vectors: Vectors | None = None  # made from ``counts`` (None: not made by this process)
    counts: tuple[TermCounts, ...] = ()
    # when this session last wrote its state to the store (time.monotonic()), and whether
    # ``previous`` is newer than what it wrote (see STORE_EVERY)
    stored_at: float = float("-inf")
    pending: bool = False
    # the rows whose ``vectors`` differ from the blocks stored with the state (see
    # _store_vectors; None: all, or not known)
    unwritten: frozenset[int] | None = None
    # ``vectors``' matrix transposed (None: not made), see _Transposed
    transposed: _Transposed | None = None
    scores: LinkScores = field(default_factory=dict)  # the links' scores


# A session holds every article's term counts from its first build up to this many
# articles (2 KB each: 20 MB at 10,000); beyond, its edits read them as needed
HELD_COUNTS = 50_000


# A session's later builds write the related state (10,000 keys and signatures, every
# neighbour list: 10-30 ms to lay out, encode and write at 10,000 articles) at most once
# in this many seconds, and a build that finds its state unwritten for that long writes it.
# The session itself never reads the store's copy again (it keeps its own); a new process
# that finds an older one checks every row's signature against it, so it updates the rows
# edited since (or computes the lists again) and builds the same site, only later.
STORE_EVERY = 30.0


def site_links(
    articles: Sequence[Article],
    counts: Sequence[TermCounts],
    source_keys: Sequence[str],
    cfg: RelatedConfig,
    store: cache.Cache,
    jobs: int | None = None,
    wide: int = 0,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
) -> SiteLinks:
    """Related links for all articles, keeping this build's state for the next.

    The last build's neighbour lists are kept (with each row's source key, which
    covers its text, title, slug, URL and pinned links): when no source changed
    they are reused as they are, after a few edits they are updated exactly, and
    otherwise recomputed.

    ``wide``: the neighbour lists kept (and returned) hold up to max(count, wide)
    rows, down to min(min_score, WIDE_MIN_SCORE) when wide > 0 (story grouping
    reads them); the links are the first ``count`` of them at or above
    ``min_score``, which is exactly what lists of ``count`` would give, since
    lists are ordered by (score, slug).
    """
    keys = [a.slug for a in articles]
    lists = _lists_config(cfg, wide)
    state_key = cache.key("related-state", cache.fingerprint(), lists)
    if keep is not None and kept is None:
        # a session's first build (digest serve, build --watch): scipy now, once, so its
        # edits score their rows with scipy's product, faster than numpy's (see
        # _numpy_will_do), without a first edit that pays its import
        import scipy.sparse  # noqa: F401

        if len(counts) <= HELD_COUNTS:
            # and every article's term counts read from the build cache now: an edit's
            # IDF shift makes 30-700 rows' weights again (bench/compare.py's corpus at
            # 10,000 articles), from their counts, which each edit otherwise read then
            # (20-40 ms of it; all of them: 0.16 s once, 20 MB held)
            for c in counts:
                c.held()

    stored: Saved | None = None  # (the lists as the store holds them)
    if kept is not None and kept.state_key == state_key:
        previous: Previous | None = kept.previous
        stored = kept.saved
    else:
        loaded, kept = _load_saved(store, state_key), None
        previous, stored = loaded if loaded is not None else (None, None)
    if previous is not None and previous.keys != tuple(keys):
        # the same articles in another order (a date changed): the last lists, and what
        # a session kept, renumbered (the lists are the same whatever the order)
        order = _new_order(previous.keys, keys)
        if order is not None:
            previous = _renumbered(previous, order)
            stored = None
            if kept is not None:
                kept = _kept_renumbered(kept, previous, order)
                stored = kept.saved
    vectors = None
    transposed: _Transposed | None = None
    base: Vectors | _SplitVectors | None = None  # (what revectorize made them from)
    stored_at = kept.stored_at if kept is not None else float("-inf")
    pending = kept.pending if kept is not None else False
    due = kept is None or time.monotonic() - stored_at >= STORE_EVERY
    # the rows whose vectors differ from the blocks stored with the state (None: all)
    unwritten = kept.unwritten if kept is not None else None
    if (
        previous is not None
        and previous.keys == tuple(keys)
        and previous.sigs == tuple(source_keys)
    ):
        neighbours = previous.neighbours
        now, saved = previous, stored
        if pending and due and kept is not None:  # (a session's state, unwritten so far)
            saved = _save_state(
                store,
                state_key,
                keys,
                source_keys,
                previous.df,
                neighbours,
                stored,
                False,
                vectors=kept.vectors,
                unwritten=unwritten,
            )
            stored_at, pending, unwritten = time.monotonic(), False, frozenset()
        if keep is not None and (kept is None or kept.vectors is None):
            # a session's first build: the vectors its first edit updates, read from the
            # store or made now (the session starts 0.3 s later at 10,000 articles if
            # made, and its first edit does not)
            vectors = _load_vectors(store, stored, previous)
            if vectors is None:
                vectors = vectorize(counts)
            elif kept is None:
                unwritten = frozenset()
            transposed = _Transposed.of(vectors)  # (for its edits, made once: see _Transposed)
        elif kept is not None:
            transposed = kept.transposed
    else:
        if kept is not None and kept.vectors is not None:
            base = kept.vectors
            vectors = revectorize(base, kept.counts, counts)
            if vectors is not None and unwritten is not None and vectors is not kept.vectors:
                unwritten = unwritten | frozenset(vectors.redone or range(len(keys)))
        elif kept is None and previous is not None and previous.keys == tuple(keys):
            # a new process: the last build's vectors as stored, and the rows edited since
            # made again (their source keys differ), not every row's (see _load_vectors)
            base = _stored_vectors(store, stored, previous)
            if base is not None:
                edited = list(compress(count(), map(str.__ne__, source_keys, previous.sigs)))
                vectors = revectorize(base, (), counts, edited)
                if vectors is not None:
                    unwritten = frozenset(vectors.redone or ())
        if vectors is None:
            vectors = vectorize(counts)
            unwritten = None
        last = stored
        # (the lists as stored, when they are previous's: read as arrays)
        table = (
            (last.idx, last.scores)
            if last is not None and previous is not None and last.rows is previous.neighbours
            else None
        )
        # the rows revectorize made again hold every term whose IDF moved since previous's
        among = (
            vectors.redone
            if base is not None
            and vectors is not base
            and previous is not None
            and base.df is previous.df
            else None
        )
        if keep is not None:  # (a session's: see _Transposed)
            was = kept.transposed if kept is not None and base is kept.vectors else None
            if was is not None and isinstance(base, Vectors):
                transposed = was.after(base, vectors)
            if transposed is None:
                transposed = _Transposed.of(vectors)
        base = None  # (a new process's blocks as read: not held while the lists are made)
        neighbours, _how = neighbours_for(
            vectors, keys, source_keys, lists, previous, jobs, table, among, transposed
        )
        saved = _save_state(
            store,
            state_key,
            keys,
            source_keys,
            vectors.df,
            neighbours,
            last,
            kept is None,
            due,
            vectors=vectors,
            unwritten=unwritten,
        )
        stored_at, pending = (time.monotonic(), False) if due else (stored_at, True)
        if due:
            unwritten = frozenset()
        now = Previous(tuple(keys), tuple(source_keys), vectors.df, neighbours)
    own = neighbours
    if lists != cfg:  # the related links' own lists: the head of the wide ones
        old = kept.own if kept is not None and len(kept.own) == len(neighbours) else None
        before = previous.neighbours if old is not None and previous is not None else None
        if old is not None and before is not None and len(before) == len(neighbours):
            # the same list: its head is the same (only the other rows are looked at)
            own = list(old)
            for i in compress(count(), map(is_not, neighbours, before)):
                own[i] = [js for js in neighbours[i] if js[1] >= cfg.min_score][: cfg.count]
        else:
            own = [[js for js in row if js[1] >= cfg.min_score][: cfg.count] for row in neighbours]
    # (vectors are made there only when a pinned link needs its similarity)
    changed: frozenset[str] | None = None
    rescored: frozenset[str] | None = None
    if kept is not None:
        rows = saved.idx if saved is not None else None
        links, scores, changed, rescored = _links_again(articles, cfg, counts, own, kept, rows)
    else:
        links, scores = related_links(articles, cfg, counts, own, vectors)
    if keep is not None:
        made: tuple[Vectors | None, tuple[TermCounts, ...]]
        if vectors is not None:
            made = (vectors, tuple(counts))
        elif kept is not None:  # (nothing changed: the last build's are these rows')
            made = (kept.vectors, kept.counts)
        else:
            made = (None, ())
        keep.append(
            Kept(
                *(state_key, now, saved, tuple(articles), own, links, *made, stored_at, pending),
                unwritten=unwritten if made[0] is not None else None,
                transposed=transposed if made[0] is not None else None,
                scores=scores,
            )
        )
    table = (saved.idx, saved.scores) if saved is not None else None
    return SiteLinks(links, neighbours, table, changed, scores, rescored)


def store_kept(store: cache.Cache, kept: Kept | None) -> None:
    """Write a session's related state if its last build deferred it (see STORE_EVERY):
    at the end of a long-lived process, so a new process starts from it."""
    if kept is None or not kept.pending:
        return
    p = kept.previous
    _save_state(
        *(store, kept.state_key, p.keys, p.sigs, p.df, p.neighbours, kept.saved, False),
        vectors=kept.vectors,
        unwritten=kept.unwritten,
    )


def _new_order(before: Sequence[str], keys: Sequence[str]) -> np.ndarray | None:
    """For each row of ``keys``, its row in ``before`` when both hold the same keys, each
    once (else None)."""
    if len(before) != len(keys):
        return None
    at = {k: i for i, k in enumerate(before)}
    if len(at) != len(before):
        return None
    rows = [at.get(k, -1) for k in keys]
    if -1 in rows or len(set(rows)) != len(rows):
        return None
    return np.array(rows, dtype=np.int64)


def _renumbered(previous: Previous, old_row: np.ndarray) -> Previous:
    """``previous`` with its rows in a new order (row i is old row old_row[i]): top_k of
    the rows in that order, since a pair's score and the tie break (by key) do not
    depend on the rows' numbers."""
    new_row = np.empty_like(old_row)
    new_row[old_row] = np.arange(len(old_row))
    to = new_row.tolist()
    lists = previous.neighbours
    neighbours = [[(to[j], sc) for j, sc in lists[r]] for r in old_row.tolist()]
    sigs = tuple(previous.sigs[r] for r in old_row.tolist())
    keys = tuple(previous.keys[r] for r in old_row.tolist())
    return Previous(keys, sigs, previous.df, neighbours)


def _kept_renumbered(kept: Kept, previous: Previous, old_row: np.ndarray) -> Kept:
    """A session's related state with its rows in a new order (see _renumbered; its
    ``previous`` is that): the stored lists' arrays, the own lists, the articles, the
    vectors and term counts taken along, so only the rows that changed are made again."""
    rows = old_row.tolist()
    new_row = np.empty_like(old_row)
    new_row[old_row] = np.arange(len(old_row))
    saved = kept.saved
    if saved is not None:
        idx = saved.idx[old_row]
        idx = np.where(idx >= 0, new_row[np.maximum(idx, 0)], -1).astype(saved.idx.dtype)
        fits = saved.rows is kept.previous.neighbours
        saved = Saved(saved.k, idx, saved.scores[old_row], previous.neighbours if fits else None)
    if kept.own is kept.previous.neighbours:
        own = previous.neighbours
    else:
        to = new_row.tolist()
        own = [[(to[j], sc) for j, sc in kept.own[r]] for r in rows]
    vectors = kept.vectors
    if vectors is not None:
        term_ids = vectors.term_ids[_row_entries(vectors.term_ptr, old_row)]
        term_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.diff(vectors.term_ptr)[old_row], out=term_ptr[1:])
        ptr = vectors.indptr.astype(np.int64, copy=False)
        at = _row_entries(ptr, old_row)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.diff(ptr)[old_row], out=indptr[1:])
        vectors = Vectors(
            vectors.data[at], vectors.indices[at], indptr, vectors.df, term_ids, term_ptr
        )
    articles = tuple(kept.articles[r] for r in rows) if len(kept.articles) == len(rows) else ()
    # (in the articles' new order, as _links_again keeps them)
    links = {a.slug: kept.links[a.slug] for a in articles if a.slug in kept.links}
    scores = {a.slug: kept.scores[a.slug] for a in articles if a.slug in kept.scores}
    return Kept(
        kept.state_key,
        previous,
        saved,
        articles,
        own,
        links,
        vectors,
        tuple(kept.counts[r] for r in rows) if len(kept.counts) == len(rows) else (),
        kept.stored_at,
        kept.pending,
        unwritten=None,  # (rows moved: every block of the stored vectors is written again)
        transposed=(
            kept.transposed.renumbered(old_row)
            if kept.transposed is not None and vectors is not None
            else None
        ),
        scores=scores,
    )


def _row_entries(ptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions of the entries of ``rows`` (in that order) in values laid out by
    row (row r is values[ptr[r] : ptr[r + 1]])."""
    lens = ptr[rows + 1] - ptr[rows]
    return np.repeat(ptr[rows] - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))


def _links_again(
    articles: Sequence[Article],
    cfg: RelatedConfig,
    counts: Sequence[TermCounts],
    own: Neighbours,
    kept: Kept,
    table: np.ndarray | None = None,
) -> tuple[Links, LinkScores, frozenset[str] | None, frozenset[str] | None]:
    """related_links(), reusing the last build's links of every article whose candidate
    list is the same and whose candidates are the same articles (the same objects: their
    slug, title and URL are unchanged) in the same rows; pinned links are made again.
    A list made again that shows the same links (only its scores moved: an edit shifts
    the IDF of its terms, and with it the scores of every row holding them) keeps the
    last build's links object, and gets its new scores.
    ``table``: the wide neighbour lists ``own`` is the head of, as an n x k array of
    rows (see Saved): the rows that can list a changed article are found there at once,
    and only those are looked at one by one.  Also the slugs whose links are not the
    last build's objects, and those whose scores are not (None: all made again)."""
    before = kept.articles
    if len(before) != len(articles) or len(kept.own) != len(own):
        return *related_links(articles, cfg, counts, own), None, None
    if any(a.pinned_related for a in articles):  # (pinned links: all made again)
        return *related_links(articles, cfg, counts, own), None, None
    changed = set(compress(count(), map(is_not, articles, before)))
    near: set[int] | None = None  # (None: every row is looked at)
    if changed and table is not None and table.shape[0] == len(own):
        near = set(np.flatnonzero(np.isin(table, list(changed)).any(axis=1)).tolist())
    # the rows to look at: changed, with another list, or (maybe) listing a changed row
    look = changed | set(compress(count(), map(is_not, own, kept.own)))
    look |= near if near is not None else set(range(len(own))) if changed else set()
    redo = [
        i
        for i in sorted(look)
        if i in changed
        or (own[i] is not kept.own[i] and own[i] != kept.own[i])
        or (changed and not changed.isdisjoint([j for j, _ in own[i]]))
    ]
    links, scores = dict(kept.links), dict(kept.scores)
    renamed = [i for i in changed if before[i].slug != articles[i].slug]
    for i in renamed:  # (an article's slug may be new: its old links are not kept)
        links.pop(before[i].slug, None)
        scores.pop(before[i].slug, None)
    made: set[str] = set()
    rescored: set[str] = set()
    if redo:
        got, got_scores = related_links(articles, cfg, counts, own, only=redo)
        for slug, lst in got.items():
            last = links.get(slug)
            if last is None or last != lst:  # (RelatedLinks compare by their fields)
                links[slug] = lst
                made.add(slug)
            sc = got_scores[slug]
            if scores.get(slug) != sc:
                scores[slug] = sc
                rescored.add(slug)
    if renamed or len(links) != len(articles):  # in article order, as related_links makes them
        links = {a.slug: links[a.slug] for a in articles}
        scores = {a.slug: scores[a.slug] for a in articles}
    return links, scores, frozenset(made), frozenset(rescored)


WIDE_MIN_SCORE = 0.04  # the lowest score kept in wide lists (story grouping's floor)


def _lists_config(cfg: RelatedConfig, wide: int) -> RelatedConfig:
    """The neighbour lists site_links computes and keeps: the related links' own
    (``wide`` 0 or at most ``count``), or longer ones for story grouping."""
    if wide <= 0:
        return cfg
    return RelatedConfig(count=max(cfg.count, wide), min_score=min(cfg.min_score, WIDE_MIN_SCORE))


@dataclass(frozen=True)
class SiteLinks:
    """What the related stage gives the later ones."""

    links: Links  # slug -> its related links (pinned first)
    # row i's most similar rows [(j, score)], best first (rows = input order): up to
    # max(count, wide) of them (see site_links), the links' candidates being the first
    neighbours: Neighbours
    # the same lists as n x k arrays of rows (-1 pad) and scores (0 pad), when made
    table: tuple[np.ndarray, np.ndarray] | None = None
    # in a session's build: the slugs whose links are not the last build's objects
    # (None: not known)
    changed: frozenset[str] | None = None
    # slug -> its links' scores (articles.json shows them; pages do not, see RelatedLink)
    scores: LinkScores = field(default_factory=dict)
    # in a session's build: the slugs whose scores are not the last build's objects
    # (None: not known)
    rescored: frozenset[str] | None = None


@dataclass(frozen=True)
class _State:
    """The last build's neighbour lists: row i's are idx[i * k : i * k + k] (-1: none)."""

    keys: tuple[str, ...]
    sigs: tuple[str, ...]
    k: int
    idx: bytes  # little-endian int32
    scores: bytes  # little-endian float64
    df_terms: bytes  # the hashed terms of nonzero document frequency (little-endian int32)
    df_counts: bytes  # and their document frequencies
    blocks: tuple[str, ...] = ()  # the keys of the vectors' blocks (see _store_vectors)


def _save_state(
    store: cache.Cache,
    state_key: str,
    keys: Sequence[str],
    sigs: Sequence[str],
    df: np.ndarray,
    neighbours: Neighbours,
    last: Saved | None = None,
    prune: bool | None = None,
    write: bool = True,
    vectors: Vectors | None = None,
    unwritten: frozenset[int] | None = None,
) -> Saved:
    """Store the state; returns the neighbour lists as the arrays stored.  ``last``:
    those of the last build of a session (or as read from the store), whose lists are
    the rows of ``neighbours`` that are the same objects: only the other rows are laid
    out again.  ``prune``: forget the other states stored (default: when no ``last``;
    a session's later builds keep the one key).  Not ``write``: the arrays only (a
    session's build that defers the write, see STORE_EVERY).  ``vectors``: the ones the
    lists were computed from, stored beside them in blocks of rows (only the blocks of
    the ``unwritten`` rows written again, see _store_vectors)."""
    n = len(neighbours)
    k = max(map(len, neighbours), default=0)
    if last is not None and last.rows is not None and len(last.rows) == n and last.k == k:
        redo = [i for i, row in enumerate(neighbours) if row is not last.rows[i]]
        idx, scores = last.idx.copy(), last.scores.copy()
    else:
        redo = list(range(n))
        idx, scores = np.full((n, k), -1, dtype="<i4"), np.zeros((n, k), dtype="<f8")
    if redo:
        part = [neighbours[i] for i in redo]
        lens = np.fromiter((len(row) for row in part), dtype=np.int64, count=len(part))
        total = int(lens.sum())
        flat = np.fromiter(
            (x for row in part for pair in row for x in pair), dtype=np.float64, count=2 * total
        )
        there = np.arange(k) < lens[:, None]  # row-major: the pairs in the order listed
        block_idx = np.full((len(part), k), -1, dtype="<i4")
        block_scores = np.zeros((len(part), k), dtype="<f8")
        block_idx[there] = flat[0::2].astype("<i4")
        block_scores[there] = flat[1::2]
        idx[redo], scores[redo] = block_idx, block_scores
    blocks = last.blocks if last is not None else ()
    if not write:
        return Saved(k, idx, scores, neighbours, blocks)
    if vectors is not None and vectors.n == n:
        blocks = _store_vectors(store, state_key, vectors, blocks, unwritten)
    else:
        blocks = ()
    terms = np.flatnonzero(df).astype("<i4")  # df is mostly zeros: kept as (term, count)
    state = _State(
        tuple(keys),
        tuple(sigs),
        k,
        idx.tobytes(),
        scores.tobytes(),
        terms.tobytes(),
        df[terms].astype("<i4").tobytes(),
        blocks,
    )
    store.put("related-state", state_key, state)
    if prune if prune is not None else last is None:
        store.prune("related-state", [state_key])
    store.prune(VECTORS, blocks)
    return Saved(k, idx, scores, neighbours, blocks)


VECTORS = "related-vectors"  # the cache namespace of the vectors' blocks
# Rows in a block of the stored vectors: an edit writes again the blocks of the rows it
# changed (~0.8 MB each at 256 rows of news: laid out, hashed and written, ~15 ms a block
# at 1024 rows), not the whole site's vectors.  An edit that moves a common term's IDF
# changes rows all over the site: small blocks keep the rest of theirs unwritten.
VECTOR_BLOCK = 256
# Blocks written to the store at a time: their bytes, and the store's copy of them, are
# held until then (a cold build's all at once: +61 MiB at the peak at 10,000 articles)
STORE_BLOCKS = 32


@dataclass(frozen=True)
class _Block:
    """Rows start .. start + rows - 1 of a Vectors, as little-endian bytes."""

    start: int
    rows: int
    data: bytes  # <f4
    indices: bytes  # <i4
    lens: bytes  # <i4: each row's entries in data and indices
    term_ids: bytes  # <i4: the rows' unpruned terms
    term_lens: bytes  # <i4: each row's in term_ids


def _store_vectors(
    store: cache.Cache,
    state_key: str,
    v: Vectors,
    old: tuple[str, ...],
    unwritten: frozenset[int] | None,
) -> tuple[str, ...]:
    """Write the blocks of ``v`` that hold an ``unwritten`` row (all when None, or when
    ``old``, the keys of the blocks stored last, are not as many); the keys of all its
    blocks.  A block's key is a hash of its bytes: a state never names a block it was
    not written with."""
    n = v.n
    count_blocks = -(-n // VECTOR_BLOCK)
    if unwritten is None or len(old) != count_blocks:
        keys, todo = [""] * count_blocks, list(range(count_blocks))
    else:
        keys, todo = list(old), sorted({r // VECTOR_BLOCK for r in unwritten if r < n})
    if not todo:
        return tuple(keys)
    items: dict[str, _Block] = {}
    ptr = v.indptr
    for b in todo:
        lo, hi = b * VECTOR_BLOCK, min(n, (b + 1) * VECTOR_BLOCK)
        a, z = int(ptr[lo]), int(ptr[hi])
        t0, t1 = int(v.term_ptr[lo]), int(v.term_ptr[hi])
        block = _Block(
            lo,
            hi - lo,
            v.data[a:z].astype("<f4", copy=False).tobytes(),
            v.indices[a:z].astype("<i4", copy=False).tobytes(),
            np.diff(ptr[lo : hi + 1]).astype("<i4").tobytes(),
            v.term_ids[t0:t1].astype("<i4", copy=False).tobytes(),
            np.diff(v.term_ptr[lo : hi + 1]).astype("<i4").tobytes(),
        )
        h = hashlib.sha256(f"{VECTORS} {state_key} {lo} {hi}".encode())
        for part in (block.data, block.indices, block.lens, block.term_ids, block.term_lens):
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
        keys[b] = h.hexdigest()
        items[keys[b]] = block
        if len(items) >= STORE_BLOCKS:  # (a cold build's are all the vectors: a few at a time)
            store.put_many(VECTORS, items)
            items = {}
    store.put_many(VECTORS, items)
    return tuple(keys)


def _load_vectors(
    store: cache.Cache, saved: Saved | None, previous: Previous | None
) -> Vectors | None:
    """The vectors stored with the state (see _stored_vectors), joined."""
    split = _stored_vectors(store, saved, previous)
    return split.joined() if split is not None else None


def _stored_vectors(
    store: cache.Cache, saved: Saved | None, previous: Previous | None
) -> _SplitVectors | None:
    """The vectors stored with the state (``saved``, the lists of ``previous``), held as
    the blocks read (see _Parts), or None when they are not all there or do not hold
    together: the rows of previous.keys, bit for bit what vectorize made of them (a new
    process then makes again only the rows edited since, see revectorize)."""
    if saved is None or previous is None or not saved.blocks:
        return None
    n = len(previous.keys)
    got = store.get_many(VECTORS, saved.blocks, _Block)
    if len(got) != len(set(saved.blocks)):
        return None
    blocks = [got[k] for k in saved.blocks]
    at = 0
    for block in blocks:
        if block.start != at or block.rows <= 0:
            return None
        at += block.rows
    if at != n:
        return None
    try:

        def parts(name: str, dtype: str, native: type) -> _Parts:
            return _Parts.of(
                *(
                    np.frombuffer(getattr(b, name), dtype=dtype).astype(native, copy=False)
                    for b in blocks
                )
            )

        data = parts("data", "<f4", np.float32)
        indices = parts("indices", "<i4", np.int32)
        term_ids = parts("term_ids", "<i4", np.int32)
        lens = parts("lens", "<i4", np.int64).joined()
        term_lens = parts("term_lens", "<i4", np.int64).joined()
    except ValueError:
        return None
    dim = 1 << DIM_BITS

    def within(values: _Parts) -> bool:
        return all(not len(a) or (int(a.min()) >= 0 and int(a.max()) < dim) for a in values.arrays)

    if not (
        len(lens) == len(term_lens) == n
        and len(data) == len(indices) == int(lens.sum())
        and len(term_ids) == int(term_lens.sum()) == int(previous.df.sum())
        and (lens >= 0).all()
        and (term_lens >= lens).all()
        and within(indices)
        and within(term_ids)
    ):
        return None
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    term_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(term_lens, out=term_ptr[1:])
    return _SplitVectors(data, indices, indptr, previous.df, term_ids, term_ptr)


@dataclass(frozen=True)
class Saved:
    """The neighbour lists as last stored: n x k arrays, and the lists they were made
    from (None: not known)."""

    k: int
    idx: np.ndarray
    scores: np.ndarray
    rows: Neighbours | None
    blocks: tuple[str, ...] = ()  # the keys of the vectors stored with them


def _load_state(store: cache.Cache, state_key: str) -> Previous | None:
    loaded = _load_saved(store, state_key)
    return loaded[0] if loaded is not None else None


def _load_saved(store: cache.Cache, state_key: str) -> tuple[Previous, Saved | None] | None:
    """The stored state, and its lists' arrays as _save_state laid them out (None when
    they are laid out otherwise): a later _save_state lays out only the rows that
    changed, and an update reads the old lists' lengths from them."""
    state = store.get("related-state", state_key, _State)
    if state is None:
        return None
    n, k = len(state.keys), state.k
    try:
        idx_array = np.frombuffer(state.idx, dtype="<i4").reshape(n, k)
        if idx_array.size and (idx_array.min() < -1 or idx_array.max() >= n):
            return None
        score_array = np.frombuffer(state.scores, dtype="<f8").reshape(n, k)
        terms = np.frombuffer(state.df_terms, dtype="<i4")
        if len(terms) and (terms.min() < 0 or terms.max() >= 1 << DIM_BITS):
            return None
        df = np.zeros(1 << DIM_BITS, dtype=np.int32)
        df[terms] = np.frombuffer(state.df_counts, dtype="<i4")
    except (ValueError, IndexError):
        return None
    if len(state.sigs) != n:
        return None
    there = idx_array >= 0
    saved: Saved | None = None
    if n and k and not (there[:, 1:] & ~there[:, :-1]).any():  # as saved: -1s pad rows' ends
        # every row's pairs in one list (row-major: each row's in order), then cut into
        # rows: one C loop for the 10,000 x k pairs instead of a zip and a list per row
        pairs = list(zip(idx_array[there].tolist(), score_array[there].tolist(), strict=True))
        ends = np.cumsum(there.sum(axis=1)).tolist()
        neighbours = [pairs[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        fits = k == max((len(row) for row in neighbours), default=0)
        saved = Saved(k, idx_array, score_array, neighbours, state.blocks) if fits else None
    else:
        neighbours = [
            [(j, sc) for j, sc in zip(ir, sr, strict=True) if j >= 0]
            for ir, sr in zip(idx_array.tolist(), score_array.tolist(), strict=True)
        ]
    return Previous(state.keys, state.sigs, df, neighbours), saved
