"""Clean a saved HTML news page: main text and the page's own metadata.

Main text: trafilatura (chosen by measurement, see ``bench/clean_quality.py``) extracts the
article's blocks: paragraphs (line breaks kept), subheadings, lists, block quotes, simple
tables; images and comments are left out.  The paragraphs then pass through the same line
classifiers as scraped plain text, so a share bar, credit, byline or date line the extractor
kept is dropped (and credit, byline and date recorded); a subheading, list item or table row
goes only when it is clutter itself.  ``Cleaned.paragraphs`` holds the prose paragraphs (the
summary's sentences come from them), ``Cleaned.body_html`` the whole body as HTML made here
from escaped text (the load stage sanitizes it again).

Metadata comes from the page itself: ``<title>``, OpenGraph, ``article:*`` properties,
``<link rel=canonical>``, ``<meta name=author|keywords|description>``, ``<time datetime>``
and JSON-LD ``NewsArticle`` (also inside ``@graph``) and ``BreadcrumbList``.

Nothing is downloaded: trafilatura works on the string it is given.  Pages longer than
:data:`MAX_HTML` characters are cut before parsing, and tags nested deeper than
:data:`digest.htmltext.MAX_DEPTH` or past the first :data:`digest.htmltext.MAX_CHILDREN`
children of one element are left out (their text kept), so the time taken is bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

from digest.clean.scraped import (
    _credit,
    byline_name,
    classify_clutter,
    dateline_of,
    is_related_heading,
    parse_date_text,
)
from digest.clean.types import Cleaned
from digest.htmltext import MAX_ELEMENTS, bound_tags

__all__ = ["clean_html_page", "extract_paragraphs", "MAX_HTML"]

MAX_HTML = 4_000_000  # characters of a page that are parsed
_MAX_META = 2_000  # characters of one metadata value that are kept
_ARTICLE_TYPES = frozenset(
    "newsarticle article reportagenewsarticle analysisnewsarticle opinionnewsarticle "
    "reviewnewsarticle backgroundnewsarticle blogposting liveblogposting report "
    "scholarlyarticle techarticle socialmediaposting".split()
)
_WS = re.compile(r"\s+")


def _norm(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    return _WS.sub(" ", text[:_MAX_META]).strip()


def _http(url: str | None) -> str | None:
    url = _norm(url)
    if url.lower().startswith(("http://", "https://")) and " " not in url and len(url) < 2000:
        return url
    return None


def _iso_date(value: str | None) -> str | None:
    value = _norm(value)
    if not value:
        return None
    parsed = parse_date_text(value[:120])
    return parsed[1] if parsed else None


def clean_html_page(html: str) -> Cleaned:
    """Clean one saved HTML page; never raises for a ``str``."""
    try:
        return _clean(html if isinstance(html, str) else str(html))
    except Exception as exc:  # pragma: no cover - a bug in a library: keep the build going
        return Cleaned(
            title=None,
            description=None,
            paragraphs=(),
            report=(f"html: could not clean the page ({type(exc).__name__}: {exc})"[:200],),
        )


# ----------------------------------------------------------------- metadata


def _parse(html: str) -> Any:
    import lxml.html

    data = html.encode("utf-8", "replace")
    if not data.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except Exception:  # lxml raises on documents with no elements
        return None


# Fields of a page's metadata: strings, except tags, sections and crumbs (tuples of strings).
_MetaKey = Literal[
    "title",
    "description",
    "date",
    "byline",
    "source",
    "source_url",
    "image",
    "tags",
    "sections",
    "crumbs",  # the JSON-LD breadcrumb's names, the sections when nothing else names them
]
_MetaValue = str | tuple[str, ...]


class _Meta:
    """Metadata of a page, each field with the place it came from (for the report).

    The first source to offer a non-empty value for a field wins.
    """

    def __init__(self) -> None:
        self.values: dict[_MetaKey, _MetaValue] = {}
        self.origin: dict[_MetaKey, str] = {}

    def offer(self, key: _MetaKey, value: _MetaValue | None, origin: str) -> None:
        if key in self.values or value in (None, "", (), []):
            return
        self.values[key] = value
        self.origin[key] = origin

    def get(self, key: _MetaKey) -> Any:
        return self.values.get(key)


def _json_ld_objects(root: Any) -> Iterator[dict[str, Any]]:
    for script in root.xpath('//script[@type="application/ld+json"]')[:20]:
        text = (script.text or "")[:500_000]
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = [data]
        seen = 0
        while stack and seen < 200:
            item = stack.pop(0)
            seen += 1
            if isinstance(item, list):
                stack.extend(item[:50])
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph[:50])


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    items = t if isinstance(t, list) else [t]
    return {x.lower() for x in items if isinstance(x, str)}


def _names(value: Any) -> list[str]:
    """Names of a JSON-LD author/publisher value: a string, an object or a list of them."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items[:10]:
        if isinstance(item, str):
            name = _norm(item)
        elif isinstance(item, dict):
            name = _norm(item.get("name"))
        else:
            continue
        if name and not name.lower().startswith(("http://", "https://")):
            out.append(name)
    return out


