"""Front-matter keys people bring from Hugo, Zola and Jekyll, read as digest's own.

The README's "Front matter from other generators" table lists them; each is read
here with the same checks (and the same ``file:line`` problems) as digest's keys:

    categories           the first is the section (unless 'section:' is given), all are tags
    taxonomies           Zola: {tags: [...], categories: [...]} as tags and categories
    lastmod, last_modified_at      -> updated
    aliases, redirect_from         -> old URLs that redirect to the article or page
    weight, menu, type, layout     -> pages (see digest.load) and their order in the menu
    url, permalink, path           -> the page's own URL
    images                         -> image (the first)
    authors                        -> author (joined)
    author = {name = "..."}        -> author (Hugo's table; a list of tables is joined)
    series                         -> tags
    render = false, hidden = true  -> left out, as a draft is (built with --drafts)
    linktitle, extra, template, in_search_index  read and ignored, with no warning
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from digest.slugs import slugify

if TYPE_CHECKING:
    from digest.load import _Validator

# Keys read here, besides digest's own KNOWN_KEYS.
FOREIGN_KEYS = (
    "categories",
    "taxonomies",
    "lastmod",
    "last_modified_at",
    "aliases",
    "redirect_from",
    "weight",
    "menu",
    "type",
    "layout",
    "url",
    "permalink",
    "path",
    "images",
    "authors",
    "series",
    "render",
    "hidden",
    # Read and ignored: a shorter menu title (digest has one title), Zola's table of the
    # theme's own values, the template to use, and search-index opt-out.
    "linktitle",
    "extra",
    "template",
    "in_search_index",
)
# Jekyll layouts that say nothing more than "an article" (other layouts are ignored too).
PAGE_VALUES = frozenset({"page"})

_SEGMENT = re.compile(r"^[\w][\w.~-]*$")


@dataclass(frozen=True)
class Foreign:
    """What the foreign keys of one source say (already checked)."""

    section: str | None = None  # first category
    tags: tuple[str, ...] = ()  # categories and taxonomies' tags
    updated_key: str | None = None  # the key 'updated' is read from, when not 'updated'
    image: str | None = None  # the first of 'images'
    aliases: tuple[str, ...] = ()  # site paths, no leading '/'
    weight: int = 0
    page: bool = False  # type/layout: page, or a menu entry
    url: str | None = None  # the page's own URL, site-relative, ending in '/'
    author: str | None = None
    left_out: bool = False  # render = false or hidden = true: built only with --drafts


def read_foreign(meta: dict[str, Any], v: _Validator) -> Foreign:
    """The foreign keys of ``meta`` as digest reads them; problems go to ``v``."""
    cats = list(v.strings(meta, "categories"))
    tags: list[str] = []
    tax = meta.get("taxonomies")
    if tax is not None:
        if not isinstance(tax, dict):
            v.bad("taxonomies", "must be a mapping such as {tags = [...], categories = [...]}")
        else:
            tags += _taxonomy(tax, "tags", v)
            cats += _taxonomy(tax, "categories", v)
    tags += cats + list(v.strings(meta, "series"))
    for t in tags:
        if slugify(t) == "untitled":
            v.bad("categories" if t in cats else "taxonomies", f"holds {t[:40]!r}, not a name")
            tags = []
            break
    updated_key = next(
        (k for k in ("lastmod", "last_modified_at") if meta.get(k) is not None), None
    )
    images = v.strings(meta, "images")
    image = v.url({"images": images[0]}, "images", relative=True) if images else None
    authors = v.strings(meta, "authors")
    return Foreign(
        section=cats[0] if cats else None,
        tags=tuple(dict.fromkeys(tags)),
        updated_key=updated_key,
        image=image,
        aliases=_aliases(meta, v),
        weight=_weight(meta, v),
        page=_is_page(meta, v),
        url=_own_url(meta, v),
        author=", ".join(authors) or None,
        left_out=_left_out(meta, v),
    )


def _left_out(meta: dict[str, Any], v: _Validator) -> bool:
    unrendered = meta.get("render") is not None and not v.flag(meta, "render")
    return v.flag(meta, "hidden") or unrendered


def author_name(meta: dict[str, Any], v: _Validator) -> str | None:
    """'author' as text, or Hugo's ``[author]`` table's ``name`` (a list of such
    tables, or of names, is joined with ', ')."""
    got = meta.get("author")
    items = got if isinstance(got, list) else [got]
    if got is None or not all(isinstance(x, (dict, str)) for x in items):
        return v.text(meta, "author")
    names = []
    for x in items:
        name = x.get("name") if isinstance(x, dict) else x
        if name is None:
            v.bad("author", "is a table with no 'name' (write author = \"Name\")")
            return None
        text = v.text({"author": name}, "author")
        if text:
            names.append(text)
    return ", ".join(names) or None


def _taxonomy(tax: dict[str, Any], name: str, v: _Validator) -> list[str]:
    got = tax.get(name)
    if got is None:
        return []
    return list(v.strings({"taxonomies": got}, "taxonomies"))


def _aliases(meta: dict[str, Any], v: _Validator) -> tuple[str, ...]:
    out: list[str] = []
    for key in ("aliases", "redirect_from"):
        for alias in v.strings(meta, key):
            path = site_path(alias)
            if path is None:
                v.bad(key, f"holds {alias[:60]!r}, which is not a path on this site")
            else:
                out.append(path)
    return tuple(dict.fromkeys(out))


def site_path(text: str) -> str | None:
    """'/old/post/' or 'old/post.html' as a site-relative path ('old/post/',
    'old/post.html'); None for a URL, a query, '..' or characters a path cannot hold."""
    if "://" in text or text.startswith("//") or any(c in text for c in "?#\\\"'<>"):
        return None
    trail = text.endswith("/")
    parts = [p for p in text.strip().split("/") if p]
    if not parts or any(p in (".", "..") or not _SEGMENT.match(p) for p in parts):
        return None
    return "/".join(parts) + ("/" if trail or "." not in parts[-1] else "")


def _weight(meta: dict[str, Any], v: _Validator) -> int:
    w = meta.get("weight")
    if w is None:
        return 0
    if isinstance(w, bool) or not isinstance(w, int) or abs(w) > 10**9:
        v.bad("weight", f"must be a whole number (got {str(w)[:40]!r})")
        return 0
    return w


def _is_page(meta: dict[str, Any], v: _Validator) -> bool:
    page = False
    for key in ("type", "layout"):
        value = v.text(meta, key)
        if value is not None and value.lower() in PAGE_VALUES:
            page = True
    return page or meta.get("menu") not in (None, False, "", [], {})


def _own_url(meta: dict[str, Any], v: _Validator) -> str | None:
    for key in ("url", "permalink", "path"):
        given = v.text(meta, key)
        if given is None:
            continue
        path = site_path(given)
        if path is None or not path.endswith("/"):
            v.bad(key, f"must be a path on this site ending in '/' (got {given[:60]!r})")
            return None
        return path
    return None
