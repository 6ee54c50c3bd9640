"""The ``config`` stage: the declared schema of site.yaml and its validation.

Every option is declared once in :data:`SCHEMA` (type, default, help).  The
validator walks the user's YAML, collects *every* problem with its key path
and line, and only then raises.  Unknown keys are errors with a "did you
mean" hint.  The result is a tree of frozen dataclasses; each pipeline stage
receives only its own section.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from digest.errors import BuildError, ConfigError, Problems, did_you_mean
from digest.paths import shown as shown_path
from digest.yamltext import line_map, safe_load, yaml_error_problem

CONFIG_NAME = "site.yaml"
SUMMARY_METHODS = ("news", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic")


@dataclass(frozen=True)
class Opt:
    """One declared option: its kind, default and one line of help."""

    kind: str  # str, int, float, bool, url, path, choice, list, map, section
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    schema: Mapping[str, Opt] | None = None  # for kind == "section"
    nullable: bool = False


ARTICLE_BODIES = ("full", "summary")

SUMMARY_SCHEMA: dict[str, Opt] = {
    "method": Opt(
        "choice",
        "news",
        "Summarizer: news (default, tuned for news), or a stock sumy "
        "method: lexrank, textrank, lsa, luhn, kl, sumbasic.",
        choices=SUMMARY_METHODS,
    ),
    "sentences": Opt(
        "int",
        3,
        "Summary length in sentences (an upper bound: short articles get fewer).",
        minimum=1,
        maximum=50,
    ),
    "ratio": Opt(
        "float",
        None,
        "Summary length as a share of the article's sentences (0-1]; "
        "when set it replaces `sentences`.",
        minimum=0.0,
        maximum=1.0,
        nullable=True,
    ),
    "words": Opt(
        "int",
        45,
        "Word budget of a summary on list pages (front, section, tag, edition): whole "
        "sentences while they fit, at least one. Article pages show key points instead.",
        minimum=5,
        maximum=500,
    ),
}

RELATED_SCHEMA: dict[str, Opt] = {
    "count": Opt("int", 5, "Related links per article.", minimum=0, maximum=50),
    "min_score": Opt(
        "float", 0.08, "Lowest similarity (0-1) a related link may have.", minimum=0.0, maximum=1.0
    ),
}

STORIES_SCHEMA: dict[str, Opt] = {
    "enabled": Opt(
        "bool", True, "Group articles about one story across outlets (`stories: false`: off)."
    ),
    "threshold": Opt(
        "float",
        0.065,
        "How alike (0-1) two groups of articles must be, on average over their pairs, to be "
        "told as one story; higher splits more.",
        minimum=0.0,
        maximum=1.0,
    ),
    "window_days": Opt(
        "int",
        3,
        "Articles further apart in time than this many days are never joined directly "
        "(a story can run longer through the articles between).",
        minimum=0,
        maximum=3650,
    ),
}

EDITION_PERIODS = ("daily", "weekly")

FRONT_SCHEMA: dict[str, Opt] = {
    "days": Opt(
        "int",
        1,
        "Latest editions shown on the front page (days with news; weeks when `editions: weekly`).",
        minimum=1,
        maximum=60,
    ),
}

PAGINATION_SCHEMA: dict[str, Opt] = {
    "size": Opt(
        "int", 10, "Articles per page on the front, section and tag pages.", minimum=1, maximum=1000
    ),
}

SOURCE_SCHEMA: dict[str, Opt] = {
    "source": Opt("str", None, "Publisher name for every article in the folder.", nullable=True),
    "source_url": Opt("url", None, "Publisher home page.", nullable=True),
    "section": Opt("str", None, "Section for every article in the folder.", nullable=True),
    "tags": Opt("list", [], "Tags added to every article in the folder."),
    "article_body": Opt(
        "choice",
        None,
        "What an article page shows: `full` (the whole text) or `summary` (the summary and "
        "a prominent 'Read at <outlet>' link). Default: the site's `article_body`.",
        choices=ARTICLE_BODIES,
        nullable=True,
    ),
}

FEED_SCHEMA: dict[str, Opt] = {
    "url": Opt(
        "url", None, "The feed's address: RSS, Atom or JSON Feed (required).", nullable=True
    ),
    "section": Opt("str", None, "Section of every item (default: the folder).", nullable=True),
    "source": Opt("str", None, "Publisher name (default: the feed's title).", nullable=True),
    "tags": Opt("list", [], "Tags added to every item."),
    "fetch_pages": Opt(
        "bool",
        False,
        "Fetch each item's page and keep it as .html (read like a saved page) "
        "instead of the feed's own text.",
    ),
}

SCHEMA: dict[str, Opt] = {
    "title": Opt("str", "My digest", "Site title, shown in the header and feeds."),
    "description": Opt("str", "", "One-line description for the front page and feeds."),
    "base_url": Opt(
        "url",
        "/",
        "Where the site is published, e.g. https://user.github.io/repo/ "
        "(a subpath is honoured by every link). `--base-url` overrides it.",
    ),
    "language": Opt("str", "en", "Default language of articles (BCP 47 code, e.g. en, de)."),
    "author": Opt("str", None, "Default author of articles without one.", nullable=True),
    "theme": Opt(
        "str",
        "default",
        "Theme name: a folder under themes/ in the site, or the built-in `default`.",
    ),
    "content_dir": Opt("path", "content", "Folder of articles, relative to site.yaml."),
    "output_dir": Opt("path", "public", "Folder the site is written to. `--output` overrides it."),
    "cache_dir": Opt("path", ".digest-cache", "Folder for the build cache."),
    "cname": Opt(
        "str", None, "Custom domain for GitHub Pages; writes a CNAME file.", nullable=True
    ),
    "date_format": Opt("str", "%-d %B %Y", "strftime format for dates shown on pages."),
    "raw_html": Opt(
        "bool", False, "Allow raw HTML in Markdown unsanitized (only for trusted content)."
    ),
    "article_body": Opt(
        "choice",
        None,
        "What article pages show: `full` text, or `summary` and a 'Read at <outlet>' link. "
        "Default: full for Markdown, summary for scraped .txt/.html pages (someone else's "
        "published text).",
        choices=ARTICLE_BODIES,
        nullable=True,
    ),
    "summary": Opt("section", None, "Summary settings.", schema=SUMMARY_SCHEMA),
    "related": Opt("section", None, "Related-links settings.", schema=RELATED_SCHEMA),
    "stories": Opt("section", None, "Story grouping settings.", schema=STORIES_SCHEMA),
    "pagination": Opt("section", None, "Pagination settings.", schema=PAGINATION_SCHEMA),
    "editions": Opt(
        "choice",
        "daily",
        "Edition period: daily (/editions/YYYY-MM-DD/) or weekly, by ISO week "
        "(/editions/YYYY-Www/).",
        choices=EDITION_PERIODS,
    ),
    "front": Opt("section", None, "Front page settings.", schema=FRONT_SCHEMA),
    "sources": Opt(
        "map",
        {},
        "Per-folder defaults: `sources: {folder/under/content: {source, "
        "source_url, section, tags}}`.",
        schema=SOURCE_SCHEMA,
    ),
    "feeds": Opt(
        "map",
        {},
        "Feeds `digest fetch` reads, keyed by the folder under content/ their items go to: "
        "`feeds: {news/bbc: {url, section, source, tags, fetch_pages}}`.",
        schema=FEED_SCHEMA,
    ),
}


# ---------------------------------------------------------------- sections


def default(key: str) -> Any:
    """The declared default of an option by dotted key (``"summary.sentences"``).

    The section dataclasses below take their field defaults from here, so each
    default is written once, in the schema.  A list default comes back as a
    tuple (dataclass fields need immutable defaults).
    """
    schema: Mapping[str, Opt] = SCHEMA
    *sections, name = key.split(".")
    for section in sections:
        schema = schema[section].schema or {}
    value = schema[name].default
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class SummaryConfig:
    method: str = default("summary.method")
    sentences: int = default("summary.sentences")
    ratio: float | None = default("summary.ratio")
    words: int = default("summary.words")


@dataclass(frozen=True)
class RelatedConfig:
    count: int = default("related.count")
    min_score: float = default("related.min_score")


@dataclass(frozen=True)
class StoriesConfig:
    enabled: bool = default("stories.enabled")
    threshold: float = default("stories.threshold")
    window_days: int = default("stories.window_days")


@dataclass(frozen=True)
class EditionsConfig:
    """What the editions (digest.editions) and the front page need."""

    period: str = default("editions")
    front_days: int = default("front.days")


@dataclass(frozen=True)
class FolderDefaults:
    """Defaults for the articles of one folder (site.yaml ``sources:``, ``_source.yaml``)."""

    source: str | None = default("sources.source")
    source_url: str | None = default("sources.source_url")
    section: str | None = default("sources.section")
    tags: tuple[str, ...] = default("sources.tags")
    article_body: str | None = default("sources.article_body")
    # Not a site.yaml option: a section's _index.md with draft = true (see digest.load)
    draft: bool = False
    # Not a site.yaml option: the folder or one above it has an _index.md, so it holds
    # Hugo- or Zola-style content, whose undated or untitled files are pages (digest.load)
    sectioned: bool = False

    @classmethod
    def from_checked(cls, values: Mapping[str, Any]) -> FolderDefaults:
        """From the values :func:`check_mapping` gives for :data:`SOURCE_SCHEMA`."""
        return cls(
            values["source"],
            values["source_url"],
            values["section"],
            tuple(values["tags"]),
            values.get("article_body"),
        )

    def over(self, base: FolderDefaults) -> FolderDefaults:
        """These defaults, with ``base``'s wherever these leave one empty."""
        return FolderDefaults(
            source=self.source or base.source,
            source_url=self.source_url or base.source_url,
            section=self.section or base.section,
            tags=self.tags or base.tags,
            article_body=self.article_body or base.article_body,
            draft=self.draft or base.draft,
            sectioned=self.sectioned or base.sectioned,
        )


