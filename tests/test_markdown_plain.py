"""Plain prose is rendered without Python-Markdown (digest.load.markdown.plain_html), to
exactly the HTML Python-Markdown makes of it; anything that may be Markdown still goes to
Python-Markdown."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import ContentError
from digest.htmltext import bound_tags, paragraphs_and_text
from digest.load import markdown as markdown_module
from digest.load.markdown import (
    _convert,
    _finish,
    markdown_to_html,
    plain_html,
    plain_paragraphs,
    read_markdown,
    render_markdown,
    sanitize,
)

SAME = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# words of several scripts, numbers, and punctuation a news text has, markup characters
# and line starts that make Markdown, and characters Markdown treats specially
WORDS = [
    "The", "minister", "said", "café", "Ωμέγα", "東京", "naïve", "O'Neill", "M&S", "AT&T",
    "&amp;", "&#169;", "&copy", "&x;", "2005", "1,000", "3.5%", "£600m", "$1.13bn", "€5",
    '"Yes,"', "'quoted'", "(left)", "U.S.", "e.g.", "-", "--", "—", "?", "!", ":", ";",
    "#1", "*", "**bold**", "_x_", "`code`", "[link](u)", "<b>", ">", "|", "{:", "~~~", "^",
    "=", "+", "\\", "a\u00a0b", "\u200b", "\t", "x\x02y", "🙂", "[sic]", "[1]", "[", "]",
    "[the", "firm]", "[a [b] c]", "](x)", "] (x)", "][", "] [x]", "[^1]", "![x]", "[x]:", "[]",
]  # fmt: skip
STARTS = [
    "", "", "", " ", "    ", "- ", "* ", "+ ", "1. ", "2005. ", "12) ", "3 ", "# ", "> ",
    ": ", "===", "---", "***", "|", "~~~", "```", '"', "'", "(", "£", "‘", "“", "1", "é",
]  # fmt: skip


PLAIN_WORDS = [w for w in WORDS if plain_html("x " + w) is not None]
PLAIN_STARTS = [s for s in STARTS if plain_html(s + "x") is not None]


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """Lines of words; in half the bodies, mostly words that are plain prose."""
    plain = draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(st.sampled_from(["", "", " ", "  ", "---", "==="])))
            continue
        vocab = PLAIN_WORDS if plain and draw(st.integers(0, 9)) else WORDS
        starts = PLAIN_STARTS if plain and draw(st.integers(0, 9)) else STARTS
        words = draw(st.lists(st.sampled_from(vocab), min_size=1, max_size=8))
        end = draw(st.sampled_from(["", "", "", " ", "  "]))
        lines.append(draw(st.sampled_from(starts)) + " ".join(words) + end)
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@SAME
@given(body=bodies())
def test_plain_prose_renders_as_python_markdown_renders_it(body: str) -> None:
    html = plain_html(body)
    if html is not None:
        assert html == _convert(body)


@SAME
@given(body=st.text(alphabet=st.sampled_from("aZé東1 \n.,'\"&#;*_<>-=:()\\\t\u00a0"), max_size=60))
def test_any_short_text_renders_as_python_markdown_renders_it(body: str) -> None:
    html = plain_html(body)
    if html is not None:
        assert html == _convert(body)


@pytest.mark.parametrize(
    "body",
    [
        "One paragraph.",
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m).\n\n"
        '"It is a good result," he said: shares rose 2.5% at M&S & AT&T.\n\n\n'
        "2005 was a good year; 1,000 jobs?\nA second line of the paragraph!",
        "Ωμέγα and 東京 and café.\n",
        "He said [the firm] had [sic] grown, [1] and ] or [ alone.",
        "",
    ],
)
def test_plain_prose_takes_the_short_way_with_the_same_html(body: str) -> None:
    assert plain_html(body) is not None
    assert plain_html(body) == _convert(body)
    assert markdown_to_html(body, raw_html=False) == markdown_to_html(body, raw_html=True)


@pytest.mark.parametrize(
    "body",
    [
        "Some *emphasis*.",
        "A [link](https://example.org).",
        "A [link] (https://example.org).",
        "A [reference][ref] and [another] [one].",
        "An image ![alt](x.png).",
        "A footnote[^1].",
        "Title\n=====",
        "Title\n---",
        "- a list item",
        "1. first",
        "    code",
        "# Heading",
        "> quoted",
        "Term\n: definition",
        "a | b\n--|--\n1 | 2",
        "Line with a break  \nnext",
        "An entity &copy; here",
        "Tab\there",
        "<b>html</b>",
        "no\u00a0break",
    ],
)
def test_markdown_goes_to_python_markdown(body: str) -> None:
    assert plain_html(body) is None


def _parsed_again(body: str, raw_html: bool) -> tuple[str, tuple[str, ...], str]:
    """Python-Markdown's own HTML (never the plain-prose short way), finished as articles
    keep it, and its paragraphs and text as the HTML parser reads them."""
    html = _finish(_convert(body), raw_html)
    return (html, *paragraphs_and_text(html))


@SAME
@given(body=bodies(), raw_html=st.booleans())
def test_plain_prose_paragraphs_and_text_are_those_of_its_html(body: str, raw_html: bool) -> None:
    assert render_markdown(body, raw_html=raw_html) == _parsed_again(body, raw_html)


def test_paragraphs_and_text_of_plain_prose() -> None:
    body = "First  line\nof one paragraph, M&S &copy AT&T.\n\n\n'Second' one!\n"
    html, paragraphs, text = render_markdown(body, raw_html=False)
    assert (
        html
        == "<p>First  line\nof one paragraph, M&amp;S &amp;copy AT&amp;T.</p>\n<p>'Second' one!</p>"
    )
    assert paragraphs == ("First line of one paragraph, M&S &copy AT&T.", "'Second' one!")
    assert text == "First line of one paragraph, M&S &copy AT&T. 'Second' one!"
    assert (html, paragraphs, text) == _parsed_again(body, False)


@SAME
@given(body=bodies())
def test_plain_prose_html_is_what_sanitizing_gives(body: str) -> None:
    html = plain_html(body)
    if html is not None:
        assert sanitize(html) == html == bound_tags(html).html


@settings(max_examples=2000, deadline=None)
@given(text=st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFFF), max_size=60))
def test_any_plain_line_is_what_sanitizing_gives(text: str) -> None:
    html = plain_html("A" + text)
    if html is not None:
        assert sanitize(html) == html == bound_tags(html).html


def test_plain_prose_is_still_held_to_the_markdown_bounds() -> None:
    # brackets far from their ']' are plain prose, but Markdown's bounds are checked first
    body = "Word [" * 60_000
    assert plain_html(body) is not None
    with pytest.raises(ContentError, match="too many '\\[' without a near '\\]'"):
        read_markdown("---\ntitle: T\n---\n" + body, "content/x.md")


def test_other_markdown_extensions_take_no_short_way(monkeypatch) -> None:
    from digest.load import markdown

    assert plain_html("One paragraph.") is not None
    monkeypatch.setattr(markdown, "EXTENSIONS", ["extra", "sane_lists", "nl2br"])
    assert plain_html("One paragraph.") is None


@SAME
@given(
    paragraphs=st.lists(st.sampled_from(["One.", "Two\nlines.", "x  y", "M&S"]), max_size=6),
    gaps=st.lists(st.integers(2, 7), min_size=6, max_size=6),
    ends=st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_plain_paragraphs_are_split_at_every_run_of_blank_lines(
    paragraphs: list[str], gaps: list[int], ends: tuple[int, int]
) -> None:
    body = "\n" * ends[0]
    for p, gap in zip(paragraphs, gaps, strict=False):
        body += p + "\n" * gap
    body = body.rstrip("\n") + "\n" * ends[1]
    assert plain_paragraphs(body) == [p for p in re.split(r"\n{2,}", body.strip("\n")) if p]
    assert plain_paragraphs(body) == paragraphs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies(), grow=st.sampled_from([1, 4, 30]))
def test_the_checks_short_ways_find_what_the_full_scans_find(body: str, grow: int) -> None:
    # a body with no '[' costs no bracket scan, and one with no '<' that is far within both
    # inline bounds is not cut into runs: the same answer as the full scans (bounds scaled
    # down so that bodies cross them)
    body = body * grow
    full = markdown_module._inline_too_costly
    for pieces, budget in (
        (markdown_module.MAX_PIECES, markdown_module.INLINE_BUDGET),
        (50, 20_000),
    ):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(markdown_module, "MAX_PIECES", pieces)
            mp.setattr(markdown_module, "INLINE_BUDGET", budget)
            got = full(body)
            mp.setattr(markdown_module, "_within_bounds", lambda body: False)
            assert got == full(body)
    if "[" not in body:
        assert markdown_module._far_brackets(body) is None


RICH = """Intro with an ABBR and a footnote.[^1]

