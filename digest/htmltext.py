"""Plain text out of article HTML: the paragraphs a summary may quote.

Summary sentences must appear verbatim on the page, so candidates are taken
from the *rendered* body: the text of ``<p>`` elements, whitespace collapsed,
leaving out headings, lists, code, tables, figures and captions.
"""

from __future__ import annotations

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
_VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col", "embed"}


def collapse(text: str) -> str:
    """Whitespace runs as one space, none at the ends (str.split's whitespace is re's \\s)."""
    return " ".join(text.split())


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
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
        self.stack.append(tag)
        if tag == "p" and not any(t in _SKIP or t == "li" for t in self.stack[:-1]):
            self._current = []
            self._current_plain = True
        elif (
            tag in ("em", "i") and self._current is not None and not "".join(self._current).strip()
        ):
            self._emph_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
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
