"""The sentence splitter's event pattern (one class of first characters, then a look-behind
to tell the kinds apart) finds the same events, with the same look-ahead groups, as the
plain alternation of the three kinds it stands for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import sentences as s

_ALTERNATION = re.compile(
    f"[{s._NEWLINE_CHARS}]"
    f"|[{s._CJK_CHARS}]+[\u300d\u300f\uff09\u3011\"'\u201d\u2019)]*"
    f"|[{s._TERM_CHARS}]+[\"'\u2019\u201d\u00bb\u203a)\\]}}*_]*"
    f"(?=(\\s{{0,{s._MAX_GAP}}})(\\S{{0,{s._MAX_WORD}}}))"
)
_CHARS = "ab A3.?!\u2026\u203c\n\r\u2028\x85\u3002\uff01\uff61\u300d\u300f\"'\u2019\u201d\u00bb)]}*_ \t(\u201c"


def _events(pattern: re.Pattern[str], text: str) -> list:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(_CHARS), max_size=60) | st.text(max_size=60))
def test_events_are_those_of_the_alternation(text: str) -> None:
    assert _events(s._EVENT, text) == _events(_ALTERNATION, text)


def test_events_of_news_text() -> None:
    text = (
        'He said: "Stop." She left... Mr. Smith (U.S.) paid $3.5bn! Why?\n'
        "\u6771\u4eac\u3002\u300c\u306f\u3044\u3002\u300d Then\u2026 the end"
    )
    assert _events(s._EVENT, text) == _events(_ALTERNATION, text)
    assert s.split_sentences(text)[:2] == ['He said: "Stop."', "She left..."]
