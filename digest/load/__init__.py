"""The ``load`` stage: find sources under content/, read them, validate metadata.

Readers are chosen by file extension from :data:`READERS`; each turns text
into a :class:`~digest.model.Parsed`.  Validation is shared by every reader
and collects every problem (with file and line) before the build stops.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import html
import os
import re
import stat
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from digest.config import (
    SOURCE_SCHEMA,
    SUMMARY_METHODS,
    ContentConfig,
    FolderDefaults,
    Opt,
    Place,
    Rules,
    check_mapping,
    url_problem,
)
from digest.errors import ContentError, Problem, Problems, did_you_mean
from digest.htmltext import paragraphs_and_text
from digest.languages import named as named_language
from digest.load.decode import decode
from digest.load.frontmatter import parse_yaml_mapping
from digest.load.keys import FOREIGN_KEYS, author_name, read_foreign
from digest.load.markdown import read_markdown, render_markdown, sanitize
from digest.load.shortcodes import expand as expand_shortcodes
from digest.model import Article, Parsed
from digest.paths import shown as _shown
from digest.paths import told_apart
from digest.slugs import slugify

Reader = Callable[[str, str], Parsed]


# The readers of scraped pages (and the cleaner they use, tens of milliseconds to import)
# are imported when a scraped page is read: a Markdown site's build never needs them.
def read_scraped_text(text: str, path: str, common: frozenset[str] = frozenset()) -> Parsed:
    """A scraped ``.txt`` page (see :func:`digest.load.scraped.read_scraped_text`)."""
    from digest.load.scraped import read_scraped_text as read

    return read(text, path, common)


def read_html_page(text: str, path: str) -> Parsed:
    """A saved HTML page (see :func:`digest.load.scraped.read_html_page`)."""
    from digest.load.scraped import read_html_page as read

    return read(text, path)


READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_scraped_text,
    ".html": read_html_page,
    ".htm": read_html_page,
}

# Scraped pages: one that cannot be read or cleaned is skipped with a warning (Markdown
# sources, written by hand, keep their errors).
SCRAPED_SUFFIXES = frozenset((".txt", ".html", ".htm"))
FOLDER_DEFAULTS_FILE = "_source.yaml"
# A long news feature is ~100 KB and a whole novel ~3 MB; a 5 MB article builds in a
# few seconds.  Anything bigger is refused before it is read, so build time and memory
# stay bounded whatever lands in content/.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Markdown costs more: Python-Markdown renders ~1 MB/s of prose, and lists, raw HTML and
# links several times slower.  A long feature is ~200 KB of Markdown, a novel ~1 MB.
MAX_MARKDOWN_BYTES = 1024 * 1024
MARKDOWN_SUFFIXES = frozenset((".md", ".markdown"))
MARKDOWN_TOO_LARGE_HINT = (
    "split it into several articles; a long text written elsewhere can be saved as a .txt "
    "or .html page instead (those may be 5 MiB)"
)
# URL paths the site itself uses at the top level: no section or root-level slug may take them.
RESERVED_NAMES = frozenset({"tags", "archive", "page", "static", "404.html", "index.html"})

KNOWN_KEYS = (
    "title",
    "date",
    "updated",
    "author",
    "section",
    "tags",
    "source",
    "source_url",
    "image",
    "image_alt",
    "summary",
    "summary_method",
    "related",
    "slug",
    "draft",
    "language",
    "description",
    "credit",
)
PAGES_FOLDER = "pages"  # files under content/pages/ are pages, not articles
# A file directly in content/ (in no folder) with one of these names is a page too, as
# Hugo's content/about.md is: the names of the pages a site has beside its news.  Other
# root-level files (2026-01-01-a.md) stay articles.
PAGE_NAMES = frozenset(
    {
        "about",
        "about-us",
        "contact",
        "imprint",
        "impressum",
        "privacy",
        "privacy-policy",
        "terms",
        "legal",
        "sources",
        "colophon",
        "faq",
        "subscribe",
        "newsletter",
        "team",
        "masthead",
        "corrections",
        "ethics",
    }
)
# "post.fr.md": a file in another language (Hugo's multilingual file names).
_LANGUAGE_SUFFIX = re.compile(r"^(.+)\.([a-z]{2,3}(?:[-_][A-Za-z]{2,4})?)$")
# A page's date when it gives none: pages show no date and are in no dated list.
PAGE_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_](.+)$")
_SLUG_OK = re.compile(r"^[\w][\w.-]*$")


@dataclass(frozen=True)
class SourceFile:
    """One source file.  Its absolute path is held as a str (``where``; a Path given is
    made one): a new process's rebuild makes 10,000 of them from a stored listing, and
    a Path each was a tenth of its collect; ``path`` makes the Path when asked."""

    where: str  # absolute
    rel: str  # relative to the content folder, POSIX
    shown: str  # as shown in messages (relative to the working directory)

    def __post_init__(self) -> None:
        if type(self.where) is not str:
            object.__setattr__(self, "where", os.fspath(self.where))

    @property
    def path(self) -> Path:
        return Path(self.where)


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Listing:
    """What discover found in one folder (see :func:`discover`'s ``last``): the
    folder's stamp when it was listed, the sources directly in it and its sub-folders
    walked into, by name."""

    # (mtime_ns, ctime_ns, inode, device) of the folder: ``rsync -a``, ``tar x`` or
    # ``touch -d`` can set an mtime back to what it was, never a ctime
    stamp: tuple[int, int, int, int]
    top: str  # the prefix of the sources' ``shown`` (it depends on the working folder)
    rel: str  # the folder, relative to the content folder ("" or "world/")
    files: tuple[SourceFile, ...]
    folders: tuple[str, ...]
    # made by discover in this process; False for one read back from the cache, whose
    # names are checked against the disk before it is used (see discover)
    seen: bool = True


# A folder's listing is kept only when the folder was last changed this long before it
# was listed: a name added in the same tick of a coarse file-system clock, after the
# listing, would leave the folder's times as they were (git's index has the same rule;
# FAT's clock ticks every 2 s).
_LISTING_AGE_NS = 2 * 10**9
_now_ns = time.time_ns  # (the clock of the rule above: tests set it)


SKIPPED = (".", "_")  # prefixes of the names discover never lists (hidden, or "_")


def readable_name(name: str) -> bool:
    """A file name of a kind discover reads (by its extension)."""
    return suffix(name) in READERS


def suffix(path: str) -> str:
    """A POSIX path's extension, lower-cased: ``os.path.splitext(path)[1].lower()``, without
    its generality (asked for 10,000 sources in every build)."""
    start = path.rfind("/") + 1  # (the name's)
    if path.startswith(".", start):  # (a hidden name: its leading dots are no extension)
        return os.path.splitext(path)[1].lower()
    dot = path.rfind(".")
    return path[dot:].lower() if dot > start else ""


def discover(
    cfg: ContentConfig,
    problems: Problems,
    last: Mapping[str, Listing] | None = None,
    keep: dict[str, Listing] | None = None,
    stats: dict[str, os.stat_result] | None = None,
) -> list[SourceFile]:
    """Every readable source under the content folder, sorted by path.

    ``last``: the folders a session's last build listed, or those a build of another
    process stored in the cache (folder path -> Listing; checked against the disk before
    use, see Listing.seen): a folder whose mtime, ctime, inode and device are what they
    were then holds the same names (adding, removing or renaming an entry changes its
    folder's times; editing a file does not matter here), so its listing is taken as it
    is, without listing the folder or asking each file's type again.  Kept (in
    ``keep``) only for folders whose listing found no problem and no symlink, and that
    were last changed more than two seconds before they were listed.  ``stats``: gets
    the stat of each source that discovery asked for its type (by relative path; a
    regular file's, so what os.stat would say then), for the caller to use instead of
    asking again (the cache keys of collect: 10,000 stats fewer in a new process)."""
    root = cfg.dir
    if not root.is_dir():
        problems.add(
            "content folder not found",
            _shown(root, cfg.root),
            hint="set content_dir in site.yaml or create the folder",
        )
        return []
    real_root = root.resolve()
    found: list[SourceFile] = []
    top = _shown(root, cfg.root)
    top = "" if top == "." else top.rstrip(os.sep) + os.sep

    def walk(folder: Path, rel: str) -> None:
        """Files first, then sub-folders (as os.walk lists them), each sorted by name."""
        stamp = None
        if keep is not None:
            listed_at = _now_ns()
            try:
                st = os.stat(folder)  # (before listing: a change after it changes the stamp)
                stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
            except OSError:
                pass
            got = last.get(str(folder)) if last is not None and stamp is not None else None
            if got is not None and (got.stamp != stamp or got.top != top):
                got = None
            if got is not None and not got.seen:  # read back from the cache: checked first
                seen = _as_listed(folder, got, stats)
                got = dataclasses.replace(got, seen=True) if seen else None
            if got is not None:
                keep[str(folder)] = got
                found.extend(got.files)
                for name in got.folders:
                    walk(folder / name, f"{rel}{name}/")
                return
        here = Problems()  # (this folder's own: a folder with any is listed every time)
        try:
            with os.scandir(folder) as it:
                items = sorted((e for e in it if not e.name.startswith(SKIPPED)), key=_name)
        except FileNotFoundError:
            if folder == root:
                problems.add("content folder not found", _shown(root, cfg.root))
            return  # a sub-folder removed while the content is read: it holds nothing now
        except OSError as exc:
            problems.add(f"cannot read folder: {exc.strerror or exc}", _shown(folder, cfg.root))
            return
        items = _one_per_name(items, folder, cfg.root, here)
        subfolders = []
        links = False
        for e in items:
            if not _is_dir(e):
                continue
            if e.is_symlink():
                # Symlinked folders are never walked into (no loops, no escapes).
                links = True
                p = folder / e.name
                bad = _symlink_problem(p, real_root)
                if bad:
                    here.add(bad[0], _shown(p, cfg.root), hint=bad[1])
                else:
                    here.warn(
                        "symlinked folder is not followed; link the files instead",
                        _shown(p, cfg.root),
                    )
                continue
            subfolders.append(e.name)
        start = len(found)
        for e in items:
            if e.name in subfolders or _is_dir(e):
                continue
            if not readable_name(e.name):
                continue
            links = links or e.is_symlink()
            src = _scanned_source(e, folder, rel, top, real_root, here, stats)
            if src is not None:
                found.append(src)
        told = here.errors + here.warnings
        problems.extend(told)
        if (
            keep is not None
            and stamp is not None
            and not told
            and not links
            and max(stamp[0], stamp[1]) < listed_at - _LISTING_AGE_NS
        ):
            files = tuple(found[start:])
            keep[str(folder)] = Listing(stamp, top, rel, files, tuple(subfolders))
        for name in subfolders:
            walk(folder / name, f"{rel}{name}/")

    walk(root, "")
    # (it refers to itself: a cycle that held this build's sources and stats until a
    # collection, which a session's builds make rarely: see digest.build.FREEZE_ROUNDS)
    walk = None  # type: ignore[assignment]
    return found


def _name(e: os.DirEntry) -> str:
    return e.name


def _one_per_name(
    items: list[os.DirEntry], folder: Path, root: Path, problems: Problems
) -> list[os.DirEntry]:
    """The entries of a folder, less those whose name is an earlier one's in another
    Unicode form ("é" as U+00E9 or as "e" + U+0301): one file on macOS, and two
    identical-looking names in every message.  Each is a problem showing the code
    points of both names."""
    kept: dict[str, os.DirEntry] = {}
    out = []
    for e in items:
        first = kept.setdefault(unicodedata.normalize("NFC", e.name), e)
        if first is e:
            out.append(e)
            continue
        a, b = told_apart(first.name, e.name)
        problems.add(
            f"two names here differ only in Unicode form: {a} and {b}; not read",
            _shown(folder / e.name, root),
            hint="rename or delete one of them: on macOS they are one file",
        )
    return out


def _is_dir(e: os.DirEntry) -> bool:
    try:
        return e.is_dir()
    except OSError:
        return False


_SYMLINK_LOOP = (
    "symlink loop: following the link never reaches a file; not read",
    "remove the link, or point it at a file",
)


def _symlink_problem(p: Path, real_root: Path) -> tuple[str, str | None] | None:
    """(message, hint) when the symlink ``p`` may not be read: it loops, or it leads
    outside the content folder; None when it stays inside."""
    try:
        os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _SYMLINK_LOOP
    try:
        inside = p.resolve().is_relative_to(real_root)
    except RuntimeError:  # a loop (Python < 3.13 raises it from resolve())
        return _SYMLINK_LOOP
    except OSError:
        inside = False
    if not inside:
        return ("symlink points outside the content folder; not read", None)
    return None


def _as_listed(
    folder: Path, listing: Listing, stats: dict[str, os.stat_result] | None = None
) -> bool:
    """Does the folder hold what a listing read back from the cache says, as discover
    would have listed it: each file a regular file and each sub-folder a folder, none a
    symlink?  (A kept listing never holds a symlink: one named there was not written by
    discover, and is never followed.)  ``stats`` gets each file's stat (see discover)."""
    for name in listing.folders:
        try:
            if not stat.S_ISDIR(os.lstat(folder / name).st_mode):
                return False
        except OSError:
            return False
    for src in listing.files:
        try:
            st = os.lstat(src.where)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode):
            return False
        if stats is not None:
            stats[src.rel] = st  # (a regular file, not a symlink: what os.stat says)
    return True


def _scanned_source(
    e: os.DirEntry,
    folder: Path,
    rel: str,
    top: str,
    real_root: Path,
    problems: Problems,
    stats: dict[str, os.stat_result] | None = None,
) -> SourceFile | None:
    """A SourceFile for a directory entry found by discover (see _source_file); its stat
    (the entry's, which follows a symlink as os.stat does) goes to ``stats``."""
    rel += e.name
    src = SourceFile(e.path, rel, top + rel.replace("/", os.sep))
    if not _acceptable(src, e.is_symlink(), e.stat, real_root, problems):
        return None
    if stats is not None:
        stats[rel] = e.stat()  # (asked by _acceptable already: kept by the entry)
    return src


def _source_file(
    p: Path, root: Path, real_root: Path, cfg: ContentConfig, problems: Problems
) -> SourceFile | None:
    """A SourceFile for a regular file inside the content folder, else None + a problem."""
    src = SourceFile(str(p), p.relative_to(root).as_posix(), _shown(p, cfg.root))
    return src if _acceptable(src, p.is_symlink(), p.stat, real_root, problems) else None


def _acceptable(
    src: SourceFile,
    is_symlink: bool,
    stat_of: Callable[[], os.stat_result],
    real_root: Path,
    problems: Problems,
) -> bool:
    bad = _symlink_problem(src.path, real_root) if is_symlink else None
    if bad:
        problems.add(bad[0], src.shown, hint=bad[1])
        return False
    try:
        regular = stat.S_ISREG(stat_of().st_mode)
    except OSError as exc:
        problems.add(f"cannot read: {exc.strerror or exc}", src.shown)
        return False
    if not regular:  # a FIFO or device would block or never end
        problems.add("not a regular file; not read", src.shown)
        return False
    return True


# ---------------------------------------------------------------- reading


TOO_LARGE_HINT = "split it into several articles, or remove what is not the article"


def too_large(size: int, max_bytes: int = MAX_FILE_BYTES, what: str = "file") -> str:
    """``file is too large (5.2 MiB; the limit is 5 MiB)``: the real size, never
    rounded down to the limit (5 MiB and a few bytes is shown in bytes)."""
    limit = f"{max_bytes / 2**20:g} MiB"
    if size >= 2**30:
        shown = f"{size / 2**30:.1f} GiB"
    elif round(size / 2**20, 1) * 2**20 > max_bytes:
        shown = f"{size / 2**20:.1f} MiB"
    else:
        shown, limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
    return f"{what} is too large ({shown}; the limit is {limit})"


def read_source(src: SourceFile, common: frozenset[str] = frozenset()) -> tuple[Parsed, str]:
    """Read and parse one file: (what its reader made of it, sha256 of the bytes read).
    ``common``: the lines found on many scraped pages of its folder (see
    :func:`folder_line_table`), boilerplate to a ``.txt`` page.  Raises ContentError."""
    # (the file by its str path, and its extension by its name: no Path made per source)
    ext = suffix(src.rel)
    try:
        size = os.stat(src.where).st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(too_large(size), src.shown, hint=TOO_LARGE_HINT)
        markdown = ext in MARKDOWN_SUFFIXES
        if markdown and size > MAX_MARKDOWN_BYTES:
            message = too_large(size, MAX_MARKDOWN_BYTES, "Markdown file")
            raise ContentError(message, src.shown, hint=MARKDOWN_TOO_LARGE_HINT)
        with open(src.where, "rb") as f:  # (what Path.read_bytes does)
            data = f.read()
        if markdown and len(data) > MAX_MARKDOWN_BYTES:  # grown since stat()
            message = too_large(len(data), MAX_MARKDOWN_BYTES, "Markdown file")
            raise ContentError(message, src.shown, hint=MARKDOWN_TOO_LARGE_HINT)
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror or exc}", src.shown) from None
    text, _enc = decode(data, src.shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ext == ".txt" and common:
        return read_scraped_text(text, src.shown, common), hashlib.sha256(data).hexdigest()
    return READERS[ext](text, src.shown), hashlib.sha256(data).hexdigest()


def folder_line_table(sources: Sequence[SourceFile]) -> dict[str, frozenset[str]]:
    """For each folder holding scraped ``.txt`` pages: the lines (as
    :func:`digest.clean.scraped.line_key` compares them) found on several of its pages --
    the site's menus, footers and prompts, in any language.  Folders with fewer pages than
    that get no table.  Unreadable files are left out (they are reported when read)."""
    by_folder: dict[str, list[SourceFile]] = {}
    for src in sources:
        if src.path.suffix.lower() == ".txt":
            by_folder.setdefault(src.rel.rpartition("/")[0], []).append(src)
    out: dict[str, frozenset[str]] = {}
    if not by_folder:
        return out
    from digest.clean.scraped import COMMON_MIN_PAGES, common_lines

    for folder, files in by_folder.items():
        if len(files) < COMMON_MIN_PAGES:
            continue
        texts = []
        for src in files:
            try:
                if src.path.stat().st_size <= MAX_FILE_BYTES:
                    texts.append(decode(src.path.read_bytes(), src.shown)[0])
            except (OSError, ContentError):
                continue
        table = common_lines(texts)
        if table:
            out[folder] = table
    return out


def folder_defaults(cfg: ContentConfig, problems: Problems) -> dict[str, FolderDefaults]:
    """Per-folder defaults: site.yaml `sources:` merged with `_source.yaml` files.

    A `_source.yaml` is checked against the same declaration as a site.yaml
    `sources:` entry (:data:`~digest.config.SOURCE_SCHEMA`), read the way front
    matter is (see :func:`_folder_rules`); what it sets wins over site.yaml.
    """
    out: dict[str, FolderDefaults] = dict(cfg.sources)
    if not cfg.dir.is_dir():
        return out
    real_root = cfg.dir.resolve()
    for f in _defaults_files(cfg.dir):
        read = _read_defaults_file(f, cfg, real_root, problems)
        if read is None:
            continue
        shown, meta, lines = read
        place = Place(shown, lines.get, problems, _folder_rules(_Validator(shown, lines, problems)))
        found = FolderDefaults.from_checked(check_mapping(meta, SOURCE_SCHEMA, place))
        rel = f.parent.relative_to(cfg.dir).as_posix()
        rel = "" if rel == "." else rel
        out[rel] = found.over(out.get(rel, FolderDefaults()))
    for rel, given in section_titles(cfg, real_root, problems).items():
        out[rel] = out.get(rel, FolderDefaults()).over(given)
    return out


SECTION_FILES = ("_index.md", "_index.markdown")


def section_titles(
    cfg: ContentConfig, real_root: Path, problems: Problems
) -> dict[str, FolderDefaults]:
    """Folder -> what its `_index.md` (Hugo's and Zola's section file) says: its front
    matter's 'title' names the folder's section (a `section:` set by site.yaml or
    `_source.yaml` wins), and 'draft: true' makes every file under the folder a draft.
    The file is not an article.  Only these two keys are read; the content folder's
    own `_index.md` (the home page) is not.  A folder with an `_index.md`, or a site
    with one at its root, is ``sectioned``: its undated files are pages, as in Hugo."""
    out: dict[str, FolderDefaults] = {}
    for dirpath, dirnames, filenames in os.walk(cfg.dir, followlinks=False):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith((".", "_")) and not (Path(dirpath) / d).is_symlink()
        )
        rel = Path(dirpath).relative_to(cfg.dir).as_posix()
        name = next((n for n in SECTION_FILES if n in filenames), None)
        if name is None:
            continue
        if rel == ".":  # the home page's file: the site is Hugo- or Zola-style
            out[""] = FolderDefaults(sectioned=True)
            continue
        src = _source_file(Path(dirpath) / name, cfg.dir, real_root, cfg, problems)
        if src is None:
            continue
        try:
            parsed, _digest = read_source(src)
        except ContentError as exc:
            problems.add_error(exc)
            continue
        v = _Validator(src.shown, parsed.meta_lines, problems)
        title, draft = v.text(parsed.meta, "title"), v.flag(parsed.meta, "draft")
        out[rel] = FolderDefaults(section=title, draft=draft, sectioned=True)
    return out