def _image_url(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    for item in items[:10]:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and _http(url):
            return _http(url)
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [s for s in (_norm(p) for p in value.split(",")) if s]
    if isinstance(value, list):
        return [s for s in (_norm(v) for v in value[:50] if isinstance(v, str)) if s]
    return []


_MetaTags = dict[str, list[str]]  # <meta> key (property / name / itemprop) -> contents


def _page_meta(root: Any) -> _Meta:
    """The page's metadata, each field from the first source that has it, in this order."""
    meta = _Meta()
    tags = _meta_tags(root)
    _offer_json_ld(meta, root)  # first: it is the most structured
    _offer_opengraph(meta, tags)
    _offer_published_time(meta, tags)
    _offer_image(meta, tags)
    _offer_meta_author(meta, tags)
    _offer_tags_and_sections(meta, tags)
    _offer_canonical(meta, root, tags)
    _offer_headings(meta, root)
    _offer_time_elements(meta, root)
    _offer_byline_elements(meta, root)
    return meta


def _meta_tags(root: Any) -> _MetaTags:
    tags: _MetaTags = {}
    for el in root.xpath("//meta")[:500]:
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content is not None:
            tags.setdefault(key, []).append(_norm(content))
    return tags


def _first(tags: _MetaTags, *keys: str) -> str | None:
    """The first non-empty content of the first of ``keys`` that has one."""
    for k in keys:
        for v in tags.get(k, ()):
            if v:
                return v
    return None


def _offer_json_ld(meta: _Meta, root: Any) -> None:
    for obj in _json_ld_objects(root):
        types = _types(obj)
        if types & _ARTICLE_TYPES:
            _offer_json_ld_article(meta, obj)
        elif "breadcrumblist" in types:
            _offer_json_ld_breadcrumbs(meta, obj)


def _offer_json_ld_article(meta: _Meta, obj: dict[str, Any]) -> None:
    """A JSON-LD ``NewsArticle`` (or another article type)."""
    meta.offer("title", _norm(obj.get("headline")), "JSON-LD headline")
    meta.offer("description", _norm(obj.get("description")), "JSON-LD description")
    meta.offer("date", _iso_date(obj.get("datePublished")), "JSON-LD datePublished")
    meta.offer("byline", " and ".join(_names(obj.get("author"))), "JSON-LD author")
    pub = _names(obj.get("publisher"))
    meta.offer("source", pub[0] if pub else None, "JSON-LD publisher")
    meta.offer("image", _image_url(obj.get("image")), "JSON-LD image")
    meta.offer("tags", tuple(_strings(obj.get("keywords"))), "JSON-LD keywords")
    meta.offer("sections", tuple(_strings(obj.get("articleSection"))), "JSON-LD section")
    page = obj.get("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    meta.offer(
        "source_url",
        _http(page if isinstance(page, str) else None),
        "JSON-LD mainEntityOfPage",
    )
    meta.offer("source_url", _http(obj.get("url")), "JSON-LD url")


def _offer_json_ld_breadcrumbs(meta: _Meta, obj: dict[str, Any]) -> None:
    """A JSON-LD ``BreadcrumbList``: its names but "Home"; sections only when nothing else
    names them (see :func:`_offer_tags_and_sections`)."""
    items = obj.get("itemListElement")
    names = []
    for it in items[:12] if isinstance(items, list) else []:
        name = _crumb_name(it)
        if name and name.lower() not in ("home", "homepage"):
            names.append(name)
    meta.offer("crumbs", tuple(names), "JSON-LD BreadcrumbList")


def _crumb_name(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    inner = item.get("item")
    return _norm(item.get("name")) or (_norm(inner.get("name")) if isinstance(inner, dict) else "")


def _offer_opengraph(meta: _Meta, tags: _MetaTags) -> None:
    """OpenGraph (and Twitter card / plain meta) title, description and site name."""
    meta.offer("title", _first(tags, "og:title", "twitter:title"), "og:title")
    meta.offer(
        "description",
        _first(tags, "og:description", "twitter:description", "description"),
        "og:description / meta description",
    )
    meta.offer("source", _first(tags, "og:site_name", "application-name"), "og:site_name")


_DATE_TAGS = (
    "article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)


def _offer_published_time(meta: _Meta, tags: _MetaTags) -> None:
    meta.offer("date", _iso_date(_first(tags, *_DATE_TAGS)), "article:published_time / meta date")


def _offer_image(meta: _Meta, tags: _MetaTags) -> None:
    image = _first(tags, "og:image", "og:image:url", "og:image:secure_url", "twitter:image")
    meta.offer("image", _http(image), "og:image")


def _offer_meta_author(meta: _Meta, tags: _MetaTags) -> None:
    author = _first(tags, "author", "article:author", "byl", "parsely-author")
    meta.offer("byline", _meta_author(author), "meta author")


def _offer_tags_and_sections(meta: _Meta, tags: _MetaTags) -> None:
    """``article:tag``, keywords and ``article:section``; the JSON-LD breadcrumb's names
    are the sections when nothing else gave them."""
    meta.offer("tags", tuple(v for v in tags.get("article:tag", ()) if v), "article:tag")
    kw = _first(tags, "news_keywords", "keywords")
    meta.offer("tags", tuple(_strings(kw)) if kw else (), "meta keywords")
    section = _first(tags, "article:section")
    meta.offer("sections", (section,) if section else (), "article:section")
    if meta.get("sections") is None and meta.get("crumbs"):
        meta.offer("sections", meta.get("crumbs"), meta.origin["crumbs"])


def _offer_canonical(meta: _Meta, root: Any, tags: _MetaTags) -> None:
    for link in root.xpath("//link[@href]")[:300]:
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel:
            meta.offer("source_url", _http(link.get("href")), "link rel=canonical")
    meta.offer("source_url", _http(_first(tags, "og:url")), "og:url")


def _offer_headings(meta: _Meta, root: Any) -> None:
    """The first ``<h1>``, then ``<title>`` without the site's name."""
    h1 = root.xpath("//h1")
    if h1:
        meta.offer("title", _norm(h1[0].text_content()), "<h1>")
    titles = root.xpath("//title")
    if titles:
        title = _strip_site(_norm(titles[0].text_content()), meta.get("source"))
        meta.offer("title", title, "<title>")


def _offer_time_elements(meta: _Meta, root: Any) -> None:
    for t in root.xpath("//time[@datetime]")[:5]:
        meta.offer("date", _iso_date(t.get("datetime")), "<time datetime>")


_BYLINE_ELEMENTS = (
    '//*[@rel="author"] | //*[contains(concat(" ", normalize-space(@class), " "), " byline ")]'
    ' | //*[contains(@class, "author-name")]'
)


def _offer_byline_elements(meta: _Meta, root: Any) -> None:
    """``rel=author`` and ``class="byline"`` / ``author-name`` elements: "By Jane Doe" or a
    bare name."""
    for el in root.xpath(_BYLINE_ELEMENTS)[:5]:
        text = _norm(el.text_content())
        name = byline_name(text) or (text if byline_name("By " + text) else None)
        meta.offer("byline", name, "byline element")


def _meta_author(value: str | None) -> str | None:
    if not value or value.lower().startswith(("http://", "https://")):
        return None
    return byline_name("By " + value) or None


_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014\-:]\s+([^|\u2013\u2014]{1,60})$")


def _strip_site(title: str, site: str | None) -> str:
    """'Headline | Site Name' -> 'Headline' (when the tail is the site's name or short)."""
    m = _SITE_SUFFIX.search(title)
    if m and (site is None or m.group(1).strip().lower() == site.lower() or len(m.group(1)) < 30):
        return title[: m.start()].strip()
    return title


# ----------------------------------------------------------------- main text


def extract_paragraphs(html: str, extractor: str = "trafilatura") -> list[str]:
    """Body paragraphs of a page by one extractor (for benchmarks and for the cleaner).

    ``extractor`` is "trafilatura" (default settings), "trafilatura-precision"
    (``favor_precision=True``), "readability" (readability-lxml), "justext" (defaults) or
    "justext-short" (shorter length bounds).
    """
    if extractor.startswith("trafilatura"):
        return _trafilatura(html, precision=extractor.endswith("precision"))
    if extractor == "readability":
        from readability import Document

        summary = Document(html).summary(html_partial=True)
        root = _parse(summary)
        if root is None:
            return []
        return [t for t in (_norm(p.text_content()) for p in root.iter("p")) if t]
    if extractor.startswith("justext"):
        import justext

        # jusText's defaults call a paragraph "good" only from 200 characters up; news
        # paragraphs are often shorter, so "justext-short" lowers the bounds.
        lengths = {"length_low": 50, "length_high": 100} if extractor.endswith("short") else {}
        parts = justext.justext(
            html.encode("utf-8", "replace"), justext.get_stoplist("English"), **lengths
        )
        return [_norm(p.text) for p in parts if not p.is_boilerplate and not p.is_heading]
    raise ValueError(f"unknown extractor {extractor!r}")


def _trafilatura(html: str, precision: bool = False) -> list[str]:
    """The text of trafilatura's paragraphs (a line break read as a space)."""
    doc = _trafilatura_xml(html, precision)
    if doc is None:
        return []
    return [t for t in (_text(p) for p in doc.iter("p")) if t]


def _trafilatura_xml(html: str, precision: bool = False) -> Any:
    """trafilatura's XML of the main text (paragraphs, ``head``, ``list``/``item``,
    ``quote``, ``table``/``row``/``cell``, ``lb``), comments left out; None if none."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=False,
        favor_precision=precision,
        deduplicate=False,
    )
    if not xml:
        return None
    try:
        return etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return None


def _text(el: Any, br: str = " ") -> str:
    """An element's text, whitespace collapsed, each ``<lb/>`` read as ``br``."""
    parts: list[str] = []

    def walk(e: Any) -> None:
        if e.text:
            parts.append(e.text)
        for child in e:
            if child.tag == "lb":
                parts.append(br)
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    if br == " ":
        return _norm("".join(parts))
    return br.join(_norm(x) for x in "".join(parts).split(br) if _norm(x))


# ----------------------------------------------------------------- structure

_HEADING_LEVELS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}
_BR = "\n"  # how a line break is carried in a block's text until it becomes <br>


@dataclass
class _Block:
    """One block of the article: "p" (prose), "h" (subheading), "ul"/"ol" (list items),
    "quote" (its paragraphs), "table" (rows of cells) or "pre"; ``parts`` its text pieces
    (a paragraph: one; a list: its items; a table: one tab-joined string per row)."""

    kind: str
    parts: list[str]
    level: int = 2
    head_rows: int = 0  # a table's heading rows, at its top

    @property
    def text(self) -> str:
        return " ".join(" ".join(p.replace(_BR, " ").split("\t")) for p in self.parts)

    def html(self) -> str:
        if self.kind == "p":
            return f"<p>{_lines(self.parts[0])}</p>"
        if self.kind == "h":
            return f"<h{self.level}>{escape(self.parts[0])}</h{self.level}>"
        if self.kind in ("ul", "ol"):
            items = "".join(f"<li>{_lines(p)}</li>" for p in self.parts)
            return f"<{self.kind}>{items}</{self.kind}>"
        if self.kind == "quote":
            return (
                "<blockquote>"
                + "".join(f"<p>{_lines(p)}</p>" for p in self.parts)
                + "</blockquote>"
            )
        if self.kind == "pre":
            return f"<pre>{escape(self.parts[0])}</pre>"
        rows = []
        for i, row in enumerate(self.parts):
            cell = "th" if i < self.head_rows else "td"
            rows.append(
                "<tr>" + "".join(f"<{cell}>{escape(c)}</{cell}>" for c in row.split("\t")) + "</tr>"
            )
        return "<table>" + "".join(rows) + "</table>"


def _lines(text: str) -> str:
    return "<br>".join(escape(x) for x in text.split(_BR))


def _blocks(doc: Any) -> list[_Block]:
    """The blocks of trafilatura's ``<main>``, in order."""
    main = doc.find("main")
    out: list[_Block] = []
    if main is not None:
        _collect_blocks(main, out, 0)
    return out


_MAX_NESTING = 50  # containers inside containers that are opened


def _collect_blocks(parent: Any, out: list[_Block], depth: int) -> None:
    """The blocks under ``parent``: trafilatura sometimes wraps them in ``<div>`` (or
    another container), whose blocks are the article's too; a container's own loose text
    is a paragraph."""
    for el in parent:
        block = _block(el)
        if block is None and isinstance(el.tag, str) and el.tag != "lb" and depth < _MAX_NESTING:
            loose = _WS.sub(" ", el.text or "").strip()
            if loose:
                out.append(_Block("p", [loose]))
            _collect_blocks(el, out, depth + 1)
        if block is not None and any(p.strip() for p in block.parts):
            out.append(block)


def _block(el: Any) -> _Block | None:
    tag = el.tag
    if tag == "p":
        return _Block("p", [_text(el, _BR)])
    if tag == "head":
        return _Block("h", [_text(el)], _HEADING_LEVELS.get(el.get("rend", ""), 3))
    if tag == "list":
        kind = "ol" if el.get("rend") == "ol" else "ul"
        return _Block(kind, [t for t in (_text(i, _BR) for i in el.iter("item")) if t])
    if tag == "quote":
        paras = [_text(p, _BR) for p in el.iter("p")] or [_text(el, _BR)]
        return _Block("quote", [p for p in paras if p])
    if tag == "code":
        return _Block("pre", ["".join(el.itertext()).strip()])
    if tag == "table":
        return _table(el)
    return None


def _table(el: Any) -> _Block | None:
    """A simple table: its rows of cells (a nested table's text stays in its cell)."""
    rows: list[str] = []
    head = 0
    for row in el.iter("row"):
        cells = [_text(c) for c in row if c.tag == "cell"]
        if not any(cells):
            continue
        if len(rows) == head and all(c.get("role") == "head" for c in row if c.tag == "cell"):
            head += 1
        rows.append("\t".join(cells))
    return _Block("table", rows, head_rows=head) if rows else None


# ----------------------------------------------------------------- the cleaner


_REPORTED_FIELDS: tuple[_MetaKey, ...] = (
    "title",
    "description",
    "date",
    "byline",
    "source",
    "source_url",
    "image",
    "tags",
    "sections",
)


@dataclass
class _Body:
    """Paragraphs kept from the extracted text, and what the dropped ones told."""

    paragraphs: list[str] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    credit: str | None = None
    byline: str | None = None
    date: str | None = None


def _clean(html: str) -> Cleaned:
    report: list[str] = []
    if len(html) > MAX_HTML:
        report.append(f"html: page cut to its first {MAX_HTML:,} characters")
        html = html[:MAX_HTML]
    # libxml2 gives up below ~255 levels (the body is lost) and trafilatura is quadratic
    # in the children of one element: tags past the bounds are left out, text kept.
    bounded = bound_tags(html, max_elements=MAX_ELEMENTS)
    report.extend(bounded.notes("html"))
    html = bounded.html
    root = _parse(html)
    if root is None:
        return Cleaned(
            title=None,
            description=None,
            paragraphs=(),
            report=(*report, "html: no document to read"),
        )
    meta = _page_meta(root)
    report.extend(
        f"html: {key} from {meta.origin[key]}"
        for key in _REPORTED_FIELDS
        if meta.get(key) is not None
    )
    body = _filter_blocks(_extract(html, report), meta, report)
    description = meta.get("description")
    if description and _fold(description) in {_fold(p) for p in body.paragraphs}:
        report.append("html: the description is a paragraph of the body; kept there only")
        description = None
    source = _source(meta, body.paragraphs, report)
    return Cleaned(
        title=meta.get("title"),
        description=description,
        paragraphs=tuple(body.paragraphs),
        body_html="\n".join(b.html() for b in body.blocks) or None,
        sections=tuple(_dedupe(meta.get("sections") or ())),
        credit=body.credit,
        byline=body.byline,
        date=body.date,
        source=source,
        source_url=meta.get("source_url"),
        image=meta.get("image"),
        tags=tuple(_dedupe(meta.get("tags") or ())),
        report=tuple(report),
    )


def _extract(html: str, report: list[str]) -> list[_Block]:
    """The page's main-text blocks by trafilatura (none if it fails)."""
    try:
        doc = _trafilatura_xml(html)
        blocks = _blocks(doc) if doc is not None else []
    except Exception as exc:  # pragma: no cover - library failure on a strange page
        report.append(f"html: trafilatura failed ({type(exc).__name__}); no body")
        blocks = []
    report.append(f"html: trafilatura kept {len(blocks)} block(s)")
    return blocks


def _filter_blocks(extracted: list[_Block], meta: _Meta, report: list[str]) -> _Body:
    """Drop clutter, repeats of the title, and date, credit and byline
    paragraphs (recording what they say when the page's metadata did not); subheadings,
    list items, quotes and tables stay unless they are clutter themselves."""
    repeats = {_fold(t) for t in (meta.get("title"), meta.get("description")) if t}
    title = {_fold(meta.get("title"))} if meta.get("title") else set()
    body = _Body(byline=meta.get("byline"), date=meta.get("date"))
    for i, block in enumerate(extracted, 1):
        if block.kind == "p":
            # A paragraph that is also the page's description is its lead: it stays in the
            # body (and the description goes, see _clean), so the article keeps its text.
            why = _dropped_paragraph(block.text, title, body)
        elif block.kind == "h":
            why = _dropped_heading(block.text, repeats)
        else:
            why = _drop_clutter_parts(block)
        if why is None:
            body.blocks.append(block)
            if block.kind == "p":
                body.paragraphs.append(block.text)
        else:
            report.append(f"block {i}: {why}")
    return body


def _dropped_heading(text: str, repeats: set[str]) -> str | None:
    if _fold(text) in repeats:
        return "dropped (heading repeats the title or description)"
    kind = classify_clutter(text)
    if kind or is_related_heading(text):
        return f"dropped ({kind or 'related-articles heading'}): {_show(text)}"
    return None


def _drop_clutter_parts(block: _Block) -> str | None:
    """Leave out the list items / table rows that are clutter; why the block goes when
    none is left."""
    kept = [p for p in block.parts if not classify_clutter(p.replace(_BR, " "))]
    if kept:
        block.head_rows = min(block.head_rows, len(kept)) if len(kept) == len(block.parts) else 0
        block.parts = kept
        return None
    return f"dropped ({block.kind} of clutter): {_show(block.text)}"


def _dropped_paragraph(text: str, repeats: set[str], body: _Body) -> str | None:
    """Why a paragraph is not body text (for the report), or None to keep it."""
    kind = classify_clutter(text)
    if kind:
        return f"dropped ({kind}): {_show(text)}"
    if _fold(text) in repeats:
        return "dropped (repeats the title)"
    if len(text) > 250:
        return None
    d = parse_date_text(text)
    if d:
        body.date = body.date or d[1]
        return f"dropped ({d[0]} date {d[1]})"
    if _credit(text):
        body.credit = body.credit or text
        return "credit"
    name = byline_name(text)
    if name:
        body.byline = body.byline or name
        return f"dropped (byline {name})"
    return None


def _source(meta: _Meta, paragraphs: list[str], report: list[str]) -> str | None:
    """The publisher from the metadata, else the agency of a dateline opening the body."""
    source: str | None = meta.get("source")
    if paragraphs and source is None:
        dl = dateline_of(paragraphs[0])
        if dl and dl[1]:
            source = dl[1]
            report.append(f"paragraph 1: dateline {dl[0]!r} -> source {source}")
    return source


def _fold(text: str) -> str:
    return _WS.sub(" ", text.casefold()).strip(" .")


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def _show(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")
