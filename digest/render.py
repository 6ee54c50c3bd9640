"""The ``render`` stage: Jinja2 templates turn entries into HTML pages.

Templates are looked up in order: the site's ``templates/`` folder, the
site's ``themes/<theme>/templates/``, then the built-in default theme, so a
site can override one template without copying the rest.  Autoescape is on
and undefined variables are errors (reported with template file and line).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

import digest
from digest.config import SiteConfig, ThemeConfig
from digest.errors import ThemeError
from digest.load import slugify
from digest.model import Article, Entry, Page
from digest.paths import shown


def default_theme_dir() -> Path:
    """The built-in theme: package data when installed, else the repo's themes/."""
    here = Path(digest.__file__).resolve().parent
    for candidate in (here / "themes" / "default", here.parent / "themes" / "default"):
        if (candidate / "templates").is_dir():
            return candidate
    raise ThemeError(
        "the built-in default theme is missing from this installation", hint="reinstall digest"
    )  # pragma: no cover


@dataclass(frozen=True)
class Theme:
    env: jinja2.Environment
    static_dirs: tuple[Path, ...]  # lowest priority first
    fingerprint: str = ""  # hash of every template file the loader can see


def load_theme(cfg: ThemeConfig, site: SiteConfig) -> Theme:
    """Set up the template loader chain and static folders for a theme."""
    default = default_theme_dir()
    site_templates = cfg.site_dir / "templates"
    search: list[Path] = []
    static: list[Path] = [default / "static"]
    if site_templates.is_dir():
        search.append(site_templates)
    if cfg.name != "default" or (cfg.site_dir / "themes" / "default").is_dir():
        theme_dir = cfg.site_dir / "themes" / cfg.name
        if not theme_dir.is_dir():
            if cfg.name != "default":
                raise ThemeError(
                    f"theme '{cfg.name}' not found (looked for "
                    f"themes/{cfg.name}/ beside site.yaml)",
                    "site.yaml",
                    hint="set `theme: default` or create the theme folder",
                )
        else:
            if (theme_dir / "templates").is_dir():
                search.append(theme_dir / "templates")
            static.append(theme_dir / "static")
    search.append(default / "templates")
    static.append(cfg.site_dir / "static")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a Theme lives for one build: no mtime check on every page
    )
    base_path = site.base_path
    env.filters["date"] = lambda d, fmt=None: format_date(d, fmt or site.date_format)
    env.filters["isodate"] = lambda d: d.isoformat()
    env.filters["rebase"] = lambda html: Markup(rebase_links(str(html), base_path))
    env.filters["tojson_safe"] = lambda v: Markup(json_for_script(v))
    env.globals["url"] = lambda path="": base_path + str(path).lstrip("/")
    env.globals["abs_url"] = site.absolute_url
    env.globals["slugify"] = slugify
    env.globals["digest_version"] = digest.__version__
    return Theme(env, tuple(p for p in static if p.is_dir()), _templates_fingerprint(search))


