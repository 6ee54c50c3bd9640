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
import os
import re
import sys
import types
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, compress, count, islice, repeat
from operator import attrgetter, is_, is_not, methodcaller, not_
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.compiler
import jinja2.nodes
import jinja2.runtime
import markupsafe
import msgspec
from markupsafe import Markup

import digest
from digest import cache, newsletter, pool
from digest.config import SiteConfig, ThemeConfig
from digest.editions import Edition, News
from digest.errors import DigestError, ThemeError
from digest.model import (
    Article,
    Entry,
    Page,
    RelatedLink,
    Same,
    Story,
    held_page,
    page_digest,
)
from digest.paths import shown
from digest.slugs import slugify, tag_slug
from digest.summarize.keypoints import within_words

if TYPE_CHECKING:
    from digest.stories.compose import Stories


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
    # the templates (by name) that are the built-in theme's own files, shadowed by none
    builtin: frozenset[str] = frozenset()


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
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search]),
        autoescape=jinja2.select_autoescape(list(_AUTOESCAPE), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a Theme lives for one build: no mtime check on every page
        # every template loaded is kept, in a plain dict: a theme has a few dozen, and
        # Jinja's default cache (an LRU of 400, locked, a deque reordered at each hit) is
        # asked at every page and every include (a few % of the pages' render CPU)
        cache_size=-1,
    )
    base_path = site.base_path
    dates = _Dates(site.date_format)
    env.filters["date"] = dates.shown
    env.filters["isodate"] = dates.iso
    env.filters["words"] = lambda sentences, n=None: " ".join(
        within_words(list(sentences), n or site.summary_words)
    )
    env.filters["rebase"] = lambda html: Markup(rebase_links(str(html), base_path))
    env.filters["tojson_safe"] = lambda v: Markup(json_for_script(v))
    env.globals["url"] = lambda path="": base_path + str(path).lstrip("/")
    env.globals["abs_url"] = site.absolute_url
    env.globals["slugify"] = slugify
    env.globals["digest_version"] = digest.__version__
    return Theme(
        env,
        tuple(p for p in static if p.is_dir()),
        _templates_fingerprint(search),
        _builtin_templates(search),
    )


_AUTOESCAPE = ("html", "htm", "xml")  # (part of the key of compiled templates)


class _Context(jinja2.runtime.Context):
    """Jinja's template context with a quicker ``call``: every call a template makes
    (``url(...)``, ``abs_url(...)``, ``page_path.startswith(...)``: some thirty a page)
    goes through it, and Jinja's looks for a ``pass_context`` mark on the callable and on
    its ``__call__`` (two attribute misses, raised and caught) before calling.  A plain
    function, method or builtin whose ``jinja_pass_arg`` is unset is called here at once,
    with the same arguments (the loop's and block's variables Jinja adds to a call are
    dropped, as Jinja drops them); anything else (a marked function, a macro, a callable
    object) is Jinja's own call."""

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) in _PLAIN_CALLABLES and getattr(obj, "jinja_pass_arg", None) is None:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return obj(*args, **kwargs)
            except StopIteration:
                return self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(obj, *args, **kwargs)


_PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType})


