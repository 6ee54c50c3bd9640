"""Paths as shown to users in messages."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: Path | str, root: Path | str | None = None) -> str:
    """``path`` relative to ``root`` (default: the working directory) when it is below it,
    else as given."""
    try:
        rel = os.path.relpath(path, root) if root is not None else os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel
