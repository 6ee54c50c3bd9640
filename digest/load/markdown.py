"""The Markdown reader: front matter + Markdown body."""

from __future__ import annotations

import re
import threading

import markdown as md
import nh3

from digest.load.frontmatter import split_front_matter
from digest.model import Parsed

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
    meta, lines, body, body_line = split_front_matter(text, path)
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
    )


_local = threading.local()


def _converter() -> md.Markdown:
    """One Markdown instance per thread, reused: building one costs more than converting."""
    conv = getattr(_local, "md", None)
    if conv is None:
        conv = _local.md = md.Markdown(extensions=EXTENSIONS, output_format="html")
    return conv


def markdown_to_html(body: str, *, raw_html: bool) -> str:
    """Render Markdown; sanitize unless the site opted in to raw HTML."""
    converter = _converter()
    try:
        html = converter.reset().convert(body)
    finally:
        converter.reset()
    if raw_html:
        return html
    return sanitize(html)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