def _read_defaults_file(
    f: Path, cfg: ContentConfig, real_root: Path, problems: Problems
) -> tuple[str, dict[str, Any], dict[str, int]] | None:
    """(name as shown, mapping, key lines) of a `_source.yaml`; None (with a problem)
    when it cannot be read or is not a YAML mapping."""
    src = _source_file(f, cfg.dir, real_root, cfg, problems)
    if src is None:
        return None
    try:
        if f.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(too_large(f.stat().st_size), src.shown)
        text, _enc = decode(f.read_bytes(), src.shown)
        meta, lines = parse_yaml_mapping(text, src.shown, what="folder defaults")
    except ContentError as exc:
        problems.add_error(exc)
        return None
    except OSError as exc:
        problems.add(f"cannot read: {exc.strerror or exc}", src.shown)
        return None
    return src.shown, meta, lines


def _folder_rules(v: _Validator) -> Rules:
    """How `_source.yaml` values are read: as front matter is (text may be a number
    and has its spaces collapsed, `source_url` must be an absolute http(s) URL,
    tags are checked for a usable URL), worded as front-matter problems.  A value
    that does not fit is a problem and counts as unset."""
    kinds: dict[str, Callable[[dict[str, Any], str], Any]] = {
        "str": v.text,
        "url": lambda meta, key: v.url(meta, key, relative=False),
        "list": lambda meta, _key: v.tags(meta),  # the one list of SOURCE_SCHEMA: tags
    }

    def unknown(_prefix: str, key: str, schema: Mapping[str, Opt]) -> tuple[str, str | None]:
        hint = did_you_mean(key, schema) or f"known keys: {', '.join(schema)}"
        return f"folder defaults: unknown key '{key}'", hint

    return Rules(
        check=lambda value, at: kinds[at.opt.kind]({at.key: value}, at.key), unknown=unknown
    )


