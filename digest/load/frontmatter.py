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
        message, line = yaml_error_message(exc, len(raw.rstrip()))
        raise ContentError(
            f"{what}: YAML syntax error: {message}",
            path,
            first_line + line if line is not None else first_line,
        ) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # e.g. absurd numbers
        raise ContentError(f"{what}: cannot be read ({exc})", path, first_line) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"{type(data).__name__} {data!r}"[:60]
        raise ContentError(
            f"{what}: expected a mapping of 'key: value' lines, got {kind}", path, first_line
        )
    if _too_many_nodes(node):
        raise ContentError(
            f"{what}: too large (more than {MAX_NODES} values, counting aliases)",
            path,
            first_line,
        )
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            key = str(k.value)
            line = first_line + k.start_mark.line
            if key in lines:
                raise ContentError(
                    f"{what}: '{key}' is given twice (first on line {lines[key]})", path, line
                )
            lines[key] = line
    return {str(k): v for k, v in data.items()}, lines


MAX_NODES = 10_000


def _too_many_nodes(node: yaml.Node | None) -> bool:
    """More than MAX_NODES values when aliases are expanded (a 'billion laughs' bomb)."""
    budget = MAX_NODES
    stack = [node]
    while stack:
        n = stack.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
    return False


def yaml_error_message(exc: yaml.YAMLError, text_len: int | None = None) -> tuple[str, int | None]:
    """(message, 0-based line) for a YAML error.

    An error found at the end of the text (an unclosed quote or bracket) is reported
    where the unclosed thing starts, which is where the mistake is.
    """
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "invalid YAML"
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if mark is None:
        return str(problem), None
    at_end = "end of stream" in problem or (
        text_len is not None and getattr(mark, "index", 0) >= text_len
    )
    if context and context_mark is not None and at_end:
        return (
            f"{problem} {context} that starts at column {context_mark.column + 1} "
            "and is never closed",
            context_mark.line,
        )
    return f"{problem} (column {mark.column + 1})", mark.line
