"""YAML front matter: split it off a source and parse it with line numbers."""

from __future__ import annotations

import re
from typing import Any

import yaml

from digest.errors import ContentError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps dates as text, so we parse and report them ourselves."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FENCE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Return (meta, key lines, body, first body line) for a source text.

    A file without a leading ``---`` line has no front matter: meta is empty.
    Raises ContentError for malformed front matter, naming file and line.
    """
    m = _FENCE.match(text)
    if not m:
        return {}, {}, text, 1
    end = _END.search(text, m.end())
    if not end:
        raise ContentError("front matter: opening '---' has no closing '---' line", path, 1)
    raw = text[m.end() : end.start()]
    body_start = end.end() + 1 if end.end() < len(text) else end.end()
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    meta, lines = parse_yaml_mapping(raw, path, first_line=2, what="front matter")
    return meta, lines, body, body_line


def parse_yaml_mapping(
    raw: str, path: str, *, first_line: int = 1, what: str = "front matter"
) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML text that must be a mapping; dates stay strings."""
    if "\t" in raw and re.search(r"^\t", raw, re.M):
        line = next(i for i, ln in enumerate(raw.splitlines()) if ln.startswith("\t"))
        raise ContentError(
            f"{what}: tab used for indentation (YAML needs spaces)", path, first_line + line
        )
    try:
        loader = _Loader(raw)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        if mark is not None:
            raise ContentError(
                f"{what}: YAML syntax error: {problem} (column {mark.column + 1})",
                path,
                first_line + mark.line,
            ) from None
        raise ContentError(f"{what}: YAML syntax error: {problem}", path, first_line) from None
    except (ValueError, RecursionError) as exc:  # e.g. absurd numbers
        raise ContentError(f"{what}: cannot be read ({exc})", path, first_line) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"{type(data).__name__} {data!r}"[:60]
        raise ContentError(
            f"{what}: expected a mapping of 'key: value' lines, got {kind}", path, first_line
        )
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            lines[str(k.value)] = first_line + k.start_mark.line
    return {str(k): v for k, v in data.items()}, lines
