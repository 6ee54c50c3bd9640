"""Turn a file's bytes into text: BOMs, UTF-8, UTF-16 and legacy encodings."""

from __future__ import annotations

import codecs

from digest.errors import ContentError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding name); raise ContentError for non-text data."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), enc
            except UnicodeDecodeError:
                raise ContentError(
                    f"not valid {enc} text despite its byte-order mark", path
                ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if "\x00" in text:
            utf16 = _try_utf16(data)
            if utf16 is not None:
                return utf16
            raise ContentError("not a text file (it contains NUL bytes)", path)
        _reject_binary(text, path)
        return text, "utf-8"
    utf16 = _try_utf16(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise ContentError("not a text file (it contains NUL bytes)", path)
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else None
    if enc is None:
        raise ContentError("not a text file (no text encoding fits its bytes)", path)
    # Single-byte Western text is by far the most common legacy case; cp1252 is a
    # superset of Latin-1's printable range and what "Latin-1" files usually are.
    if enc in ("latin_1", "iso8859_15", "cp1250", "cp1252", "iso8859_2", "mac_roman"):
        enc = "cp1252" if _decodes(data, "cp1252") else "latin_1"
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        raise ContentError(f"cannot decode the file as {enc}", path) from None
    _reject_binary(text, path)
    return text, enc


def _decodes(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc)
    except UnicodeDecodeError:
        return False
    return True


def _try_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM: many NULs on one side of each code unit."""
    if len(data) < 4 or len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) // 2
    for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros > half * 0.3:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, enc
    return None


def _reject_binary(text: str, path: str) -> None:
    sample = text[:65536]
    if not sample:
        return
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    if bad > max(8, len(sample) // 100):
        raise ContentError("not a text file (it is mostly control characters)", path)
