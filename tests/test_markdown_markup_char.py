"""The search for inline markup that sends a body to Python-Markdown (written as one
character class with look-behinds, so that it runs at C speed) finds what the plain
alternation of markup starts finds, at the same place: the same bodies are rendered as
plain prose, the same go to Python-Markdown."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.load import markdown

_PLAIN = re.compile(markdown._MARKUP_ALTERNATIVES)
_TEXT = st.text(
    alphabet=st.sampled_from("ab \n\t\\`*_<>|{}![]^()\u00a0.,'\"-&")
    | st.characters(max_codepoint=0x2030),
    max_size=60,
)


@settings(max_examples=3000, deadline=None)
@given(text=_TEXT)
def test_the_class_search_finds_the_markup_the_alternation_finds(text: str) -> None:
    fast, plain = markdown._MARKUP_CHAR.search(text), _PLAIN.search(text)
    assert (fast is None) == (plain is None)
    if fast is not None and plain is not None:
        assert fast.start() == plain.start()


def test_markup_starts_and_plain_brackets() -> None:
    for text in ("a *b*", "see ![x](y)", "note[^1]", "[x] (url)", "[x]\n[ref]", "a_b", "<i>"):
        assert markdown._MARKUP_CHAR.search(text), text
    for text in ("a [bracket] stays", "wow! [not an image", "3 ^ 2", "plain prose."):
        assert not markdown._MARKUP_CHAR.search(text), text
