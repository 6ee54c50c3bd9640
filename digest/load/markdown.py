"""The Markdown reader: front matter + Markdown body.

Python-Markdown recurses once per level of nested lists (a 1,000-item ``1. 1. 1. ...``
line or 250 nested lists exhaust Python's stack) and does work quadratic in some inputs:
each ``[`` scans ahead for its ``]`` (16 KB of ``[``: 36 s) and every abbreviation
definition is tried at every word.  Its inline pass rebuilds a paragraph's text at every
piece of markup it finds (and some patterns scan to the paragraph's end from every ``*``,
`` ` `` or ``<``), so its cost grows with markup x paragraph length: 64 KB of ``<a`` in one
paragraph takes 7 s.  :func:`check_markdown` measures those shapes first, in linear time,
and refuses a body past the bounds below with the line to fix; with the Markdown size
limit (``MAX_MARKDOWN_BYTES`` in :mod:`digest.load`) no Markdown file keeps the build (or
``digest serve``) busy for more than a few seconds.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

import nh3

from digest.errors import ContentError
from digest.htmltext import MAX_DEPTH, bound_tags, collapse, paragraphs_and_text
from digest.load.frontmatter import read_front_matter
from digest.model import Parsed

if TYPE_CHECKING:  # Python-Markdown is imported when a body needs it (see _converter)
    import markdown as md

# Bounds on what Python-Markdown is given (far beyond any real article).
MAX_NESTING = 50  # levels of lists and block quotes on one line
BRACKET_BUDGET = 2_000_000  # characters scanned from '[' to a far ']' (about 0.5 s of work)
_FAR = 200  # a ']' this close to its '[' costs nothing worth counting
MAX_ABBREVIATIONS = 100  # '*[ABBR]: ...' definitions
MAX_ABBREVIATION_USES = 20_000  # places where a defined abbreviation appears
# Sum over the paragraphs of (markup characters x length), '<' counted twice (it costs
# most): about 1.5 s of inline work at worst; a 1 MB novel of ordinary paragraphs uses ~1/30.
INLINE_BUDGET = 800_000_000
_MARKUP_WEIGHTS = (
    ("<", 2),
    ("[", 1),
    ("*", 1),
    ("`", 1),
    ("_", 1),
    ("!", 1),
    ("&", 1),
    ("\\", 1),
    ("\n", 1),
)
# Paragraphs, list items (weighted by depth) and table cells: each costs Markdown about
# 0.1 ms (deep items more), so 20,000 is 2 s.  A 1 MB novel has ~5,000 paragraphs.
MAX_PIECES = 20_000

EXTENSIONS = ["extra", "sane_lists"]
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)

# Tags and attributes allowed in sanitized article HTML.
ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "picture", "source"}
ALLOWED_ATTRIBUTES = {
    **{k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "source": {"srcset", "type", "media"},
    "code": {"class"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "abbr": {"title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def read_markdown(text: str, path: str) -> Parsed:
    fm = read_front_matter(text, path)
    meta, lines, body, body_line = fm.meta, fm.lines, fm.body, fm.body_line
    check_markdown(body, path, body_line)
    report: list[str] = []
    if "title" not in meta:
        m = _HEADING.search(body)
        if m:
            meta["title"] = m.group(1).strip()
            lines["title"] = body_line + body.count("\n", 0, m.start())
            body = body[: m.start()] + body[m.end() :]
            report.append(f"line {lines['title']}: title taken from the first heading")
    return Parsed(
        path=path,
        meta=meta,
        meta_lines=lines,
        body_format="markdown",
        body=body,
        body_line=body_line,
        report=tuple(report),
        front_matter=fm.format,
        notes=fm.notes,
    )


# ---------------------------------------------------------------- bounds


def _holds(text: str, part: str) -> bool:
    """``part in text``, its first character looked for first: a search for one character
    runs at memchr's speed, some thirty times a longer one's on news text, and most bodies
    hold no '`', '~' or '*' at all."""
    return part[0] in text and part in text


def check_markdown(body: str, path: str, body_line: int = 1) -> None:
    """Refuse (ContentError naming the line) a Markdown body that would exhaust the stack or
    take long to render: see the module docstring.  Linear time."""
    for problem in (
        _too_deep,
        _far_brackets,
        _too_many_abbreviations,
        _html_too_deep,
        _too_many_fences,  # before _inline_too_costly, which pairs the fences
        _inline_too_costly,
    ):
        found = problem(body)
        if found is not None:
            offset, message = found
            raise ContentError(message, path, body_line + body.count("\n", 0, offset))


# Python-Markdown's fenced-code pass searches the rest of the text for each fence's
# closing line: a few hundred fences are nothing, tens of thousands of unclosed ones
# take minutes (1 MB of "```x" lines: over 120 s).  An article has a handful.
MAX_FENCES = 100  # (50 code blocks; 99 unclosed ones before 1 MB of prose: ~2 s)
_FENCE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,})", re.MULTILINE)


def _too_many_fences(body: str) -> tuple[int, str] | None:
    """More than MAX_FENCES lines opening or closing a fenced code block."""
    if not _holds(body, "```") and not _holds(body, "~~~"):  # no fence (most bodies): no scan
        return None
    for n, m in enumerate(_FENCE.finditer(body), 1):
        if n > MAX_FENCES:
            return m.start(), (
                f"more than {MAX_FENCES:,} code-fence lines (``` or ~~~): Markdown would "
                "take minutes to pair them; close each code block, or indent code instead"
            )
    return None


# Container markers opening a line: block quotes and list items, any number in a row.
_MARKERS = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")


def _too_deep(body: str) -> tuple[int, str] | None:
    """A line nested deeper than MAX_NESTING lists or quotes (by indent and markers)."""
    start = 0
    for line in body.split("\n"):
        at = 0
        markers = 0
        while (m := _MARKERS.match(line, at)) is not None:
            markers += 1
            at = m.end()
            if markers > MAX_NESTING:
                break
        if markers:
            indent = len(line) - len(line.lstrip(" \t"))
            width = len(line[:indent].expandtabs(4))
            levels = width // 4 + markers
            if levels > MAX_NESTING:
                return start, (
                    f"Markdown nesting too deep (more than {MAX_NESTING} levels of lists or "
                    "quotes): flatten the list, or escape a marker that is not one "
                    "(write '1\\.' for '1.')"
                )
        start += len(line) + 1
    return None


# an escaped character, a bracket, or a blank line; written as one class of their first
# characters (told apart by a look-behind) so that the search skips to them at C speed
_BRACKETS = re.compile(r"[\\\[\]\n](?:(?<=\\).|(?<=[\[\]])|(?<=\n)[ \t]*\n)", re.S)


def _far_brackets(body: str) -> tuple[int, str] | None:
    """A paragraph whose '[' are far from (or without) their ']': Python-Markdown scans
    from each '[' to its ']' or the paragraph's end, which is quadratic."""
    if "[" not in body:  # (the cost is counted from each '[')
        return None
    cost = 0
    opened: list[int] = []
    para = 0
    for m in _BRACKETS.finditer(body):
        c = m.group()
        if c == "[":
            opened.append(m.start())
            # everything still open has scanned at least this far
            if len(opened) % 256 == 0 and cost + _pending(opened, m.start()) > BRACKET_BUDGET:
                return para, _BRACKET_MESSAGE
        elif c == "]":
            if opened:
                cost += max(0, m.start() - opened.pop() - _FAR)
        elif c[0] == "\n":  # a blank line ends the paragraph
            cost += _pending(opened, m.start())
            opened.clear()
            if cost > BRACKET_BUDGET:
                return para, _BRACKET_MESSAGE
            para = m.end()
    cost += _pending(opened, len(body))
    if cost > BRACKET_BUDGET:
        return para, _BRACKET_MESSAGE
    return None