def escape_output(value: Any) -> Any:
    """What ``markupsafe.escape(value)`` writes to a page, for a value a template shows
    with ``{{ ... }}`` (autoescaped): a plain str is escaped here by the five replacements
    markupsafe makes (its own escape is a Python function that looks for ``__html__`` and
    makes a Markup of the result: ~300,000 values in a cold BBC build), Markup is already
    safe, an int is its digits, and any other value is markupsafe's.  The result is the
    same text (a str rather than a Markup: Jinja joins a page's pieces, and makes Markup
    of a macro's, a block set's or a filter block's joined output itself)."""
    t = type(value)
    if t is str:
        if not (
            "&" in value or ">" in value or "<" in value or "'" in value or '"' in value
        ):  # (most: five searches in C are quicker than five replacements)
            return value
        return (
            value.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    if t is Markup:
        return value
    if t is int:  # (a count, a page number: digits only)
        return str(value)
    return markupsafe.escape(value)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, but an autoescaped template's ``{{ ... }}`` calls
    escape_output (held by the environment: see _Environment) instead of markupsafe's
    escape.  A template with a volatile autoescape (``{% autoescape %}`` blocks), or an
    environment with a finalize, is written as Jinja writes it."""

    def _output_child_pre(
        self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any
    ) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is None:
            self.write("environment.escape_output(")
        else:
            super()._output_child_pre(node, frame, finalize)


_GENERATOR = "escape_output 1"  # (part of the key of compiled templates: see _compiled_key)


class _Environment(jinja2.Environment):
    """Jinja's environment with a quicker ``x.name`` on a plain dict (the navigation's
    sections, the feed links, the archive's groups: a fifth of the lookups of a site's
    pages).  Jinja tries the attribute first and takes the item when that raises; a
    dict (exactly that type) has no attribute but its methods' names, so for any other
    name the item is looked up at once: the same result, without raising and catching
    an AttributeError each time.  Any other object's attribute is taken here too, as
    Jinja's getattr takes it first (a call less for each of the ~400,000 lookups of a
    cold BBC build); Jinja's own is asked only when there is none.

    Each template's globals are a plain dict (see make_globals)."""

    context_class = _Context
    code_generator_class = _CodeGenerator
    escape_output = staticmethod(escape_output)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and type(attribute) is str and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)  # (the item, or undefined)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals: the environment's, then ``d``'s, in a plain dict rather
        than Jinja's ChainMap over the two.  Every page's context is made of them
        (``dict(globals, **vars)``, and a set of their names): from a dict in C, from a
        ChainMap by a walk of its maps in Python for each name (~4% of render CPU).  The
        same map: load_theme sets every global before a template is loaded (after that,
        Jinja's documentation says, globals should not change), and a template's own
        globals (``d``) overlay the environment's as in the ChainMap."""
        return {**self.globals, **d} if d else dict(self.globals)


_DICT_NAMES = frozenset(dir(dict))


class _Compiled(jinja2.BytecodeCache):
    """The theme's templates as compiled by an earlier build, kept in the build cache
    (compiling the ten templates took 0.2 s of every new process's build).  All of them
    are read in one go before rendering and kept in memory (forked render workers read
    them there, never the database); those compiled meanwhile are stored once rendering
    is done.  Jinja checks each one against the sha1 of its template's source, and the
    cache key names Jinja's and Python's versions and the settings above, so a changed
    template, Jinja or Python never runs stale code."""

    def __init__(self, held: dict[str, bytes]) -> None:
        self.held = held
        self.made = False  # a template was compiled: store them again

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.held.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.held[bucket.key] = bucket.bytecode_to_string()
        self.made = True


_COMPILED_NS = "jinja-bytecode"


def _compiled_key(env: jinja2.Environment) -> str:
    """Jinja's and Python's versions and the environment's settings that change what a
    template compiles to."""
    impl = sys.implementation
    syntax = [
        *(env.block_start_string, env.block_end_string, env.variable_start_string),
        *(env.variable_end_string, env.comment_start_string, env.comment_end_string),
        *(str(env.line_statement_prefix), str(env.line_comment_prefix), env.newline_sequence),
        *(env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.optimized),
        *sorted(env.extensions),
    ]
    return cache.quick_key(
        jinja2.__version__,
        impl.name,
        impl.cache_tag or "",
        list(sys.version_info[:3]),
        syntax,
        list(_AUTOESCAPE),
        _GENERATOR,
    )


def compiled(theme: Theme, store: cache.Cache | None, pages: Iterable[Page]) -> Iterator[Page]:
    """``pages``, made with the theme's templates compiled by an earlier build when the
    cache (``store``) holds them (see _Compiled); those compiled now are stored for the
    next.  A session's kept theme still reads the stored entry each build (one small
    read), but compiles nothing: its environment holds the templates it loaded.  Templates
    compiled in forked render workers are not stored (their keeper is the worker's)."""
    env = theme.env
    if store is None or store.db is None or env.bytecode_cache is not None:
        yield from pages
        return
    key = _compiled_key(env)
    held = store.get(_COMPILED_NS, key, dict[str, bytes]) or {}
    keeper = _Compiled(dict(held))
    env.bytecode_cache = keeper
    try:
        yield from pages
    finally:
        env.bytecode_cache = None
    if keeper.made:
        store.put(_COMPILED_NS, key, keeper.held)


def _builtin_templates(search: Sequence[Path]) -> frozenset[str]:
    """Names of the built-in theme's templates that no folder before it overrides: what
    they show of a page's context is known (see archive_key)."""
    *before, default = search
    names = [f.name for f in default.iterdir() if f.is_file()]
    return frozenset(n for n in names if not any((d / n).exists() for d in before))


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


_ISOFORMAT = methodcaller("isoformat")


class _Dates:
    """The ``date`` and ``isodate`` filters: each date object's text is made once and
    looked up by the object's identity after that (an article's date is shown on its
    page, on its edition's, on its section's and tags' and in other articles' related
    links: the BBC site's 4,434 pages call them 40,900 times for 2,127 dates, ~0.11 s of
    strftime and isoformat in 2.4 s of render CPU).  A hit is the same object (held in
    the memo, so its id is not reused), hence the same text: two equal datetimes of
    other time zones or folds are other objects.  The memos are emptied when they hold
    ``LIMIT`` dates (a long session's edits make new objects)."""

    LIMIT = 1 << 14

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._shown: dict[int, tuple[Any, str]] = {}
        self._iso: dict[int, tuple[Any, str]] = {}

    def shown(self, d: datetime, fmt: str | None = None) -> str:
        if fmt and fmt != self.fmt:
            return format_date(d, fmt)
        return self._text(self._shown, d, self._format)

    def iso(self, d: datetime) -> str:
        return self._text(self._iso, d, _ISOFORMAT)  # (a date or a datetime)

    def _format(self, d: datetime) -> str:
        return format_date(d, self.fmt)

    def _text(
        self, memo: dict[int, tuple[Any, str]], d: datetime, make: Callable[[datetime], str]
    ) -> str:
        got = memo.get(id(d))
        if got is not None and got[0] is d:
            return got[1]
        if len(memo) >= self.LIMIT:
            memo.clear()
        text = make(d)
        memo[id(d)] = (d, text)
        return text


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


@dataclass(slots=True)
class _Job:
    """One page to make: a template rendered with a context to a site-relative path.
    (Not frozen: made for every page of every build and never shared, and a frozen
    dataclass's __init__ is three times slower.)"""

    template: str
    path: str  # as passed to the template ("" or "world/" or "404.html")
    source: str
    context: dict[str, Any]
    # A page made by code rather than a template (the plain-text email): its bytes from
    # this function, its key from ``template`` (a name for the maker) and ``context``
    make: Callable[[], bytes] | None = None
    # The page's identity made beforehand (plain values, see _identity), keyed instead of
    # walking ``context``: for the many article pages (see article_ident), for a context
    # of plain values only (strings, numbers, lists and dicts of them: the key's encoder
    # takes it as it is; the tag index, the editions index of 3,000 lines), and for a
    # template known to show less of its context (see archive_key)
    keyed: Any = None
    # What the page shows, as objects compared by identity with the last build's of a
    # session (see Kept): the same objects, the same key (not made again)
    deps: tuple[Any, ...] | None = None

    @property
    def out(self) -> str:
        """The output file ("world/" -> "world/index.html")."""
        return _out(self.path)


def _out(path: str) -> str:
    """The output file of a page path ("world/" -> "world/index.html")."""
    return path + "index.html" if path.endswith("/") or path == "" else path


class Renderer:
    """Renders pages; with a store, a page whose inputs are unchanged is not re-rendered.

    A page's key is a hash of the theme's templates, the site settings, the
    template name, its path and its context, where an entry stands for its
    ``Entry.key`` (a hash of its source, config and related links).  The store
    keeps, for each output path, the key and sha256 of the last build's page: a
    page whose key is unchanged is passed on without its bytes (in one bulk with
    the others, see Same).  Publish asks
    for them only when the tree it prepares lacks them; they are then read from
    the live output (``live``) when it still holds exactly those bytes, else
    rendered again.  Pages that must be rendered are rendered by ``jobs``
    worker processes when there are many.
    """

    # A new process's: the stored page state by bucket, as read (see flush)
    read: list[dict[str, tuple[str, str]]] | None = None

    def __init__(
        self,
        theme: Theme,
        site: SiteConfig,
        extra: dict[str, Any] | None = None,
        store: cache.Cache | None = None,
        live: Path | None = None,
        jobs: int | None = 1,
        kept: Kept | None = None,
    ) -> None:
        self.theme, self.site = theme, site
        self.extra = extra or {}
        self.store, self.live, self.jobs = store, live, jobs
        self._base: str | None = None
        self.previous: dict[str, tuple[str, str]] = {}  # path -> (key, sha256), last build
        self.state: dict[str, tuple[str, str]] = {}  # the same, this build
        self.kept = kept if store is not None else None
        # path -> (what its page showed, by identity (see _Job.deps), its key), this build
        self.deps: dict[str, tuple[tuple[Any, ...], str]] = {}
        self.entries: dict[str, Entry] = {}  # by slug: what the pages were made from
        self.editions: dict[str, tuple[Edition, tuple[_Again, ...]]] = {}  # see Kept
        self.lines: dict[str, _Line] = {}  # see Kept
        self.articles: _Articles | None = None  # see Kept
        # this build's pages all had keys, and each one's sha256 by path (a session's)
        self.complete = False
        self.digests: dict[str, str] | None = None
        self.shape: _Shape | None = None  # see Kept
        # the paths whose entry of ``state`` may differ from the stored one (None: all),
        # and the stored state by bucket (see flush): a session's build writes only the
        # buckets of the pages it changed, not 19,548 entries after each edit
        self.changed: set[str] | None = None
        self.buckets: list[dict[str, tuple[str, str]]] | None = None
        if self.kept is not None:
            self.previous = self.kept.state
            if self.kept.buckets is not None:
                self.changed, self.buckets = set(), self.kept.buckets
        elif store is not None:
            self.read = _read_buckets(store)
            self.previous = _merged(self.read)
            self.changed = set()  # (the pages rendered with another key: see flush)

    def pages(
        self,
        jobs: Sequence[_Job | _Again],
        unchanged: Sequence[str] = (),
        remake: Callable[[str], _Job] | None = None,
        stored: dict[str, str] | None = None,
        named: Callable[[str], str] | None = None,
        rest: dict[str, str] | None = None,
    ) -> Iterator[Page]:
        """A page for each job, in order; those whose key changed are rendered (in worker
        processes when there are many), the others passed on without their bytes, in
        one bulk after the rendered ones (see Same).  An
        _Again (a page of a session's last build, unchanged) is made a job only when its
        page must be rendered.  ``unchanged``: the output files of more such pages of a
        session's rebuild, by path only (nearly all article pages after an edit: no job
        or _Again made for each); ``remake`` makes one's job when its bytes are needed.
        A session's rebuild hands all those pages to publish in the bulk too.  In a new
        process, ``stored`` gives the keys of the ``unchanged`` pages (see _read_pieces).
        ``named``: the source of one of them, as its job would say (publish asks for
        every page's when it checks claims: a new path, as of an article moved to a day
        of its own).  ``rest``: a session's rebuild that found the pages an edit may
        change (see _Edit): every page of the last build (path -> sha256, see Kept.shape)
        that is not among ``jobs`` is that build's again, and no page is gone; ``remake``
        makes any of them."""
        keys: list[str | None] = []
        outs: list[str] = []
        kept: list[tuple[str, str] | None] = []  # (key, sha256) of the last build's page
        todo: list[_Job] = []
        memo: dict[int, tuple[Any, Any]] = {}
        base = self._base_key() if self.store is not None else ""
        previous = self.previous
        known = self.kept.deps if self.kept is not None and self.kept.base == base else {}
        session = self.kept is not None
        same: dict[str, str] = {}  # (a session's: path -> sha256, see Same)
        jobs = list(jobs)
        if rest is not None:  # (the last build's pages but the jobs', see _Edit)
            assert session and not unchanged
            same = dict(rest)
            for job in jobs:
                same.pop(job.out, None)
        for out in unchanged:
            prev, last = previous.get(out), known.get(out)
            key = last[1] if last is not None else stored.get(out) if stored else None
            if prev is not None and key is not None and prev[0] == key:
                same[out] = prev[1]
            else:  # (not kept as it should be: made as a job, see Kept)
                assert remake is not None, "pages given by path need a way to remake them"
                jobs.append(remake(out))
        if session:  # the last build's, for the pages not looked at here (see Kept)
            self.state, self.deps = dict(previous), dict(known)
        else:
            self.state.update((out, previous[out]) for out in same)
        deps_now = self.deps
        resolved: list[_Job | _Again] = []
        for job in jobs:
            key = prev = None
            if type(job) is _Again:
                out, key = job.out, job.key
                prev = previous.get(out)
                deps_now[out] = (job.deps, key)
            else:
                assert isinstance(job, _Job)
                out = job.out
                if self.store is not None:
                    if job.deps is not None:
                        last = known.get(out)
                        if last is not None and _same(last[0], job.deps):
                            key = last[1]
                    if key is None:
                        keyed = job.keyed
                        if type(keyed) is _Lazy:
                            keyed = keyed.value()
                        if keyed is not None:
                            key = _digest([base, job.template, job.path, keyed])
                        else:  # (an entry without a key: the context decides)
                            key = _page_key(base, job.template, job.path, job.context, memo)
                        job.keyed = keyed = None  # (used for the key only: not kept)
                    if key is not None:
                        prev = previous.get(out)
                        if job.deps is not None:
                            deps_now[out] = (job.deps, key)
            if prev is None or prev[0] != key:
                if isinstance(job, _Again):
                    job = job.make()  # (its page is rendered: the whole job is needed)
                prev = None
                todo.append(job)
            resolved.append(job)
            keys.append(key)
            outs.append(out)
            kept.append(prev)
        rendered = self._render_all(todo)
        state = self.state
        changed = self.changed
        if session and rest is None:  # (pages of the last build not made now: gone)
            made = same.keys() | outs
            for out in previous.keys() - made:
                state.pop(out, None)
                if changed is not None:
                    changed.add(out)
            for out in known.keys() - made:
                deps_now.pop(out, None)
        if session:
            for out, key, job in zip(outs, keys, resolved, strict=True):
                if key is None and state.pop(out, None) is not None and changed is not None:
                    changed.add(out)
                if key is None or (type(job) is _Job and job.deps is None):
                    deps_now.pop(out, None)
        # A session's rebuild hands the pages of its last build that are the same objects
        # again (nearly all) to publish in one bulk (see Same), not one at a time
        again: dict[str, _Again] = {}
        # and the pages made as jobs whose keys are the last build's (the listings, story
        # pages, ...: compared or keyed, not rendered; in a new process, every page an
        # edit leaves alone): in the bulk too, with their jobs
        held: dict[str, _Job] = {}
        self.complete = None not in keys  # (every page keyed: see _Shape)
        made_now: dict[str, str] = {}  # (rendered with a key: path -> sha256)
        for job, out, key, prev in zip(resolved, outs, keys, kept, strict=True):
            if prev is None:
                assert isinstance(job, _Job)
                data, digest = next(rendered)
                if key is not None:
                    state[out] = now = (key, digest)
                    made_now[out] = digest
                    if changed is not None and previous.get(out) != now:
                        changed.add(out)
                yield Page(out, data, job.source, digest)
            elif type(job) is _Again:
                state[out] = prev
                if session:
                    same[out] = prev[1]
                    again[out] = job
                    continue
                fetch = functools.partial(self._bytes_again, job, prev[1])
                yield Page(out, None, job.source, prev[1], fetch)
            else:
                # its key is the last build's: the same page, in the bulk (a new process's
                # build too: publish looks at each of them all the same, without a Page
                # and a claim made for each of 19,548)
                assert isinstance(job, _Job)
                state[out] = prev
                same[out] = prev[1]
                held[out] = job
        if session:  # (every page with a key: the next build's ``rest``, see _Edit)
            self.digests = {**same, **made_now}
        if same:

            def source(out: str) -> str:
                if out in again:
                    return again[out].source
                if out in held:
                    return held[out].source
                if named is not None:
                    return named(out)
                assert remake is not None
                return remake(out).source

            def fetch_same(out: str) -> bytes:
                if out in again:
                    return self._bytes_again(again[out], same[out])
                if out in held:
                    return self._bytes(held[out], same[out])
                assert remake is not None
                return self._bytes(remake(out), same[out])

            yield Same(
                "", None, "unchanged pages", digests=same, sources=source, fetch_path=fetch_same
            )

    def _bytes_again(self, again: _Again, digest: str) -> bytes:
        return self._bytes(again.make(), digest)

    def _render_all(self, jobs: list[_Job]) -> Iterator[tuple[bytes, str]]:
        """Each job's page and its sha256, in order."""
        workers = pool.workers(self.jobs)
        if workers <= 1 or len(jobs) < pool.PAGES or not pool.can_fork():
            return (_hashed(self._render(job)) for job in jobs)
        return self._render_parallel(jobs, workers)

    def _render_parallel(self, jobs: list[_Job], workers: int) -> Iterator[tuple[bytes, str]]:
        # the first page here: templates are compiled once, and workers inherit them
        yield _hashed(self._render(jobs[0]))
        # and the first page of each other template, before the workers fork: they
        # inherit every template compiled (with those it extends or includes), instead of
        # each compiling the templates of the pages after the first (~0.1 s of CPU a
        # worker with the default theme, half of it in vain).  Held until their turn; a
        # page that fails raises then, as it would have in order.
        early: dict[int, tuple[bytes, str] | Exception] = {}
        for i in _first_of_each_template(jobs):
            try:
                early[i] = _hashed(self._render(jobs[i]))
            except Exception as exc:  # (raised at its turn: a page before it may fail first)
                early[i] = exc
        # and the pages that show many entries (the archive): a worker reading that many
        # of this process's objects copies every memory page they lie on (~150 MiB more
        # at the end of a cold build of 100,000 articles)
        shows = [len(job.deps or ()) for job in jobs]  # (the objects each page shows)
        wide = [False, *(n > WIDE_PAGE for n in islice(shows, 1, None))]
        for i in early:
            wide[i] = True  # (made here: not the workers')
        theirs, their_shows = jobs, shows  # (from 1 on)
        if any(wide):
            narrow = list(map(not_, wide))
            theirs, their_shows = list(compress(jobs, narrow)), list(compress(shows, narrow))
        step = max(1, min(32, len(theirs) // (workers * 8)))
        spans = [(a, min(a + step, len(theirs))) for a in range(1, len(theirs), step)]
        # (a round: pages costing PAGES_PER_ROUND x 10, 1 + the objects each shows, see pool)
        costs = [b - a + sum(their_shows[a:b]) for a, b in spans]
        parts = pool.map_shared(
            _render_span,
            (self, theirs),
            spans,
            workers,
            per_round=pool.PAGES_PER_ROUND * 10,
            costs=costs,
            wait=False,  # (the last workers end while the pages after theirs are made)
        )
        made = chain.from_iterable(parts)
        for i, (job, here) in enumerate(zip(jobs, wide, strict=True)):
            if not i:
                continue  # (yielded above)
            if not here:
                yield next(made)
                continue
            got = early.pop(i, None)
            if isinstance(got, Exception):
                raise got
            yield _hashed(self._render(job)) if got is None else got

    def _bytes(self, job: _Job, digest: str) -> bytes:
        """A page's bytes, known to hash to ``digest``: from the live output when it
        holds them, else rendered again."""
        if self.live is not None:
            data = held_page(os.path.join(self.live, job.out), digest)
            if data is not None:
                return data
        return self._render(job)

    def _render(self, job: _Job) -> bytes:
        if job.make is not None:
            return job.make()
        try:
            html = self.theme.env.get_template(job.template).render(
                site=self.site, page_path=job.path, **self.extra, **job.context
            )
        except DigestError:
            raise
        except Exception as exc:  # a template's own error (TypeError, ...) names its file
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
        """Keep what this build's pages were (path -> key, sha256) for the next build, in
        _STATE_BUCKETS entries of the store by a hash of the path: a build writes only
        the buckets holding a page whose entry changed (a session's are kept by the
        session, copied when changed: the last build's are shared; a new process's are
        the ones it read)."""
        if self.store is None:
            return
        state, changed, buckets = self.state, self.changed, self.buckets
        if self.read is not None and changed is not None:
            # a new process's build: the buckets read, changed where a page was rendered
            # anew or is gone (after an edit: a few, not every bucket encoded and written)
            changed.update(self.previous.keys() - state.keys())
            buckets = self.read
        if changed is None or buckets is None:
            buckets = [{} for _ in range(_STATE_BUCKETS)]
            for out, got in state.items():
                buckets[_bucket(out)][out] = got
            dirty: Iterable[int] = range(_STATE_BUCKETS)
        else:
            buckets = list(buckets)
            dirty = sorted({_bucket(out) for out in changed})
            for b in dirty:
                buckets[b] = dict(buckets[b])
            for out in changed:
                now = state.get(out)
                if now is None:
                    buckets[_bucket(out)].pop(out, None)
                else:
                    buckets[_bucket(out)][out] = now
        self.buckets = buckets
        self.store.put_many(_STATE_NS, {f"{_STATE_KEY}-{b}": buckets[b] for b in dirty})

    def kept_now(self) -> Kept | None:
        """What this build keeps for the next of a session (after flush)."""
        if self.store is None:
            return None
        return Kept(
            self._base_key(),
            self.state,
            self.deps,
            self.entries,
            self.editions,
            self.buckets,
            self.lines,
            self.articles,
            self.shape,
        )

    def listing(
        self, template: str, base: str, entries: Sequence[Entry], **context: Any
    ) -> list[_Job]:
        """The pages of a paginated list of entries."""
        chunks = _chunks(entries, self.site.per_page)
        total = len(chunks)
        return [
            _listing_job(template, base, chunk, n, total, context)
            for n, chunk in enumerate(chunks, 1)
        ]


def _listing_job(
    template: str,
    base: str,
    chunk: Sequence[Entry],
    n: int,
    total: int,
    context: dict[str, Any],
) -> _Job:
    """Page ``n`` of ``total`` of a paginated list, showing ``chunk``."""
    pager = Pager(n, total, base)
    ctx = {"entries": chunk, "pager": pager, **context}
    # (context: plain values; the same entries, the same page)
    plain = [x for kv in sorted(context.items()) for x in kv]
    deps = (template, n, total, *plain, *chunk)
    return _Job(template, pager.path(n), template, ctx, deps=deps)


class _Lazy:
    """A page identity made when first asked for, then kept (an edition's is shared by
    its pages; an article page's is dropped with it once its key is made, see pages)."""

    __slots__ = ("make", "made", "done")

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make, self.made, self.done = make, None, False

    def value(self) -> Any:
        if not self.done:
            self.made, self.done = self.make(), True
        return self.made


@dataclass(slots=True)
class _Again:
    """A page of a session's last build whose inputs are the same objects now (see
    render_site): its key is known, and its job is made (``make``) only if its bytes
    are needed."""

    out: str
    source: str
    key: str
    deps: tuple[Any, ...]
    make: Callable[[], _Job]


@dataclass(frozen=True)
class Kept:
    """What render keeps for the next build of a session (see digest.build.Session):
    every page's key and sha256 (what the store keeps, as used), and for the pages made
    from objects (see _Job.deps) those objects with the key they gave, under the part
    of every key that is common to all pages (``base``)."""

    base: str
    state: dict[str, tuple[str, str]]
    deps: dict[str, tuple[tuple[Any, ...], str]]
    entries: dict[str, Entry]  # the entries the pages were made from, by slug
    # by edition key, an edition whose three pages were the last build's again, with
    # those pages as made (see news_pages: the same edition object, the same pages)
    editions: dict[str, tuple[Edition, tuple[_Again, ...]]] = dataclasses.field(
        default_factory=dict
    )
    # ``state`` by bucket, as the store holds it (see Renderer.flush; None: not known)
    buckets: list[dict[str, tuple[str, str]]] | None = None
    # by edition key, an edition with its line of the editions index (see _editions_index)
    lines: dict[str, _Line] = dataclasses.field(default_factory=dict)
    # the entries in their order, with what _ArticlesAgain needs of them (None: not made)
    articles: _Articles | None = None
    # what _Edit needs to find the pages an edit changes (None: not made)
    shape: _Shape | None = None


@dataclass(frozen=True)
class _Shape:
    """What a session's build keeps for the next to find the pages an edit changes
    without a look at every page (see _Edit), made when every page it made had a key:
    the entries in order, each section's and tag's entries (in order) and names, the
    tag index's lines, the story pages' stories and the editions in order, the slugs of
    the articles the front page shows, the ``makers`` of the pages other than the
    articles' and editions' (path -> (source, its job made)), and the sha256 of every
    page by path."""

    entries: Sequence[Entry]
    sections: dict[str, list[Entry]]
    section_names: dict[str, str]
    tags: dict[str, list[Entry]]
    tag_names: dict[str, str]
    all_tags: list[dict[str, Any]]
    story_pages: tuple[Story, ...]
    editions: tuple[Edition, ...]
    front: frozenset[str]
    makers: dict[str, tuple[str, Callable[[], _Job]]]
    digests: dict[str, str]


def _moved(now: Sequence[Any], then: Sequence[Any], few: int) -> list[int] | None:
    """The places where ``now`` holds another object than ``then``; None when the two
    differ in length or at more than ``few`` places.  (A comparison of pointers in C:
    no object is looked into.)"""
    if len(now) != len(then):
        return None
    moved = list(islice(compress(count(), map(is_not, now, then)), few + 1))
    return moved if len(moved) <= few else None


def _place(a: Article) -> tuple[Any, ...]:
    """What decides an article's page path, its places in the listings and editions,
    and the names those show of its section and tags."""
    updated = a.updated.isoformat() if a.updated is not None else None
    return (a.slug, a.url, a.section_slug, a.section, a.tags, a.date.isoformat(), updated)


class _Edit:
    """A session's rebuild after an edit that moved nothing: the site has the entries,
    editions and story pages of the last build in the same order, all but a few the same
    objects (``moved``, ``ed_moved``, ``st_moved``: their places), and each entry that is
    another object has the same place (see _place), each edition the same key and each
    story page the same URL.  The site's pages are then the last build's pages (the same
    paths, nothing gone), and those that may differ are found from what changed (see
    pages): the rest are handed to publish as the last build's (Renderer.pages'
    ``rest``) without a look at each (after a one-article edit at 10,000 articles: a
    dozen pages looked at of 19,548)."""

    # (an appended paragraph moves many articles' link scores, their terms' IDF: a
    # hundred entries of other objects at 10,000 articles, most with the same targets)
    FEW = 512

    def __init__(
        self,
        shape: _Shape,
        entries: Sequence[Entry],
        moved: list[int],
        ed_moved: list[int],
        st_moved: list[int],
        story_pages: tuple[Story, ...],
    ) -> None:
        self.shape, self.entries = shape, entries
        self.moved, self.ed_moved, self.st_moved = moved, ed_moved, st_moved
        self.story_pages = story_pages
        self.dirty: list[tuple[str, str, int]] = []  # (kind, slug, page number) to make
        self.front: frozenset[str] | None = None  # (the front page's, when made again)
        self.sections: dict[str, list[Entry]] = shape.sections
        self.tags: dict[str, list[Entry]] = shape.tags

    @classmethod
    def of(cls, entries: Sequence[Entry], news: News, kept: Kept | None) -> _Edit | None:
        shape = kept.shape if kept is not None else None
        if shape is None or kept is None or kept.articles is None:
            return None
        if news.stories.changed is None:
            return None
        moved = _moved(entries, shape.entries, cls.FEW)
        if moved is None:
            return None
        then = shape.entries
        for i in moved:
            if _place(entries[i].article) != _place(then[i].article):
                return None
        eds, eds_then = news.editions, shape.editions
        ed_moved = _moved(eds, eds_then, cls.FEW)
        if ed_moved is None:
            return None
        for i in ed_moved:
            if eds[i].key != eds_then[i].key or eds[i].url != eds_then[i].url:
                return None
        pages = news.stories.pages
        st_moved = _moved(pages, shape.story_pages, cls.FEW)
        if st_moved is None:
            return None
        for i in st_moved:
            if pages[i].url != shape.story_pages[i].url:
                return None
        return cls(shape, entries, moved, ed_moved, st_moved, pages)

    def listings(
        self, per_page: int
    ) -> tuple[
        dict[str, list[Entry]],
        dict[str, str],
        dict[str, list[Entry]],
        dict[str, str],
        list[dict[str, Any]],
    ]:
        """The last build's listings, each edited entry in its places (the lists holding
        one copied), and the pages of the listings that show one (``dirty``)."""
        shape = self.shape
        sections, tags = shape.sections, shape.tags
        copied: set[tuple[str, str]] = set()
        for i in self.moved:
            old, e = shape.entries[i], self.entries[i]
            a = e.article
            places = [("tags", tag_slug(t)) for t in a.tags]
            if a.section_slug:
                places.append(("section", a.section_slug))
            for kind, slug in places:
                if (kind, slug) not in copied:
                    copied.add((kind, slug))
                    if kind == "section":
                        if sections is shape.sections:
                            sections = dict(sections)
                        sections[slug] = listed = list(sections[slug])
                    else:
                        if tags is shape.tags:
                            tags = dict(tags)
                        tags[slug] = listed = list(tags[slug])
                else:
                    listed = sections[slug] if kind == "section" else tags[slug]
                for at in list(compress(count(), map(is_, listed, repeat(old)))):
                    listed[at] = e
                    self.dirty.append((kind, slug, at // per_page + 1))
        self.sections, self.tags = sections, tags
        return sections, shape.section_names, tags, shape.tag_names, shape.all_tags

    def pages(
        self,
        r: Renderer,
        kept: Kept,
        entries: Sequence[Entry],
        news: News,
        by_slug: dict[str, Entry],
        stories: dict[int, Any],
        work: list[_Job | _Again],
        makers: dict[str, tuple[str, Callable[[], _Job]]],
        article_job: Callable[[Entry], _Job],
        front: Callable[[], _Job],
        archive_job: Callable[[], _Job],
        remake: Callable[[str], _Job],
        named: Callable[[str], str],
    ) -> Iterator[Page]:
        """The site's pages (see Renderer.pages' ``rest``): made as jobs are the pages of
        the entries changed and of those whose links or story show one (_ArticlesAgain),
        the pages of the editions and stories that are other objects or show a changed
        entry, the listing pages showing one, the front page when it shows one, the
        archive when one's row there differs, the editions index when an edition's line
        there differs, and the tag index and the 404 page (small)."""
        shape, site = self.shape, r.site
        makers.update(shape.makers)
        again_made = _ArticlesAgain.of(entries, by_slug, kept, news.stories, whole=False)
        if again_made is None:  # (not known so: every article page made)
            made = list(entries)
            r.articles = _ArticlesAgain.fresh(entries)
        else:
            made = again_made.made
            r.articles = again_made.kept
        work.extend(map(article_job, made))
        r.entries = by_slug
        then = shape.entries
        changed = {entries[i].article.slug for i in self.moved}
        eds = news.editions
        # the editions that are other objects: their pages
        r.editions = kept.editions
        for i in self.ed_moved:
            work += _edition_jobs(eds[i], site, stories)
        # the story pages of the stories that are other objects or show a changed entry
        pages = self.story_pages
        told = {id(pages[j]): pages[j] for j in self.st_moved}
        of = news.stories.story_of
        for slug in changed:
            story = of(slug)
            if story is not None:
                told[id(story)] = story
        for story in told.values():
            job = _story_job(story, by_slug)
            work.append(job)
            makers[job.out] = (job.source, functools.partial(_given, job))
        # the listing pages showing a changed entry
        sections, tags = self.sections, self.tags
        for kind, slug, n in sorted(set(self.dirty)):
            if kind == "section":
                listed, base, ctx = (
                    sections[slug],
                    f"{slug}/",
                    _section_context(slug, shape.section_names),
                )
            else:
                listed, base, ctx = tags[slug], f"tags/{slug}/", _tag_context(slug, shape.tag_names)
            per = site.per_page
            total = max(1, -(-len(listed) // per))
            chunk = listed[(n - 1) * per : n * per]
            job = _listing_job("list.html", base, chunk, n, total, ctx)
            work.append(job)
            makers[job.out] = (job.source, functools.partial(_given, job))
        # the front page, when it shows a changed entry or another edition
        makers["index.html"] = ("index.html", front)
        if any(i <= news.front_days for i in self.ed_moved) or not changed.isdisjoint(shape.front):
            job = front()
            job.deps = ("index.html", *eds[: news.front_days + 1], *entries)
            work.append(job)
            self.front = _front_slugs(job)
        # the archive, when an edited article's row there differs (or a theme's own
        # archive shows more of it)
        makers[_ARCHIVE_OUT] = ("archive.html", archive_job)
        if not r.theme.builtin >= _ARCHIVE_TEMPLATES or any(
            _archive_row(entries[i].article) != _archive_row(then[i].article) for i in self.moved
        ):
            work.append(archive_job())
        # the editions index, when an edition's line there differs
        lines = dict(kept.lines)
        index_same = True
        for i in self.ed_moved:
            ed = eds[i]
            line = _edition_line(ed)
            got = lines.get(ed.key)
            if got is None or got[1] != line:
                index_same = False
                lines[ed.key] = (ed, line, _line_digest(line))
            else:
                lines[ed.key] = (ed, got[1], got[2])
        if len(lines) != len(eds):
            index_same = False
        r.lines = lines
        index = functools.partial(_index_job, eds, lines)
        makers["editions/index.html"] = ("editions.html", index)
        if not index_same:
            work.append(index())
        work.append(_tags_job(shape.all_tags))
        work.append(_not_found_job())
        yield from r.pages(work, (), remake, None, named, rest=shape.digests)


@dataclass(frozen=True)
class _Articles:
    """A build's entries in order, each one's article page (output path) and position by
    slug, and for each slug the slugs of the entries whose related links show it (never
    changed once made: shared with the next build's, see _ArticlesAgain)."""

    entries: Sequence[Entry]
    outs: list[str]
    at: dict[str, int]
    linked_from: dict[str, frozenset[str]]


_slug_of = attrgetter("article.slug")


class _ArticlesAgain:
    """Which article pages of a session's rebuild are its last build's (by path only, see
    Renderer.pages) and which are made as jobs, found without a look at each of the
    site's entries: at 10,000 articles the look at each (its page's objects, its story,
    its related links against the entries changed) was 55-80 ms of every edit's rebuild.

    When the site has as many entries as the last build, all but a few the same objects
    at the same places, and the stories stage says which articles' stories are other
    objects (Stories.changed), the pages to make are those of: the entries that are
    other objects (and those gone), the entries whose related links show one of them
    (``linked_from``), and any page the last build's keys lack; and the entries moved to
    another place or whose story is another object are looked at as the loop looks at
    each.  Every other entry is the last build's at its place, with the same story and
    the same entries shown in its links: its page is the last build's, as the look at
    each finds (a test compares the two, edit after edit)."""

    FEW = 512  # entries that are other objects, past which every entry is looked at

    def __init__(self, unchanged: list[str], made: list[Entry], kept: _Articles) -> None:
        self.unchanged, self.made, self.kept = unchanged, made, kept

    @staticmethod
    def fresh(entries: Sequence[Entry]) -> _Articles:
        """_Articles made from the entries (a build that looked at each)."""
        outs = [_out(e.article.url) for e in entries]
        linked: dict[str, set[str]] = defaultdict(set)
        for e in entries:
            for x in e.related:
                linked[x.slug].add(e.article.slug)
        at = dict(zip(map(_slug_of, entries), count(), strict=False))
        return _Articles(entries, outs, at, {s: frozenset(v) for s, v in linked.items()})

    @classmethod
    def of(
        cls,
        entries: Sequence[Entry],
        by_slug: dict[str, Entry],
        kept: Kept | None,
        stories: Stories,
        whole: bool = True,
    ) -> _ArticlesAgain | None:
        """The pages of a session's rebuild (see above), or None: not known so.
        ``whole`` False: the last build kept every article page's key (see _Shape), and
        the pages taken as its own are not listed (``unchanged`` empty, see _Edit)."""
        last = kept.articles if kept is not None else None
        stories_changed = stories.changed
        if kept is None or last is None or stories_changed is None:
            return None
        then = last.entries
        if len(then) != len(entries):
            return None
        moved = list(compress(count(), map(is_not, entries, then)))
        if len(moved) > cls.FEW:
            return None
        before = kept.entries
        # (entries at the same places are the same objects: the last build's by slug)
        gone = {then[i].article.slug for i in moved} - by_slug.keys()
        changed = gone | {
            e.article.slug
            for e in map(entries.__getitem__, moved)
            if before.get(e.article.slug) is not e
        }
        # the slugs whose pages are made: the entries changed, and those whose related
        # links show one of them (the same objects otherwise: the same links)
        linked = last.linked_from
        dirty = set(changed)
        for slug in changed:
            dirty |= linked.get(slug, frozenset())
        outs, at = last.outs, last.at
        if moved:
            outs = list(outs)
            for i in moved:
                outs[i] = _out(entries[i].article.url)
            if any(then[i].article.slug != entries[i].article.slug for i in moved):
                at = dict(zip(map(_slug_of, entries), count(), strict=False))
        places = {i for i in map(at.get, dirty) if i is not None}
        # looked at as the look at each would: an entry moved to another place (the same
        # object), and one whose story is another object (its page shows the story's)
        deps, of = kept.deps, stories.story_of
        look = set(moved)
        look.update(i for i in map(at.get, stories_changed) if i is not None)
        for i in look - places:
            e = entries[i]
            shown = deps.get(outs[i])
            if shown is None or shown[0][0] is not e or shown[0][1] is not of(e.article.slug):
                places.add(i)
        missing = set(outs).difference(deps) if whole else ()  # (without a key kept: made)
        if missing:
            places.update(i for i, out in enumerate(outs) if out in missing)
        linked_now = linked
        if changed:  # each changed entry's links, as they are now
            linked_now = dict(linked)
            for slug in changed:
                old, new = before.get(slug), by_slug.get(slug)
                for x in old.related if old is not None else ():
                    linked_now[x.slug] = linked_now.get(x.slug, frozenset()) - {slug}
                for x in new.related if new is not None else ():
                    linked_now[x.slug] = linked_now.get(x.slug, frozenset()) | {slug}
        keep = [True] * len(entries) if whole else []
        for i in places if whole else ():
            keep[i] = False
        made = [entries[i] for i in sorted(places)]
        articles = _Articles(entries, outs, at, linked_now)
        return cls(list(compress(outs, keep)) if whole else [], made, articles)


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """The same objects (plain values: equal ones), in the same order."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x is not y and (type(x) not in _PLAIN or type(y) is not type(x) or x != y):
            return False
    return True


_PLAIN = frozenset({str, int, float, bool, type(None)})


_PIECES_NS, _PIECES_KEY = "entry-pieces", "articles"
_NO_PIECES = ("", "", "")
_Stored = tuple[str, dict[str, tuple[str, str, str]]]


def _read_pieces(store: cache.Cache, base: str) -> dict[str, tuple[str, str, str]] | None:
    """The article pages' pieces stored by the last new process's build, when made under
    the same ``base`` (see Renderer._base_key; None: none such, or unreadable).

    By slug: the entry's key, the digest of its story's identity ("": none) and its
    page's key.  An article page's identity is made of its entry's key (which holds its
    title and its related links' slugs), its story's identity and its related entries'
    keys (see article_ident): a page whose entry and story are as stored, and none of
    whose related entries' keys differ from the stored ones, has its stored key, and
    need not have its identity made (after a one-article edit: 19,500 page keys)."""
    got = store.get(_PIECES_NS, _PIECES_KEY, _Stored)
    return got[1] if got is not None and got[0] == base else None


def _store_pieces(
    store: cache.Cache,
    base: str,
    entries: Sequence[Entry],
    state: dict[str, tuple[str, str]],
    told: Callable[[str], str],
    before: dict[str, tuple[str, str, str]] | None,
    made: Sequence[Entry],
) -> None:
    """Store this build's article pieces (see _read_pieces) when they are not those read
    (``before``): the pieces of the pages taken by path are the stored ones, and only
    those of the pages ``made`` as jobs can differ (all of them without ``before``)."""
    now = dict(before) if before is not None else {}
    if before is not None and len(before) != len(entries):
        now = {slug: got for slug in (e.article.slug for e in entries) if (got := now.get(slug))}
    for e in made if before is not None else entries:
        a = e.article
        page = state.get(_out(a.url))
        if e.key and page is not None:
            now[a.slug] = (e.key, told(a.slug), page[0])
        else:
            now.pop(a.slug, None)
    if now != before:
        store.put(_PIECES_NS, _PIECES_KEY, (base, now))


class _StoryDigests:
    """The digest of each article's story's identity ("": none; see _story_identity),
    made once per story; ``stories``: id(story) -> its identity, shared with
    article_ident and edition_ident."""

    def __init__(self, of: Callable[[str], Story | None], stories: dict[int, Any]) -> None:
        self.story_of, self.stories = of, stories
        self.made: dict[int, str] = {}

    def __call__(self, slug: str) -> str:
        story = self.story_of(slug)
        return "" if story is None else self.story(story)

    def story(self, story: Story) -> str:
        """The digest of a story's identity."""
        got = self.made.get(id(story))
        if got is None:
            ident = self.stories.get(id(story))
            if ident is None:
                ident = self.stories[id(story)] = _story_identity(story)
            got = self.made[id(story)] = _digest(ident)
        return got


_EDITIONS_NS, _EDITIONS_KEY = "edition-pieces", "editions"
# by edition key: its signature, the digest of its line of the editions index, and the
# keys of its three pages (see _edition_outs)
_EdPieces = tuple[str, str, str, str, str]
_StoredEds = tuple[str, dict[str, _EdPieces]]


class _EditionPieces:
    """A new process's build: the edition pages' pieces the last one stored (under the
    same ``base``, see Renderer._base_key), and this build's.

    An edition's pages show the edition and nothing else, and what edition_ident makes
    of it follows from its key, label and neighbours, and from its items' stories and
    entries: their dates, outlets, headlines and leads are read from those (an entry's
    key holds its article, a story's digest every field of the story), and the site's
    settings are in ``base``.  Its signature is a digest of just those: an edition with
    its stored signature has its stored page keys (believed only where the stored page
    state has them, see Renderer.pages) and its stored line digest, and its identity is
    not made (after a one-article edit: all but one of 2,917 editions)."""

    def __init__(self, store: cache.Cache, base: str, told: _StoryDigests, read: bool) -> None:
        """``read``: take pages as stored (else only make this build's pieces: the
        first build of a session makes every page, see render_site)."""
        got = store.get(_EDITIONS_NS, _EDITIONS_KEY, _StoredEds) if read else None
        self.before = got[1] if got is not None and got[0] == base else None
        self.store, self.base, self.told = store, base, told
        self.signs: dict[str, str | None] = {}  # by edition key, this build's
        self.lines: dict[str, str] = {}  # the same: its line's digest (see _line_digest)
        self.stored: dict[str, str] = {}  # the pages taken by path, with their stored keys
        self.by_out: dict[str, tuple[Edition, int]] = {}  # each with its edition and place

    def signature(self, ed: Edition) -> str | None:
        """None when an entry has no key (its pages are keyed by their contexts).  The
        story of one article (no page: most of them) is made of that article and its
        summary only (see digest.stories.compose._alone), so its entry's key stands for
        it too: the other stories' digests are the ones the article pages need."""
        story = self.told.story
        flat: list[str | int] = []  # (each item: its entries' count, story digest, keys)
        for it in ed.items:
            got = it.entries
            s = it.story
            if len(got) == 1:
                e = got[0]
                if not e.key:
                    return None
                alone = not s.page and s.articles == (e.article.slug,)
                flat += (1, "" if alone else story(s), e.key)
            else:
                flat += (len(got), story(s))
                for e in got:
                    if not e.key:
                        return None
                    flat.append(e.key)
        return _digest([ed.key, ed.label, ed.prev, ed.next, ed.prev_label, ed.next_label, flat])

    def same(self, ed: Edition) -> bool:
        """Whether an edition's pages are as stored (then taken by path, see ``stored``);
        its line's digest is known either way (see ``lines``)."""
        sign = self.signs[ed.key] = self.signature(ed)
        got = self.before.get(ed.key) if self.before is not None else None
        if sign is None or got is None or got[0] != sign:
            self.lines[ed.key] = _line_digest(_edition_line(ed))
            return False
        self.lines[ed.key] = got[1]
        for n, (out, key) in enumerate(zip(_edition_outs(ed), got[2:], strict=True)):
            self.stored[out] = key
            self.by_out[out] = (ed, n)
        return True

    def save(self, eds: Sequence[Edition], state: dict[str, tuple[str, str]]) -> None:
        """Store this build's pieces (after its pages: their keys are in ``state``) when
        they are not those read."""
        now: dict[str, _EdPieces] = {}
        for ed in eds:
            sign = self.signs.get(ed.key)
            pages = [state.get(out) for out in _edition_outs(ed)]
            if sign is not None and pages[0] and pages[1] and pages[2]:
                line = self.lines[ed.key]
                now[ed.key] = (sign, line, pages[0][0], pages[1][0], pages[2][0])
        if now != self.before:
            self.store.put(_EDITIONS_NS, _EDITIONS_KEY, (self.base, now))


_ARCHIVE_NS, _ARCHIVE_KEY = "archive-pieces", "archive"
_ARCHIVE_OUT = "archive/index.html"
# the digest of the articles' slugs in order, the archive page's key, and by slug the
# digest of the article's row (see _archive_row)
_StoredArchive = tuple[str, str, str, dict[str, str]]


class _ArchivePieces:
    """A new process's build: the built-in archive page's key as the last one stored
    (under the same ``base``, see Renderer._base_key), and each article's row there.

    The page shows the articles in order, each by its row (see archive_key); an article
    whose entry key is the stored one (see _read_pieces) has the same row, so when the
    slugs are in the stored order and each edited article's row is its stored one, the
    page has its stored key (believed only where the stored page state has it, see
    Renderer.pages), and its 10,000 rows are not made."""

    def __init__(self, store: cache.Cache, base: str, entries: Sequence[Entry], read: bool) -> None:
        """``read``: take the page as stored (else only store this build's)."""
        got = store.get(_ARCHIVE_NS, _ARCHIVE_KEY, _StoredArchive) if read else None
        self.before = got if got is not None and got[0] == base else None
        self.store, self.base = store, base
        self.order = _digest([e.article.slug for e in entries])

    def key(self, by_slug: dict[str, Entry], edited: Iterable[str]) -> str | None:
        """The stored key of the page when it shows what it showed (``edited``: the slugs
        whose entry key is not the stored one); None when that is not known."""
        got = self.before
        if got is None or got[1] != self.order:
            return None
        rows = got[3]
        for slug in edited:
            e = by_slug.get(slug)
            if e is None or rows.get(slug) != _digest(_archive_row(e.article)):
                return None
        return got[2]

    def save(self, entries: Sequence[Entry], state: dict[str, tuple[str, str]], same: bool) -> None:
        """Store this build's record (after its pages) unless ``same``: the page had its
        stored key (see key), so the record read is this build's."""
        page = state.get(_ARCHIVE_OUT)
        if page is None or (same and self.before is not None and page[0] == self.before[2]):
            return
        rows = {e.article.slug: _digest(_archive_row(e.article)) for e in entries}
        self.store.put(_ARCHIVE_NS, _ARCHIVE_KEY, (self.base, self.order, page[0], rows))


def _first_of_each_template(jobs: Sequence[_Job]) -> list[int]:
    """The places of the first job of each template but jobs[0]'s, in order (pages made
    by code have none)."""
    firsts: dict[str, int] = {}
    for i, job in enumerate(jobs):
        if job.make is None:
            firsts.setdefault(job.template, i)
    return sorted(i for i in firsts.values() if i)


# A page whose deps hold more objects than this is rendered by the build's own process
# (see Renderer._render_parallel)
WIDE_PAGE = 1000


def _render_span(span: tuple[int, int]) -> list[tuple[bytes, str]]:
    """In a forked worker: render jobs[a:b] of the shared list, each page with its
    sha256 (hashed here, not by the parent: its one thread also hands every page to
    publish, and a hash there waited for the writer threads to let go of the GIL)."""
    renderer, jobs = pool.shared()
    return [_hashed(renderer._render(jobs[i])) for i in range(*span)]


def _hashed(data: bytes) -> tuple[bytes, str]:
    return data, page_digest(data)


_STATE_NS, _STATE_KEY = "page-state", "pages"
_STATE_BUCKETS = 256


def _bucket(out: str) -> int:
    """The bucket of the stored page state holding a path's entry (a hash stable across
    processes: a new process's build replaces the buckets an earlier one wrote)."""
    return zlib.crc32(out.encode()) % _STATE_BUCKETS


def _read_state(store: cache.Cache) -> dict[str, tuple[str, str]]:
    """The stored page state (see Renderer.flush): path -> (key, sha256).  A bucket
    missing or unreadable leaves its pages unknown (rendered again)."""
    return _merged(_read_buckets(store))


def _read_buckets(store: cache.Cache) -> list[dict[str, tuple[str, str]]]:
    """The stored page state by bucket (one missing or unreadable: empty)."""
    keys = [f"{_STATE_KEY}-{b}" for b in range(_STATE_BUCKETS)]
    got = store.get_many(_STATE_NS, keys, dict[str, tuple[str, str]])
    return [got.get(k, {}) for k in keys]


def _merged(buckets: list[dict[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    state: dict[str, tuple[str, str]] = {}
    for got in buckets:
        state.update(got)
    return state


def entry_key(source_key: str, links: Sequence[RelatedLink], story: str | None = None) -> str:
    """What an entry's pages show: its source and config, its links' targets and its story.
    (Links hold no scores: pages do not show them, and one edited article shifts many
    scores a little; articles.json, which shows them, has them apart, see RelatedLink.)
    """
    return cache.quick_key(source_key, [(r.slug, r.title, r.url) for r in links], story or "")


def _identity(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """What a context value contributes to a page key; raises _Unkeyable when it cannot
    be keyed.  An entry stands for its key; a story for its fields, read in one go (all
    plain: no walk); another dataclass (Edition, EditionItem) for its fields, walked once
    per object: ``memo`` (id -> (value, identity)) keeps them, for an edition is in
    several pages' contexts.  (The many article and edition pages have their identity
    made directly, see article_ident and edition_ident: walking their contexts was most
    of a 10,000-article rebuild's render time.)"""
    t = type(value)
    if t is str or t is int or t is float or t is bool or value is None:
        return value
    if t is Story:
        return _story_identity(value)
    if t is Entry:
        if not value.key:
            raise _Unkeyable
        return _ENTRY_MARK + value.key
    if t is list or t is tuple:
        return _items(value, memo)
    if t is dict:
        return {str(k): _identity(v, memo) for k, v in value.items()}
    if t is Article:
        return None  # always passed together with its Entry
    if t is Pager:
        return ["pager", value.number, value.total, value.base]
    if isinstance(value, datetime):
        return value.isoformat()
    names = _field_names(t)
    if names is not None:
        if memo is not None:
            got = memo.get(id(value))
            if got is not None and got[0] is value:
                return got[1]
        ident = [t.__name__, *(_identity(getattr(value, f), memo) for f in names)]
        if memo is not None:
            memo[id(value)] = (value, ident)  # the value is kept: its id is not reused
        return ident
    if isinstance(value, (list, tuple)):
        return _items(value, memo)
    if isinstance(value, dict):
        return {str(k): _identity(v, memo) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)):
        return value
    raise _Unkeyable


# An entry's identity is its key, marked so that it does not equal a plain string of a
# context (one would have to hold a NUL and then a sha256).
_ENTRY_MARK = "\x00entry:"


def article_ident(
    e: Entry, story: Story | None, related: Sequence[Entry], stories: dict[int, Any]
) -> list[Any] | None:
    """An article page's identity, made directly: what _identity makes of its context
    (entry, title, kind, story, related entries; the article stands with its entry),
    without walking it (half the pages of a site; walking them was most of the time
    spent on page keys).  None when a related entry has no key."""
    if story is None:
        told = None
    else:
        told = stories.get(id(story))
        if told is None:
            told = stories[id(story)] = _story_identity(story)
    keys = []
    for r in related:
        if not r.key:
            return None
        keys.append(_ENTRY_MARK + r.key)
    return ["article", _ENTRY_MARK + e.key, e.article.title, told, keys]


def edition_ident(ed: Edition, stories: dict[int, Any]) -> list[Any] | None:
    """An edition page's identity, made directly: every field of the edition, its items'
    stories and entries (by key); None when an entry has no key."""
    items = []
    for it in ed.items:
        story = stories.get(id(it.story))
        if story is None:
            story = stories[id(it.story)] = _story_identity(it.story)
        keys = []
        for e in it.entries:
            if not e.key:
                return None
            keys.append(_ENTRY_MARK + e.key)
        items.append([story, keys, it.outlets, it.more, it.title, it.lead])
    when = ed.updated.isoformat()
    links = [ed.prev, ed.next, ed.prev_label, ed.next_label]
    return ["edition", ed.key, ed.label, ed.url, when, items, links]


def _story_identity(s: Story) -> list[Any]:
    """Every field of a story (dates with their offsets: a page may show them)."""
    first = s.first.isoformat() if s.first is not None else None
    last = s.last.isoformat() if s.last is not None else None
    return [
        "Story",
        *(s.slug, s.title, s.url, s.articles, s.summary, s.sources, first, last),
        *(s.page, s.headline_from, s.summary_from),
    ]


def _items(value: list | tuple, memo: dict[int, tuple[Any, Any]] | None) -> list[Any]:
    """The identity of a list or tuple; entries and strings (most of them) inline."""
    out = []
    for v in value:
        t = type(v)
        if t is Entry:
            if not v.key:
                raise _Unkeyable
            out.append(_ENTRY_MARK + v.key)
        elif t is str:
            out.append(v)
        else:
            out.append(_identity(v, memo))
    return out


def _field_names(t: type) -> tuple[str, ...] | None:
    """A dataclass type's field names (None: not a dataclass)."""
    names = _FIELD_NAMES.get(t, _UNSEEN)
    if names is _UNSEEN:
        names = (
            tuple(f.name for f in dataclasses.fields(t)) if dataclasses.is_dataclass(t) else None
        )
        _FIELD_NAMES[t] = names
    return names


_UNSEEN: Any = object()
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


class _Unkeyable(Exception):
    pass


_KEY_ENCODER = msgspec.msgpack.Encoder(order="sorted", enc_hook=str)


def _digest(value: Any) -> str:
    """sha256 of a value's MessagePack (dict keys sorted; anything unusual as its str)."""
    return hashlib.sha256(_KEY_ENCODER.encode(value)).hexdigest()


def _page_key(
    base: str,
    template: str,
    path: str,
    context: dict[str, Any],
    memo: dict[int, tuple[Any, Any]] | None = None,
) -> str | None:
    """A page's cache key, or None when its context holds something without a key."""
    try:
        ident = _identity({k: v for k, v in context.items() if k != "article"}, memo)
    except _Unkeyable:
        return None
    return _digest([base, template, path, ident])


def render_site(
    entries: Sequence[Entry],
    theme: Theme,
    site: SiteConfig,
    extra: dict[str, Any] | None = None,
    store: cache.Cache | None = None,
    live: Path | None = None,
    jobs: int | None = 1,
    news: News | None = None,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
) -> Iterator[Page]:
    """Every HTML page of the site, plus the theme's static files, one at a time.

    ``store`` (a digest.cache.Cache) keeps what the last build's pages were, so
    unchanged pages are not rendered again (see Renderer); ``live`` is the output
    folder; ``jobs`` the worker processes to render with (None: all cores).  ``kept``:
    what a session's last build kept (see Kept); ``keep`` gets this build's, once every
    page is made.
    """
    r = Renderer(theme, site, extra, store, live, jobs, kept)
    news = news or News.without_stories(entries, site)
    # A session's rebuild after an edit that moved nothing (see _Edit): the listings are
    # the last build's with the edited entries in their places
    edit = _Edit.of(entries, news, r.kept)
    if edit is not None:
        sections, section_names, tags, tag_names, all_tags = edit.listings(site.per_page)
    else:
        sections, section_names, tags, tag_names = _listed(entries)
        all_tags = [
            {"slug": s, "name": tag_names[s], "url": f"tags/{s}/", "count": len(tags[s])}
            for s in sorted(tags)
        ]
    nav = r.extra["sections"] if "sections" in r.extra else section_nav(entries)
    r.extra = {**r.extra, "sections": nav}

    work: list[_Job | _Again] = []
    if edit is not None and r.kept is not None and r.kept.base == r._base_key():
        by_slug = dict(r.kept.entries)  # (the last build's, the edited entries now)
        for i in edit.moved:
            e = entries[i]
            by_slug[e.article.slug] = e
    else:
        edit = None
        by_slug = {e.article.slug: e for e in entries}
    stories: dict[int, Any] = {}  # id(story) -> its identity (see article_ident)
    # the jobs of the pages other than the articles' and editions' (listings, story
    # pages, front page, archive, editions index), by path: the next build's way to
    # make one it takes as the same (see _Edit)
    makers: dict[str, tuple[str, Callable[[], _Job]]] = {}

    def article_job(e: Entry) -> _Job:
        a = e.article
        story = news.stories.story_of(a.slug)
        related = [by_slug[r.slug] for r in e.related if r.slug in by_slug]
        ctx = {
            "entry": e,
            "article": a,
            "title": a.title,
            "kind": "article",
            "story": story,
            "related_entries": related,
        }
        # (made when its key is, and dropped then: an identity per article held from here
        # to the last key was ~1.5 KB an article before render forks its workers, a
        # traced peak of 173.8 MiB against 158.8 at 10,000 articles)
        keyed = None
        if e.key:
            keyed = _Lazy(functools.partial(article_ident, e, story, related, stories))
        deps = (e, story, *related)
        return _Job("article.html", a.url, a.path, ctx, keyed=keyed, deps=deps)

    # A session's rebuild (see Kept): an article page whose entry and story are the same
    # objects as in the last build, and none of whose related entries changed, is that
    # build's page again, given by its path only (its job is made only if its bytes are
    # needed, see remake).
    kept = r.kept if r.kept is not None and r.kept.base == r._base_key() else None
    known = kept.deps if kept is not None else {}
    unchanged: list[str] = []
    # A new process's build (not a session's: that keeps its pages' objects instead):
    # the pieces of the article pages the last one stored (see _read_pieces)
    told = _StoryDigests(news.stories.story_of, stories)
    pieces = _read_pieces(store, r._base_key()) if store is not None and r.kept is None else None
    stored: dict[str, str] = {}  # (article pages by path only: their stored keys)
    by_out: dict[str, Entry] = {}
    made: Sequence[Entry] = entries  # the entries whose article pages are made as jobs
    # and of the edition pages (see _EditionPieces; none kept without a cache database)
    ed_pieces = None
    if store is not None and store.db is not None and r.kept is None:
        ed_pieces = _EditionPieces(store, r._base_key(), told, read=keep is None)
    ed_by_out = ed_pieces.by_out if ed_pieces is not None else {}
    # and of the built-in archive page (see _ArchivePieces), with the slugs whose entry
    # key is not the stored one (None: not known)
    archived = None
    if store is not None and ed_pieces is not None and theme.builtin >= _ARCHIVE_TEMPLATES:
        archived = _ArchivePieces(store, r._base_key(), entries, read=pieces is not None)
    edited: set[str] | None = None

    def made_from(out: str) -> Entry | tuple[Edition, int]:
        """What a page given by path is made from: its entry, or its edition (and which
        of the edition's pages it is)."""
        if out in by_out:
            return by_out[out]
        if out in ed_by_out:
            return ed_by_out[out]
        deps = known[out][0]
        if type(deps[0]) is str and deps[0] == "edition":  # (an edition's, see news_pages)
            ed = deps[1]
            return ed, _edition_outs(ed).index(out)
        return deps[0]  # (the entry: the same object, see below)

    def remake(out: str) -> _Job:
        if out in makers:
            return makers[out][1]()
        if out == _ARCHIVE_OUT and archive_stored is not None:
            return archive_job()
        got = made_from(out)
        if isinstance(got, Entry):
            return article_job(got)
        return _edition_jobs(got[0], site, stories)[got[1]]

    def named(out: str) -> str:  # (its job's source, without the job)
        if out in makers:
            return makers[out][0]
        if out == _ARCHIVE_OUT and archive_stored is not None:
            return "archive.html"
        got = made_from(out)
        return got.article.path if isinstance(got, Entry) else _edition_sources(got[0])[got[1]]

    def again(out: str, source: str, deps: tuple[Any, ...], make: Callable[[], _Job]) -> Any:
        """A page made of all articles (or editions): the last build's again when they are
        the same objects in the same order (compared, not made: its job would walk them)."""
        last = known.get(out)
        if last is not None and _same(last[0], deps):
            return _Again(out, source, last[1], deps, make)
        job = make()
        job.deps = deps  # (kept with its key for the next build, see Kept)
        return job

    deps = ("archive.html", *entries) if edit is None else ()

    def archive_job() -> _Job:
        archive = {"groups": archive_groups(entries), "title": "Archive", "kind": "archive"}
        shown = archive_key(archive) if theme.builtin >= _ARCHIVE_TEMPLATES else None
        got = deps or ("archive.html", *entries)
        return _Job("archive.html", "archive/", "archive.html", archive, keyed=shown, deps=got)

    front = functools.partial(front_page, entries, news, nav)
    if edit is not None:
        assert kept is not None
        yield from edit.pages(
            r,
            kept,
            entries,
            news,
            by_slug,
            stories,
            work,
            makers,
            article_job,
            front,
            archive_job,
            remake,
            named,
        )
        yield from static_pages(theme.static_dirs)
        r.flush()
        _keep(
            r,
            keep,
            entries,
            edit.shape.front if edit.front is None else edit.front,
            sections,
            section_names,
            tags,
            tag_names,
            all_tags,
            edit.story_pages,
            news.editions,
            makers,
        )
        return
    eds = news.editions[: news.front_days + 1]
    work.append(again("index.html", "index.html", ("index.html", *eds, *entries), front))
    makers["index.html"] = ("index.html", front)

    again_made = _ArticlesAgain.of(entries, by_slug, kept, news.stories)
    if again_made is not None:  # (a session's: see _ArticlesAgain)
        unchanged += again_made.unchanged
        work.extend(map(article_job, again_made.made))
        r.articles = again_made.kept
    elif kept is not None:
        before = kept.entries
        changed = {s for s, e in by_slug.items() if before.get(s) is not e}
        changed.update(before.keys() - by_slug.keys())
        last_deps = kept.deps
        of = news.stories.story_of
        for e in entries:
            a = e.article
            out = _out(a.url)
            last = last_deps.get(out)
            if (
                last is not None
                and last[0][0] is e
                and last[0][1] is of(a.slug)
                and (not changed or changed.isdisjoint([x.slug for x in e.related]))
            ):
                unchanged.append(out)
            else:
                work.append(article_job(e))
    elif pieces is not None and keep is None:
        fresh: list[Entry] = []
        made = fresh
        changed = {s for s, e in by_slug.items() if pieces.get(s, _NO_PIECES)[0] != e.key}
        changed.update(pieces.keys() - by_slug.keys())
        edited = changed
        for e in entries:
            a = e.article
            got = pieces.get(a.slug)
            if (
                got is not None
                and a.slug not in changed
                and got[1] == told(a.slug)
                and (not changed or changed.isdisjoint([x.slug for x in e.related]))
            ):
                out = _out(a.url)
                unchanged.append(out)
                stored[out] = got[2]
                by_out[out] = e
            else:
                work.append(article_job(e))
                fresh.append(e)
    else:
        work.extend(article_job(e) for e in entries)
    r.entries = by_slug
    work += news_pages(
        entries,
        news,
        site,
        stories,
        kept.deps if kept is not None else None,
        kept.editions if kept is not None else None,
        r.editions,
        unchanged if kept is not None else None,
        kept.lines if kept is not None else None,
        r.lines,
        ed_pieces,
        makers,
    )
    if ed_pieces is not None:
        unchanged += ed_pieces.stored
        stored.update(ed_pieces.stored)
    for s in sorted(sections):
        listed = r.listing("list.html", f"{s}/", sections[s], **_section_context(s, section_names))
        work += listed
        makers.update((job.out, (job.source, functools.partial(_given, job))) for job in listed)
    for s in sorted(tags):
        listed = r.listing("list.html", f"tags/{s}/", tags[s], **_tag_context(s, tag_names))
        work += listed
        makers.update((job.out, (job.source, functools.partial(_given, job))) for job in listed)
    work.append(_tags_job(all_tags))
    makers[_ARCHIVE_OUT] = ("archive.html", archive_job)

    last = known.get(_ARCHIVE_OUT)
    archive_stored = (
        archived.key(by_slug, edited) if archived is not None and edited is not None else None
    )
    if (
        last is not None
        and theme.builtin >= _ARCHIVE_TEMPLATES
        and kept is not None
        and _archive_same(kept.entries, by_slug)
    ):  # (what the built-in archive shows of its articles is the same: see archive_key)
        work.append(_Again(_ARCHIVE_OUT, "archive.html", last[1], deps, archive_job))
    elif archive_stored is not None:  # (a new process's, by path: see _ArchivePieces)
        unchanged.append(_ARCHIVE_OUT)
        stored[_ARCHIVE_OUT] = archive_stored
    else:
        work.append(again(_ARCHIVE_OUT, "archive.html", deps, archive_job))
    work.append(_not_found_job())
    yield from r.pages(work, unchanged, remake, stored, named)
    yield from static_pages(theme.static_dirs)
    r.flush()
    if store is not None and r.kept is None:
        _store_pieces(store, r._base_key(), entries, r.state, told, pieces, made)
    if ed_pieces is not None:
        ed_pieces.save(news.editions, r.state)
    if archived is not None:
        archived.save(entries, r.state, archive_stored is not None)
    if keep is not None:
        front_shows = _front_slugs(front()) if r.store is not None else frozenset()
        _keep(
            r,
            keep,
            entries,
            front_shows,
            sections,
            section_names,
            tags,
            tag_names,
            all_tags,
            news.stories.pages,
            news.editions,
            makers,
        )


def _keep(
    r: Renderer,
    keep: list[Kept] | None,
    entries: Sequence[Entry],
    front: frozenset[str],
    sections: dict[str, list[Entry]],
    section_names: dict[str, str],
    tags: dict[str, list[Entry]],
    tag_names: dict[str, str],
    all_tags: list[dict[str, Any]],
    story_pages: tuple[Story, ...],
    eds: tuple[Edition, ...],
    makers: dict[str, tuple[str, Callable[[], _Job]]],
) -> None:
    """What render_site keeps for the next build of a session (see Kept)."""
    if keep is None:
        return
    if r.articles is None:
        r.articles = _ArticlesAgain.fresh(entries)
    if r.complete:
        digests = r.digests
        if digests is None:  # (a build without a session's last: every page in state)
            digests = {out: got[1] for out, got in r.state.items()}
        r.shape = _Shape(
            entries,
            sections,
            section_names,
            tags,
            tag_names,
            all_tags,
            story_pages,
            eds,
            front,
            makers,
            digests,
        )
    now = r.kept_now()
    if now is not None:
        keep.append(now)


def _listed(
    entries: Sequence[Entry],
) -> tuple[dict[str, list[Entry]], dict[str, str], dict[str, list[Entry]], dict[str, str]]:
    """The entries of each section and tag (by slug, in the entries' order), and each
    one's name."""
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
            ts = tag_slug(t)
            tags[ts].append(e)
            if ts not in tag_names or (tag_names[ts].islower() and not t.islower()):
                tag_names[ts] = t  # the display case from front matter, a cased form first
    return sections, section_names, tags, tag_names


def _section_context(s: str, names: dict[str, str]) -> dict[str, Any]:
    return {"title": names[s], "kind": "section", "feed_base": f"{s}/"}


def _tag_context(s: str, names: dict[str, str]) -> dict[str, Any]:
    return {"title": names[s], "kind": "tag", "feed_base": None}


def _tags_job(all_tags: list[dict[str, Any]]) -> _Job:
    tags_ctx = {"tags": all_tags, "title": "Tags", "kind": "tags"}
    return _Job("tags.html", "tags/", "tags.html", tags_ctx, keyed=tags_ctx)  # (plain)


def _not_found_job() -> _Job:
    return _Job("404.html", "404.html", "404.html", {"title": "Page not found", "kind": "404"})


def _given(job: _Job) -> _Job:
    return job


FRONT_SECTION_LINKS = 4  # latest articles per section block on the front page


def front_page(
    entries: Sequence[Entry], news: News, sections: Sequence[dict[str, Any]] = ()
) -> _Job:
    """The front page: the latest editions (``front.days``); ``entries`` are their
    articles (for themes that list entries), newest first; then a block per section
    with its latest articles not already shown above."""
    latest = list(news.editions[: news.front_days])
    shown = {e.article.slug for ed in latest for it in ed.items for e in it.entries}
    latest_of: dict[str, list[Entry]] = {s["slug"]: [] for s in sections}
    short = len(latest_of)  # sections with fewer than FRONT_SECTION_LINKS so far
    for e in entries:  # (one pass, ended when every section has its links)
        got = latest_of.get(e.article.section_slug)
        if got is None or len(got) == FRONT_SECTION_LINKS or e.article.slug in shown:
            continue
        got.append(e)
        if len(got) == FRONT_SECTION_LINKS:
            short -= 1
            if not short:
                break
    blocks = []
    for s in sections:
        got = latest_of[s["slug"]]
        if got:
            blocks.append({"slug": s["slug"], "name": s["name"], "url": s["url"], "entries": got})
    ctx = {
        "section_blocks": blocks,
        "editions": latest,
        "entries": [e for e in entries if e.article.slug in shown],
        "pager": Pager(1, 1, ""),
        "older": news.editions[news.front_days].url
        if len(news.editions) > news.front_days
        else None,
        "title": None,
        "kind": "home",
    }
    return _Job("index.html", "", "index.html", ctx)


def news_pages(
    entries: Sequence[Entry],
    news: News,
    site: SiteConfig,
    stories: dict[int, Any] | None = None,
    known: dict[str, tuple[tuple[Any, ...], str]] | None = None,
    again: dict[str, tuple[Edition, tuple[_Again, ...]]] | None = None,
    again_now: dict[str, tuple[Edition, tuple[_Again, ...]]] | None = None,
    unchanged: list[str] | None = None,
    lines_kept: dict[str, _Line] | None = None,
    lines_now: dict[str, _Line] | None = None,
    pieces: _EditionPieces | None = None,
    makers: dict[str, tuple[str, Callable[[], _Job]]] | None = None,
) -> list[_Job | _Again]:
    """Story pages, edition pages with their email edition, and the editions index
    (``stories``: id(story) -> its identity, as far as made, see article_ident;
    ``known``: the pages of a session's last build with what they were made from and
    their keys, see Kept.deps; ``again``: the editions whose pages it made again, with
    those pages (see Kept.editions), under the same base as ``known``; ``again_now``
    gets this build's; ``lines_kept``, ``lines_now``: the editions index's lines, see
    _editions_index).  ``pieces``: a new process's (see _EditionPieces): the pages of
    an edition as stored are left to it (taken by path), and the index's key is made
    from the lines' digests it knows.  ``makers`` gets the jobs of the story pages and
    the editions index (see _Shape)."""
    by_slug = {e.article.slug: e for e in entries}
    stories = {} if stories is None else stories
    work: list[_Job | _Again] = []
    for s in news.stories.pages:
        job = _story_job(s, by_slug)
        work.append(job)
        if makers is not None:
            makers[job.out] = (job.source, functools.partial(_given, job))
    for ed in news.editions:
        # the three pages of an edition show the edition and nothing else: when it is
        # the object a session's last build made them from, they are those pages again
        got = again.get(ed.key) if again is not None and known else None
        if got is not None and got[0] is ed:
            if unchanged is not None:  # (by path only: see Renderer.pages)
                unchanged += [page.out for page in got[1]]
            else:
                work += got[1]  # (made by the build before: nothing to make or compare)
            if again_now is not None:
                again_now[ed.key] = got
            continue
        if pieces is not None and pieces.same(ed):
            continue
        deps = ("edition", ed)
        outs = _edition_outs(ed)
        lasts = [known.get(out) for out in outs] if known else ()
        if lasts and all(last is not None and _same(last[0], deps) for last in lasts):
            sources = _edition_sources(ed)
            pages = []
            for n, (out, source, last) in enumerate(zip(outs, sources, lasts, strict=True)):
                assert last is not None
                make = functools.partial(_nth, functools.partial(_edition_jobs, ed, site), n)
                pages.append(_Again(out, source, last[1], deps, make))
            work += pages
            if again_now is not None:
                again_now[ed.key] = (ed, tuple(pages))
        else:
            work += _edition_jobs(ed, site, stories)
    index_deps = ("editions.html", *news.editions)
    last = known.get("editions/index.html") if known else None
    lines_kept = lines_kept if lines_kept is not None and known else {}
    index = functools.partial(_editions_index, news.editions, index_deps, lines_kept, lines_now)
    if makers is not None:
        makers["editions/index.html"] = ("editions.html", index)
    if last is not None and _same(last[0], index_deps):  # (the same editions: the same page)
        work.append(_Again("editions/index.html", "editions.html", last[1], index_deps, index))
        if lines_now is not None:
            lines_now.update(lines_kept)
    elif pieces is not None and pieces.before is not None:  # (lines made only if rendered)
        lines = [pieces.lines[ed.key] for ed in news.editions]
        key = _digest([pieces.base, "editions.html", "editions/", _index_context(lines)])
        work.append(_Again("editions/index.html", "editions.html", key, index_deps, index))
    else:
        work.append(index())
    return work


def _story_job(s: Story, by_slug: dict[str, Entry]) -> _Job:
    """A story's page."""
    members = [by_slug[a] for a in s.articles]
    ctx = {"story": s, "entries": members, "title": s.title, "kind": "story"}
    deps = ("story.html", s, *members)
    return _Job("story.html", s.url, f"story {s.slug}", ctx, deps=deps)


def _index_job(eds: Sequence[Edition], lines: dict[str, _Line]) -> _Job:
    """The editions index, with the lines ``lines`` holds (those it lacks added)."""
    return _editions_index(eds, ("editions.html", *eds), lines, lines)


def _front_slugs(job: _Job) -> frozenset[str]:
    """The slugs of the articles the front page (its job) shows."""
    ctx = job.context
    shown = {e.article.slug for e in ctx["entries"]}
    shown.update(e.article.slug for block in ctx["section_blocks"] for e in block["entries"])
    return frozenset(shown)


# An edition with its line of the editions index and that line's digest (see _line_digest)
_Line = tuple[Edition, dict[str, Any], str]


def _editions_index(
    eds: Sequence[Edition],
    deps: tuple[Any, ...],
    lines_kept: dict[str, _Line] | None = None,
    lines_now: dict[str, _Line] | None = None,
) -> _Job:
    """The editions index; the line of an edition that is the object a session's last
    build showed is that build's line (``lines_kept``, by key; ``lines_now`` gets this
    build's): an edit changes one edition of 3,000."""
    lines, digests = [], []
    for ed in eds:
        got = lines_kept.get(ed.key) if lines_kept else None
        if got is None or got[0] is not ed:
            line = _edition_line(ed)
            got = (ed, line, _line_digest(line))
        lines.append(got[1])
        digests.append(got[2])
        if lines_now is not None:
            lines_now[ed.key] = got
    ctx, keyed = _index_context(lines), _index_context(digests)
    return _Job("editions.html", "editions/", "editions.html", ctx, keyed=keyed, deps=deps)


def _index_context(lines: list[Any]) -> dict[str, Any]:
    """The editions index's context; with each line as its digest, its identity (a new
    process knows the digests of the editions an edit left alone, see _EditionPieces,
    and makes no line unless the page is rendered)."""
    return {"editions": lines, "title": "Editions", "kind": "editions"}


def _line_digest(line: dict[str, Any]) -> str:
    return _digest(line)


def _edition_outs(ed: Edition) -> tuple[str, str, str]:
    """The files of an edition's three pages (see _edition_jobs)."""
    return (_out(ed.url), ed.url + "email.html", ed.url + "email.txt")


def _edition_sources(ed: Edition) -> tuple[str, str, str]:
    """The sources of an edition's three pages, as messages name them."""
    return (f"edition {ed.key}", f"email {ed.key}", f"email ({ed.key})")


def _edition_jobs(
    ed: Edition, site: SiteConfig, stories: dict[int, Any] | None = None
) -> list[_Job]:
    """The three pages of an edition: its page, its email edition as HTML and as text."""
    stories = {} if stories is None else stories
    # (its identity made only when a page's key is not known from a session's last build)
    told = _Lazy(functools.partial(edition_ident, ed, stories))
    deps = ("edition", ed)
    sources = _edition_sources(ed)
    ctx = {"edition": ed, "title": ed.label, "kind": "edition"}
    page = _Job("edition.html", ed.url, sources[0], ctx, keyed=told, deps=deps)
    ctx = {"edition": ed, "title": ed.label, "kind": "email"}
    out = ed.url + "email.html"
    html = _Job("email.html", out, sources[1], ctx, keyed=told, deps=deps)
    # the plain-text email: written by code, kept like a page (re-made only when its
    # edition changed: 3,000 editions wrapped at 72 columns took 0.4 s)
    make = functools.partial(_email_text, ed, site)
    out = ed.url + "email.txt"
    text = _Job("<email.txt>", out, sources[2], {"edition": ed}, make, told, deps)
    return [page, html, text]


def _nth(make: Callable[[], list[_Job]], n: int) -> _Job:
    return make()[n]


def _email_text(ed: Edition, site: SiteConfig) -> bytes:
    return newsletter.email_text(ed, site).encode("utf-8")


def _edition_line(ed: Edition) -> dict[str, Any]:
    """What the editions index shows of an edition (not its whole content: the
    index page need not be re-rendered when a summary changes)."""
    lead = ed.items[0] if ed.items else None
    return {
        "key": ed.key,
        "label": ed.label,
        "url": ed.url,
        "stories": len(ed.items),
        "articles": ed.articles,
        "lead": {"title": lead.title, "url": lead.story.url} if lead else None,
    }


# The built-in archive page shows each article's date, URL, title and source only: made
# from the built-in templates, it is keyed by those, so an edit of an article's text or
# summary (or a related link) does not render its 10,000 lines again
_ARCHIVE_TEMPLATES = frozenset({"archive.html", "base.html"})


def archive_key(archive: dict[str, Any]) -> dict[str, Any]:
    """What the built-in archive.html shows of its context (see _Job.keyed)."""
    groups = [
        [
            g["year"],
            g["month"],
            g["label"],
            [_archive_row(e.article) for e in g["entries"]],
        ]
        for g in archive["groups"]
    ]
    return {**archive, "groups": groups}


def _archive_same(before: dict[str, Entry], now: dict[str, Entry]) -> bool:
    """The same articles in the same order (both by slug, in the order of the site's
    entries), each with the same date, URL, title and source: what the built-in archive
    shows (see archive_key).  Only the entries that are other objects are compared."""
    if len(before) != len(now) or list(before) != list(now):
        return False
    for slug, e in now.items():
        last = before[slug]
        if last is not e and _archive_row(last.article) != _archive_row(e.article):
            return False
    return True


def _archive_row(a: Article) -> tuple[str, str, str, str | None]:
    return (a.date.isoformat(), a.url, a.title, a.source)


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


# ---------------------------------------------------------------- standalone pages


def menu_links(pages: Sequence[Entry]) -> list[dict[str, Any]]:
    """The site menu's links to standalone pages (About, Contact), in the order given
    (by weight, then title: see digest.collect): templates get them as ``site_pages``."""
    return [{"title": e.article.title, "url": e.article.url} for e in pages]


def section_nav(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The ``sections`` of the navigation, as render_site gives them to its pages."""
    counts: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for e in entries:
        if e.article.section_slug:
            counts[e.article.section_slug] += 1
            names.setdefault(e.article.section_slug, e.article.section)
    return [
        {"slug": s, "name": names[s], "url": f"{s}/", "count": counts[s]} for s in sorted(counts)
    ]


def section_nav_again(
    entries: Sequence[Entry], last: tuple[Sequence[Entry], list[dict[str, Any]]] | None
) -> tuple[Sequence[Entry], list[dict[str, Any]]]:
    """section_nav (with the entries it was made of): a session's last build's (``last``)
    when the entries are its own but a few, each in the same section."""
    if last is not None:
        places = _moved(entries, last[0], _Edit.FEW)
        then = last[0]
        if places is not None and all(
            entries[i].article.section_slug == then[i].article.section_slug
            and entries[i].article.section == then[i].article.section
            for i in places
        ):
            return entries, last[1]
    return entries, section_nav(entries)


def standalone_pages(
    pages: Sequence[Entry],
    entries: Sequence[Entry],
    theme: Theme,
    site: SiteConfig,
    extra: dict[str, Any] | None = None,
) -> Iterator[Page]:
    """Each standalone page rendered with ``page.html`` (under the override rules, as
    every template), with the navigation of the articles' pages.  Few and small:
    always rendered, never cached."""
    extra = extra or {}
    nav = extra["sections"] if "sections" in extra else section_nav(entries)
    r = Renderer(theme, site, {**extra, "sections": nav})
    work = [
        _Job(
            "page.html",
            e.article.url,
            e.article.path,
            {"entry": e, "article": e.article, "title": e.article.title, "kind": "page"},
        )
        for e in pages
    ]
    yield from r.pages(work)
