"""Text for the ASCII token patterns of the related term counts and the story features.

Both stages read ASCII text with ASCII patterns (a character class over ASCII is looked up
faster than a Unicode one, see :data:`digest.related._ASCII_TOKEN` and
:data:`digest.storyfeatures._ASCII_STREAM`).  News in English is often ASCII but for a
pound sign, a euro sign or a no-break space: characters that neither stage reads as part
of a word, a number or a mark of its own, and that each treats as it treats ``$`` (the
term counts skip it, the story features take it for "other punctuation", which ends a run
of names).  Such text is read as the ASCII text it becomes with ``$`` in their place.
"""

from __future__ import annotations

import re

# Quotes and dashes beyond ASCII that the Unicode patterns know (’ inside words; curly and
# angle double quotes and en and em dashes as marks)
_MARKS = frozenset("\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014")
_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]")  # (one class: the search skips to it at C speed)


def as_ascii(text: str) -> str | None:
    """``text`` as ASCII that the ASCII patterns read as the Unicode ones read ``text``:
    itself when it is ASCII, with ``$`` for each character beyond ASCII when none of them
    is one a stage reads otherwise, else None (read with the Unicode patterns).  Read
    otherwise: a word character (a letter, a digit: what ``\\w`` matches, ``str.isalnum``)
    or one of the quotes and dashes of _MARKS."""
    if text.isascii():
        return text
    for c in set(_BEYOND_ASCII.findall(text)):
        if c.isalnum() or c in _MARKS:
            return None
    return _BEYOND_ASCII.sub("$", text)
