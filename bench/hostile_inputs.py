"""Hostile inputs through the readers and summarizers: seconds per case (issue 18, 12-17).

Each case is built in memory, most just under the size limit (1 MiB for Markdown, 5 MiB
for every other source), and run through
the code that handles it in a build: the Markdown reader (front matter, checks, rendering,
sanitizing, paragraphs), the saved-HTML cleaner, the YAML readers (site.yaml, front
matter) and every summary method.  A case that is refused says so (the start of its
message); every case must take less than LIMIT seconds.

    PYTHONPATH=. python bench/hostile_inputs.py [substring ...]

Exit status 1 when a case is over the limit.
"""

from __future__ import annotations

import random
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone

import yaml

from digest import summarize
from digest.clean.html import clean_html_page
from digest.config import SummaryConfig
from digest.errors import DigestError
from digest.htmltext import paragraphs_and_text
from digest.load import MAX_FILE_BYTES, MAX_MARKDOWN_BYTES
from digest.load.frontmatter import parse_yaml_mapping
from digest.load.markdown import markdown_to_html, read_markdown
from digest.model import Article
from digest.yamltext import safe_load

MB = MAX_FILE_BYTES - 4096  # just under the file size limit
MD = MAX_MARKDOWN_BYTES - 4096  # just under the Markdown size limit
LIMIT = 5.0  # seconds
GIVE_UP = 120  # seconds before a case is stopped (shown as '>120')
METHODS = ("news", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic")


def fill(unit: str, size: int = MB) -> str:
    return unit * max(1, size // len(unit))


# ---------------------------------------------------------------- readers


def markdown(body: str) -> str:
    assert len(body.encode()) <= MAX_MARKDOWN_BYTES - 100, "over the Markdown size limit"
    parsed = read_markdown("---\ntitle: T\ndate: 2024-01-01\n---\n" + body, "content/x.md")
    assert isinstance(parsed.body, str)
    html = markdown_to_html(parsed.body, raw_html=False)
    paragraphs, _text = paragraphs_and_text(html)
    return f"ok, {len(paragraphs)} paragraph(s)"


def saved_html(page: str) -> str:
    cleaned = clean_html_page(page)
    notes = [r for r in cleaned.report if "left out" in r]
    return f"ok, {len(cleaned.paragraphs)} paragraph(s)" + (f"; {notes[0]}" if notes else "")


def front_matter(yaml_text: str) -> str:
    parse_yaml_mapping(yaml_text, "content/x.md", first_line=2)
    return "ok"


def site_yaml(yaml_text: str) -> str:
    safe_load(yaml_text)
    return "ok"


def _nested_lists(levels: int) -> str:
    return "".join("    " * i + "- item\n" for i in range(levels)) + "\n"


def _page(middle: str) -> str:
    head = "<html><head><title>T</title></head>"
    return f"{head}<body><article><h1>T</h1>{middle}</article></body></html>"


def _deep_yaml(levels: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "v\n"


_RNG = random.Random(18)
_VOCAB = [
    "".join(_RNG.choice("abcdefghijklmnoprstu") for _ in range(_RNG.randint(3, 9)))
    for _ in range(20000)
]


def _sentence(words: int) -> str:
    return " ".join(_RNG.choice(_VOCAB) for _ in range(words)).capitalize() + "."


def reader_cases() -> list[tuple[str, Callable[[], str]]]:
    prose = fill("Some ordinary words make up this sentence of the article. " * 8 + "\n\n", MD)
    abbr_defs = "".join(f"*[AB{i}]: thing {i}\n" for i in range(100)) + "\n"
    cases: list[tuple[str, Callable[[], str]]] = [
        ("md: plain prose 1 MB", lambda: markdown(prose)),
        (
            "md: ordinary links 1 MB",
            lambda: markdown(fill("See [a link](https://e.org/x) here. ", MD)),
        ),
        ("md: '1. ' x 1,000 on one line (3 KB)", lambda: markdown("1. " * 1000 + "x\n")),
        ("md: '1. ' on one line 1 MB", lambda: markdown(fill("1. ", MD) + "x\n")),
        ("md: 250 nested lists", lambda: markdown(_nested_lists(250))),
        ("md: 50 nested lists, repeated to 1 MB", lambda: markdown(fill(_nested_lists(50), MD))),
        ("md: '>' x 1 MB", lambda: markdown(fill(">", MD) + " x\n")),
        ("md: '[' x 16 KB", lambda: markdown("x " + "[" * 16000 + " x\n")),
        ("md: '[' x 1 MB", lambda: markdown(fill("[", MD))),
        ("md: '![' and '[^' x 1 MB", lambda: markdown(fill("![[^", MD))),
        ("md: '[' 2,500 in a paragraph + prose", lambda: markdown("[" * 2500 + "\n\n" + prose)),
        ("md: '[a]' x 1 MB", lambda: markdown(fill("[a] ", MD))),
        ("md: '[[[...]]]' balanced 1 MB", lambda: markdown("[" * (MD // 2) + "]" * (MD // 2))),
        (
            "md: 4,000 abbreviations",
            lambda: markdown(
                "".join(f"*[AB{i}]: thing {i}\n" for i in range(4000))
                + "\n"
                + " ".join(f"AB{i}" for i in range(4000))
            ),
        ),
        (
            "md: 100 abbreviations, 20,000 uses + 1 MB",
            lambda: markdown(
                abbr_defs + "AB99 " * 20000 + "\n\n" + fill("AB99x ABx AB9y\n\n", MD - 110_000)
            ),
        ),
        ("md: 80,000 nested <div>", lambda: markdown("<div>" * 80000 + "x" + "</div>" * 80000)),
        (
            "md: 200 nested <div>, repeated to 1 MB",
            lambda: markdown(fill("<div>" * 200 + "x" + "</div>" * 200 + "\n\n", MD)),
        ),
        ("md: '*a' x 1 MB", lambda: markdown(fill("*a", MD))),
        ("md: '`a' x 1 MB", lambda: markdown(fill("`a", MD))),
        ("md: '<a' x 1 MB", lambda: markdown(fill("<a", MD))),
        ("md: '&#' x 1 MB", lambda: markdown(fill("&#", MD))),
        ("md: '|' table 1 MB", lambda: markdown("a|b\n-|-\n" + fill("x|y\n", MD))),
        # the worst inputs still accepted: just under each bound
        ("md: '[' 1,400 in a paragraph + prose", lambda: markdown("[" * 1400 + "\n\n" + prose)),
        (
            "md: '<a' 2 paragraphs of 16 KB + prose",
            lambda: markdown(("<a" * 8000 + "\n\n") * 2 + prose[: MD - 40000]),
        ),
        (
            "md: 19,000 list items, 1 MB",
            lambda: markdown(fill("- " + "word " * 10 + "\n", 19000 * 53)),
        ),
        (
            "md: 2-level lists, 1 MB",
            lambda: markdown(fill("- item one\n    - item two here\n", MD)),
        ),
        ("md: table of 9,500 rows x 2 cells", lambda: markdown("a|b\n-|-\n" + "x|y\n" * 9500)),
        (
            "md: table of 2,000 rows x 9 cells, 1 MB",
            lambda: markdown(
                "a|b|c|d|e|f|g|h|i\n-|-|-|-|-|-|-|-|-\n"
                + ("|".join(["some words *here*"] * 9) + "\n") * 2000
            ),
        ),
        ("md: nested lists 10 deep, 1 MB", lambda: markdown(fill(_nested_lists(10), MD))),
        ("md: fences '```x' unclosed x 1 MB", lambda: markdown(fill("```x\n", MD))),
        (
            "md: fenced code 1 MB",
            lambda: markdown("```\n" + fill("if (a < b && *p) { x[i] = `y`; }\n", MD) + "```\n"),
        ),
        (
            "html: plain page 5 MB",
            lambda: saved_html(
                _page(fill("<p>" + "Some ordinary words in a sentence. " * 8 + "</p>"))
            ),
        ),
        (
            "html: 100,000 nested <div>",
            lambda: saved_html(
                _page("<div>" * 100000 + "<p>deep text here</p>" + "</div>" * 100000)
            ),
        ),
        (
            "html: nested <div> 5 MB",
            lambda: saved_html(_page("<div>" * (MB // 11) + "<p>deep</p>" + "</div>" * (MB // 11))),
        ),
        (
            "html: 300 nested <div>",
            lambda: saved_html(
                _page(
                    "<div>" * 300
                    + "<p>The deep paragraph is here and it reads well.</p>"
                    + "</div>" * 300
                )
            ),
        ),
        (
            "html: 20,000 links in a <p>",
            lambda: saved_html(
                _page(
                    "<p>"
                    + " ".join(f'<a href="/x{i}">link {i}</a> text' for i in range(20000))
                    + "</p>"
                )
            ),
        ),
        (
            "html: links in one <p> 5 MB",
            lambda: saved_html(_page("<p>" + fill('<a href="/x">link</a> text ') + "</p>")),
        ),
        (
            "html: <span> in one <p> 5 MB",
            lambda: saved_html(_page("<p>" + fill("<span>w</span> ") + "</p>")),
        ),
        ("html: <p> siblings 5 MB", lambda: saved_html(_page(fill("<p>w</p>")))),
        ("html: <div> siblings 5 MB", lambda: saved_html(_page(fill("<div>w</div>")))),
        (
            "html: <img> in one <p> 5 MB",
            lambda: saved_html(_page("<p>" + fill('<img src="x"> w ') + "</p>")),
        ),
        ("html: unclosed '<a' x 5 MB", lambda: saved_html(_page(fill("<a")))),
        ("html: unclosed comments 5 MB", lambda: saved_html(_page(fill("<!-- x")))),
        (
            "yaml: site.yaml '[' x 500",
            lambda: site_yaml("title: T\nx: " + "[" * 500 + "]" * 500 + "\n"),
        ),
        (
            "yaml: site.yaml 500 levels of mappings",
            lambda: site_yaml("title: T\n" + _deep_yaml(500)),
        ),
        ("yaml: site.yaml '[' 5 MB", lambda: site_yaml("x: " + "[" * (MB // 2) + "]" * (MB // 2))),
        (
            "yaml: front matter 500 levels",
            lambda: front_matter("x: " + "[" * 500 + "]" * 500 + "\n"),
        ),
        ("yaml: front matter '- ' 5 MB", lambda: front_matter("x:\n" + fill("- a\n"))),
        (
            "yaml: front matter '{' 5 MB",
            lambda: front_matter("x: " + "{a: " * (MB // 8) + "}" * (MB // 8)),
        ),
    ]
    return cases


# ---------------------------------------------------------------- summarizers


def summary(paragraphs: tuple[str, ...], method: str) -> str:
    art = Article(
        path="content/x.md",
        slug="x",
        title="A title of the article",
        date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url="x/",
        summary_method=method,
        paragraphs=paragraphs,
    )
    cfg = SummaryConfig(method="news", sentences=3, ratio=None)
    notes = summarize.limits(art, cfg)
    summarize.summarize(art, cfg)
    return "ok" + (f"; {len(notes)} bound(s) applied" if notes else "")


def summarizer_cases() -> list[tuple[str, Callable[[], str]]]:
    many = tuple(" ".join(_sentence(25) for _ in range(5)) for _ in range(MB // 1000))
    long = tuple(_sentence(400) for _ in range(MB // 2600))
    one = (" ".join(_RNG.choice(_VOCAB) for _ in range(MB // 7)),)
    shapes = {
        "5 MB of 25-word sentences": many,
        "5 MB of 400-word sentences": long,
        "5 MB in one sentence": one,
    }
    return [
        (f"summary {method}: {shape}", lambda p=paragraphs, m=method: summary(p, m))
        for shape, paragraphs in shapes.items()
        for method in METHODS
    ]


# ---------------------------------------------------------------- running


class _GaveUp(Exception):
    pass


def _stop(_sig: int, _frame: object) -> None:
    raise _GaveUp


def run(name: str, fn: Callable[[], str]) -> float:
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(GIVE_UP)
    start = time.perf_counter()
    try:
        outcome = fn()
    except DigestError as exc:
        outcome = f"refused: {exc.problem.message[:70]}"
    except yaml.YAMLError as exc:
        outcome = f"refused: {str(exc)[:70]}"
    except _GaveUp:
        outcome = "stopped"
    except Exception as exc:  # noqa: BLE001 - one broken case must not stop the table
        outcome = f"FAILED: {type(exc).__name__}: {exc}"
    finally:
        signal.alarm(0)
    seconds = time.perf_counter() - start
    shown = f">{GIVE_UP}" if outcome == "stopped" else f"{seconds:6.2f}"
    flag = "  OVER" if seconds >= LIMIT or outcome.startswith("FAILED") else ""
    print(f"{shown:>7}  {name:<48} {outcome[:90]}{flag}", flush=True)
    return seconds


def main(argv: list[str]) -> int:
    cases = reader_cases() + summarizer_cases()
    if argv:
        cases = [(n, f) for n, f in cases if any(a in n for a in argv)]
    print(f"{'seconds':>7}  {'case':<48} outcome")
    worst = 0.0
    for name, fn in cases:
        worst = max(worst, run(name, fn))
    print(f"\nslowest case: {worst:.2f} s (limit {LIMIT:.0f} s)")
    return 0 if worst < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
