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


def test_utf8_beyond_ascii_without_controls_is_read_and_with_them_refused() -> None:
    """The UTF-8 bytes of characters beyond ASCII (0x80 and up) are no control bytes;
    control characters among them are still counted."""
    text, enc = decode(("caf\u00e9 \u2014 \u4e2d\u6587 \U0001f600 " * 100).encode(), "a.md")
    assert enc == "utf-8" and text.startswith("caf\u00e9")
    with pytest.raises(ContentError, match="not a text file"):
        decode(("\u00e9\x1b" * 20 + "x" * 100).encode(), "a.md")


def test_controls_beyond_the_sample_are_not_counted() -> None:
    """Only the first 65,536 characters are counted, as before the bytes were looked at."""
    text, _ = decode(("x" * 65536 + "\x01" * 1000).encode(), "a.md")
    assert text.endswith("\x01")
