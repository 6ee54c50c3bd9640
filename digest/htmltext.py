"""Plain text out of article HTML: the paragraphs a summary may quote.

Summary sentences must appear verbatim on the page, so candidates are taken
from the *rendered* body: the text of ``<p>`` elements, whitespace collapsed,
leaving out headings, lists, code, tables, figures and captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SKIP = {
    "pre",
    "code",
    "table",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "dl",
    "script",
    "style",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "nav",
    "aside",
    "footer",
    "header",
}
_SKIP_OR_LI = (*_SKIP, "li")
_VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col", "embed"}


# Bounds on the shape of HTML we hand to parsers and sanitizers.  nh3 is quadratic in
# nesting depth (100,000 nested <div>: 23 s), libxml2 (under lxml and trafilatura) gives up
# below about 255 levels, and trafilatura is quadratic in the number of child elements of
# one element (20,000 links in a paragraph: 28 s).  Real pages stay far below both.
MAX_DEPTH = 200
MAX_CHILDREN = 1_000
# Saved pages only (bound_tags' max_elements): trafilatura's time grows with the square of
# the element count (20,000 <p>: 1.8 s; 50,000: 11 s; 100,000: 44 s), and a real news
# page has a few thousand.  Tags after the first MAX_ELEMENTS are left out, text kept.
MAX_ELEMENTS = 20_000

# One token: a comment, a <!...> or <?...> declaration, a script/style element with its raw
# text, or a tag.  No part scans past the next '<' or '>' (or runs to the end once), so a
# pass is linear whatever the input.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<[!?][^<>]*>?"
    r"|<(script|style)\b[^<>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][\w:.-]*)([^<>]*)>",
    re.S | re.I,
)
# Elements whose start tag closes an open one of the same name ("<p>a<p>b" are siblings).
_IMPLIED_END = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})
# Block elements are not counted as children: a long page has thousands of paragraphs in
# one element, and only inline children (links, spans) make trafilatura quadratic.
_BLOCKS = frozenset(
    "address article aside blockquote dd details div dl dt figure footer form h1 h2 h3 h4 h5 "
    "h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


@dataclass(frozen=True)
class Bounded:
    """HTML with the tags beyond the bounds left out (their text kept)."""

    html: str
    depth: int  # the deepest nesting found (before anything was left out)
    children: int  # the most child elements of one element (likewise)
    changed: bool
    elements: int = 0  # elements in all (counted when a max_elements was given)

    def notes(self, what: str) -> tuple[str, ...]:
        """Lines for the reader report saying what was left out, if anything."""
        out = []
        if self.depth > MAX_DEPTH:
            out.append(
                f"{what}: elements nested {self.depth:,} deep; tags deeper than "
                f"{MAX_DEPTH} were left out (their text kept)"
            )
        if self.elements > MAX_ELEMENTS:
            out.append(
                f"{what}: {self.elements:,} elements; tags after the first "
                f"{MAX_ELEMENTS:,} were left out (their text kept)"
            )
        if self.children > MAX_CHILDREN:
            out.append(
                f"{what}: {self.children:,} inline elements inside one element; tags after the "
                f"first {MAX_CHILDREN:,} were left out (their text kept)"
            )
        return tuple(out)


def bound_tags(
    html: str,
    max_depth: int = MAX_DEPTH,
    max_children: int = MAX_CHILDREN,
    max_elements: int | None = None,
) -> Bounded:
    """``html`` with every tag nested deeper than ``max_depth``, every element after the
    first ``max_children`` inline children of one element (with all inside it), and every
    tag after the first ``max_elements`` elements left out, their text kept.  HTML within
    the bounds is returned as it is.  Linear time."""
    depth, children, drop, total = _shape(html, max_depth, max_children, max_elements)
    if not drop:
        return Bounded(html, depth, children, False, total)
    parts = []
    last = 0
    for start, end in drop:
        parts.append(html[last:start])
        last = end
    parts.append(html[last:])
    return Bounded("".join(parts), depth, children, True, total)


def _shape(
    html: str, max_depth: int, max_children: int, max_elements: int | None = None
) -> tuple[int, int, list[tuple[int, int]], int]:
    """(deepest nesting, most children of one element, spans of the tags to leave out,
    elements in all).

    Past ``max_depth`` the containers are left out but paragraphs and list items are kept
    (a few levels more), so the deepest text still reads as a paragraph.  Past
    ``max_children`` an element is left out with everything inside it."""
    stack: list[_Open] = []
    counts: list[int] = [0]  # child elements so far: of the document, then of each open one
    open_names: dict[str, int] = {}  # name -> how many are open (O(1) "is it open?")
    kept = 0  # open elements whose tags are kept: the depth of the result
    deepest = most = total = 0
    drop: list[tuple[int, int]] = []

    def close() -> _Open:
        nonlocal kept
        top = stack.pop()
        open_names[top.name] -= 1
        counts.pop()
        kept -= not top.dropped
        return top

    for m in _TOKEN.finditer(html):
        name = m.group(3)
        if name is None:
            continue
        name = name.lower()
        if m.group(2):  # an end tag: close up to the element it names, if it is open
            if open_names.get(name):
                while (top := close()).name != name:
                    pass
                if top.dropped:
                    drop.append(m.span())
            continue
        if name in _IMPLIED_END and stack and stack[-1].name == name:
            close()
        if name not in _BLOCKS:
            counts[-1] += 1
            most = max(most, counts[-1])
        total += 1
        crowded = (
            (stack[-1].crowded if stack else False)
            or counts[-1] > max_children
            or (max_elements is not None and total > max_elements)
        )
        if name in _VOID_TAGS or m.group(4).rstrip().endswith("/"):
            if crowded:
                drop.append(m.span())
            continue
        too_deep = kept >= max_depth and not (name in _IMPLIED_END and kept < max_depth + 8)
        item = _Open(name, crowded or too_deep, crowded)
        stack.append(item)
        counts.append(0)
        open_names[name] = open_names.get(name, 0) + 1
        kept += not item.dropped
        deepest = max(deepest, len(stack))
        if item.dropped:
            drop.append(m.span())
    return deepest, most, drop, total


@dataclass
class _Open:
    name: str
    dropped: bool  # its tags are left out
    crowded: bool  # and so are all tags inside it


def collapse(text: str) -> str:
    """Whitespace runs as one space, none at the ends (str.split's whitespace is re's \\s)."""
    return " ".join(text.split())


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.open: dict[str, int] = {}  # tag -> how many are open in the stack
        self.paragraphs: list[str] = []
        self.all_text: list[str] = []
        self._current: list[str] | None = None
        self._current_plain = True  # whole paragraph in one <em>: a caption
        self._emph_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID:
            if tag == "br" and self._current is not None:
                self._current.append(" ")
            return
        outside = not any(self.open.get(t) for t in _SKIP_OR_LI) if tag == "p" else False
        self.stack.append(tag)
        self.open[tag] = self.open.get(tag, 0) + 1
        if tag == "p" and outside:
            self._current = []
            self._current_plain = True
        elif (
            tag in ("em", "i") and self._current is not None and not "".join(self._current).strip()
        ):
            self._emph_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.open.get(tag):
            return
        while self.stack:
            top = self.stack.pop()
            self.open[top] -= 1
            if top == "p" and self._current is not None:
                text = collapse("".join(self._current))
                if text and not (self._emph_depth and self._current_plain):
                    self.paragraphs.append(text)
                self._current = None
                self._emph_depth = 0
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        self.all_text.append(data)
        if self._current is not None:
            if (
                self._emph_depth
                and self.stack
                and self.stack[-1] not in ("em", "i")
                and data.strip()
            ):
                self._current_plain = False
            self._current.append(data)


def paragraphs_and_text(html: str) -> tuple[tuple[str, ...], str]:
    """(candidate paragraphs, all visible text) of an HTML fragment."""
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    return tuple(parser.paragraphs), collapse(" ".join(parser.all_text))
