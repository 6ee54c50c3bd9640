"""Story features: the names and numbers an article mentions, as hashed ids.

Two articles about one event name the same places, people and organisations and give the
same figures; two look-alike events (two earthquakes, two bridge closures) share their
vocabulary but not those.  Story grouping (:mod:`digest.stories.grouping`) scores a pair
of neighbours on the overlap of these ids as well as on the related cosine.

Extracted in the per-article work (:func:`digest.collect.process_one`), where the text is
still at hand, and cached with the article.  Language-independent heuristics, no model:

* a *name* is a word starting with a capital letter that is not the first word of a
  sentence, a line or a paragraph, and not a stop word (lower-cased for the id); two or
  more such words in a row also give their bigrams ("kestrel bay");
* a *number* is a run of digits (with inner ``.``/``,``), kept as written ("6.1");
* the title gives its numbers, and those of its capitalised words that the text also has
  as names (titles are often in Title Case, so a capital there alone proves nothing).

At most ``MAX_FEATURES`` ids are kept: the most frequent, ties by id.  The ``SALIENT`` most
frequent single-word names of the text (ties by name) are the article's *main actors*: their
ids are always kept and carry ``SALIENT_TAG`` (mask with ``(1 << FEATURE_BITS) - 1`` for the
id).  Grouping counts it as a conflict when one article's main actor is not named by the
other (two contract offers to one player from two teams: the teams differ).
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections import Counter
from operator import neg

import numpy as np

from digest import tokens
from digest.related import STOP_WORDS, hashed_counts

FEATURE_BITS = 20  # ids are hashed into 2**20 buckets
MAX_FEATURES = 64  # ids kept per article (the most frequent): bounds memory at 100,000
SALIENT = 3  # main actors per article (chosen on the tune half of ECB+ dev)
SALIENT_TAG = 1 << 30  # marks a main actor's id in the features

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?|\d(?:[\d,.]*\d)?", re.UNICODE)
_BREAK = re.compile(r"[.!?:;\"“”«»()\[\]]|\n|''|``")  # ends a sentence or a run of names

# Capitalised words that are not names (days and months are shared by unrelated stories)
_NOT_NAMES = (
    frozenset(
        """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    """.split()
    )
    | STOP_WORDS
)


def _id(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << FEATURE_BITS) - 1)


# One pass over the text: a token (group 1), a break (group 2), or another character that
# is neither blank nor ' ’ - (which ends a run of names).  Blanks and ' ’ - match nothing and
# are skipped.  The same tokens as _TOKEN.finditer gives (a break or other character never
# starts a token), and the same state between two tokens as scanning the gap between them.
_STREAM = re.compile(r"(" + _TOKEN.pattern + r")|(" + _BREAK.pattern + r")|[^ \t'’-]", re.UNICODE)
# ASCII text (most English news) is read with tokens.STREAM instead, the same matches with
# ASCII classes, read once for the term counts too (a test compares them on generated text).


# The marks of tokens.STREAM that end a sentence or a run of names (its other marks, a
# comma say, end only the run)
_BREAKS = frozenset([".", "!", "?", ":", ";", '"', "(", ")", "[", "]", "\n", "''", "``"])


def _unicode(tok: str, brk: str) -> tuple[str, str, str]:
    """A match of _STREAM as tokens.STREAM gives it: (word, number, mark), with "\n" for a
    break and "" for another character (a number is a token that starts with a digit)."""
    if tok:
        return ("", tok, "") if tok[0].isdigit() else (tok, "", "")
    return ("", "", "\n" if brk else "")


def _scan(
    text: str, capitals: bool = True, read: tokens.Read | None = None
) -> tuple[list[str], list[str], set[str]]:
    """(names and name bigrams, numbers, every capitalised word) of a text (the last left
    empty unless ``capitals``: only a title's are used); ``read``: the text read with
    tokens.STREAM, when at hand (see tokens.Reading)."""
    names: list[str] = []
    numbers: list[str] = []
    capital: set[str] = set()
    last = ""  # the name before, in a run of names ("" when there is none)
    start = True  # the next word begins a sentence
    not_names = _NOT_NAMES
    found = (tokens.read(text) if read is None else read).stream
    if found is None:
        found = [_unicode(t, brk) for t, brk in _STREAM.findall(text)]
    name, capitalised = names.append, capital.add if capitals else None
    for tok, number, mark in found:
        if tok:
            if tok[0].isupper():
                low = tok.lower()
                if capitalised is not None:
                    capitalised(low)
                if not start and low not in not_names:
                    name(low)
                    if last:
                        name(last + " " + low)
                    last = low
                    continue  # (start stays False)
            last = ""
            start = False
        elif number:
            numbers.append(number)
            start, last = False, ""
        else:
            if mark in _BREAKS:
                start = True
            last = ""  # a break, or other punctuation (a comma)
    return names, numbers, capital


def _most_frequent(count: dict[str, int], k: int) -> set[int]:
    """The ``k`` most frequent ids of features counted by feature (an id's count: its
    features' counts summed), ties by id."""
    if not count:
        return set()
    ids, counts = hashed_counts(count, FEATURE_BITS)  # (by id, the ids increasing)
    if len(ids) > k:
        ids = ids[np.lexsort((ids, -counts))[:k]]  # (by count, down, then by id)
    return set(ids.tolist())


def story_features(title: str, text: str, reading: tokens.Reading | None = None) -> array:
    """Sorted distinct hashed ids of the names and numbers of an article; ``reading``: its
    title and text read with tokens.STREAM, when at hand (the term counts read them too:
    digest.collect.process_one reads them once for both)."""
    if reading is None:
        reading = tokens.reading(title, text)
    names, numbers, _ = _scan(text, capitals=False, read=reading.text)
    count = Counter(names)
    count.update(numbers)
    _, t_numbers, t_capitals = _scan(title, read=reading.title)
    count.update(t_numbers)
    count.update(w for w in t_capitals if w in count)
    main = Counter(n for n in names if " " not in n)
    # the most frequent first, ties by name (by id): (-count, name) pairs sorted as they are,
    # as the keys are distinct, compared in C rather than by a key function
    top = sorted(zip(map(neg, main.values()), main, strict=True))[:SALIENT]
    salient = {_id(f) for _, f in top}
    keep = _most_frequent(count, MAX_FEATURES - len(salient)) | salient
    return array("i", sorted(i | SALIENT_TAG if i in salient else i for i in keep))
