"""Readers for scraped articles: plain text (.txt) and saved HTML pages (.html/.htm).

The ``clean`` stage does the work (boilerplate removal, metadata inference);
this module turns its result into a :class:`~digest.model.Parsed`.  Optional
YAML front matter on top of a ``.txt`` file overrides what was inferred.
"""

from __future__ import annotations

from typing import Any

from digest.clean import Cleaned, clean_html_page, clean_scraped_text
from digest.load.frontmatter import split_front_matter
from digest.model import Parsed


def _meta(c: Cleaned) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": c.title,
        "description": c.description,
        "date": c.date,
        "author": c.byline,
        "source": c.source,
        "source_url": c.source_url,
        "image": c.image,
        "credit": c.credit,
        "tags": list(c.tags) or None,
    }
    return {k: v for k, v in meta.items() if v}


def _parsed(
    path: str, c: Cleaned, fm: dict[str, Any], fm_lines: dict[str, int], offset: int
) -> Parsed:
    meta = _meta(c)
    report = [_shift_report(line, offset - 1) for line in c.report]
    for key in sorted(fm):
        if key in meta and meta[key] != fm[key]:
            report.append(f"front matter '{key}' overrides inferred {meta[key]!r}")
    for key in ("title", "description", "date", "author", "source", "credit"):
        if key in meta and key not in fm:
            report.append(f"inferred {key}: {meta[key]!r}")
    if c.sections:
        report.append(f"inferred sections: {', '.join(c.sections)}")
    meta.update(fm)
    return Parsed(
        path=path,
        meta=meta,
        meta_lines=fm_lines,
        body_format="html" if c.body_html else "paragraphs",
        body=c.body_html or c.paragraphs,
        body_line=offset,
        report=tuple(report),
        sections=c.sections,
    )


def _shift_report(line: str, by: int) -> str:
    """Report lines say 'line N: ...' relative to the text after front matter."""
    if line.startswith("line "):
        num, _, rest = line[5:].partition(":")
        if num.isdigit():
            return f"line {int(num) + by}:{rest}"
    return line


def read_scraped_text(text: str, path: str, common: frozenset[str] = frozenset()) -> Parsed:
    """A scraped ``.txt`` page (``common``: lines on many pages of its folder)."""
    fm, lines, body, body_line = split_front_matter(text, path)
    return _parsed(path, clean_scraped_text(body, common), fm, lines, body_line)


def read_html_page(text: str, path: str) -> Parsed:
    return _parsed(path, clean_html_page(text), {}, {}, 1)
