"""Clean a saved HTML news page: main text and the page's own metadata.

Main text: trafilatura (chosen by measurement, see ``bench/clean_quality.py``) extracts the
article's paragraphs; headings, lists, tables, images and comments are left out.  The
paragraphs then pass through the same line classifiers as scraped plain text, so a share
bar, credit, byline or date line the extractor kept is dropped (and credit, byline and date
recorded).  Metadata comes from the page itself: ``<title>``, OpenGraph, ``article:*``
properties, ``<link rel=canonical>``, ``<meta name=author|keywords|description>``,
``<time datetime>`` and JSON-LD ``NewsArticle`` (also inside ``@graph``) and
``BreadcrumbList``.

Nothing is downloaded: trafilatura works on the string it is given.  Pages longer than
:data:`MAX_HTML` characters are cut before parsing, so the time taken is bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from digest.clean.scraped import (
    _credit,
    byline_name,
    classify_clutter,
    dateline_of,
    parse_date_text,
)
from digest.clean.types import Cleaned

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


class _Meta:
    """Metadata of a page, each field with the place it came from (for the report)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.origin: dict[str, str] = {}

    def offer(self, key: str, value: Any, origin: str) -> None:
        if key in self.values or value in (None, "", (), []):
            return
        self.values[key] = value
        self.origin[key] = origin

    def get(self, key: str) -> Any:
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


def _page_meta(root: Any) -> _Meta:
    meta = _Meta()
    props: dict[str, list[str]] = {}
    for el in root.xpath("//meta")[:500]:
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content is not None:
            props.setdefault(key, []).append(_norm(content))

    def first(*keys: str) -> str | None:
        for k in keys:
            for v in props.get(k, ()):
                if v:
                    return v
        return None

    # JSON-LD first: it is the most structured.
    for obj in _json_ld_objects(root):
        types = _types(obj)
        if types & _ARTICLE_TYPES:
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
        elif "breadcrumblist" in types:
            items = obj.get("itemListElement")
            names = []
            for it in items[:12] if isinstance(items, list) else []:
                if isinstance(it, dict):
                    name = _norm(it.get("name")) or (
                        _norm(it["item"].get("name")) if isinstance(it.get("item"), dict) else ""
                    )
                    if name and name.lower() not in ("home", "homepage"):
                        names.append(name)
            meta.offer("crumbs", tuple(names), "JSON-LD BreadcrumbList")

    meta.offer("title", first("og:title", "twitter:title"), "og:title")
    meta.offer(
        "description",
        first("og:description", "twitter:description", "description"),
        "og:description / meta description",
    )
    meta.offer("source", first("og:site_name", "application-name"), "og:site_name")
    meta.offer(
        "date",
        _iso_date(
            first(
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
        ),
        "article:published_time / meta date",
    )
    meta.offer(
        "image",
        _http(first("og:image", "og:image:url", "og:image:secure_url", "twitter:image")),
        "og:image",
    )
    meta.offer(
        "byline",
        _meta_author(first("author", "article:author", "byl", "parsely-author")),
        "meta author",
    )
    tags = [t for k in ("article:tag",) for v in props.get(k, ()) for t in [v] if t]
    meta.offer("tags", tuple(tags), "article:tag")
    kw = first("news_keywords", "keywords")
    meta.offer("tags", tuple(_strings(kw)) if kw else (), "meta keywords")
    section = first("article:section")
    meta.offer("sections", (section,) if section else (), "article:section")
    if meta.get("sections") is None and meta.get("crumbs"):
        meta.offer("sections", meta.get("crumbs"), meta.origin["crumbs"])

    for link in root.xpath("//link[@href]")[:300]:
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel:
            meta.offer("source_url", _http(link.get("href")), "link rel=canonical")
    meta.offer("source_url", _http(first("og:url")), "og:url")

    h1 = root.xpath("//h1")
    if h1:
        meta.offer("title", _norm(h1[0].text_content()), "<h1>")
    titles = root.xpath("//title")
    if titles:
        meta.offer(
            "title", _strip_site(_norm(titles[0].text_content()), meta.get("source")), "<title>"
        )
    for t in root.xpath("//time[@datetime]")[:5]:
        meta.offer("date", _iso_date(t.get("datetime")), "<time datetime>")
    for el in root.xpath(
        '//*[@rel="author"] | //*[contains(concat(" ", normalize-space(@class), " "), " byline ")]'
        ' | //*[contains(@class, "author-name")]'
    )[:5]:
        text = _norm(el.text_content())
        name = byline_name(text) or (text if byline_name("By " + text) else None)
        meta.offer("byline", name, "byline element")
    return meta


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
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html,
        output_format="xml",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        with_metadata=False,
        favor_precision=precision,
        deduplicate=False,
    )
    if not xml:
        return []
    try:
        doc = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return []
    out = []
    for p in doc.iter("p"):
        text = _norm("".join(p.itertext()))
        if text:
            out.append(text)
    return out


# ----------------------------------------------------------------- the cleaner


def _clean(html: str) -> Cleaned:
    report: list[str] = []
    if len(html) > MAX_HTML:
        report.append(f"html: page cut to its first {MAX_HTML:,} characters")
        html = html[:MAX_HTML]
    root = _parse(html)
    if root is None:
        return Cleaned(
            title=None,
            description=None,
            paragraphs=(),
            report=(*report, "html: no document to read"),
        )
    meta = _page_meta(root)
    for key in (
        "title",
        "description",
        "date",
        "byline",
        "source",
        "source_url",
        "image",
        "tags",
        "sections",
    ):
        if meta.get(key) is not None:
            report.append(f"html: {key} from {meta.origin[key]}")

    try:
        extracted = _trafilatura(html)
    except Exception as exc:  # pragma: no cover - library failure on a strange page
        report.append(f"html: trafilatura failed ({type(exc).__name__}); no body")
        extracted = []
    report.append(f"html: trafilatura kept {len(extracted)} paragraph(s)")

    title = meta.get("title")
    description = meta.get("description")
    repeats = {_fold(t) for t in (title, description) if t}
    credit = None
    byline = meta.get("byline")
    date = meta.get("date")
    paragraphs: list[str] = []
    for i, text in enumerate(extracted, 1):
        kind = classify_clutter(text)
        if kind:
            report.append(f"paragraph {i}: dropped ({kind}): {_show(text)}")
            continue
        if _fold(text) in repeats:
            report.append(f"paragraph {i}: dropped (repeats the title or description)")
            continue
        if len(text) <= 250:
            d = parse_date_text(text)
            if d:
                date = date or d[1]
                report.append(f"paragraph {i}: dropped ({d[0]} date {d[1]})")
                continue
            if _credit(text):
                credit = credit or text
                report.append(f"paragraph {i}: credit")
                continue
            name = byline_name(text)
            if name:
                byline = byline or name
                report.append(f"paragraph {i}: dropped (byline {name})")
                continue
        paragraphs.append(text)

    source = meta.get("source")
    if paragraphs and source is None:
        dl = dateline_of(paragraphs[0])
        if dl and dl[1]:
            source = dl[1]
            report.append(f"paragraph 1: dateline {dl[0]!r} -> source {source}")
    return Cleaned(
        title=title,
        description=description,
        paragraphs=tuple(paragraphs),
        sections=tuple(_dedupe(meta.get("sections") or ())),
        credit=credit,
        byline=byline,
        date=date,
        source=source,
        source_url=meta.get("source_url"),
        image=meta.get("image"),
        tags=tuple(_dedupe(meta.get("tags") or ())),
        report=tuple(report),
    )


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