def _defaults_files(root: Path) -> list[Path]:
    """`_source.yaml` files in the folders discover() walks (hidden/_ folders and
    symlinked folders are skipped, as for articles)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith((".", "_")) and not (Path(dirpath) / d).is_symlink()
        )
        if FOLDER_DEFAULTS_FILE in filenames:
            out.append(Path(dirpath) / FOLDER_DEFAULTS_FILE)
    return sorted(out)


def defaults_for(rel: str, defaults: dict[str, FolderDefaults]) -> FolderDefaults:
    """Merge defaults from the content root down to the file's folder (nearest wins)."""
    parts = rel.split("/")[:-1]
    merged = FolderDefaults()
    for i in range(len(parts) + 1):
        d = defaults.get("/".join(parts[:i]))
        if d:
            merged = d.over(merged)
    return merged


# ---------------------------------------------------------------- validation


# Characters that show nothing on their own: format characters (zero-width space and
# joiners, word joiner, bidi controls such as U+202E, soft hyphen), controls, spaces and
# separators, surrogates, combining marks with nothing to combine with (variation
# selectors, U+034F), and the letters and symbols that are drawn blank.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether ``text`` has at least one character a reader can see."""
    return any(
        unicodedata.category(c) not in _INVISIBLE_CATEGORIES and c not in _BLANK_CHARACTERS
        for c in text
    )


