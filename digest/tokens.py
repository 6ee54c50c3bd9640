"""Text for the ASCII token patterns of the related term counts and the story features.

Both stages read ASCII text with ASCII patterns (a character class over ASCII is looked up
faster than a Unicode one): :data:`STREAM` below, one pass over an article's title and
text that both read (once per article: see :class:`Reading`; the term counts' own
:data:`digest.related._ASCII_TOKEN` reads the lower-cased text for the feature names).
News in English is often ASCII but for a pound sign, a euro sign or a no-break space:
characters that neither stage reads as part of a word, a number or a mark of its own, and
that each treats as it treats ``$`` (the term counts skip it, the story features take it
for "other punctuation", which ends a run of names). Such text is read as the ASCII text
it becomes with ``$`` in their place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Quotes and dashes beyond ASCII that the Unicode patterns know (’ inside words; curly and
# angle double quotes and en and em dashes as marks)
_MARKS = frozenset("\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014")
_ASCII_BYTES = bytes(range(128))  # (deleted from UTF-8 bytes: those beyond ASCII are left)


def as_ascii(text: str) -> str | None:
    """``text`` as ASCII that the ASCII patterns read as the Unicode ones read ``text``:
    itself when it is ASCII, with ``$`` for each character beyond ASCII when none of them
    is one a stage reads otherwise, else None (read with the Unicode patterns).  Read
    otherwise: a word character (a letter, a digit: what ``\\w`` matches, ``str.isalnum``)
    or one of the quotes and dashes of _MARKS."""
    if text.isascii():
        return text
    # In C over the UTF-8 bytes rather than with the regex: deleting the ASCII bytes leaves
    # those of the characters beyond ASCII (a few, often one kind: a pound sign); each kind
    # is then replaced by "$" in the bytes (UTF-8 is self-synchronizing: a character's
    # bytes occur only where it does), some ten times faster than the search and its sub
    data = text.encode("utf-8", "surrogatepass")
    beyond = set(data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
    for c in beyond:
        if c.isalnum() or c in _MARKS:
            return None
    for c in beyond:
        data = data.replace(c.encode("utf-8", "surrogatepass"), b"$")
    return data.decode("ascii")


# One pass over an article's ASCII text (see as_ascii) that both stages read: a word
# (group 1), a number (group 2) or a mark (group 3: a break of the story features, or
# another character that is neither blank nor ' or -): digest.storyfeatures._STREAM with
# ASCII classes in place of the Unicode ones (looked up character by character: a letter
# is [A-Za-z], \w is [A-Za-z0-9_], a digit [0-9]), its token split in two.  First,
# possessively, the blanks, - and ' (but the first of '') that the stream skips: one match
# takes them with what follows instead of the search failing at each; after them a match
# always starts, so no position is tried twice, but at the end of the text, which read()
# strips of them.  A token's alternatives are written longest first rather than with an
# optional tail.  The term counts read the same words and numbers, lower-cased, as their
# own pattern finds in the lower-cased text (a class here is a class there whatever the
# case, and no mark starts inside a token), and take from the marks their punctuation.
# Tests compare both.
STREAM = re.compile(
    r"[ \t-]*+(?:'(?!')[ \t-]*+)*+"
    r"(?:([A-Za-z][\w'-]*[A-Za-z0-9]|[A-Za-z])|([0-9][0-9,.]*[0-9]|[0-9])"
    r"|([.!?:;\"()\[\]]|\n|''|``|[^ \t'-]))",
    re.ASCII,
)

# The marks of STREAM that end a run of adjacent words for the term counts (the punctuation
# of digest.related._TOKEN within ASCII); the others are characters its pattern skips
PUNCTUATION = frozenset('.!?;:,()[]"')


def lowers_alike(text: str) -> bool:
    """Does ``text`` read as ASCII lower-case to what its lower-cased text reads as?  Then
    the words of the one's stream are those of the other, lower-cased.  (Always for ASCII
    text; beyond ASCII a character may lower-case to another length, or to a letter.)"""
    plain = as_ascii(text)
    return plain is not None and plain.lower() == as_ascii(text.lower())


@dataclass(frozen=True)
class Read:
    """A text read once with :data:`STREAM`: what the term counts and the story features
    of one article share (:func:`digest.collect.process_one` reads its title and its text
    and passes both to each, see :class:`Reading`)."""

    # STREAM.findall of the text read as ASCII (see as_ascii): (word, number, mark) of
    # each match, the two others empty; None when the text must be read with the Unicode
    # patterns
    stream: list[tuple[str, str, str]] | None
    # lowers_alike(text): the term counts may take the stream's words, lower-cased, for
    # those of the lower-cased text
    lowers_alike: bool


def read(text: str) -> Read:
    """The text read with STREAM (see Read)."""
    plain = as_ascii(text)
    if plain is None:
        return Read(None, False)
    # (stripped: a trailing blank, - or ' is no match; see STREAM)
    found = STREAM.findall(plain.rstrip(" \t'-"))
    # (lowers_alike, given as_ascii(text): ASCII text is always read alike)
    return Read(found, plain is text or plain.lower() == as_ascii(text.lower()))


@dataclass(frozen=True)
class Reading:
    """An article's title and text, each read once (see Read)."""

    title: Read
    text: Read


def reading(title: str, text: str) -> Reading:
    """An article's title and text read (see Reading)."""
    return Reading(read(title), read(text))