@dataclass(frozen=True)
class ContentConfig:
    """What the load stage needs."""

    dir: Path
    root: Path  # the site root; messages name files relative to it
    language: str = default("language")
    author: str | None = default("author")
    raw_html: bool = default("raw_html")
    drafts: bool = False  # a command-line flag (--drafts), not a site.yaml option
    article_body: str | None = default("article_body")
    sources: Mapping[str, FolderDefaults] = field(default_factory=lambda: dict(default("sources")))


@dataclass(frozen=True)
class SiteConfig:
    """What render and feeds need."""

    title: str = default("title")
    description: str = default("description")
    base_url: str = default("base_url")
    language: str = default("language")
    date_format: str = default("date_format")
    per_page: int = default("pagination.size")
    cname: str | None = default("cname")
    summary_words: int = default("summary.words")

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def absolute(self) -> bool:
        return bool(urlsplit(self.base_url).scheme)

    def absolute_url(self, path: str = "") -> str:
        """An absolute URL for a site-relative path (base_url + path)."""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return base + path.lstrip("/")


@dataclass(frozen=True)
class FeedConfig:
    """One ``feeds:`` entry: where its items come from and the folder they go to."""

    folder: str  # under the content folder, '/'-separated
    url: str
    section: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    fetch_pages: bool = default("feeds.fetch_pages")