def _has_control(s: str) -> bool:
    """Does ``s`` hold a control character (Unicode category Cc)?  A printable string
    holds none (controls are not printable): told in C, without the category of each
    character looked up in Python (most titles and fields: a few values an article, but
    a generator step a character)."""
    return not s.isprintable() and any(unicodedata.category(c) == "Cc" for c in s)


class _Validator:
    """Typed getters for metadata that record problems with file and line."""

    def __init__(self, path: str, lines: dict[str, int], problems: Problems) -> None:
        self.path, self.lines, self.problems = path, lines, problems
        self.ok = True

    def bad(self, key: str, msg: str) -> None:
        self.ok = False
        self.problems.add(f"front matter: '{key}' {msg}", self.path, self.lines.get(key))

    def text(self, meta: dict, key: str, *, required: bool = False) -> str | None:
        v = meta.get(key)
        if v is None:
            if required:
                self.bad(key, "is missing")
            return None
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            self.bad(key, f"must be text (got {_kind(v)})")
            return None
        s = " ".join(str(v).split())
        if _has_control(s):
            self.bad(key, "contains control characters")
            return None
        if s and not visible(s):  # only zero-width, format or blank characters
            if required:
                codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(s) if c != " ")
                self.bad(key, f"is empty: it holds only invisible characters ({codes[:80]})")
                return None
            s = ""
        if required and not s:
            self.bad(key, "is empty")
            return None
        return s or None

    def flag(self, meta: dict, key: str) -> bool:
        v = meta.get(key, False)
        if v is None:
            return False
        if not isinstance(v, bool):
            self.bad(key, f"must be true or false (got {v!r})")
            return False
        return v

    def date(self, meta: dict, key: str) -> datetime | None:
        v = meta.get(key)
        if v is None:
            return None
        parsed = parse_date(v)
        if parsed is None:
            got = repr(str(v)[:40]) if isinstance(v, (str, int, float)) else _kind(v)
            self.bad(key, f"is not a date (got {got}; use YYYY-MM-DD or ISO 8601)")
        return parsed

    def url(self, meta: dict, key: str, *, relative: bool) -> str | None:
        s = self.text(meta, key)
        if s is None:
            return None
        err = url_problem(s, allow_relative=relative)
        if err:
            self.bad(
                key,
                f"must be an http(s) URL{' or a site path' if relative else ''} (got {s[:60]!r})",
            )
            return None
        return s

    def strings(self, meta: dict, key: str) -> tuple[str, ...]:
        v = meta.get(key)
        if v is None:
            return ()
        if isinstance(v, str):
            v = [p for p in v.split(",")] if key == "tags" else [v]
        if not isinstance(v, list) or not all(
            isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in v
        ):
            self.bad(key, f"must be a list of text (got {_kind(v)})")
            return ()
        out = []
        for x in v:
            s = " ".join(str(x).split())
            if _has_control(s):
                self.bad(key, "contains control characters")
                return ()
            if s:
                out.append(s)
        return tuple(out)

    def tags(self, meta: dict) -> tuple[str, ...]:
        tags = tuple(dict.fromkeys(self.strings(meta, "tags")))
        for t in tags:
            if slugify(t) == "untitled":
                self.bad("tags", f"holds {t[:40]!r}, which has no letters or digits for a URL")
                return ()
        return tags