def _templates_fingerprint(folders: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for i, folder in enumerate(folders):
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                h.update(f"{i}:{f.relative_to(folder).as_posix()}".encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def format_date(d: datetime, fmt: str) -> str:
    fmt = fmt.replace("%-d", str(d.day)).replace("%-m", str(d.month))
    return d.strftime(fmt)


_ROOT_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')


def rebase_links(html: str, base_path: str) -> str:
    """Point site-root links in article HTML (href="/x") at the base path."""
    if base_path == "/":
        return html
    return _ROOT_LINK.sub(lambda m: m.group(1) + base_path, html)


def json_for_script(value: Any) -> str:
    """JSON safe inside <script>: no '</script>' or '<!--' breakout."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def template_error(exc: Exception) -> ThemeError:
    """A Jinja error as a ThemeError naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return ThemeError(
            f"template syntax error: {exc.message}",
            shown(exc.filename or exc.name or "template"),
            exc.lineno,
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return ThemeError(f"template not found: {exc.name}")
    filename, line = None, None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".htm", ".j2", ".jinja")):
            filename, line = name, tb.tb_lineno
        tb = tb.tb_next
    what = "undefined variable" if isinstance(exc, jinja2.UndefinedError) else "template error"
    msg = getattr(exc, "message", None) or str(exc)
    return ThemeError(f"{what}: {msg}", shown(filename) if filename else None, line)


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    base: str  # site-relative folder of page 1, e.g. "" or "world/"

    def path(self, n: int) -> str:
        return self.base if n == 1 else f"{self.base}page/{n}/"

    @property
    def prev(self) -> str | None:
        return self.path(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.path(self.number + 1) if self.number < self.total else None


def _chunks(seq: Sequence[Entry], size: int) -> list[Sequence[Entry]]:
    return [seq[i : i + size] for i in range(0, len(seq), size)] or [[]]


class Renderer:
    """Renders pages; with a page store, a page whose inputs are unchanged is not re-rendered.

    A page's key is a hash of the theme's templates, the site settings, the
    template name, its path and its context, where an entry stands for its
    ``Entry.key`` (a hash of its source, config and related links).  The store
    keeps each page's bytes under its key, and for each output path the key and
    sha256 of the last build's page: a page whose key is unchanged is passed on
    without its bytes (publish fetches them only if the output lacks them).
    """

    def __init__(
        self, theme: Theme, site: SiteConfig, extra: dict[str, Any] | None = None, store: Any = None
    ) -> None:
        self.theme, self.site = theme, site
        self.extra = extra or {}
        self.store = store
        self.fresh: dict[str, bytes] = {}  # rendered now, to store
        self.used: set[str] = set()  # every page key of this build
        self._base: str | None = None
        self.previous: dict[str, tuple[str, str]] = {}  # path -> (key, sha256), last build
        self.state: dict[str, tuple[str, str]] = {}  # the same, this build
        if store is not None:
            got = store.get(_STATE_NS, _STATE_KEY, dict[str, tuple[str, str]])
            self.previous = got or {}

    def page(self, template: str, path: str, source: str = "", **context: Any) -> Page:
        """Render one template to ``path`` (a folder ending in '/' gets index.html)."""
        out = path + "index.html" if path.endswith("/") or path == "" else path
        key = None
        if self.store is not None:
            key = _page_key(self._base_key(), template, path, context)
            if key is not None:
                self.used.add(key)
                prev = self.previous.get(out)
                if prev is not None and prev[0] == key:
                    self.state[out] = prev
                    fetch = functools.partial(self._bytes, key, template, path, context)
                    return Page(out, None, source or template, prev[1], fetch)
                hit = self.store.get("page", key, bytes)
                if hit is not None:
                    self.state[out] = (key, hashlib.sha256(hit).hexdigest())
                    return Page(out, hit, source or template)
        data = self._render(template, path, context)
        if key is not None:
            self.state[out] = (key, hashlib.sha256(data).hexdigest())
            self._keep(key, data)
        return Page(out, data, source or template)

    def _bytes(self, key: str, template: str, path: str, context: dict[str, Any]) -> bytes:
        """A page's bytes: from the store, else rendered again."""
        hit = self.store.get("page", key, bytes) if self.store is not None else None
        if hit is None:
            hit = self._render(template, path, context)
            self._keep(key, hit)
        return hit

    def _keep(self, key: str, data: bytes) -> None:
        self.fresh[key] = data
        if len(self.fresh) >= 500:  # store as we go: bounded memory on big sites
            self.store.put_many("page", self.fresh)
            self.fresh = {}

    def _render(self, template: str, path: str, context: dict[str, Any]) -> bytes:
        try:
            html = self.theme.env.get_template(template).render(
                site=self.site, page_path=path, **self.extra, **context
            )
        except jinja2.TemplateError as exc:
            raise template_error(exc) from None
        return html.encode("utf-8")

    def _base_key(self) -> str:
        """The part of every page key that is the same for all pages."""
        if self._base is None:
            self._base = _digest(
                [self.theme.fingerprint, dataclasses.asdict(self.site), _identity(self.extra)]
            )
        return self._base

    def flush(self) -> None:
        """Store the pages rendered now and forget pages no longer produced."""
        if self.store is not None:
            self.store.put_many("page", self.fresh)
            self.store.prune("page", self.used)
            self.store.put(_STATE_NS, _STATE_KEY, self.state)

    def listing(
        self, template: str, base: str, entries: Sequence[Entry], **context: Any
    ) -> list[Page]:
        pages = []
        chunks = _chunks(entries, self.site.per_page)
        for n, chunk in enumerate(chunks, 1):
            pager = Pager(n, len(chunks), base)
            pages.append(self.page(template, pager.path(n), entries=chunk, pager=pager, **context))
        return pages


_STATE_NS, _STATE_KEY = "page-state", "pages"


def _identity(value: Any) -> Any:
    """What a context value contributes to a page key; None when it cannot be keyed."""
    if isinstance(value, Entry):
        if not value.key:
            raise _Unkeyable
        return ["entry", value.key]
    if isinstance(value, Article):
        return None  # always passed together with its Entry
    if isinstance(value, Pager):
        return ["pager", value.number, value.total, value.base]
    if isinstance(value, (list, tuple)):
        return [_identity(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _identity(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise _Unkeyable


class _Unkeyable(Exception):
    pass


def _digest(value: Any) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _page_key(base: str, template: str, path: str, context: dict[str, Any]) -> str | None:
    """A page's cache key, or None when its context holds something without a key."""
    try:
        ident = _identity({k: v for k, v in context.items() if k != "article"})
    except _Unkeyable:
        return None
    return _digest([base, template, path, ident])


def render_site(
    entries: Sequence[Entry],
    theme: Theme,
    site: SiteConfig,
    extra: dict[str, Any] | None = None,
    store: Any = None,
) -> Iterator[Page]:
    """Every HTML page of the site, plus the theme's static files, one at a time.

    ``store`` (a digest.cache.Cache) lets unchanged pages come from the cache.
    """
    r = Renderer(theme, site, extra, store)
    sections: dict[str, list[Entry]] = defaultdict(list)
    section_names: dict[str, str] = {}
    tags: dict[str, list[Entry]] = defaultdict(list)
    tag_names: dict[str, str] = {}
    for e in entries:
        a = e.article
        if a.section_slug:
            sections[a.section_slug].append(e)
            section_names.setdefault(a.section_slug, a.section)
        for t in a.tags:
            ts = slugify(t)
            tags[ts].append(e)
            tag_names.setdefault(ts, t)
    nav = [
        {"slug": s, "name": section_names[s], "url": f"{s}/", "count": len(sections[s])}
        for s in sorted(sections)
    ]
    all_tags = [
        {"slug": s, "name": tag_names[s], "url": f"tags/{s}/", "count": len(tags[s])}
        for s in sorted(tags)
    ]
    r.extra = {**r.extra, "sections": nav}

    yield from r.listing("index.html", "", entries, title=None, kind="home")
    for e in entries:
        yield (
            r.page(
                "article.html",
                e.article.url,
                e.article.path,
                entry=e,
                article=e.article,
                title=e.article.title,
                kind="article",
            )
        )
    for s in sorted(sections):
        yield from r.listing(
            "list.html",
            f"{s}/",
            sections[s],
            title=section_names[s],
            kind="section",
            feed_base=f"{s}/",
        )
    for s in sorted(tags):
        yield from r.listing(
            "list.html",
            f"tags/{s}/",
            tags[s],
            title=f"Tag: {tag_names[s]}",
            kind="tag",
            feed_base=None,
        )
    yield (r.page("tags.html", "tags/", tags=all_tags, title="Tags", kind="tags"))
    yield (
        r.page(
            "archive.html",
            "archive/",
            groups=archive_groups(entries),
            title="Archive",
            kind="archive",
        )
    )
    yield (r.page("404.html", "404.html", title="Page not found", kind="404"))
    yield from static_pages(theme.static_dirs)
    r.flush()


def archive_groups(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """Entries grouped by year and month, newest first."""
    groups: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    for e in entries:
        groups[(e.article.date.year, e.article.date.month)].append(e)
    return [
        {
            "year": y,
            "month": m,
            "label": datetime(y, m, 1).strftime("%B %Y"),
            "entries": groups[(y, m)],
        }
        for (y, m) in sorted(groups, reverse=True)
    ]


def static_pages(dirs: Sequence[Path]) -> list[Page]:
    """Static files; a later folder overrides an earlier one's file of the same name."""
    files: dict[str, Path] = {}
    for d in dirs:
        for f in sorted(d.rglob("*")):
            if f.is_file() and not f.name.startswith("."):
                files["static/" + f.relative_to(d).as_posix()] = f
    return [Page(k, files[k].read_bytes(), str(files[k])) for k in sorted(files)]