@dataclass(frozen=True)
class FetchConfig:
    """What the fetch stage (``digest fetch``) needs."""

    content_dir: Path
    root: Path  # the site root; messages name files relative to it
    feeds: tuple[FeedConfig, ...] = ()


@dataclass(frozen=True)
class ThemeConfig:
    name: str
    site_dir: Path  # the site root, where themes/<name>/ and templates/ may live


@dataclass(frozen=True)
class Config:
    root: Path
    path: Path
    site: SiteConfig
    content: ContentConfig
    summary: SummaryConfig
    related: RelatedConfig
    stories: StoriesConfig
    theme: ThemeConfig
    output_dir: Path
    cache_dir: Path
    fetch: FetchConfig | None = None
    editions: EditionsConfig = EditionsConfig()


# ---------------------------------------------------------------- loading


_THEME_NAME = re.compile(r"^[\w][\w.-]*$")


def _check_places(values: dict[str, Any], root: Path, place: Place) -> None:
    """Folders site.yaml names: the build only ever writes inside the site folder.

    ``content_dir`` may be anywhere (it is only read).  ``output_dir`` and
    ``cache_dir`` must stay inside the site folder; writing elsewhere takes an
    explicit ``--output`` on the command line.  ``theme`` is a folder name.
    A bad value is a problem and its default is used instead.
    """
    theme = values.get("theme")
    if isinstance(theme, str) and (not _THEME_NAME.match(theme) or ".." in theme):
        place.problems.add(
            f"theme: {theme!r} is not a theme name",
            place.path,
            place.where("theme"),
            "a folder name under themes/, without '/' or '..'",
        )
        values["theme"] = SCHEMA["theme"].default
    content = os.path.normpath(root / values["content_dir"])
    for key in ("output_dir", "cache_dir"):
        value = values.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        bad = _written_folder_problem(os.path.normpath(root / value), str(root), content)
        if bad:
            hint = "use --output DIR to write the site elsewhere" if key == "output_dir" else None
            place.problems.add(f"{key}: {value!r} {bad}", place.path, place.where(key), hint)
            values[key] = SCHEMA[key].default