def _pending(opened: list[int], end: int) -> int:
    return sum(max(0, end - start - _FAR) for start in opened)


_BRACKET_MESSAGE = (
    "too many '[' without a near ']' in the paragraph starting here (Markdown would take "
    "minutes to render it): close them, or escape them as '\\['"
)
_ABBR = re.compile(r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:", re.M)


def _too_many_abbreviations(body: str) -> tuple[int, str] | None:
    """More abbreviation definitions, or uses of them, than Markdown handles quickly."""
    if not _holds(body, "*["):  # no definition (most bodies): no scan
        return None
    found = list(_ABBR.finditer(body, 0, len(body)))
    if len(found) > MAX_ABBREVIATIONS:
        return found[MAX_ABBREVIATIONS].start(), (
            f"too many abbreviation definitions ({len(found):,}; the limit is "
            f"{MAX_ABBREVIATIONS}): each one is tried at every word"
        )
    uses = sum(body.count(a) for a in {m.group("abbr") for m in found} if a)
    if uses > MAX_ABBREVIATION_USES + len(found):
        return found[0].start(), (
            f"abbreviations used {uses - len(found):,} times (the limit is "
            f"{MAX_ABBREVIATION_USES:,}): define fewer of them"
        )
    return None


_FENCED = re.compile(
    r"^(?P<fence>~{3,}|`{3,})[^\n]*\n.*?(?<=\n)(?P=fence)[ ]*$", re.M | re.S
)  # as Python-Markdown's fenced_code finds them: their text is not inline markup
_UNCLOSED = re.compile(r"<(?![^<>]*>)")
_BLANK = re.compile(r"\n[ \t]*\n")
_ITEM_START = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]", re.M)
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")


