"""Front matter in other formats than YAML: TOML between ``+++`` lines and a leading
JSON object (Hugo's and Zola's), with ``file:line`` errors worded as YAML's are.

:func:`split_other_front_matter` is what :func:`digest.load.frontmatter.split_front_matter`
calls for a text that does not start with ``---``; it also recognises front matter in
formats digest does not read (Org-mode ``#+TITLE:``, Pelican/MultiMarkdown ``Title:``
lines, a Pandoc ``%`` title block) and says so, rather than letting every key look
missing.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from digest.errors import ContentError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

Split = tuple[dict[str, Any], dict[str, int], str, int]

TOML_FENCE = re.compile(r"\A(?:\ufeff)?\+\+\+[ \t]*\n")
_TOML_END = re.compile(r"^\+\+\+[ \t]*$", re.M)
JSON_START = re.compile(r"\A(?:\ufeff)?[ \t]*\{\s*[\"}]")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_KEY = re.compile(r"""^[ \t]*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)[ \t]*[.=]""")
_TOML_TABLE = re.compile(r"""^[ \t]*\[\[?[ \t]*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)""")

# (pattern on the first lines, the format's name, what to write instead)
_UNREAD = (
    (re.compile(r"\A(?:\ufeff)?#\+[A-Za-z_]+:", re.I), "Org-mode '#+KEY:' lines"),
    (
        re.compile(r"\A(?:\ufeff)?title:[^\n]*\n(?:[A-Za-z_-]+:[^\n]*\n)*(?:date|tags?):", re.I),
        "Pelican/MultiMarkdown 'Key: value' lines",
    ),
    (re.compile(r"\A(?:\ufeff)?%[ \t]+\S[^\n]*\n%"), "a Pandoc '%' title block"),
    (re.compile(r"\A(?:\ufeff)?(?:;;;|\.\.\.)[ \t]*\n"), "an unknown fence"),
)
FORMATS_HINT = "write it as YAML between '---' lines, TOML between '+++' lines, or a JSON object"


def split_other_front_matter(text: str, path: str) -> Split:
    """(meta, key lines, body, first body line) for a text whose front matter, if any,
    is not YAML.  No front matter: meta is empty.  Raises ContentError naming file and
    line for malformed TOML or JSON, and for front matter in a format not read."""
    if TOML_FENCE.match(text):
        return _split_toml(text, path)
    if JSON_START.match(text):
        return _split_json(text, path)
    for pattern, name in _UNREAD:
        if pattern.match(text):
            raise ContentError(
                f"front matter: this looks like {name}, a format digest does not read",
                path,
                1,
                hint=FORMATS_HINT,
            )
    return {}, {}, text, 1


def _body(text: str, end: int) -> tuple[str, int]:
    """The body after offset ``end`` (the rest of the closing line skipped) and its line."""
    nl = text.find("\n", end)
    start = len(text) if nl < 0 else nl + 1
    return text[start:], text.count("\n", 0, start) + 1


# ---------------------------------------------------------------- TOML


def _split_toml(text: str, path: str) -> Split:
    opening = TOML_FENCE.match(text)
    assert opening is not None
    end = _TOML_END.search(text, opening.end())
    if not end:
        raise ContentError("front matter: opening '+++' has no closing '+++' line", path, 1)
    raw = text[opening.end() : end.start()]
    meta, lines = parse_toml_mapping(raw, path, first_line=2)
    body, body_line = _body(text, end.end())
    return meta, lines, body, body_line


def parse_toml_mapping(
    raw: str, path: str, *, first_line: int = 1, what: str = "front matter"
) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse TOML text: (mapping, top-level key -> line).  Raises ContentError with the
    file and line of a syntax error (a key given twice is one, in TOML)."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_AT.search(message)
        line = first_line
        if at:
            message = message[: at.start()] + f" (column {at.group(2)})"
            line = first_line + int(at.group(1)) - 1
            twice = _given_twice(raw, int(at.group(1)) - 1, first_line, message)
            if twice:
                raise ContentError(f"{what}: {twice}", path, line) from None
        raise ContentError(f"{what}: TOML syntax error: {message}", path, line) from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise ContentError(f"{what}: cannot be read ({exc})", path, first_line) from None
    return data, _toml_key_lines(raw, first_line)


def _given_twice(raw: str, index: int, first_line: int, message: str) -> str | None:
    """ "'key' is given twice (first on line N)" for TOML's "Cannot overwrite a value"
    on a top-level key; None otherwise."""
    if not message.startswith("Cannot overwrite"):
        return None
    rows = raw.split("\n")
    key = _TOML_KEY.match(rows[index]) if index < len(rows) else None
    if key is None:
        return None
    name = _unquote(key.group(1))
    first = _toml_key_lines("\n".join(rows[:index]), first_line).get(name)
    return f"'{name}' is given twice" + (f" (first on line {first})" if first else "")


def _toml_key_lines(raw: str, first_line: int) -> dict[str, int]:
    """Where each top-level key is: 'key = ...' lines before the first table, and the
    '[table]' headers."""
    lines: dict[str, int] = {}
    in_table = False
    for i, ln in enumerate(raw.split("\n")):
        table = _TOML_TABLE.match(ln)
        if table:
            in_table = True
            lines.setdefault(_unquote(table.group(1)), first_line + i)
            continue
        key = None if in_table else _TOML_KEY.match(ln)
        if key:
            lines.setdefault(_unquote(key.group(1)), first_line + i)
    return lines


def _unquote(key: str) -> str:
    if key[:1] == '"':
        try:
            return str(json.loads(key))
        except ValueError:
            return key[1:-1]
    return key[1:-1] if key[:1] == "'" else key


# ---------------------------------------------------------------- JSON


class _Twice(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Twice(k)
        out[k] = v
    return out


def _split_json(text: str, path: str) -> Split:
    start = text.index("{")
    decoder = json.JSONDecoder(object_pairs_hook=_pairs)
    try:
        data, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise ContentError(
            f"front matter: JSON syntax error: {exc.msg} (column {exc.colno})", path, exc.lineno
        ) from None
    except _Twice as exc:
        raise ContentError(
            f"front matter: '{exc.key}' is given twice", path, _json_key_line(text, exc.key, True)
        ) from None
    except RecursionError:
        raise ContentError("front matter: JSON nested too deeply", path, 1) from None
    lines = {k: _json_key_line(text[:end], k) for k in data}
    body, body_line = _body(text, end)
    return data, {k: v for k, v in lines.items() if v is not None}, body, body_line


def _json_key_line(text: str, key: str, last: bool = False) -> int | None:
    """The line of '"key":' in the JSON text (its last occurrence when ``last``)."""
    found = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text))
    if not found:
        return None
    m = found[-1] if last else found[0]
    return text.count("\n", 0, m.start()) + 1