def _kind(v: Any) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    return repr(v)[:40]


def parse_date(v: Any) -> datetime | None:
    """A timezone-aware datetime from YAML/text, or None if it is not a date."""
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, date):
        dt = datetime(v.year, v.month, v.day)
    elif isinstance(v, str):
        s = v.strip()
        if not re.match(r"^\d{4}-\d{2}-\d{2}", s):
            return None
        try:
            dt = datetime.fromisoformat(
                s.replace("Z", "+00:00").replace(" ", "T", 1) if len(s) > 10 else s
            )
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def to_article(
    parsed: Parsed, rel: str, cfg: ContentConfig, defaults: FolderDefaults, problems: Problems
) -> Article | None:
    """Validate a Parsed source into an Article; None (with problems added) when bad.

    Each field is read by its own function below, in the order the problems are reported.
    """
    meta, path = parsed.meta, parsed.path
    v = _Validator(path, parsed.meta_lines, problems)
    for line, note in parsed.notes:
        problems.warn(note, path, line)
    _warn_unknown_keys(parsed, problems)
    rel = _bundle(rel)
    stem, name_language = _stem(rel)
    named = _DATE_PREFIX.match(stem)  # "2026-01-01-slug": the file name's date and slug
    # Hugo and Zola need no title and no date: their files (TOML or JSON front matter,
    # or under an _index.md) get a title from the file name and are pages when undated.
    lenient = parsed.front_matter in ("toml", "json") or defaults.sectioned
    title = v.text(meta, "title", required=not lenient)
    if title is None and lenient and not meta.get("title"):
        title = _title_from_name(stem)
        problems.warn(
            f"front matter: no 'title'; using {title!r}, made from the file name",
            path,
            hint="add 'title' to the front matter",
        )
    foreign = read_foreign(meta, v)
    undated = lenient and "date" not in meta and not named and parsed.fallback_date is None
    page = (
        rel.startswith(PAGES_FOLDER + "/")
        or foreign.page
        or ("/" not in rel and stem.lower() in PAGE_NAMES)
    )
    inferred_page = undated and not page
    if inferred_page:
        page = True
    if page:
        dt: datetime | None = v.date(meta, "date") or PAGE_DATE
    else:
        dt = _date(parsed, v, named, problems)
    updated = v.date(meta, "updated")
    if updated is None and foreign.updated_key:
        updated = v.date(meta, foreign.updated_key)
    from_name = slugify(named.group(2) if named else stem)
    if name_language:  # "post.fr.md": post-fr, beside post.md's post
        from_name = f"{from_name}-{slugify(name_language)}"
    slug = _slug(meta, v, from_name)
    tags: tuple[str, ...] = ()
    by_category = bool(foreign.section) and "section" not in meta and not page
    if page:  # in no section and under no tag
        section, section_slug = None, ""
    else:
        if foreign.section and "section" not in meta:  # the first category
            parsed = dataclasses.replace(parsed, meta={**meta, "section": foreign.section})
            meta = parsed.meta
            if "categories" in v.lines:
                v.lines["section"] = v.lines["categories"]
        section, section_slug = _section(parsed, v, defaults, rel, slug)
        crumbs = tuple(t for t in parsed.sections if slugify(t) != section_slug)  # not again
        tags = tuple(dict.fromkeys(v.tags(meta) + foreign.tags + crumbs + defaults.tags))
    summary_override, method = _summary_fields(meta, v)
    pinned = _pinned(meta, v)
    source = v.text(meta, "source") or defaults.source
    source_url = v.url(meta, "source_url", relative=False) or (
        defaults.source_url if meta.get("source_url") is None else None
    )
    image = _local_image(
        v.url(meta, "image", relative=True) or foreign.image, cfg, problems, path, parsed
    )
    image_alt = v.text(meta, "image_alt")
    author = author_name(meta, v) or foreign.author or cfg.author
    language = v.text(meta, "language") or name_language or cfg.language
    # a section whose _index.md says draft = true has only drafts (Zola and Hugo)
    draft = v.flag(meta, "draft") or foreign.left_out or defaults.draft
    description = v.text(meta, "description")
    credit = v.text(meta, "credit")
    scraped = parsed.body_format != "markdown"
    article_body = defaults.article_body or cfg.article_body or ("summary" if scraped else "full")

    body_html, paragraphs, text = _body(parsed, cfg, problems)
    if inferred_page and "slug" not in meta:  # at its path, as Hugo and Zola put it
        folders = [slugify(p) for p in rel.split("/")[:-1]]
        slug = "-".join([*folders, slug])
        url = foreign.url or "/".join([*folders, from_name]) + "/"
    else:
        url = foreign.url or (f"{section_slug}/{slug}/" if section_slug else f"{slug}/")
    aliases = foreign.aliases
    if by_category and not foreign.url:
        aliases += _folder_alias(rel, slug, url, aliases)
    if foreign.url and foreign.url.split("/", 1)[0].lower() in RESERVED_NAMES:
        v.bad("url", f"/{foreign.url} is used by the site itself; choose another")
    if not v.ok or title is None or dt is None:
        return None
    if inferred_page and not draft:
        problems.warn(
            "no date: published as a page, not a news article (in no feed, edition, "
            "archive or menu)",
            path,
            hint="add 'date' to the front matter to make it an article",
        )
    if not paragraphs and not summary_override and not page:
        problems.warn("article has no body text to summarize", path)
    return Article(
        path=path,
        slug=slug,
        title=title,
        date=dt,
        section=section or "",
        section_slug=section_slug,
        url=url,
        tags=tags,
        updated=updated,
        author=author,
        source=source,
        source_url=source_url,
        image=image,
        image_alt=image_alt,
        article_body=article_body,
        description=description,
        credit=credit,
        language=language,
        draft=draft,
        summary_override=summary_override,
        summary_method=method,
        pinned_related=pinned,
        body=body_html,
        paragraphs=paragraphs,
        text=f"{title}. {text}",
        kind="page" if page else "article",
        weight=foreign.weight,
        aliases=aliases,
        menu=not inferred_page or foreign.page,
        slug_from_name="slug" not in meta,
    )