def _inline_too_costly(body: str) -> tuple[int, str] | None:
    """More inline work than INLINE_BUDGET: for each piece of text Markdown's inline pass
    sees as one (a paragraph; a list item; a table row), its markup characters times its
    length.  Fenced code is left out; a list item is from its marker to the next one."""
    if "<" not in body and _within_bounds(body):
        return None
    # A '<' that opens no tag keeps Python's HTML parser (which finds raw HTML blocks)
    # scanning to the end of the body, once per such '<'.
    runs = _inline_runs(body)
    spent = 0
    if "<" in body:
        spent = 2 * len(body) * sum(len(_UNCLOSED.findall(body, a, b)) for a, b in runs)
    if spent > INLINE_BUDGET:
        return body.index("<"), (
            "too many '<' that open no HTML tag (Markdown would take minutes to render "
            "them): write them as '&lt;' or '\\<'"
        )
    pieces = 0.0
    # only the markup characters the body holds can be counted in a run (most news bodies
    # hold none, or one or two: a '!'), so each run is searched for those alone
    weights = [(c, w) for c, w in _MARKUP_WEIGHTS if c in body]
    for start, end in runs:
        pieces += _weight(body, start, end)
        if pieces > MAX_PIECES:
            return start, (
                f"more than {MAX_PIECES:,} paragraphs, list items and table cells (deeply "
                "nested items count more): Markdown would take long to render them; split "
                "the article, or link to a large table as a file"
            )
        length = end - start
        if length < 64:
            continue
        spent += sum(w * body.count(c, start, end) for c, w in weights) * length
        if spent > INLINE_BUDGET:
            return start, (
                "too much inline markup for Markdown to render in reasonable time (its "
                "inline pass slows down with markup times paragraph length; the paragraph "
                f"starting here is {length:,} characters): split long paragraphs with blank "
                "lines, or escape markup characters that are plain text ('\\*', '\\<')"
            )
    return None


def _within_bounds(body: str) -> bool:
    """Can a body with no '<' be seen to stay within both bounds of _inline_too_costly
    without cutting it into runs?  The runs are disjoint and not empty, each weighs at
    most 1 + its '|' + its indent's width (at most 4 columns a character) / 32, and each
    costs at most its markup times the body's length: bounds on the sums (most articles
    are far below them)."""
    n = len(body)
    # Counted or not, a character weighs at most 2 and is at most one '|': a body short
    # enough to stay within both bounds at those weights (under 9,400 characters: most
    # articles) is within them without the ten counts, each a scan of the body
    if 2 * n * n <= INLINE_BUDGET and 2 * n + n * 4 / 32 <= MAX_PIECES:
        return True
    pieces = n + body.count("|") + n * 4 / 32
    spent = sum(w * body.count(c) for c, w in _MARKUP_WEIGHTS) * n
    return pieces <= MAX_PIECES and spent <= INLINE_BUDGET


def _weight(body: str, start: int, end: int) -> float:
    """What one run costs Markdown besides its inline markup: a table row one per cell, a
    list item more the deeper it is."""
    first = body[start : min(end, start + 4096)].split("\n", 1)[0]
    if "|" in first:
        return 1 + body.count("|", start, end)
    indent = len(first) - len(first.lstrip(" \t"))
    return 1 + len(first[:indent].expandtabs(4)) / 32


