"""Text with a few control characters is read; text that is mostly control characters
is refused as not a text file (the count digest.load.decode makes in one regex scan)."""

from __future__ import annotations

import pytest

from digest.errors import ContentError
from digest.load.decode import decode


def _text(controls: str, n: int) -> bytes:
    return (controls * n + "x" * (1000 - n)).encode()


@pytest.mark.parametrize("control", ["\x01", "\x08", "\x0e", "\x1b", "\x1f"])
def test_up_to_one_control_character_in_a_hundred_is_read(control: str) -> None:
    text, enc = decode(_text(control, 10), "a.md")
    assert enc == "utf-8" and text.count(control) == 10


@pytest.mark.parametrize("control", ["\x01", "\x08", "\x0e", "\x1b", "\x1f"])
def test_more_control_characters_are_not_a_text_file(control: str) -> None:
    with pytest.raises(ContentError, match="not a text file"):
        decode(_text(control, 11), "a.md")


def test_whitespace_controls_do_not_count() -> None:
    text, _ = decode(("\t\n\x0b\x0c\r" * 100 + "word").encode(), "a.md")
    assert text.endswith("word")