def _written_folder_problem(target: str, root: str, content: str) -> str | None:
    """Why the build may not write to ``target`` (all normalized paths), or None."""
    if not target.startswith(root + os.sep) and target != root:
        return "is outside the site folder"
    if target == root:
        return "is the site folder itself"
    if target == content or target.startswith(content + os.sep):
        return "is inside the content folder"
    if content.startswith(target + os.sep):
        return "holds the content folder"
    return None


def _output_option_problem(output: str, content: str) -> str | None:
    """Why ``--output`` may not be ``output``: it may be outside the site folder, but
    never inside the content folder (the next build would read its own pages).  (A
    folder holding the content is refused when publishing: it holds files digest did
    not write.)"""
    target = os.path.realpath(output)
    if target == content or target.startswith(content + os.sep):
        return "is inside the content folder"
    return None


# A host name as a CNAME file holds it: dot-separated labels of ASCII letters, digits
# and '-' (not at either end of a label), at most 253 characters.
_HOST_NAME = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z",
    re.ASCII,
)
# A BCP 47-like language tag: a subtag of letters, then subtags of letters or digits,
# joined by '-' ("en", "de", "pt-BR", "zh-Hant-TW", "es-419").
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z", re.ASCII)


def _check_names(values: dict[str, Any], place: Place) -> None:
    """``cname`` and ``language`` are written into files and pages as given (the
    ``CNAME`` file, ``lang=""``, the feeds): each must be what it claims to be.
    A bad value is a problem and its default is used instead."""
    cname = values.get("cname")
    if isinstance(cname, str):
        problem = cname_problem(cname) if cname else None
        if problem:
            message, hint = problem
            place.problems.add(f"cname: {message}", place.path, place.where("cname"), hint)
            values["cname"] = SCHEMA["cname"].default
    language = values.get("language")
    if isinstance(language, str):
        problem = language_problem(language)
        if problem:
            message, hint = problem
            place.problems.add(f"language: {message}", place.path, place.where("language"), hint)
            values["language"] = SCHEMA["language"].default


