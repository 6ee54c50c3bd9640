"""Text that is ASCII but for a pound sign, a no-break space or the like is read with the
ASCII token patterns (digest.tokens.as_ascii): the related term counts and the story
features find in it exactly what the Unicode patterns find, so the same links and story
groups; and the patterns stay linear in the text's length, whatever it ends with."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import related, storyfeatures, tokens

# ASCII words, numbers and punctuation, and characters beyond ASCII: some read as "$" is
# (pound and euro signs, no-break and ideographic spaces, a combining accent, a line
# separator), some that send the text to the Unicode patterns (letters, ’ “ ” « » – —, a
# Kelvin sign that lower-cases to "k", a dotted capital I)
_TEXT = st.text(
    alphabet=st.sampled_from("aZ09_ '\t\n-.,;:!?\"()[]`$%&*/KBay")
    | st.sampled_from("\u00a3\u20ac\u00a0\u3000\u0301\u2028\u00a9")
    | st.sampled_from("\u00e9\u2019\u201c\u201d\u00ab\u00bb\u2013\u2014\u212a\u0130\u00b2")
    | st.characters(max_codepoint=127),
    max_size=80,
)


@settings(max_examples=3000, deadline=None)
@given(text=_TEXT)
def test_text_read_as_ascii_gives_what_the_unicode_patterns_give(text: str) -> None:
    got = related._scan(text), storyfeatures._scan(text)
    plain = tokens.as_ascii(text)
    assert plain is None or plain.isascii()
    # the term counts' own reading of the lower-cased text (kept for the feature names)
    assert related._scan(text, "en", {}) == got[0]
    original = tokens.as_ascii
    try:
        tokens.as_ascii = lambda text: None  # type: ignore[assignment]
        assert (related._scan(text), storyfeatures._scan(text)) == got
    finally:
        tokens.as_ascii = original


def test_a_pound_sign_keeps_the_ascii_reading() -> None:
    text = "Ann Lee paid \u00a31,200 in Kestrel Bay\u00a0on Monday."
    assert tokens.as_ascii(text) == "Ann Lee paid $1,200 in Kestrel Bay$on Monday."
    assert tokens.as_ascii("caf\u00e9") is None and tokens.as_ascii("don\u2019t") is None
    names, numbers, _ = storyfeatures._scan(text)
    assert "kestrel bay" in names and "1,200" in numbers
    terms, pairs = related._scan(text)
    assert "1200" in terms and "ann lee" in pairs


@pytest.mark.parametrize(
    "tail",
    [" ", "'", "- ", " \t-", "_ ", "$%& ", "\u00a3 ", "' ' - '' "],
)
def test_the_token_patterns_stay_linear_on_long_runs_of_skipped_characters(tail: str) -> None:
    text = "Ann Lee " + tail * (400_000 // len(tail)) + " Bob"
    start = time.perf_counter()
    for t in (text, text[:-4]):  # the run in the middle, and at the very end
        related._scan(t)
        storyfeatures._scan(t)
    assert time.perf_counter() - start < 5  # quadratic: hours


def test_a_text_read_once_gives_each_reader_what_it_reads_alone() -> None:
    # process_one reads an article's title and text once and passes them to the term
    # counts and the story features: each gets what it gets reading the text itself
    texts = ["Ann Lee met Bob Hay in Kestrel Bay.", "Bob Hay left Kestrel Bay.", "Ann Lee"]
    texts += ["Ann Lee paid \u00a31,200 in Kestrel Bay.", "Caf\u00e9 owner Zo\u00eb Hay", ""]
    for t in texts:
        read = tokens.read(t)
        assert (read.stream is None) == (tokens.as_ascii(t) is None)  # (else Unicode)
        assert read.lowers_alike == tokens.lowers_alike(t)
        assert related._scan(t, read=read) == related._scan(t)
        assert storyfeatures._scan(t, read=read) == storyfeatures._scan(t)


def _as_ascii_by_regex(text: str) -> str | None:
    """tokens.as_ascii as a regex search and sub of the characters beyond ASCII."""
    import re

    beyond = re.compile(r"[^\x00-\x7f]")
    if text.isascii():
        return text
    if any(c.isalnum() or c in tokens._MARKS for c in set(beyond.findall(text))):
        return None
    return beyond.sub("$", text)


@settings(max_examples=3000, deadline=None)
@given(
    text=_TEXT
    | st.text(st.characters(max_codepoint=0x2FFFF), max_size=40)
    | st.text(
        st.sampled_from("a \u00a3\u00a0\ud800\udc00\ud83d\ude00\U0001f600\u20ac"), max_size=20
    )
)
def test_text_as_ascii_in_bytes_is_the_regex_reading(text: str) -> None:
    """as_ascii (the UTF-8 bytes searched and replaced in C) gives what the regex gives:
    None for a letter, digit or mark beyond ASCII, else "$" for each such character
    (lone surrogates and astral characters too, one "$" a code point)."""
    assert tokens.as_ascii(text) == _as_ascii_by_regex(text)
    assert tokens.as_ascii("\u00a3600m \u00a0at \U0001f600") == "$600m $at $"