*[ABBR]: A long name

| Team | Points |
|:-----|-------:|
| Reds | 3 |

Term
:   Its definition

```python
x = 1
```

A paragraph
{: .lead }

<div markdown="1">*inside* a block</div>

1. one
2. two

* three

[^1]: The note.
"""


def test_the_converter_makes_what_python_markdown_makes_of_the_extension_names(
    monkeypatch,
) -> None:
    """The converter is built from extension instances (no scan of every installed
    package's entry points, 50-300 ms a process): the same HTML as Python-Markdown given
    the names, for every extension "extra" stands for."""
    import markdown
    import markdown.util

    named = markdown.Markdown(extensions=markdown_module.EXTENSIONS, output_format="html")
    expected = named.convert(RICH)
    for tag in ("<table>", "<dl>", 'class="footnote"', "<abbr", "<code", 'class="lead"'):
        assert tag in expected  # (each extension is exercised)

    def no_scan() -> list:
        raise AssertionError("entry points scanned")

    monkeypatch.setattr(markdown.util, "get_installed_extensions", no_scan)
    monkeypatch.setattr(markdown_module._local, "md", None, raising=False)
    assert markdown_module._converter().convert(RICH) == expected


@pytest.mark.parametrize("fill", ["|", "<", "a", "*|", "[<\\"])
@pytest.mark.parametrize("n", [100, 9_000, 9_411, 9_412, 20_000, 20_001, 40_000])
def test_within_bounds_unchanged_by_its_short_cut(fill: str, n: int) -> None:
    """_within_bounds says what counting every markup character says, for short bodies
    (told from their length alone) as for long ones, at the worst weights."""
    from digest.load.markdown import _MARKUP_WEIGHTS, INLINE_BUDGET, MAX_PIECES, _within_bounds

    body = (fill * n)[:n]
    pieces = n + body.count("|") + n * 4 / 32
    spent = sum(w * body.count(c) for c, w in _MARKUP_WEIGHTS) * n
    assert _within_bounds(body) == (pieces <= MAX_PIECES and spent <= INLINE_BUDGET)


@pytest.mark.parametrize("part", ["```", "~~~", "*["])
@pytest.mark.parametrize("body", ["", "plain text", "a ` b ~~ c * [", "x```", "~~~y", "a *[b", "*"])
def test_holds_is_in(part: str, body: str) -> None:
    from digest.load.markdown import _holds

    assert _holds(body, part) == (part in body)
