"""Reading YAML for digest: safe loading, error text with line numbers, key lines.

Both site.yaml (:mod:`digest.config`) and the YAML that sources carry (front
matter, ``_source.yaml``, read by :mod:`digest.load`) go through here, so the
two stages word YAML mistakes alike and neither has to import the other.
"""

from __future__ import annotations

from typing import Any

import yaml

from digest.errors import ConfigError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class TextDatesLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps dates as text, so we parse and report them ourselves."""


TextDatesLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# More values than this (aliases expanded) is refused: a 'billion laughs' bomb.
MAX_NODES = 10_000
# Lists and mappings nested deeper than this are refused: PyYAML builds nested values by
# recursion, and 500 levels exhaust Python's stack (a RecursionError, not a message).
MAX_DEPTH = 100


class TooDeep(yaml.YAMLError):
    """YAML nested deeper than MAX_DEPTH; worded and placed like PyYAML's own errors."""

    def __init__(self, mark: Any) -> None:  # a yaml.Mark (libyaml's or PyYAML's)
        self.problem = f"nested more than {MAX_DEPTH} levels deep (flatten it)"
        self.problem_mark = mark
        self.context = None
        self.context_mark = None
        super().__init__(self.problem)


def check_depth(raw: str) -> None:
    """Raise TooDeep when lists and mappings nest deeper than MAX_DEPTH.

    Reads parser events (no recursion, and libyaml's C parser when available), so it is
    safe whatever the depth; a syntax error is left for the real load to report."""
    if raw.count("[") + raw.count("{") + raw.count(":") + raw.count("-") <= MAX_DEPTH:
        return  # cannot nest that deep: the usual case costs nothing
    depth = 0
    loader = _Base(raw)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooDeep(event.start_mark)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except TooDeep:
        raise
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def safe_load(raw: str) -> Any:
    """yaml.safe_load, refusing nesting deeper than MAX_DEPTH (raises yaml.YAMLError)."""
    check_depth(raw)
    try:
        return yaml.safe_load(raw)
    except RecursionError:  # nesting the event check could not see (its parser gave up)
        raise TooDeep(yaml.Mark("<yaml>", 0, 0, 0, "", 0)) from None


def load_with_node(raw: str) -> tuple[yaml.Node | None, Any]:
    """(node, data) of one YAML document, dates kept as text; raises yaml.YAMLError.

    The node is kept so callers can find each key's line and count the values.
    """
    check_depth(raw)
    loader = TextDatesLoader(raw)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except RecursionError:  # nesting the event check could not see (its parser gave up)
        raise TooDeep(yaml.Mark("<yaml>", 0, 0, 0, "", 0)) from None
    finally:
        loader.dispose()
    return node, data


def too_many_nodes(node: yaml.Node | None) -> bool:
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


def yaml_error_problem(err: yaml.YAMLError, path: str, line_offset: int = 0) -> ConfigError:
    """A YAML syntax error as a DigestError with line and column."""
    message, line = yaml_error_message(err)
    what = "YAML" if isinstance(err, TooDeep) else "YAML syntax error"
    if line is not None:
        return ConfigError(f"{what}: {message}", path, line + 1 + line_offset)
    return ConfigError(f"{what}: {message}", path)


def line_map(
    text: str, duplicates: list[tuple[str, int, int]] | None = None
) -> dict[tuple[str, ...], int]:
    """Key path -> 1-based line of the key in the YAML text.

    Keys given twice in one mapping (YAML keeps the last silently) are appended to
    ``duplicates`` as (dotted key, line, first line).  Text that is not YAML maps
    nothing (its syntax error is reported by whoever loads it).
    """
    lines: dict[tuple[str, ...], int] = {}
    try:
        check_depth(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(n: yaml.Node, prefix: tuple[str, ...]) -> None:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    path = (*prefix, str(k.value))
                    if path in lines and duplicates is not None:
                        duplicates.append((".".join(path), k.start_mark.line + 1, lines[path]))
                    lines[path] = k.start_mark.line + 1
                    walk(v, path)

    if node is not None:
        walk(node, ())
    return lines
