"""YAML front matter: split it off a source and parse it with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from digest.errors import ContentError
from digest.load.formats import JSON_START, TOML_FENCE, split_other_front_matter
from digest.yamltext import (
    MAX_NODES,
    TextDatesLoader,
    TooDeep,
    load_with_node,
    too_many_nodes,
    yaml_error_message,
)

# Re-exported: callers that read YAML errors the front-matter way import them from here.
__all__ = [
    "MAX_NODES",
    "FrontMatter",
    "read_front_matter",
    "parse_yaml_mapping",
    "split_front_matter",
    "yaml_error_message",
]

_FENCE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


@dataclass(frozen=True)
class FrontMatter:
    """A source split into its front matter and body."""

    meta: dict[str, Any]
    lines: dict[str, int]  # key -> line in the file
    body: str
    body_line: int  # the body's first line in the file
    format: str  # "yaml", "toml", "json"; "" when the file has no front matter
    notes: tuple[tuple[int, str], ...] = ()  # (line, warning) from reading it


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Return (meta, key lines, body, first body line) for a source text: see
    :func:`read_front_matter`."""
    fm = read_front_matter(text, path)
    return fm.meta, fm.lines, fm.body, fm.body_line


def read_front_matter(text: str, path: str) -> FrontMatter:
    """The front matter and body of a source text.

    A file without a leading ``---`` line has no YAML front matter: TOML (``+++``)
    and JSON (``{``) are read by :mod:`digest.load.formats`; otherwise meta is empty.
    Raises ContentError for malformed front matter, naming file and line.
    """
    m = _FENCE.match(text)
    if not m:
        meta, lines, body, body_line = split_other_front_matter(text, path)
        # the same patterns split_other_front_matter chose by
        kind = "toml" if TOML_FENCE.match(text) else "json" if JSON_START.match(text) else ""
        return FrontMatter(meta, lines, body, body_line, kind)
    end = _END.search(text, m.end())
    if not end:
        raise ContentError("front matter: opening '---' has no closing '---' line", path, 1)
    raw = text[m.end() : end.start()]
    body_start = end.end() + 1 if end.end() < len(text) else end.end()
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    try:
        meta, lines = parse_yaml_mapping(raw, path, first_line=2, what="front matter")
        notes: tuple[tuple[int, str], ...] = ()
    except ContentError as first:
        repaired, notes = _repair_list_items(raw, first_line=2)
        if not notes:
            raise
        try:
            meta, lines = parse_yaml_mapping(repaired, path, first_line=2, what="front matter")
        except ContentError:
            raise first from None  # the mistake as written, not as repaired
    return FrontMatter(meta, lines, body, body_line, "yaml", notes)


# "- hugo" then "-jekyll": a list item with no space after its dash, which YAML reads
# as a new key that never gets its ':' (Hugo's basic example site has one).
_TIGHT_ITEM = re.compile(r"^([ ]*)-(?=[^\s\-])(.*)$")
_ITEM = re.compile(r"^([ ]*)- ")


def _repair_list_items(raw: str, first_line: int) -> tuple[str, tuple[tuple[int, str], ...]]:
    """YAML that failed to parse, with each '-item' line that follows a '- item' line at the
    same indent read as '- item', and a note for each; no notes when there was none."""
    rows = raw.split("\n")
    notes: list[tuple[int, str]] = []
    previous = ""
    for i, row in enumerate(rows):
        m = _TIGHT_ITEM.match(row)
        before = _ITEM.match(previous)
        if m and before and before.group(1) == m.group(1):
            rows[i] = f"{m.group(1)}- {m.group(2)}"
            item = m.group(2).strip()[:40]
            notes.append(
                (
                    first_line + i,
                    f"front matter: list item {row.strip()[:40]!r} has no space after '-'; "
                    f"read as the item {item!r} (write '- {item}')",
                )
            )
        if row.strip():
            previous = rows[i]
    return "\n".join(rows), tuple(notes)


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
    simple = _simple_mapping(raw, first_line)
    if simple is not None:
        return simple
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


# Most front matter is a few "key: value" lines, each value a double-quoted string without
# escapes (a title) or one plain word (a date, a slug): such lines are read here, to what
# YAML reads from them (a test compares the two on generated front matter), without
# building YAML's nodes (a sixth of an article's reading).  Anything else goes to YAML.
_SIMPLE_LINE = re.compile(
    r'([A-Za-z_][A-Za-z0-9_]*): (?:"([^"\\]*)"|([A-Za-z0-9](?:[A-Za-z0-9_.+/-]|:(?=[0-9]))*))'
)
_STR = "tag:yaml.org,2002:str"


def _simple_mapping(raw: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]] | None:
    """(mapping, key -> line) of YAML made only of simple lines (see above), whose keys and
    plain values YAML takes for strings (not ``yes``, ``null``, ``12``, ``12:30``), each key
    once; None for any other YAML (read by YAML, which also words its mistakes)."""
    rows = raw.split("\n")
    if rows[-1] == "":
        rows.pop()
    if not rows:
        return None
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for i, row in enumerate(rows):
        m = _SIMPLE_LINE.fullmatch(row)
        if m is None:
            return None
        key, quoted, plain = m.groups()
        if key in meta or _resolve(key) != _STR:
            return None
        if quoted is None:
            if _resolve(plain) != _STR:
                return None
            meta[key] = plain
        elif quoted.isprintable():  # (no control character, no blank but a space)
            meta[key] = quoted
        else:
            return None
        lines[key] = first_line + i
    return meta, lines


def _resolve(plain: str) -> str:
    """The tag YAML (digest.yamltext.TextDatesLoader) gives a plain scalar."""
    return TextDatesLoader.resolve(TextDatesLoader, yaml.ScalarNode, plain, (True, False))


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
