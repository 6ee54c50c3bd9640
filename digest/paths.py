"""Paths as shown to users in messages."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path


def shown(path: Path | str, root: Path | str | None = None) -> str:
    """``path`` relative to ``root`` (default: the working directory) when it is below it,
    else as given."""
    try:
        rel = os.path.relpath(path, root) if root is not None else os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def told_apart(a: str, b: str) -> tuple[str, str]:
    """Two names as shown in one message: when they look alike (the same letters in
    another Unicode form, e.g. "é" as U+00E9 or as "e" + U+0301), each is followed by
    the code points of its non-ASCII characters, so a reader can tell them apart."""
    if a == b or unicodedata.normalize("NFC", a) != unicodedata.normalize("NFC", b):
        return a, b
    return _with_code_points(a), _with_code_points(b)


def _with_code_points(name: str) -> str:
    points = " ".join(f"U+{ord(c):04X}" for c in name if ord(c) > 127)
    return f"{name} ({points})" if points else name
