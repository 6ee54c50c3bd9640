"""Story features read ASCII text with ASCII patterns: the same tokens, breaks and other
characters as the Unicode pattern finds, so the same features."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import storyfeatures, tokens

_ASCII = st.text(
    alphabet=st.sampled_from("aZ09_ '\t\n-.,;:!?\"()[]`$%&*/KBay")
    | st.characters(max_codepoint=127),
    max_size=80,
)


@settings(max_examples=2000, deadline=None)
@given(text=_ASCII)
def test_ascii_text_is_read_as_the_unicode_pattern_reads_it(text: str) -> None:
    assert text.isascii()
    # the shared stream's words and numbers are the tokens, its marks the breaks and other
    # characters, of the Unicode pattern
    shared = [
        (word or number, mark if mark in storyfeatures._BREAKS else "")
        for word, number, mark in tokens.STREAM.findall(text)
    ]
    assert shared == storyfeatures._STREAM.findall(text)
    assert all(bool(w) + bool(n) + bool(m) == 1 for w, n, m in tokens.STREAM.findall(text))


def test_names_and_numbers_of_ascii_and_unicode_text() -> None:
    text = (
        "Officials in Kestrel Bay said on Monday that 6.1 quakes hit. The Kestrel Bay mayor, "
        "Ann O'Neill-Hart, met ``Red Cross'' teams; 1,200 people left [Bay Road] (Route 9)."
    )
    ascii_features = storyfeatures.story_features("Quake hits Kestrel Bay", text)
    names, numbers, capitals = storyfeatures._scan(text)
    assert "kestrel bay" in names and "o'neill-hart" in names and "6.1" in numbers
    assert "1,200" in numbers and "officials" in capitals and "monday" not in names
    # the same text with a character that is not ASCII (read with the Unicode pattern)
    assert storyfeatures._scan(text + " \u00a3") == (names, numbers, capitals)
    # an article's text is read for its names and numbers only (a title for its capitals too)
    assert storyfeatures._scan(text, capitals=False) == (names, numbers, set())
    assert len(ascii_features) > 5