def _shown_value(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def cname_problem(value: str) -> tuple[str, str] | None:
    """(message, what to do) when ``value`` is not a bare host name, else None."""
    if _HOST_NAME.match(value):
        return None
    shown = _shown_value(value)
    parts = urlsplit(value.strip()) if "//" in value else None
    host = parts.hostname if parts is not None else None
    if host and _HOST_NAME.match(host):
        return f"{shown} is a URL, not a host name", f"write just the host name: cname: {host}"
    return (
        f"{shown} is not a host name",
        "a custom domain such as news.example.org: letters, digits, '-' and '.', "
        "without a scheme, path, spaces or other characters",
    )


def language_problem(value: str) -> tuple[str, str] | None:
    """(message, what to do) when ``value`` is not a BCP 47-like tag, else None."""
    if _LANGUAGE_TAG.match(value):
        return None
    shown = _shown_value(value)
    fixed = value.strip().replace("_", "-")
    if fixed != value and _LANGUAGE_TAG.match(fixed):
        return f"{shown} is not a language tag", f"write {fixed!r}"
    return (
        f"{shown} is not a language tag",
        "a BCP 47 code such as en, de or pt-BR: letters, digits and '-'",
    )


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class Rules:
    """How one kind of file is checked against a schema by :func:`check_mapping`.

    ``check`` turns one given value into the value to use (recording problems);
    ``unknown`` words a key the schema does not declare as (message, hint), from
    the key's prefix, the key and the schema.  site.yaml uses :data:`SITE_RULES`;
    ``_source.yaml`` reuses the same schema (:data:`SOURCE_SCHEMA`) with rules
    of its own (see ``digest.load.folder_defaults``).
    """

    check: Callable[[Any, At], Any]
    unknown: Callable[[str, str, Mapping[str, Opt]], tuple[str, str | None]]


@dataclass(frozen=True)
class Place:
    """The file being checked: its name as shown, its key lines, where problems go."""

    path: str
    where: Callable[[str], int | None]  # dotted key -> line
    problems: Problems
    rules: Rules


@dataclass(frozen=True)
class At:
    """One option being checked: its dotted key, its declaration and its file."""

    key: str
    opt: Opt
    place: Place

    def bad(self, message: str) -> Any:
        """Record ``key: message`` at the key's line; the default is used instead."""
        self.place.problems.add(f"{self.key}: {message}", self.place.path, self.line)
        return self.opt.default

    @property
    def line(self) -> int | None:
        return self.place.where(self.key)


def check_mapping(
    data: Mapping[Any, Any], schema: Mapping[str, Opt], place: Place, prefix: str = ""
) -> dict[str, Any]:
    """Every declared option's value to use, from ``data`` checked against ``schema``.

    Unknown keys are problems; a missing option takes its default (a missing
    section, its options' defaults).  Every problem is recorded, none stops the
    check.
    """
    for key in data:
        if str(key) not in schema:
            message, hint = place.rules.unknown(prefix, str(key), schema)
            place.problems.add(message, place.path, place.where(f"{prefix}{key}"), hint)
    out: dict[str, Any] = {}
    for key, opt in schema.items():
        if key in data:
            out[key] = place.rules.check(data[key], At(prefix + key, opt, place))
        elif opt.kind == "section":
            out[key] = check_mapping({}, opt.schema or {}, place, f"{prefix}{key}.")
        else:
            out[key] = opt.default
    return out


# One checker per option kind: (value, where it is) -> the value to use.  A value
# that does not fit is a problem at its key, and the option's default is used.
Checker = Callable[[Any, At], Any]


def _not_text(value: Any) -> str | None:
    if not isinstance(value, str) or isinstance(value, bool):
        return f"expected text, got {_describe(value)}"
    return None


def _check_str(value: Any, at: At) -> Any:
    problem = _not_text(value)
    return at.bad(problem) if problem else value


def _check_choice(value: Any, at: At) -> Any:
    problem = _not_text(value)
    if problem:
        return at.bad(problem)
    choices = at.opt.choices
    if value not in choices:
        hint = did_you_mean(value, choices)
        return at.bad(
            f"{value!r} is not one of {', '.join(choices)}" + (f"; {hint}" if hint else "")
        )
    return value


def _check_url(value: Any, at: At) -> Any:
    problem = _not_text(value) or url_problem(value, allow_relative=True)
    return at.bad(problem) if problem else value


def _check_path(value: Any, at: At) -> Any:
    problem = _not_text(value)
    if not problem and ("\x00" in value or not value.strip()):
        problem = "is not a usable path"
    return at.bad(problem) if problem else value


def _check_bool(value: Any, at: At) -> Any:
    if not isinstance(value, bool):
        return at.bad(f"expected true or false, got {_describe(value)}")
    return value


def _check_float(value: Any, at: At) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return at.bad(f"expected a number, got {_describe(value)}")
    return _check_range(value, at)


def _check_int(value: Any, at: At) -> Any:
    if isinstance(value, float):
        return at.bad(f"expected a whole number, got {value!r}")
    return _check_float(value, at)


def _check_range(value: float, at: At) -> Any:
    opt = at.opt
    if opt.minimum is not None and value < opt.minimum:
        return at.bad(f"must be at least {opt.minimum:g} (got {value!r})")
    if opt.maximum is not None and value > opt.maximum:
        return at.bad(f"must be at most {opt.maximum:g} (got {value!r})")
    return value


def _check_list(value: Any, at: At) -> Any:
    """A list of text; one text is read as a comma-separated list."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return at.bad(f"expected a list of text, got {_describe(value)}")
    return value


def _check_section(value: Any, at: At) -> Any:
    """A fixed group of options (``summary:``), each checked by its own declaration.
    A section with an ``enabled`` switch may be written as just true or false."""
    schema = at.opt.schema or {}
    if isinstance(value, bool) and "enabled" in schema:
        return check_mapping({"enabled": value}, schema, at.place, at.key + ".")
    if not isinstance(value, dict):
        return at.bad(f"expected a mapping of settings, got {_describe(value)}")
    return check_mapping(value, at.opt.schema or {}, at.place, at.key + ".")


def _check_map(value: Any, at: At) -> Any:
    """Names chosen by the user (``sources:`` folders), each a mapping of the same options."""
    if not isinstance(value, dict):
        return at.bad(f"expected a mapping, got {_describe(value)}")
    out = {}
    for name, sub in sorted(value.items(), key=lambda kv: str(kv[0])):
        entry = At(f"{at.key}.{name}", at.opt, at.place)
        if not isinstance(sub, dict):
            at.place.problems.add(
                f"{entry.key}: expected a mapping, got {_describe(sub)}", at.place.path, entry.line
            )
            continue
        out[str(name)] = check_mapping(sub, at.opt.schema or {}, at.place, entry.key + ".")
    return out


CHECKERS: dict[str, Checker] = {
    "str": _check_str,
    "path": _check_path,
    "url": _check_url,
    "choice": _check_choice,
    "bool": _check_bool,
    "int": _check_int,
    "float": _check_float,
    "list": _check_list,
    "section": _check_section,
    "map": _check_map,
}


def _check_setting(value: Any, at: At) -> Any:
    """A site.yaml value: empty only where the option allows it, else by its kind."""
    if value is None:
        if at.opt.nullable or at.opt.kind in ("section", "map"):
            return at.opt.default
        return at.bad("must not be empty")
    return CHECKERS[at.opt.kind](value, at)


def _unknown_setting(prefix: str, key: str, schema: Mapping[str, Opt]) -> tuple[str, str | None]:
    hint = did_you_mean(key, schema)
    return f"{prefix}{key}: unknown setting", hint or f"known settings: {', '.join(sorted(schema))}"


SITE_RULES = Rules(check=_check_setting, unknown=_unknown_setting)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"


_URL_UNSAFE = frozenset(' "<>\\^`{|}')


def _unsafe_in_url(c: str) -> bool:
    """A control character, or one that would break out of an HTML attribute."""
    return ord(c) < 32 or ord(c) == 127 or c in _URL_UNSAFE


def url_problem(value: str, allow_relative: bool = True) -> str | None:
    """None when value is an http(s) URL (or, if allowed, a site-relative path)."""
    if any(_unsafe_in_url(c) for c in value.strip()):
        return f"{value!r} is not a valid URL"
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return None
    if allow_relative and not parts.scheme and not parts.netloc and value.startswith("/"):
        return None
    return f"{value!r} is not an http(s) URL" + (
        " or a path starting with '/'" if allow_relative else ""
    )


def load_config(
    path: Path | str | None = None,
    *,
    base_url: str | None = None,
    output_dir: str | None = None,
    drafts: bool = False,
) -> Config:
    """Read and validate site.yaml; raises BuildError listing every problem."""
    cfg_path = Path(path) if path else Path.cwd() / CONFIG_NAME
    if cfg_path.is_dir():
        cfg_path = cfg_path / CONFIG_NAME
    shown = shown_path(cfg_path)
    text, data = _read_site_yaml(cfg_path, shown)
    problems = Problems()
    values = _check_site_yaml(text, data, cfg_path.resolve().parent, shown, problems)
    if base_url is not None:
        err = url_problem(base_url)
        if err:
            problems.add(f"--base-url: {err}")
        else:
            values["base_url"] = base_url
    if output_dir is not None:
        root = cfg_path.resolve().parent
        bad = _output_option_problem(output_dir, os.path.realpath(root / values["content_dir"]))
        if bad:
            problems.add(f"--output: {output_dir!r} {bad}", hint="choose a folder outside it")
    problems.raise_if_errors()
    return _build_config(cfg_path, values, output_dir, drafts)


def _read_site_yaml(cfg_path: Path, shown: str) -> tuple[str, dict[Any, Any]]:
    """(text, top-level mapping) of site.yaml; a file that cannot be read as one
    stops the build at once (there is nothing further to check)."""

    def stop(message: str, line: int | None = None, hint: str | None = None) -> BuildError:
        return BuildError([ConfigError(message, shown, line, hint).problem])

    if not cfg_path.is_file():
        raise stop(
            "configuration file not found",
            hint="run `digest init` to create a site, or pass --config PATH",
        )
    try:
        text = cfg_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise stop(f"cannot read: {exc}") from None
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise BuildError([yaml_error_problem(exc, shown).problem]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise stop(f"expected a mapping of settings at the top level, got {_describe(data)}", 1)
    return text, data


def _check_site_yaml(
    text: str, data: dict[Any, Any], root: Path, shown: str, problems: Problems
) -> dict[str, Any]:
    """Every option's value to use; each problem found is added to ``problems``."""
    duplicates: list[tuple[str, int, int]] = []
    lines = line_map(text, duplicates)

    def where(key: str) -> int | None:
        return lines.get(tuple(key.split(".")))

    for key, line, first in duplicates:
        problems.add(f"{key}: is given twice (first on line {first})", shown, line)
    place = Place(shown, where, problems, SITE_RULES)
    values = check_mapping(data, SCHEMA, place)
    _check_places(values, root, place)
    _check_names(values, place)
    _check_feeds(values, place)
    return values


def _check_feeds(values: dict[str, Any], place: Place) -> None:
    """Each ``feeds:`` entry needs an absolute http(s) ``url`` and a folder name that
    stays inside the content folder; a bad entry is a problem and is left out."""
    for folder, feed in list(values["feeds"].items()):
        key = f"feeds.{folder}"
        parts = folder.strip("/").split("/")
        if not folder.strip("/") or any(
            p in ("", ".", "..") or p.startswith((".", "_")) for p in parts
        ):
            place.problems.add(
                f"{key}: {folder!r} is not a folder name under the content folder",
                place.path,
                place.where(key),
                "e.g. news/bbc: no '..', no leading '.' or '_'",
            )
            del values["feeds"][folder]
            continue
        url = feed["url"]
        problem = "is required" if url is None else url_problem(url, allow_relative=False)
        if problem:
            line = place.where(f"{key}.url") or place.where(key)
            place.problems.add(f"{key}.url: {problem}", place.path, line)
            del values["feeds"][folder]


def _build_config(
    cfg_path: Path, v: dict[str, Any], output_dir: str | None, drafts: bool
) -> Config:
    root = cfg_path.resolve().parent
    base_url = v["base_url"]
    if not base_url.endswith("/"):
        base_url += "/"
    sources = {k.strip("/"): FolderDefaults.from_checked(s) for k, s in v["sources"].items()}
    return Config(
        root=root,
        path=cfg_path,
        site=SiteConfig(
            title=v["title"],
            description=v["description"],
            base_url=base_url,
            language=v["language"],
            date_format=v["date_format"],
            per_page=v["pagination"]["size"],
            cname=v["cname"],
            summary_words=v["summary"]["words"],
        ),
        content=ContentConfig(
            dir=root / v["content_dir"],
            root=root,
            language=v["language"],
            author=v["author"],
            raw_html=v["raw_html"],
            drafts=drafts,
            sources=sources,
            article_body=v["article_body"],
        ),
        summary=SummaryConfig(**v["summary"]),
        related=RelatedConfig(**v["related"]),
        stories=StoriesConfig(**v["stories"]),
        theme=ThemeConfig(name=v["theme"], site_dir=root),
        editions=EditionsConfig(period=v["editions"], front_days=v["front"]["days"]),
        output_dir=Path(output_dir).resolve() if output_dir else root / v["output_dir"],
        cache_dir=root / v["cache_dir"],
        fetch=FetchConfig(
            content_dir=root / v["content_dir"],
            root=root,
            feeds=tuple(
                FeedConfig(
                    k.strip("/"),
                    f["url"],
                    f["section"],
                    f["source"],
                    tuple(f["tags"]),
                    f["fetch_pages"],
                )
                for k, f in v["feeds"].items()
            ),
        ),
    )