def _inline_runs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each piece of text rendered as one inline run (see above)."""
    runs: list[tuple[int, int]] = []
    fences = (
        [(m.start(), m.end()) for m in _FENCED.finditer(body)]
        if "\n```" in ("\n" + body) or "\n~~~" in ("\n" + body)
        else []
    )
    fence_i = 0
    at = 0
    for m in [*_BLANK.finditer(body), None]:
        end = len(body) if m is None else m.start()
        start, at = at, (len(body) if m is None else m.end())
        # leave out fenced code inside this block
        while fence_i < len(fences) and fences[fence_i][1] <= start:
            fence_i += 1
        pieces = []
        cursor = start
        j = fence_i
        while j < len(fences) and fences[j][0] < end:
            f_start, f_end = fences[j]
            if f_start > cursor:
                pieces.append((cursor, f_start))
            cursor = max(cursor, f_end)
            j += 1
        if cursor < end:
            pieces.append((cursor, end))
        for p_start, p_end in pieces:
            runs.extend(_split_block(body, p_start, p_end))
    return runs


def _split_block(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """A list block is one run per item, a table one per row; any other block is one."""
    first_end = body.find("\n", start, end)
    if first_end < 0:
        return [(start, end)]
    if _ITEM_START.match(body, start):
        cuts = [m.start() for m in _ITEM_START.finditer(body, start, end)]
        return list(zip(cuts, [*cuts[1:], end], strict=True))
    second_end = body.find("\n", first_end + 1, end)
    second = body[first_end + 1 : end if second_end < 0 else second_end]
    if "|" in body[start:first_end] and _TABLE_RULE.match(second):
        out = []
        at = start
        while at < end:
            nl = body.find("\n", at, end)
            nl = end if nl < 0 else nl
            out.append((at, nl))
            at = nl + 1
        return out
    return [(start, end)]


def _html_too_deep(body: str) -> tuple[int, str] | None:
    """HTML in the Markdown nested deeper than MAX_DEPTH elements."""
    if "<" not in body:
        return None
    depth = bound_tags(body).depth
    if depth <= MAX_DEPTH:
        return None
    return 0, f"HTML nested {depth:,} elements deep (the limit is {MAX_DEPTH}): flatten it"


# ---------------------------------------------------------------- rendering


_local = threading.local()


def _converter() -> md.Markdown:
    """One Markdown instance per thread, reused: building one costs more than converting.
    Python-Markdown is imported here, for the first body that is not plain prose (see
    plain_paragraphs): 15-20 ms at every start of a process that needs none, such as a
    rebuild with nothing to read again."""
    conv = getattr(_local, "md", None)
    if conv is None:
        import markdown

        conv = _local.md = markdown.Markdown(extensions=_extensions(), output_format="html")
    return conv


def _extensions() -> list[Any]:
    """EXTENSIONS as the instances Python-Markdown would make of their names, in the same
    order ("extra" stands for the extensions it registers).  Given a name, Python-Markdown
    first looks it up among the entry points of every installed package
    (importlib.metadata reads each one's metadata: 50-300 ms in every process that builds
    a converter, more in a large environment); its own extensions are modules of
    markdown.extensions, each with a makeExtension."""
    import importlib

    from markdown.extensions import extra

    names: list[str] = []
    for name in EXTENSIONS:
        names += extra.extensions if name == "extra" else [name]
    return [importlib.import_module(f"markdown.extensions.{n}").makeExtension() for n in names]


# Plain prose -- paragraphs of words and ordinary punctuation, no markup -- is most of a
# news site's Markdown, and Python-Markdown spends ~0.5 ms on an article of it (its block
# parser, then ~20 inline patterns tried on each paragraph) to wrap each paragraph in <p>.
# A body in which no line can start a Markdown block and no character can start inline
# markup is rendered here, to the very same string (tests/test_markdown_plain.py compares
# the two on generated text); anything else goes to Python-Markdown.
#
# _MARKUP_CHAR: inline markup, HTML, tables, attribute lists, images, footnotes, links
# ("[x](url)", "[x][ref]"; a bracket otherwise stays as written: with no line starting
# with '[' no reference is defined), i.e. _MARKUP_ALTERNATIVES, written as one class of
# their first characters (told apart by a look-behind) so that the search skips to them at
# C speed instead of trying each alternative at each character (a third of the work on
# news text; tests/test_markdown_markup_char.py checks that the two find the same).
_MARKUP_ALTERNATIVES = r"[\\`*_<>|{}]|!\[|\[\^|\]\s*[(\[]"
_MARKUP_CHAR = re.compile(
    r"[\\`*_<>|{}!\[\]](?:(?<=[\\`*_<>|{}])|(?<=!)\[|(?<=\[)\^|(?<=\])\s*[(\[])"
)
# _LINE_START, searched in "\n" + body + "\n": a line that starts with anything but a
# letter, a digit, an opening quote or bracket or a currency sign, or with an ordered-list
# item's number
_LINE_START = re.compile("\n(?:(?![^\\W_]|[\"'(\u00a3$\u20ac\u2018\u201c]|\n|\\Z)|\\d+[.)])")
_AMP = re.compile(r"&(?!(?:\#[0-9]+|\#x[0-9a-f]+|[0-9a-z]+);)", re.I)  # a bare '&', as
# Python-Markdown's serializer finds it (markdown.serializers.RE_AMP); any other '&'
# starts an entity, which is inline markup
_BLANK_LINES = re.compile(r"\n{2,}")


# What plain prose becomes was checked against Python-Markdown with these extensions only
# (another, e.g. smarty or nl2br, changes plain text too): with others, no short way.
_PLAIN_EXTENSIONS = ["extra", "sane_lists"]


def plain_paragraphs(body: str) -> list[str] | None:
    """The paragraphs of ``body``, as written, when it is plain prose (see above); None
    when it may hold Markdown."""
    if EXTENSIONS != _PLAIN_EXTENSIONS:
        return None
    lines = "\n" + body + "\n"
    if (
        " \n" in lines  # a hard line break (two trailing spaces), a blank line of spaces
        or _MARKUP_CHAR.search(body)
        or _LINE_START.search(lines)
        or not body.replace("\n", "").isprintable()  # tabs, no-break spaces, controls
    ):
        return None
    if "&" in body and len(_AMP.findall(body)) != body.count("&"):
        return None
    # _BLANK_LINES.split, a sixth of the work: a run of newlines split two at a time leaves
    # empty pieces (dropped) and, when odd, one newline opening the next piece (stripped);
    # no piece ends with one (the split takes the run's first two)
    return [p.lstrip("\n") for p in body.strip("\n").split("\n\n") if p.strip("\n")]


def _paragraphs_html(paragraphs: list[str]) -> str:
    """Python-Markdown's HTML of plain paragraphs (only '&' needs escaping in them)."""
    return "\n".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in paragraphs)