def _local_image(
    image: str | None, cfg: ContentConfig, problems: Problems, path: str, parsed: Parsed
) -> str | None:
    """A site-path image as the address it is published at: ``/images/x.jpg`` names
    ``static/images/x.jpg`` (the site's static/ folder is published under /static/), and
    so does ``/static/images/x.jpg``.  A local image that is in neither place is a warning
    (an error with --strict); http(s) images are left as they are."""
    if not image or "://" in image:
        return image
    rel = image.split("#", 1)[0].split("?", 1)[0].lstrip("/")
    inside = rel.removeprefix("static/")
    if (cfg.root / "static" / inside).is_file():
        return "/static/" + inside + image[len(image.split("#", 1)[0].split("?", 1)[0]) :]
    problems.warn(
        f"front matter: image '{image}' not found: put it at static/{inside} "
        f"(the site's static/ folder is published under /static/)",
        path,
        parsed.meta_lines.get("image"),
    )
    return image


def _bundle(rel: str) -> str:
    """A Hugo leaf bundle's or Zola's colocated ``post/index.md`` is the page
    ``post.md`` (its folder names it); any other path is itself."""
    folder, _, name = rel.rpartition("/")
    if folder and name.rsplit(".", 1)[0] == "index":
        return folder + ".md"
    return rel


