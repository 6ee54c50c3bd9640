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
}

RELATED_SCHEMA: dict[str, Opt] = {
    "count": Opt("int", 5, "Related links per article.", minimum=0, maximum=50),
    "min_score": Opt(
        "float", 0.08, "Lowest similarity (0-1) a related link may have.", minimum=0.0, maximum=1.0
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
    "summary": Opt("section", None, "Summary settings.", schema=SUMMARY_SCHEMA),
    "related": Opt("section", None, "Related-links settings.", schema=RELATED_SCHEMA),
    "pagination": Opt("section", None, "Pagination settings.", schema=PAGINATION_SCHEMA),
    "sources": Opt(
        "map",
        {},
        "Per-folder defaults: `sources: {folder/under/content: {source, "
        "source_url, section, tags}}`.",
        schema=SOURCE_SCHEMA,
    ),
}


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class SummaryConfig:
    method: str = "news"
    sentences: int = 3
    ratio: float | None = None


@dataclass(frozen=True)
class RelatedConfig:
    count: int = 5
    min_score: float = 0.08


@dataclass(frozen=True)
class FolderDefaults:
    source: str | None = None
    source_url: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentConfig:
    """What the load stage needs."""

    dir: Path
    root: Path  # the site root; messages name files relative to it
    language: str = "en"
    author: str | None = None
    raw_html: bool = False
    drafts: bool = False
    sources: Mapping[str, FolderDefaults] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteConfig:
    """What render and feeds need."""

    title: str = "My digest"
    description: str = ""
    base_url: str = "/"
    language: str = "en"
    date_format: str = "%-d %B %Y"
    per_page: int = 10
    cname: str | None = None

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
    theme: ThemeConfig
    output_dir: Path
    cache_dir: Path


# ---------------------------------------------------------------- loading


def _line_map(
    text: str, duplicates: list[tuple[str, int, int]] | None = None
) -> dict[tuple[str, ...], int]:
    """Key path -> 1-based line of the key in the YAML text.

    Keys given twice in one mapping (YAML keeps the last silently) are appended to
    ``duplicates`` as (dotted key, line, first line).
    """
    lines: dict[tuple[str, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(n: yaml.Node, prefix: tuple[str, ...]) -> None:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    path = (*prefix, str(k.value))
                    if path in lines and duplicates is not None:
                        duplicates.append((".".join(path), k.start_mark.line + 1, lines[path]))
                    lines[path] = k.start_mark.line + 1
                    walk(v, path)

    if node is not None:
        walk(node, ())
    return lines


def yaml_error_problem(err: yaml.YAMLError, path: str, line_offset: int = 0) -> ConfigError:
    """A YAML syntax error as a DigestError with line and column."""
    from digest.load.frontmatter import yaml_error_message

    message, line = yaml_error_message(err)
    if line is not None:
        return ConfigError(f"YAML syntax error: {message}", path, line + 1 + line_offset)
    return ConfigError(f"YAML syntax error: {message}", path)


_THEME_NAME = re.compile(r"^[\w][\w.-]*$")


def _check_places(
    values: dict[str, Any],
    root: Path,
    where: Callable[[str], int | None],
    problems: Problems,
    path: str,
) -> None:
    """Folders site.yaml names: the build only ever writes inside the site folder.

    ``content_dir`` may be anywhere (it is only read).  ``output_dir`` and
    ``cache_dir`` must stay inside the site folder; writing elsewhere takes an
    explicit ``--output`` on the command line.  ``theme`` is a folder name.
    """
    theme = values.get("theme")
    if isinstance(theme, str) and (not _THEME_NAME.match(theme) or ".." in theme):
        problems.add(
            f"theme: {theme!r} is not a theme name",
            path,
            where("theme"),
            "a folder name under themes/, without '/' or '..'",
        )
        values["theme"] = SCHEMA["theme"].default
    content = os.path.normpath(root / values["content_dir"])
    for key in ("output_dir", "cache_dir"):
        value = values.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        target = os.path.normpath(root / value)
        bad = None
        if not target.startswith(str(root) + os.sep) and target != str(root):
            bad = "is outside the site folder"
        elif target == str(root):
            bad = "is the site folder itself"
        elif target == content or target.startswith(content + os.sep):
            bad = "is inside the content folder"
        elif content.startswith(target + os.sep):
            bad = "holds the content folder"
        if bad:
            hint = "use --output DIR to write the site elsewhere" if key == "output_dir" else None
            problems.add(f"{key}: {value!r} {bad}", path, where(key), hint)
            values[key] = SCHEMA[key].default


def _check(
    value: Any,
    opt: Opt,
    key: str,
    where: Callable[[str], int | None],
    problems: Problems,
    path: str,
) -> Any:
    """Validate one value against its Opt; returns the value to use."""
    line = where(key)

    def bad(msg: str) -> Any:
        problems.add(f"{key}: {msg}", path, line)
        return opt.default

    if value is None:
        if opt.nullable or opt.kind in ("section", "map"):
            return opt.default
        return bad("must not be empty")
    kind = opt.kind
    if kind in ("str", "path", "url", "choice"):
        if not isinstance(value, str) or isinstance(value, bool):
            return bad(f"expected text, got {_describe(value)}")
        if kind == "choice" and value not in opt.choices:
            hint = did_you_mean(value, opt.choices)
            return bad(
                f"{value!r} is not one of {', '.join(opt.choices)}" + (f"; {hint}" if hint else "")
            )
        if kind == "url":
            err = url_problem(value, allow_relative=True)
            if err:
                return bad(err)
        if kind == "path" and ("\x00" in value or not value.strip()):
            return bad("is not a usable path")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            return bad(f"expected true or false, got {_describe(value)}")
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad(f"expected a number, got {_describe(value)}")
        if kind == "int" and not isinstance(value, int):
            return bad(f"expected a whole number, got {value!r}")
        if opt.minimum is not None and value < opt.minimum:
            return bad(f"must be at least {opt.minimum:g} (got {value!r})")
        if opt.maximum is not None and value > opt.maximum:
            return bad(f"must be at most {opt.maximum:g} (got {value!r})")
        return value
    if kind == "list":
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return bad(f"expected a list of text, got {_describe(value)}")
        return value
    if kind == "section":
        if not isinstance(value, dict):
            return bad(f"expected a mapping of settings, got {_describe(value)}")
        return _check_mapping(value, opt.schema or {}, key + ".", where, problems, path)
    if kind == "map":
        if not isinstance(value, dict):
            return bad(f"expected a mapping, got {_describe(value)}")
        out = {}
        for name, sub in sorted(value.items(), key=lambda kv: str(kv[0])):
            subkey = f"{key}.{name}"
            if not isinstance(sub, dict):
                problems.add(
                    f"{subkey}: expected a mapping, got {_describe(sub)}", path, where(subkey)
                )
                continue
            out[str(name)] = _check_mapping(
                sub, opt.schema or {}, subkey + ".", where, problems, path
            )
        return out
    raise AssertionError(kind)  # pragma: no cover


def _check_mapping(
    data: Mapping[str, Any],
    schema: Mapping[str, Opt],
    prefix: str,
    where: Callable[[str], int | None],
    problems: Problems,
    path: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in data:
        if str(key) not in schema:
            hint = did_you_mean(str(key), schema)
            problems.add(
                f"{prefix}{key}: unknown setting",
                path,
                where(f"{prefix}{key}"),
                hint or f"known settings: {', '.join(sorted(schema))}",
            )
    for key, opt in schema.items():
        if key in data:
            out[key] = _check(data[key], opt, prefix + key, where, problems, path)
        elif opt.kind == "section":
            out[key] = _check_mapping(
                {}, opt.schema or {}, prefix + key + ".", where, problems, path
            )
        else:
            out[key] = opt.default
    return out


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


def url_problem(value: str, allow_relative: bool = True) -> str | None:
    """None when value is an http(s) URL (or, if allowed, a site-relative path)."""
    if any(ord(c) < 32 or ord(c) == 127 or c in _URL_UNSAFE for c in value.strip()):
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
    if not cfg_path.is_file():
        raise BuildError(
            [
                ConfigError(
                    "configuration file not found",
                    shown,
                    hint="run `digest init` to create a site, or pass --config PATH",
                ).problem
            ]
        )
    try:
        text = cfg_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError([ConfigError(f"cannot read: {exc}", shown).problem]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BuildError([yaml_error_problem(exc, shown).problem]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildError(
            [
                ConfigError(
                    f"expected a mapping of settings at the top level, got {_describe(data)}",
                    shown,
                    1,
                ).problem
            ]
        )
    duplicates: list[tuple[str, int, int]] = []
    lines = _line_map(text, duplicates)

    def where(key: str) -> int | None:
        return lines.get(tuple(key.split(".")))

    problems = Problems()
    for key, line, first in duplicates:
        problems.add(f"{key}: is given twice (first on line {first})", shown, line)
    values = _check_mapping(data, SCHEMA, "", where, problems, shown)
    _check_places(values, cfg_path.resolve().parent, where, problems, shown)
    if base_url is not None:
        err = url_problem(base_url)
        if err:
            problems.add(f"--base-url: {err}")
        else:
            values["base_url"] = base_url
    problems.raise_if_errors()
    return _build_config(cfg_path, values, output_dir, drafts)


def _build_config(
    cfg_path: Path, v: dict[str, Any], output_dir: str | None, drafts: bool
) -> Config:
    root = cfg_path.resolve().parent
    base_url = v["base_url"]
    if not base_url.endswith("/"):
        base_url += "/"
    sources = {
        k.strip("/"): FolderDefaults(s["source"], s["source_url"], s["section"], tuple(s["tags"]))
        for k, s in v["sources"].items()
    }
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
        ),
        content=ContentConfig(
            dir=root / v["content_dir"],
            root=root,
            language=v["language"],
            author=v["author"],
            raw_html=v["raw_html"],
            drafts=drafts,
            sources=sources,
        ),
        summary=SummaryConfig(**v["summary"]),
        related=RelatedConfig(**v["related"]),
        theme=ThemeConfig(name=v["theme"], site_dir=root),
        output_dir=Path(output_dir).resolve() if output_dir else root / v["output_dir"],
        cache_dir=root / v["cache_dir"],
    )