def plain_html(body: str) -> str | None:
    """What Python-Markdown (EXTENSIONS) makes of ``body`` when it is plain prose (see
    above); None when it may hold Markdown."""
    paragraphs = plain_paragraphs(body)
    return None if paragraphs is None else _paragraphs_html(paragraphs)


def render_markdown(body: str, *, raw_html: bool) -> tuple[str, tuple[str, ...], str]:
    """(markdown_to_html(), then its candidate paragraphs and visible text as
    :func:`digest.htmltext.paragraphs_and_text` reads them).  Plain prose's paragraphs and
    text are its own, whitespace collapsed: the HTML is not parsed again for them."""
    paragraphs = plain_paragraphs(body)
    if paragraphs is None:  # (not plain: Python-Markdown, without asking plain_html again)
        html = _finish(_convert(body), raw_html)
        return (html, *paragraphs_and_text(html))
    # sanitizing (or bounding) such HTML gives it back unchanged (a test checks): it has only
    # <p> tags, and its text only the escapes nh3 writes itself ('&amp;')
    html = _paragraphs_html(paragraphs)
    # plain prose's only blanks are spaces and newlines, none at a line's ends (see
    # plain_paragraphs): collapsed, a paragraph without two spaces in a row has its
    # newlines as spaces (no word split off and joined again)
    texts = tuple(
        t for t in (p.replace("\n", " ") if "  " not in p else collapse(p) for p in paragraphs) if t
    )
    return html, texts, " ".join(texts)  # = collapse(" ".join(paragraphs))


def markdown_to_html(body: str, *, raw_html: bool) -> str:
    """Render Markdown; sanitize unless the site opted in to raw HTML."""
    html = plain_html(body)
    return _finish(_convert(body) if html is None else html, raw_html)


def _finish(html: str, raw_html: bool) -> str:
    """Markdown's HTML as the article keeps it: sanitized unless the site opted in to raw
    HTML."""
    if raw_html:
        return bound_tags(html).html  # nesting of the Markdown's own (bounded by MAX_NESTING)
    return sanitize(html)  # which bounds it


def _convert(body: str) -> str:
    """Python-Markdown's HTML of ``body``."""
    converter = _converter()
    try:
        return converter.reset().convert(body)
    except RecursionError:  # check_markdown refuses the shapes known to recurse this deep
        raise ContentError("Markdown nesting too deep: flatten the lists") from None
    finally:
        converter.reset()


def sanitize(html: str) -> str:
    """Allowed tags and attributes only; nesting bounded first (nh3 is quadratic in it)."""
    return nh3.clean(
        bound_tags(html).html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
