"""YAML front matter: split it off a source and parse it with line numbers."""

from __future__ import annotations

import re
from typing import Any

import yaml

from digest.errors import ContentError
from digest.load.formats import split_other_front_matter
from digest.yamltext import (
    MAX_NODES,
    TooDeep,
    load_with_node,
    too_many_nodes,
    yaml_error_message,
)

# Re-exported: callers that read YAML errors the front-matter way import them from here.
__all__ = [
    "MAX_NODES",
    "parse_yaml_mapping",
    "split_front_matter",
    "yaml_error_message",
]

_FENCE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Return (meta, key lines, body, first body line) for a source text.

    A file without a leading ``---`` line has no YAML front matter: TOML (``+++``)
    and JSON (``{``) are read by :mod:`digest.load.formats`; otherwise meta is empty.
    Raises ContentError for malformed front matter, naming file and line.
    """
    m = _FENCE.match(text)
    if not m:
        return split_other_front_matter(text, path)
    end = _END.search(text, m.end())
    if not end:
        raise ContentError("front matter: opening '---' has no closing '---' line", path, 1)
    raw = text[m.end() : end.start()]
    body_start = end.end() + 1 if end.end() < len(text) else end.end()
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    meta, lines = parse_yaml_mapping(raw, path, first_line=2, what="front matter")
    return meta, lines, body, body_line


# Metadata is a few hundred characters; parsing megabytes of YAML takes seconds before its
# size can be judged by its values (5 MB of "- " list items: 6.5 s).
MAX_FRONT_MATTER = 256 * 1024


def parse_yaml_mapping(
    raw: str, path: str, *, first_line: int = 1, what: str = "front matter"
) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML text that must be a mapping; dates stay strings.

    Returns (mapping, key -> line).  Raises ContentError naming ``what``, the file
    and the line for tab indentation, bad YAML, a non-mapping, an alias bomb or a
    key given twice.
    """
    if len(raw) > MAX_FRONT_MATTER:
        raise ContentError(
            f"{what}: too large ({len(raw):,} characters; the limit is {MAX_FRONT_MATTER:,})",
            path,
            first_line,
            hint="front matter holds metadata; put long text in the body",
        )
    _refuse_tab_indent(raw, path, first_line, what)
    node, data = _load(raw, path, first_line, what)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"{type(data).__name__} {data!r}"[:60]
        raise ContentError(
            f"{what}: expected a mapping of 'key: value' lines, got {kind}", path, first_line
        )
    if too_many_nodes(node):
        raise ContentError(
            f"{what}: too large (more than {MAX_NODES} values, counting aliases)",
            path,
            first_line,
        )
    return {str(k): v for k, v in data.items()}, _key_lines(node, path, first_line, what)


def _refuse_tab_indent(raw: str, path: str, first_line: int, what: str) -> None:
    """YAML forbids tabs for indentation; say so plainly rather than as a scanner error."""
    if "\t" in raw and re.search(r"^\t", raw, re.M):
        line = next(i for i, ln in enumerate(raw.splitlines()) if ln.startswith("\t"))
        raise ContentError(
            f"{what}: tab used for indentation (YAML needs spaces)", path, first_line + line
        )


def _load(raw: str, path: str, first_line: int, what: str) -> tuple[yaml.Node | None, Any]:
    """(node, data) of the YAML text; a syntax error becomes a ContentError at its line."""
    try:
        return load_with_node(raw)
    except yaml.YAMLError as exc:
        message, line = yaml_error_message(exc, len(raw.rstrip()))
        kind = "YAML" if isinstance(exc, TooDeep) else "YAML syntax error"
        raise ContentError(
            f"{what}: {kind}: {message}",
            path,
            first_line + line if line is not None else first_line,
        ) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # e.g. absurd numbers
        raise ContentError(f"{what}: cannot be read ({exc})", path, first_line) from None


def _key_lines(node: yaml.Node | None, path: str, first_line: int, what: str) -> dict[str, int]:
    """Top-level key -> line in the file; a key given twice is an error."""
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
    return lines