def _title_from_name(stem: str) -> str:
    """'skip_prefixes' -> 'Skip prefixes': a title for a file that gives none."""
    words = re.sub(r"[-_]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) if words else stem


def _stem(rel: str) -> tuple[str, str | None]:
    """The file name without its extension, and the language a ``.fr``-style suffix
    names (one digest knows: ``post.fr.md`` -> ('post', 'fr')), else None."""
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    m = _LANGUAGE_SUFFIX.match(stem)
    if m and named_language(m.group(2)) is not None:
        return m.group(1), m.group(2).replace("_", "-")
    return stem, None


def _folder_alias(rel: str, slug: str, url: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """When the first category moved an article out of its folder's URL (Hugo's
    content/post/x.md at /post/x/, digest's at /<category>/x/), that old URL redirects."""
    folder = rel.rpartition("/")[0]
    if not folder:
        return ()
    old = f"{folder}/{slug}/"
    if old == url or old in aliases or folder.split("/", 1)[0].lower() in RESERVED_NAMES:
        return ()
    return (old,) if all(_SLUG_OK.match(p) for p in folder.split("/")) else ()


def _warn_unknown_keys(parsed: Parsed, problems: Problems) -> None:
    for key in sorted(parsed.meta):
        if key not in KNOWN_KEYS and key not in FOREIGN_KEYS and not key.startswith("_"):
            problems.warn(
                f"front matter: unknown key '{key}' is ignored",
                parsed.path,
                parsed.meta_lines.get(key),
                did_you_mean(key, KNOWN_KEYS + FOREIGN_KEYS),
            )


def _date(
    parsed: Parsed, v: _Validator, named: re.Match[str] | None, problems: Problems
) -> datetime | None:
    """'date:' from front matter; else the file name's date; else the reader's fallback
    (a scraped page's saved time, with a warning)."""
    dt = v.date(parsed.meta, "date")
    if dt is not None or "date" in parsed.meta:
        return dt
    dt = parse_date(named.group(1)) if named else parsed.fallback_date
    if dt is not None and not named:
        problems.warn(
            "no date found in the file; using the time it was saved (add "
            "'date:' front matter or a YYYY-MM-DD- file-name prefix)",
            parsed.path,
        )
    if dt is None and named:
        v.bad("date", f"is missing, and the file name's date {named.group(1)!r} is not a real date")
    elif dt is None:
        v.bad(
            "date",
            "is missing (add 'date: YYYY-MM-DD' to the front matter, or start "
            "the file name with YYYY-MM-DD-)",
        )
    return dt


def _slug(meta: dict[str, Any], v: _Validator, from_name: str) -> str:
    """'slug:' from front matter (checked), else the one made from the file name."""
    given = v.text(meta, "slug")
    if given is None:
        return from_name
    if not _SLUG_OK.match(given) or ".." in given:
        made = slugify(given)
        if ".." in given or "/" in given or "\\" in given or made == "untitled":
            # a path, not a title: refused as before
            v.bad("slug", f"may hold only letters, digits, '-', '_' and '.' (got {given[:40]!r})")
            return from_name
        # Hugo makes a URL of any text: so does digest, saying so
        v.problems.warn(
            f"front matter: 'slug' {given[:40]!r} is not a URL slug; using {made!r}",
            v.path,
            v.lines.get("slug"),
            hint="a slug holds only letters, digits, '-', '_' and '.'",
        )
        return made
    return given


def _section(
    parsed: Parsed, v: _Validator, defaults: FolderDefaults, rel: str, slug: str
) -> tuple[str | None, str]:
    """(section name, its URL slug): front matter, then folder defaults, then a scraped
    page's breadcrumb, then the sub-folder.  A section or root-level slug may not take
    a URL the site uses itself."""
    section = v.text(parsed.meta, "section") or defaults.section
    if section is None and parsed.sections:
        section = parsed.sections[0]
    if section is None and "/" in rel:
        section = rel.split("/", 1)[0].replace("-", " ").replace("_", " ").title()
    section_slug = slugify(section) if section else ""
    if section and section_slug == "untitled":
        v.bad("section", f"has no letters or digits to make a URL from (got {section!r})")
    elif section_slug in RESERVED_NAMES:
        v.bad(
            "section",
            f"{section!r} would take the URL /{section_slug}/, which the site uses itself",
        )
    if not section_slug and slug.lower() in RESERVED_NAMES:
        v.bad("slug", f"{slug!r} is used by the site itself; choose another slug")
    return section, section_slug


def _summary_fields(meta: dict[str, Any], v: _Validator) -> tuple[tuple[str, ...], str | None]:
    """('summary:' sentences written by hand, 'summary_method:' when valid)."""
    summary_override: tuple[str, ...] = ()
    if "summary" in meta:
        s = meta["summary"]
        if isinstance(s, (list, str)):
            summary_override = v.strings(meta, "summary")
        else:
            v.bad("summary", f"must be text or a list (got {_kind(s)})")
    method = v.text(meta, "summary_method")
    if method is not None and method not in SUMMARY_METHODS:
        v.bad("summary_method", f"{method!r} is not one of {', '.join(SUMMARY_METHODS)}")
        method = None
    return summary_override, method


def _pinned(meta: dict[str, Any], v: _Validator) -> tuple[str, ...]:
    """'related:' slugs pinned by hand (checked against the other articles later)."""
    pinned = v.strings(meta, "related")
    for p in pinned:
        if not _SLUG_OK.match(p):
            v.bad("related", f"holds {p!r}, which is not a slug")
    return pinned


def _body(
    parsed: Parsed, cfg: ContentConfig, problems: Problems
) -> tuple[str, tuple[str, ...], str]:
    if parsed.body_format == "markdown":
        body = expand_shortcodes(parsed.body, parsed.path, parsed.body_line, problems)
        return render_markdown(body, raw_html=cfg.raw_html)
    if parsed.body_format == "paragraphs":
        body_html = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in parsed.body)
    elif parsed.body_format == "html":
        # A cleaner's structured body (built from escaped text): sanitized all the same.
        # Summaries draw only on its <p> paragraphs, never on headings, lists or tables.
        body_html = sanitize(parsed.body)
    else:  # pragma: no cover - readers only produce the formats above
        raise ValueError(parsed.body_format)
    paragraphs, text = paragraphs_and_text(body_html)
    return body_html, paragraphs, text


@dataclass(frozen=True)
class Loaded:
    """What load_one made of one source."""

    article: Article | None  # None when the source is unusable (see problems)
    problems: tuple[Problem, ...]
    report: tuple[str, ...]  # what the reader inferred or dropped, line by line (-v)
    digest: str | None  # sha256 of the bytes the article was made from (None: unread)


def load_one(
    src: SourceFile,
    cfg: ContentConfig,
    defaults: dict[str, FolderDefaults],
    common: frozenset[str] = frozenset(),
) -> Loaded:
    """Read and validate one source (``common``: its folder's line table, see
    :func:`folder_line_table`).

    Pure function of its arguments and the file, so it can run in a worker
    process and its result can be cached (under ``digest``, the bytes it read,
    and the folder's line table).
    """
    problems = Problems()
    scraped = suffix(src.rel) in SCRAPED_SUFFIXES
    try:
        parsed, digest = read_source(src, common)
    except ContentError as exc:
        problem = _skipped(exc.problem) if scraped else exc.problem
        return Loaded(None, (problem,), (), None)
    why = _unusable_page(parsed) if scraped else None
    if why is not None:
        return Loaded(None, (Problem(why, parsed.path, warning=True),), parsed.report, digest)
    if parsed.body_format != "markdown" and "date" not in parsed.meta:
        # A saved page with no date anywhere: the time it was saved is the best guess.
        parsed = dataclasses.replace(parsed, fallback_date=_saved_time(src.path))
    art = to_article(parsed, src.rel, cfg, defaults_for(src.rel, defaults), problems)
    return Loaded(art, tuple(problems.errors + problems.warnings), parsed.report, digest)


def _skipped(problem: Problem) -> Problem:
    """A scraped page that cannot be read: a warning (an error with --strict), so one bad
    page does not stop the site."""
    return dataclasses.replace(
        problem, message=f"skipped, the page cannot be read: {problem.message}", warning=True
    )


def _unusable_page(parsed: Parsed) -> str | None:
    """Why a scraped page (.txt or .html) cannot become an article, or None when it can:
    the cleaner found no title or no body text in it (and front matter gives none)."""
    title = parsed.meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        return (
            "skipped: no title found in the page (no headline could be told from the "
            "page's clutter; add 'title:' front matter to a .txt page)"
        )
    if not parsed.body and not parsed.meta.get("summary"):
        return "skipped: no body text found in the page (every line was clutter)"
    return None


def _saved_time(path: Path) -> datetime:
    """A file's modification time, clamped to SOURCE_DATE_EPOCH when that is set."""
    t = path.stat().st_mtime
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        t = min(t, int(epoch))
    return datetime.fromtimestamp(int(t), tz=timezone.utc)


def check_collection(articles: Sequence[Article], problems: Problems) -> None:
    """Checks across articles: no two want one URL or slug, nor URLs that are one on a
    case-insensitive file system (macOS, Windows: ``About/`` and ``about/``); no two
    section or tag names share one URL (``C++`` and ``C#``: ``/tags/c/``) unless they
    differ only in letter case; pinned slugs exist."""
    seen: dict[str, Article] = {}
    slugs: dict[str, Article] = {}
    for art in articles:
        other = seen.get(_fold(art.url)) or slugs.get(_fold(art.slug))
        if other is not None:
            if other.url == art.url or other.slug == art.slug:
                what = f"the same URL /{art.url} or slug '{art.slug}'"
            else:
                a, b = told_apart(other.url, art.url)
                what = (
                    f"URLs that are one folder on macOS and Windows (/{a} and /{b}: "
                    "they differ only in letter case or Unicode form)"
                )
            first, second = told_apart(other.path, art.path)
            problems.add(
                f"two articles want {what}: {first} and {second}",
                art.path,
                hint="give one of them a different 'slug:' in its front matter",
            )
        seen.setdefault(_fold(art.url), art)
        slugs.setdefault(_fold(art.slug), art)
    _check_names(articles, problems)
    slug_set = {a.slug for a in articles}
    for art in articles:
        for p in art.pinned_related:
            if p not in slug_set:
                problems.add(
                    f"front matter: 'related' names {p!r}, which is no article's slug",
                    art.path,
                    hint=did_you_mean(p, slug_set),
                )


def settle_slugs(articles: Sequence[Article], problems: Problems) -> list[Article]:
    """The articles, with slugs made from one file name in different folders told apart
    (Hugo and Zola allow ``a/first.md`` beside ``b/first.md``; two in one folder stay an
    error): the slug given in front
    matter, else the oldest file's (then the first path), stays; each other one gets its
    folder's name in front (``b-first``), with a warning, and its URL too when the URLs
    clashed as well.  Adding a newer file never changes an older one's slug or URL."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, art in enumerate(articles):
        groups[_fold(art.slug)].append(i)
    out = list(articles)
    for members in groups.values():
        if len(members) < 2:
            continue
        order = sorted(
            members,
            key=lambda i: (articles[i].slug_from_name, articles[i].date, articles[i].path),
        )
        keeper = articles[order[0]]
        for i in order[1:]:
            art = articles[i]
            parent = art.path.rpartition("/")[0]
            folder = parent.rpartition("/")[2] if parent.count("/") >= 1 else ""
            if (
                not art.slug_from_name
                or parent == keeper.path.rpartition("/")[0]  # one folder: the user's clash
                or not folder
                or not slugify(folder).strip("-")
            ):
                continue  # left to check_collection to report
            new = f"{slugify(folder)}-{art.slug}"
            url = art.url
            if _fold(url) == _fold(keeper.url) and url.endswith(f"{art.slug}/"):
                url = f"{url[: -len(art.slug) - 1]}{new}/"
            out[i] = dataclasses.replace(art, slug=new, url=url)
            problems.warn(
                f"the slug {art.slug!r} made from the file name is also {keeper.path}'s; "
                f"this article's slug is {new!r}",
                art.path,
                hint="give one of them a 'slug:' in its front matter",
            )
    return out


def _fold(text: str) -> str:
    """What a case-insensitive, normalization-insensitive file system sees."""
    return unicodedata.normalize("NFC", text).casefold()


def _check_names(articles: Sequence[Article], problems: Problems) -> None:
    """Sections and tags whose names differ (beyond letter case) but share one URL slug
    would be one page listing both, shown under one of the names: refused, naming a
    file of each."""
    sections: dict[str, tuple[str, str]] = {}  # slug -> (name, first file using it)
    tags: dict[str, tuple[str, str]] = {}
    section_urls: dict[str, str] = {}  # folded "slug/" -> a file of the section
    for art in articles:
        named = [(sections, "section", art.section, art.section_slug, f"/{art.section_slug}/")]
        named += [(tags, "tag", t, slugify(t), f"/tags/{slugify(t)}/") for t in art.tags]
        for table, kind, name, slug, url in named:
            if not slug:
                continue
            held = table.setdefault(slug, (name, art.path))
            if _fold(held[0]) != _fold(name):
                problems.add(
                    f"the {kind}s {held[0]!r} ({held[1]}) and {name!r} ({art.path}) would "
                    f"share one page, {url}",
                    art.path,
                    hint=f"use one spelling for both, or another {kind} name",
                )
        if art.section_slug:
            section_urls.setdefault(_fold(art.section_slug + "/"), art.path)
    for art in articles:
        where = section_urls.get(_fold(art.url)) if not art.section_slug else None
        if where is not None:
            problems.add(
                f"the article's URL /{art.url} is also the page of a section ({where} is in it)",
                art.path,
                hint="give the article a different 'slug:' in its front matter",
            )


def newest_first(article: Article) -> tuple[float, str]:
    """The site's order of articles: newest first, ties broken by slug."""
    return (-article.date.timestamp(), article.slug)
