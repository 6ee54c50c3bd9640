"""The ``collect`` step: every source under content/ -> its article, summary and term counts.

    find      sources under content/ and the per-folder defaults   (digest.load)
    key       each source's cache key: its bytes, the config it reads and (scraped
              .txt pages) its folder's table of lines common to its pages
    process   read -> clean -> validate -> summarize -> term counts, per source
              (digest.load, digest.clean, digest.summarize, digest.related);
              cached, and in worker processes when there are many
    check     checks across articles (one URL each, pinned slugs exist); drafts
              left out unless asked for; newest first

``digest build``, ``digest explain``, the tests and the benchmarks all read a
site through :func:`collect`.  Per-source work is a pure function of the file's
bytes and the config sections it reads, so its result is cached under a key
made of exactly those (see :class:`SourceKeys`), and is stored only when the
bytes processed are the bytes that were hashed for the key.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import os
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import compress, count
from operator import attrgetter, is_, is_not, ne
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from digest import (
    cache,
    executors,
    load,
    pool,
    related,
    snowball,
    storyfeatures,
    summarize,
    tokens,
    watch,
)
from digest.config import ContentConfig, FolderDefaults, SummaryConfig
from digest.errors import Problem, Problems
from digest.load import SourceFile
from digest.model import (
    BODY_MARK,
    Article,
    Summary,
    TermCounts,
    add_body_reader,
    body_digest,
    int32s,
    le_bytes,
)


@dataclass(frozen=True)
class Processed:
    """Everything the per-source work makes of one source file."""

    article: Article | None  # None when the source is unusable (see problems)
    problems: tuple[Problem, ...]
    report: tuple[str, ...]  # what its reader inferred or dropped, line by line (-v)
    summary: Summary | None
    terms: TermCounts | None
    digest: str | None = None  # sha256 of the bytes processed (None when unread or cached)
    features: array | None = None  # story features (digest.storyfeatures)
    # words the process that made it stemmed first (language -> word -> stem; see
    # digest.snowball.take_fresh): a worker's new words, for the stored stem table
    stems: dict[str, dict[str, str]] | None = None


@dataclass(frozen=True)
class Item:
    """One usable source's results, together."""

    source: SourceFile
    key: str  # its cache key (covers its bytes and the config it was made with)
    article: Article
    summary: Summary
    terms: TermCounts
    features: array = field(default_factory=lambda: array("i"))  # digest.storyfeatures


@dataclass(frozen=True)
class Collected:
    """What collect() read: the articles of the site, newest first (ties by slug)."""

    items: tuple[Item, ...]
    drafts: tuple[Item, ...]  # drafts left out (empty when drafts are built)
    defaults: dict[str, FolderDefaults]  # per-folder defaults, to read a source again
    processed: int  # sources whose work was redone (cache misses)
    # Standalone pages (kind "page": About, Contact), by menu weight then title; never
    # in ``items``, so no feed, archive, related link or story ever sees them.
    pages: tuple[Item, ...] = ()
    # In a session's build: the slugs of the items that are not the last build's (other
    # objects; the others are the same objects); None: not known
    changed: frozenset[str] | None = None
    # what reads the bodies its articles hold marks of (see _Bodies): kept alive with them
    bodies: object = field(default=None, compare=False, repr=False)

    @property
    def articles(self) -> list[Article]:
        return [it.article for it in self.items]


Progress = Callable[[Iterable[Processed], int], Iterable[Processed]]
Report = Callable[[str, Iterable[str]], None]


def no_progress(items: Iterable[Processed], total: int) -> Iterable[Processed]:
    return items


def collect(
    content: ContentConfig,
    summary_cfg: SummaryConfig,
    store: cache.Cache,
    problems: Problems,
    *,
    jobs: int | None = None,
    progress: Progress = no_progress,
    on_report: Report | None = None,
    texts: bool = False,
) -> Collected:
    """Every article of the site; problems of every source are added to ``problems``.

    Articles come without their plain text and paragraphs (the later stages need
    neither once they are summarized and counted) unless ``texts``: then every source
    is read again, whatever the cache holds.
    """
    return collect_kept(
        content,
        summary_cfg,
        store,
        problems,
        None,
        jobs=jobs,
        progress=progress,
        on_report=on_report,
        texts=texts,
    )[0]


@dataclass(frozen=True)
class Kept:
    """What collect keeps for the next build of a session (see digest.build.Session):
    the result of every source the last build had a stored result for, by its cache
    key (which covers its bytes and everything its result depends on), and the keys
    of the segments (see _Segments) the store holds for that build's sources.  A
    rebuild takes a source's result from here when its key is unchanged: no reading,
    checking or decoding of the stored snapshot."""

    results: dict[str, Processed]
    segments: frozenset[str]
    keys: dict[str, tuple[tuple[object, ...], str]]  # see SourceKeys.memo
    folders: dict[str, load.Listing] = field(default_factory=dict)  # see load.discover
    checked: Checked | None = None  # see _checked
    # the digest index and the stem tables as this process last stored them (not read
    # and decoded from the store again)
    digests: DigestIndex | None = None
    stems: dict[str, dict[str, str]] | None = None
    # the folder defaults and the problems reading them gave; the scraped pages' line
    # tables and the sources they were made of (see _Hint)
    defaults: tuple[dict[str, FolderDefaults], tuple[Problem, ...]] | None = None
    tables: tuple[tuple[str, ...], dict[str, frozenset[str]]] | None = None
    # the sources, their keys as SourceKeys.of made them and SourceKeys.base
    listed: tuple[tuple[SourceFile, ...], tuple[str, ...], str] | None = None
    items: dict[str, tuple[Processed, Item]] = field(default_factory=dict)  # by key
    order: _Order | None = None  # the items checked, then sorted
    spans: _Spans | None = None  # the segments' spans and keys (see _Segments)
    # the sources and whether the watcher ignores a name of any (see _any_ignored)
    ignoring: tuple[tuple[SourceFile, ...], bool] | None = None
    # when this session last wrote the digest index (time.monotonic(); every build makes
    # one, written at most once in digest.related.STORE_EVERY seconds), and its key in
    # the store when ``digests`` is not written yet (None: it is)
    stored_at: float = float("-inf")
    unsaved: str | None = None
    bodies: _Bodies | None = None  # the reader of the bodies its results hold marks of
    last: _Last | None = None  # the results by source (a session's build's)


def _newest_first(
    items: list[Item], last: _Order | None, differ: list[int] | None = None
) -> _Order:
    """The items sorted newest first (ties by slug; see load.newest_first).  ``last``: the
    last build's of a session: when only a few items differ (other objects), the last
    order less the items gone, with the new ones put in their places, instead of sorting
    10,000 items again.  The same list: no key of an item put in is another's (else the
    sort decides, as it would have).  The items that differ are found by comparing the
    two lists position by position when they are as long (an edit: a pass in C, not a
    set of 10,000 ids; ``differ``: those places, when known), and each gone item's place
    by its sort key (a bisection)."""
    key = _newest_key
    if last is not None and last.keys is not None and abs(len(items) - len(last.checked)) <= _FEW:
        gone: list[Item] | None
        if len(items) == len(last.checked):
            if differ is None:
                differ = list(compress(count(), map(is_not, items, last.checked)))
            if len(differ) <= _FEW:
                gone = [last.checked[i] for i in differ]
                fresh = tuple(items[i] for i in differ)
            else:
                gone = None
        else:
            now, before = set(map(id, items)), set(map(id, last.checked))
            went, new = before - now, now - before
            if len(went) + len(new) <= _FEW:
                gone = [it for it in last.checked if id(it) in went]
                fresh = tuple(it for it in items if id(it) in new) if new else ()
            else:
                gone = None
        if gone is not None:
            placed = _placed(last.items, last.keys, gone, fresh)
            if placed is not None:
                return _Order(items, placed[0], placed[1], fresh)
    made = list(map(key, items))
    order = sorted(range(len(items)), key=made.__getitem__)  # (stable: ties in item order)
    return _Order(items, list(map(items.__getitem__, order)), list(map(made.__getitem__, order)))


def _placed(
    items: list[Item], keys: list[tuple[float, str]], gone: list[Item], fresh: Sequence[Item]
) -> tuple[list[Item], list[tuple[float, str]]] | None:
    """An order (``items``, their ``keys``) less the items ``gone``, with the ``fresh``
    ones put in their places; None when a place is not one (an item gone not found where
    its key says, or a fresh item's key another's: a tie the sort decides)."""
    key = _newest_key
    out, keys = list(items), list(keys)
    for it in gone:
        k = key(it)
        at = bisect.bisect_left(keys, k)
        while at < len(keys) and keys[at] == k and out[at] is not it:
            at += 1
        if at == len(keys) or out[at] is not it:
            return None
        del out[at], keys[at]
    for it in fresh:
        k = key(it)
        at = bisect.bisect_left(keys, k)
        if (at < len(keys) and keys[at] == k) or (at and keys[at - 1] == k):
            return None  # (a tie: the sort's order of equals is the source order)
        keys.insert(at, k)
        out.insert(at, it)
    return out, keys


@dataclass(frozen=True)
class _Order:
    """Items as checked, then sorted newest first, and their sort keys (None: not made)."""

    checked: list[Item]
    items: list[Item]
    keys: list[tuple[float, str]] | None
    fresh: tuple[Item, ...] | None = None  # the items not in the last order (None: unknown)


_FEW = 64  # items added, removed or changed past which the items are sorted again


def _newest_key(it: Item) -> tuple[float, str]:
    return load.newest_first(it.article)


@dataclass(frozen=True)
class Changes:
    """What a watcher saw change since the session's last completed build started (see
    digest.build.Session): every file under ``roots`` (folders, as os.walk spells paths
    from them) not in ``paths`` has the stamp it had then."""

    roots: tuple[str, ...]
    paths: frozenset[str]


class _Hint:
    """A session's Changes as collect uses them: which sources need no stat, no hash and
    no new key (their last build's are theirs), and whether the folder defaults and line
    tables are the last build's.  Only when the content folder is under a watched root;
    a source or folder whose name the watcher never watches (digest.watch.ignored: a name
    starting with '#', ending in '~' or '.tmp', ...: see :func:`ignored`) is always
    looked at."""

    def __init__(self, changes: Changes | None, content: ContentConfig) -> None:
        here = str(content.dir)
        self.on = changes is not None and any(
            here == r or here.startswith(r.rstrip(os.sep) + os.sep) for r in changes.roots
        )
        self.paths = changes.paths if changes is not None and self.on else frozenset()
        self.inside = inside = here.rstrip(os.sep) + os.sep
        # the changed files of the content folder, by name
        self.names = {p.rpartition(os.sep)[2] for p in self.paths if p.startswith(inside)}

    def unchanged(self, src: SourceFile) -> bool:
        """The watcher saw no change of this source since the last build started."""
        return self.on and src.where not in self.paths and not ignored(src.rel)

    def names_changed(self, names: Iterable[str]) -> bool:
        return not self.on or not self.names.isdisjoint(names)


def ignored(rel: str) -> bool:
    """A source path (relative to the content folder) the watcher does not watch: one of
    its names is one digest.watch.ignored skips (``#draft/``, ``old~/``, ``notes.tmp/``,
    ...) though discovery reads it; no change there is ever told."""
    folder, _, name = rel.rpartition("/")
    return watch.ignored(name) or (bool(folder) and _ignored_folder(folder))


def _any_ignored(
    sources: Sequence[SourceFile], last: tuple[tuple[SourceFile, ...], bool] | None
) -> tuple[tuple[SourceFile, ...], bool]:
    """The sources, and whether :func:`ignored` holds for any of them: the last build's
    answer (``last``, of a session) when they are the same objects (discover lists an
    unchanged folder's sources again as they were), instead of 10,000 names looked at
    again after an edit of one."""
    if last is not None and len(last[0]) == len(sources) and all(map(is_, sources, last[0])):
        return last
    return tuple(sources), any(ignored(s.rel) for s in sources)


@lru_cache(maxsize=4096)
def _ignored_folder(folder: str) -> bool:
    """(ignored for a folder: asked once per folder, not once per source)"""
    return any(watch.ignored(part) for part in folder.split("/"))


def collect_kept(
    content: ContentConfig,
    summary_cfg: SummaryConfig,
    store: cache.Cache,
    problems: Problems,
    kept: Kept | None,
    *,
    jobs: int | None = None,
    progress: Progress = no_progress,
    on_report: Report | None = None,
    texts: bool = False,
    changes: Changes | None = None,
) -> tuple[Collected, Kept]:
    """collect(), starting from what the last build of a session kept (``kept``), and
    what this one keeps for the next.  ``changes``: the files changed since ``kept``'s
    build started, as a watcher saw them (None: not known, every source is looked at)."""
    hint = _Hint(changes if kept is not None else None, content)
    folders: dict[str, load.Listing] = {}
    listed = kept.folders if kept is not None else _stored_listings(store, content)
    stats: dict[str, os.stat_result] = {}  # (each source's, when discover asked for it)
    sources = load.discover(content, problems, listed, folders, stats)
    if folders.keys() != listed.keys() or any(
        v is not listed[k] and (v.stamp, v.files, v.folders) != _held(listed[k])
        for k, v in folders.items()
    ):
        _store_listings(store, content, folders)  # (for a new process: see _stored_listings)
    ignoring = _any_ignored(sources, kept.ignoring if kept is not None else None)
    defaults_made = _folder_defaults(content, problems, kept, hint, ignoring[1])
    defaults = defaults_made[0]
    keep: list[Kept] = []
    keys, done, processed = process_sources(
        sources,
        content,
        defaults,
        summary_cfg,
        store,
        jobs,
        progress,
        texts,
        kept,
        keep,
        stats,
        hint,
        ignoring[1],
        kept is not None and ignoring is kept.ignoring,
    )
    # a source's item of the last build when made of the same result (the same object)
    last_items = kept.items if kept is not None else {}
    now_last = keep[0].last
    last = kept.last if kept is not None else None
    redo = now_last.redo if now_last is not None else None
    slots: list[Any]  # (an Item, or None for a source with no article)
    if redo is not None and last is not None and last.items is not None and last.told is not None:
        # the sources are the last build's, their results its results but at ``redo``:
        # its items, kinds and problems, patched there
        made = dict(last_items)
        slots, kinds, told = list(last.items), bytearray(last.kinds), dict(last.told)
        for i in redo:
            made.pop(last.keys[i], None)
            told.pop(i, None)
            slots[i], kinds[i] = None, 0
        for i in redo:
            _item(i, sources[i], done[i], keys[i], content, last_items, made, slots, kinds, told)
        for i in sorted(told):
            problems.extend(told[i])
        if on_report is not None:  # (the sources read again: the rest were told before)
            for i in redo:
                on_report(sources[i].shown, done[i].report)
    else:
        redo = None
        made = {}
        slots, kinds, told = [None] * len(sources), bytearray(len(sources)), {}
        for i, (src, p, k) in enumerate(zip(sources, done, keys, strict=True)):
            if p.problems:
                problems.extend(p.problems)
            if on_report is not None:
                on_report(src.shown, p.report)
            _item(i, src, p, k, content, last_items, made, slots, kinds, told)
    items = list(compress(slots, kinds.translate(_KINDS[_ITEM])))
    drafts = list(compress(slots, kinds.translate(_KINDS[_DRAFT]))) if _DRAFT in kinds else []
    pages = list(compress(slots, kinds.translate(_KINDS[_PAGE]))) if _PAGE in kinds else []
    differ = None
    if redo is not None and last is not None and all(kinds[i] == last.kinds[i] for i in redo):
        # (each source of the same kind as in the last build: the same places in the
        # lists, those of the sources made again differ)
        differ = [
            kinds.count(_ITEM, 0, i) if kind == _ITEM else len(items) + kinds.count(_PAGE, 0, i)
            for i in redo
            if (kind := kinds[i]) in (_ITEM, _PAGE)
        ]
        differ.sort()
    items, pages, checked, differ = _checked(
        items, pages, problems, kept.checked if kept is not None else None, store, differ
    )
    order = _newest_first(
        items,
        kept.order if kept is not None else None,
        [i for i in differ if i < len(items)] if differ is not None else None,
    )
    items = order.items
    pages.sort(key=lambda it: (it.article.weight, it.article.title.casefold(), it.article.url))
    if now_last is not None:
        now_last = dataclasses.replace(now_last, items=slots, kinds=bytes(kinds), told=told)
    now = dataclasses.replace(
        keep[0],
        folders=folders,
        checked=checked,
        defaults=defaults_made,
        items=made,
        order=order,
        ignoring=ignoring,
        last=now_last,
    )
    changed = frozenset(it.article.slug for it in order.fresh) if order.fresh is not None else None
    site = Collected(
        tuple(items), tuple(drafts), defaults, processed, tuple(pages), changed, now.bodies
    )
    return site, now


# A source's kind of item (see _item), and for each the table bytes.translate makes a
# mask of the sources of that kind with
_NONE, _ITEM, _DRAFT, _PAGE = range(4)
_KINDS = [bytes(int(k == kind) for k in range(256)) for kind in range(4)]


def _item(
    i: int,
    src: SourceFile,
    p: Processed,
    k: str,
    content: ContentConfig,
    last: dict[str, tuple[Processed, Item]],
    made: dict[str, tuple[Processed, Item]],
    slots: list[Item | None],
    kinds: bytearray,
    told: dict[int, tuple[Problem, ...]],
) -> None:
    """Source i's item (with its result and key: ``made``) in ``slots`` and its kind in
    ``kinds``; its problems in ``told``.  The item of the last build (``last``) when made
    of the same result (the same object) of the same source."""
    if p.problems:
        told[i] = p.problems
    if p.article is None:
        return
    assert p.summary is not None and p.terms is not None
    was = last.get(k)
    if was is not None and was[0] is p and was[1].source is src:
        item = was[1]
    else:
        item = Item(src, k, p.article, p.summary, p.terms, p.features or array("i"))
    made[k] = (p, item)
    slots[i] = item
    if p.article.draft and not content.drafts:
        kinds[i] = _DRAFT
    else:
        kinds[i] = _PAGE if p.article.kind == "page" else _ITEM


def store_kept(store: cache.Cache, kept: Kept | None) -> None:
    """Write a session's digest index if its last build deferred it (see Kept.unsaved):
    at the end of a long-lived process, so a new process hashes no file again."""
    if kept is not None and kept.unsaved is not None and kept.digests is not None:
        store.put("digests", kept.unsaved, kept.digests)


def _folder_defaults(
    content: ContentConfig,
    problems: Problems,
    kept: Kept | None,
    hint: _Hint,
    any_ignored: bool = False,
) -> tuple[dict[str, FolderDefaults], tuple[Problem, ...]]:
    """load.folder_defaults, and the problems it found (added to ``problems``): the last
    build's of a session when the watcher saw no `_source.yaml` nor `_index.md` change
    (adding, removing or renaming one changes its path), and no folder of those read nor
    of the sources is one it does not watch (``any_ignored``: one of the sources is)."""
    last = kept.defaults if kept is not None else None
    if (
        last is not None
        and not hint.names_changed((load.FOLDER_DEFAULTS_FILE, *load.SECTION_FILES))
        and not any(ignored(rel) for rel in last[0])
        and not any_ignored
    ):
        problems.extend(last[1])
        return last
    found = Problems()
    defaults = load.folder_defaults(content, found)
    told = tuple(found.errors + found.warnings)
    problems.extend(told)
    return defaults, told


@dataclass(frozen=True)
class Checked:
    """What the checks across articles (load.settle_slugs, load.check_collection) made of
    a session's last build: what they read of each article, in order, the slugs and
    URLs they changed and the problems they found.  The same reading, the same result:
    taken as it was instead of checking 10,000 articles again after an edit of one."""

    read: tuple[tuple[object, ...], ...]
    renamed: tuple[tuple[int, str, str], ...]  # (article, its slug, its URL)
    problems: tuple[Problem, ...]
    both: tuple[Item, ...] = ()  # the items and pages checked, in order
    out: tuple[Item, ...] = ()  # and as they came out (renamed ones replaced)


@dataclass(frozen=True)
class _StoredChecks:
    """What the store keeps of a Checked (for a new process): a hash of what the checks
    read, instead of the reading itself."""

    read: str
    renamed: tuple[tuple[int, str, str], ...]
    problems: tuple[Problem, ...]


_CHECKS_KEY = "last"  # one entry, replaced when what the checks read changes


def _read_by_checks(a: Article) -> tuple[object, ...]:
    """Every field of an article that settle_slugs or check_collection reads."""
    return (
        *(a.slug, a.url, a.path, a.slug_from_name, a.date),
        *(a.section, a.section_slug, a.tags, a.pinned_related),
    )


@dataclass(frozen=True)
class _StoredListing:
    """A load.Listing as the store keeps it: the folder's sources by name."""

    stamp: tuple[int, int, int, int]
    top: str
    rel: str  # the folder, relative to the content folder ("" or "world/")
    files: tuple[str, ...]
    folders: tuple[str, ...]


def _held(it: load.Listing) -> tuple[object, ...]:
    """What a listing says the folder holds (a listing read back from the cache and found
    so on disk holds what it held: nothing to store again)."""
    return it.stamp, it.files, it.folders


def _listings_key(content: ContentConfig) -> str:
    return cache.key("listings", str(content.dir))


def _stored_listings(store: cache.Cache, content: ContentConfig) -> dict[str, load.Listing]:
    """The folder listings the last build of any process kept (see load.discover), for a
    new process: one whose folder's stamp is unchanged is taken as it is.  Names that
    discover would not have listed (a path, a hidden name, a file it has no reader for)
    make the folder's entry a miss."""
    got = store.get("listings", _listings_key(content), dict[str, _StoredListing])
    if not isinstance(got, dict):
        return {}
    root = content.dir
    out: dict[str, load.Listing] = {}
    for folder, it in got.items():
        parts = it.rel.split("/")
        if (
            parts[-1] != ""
            or not _plain(parts[:-1], False)
            or not _plain(it.files, True)
            or not _plain(it.folders, False)
            or folder != str(root.joinpath(*parts[:-1]))
        ):
            continue
        base = os.path.join(folder, "")
        files = tuple(
            load.SourceFile(
                base + name, it.rel + name, it.top + (it.rel + name).replace("/", os.sep)
            )
            for name in it.files
        )
        out[folder] = load.Listing(it.stamp, it.top, it.rel, files, it.folders, seen=False)
    return out


def _plain(names: Sequence[str], files: bool) -> bool:
    """Names discover lists: in one folder, not hidden, files of a kind it reads.  (Asked
    of the names joined, each after a "/": a few passes over one string, not a loop of
    tests per name for 10,000 names.)"""
    joined = "".join(map("/".__add__, names))
    return (
        all(names)
        and joined.count("/") == len(names)
        and (os.sep == "/" or os.sep not in joined)
        and "\0" not in joined
        and not any("/" + prefix in joined for prefix in load.SKIPPED)
        and (not files or all(map(load.readable_name, names)))
    )


def _store_listings(
    store: cache.Cache, content: ContentConfig, folders: dict[str, load.Listing]
) -> None:
    stored = {
        folder: _StoredListing(
            it.stamp, it.top, it.rel, tuple(f.rel[len(it.rel) :] for f in it.files), it.folders
        )
        for folder, it in folders.items()
    }
    store.put("listings", _listings_key(content), stored)


def _checked(
    items: list[Item],
    pages: list[Item],
    problems: Problems,
    last: Checked | None,
    store: cache.Cache | None = None,
    differ: list[int] | None = None,
) -> tuple[list[Item], list[Item], Checked, list[int] | None]:
    """Items and pages with clashing file-name slugs told apart (see
    :func:`digest.load.settle_slugs`), then checked across (load.check_collection); a
    renamed item's key covers its new slug and URL, so nothing cached under the old
    ones is reused for it.  ``last``: what the checks made of a session's last build;
    else ``store`` keeps what they made of the last build of any process.

    In a session, the items that are not the last build's objects are found position by
    position (a pass in C); when they are few, only they are read again, and the other
    items come out as they did last time (a renamed one as the same object).  ``differ``:
    the places of ``items + pages`` where they may not be the last build's (sorted; None:
    not known, found here); the last value returned: the places where the items out are
    not the last build's (None: not known)."""
    both = items + pages
    if last is None or len(last.both) != len(both):
        differ = None
    elif differ is None:
        differ = list(compress(count(), map(is_not, both, last.both)))
        if len(differ) > _FEW:
            differ = None
    if differ is not None:
        assert last is not None
        reading = list(last.read)
        for i in differ:
            reading[i] = _read_by_checks(both[i].article)
        read = tuple(reading)
        same = all(reading[i] == last.read[i] for i in differ)
    elif last is not None and len(last.both) == len(both):
        # (what the checks read of the same article object: what they read last time)
        read = tuple(
            r if a.article is b.article else _read_by_checks(a.article)
            for a, b, r in zip(both, last.both, last.read, strict=True)
        )
        same = last.read == read
    else:
        read = tuple(_read_by_checks(it.article) for it in both)
        same = last is not None and last.read == read
    now: Checked | None = None
    read_key = ""
    if same:
        now = last
    elif store is not None and store.db is not None:
        read_key = cache.quick_key("checks", read)
        got = store.get("checks", _CHECKS_KEY, _StoredChecks)  # typed: else a miss
        if (
            isinstance(got, _StoredChecks)
            and got.read == read_key
            and all(0 <= i < len(both) for i, _, _ in got.renamed)
        ):
            now = Checked(read, got.renamed, got.problems)
    reused = False
    if now is not None and now is last and differ is not None and len(now.out) == len(both):
        reused = True
        # the last build's items out, but for those that differ
        out = list(now.out)
        renamed = {i: (slug, url) for i, slug, url in now.renamed}
        for i in differ:
            it = both[i]
            out[i] = it if i not in renamed else _renamed(it, *renamed[i])
    elif now is not None:
        out = list(both)
        for i, slug, url in now.renamed:
            out[i] = _renamed(both[i], slug, url)
    else:
        found = Problems()
        arts = list(map(_ARTICLE, both))
        settled = load.settle_slugs(arts, found)
        load.check_collection(settled, found)
        renamed_ = tuple(
            (i, b.slug, b.url)
            for i, (a, b) in enumerate(zip(arts, settled, strict=True))
            if a is not b
        )
        now = Checked(read, renamed_, tuple(found.errors + found.warnings))
        if read_key and store is not None:  # (a new process after this one takes it)
            store.put("checks", _CHECKS_KEY, _StoredChecks(read_key, renamed_, now.problems))
        out = [
            it if art is it.article else _moved(it, art)
            for it, art in zip(both, settled, strict=True)
        ]
    now = dataclasses.replace(now, both=tuple(both), out=tuple(out))
    problems.extend(now.problems)
    return out[: len(items)], out[len(items) :], now, differ if reused else None


_ARTICLE = attrgetter("article")


def _renamed(it: Item, slug: str, url: str) -> Item:
    """An item whose article settle_slugs gave another slug and URL."""
    return _moved(it, dataclasses.replace(it.article, slug=slug, url=url))


def _moved(it: Item, art: Article) -> Item:
    """The item with its article renamed: its key covers the new slug and URL."""
    return dataclasses.replace(it, article=art, key=cache.quick_key(it.key, art.slug, art.url))


# ---------------------------------------------------------------- per-source work


def process_one(
    src: SourceFile,
    content: ContentConfig,
    defaults: dict[str, FolderDefaults],
    summary_cfg: SummaryConfig,
    tables: dict[str, frozenset[str]] | None = None,
) -> Processed:
    """read -> clean -> validate -> summarize -> term counts for one source (``tables``:
    each folder's line table, see :func:`digest.load.folder_line_table`)."""
    common = (tables or {}).get(src.rel.rpartition("/")[0], frozenset())
    loaded = load.load_one(src, content, defaults, common)
    article = loaded.article
    if article is None:
        return Processed(None, loaded.problems, loaded.report, None, None, loaded.digest)
    if article.kind == "page":  # not summarized, nor compared with the articles
        nothing = TermCounts(array("i"), array("i"))
        summary = Summary((), "page")
        return Processed(article, loaded.problems, loaded.report, summary, nothing, loaded.digest)
    summary, notes = summarize.summarize_with_limits(article, summary_cfg)
    # the title and text read once for the term counts and the story features alike
    reading = tokens.reading(article.title, article.text)
    return Processed(
        article,
        loaded.problems,
        loaded.report + notes,
        summary,
        related.term_counts(article, reading),
        loaded.digest,
        storyfeatures.story_features(article.title, article.text, reading),
    )


def _process_slim(
    src: SourceFile,
    content: ContentConfig,
    defaults: dict[str, FolderDefaults],
    summary_cfg: SummaryConfig,
    tables: dict[str, frozenset[str]] | None = None,
) -> Processed:
    """process_one, slimmed where it runs: the later stages need neither the article's
    plain text nor its paragraphs (already summarized and counted), so a worker sends
    back half the bytes."""
    p = process_one(src, content, defaults, summary_cfg, tables)
    stems = snowball.take_fresh() or None
    if p.article is None:
        return dataclasses.replace(p, stems=stems)
    slim = dataclasses.replace(p.article, text="", paragraphs=())
    return dataclasses.replace(p, article=slim, stems=stems)


def process_sources(
    sources: Sequence[SourceFile],
    content: ContentConfig,
    defaults: dict[str, FolderDefaults],
    summary_cfg: SummaryConfig,
    store: cache.Cache,
    jobs: int | None,
    progress: Progress = no_progress,
    texts: bool = False,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
    stats: dict[str, os.stat_result] | None = None,
    hint: _Hint | None = None,
    any_ignored: bool = True,
    same_sources: bool = False,
) -> tuple[list[str], list[Processed], int]:
    """(cache keys, results, sources processed), in source order: each result from the
    cache, else computed (in worker processes when there are many).  With ``texts``
    every source is processed and its article keeps its text and paragraphs.
    ``kept``: the last build's results (see Kept), taken before the store's; ``keep``
    gets what this build keeps; ``stats``: sources' stats taken by discover (see
    load.discover), used once instead of asking again; ``hint``: the sources a
    session's watcher saw unchanged (their keys are the last build's); ``any_ignored``:
    False when no source has a name the watcher ignores (see :func:`ignored`);
    ``same_sources``: the sources are the objects ``kept``'s build listed, in order."""
    digests = Digests(store, content.dir, kept.digests if kept is not None else None)
    # Each folder's line table is part of its scraped pages' keys: a page's result changes
    # when another page of its folder changes what is common.
    last_tables = kept.tables if kept is not None else None
    if same_sources and last_tables is not None:
        scraped = last_tables[0]  # (the same sources: the same scraped ones)
    else:
        scraped = tuple(s.rel for s in sources if s.rel[-4:].lower() == ".txt")
    if (
        hint is not None
        and last_tables is not None
        and last_tables[0] == scraped
        and not any(name[-4:].lower() == ".txt" for name in hint.names)
        and hint.on
        and not (any_ignored and any(ignored(rel) for rel in scraped))  # (never told)
    ):
        tables = last_tables[1]
    else:
        by_rel = {s.rel: s for s in sources}
        tables = load.folder_line_table([by_rel[rel] for rel in scraped])
    memo = kept.keys if kept is not None else ({} if keep is not None else None)
    source_keys = SourceKeys(content, defaults, summary_cfg, digests, tables, memo, stats, hint)
    same = (
        kept is not None
        and kept.defaults is not None
        and defaults is kept.defaults[0]
        and last_tables is not None
        and tables is last_tables[1]
    )
    last_listed = kept.listed if kept is not None else None
    last = kept.last if kept is not None else None
    again = source_keys.again(
        sources,
        last_listed,
        same,
        any_ignored,
        same_sources,
        last.index if last is not None else None,
        last.recent if last is not None else None,
        last is not None and last.keyed,
    )
    keys = again if again is not None else [source_keys.of(s) for s in sources]
    # (before any is marked "read")
    listed = (
        last_listed[0] if same_sources and last_listed is not None else tuple(sources),
        tuple(keys),
        source_keys.base,
    )
    # The sources the last build's results are not taken for as they are, when this
    # build's sources are the last build's objects and only a few keys were made again
    # (an edit in a session): those keys changed, and those whose result was not stored.
    redo: list[int] | None = None
    if (
        last is not None
        and again is not None
        and same_sources
        and source_keys.redone is not None
        and not texts
        and len(last.keys) == len(keys)
    ):
        redo = sorted(
            {i for i in source_keys.redone if keys[i] != last.keys[i]}.union(last.unstored)
        )
        if len(redo) > _FEW:
            redo = None
    # bodies are stored apart from the rest of the results and read when a page shows
    # them (not with --no-cache, nor when the articles keep their texts)
    bodies = (
        _Bodies(store, content, defaults, tables)
        if store.db is not None and store.folder is not None and not texts
        else None
    )
    held = (
        redo is not None
        and last is not None
        and bodies is not None
        and kept is not None
        and kept.bodies is not None
        and bodies.take(kept.bodies, [(last.keys[i], last.results[i]) for i in redo])
    )
    segments = _Segments(store, keys, kept.spans if kept is not None else None, sources, bodies)
    results: list[Processed | None]
    if texts:
        results = [None] * len(keys)
    elif kept is not None:
        results = segments.reuse(kept, last if redo is not None else None, redo or ())
        if bodies is not None and not held:
            # (the last build's marks: held by this build's reader too)
            for k, src, r in zip(keys, sources, results, strict=True):
                body = r.article.body if r is not None and r.article is not None else ""
                if body.startswith(BODY_MARK):
                    bodies.hold(body[len(BODY_MARK) :], k, src)
    else:
        results = segments.cached()
    if redo is not None:
        todo = [i for i in redo if results[i] is None]
    else:
        todo = [i for i, r in enumerate(results) if r is None]
    # before any worker forks (they inherit it), and even when nothing is processed:
    # later stages stem words too (the stories stage, its summaries' terms)
    stems = _Stems(store, kept.stems if kept is not None else None)
    fn = process_one if texts else _process_slim
    fresh = _run(fn, [sources[i] for i in todo], (content, defaults, summary_cfg, tables), jobs)
    with _Storing(store) as storing, segments:
        for i, p in zip(todo, progress(fresh, len(todo)), strict=True):
            if p.stems:
                stems.add(p.stems)
                # (the words go to the stem table: the result need not hold them, about a
                # quarter of a fresh result's memory on a big site's cold build)
                p = dataclasses.replace(p, stems=None)
            results[i] = p
            if p.article is None or not _readable(keys[i]):
                segments.done(i, None)
                continue
            if p.digest != digests.new[sources[i].rel][3]:
                # The file changed between hashing and reading: the result is not what
                # the key says.  Not stored, keyed by what was read (so its pages are not
                # taken for the hashed version's), and hashed again next time.
                digests.forget(sources[i].rel)
                keys[i] = cache.quick_key(keys[i], "read", p.digest or "")
                segments.done(i, None)
                continue
            if bodies is not None and p.article.body:
                # the body apart (the article keeps its sha256 and reads it back when a
                # page shows it): neither a new process's rebuild nor this build holds it
                html = p.article.body
                mark = bodies.hold(body_digest(html), keys[i], sources[i])
                storing.add_body(keys[i], bodies.pack(html))
                p = results[i] = dataclasses.replace(
                    p, article=dataclasses.replace(p.article, body=mark)
                )
            stored = Stored.of(p)  # (Stored keeps no text, so texts or not)
            storing.add(keys[i], stored)
            segments.done(i, stored)
    if kept is None:
        store.prune("source", keys)
        store.prune(_Bodies.NS, keys)
    else:  # only what the last build used and this one does not: the rest is known used
        if redo is not None and last is not None:
            # (a key holds its source's path: only a source made again has a key gone)
            gone = {last.keys[i] for i in redo if last.keys[i] != keys[i]}.intersection(
                kept.results
            )
        else:
            gone = kept.results.keys() - set(keys)
        store.forget("source", gone)
        store.forget(_Bodies.NS, gone)
    segments.prune(kept.segments if kept is not None else None)
    # (a session's later builds write the index at most once in STORE_EVERY seconds, and
    # a new process only when it differs from the stored one in more than a few files:
    # a new process that finds an older one hashes the files whose stamps moved since,
    # a few files' hashing instead of 10,000 entries encoded and written after an edit)
    stored_at = kept.stored_at if kept is not None else float("-inf")
    if kept is None:
        due = digests.written == 0 or digests.moved() > _FEW
    else:
        due = time.monotonic() - stored_at >= related.STORE_EVERY
    digests.save(write=due)
    if due:
        stored_at = time.monotonic()
    stems.save()
    if keep is not None:
        if redo is not None and last is not None and kept is not None:
            usable = dict(kept.results)
            for i in redo:
                usable.pop(last.keys[i], None)
            for i in redo:
                k, r = keys[i], results[i]
                if r is not None and k in segments.stored:
                    usable[k] = r if r.stems is None else dataclasses.replace(r, stems=None)
            unstored = tuple(i for i in redo if keys[i] not in usable)
        else:
            usable = {
                k: p if p.stems is None else dataclasses.replace(p, stems=None)
                for k, p in zip(keys, results, strict=True)
                if p is not None and k in segments.stored
            }
            unstored = tuple(i for i, k in enumerate(keys) if k not in usable)
        made = source_keys.made or {}
        recent = None
        if source_keys.redone is not None and digests.saved is not None:
            # the paths whose stamps may be within a second of this index: only those
            # stamped again since the last one (the others were a second before that)
            racy, new = digests.saved.time - 10**9, digests.new
            rels = (sources[i].rel for i in source_keys.redone)
            recent = frozenset(rel for rel in rels if rel in new and new[rel][1] >= racy)
        # a key for exactly the paths the index holds: so in the last build (again() gave
        # keys), and each path looked at again given both or neither
        keyed = (
            source_keys.redone is not None
            and not digests.forgot
            and all(
                (sources[i].rel in made) == (sources[i].rel in digests.new)
                for i in source_keys.redone
            )
        )
        written = frozenset(segments.written)
        keep.append(
            Kept(
                usable,
                written,
                made,
                digests=digests.saved,
                stems=stems.tables,
                tables=(scraped, tables),
                listed=listed,
                spans=segments.made(),
                stored_at=stored_at,
                unsaved=None if due else digests.key,
                bodies=bodies,
                last=_Last(
                    tuple(keys),
                    results,
                    unstored,
                    source_keys.index,
                    recent,
                    keyed,
                    tuple(redo) if redo is not None else None,
                ),
            )
        )
    if redo is not None:  # (every result made: none is None)
        return keys, results, len(todo)  # type: ignore[return-value]
    return keys, [r for r in results if r is not None], len(todo)


@dataclass(frozen=True)
class _Last:
    """A session's build's results by source (its sources are Kept.listed's), for the
    next build to take as they are but for the few sources an edit changed."""

    keys: tuple[str, ...]  # each source's key (as its result was made: see Processed.digest)
    results: list[Processed | None]  # each source's (never changed once kept)
    unstored: tuple[int, ...]  # the sources whose result is not stored: made again
    index: dict[str, int] | None  # each source's index by relative path (None: not made)
    recent: frozenset[str] | None  # see SourceKeys.again (None: not known)
    keyed: bool  # see SourceKeys.again
    # the sources whose results are not the last build's (None: not known); collect_kept
    # adds what it made of each source
    redo: tuple[int, ...] | None = None
    items: list[Item | None] | None = None  # each source's item (None: no article)
    kinds: bytes = b""  # each source's kind of item: see _KINDS
    told: dict[int, tuple[Problem, ...]] | None = None  # each source's problems, if any


class _Stems:
    """The stored word -> stem tables (language -> word -> stem) of the summarizer and
    related links (digest.snowball): loaded before sources are processed, so the words
    of an edited article that the site used before are not stemmed again (nor NLTK
    imported for them), and saved with the words this build stemmed first."""

    KEY = "tables"
    LIMIT = snowball.MEMO_LIMIT  # words per language; past it the table starts over

    def __init__(self, store: cache.Cache, kept: dict[str, dict[str, str]] | None = None) -> None:
        """``kept``: the tables as this process last stored them (a build session's: its
        words are in this process's memo already, seeded or stemmed here)."""
        self.store = store
        if kept is not None:
            self.tables = kept
        else:
            stored = store.get("stems", self.KEY, dict[str, dict[str, str]])  # typed: else a miss
            self.tables = stored if isinstance(stored, dict) else {}
            snowball.seed(self.tables)
        self.new: dict[str, dict[str, str]] = {}

    def add(self, stems: dict[str, dict[str, str]]) -> None:
        for language, words in stems.items():
            self.new.setdefault(language, {}).update(words)

    def save(self) -> None:
        self.add(snowball.take_fresh())  # stemmed in this process (no worker, or the first)
        changed = False
        for language, words in self.new.items():
            table = self.tables.setdefault(language, {})
            if words.keys() <= table.keys():
                continue
            if len(table) + len(words) > self.LIMIT:
                table.clear()
            table.update(words)
            changed = True
        if changed:
            self.store.put("stems", self.KEY, self.tables)


def _cached(
    store: cache.Cache,
    keys: Sequence[str],
    found: dict[str, Stored] | None = None,
    sources: Sequence[SourceFile] = (),
    bodies: _Bodies | None = None,
) -> list[Processed | None]:
    """Each key's cached result, None for a miss; decoded a chunk at a time (``found``,
    when given, gets the stored values read).  ``sources``: the keys' sources, and
    ``bodies`` their stored bodies (see Stored.processed)."""
    out: list[Processed | None] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        hits = valid(store.get_many("source", [k for k in chunk if _readable(k)], Stored))
        if found is not None:
            found.update(hits)
        srcs = sources[start : start + _CHUNK] if sources else [None] * len(chunk)
        out += [
            hits[k].processed(k, src, bodies) if k in hits else None
            for k, src in zip(chunk, srcs, strict=True)
        ]
    return out


@dataclass(frozen=True)
class Segment:
    """The stored results of a run of consecutive sources (see _Segments), in one entry."""

    keys: tuple[str, ...]
    entries: tuple[Stored, ...]


@dataclass(frozen=True)
class _Spans:
    """A build's segment spans of its sources' keys, and the keys of those made."""

    keys: tuple[str, ...]
    spans: list[tuple[int, int]]
    keyed: dict[tuple[int, int], str]


class _Segments:
    """A snapshot of the site's cached results in segments of about SEGMENT consecutive
    sources: a rebuild reads a few hundred entries, not one per source (at 10,000 articles
    the per-entry reads, checksums and decodes were most of a one-edit rebuild's collect).

    A segment ends after a source whose key's last hex digits are a multiple of SEGMENT
    (content-defined, as rsync cuts files): adding, removing or editing a source changes
    the segment it is in (its key is a hash of its members' keys), not the others.  A
    segment is stored when all its sources have a stored result; the per-source entries
    stay the fallback for the sources of a segment that missed.  Small sites (fewer than
    MIN_SOURCES sources) use the per-source entries only."""

    SEGMENT = 64
    MIN_SOURCES = 200
    NS = "segment"

    def __init__(
        self,
        store: cache.Cache,
        keys: list[str],
        last: _Spans | None = None,
        sources: Sequence[SourceFile] = (),
        bodies: _Bodies | None = None,
    ) -> None:
        """``last``: a session's last build's spans (see made): when few keys differ, its
        cuts but near those keys, and the keys of the spans holding none of them.
        ``sources``: the keys' sources, and ``bodies`` their stored bodies (see
        Stored.processed)."""
        self.store, self.keys = store, keys
        self.sources, self.bodies = sources, bodies
        self.first = tuple(keys)  # (the keys as they came: see made)
        self.on = len(keys) >= self.MIN_SOURCES
        self.spans: list[tuple[int, int]] = []
        self.keyed: dict[tuple[int, int], str] = {}  # span -> its key, once made
        n = len(keys)
        differ = (
            list(compress(count(), map(ne, keys, last.keys)))
            if last is not None and len(last.keys) == n
            else None
        )
        if last is not None and differ is not None and len(differ) <= _FEW:
            ends = {hi - 1 for _, hi in last.spans}
            for i in differ:
                ends.discard(i)
                if self._cut(i, keys[i], n):
                    ends.add(i)
            start = 0
            for i in sorted(ends):
                self.spans.append((start, i + 1))
                start = i + 1
            for span in self.spans:
                made = last.keyed.get(span)
                at = bisect.bisect_left(differ, span[0])  # (differ is sorted)
                if made is not None and (at == len(differ) or differ[at] >= span[1]):
                    self.keyed[span] = made  # (the same keys: the same segment key)
        else:
            start = 0
            for i, k in enumerate(keys):
                if self._cut(i, k, n):
                    self.spans.append((start, i + 1))
                    start = i + 1
        self.hit: set[int] = set()  # spans read from their segment
        self.have: dict[int, Stored] = {}  # source -> its stored result, until written
        self.bad: set[int] = set()  # sources with no stored result
        self.next = 0  # the first span not yet written (or found unwritable)
        self.written: list[str] = []
        self.pending: dict[str, Segment] = {}
        self.stored: set[str] = set()  # the keys of the sources with a stored result

    def _cut(self, i: int, k: str, n: int) -> bool:
        """Whether a segment ends after source i (of n, with key k)."""
        return i == n - 1 or (_readable(k) and int(k[-4:], 16) % self.SEGMENT == 0)

    def key(self, span: tuple[int, int]) -> str:
        """A segment's key: a hash of its members' keys (each covers its source and config)."""
        made = self.keyed.get(span)
        if made is None:
            made = self.keyed[span] = cache.quick_key(self.NS, self.keys[span[0] : span[1]])
        return made

    def made(self) -> _Spans:
        """The spans and their keys, for the next build of a session (made before any key
        was marked "read": a span holding such a key is never written nor hit)."""
        return _Spans(tuple(self.first), self.spans, dict(self.keyed))

    def cached(self) -> list[Processed | None]:
        """Each source's cached result (None for a miss): whole segments first, then the
        per-source entries of the sources whose segment missed."""
        out: list[Processed | None] = [None] * len(self.keys)
        if not self.on:
            found: dict[str, Stored] = {}
            got = _cached(self.store, self.keys, found, self.sources, self.bodies)
            self.stored.update(found)
            return got
        by_key = {self.key(sp): n for n, sp in enumerate(self.spans)}
        for start in range(0, len(by_key), _CHUNK // self.SEGMENT):
            chunk = list(by_key)[start : start + _CHUNK // self.SEGMENT]
            for k, seg in self.store.get_many(self.NS, chunk, Segment).items():
                n = by_key[k]
                lo, hi = self.spans[n]
                if seg.keys != tuple(self.keys[lo:hi]) or len(seg.entries) != hi - lo:
                    continue
                # (checked a segment at a time: checking a chunk's at once was slower, its
                # arrays outgrowing the processor's caches)
                ok = valid(dict(zip(seg.keys, seg.entries, strict=True)))
                if len(ok) != hi - lo:  # an impossible value: the per-source entries decide
                    continue
                srcs = self.sources[lo:hi] if self.sources else [None] * (hi - lo)
                later = (
                    _Later(self.bodies, seg.keys, self.sources[lo:hi]).get
                    if self.bodies is not None and self.sources
                    else None
                )
                out[lo:hi] = [
                    e.processed(k, src, self.bodies, later and partial(later, j))
                    for j, (e, k, src) in enumerate(zip(seg.entries, seg.keys, srcs, strict=True))
                ]
                self.hit.add(n)
        for n in self.hit:
            self.stored.update(self.keys[slice(*self.spans[n])])
        rest = [i for i, r in enumerate(out) if r is None]
        found = {}
        got = self._entries(rest, found)
        self.stored.update(found)
        for i, p in zip(rest, got, strict=True):
            out[i] = p
            stored = found.get(self.keys[i])
            if stored is not None:
                self.have[i] = stored
            else:
                self.bad.add(i)  # a miss: done() says what its result gives
        return out

    def _entries(self, rest: list[int], found: dict[str, Stored]) -> list[Processed | None]:
        """The per-source entries of sources ``rest`` (indexes), as _cached reads them
        (``found`` gets the stored values read)."""
        return _cached(
            self.store,
            [self.keys[i] for i in rest],
            found,
            [self.sources[i] for i in rest] if self.sources else (),
            self.bodies,
        )

    def reuse(
        self, kept: Kept, last: _Last | None = None, redo: Sequence[int] = ()
    ) -> list[Processed | None]:
        """cached(), for a build of a session: each source's result from the last build's
        (``kept``) when its key is unchanged, else from its per-source entry (a miss:
        None).  A segment the store holds for exactly these sources is not written again;
        another is written from its members' results (made stored values again).
        ``last``: the last build's results by source, when the sources are its sources
        and all but those at ``redo`` have its keys and a stored result: the others are
        taken from there as they are (not looked up one by one)."""
        got = kept.results
        found: dict[str, Stored] = {}
        out: list[Processed | None]
        if last is not None:
            out = list(last.results)
            for i in redo:
                out[i] = None
            got_rest = self._entries(list(redo), found)
            for i, p in zip(redo, got_rest, strict=True):
                out[i] = p
            self.stored = set(got)
            self.stored.difference_update([last.keys[i] for i in redo])
            self.stored.update(self.keys[i] for i in redo if self.keys[i] in found)
        else:
            out = [got.get(k) for k in self.keys]
            rest = [i for i, r in enumerate(out) if r is None]
            got_rest = self._entries(rest, found)
            for i, p in zip(rest, got_rest, strict=True):
                out[i] = p
            self.stored.update(k for k in self.keys if k in got or k in found)
        if not self.on:
            return out
        for n, span in enumerate(self.spans):
            if self.key(span) in kept.segments:
                self.hit.add(n)  # (its members' keys are the last build's: all in ``got``)
                continue
            for i in range(*span):
                k, p = self.keys[i], out[i]
                if k in found:
                    self.have[i] = found[k]
                elif p is not None and k in got:
                    self.have[i] = Stored.of(p, apart=True)
                else:
                    self.bad.add(i)  # a miss: done() says what its result gives
        return out

    def done(self, i: int, stored: Stored | None) -> None:
        """Source i's new result (None: not stored); sources come in increasing order."""
        if not self.on:
            if stored is not None:
                self.stored.add(self.keys[i])
            return
        if stored is None:
            self.bad.add(i)
        else:
            self.have[i] = stored
            self.bad.discard(i)
            self.stored.add(self.keys[i])
        while self.next < len(self.spans) and self.spans[self.next][1] <= i + 1:
            self._write(self.next)

    def _write(self, n: int) -> None:
        lo, hi = self.spans[n]
        self.next = n + 1
        if n in self.hit:
            self.written.append(self.key(self.spans[n]))
            return
        members = range(lo, hi)
        if all(i in self.have and i not in self.bad for i in members):
            k = self.key(self.spans[n])
            keys = tuple(self.keys[lo:hi])
            self.pending[k] = Segment(keys, tuple(self.have[i].apart() for i in members))
            self.written.append(k)
            if len(self.pending) * self.SEGMENT >= _CHUNK:
                self._flush()
        for i in members:
            self.have.pop(i, None)

    def _flush(self) -> None:
        self.store.put_many(self.NS, self.pending)
        self.pending = {}

    def __enter__(self) -> _Segments:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.on and exc[0] is None:
            while self.next < len(self.spans):
                self._write(self.next)
            self._flush()

    def prune(self, known: Iterable[str] | None = None) -> None:
        """Forget the segments this build did not use (all of them on a small site);
        ``known``: all the store holds is these (a session's last build's) and this
        build's own, so only those of them this build did not use are forgotten."""
        if known is None:
            self.store.prune(self.NS, self.written)
        else:
            self.store.forget(self.NS, set(known).difference(self.written))


class _Storing:
    """New cache entries, written a chunk at a time (the rest when the block ends)."""

    def __init__(self, store: cache.Cache) -> None:
        self.store = store
        self.items: dict[str, Stored] = {}
        self.bodies: dict[str, bytes] = {}

    def add(self, key: str, value: Stored) -> None:
        self.items[key] = value
        if len(self.items) >= _CHUNK:
            self.flush()

    def add_body(self, key: str, html: bytes) -> None:
        """(before the article's add: a body is stored before the result that needs it)"""
        self.bodies[key] = html

    def flush(self) -> None:
        self.store.put_many(_Bodies.NS, self.bodies)
        self.store.put_many("source", self.items)
        self.items, self.bodies = {}, {}

    def __enter__(self) -> _Storing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()


_CHUNK = 1000  # cache entries decoded or stored at a time


def _readable(key: str) -> bool:
    return not key.startswith("unreadable:")


def _run(
    fn: Callable[..., Processed], items: Sequence[SourceFile], args: tuple, jobs: int | None
) -> Iterator[Processed]:
    """fn(item, *args) for each item, in order; on the build's executor (worker processes
    here, or a Dask cluster: see digest.executors) when it pays."""
    ex = executors.current()
    workers = ex.workers(jobs)
    if len(items) < pool.ARTICLES or (workers <= 1 and isinstance(ex, executors.Local)):
        return (fn(item, *args) for item in items)
    if isinstance(ex, executors.Dask):
        return ex.map_sources(fn, items, args, workers)
    return _pooled(fn, items, args, workers)


def _pooled(
    fn: Callable[..., Processed], items: Sequence[SourceFile], args: tuple, workers: int
) -> Iterator[Processed]:
    # The first item runs here: it loads the summarizer's stemmer and stop words
    # once, and forked workers inherit them instead of each loading its own.
    yield fn(items[0], *args)
    yield from pool.ordered_map(_call, [(fn, item, args) for item in items[1:]], workers)


def _call(job: tuple) -> Processed:
    fn, item, args = job
    return fn(item, *args)


# ---------------------------------------------------------------- cache keys


class SourceKeys:
    """Each source's cache key: a hash of everything its Processed depends on (its path,
    bytes, folder defaults, the content and summary config, digest and its libraries)."""

    def __init__(
        self,
        content: ContentConfig,
        defaults: dict[str, FolderDefaults],
        summary_cfg: SummaryConfig,
        digests: Digests,
        tables: dict[str, frozenset[str]] | None = None,
        memo: dict[str, tuple[tuple[object, ...], str]] | None = None,
        stats: dict[str, os.stat_result] | None = None,
        hint: _Hint | None = None,
    ) -> None:
        self.defaults, self.digests = defaults, digests
        self.stats = stats or {}  # rel -> a stat taken moments ago (see load.discover)
        self.tables = {f: cache.key(sorted(t)) for f, t in (tables or {}).items()}
        self.base = cache.key(
            "source",
            cache.fingerprint(),
            content.language,
            content.author,
            content.raw_html,
            summary_cfg,
            os.environ.get("SOURCE_DATE_EPOCH", ""),
            _static_files(content.root),
        )
        self.folders: dict[str, str] = {}  # folder -> key of its merged defaults
        # A session's keys by source path with what they were made of (see Kept): the
        # same parts, the same key (not hashed again); ``made`` gets this build's
        self.memo: dict[str, tuple[tuple[object, ...], str]] | None = memo
        self.made: dict[str, tuple[tuple[object, ...], str]] | None = (
            {} if memo is not None else None
        )
        self.hint = hint if hint is not None and hint.on and memo is not None else None
        self.racy = digests.written - 10**9  # (see Digests.of)
        # set by again() when it gives keys (see there)
        self.index: dict[str, int] | None = None
        self.redone: list[int] | None = None

    def again(
        self,
        sources: Sequence[SourceFile],
        last: tuple[tuple[SourceFile, ...], tuple[str, ...], str] | None,
        same: bool,
        any_ignored: bool = True,
        same_sources: bool = False,
        index: dict[str, int] | None = None,
        recent: frozenset[str] | None = None,
        keyed: bool = False,
    ) -> list[str] | None:
        """Every source's key, as of() makes them, when they are the last build's sources
        (``last``: its sources, keys and base) with the same folder defaults and line
        tables (``same``): the last build's keys but for the sources of() must look at (changed,
        see _Hint; unreadable; stamped within a second of the index); None otherwise, or
        when a source has a name the watcher ignores (``any_ignored``: maybe one has).
        ``same_sources``: the sources are ``last``'s objects (not compared one by one).
        Not a step per source: the 10,000 sources of() would ask again are not asked.
        ``index``: the sources' indexes by relative path, as the last build found them
        (``last``'s sources, in order; None: made here); ``recent``: the paths whose
        stamps in the index may be within a second of it (None: all are looked at);
        ``keyed``: the memo of keys is known to hold a key for exactly the paths the
        index holds (not compared again).
        Sets ``index`` (the sources' indexes) and ``redone`` (the sources whose keys were
        made again, in order) when it gives keys."""
        hint, memo, made = self.hint, self.memo, self.made
        if hint is None or last is None or memo is None or made is None or not same:
            return None
        old_sources, old_keys, base = last
        old = self.digests.old
        if (
            base != self.base
            or len(old_sources) != len(sources)
            or len(memo) != len(sources)  # (an unreadable source has no key, nor a stamp)
            or (not keyed and memo.keys() != old.keys())
        ):
            return None
        for a, b in () if same_sources else zip(sources, old_sources, strict=True):
            if a is not b and (a.rel != b.rel or a.shown != b.shown):
                return None
        if any_ignored and any(ignored(s.rel) for s in sources):
            return None  # (a name the watcher ignores: each source is looked at)
        inside = hint.inside
        redo = set()
        for p in hint.paths:
            if p.startswith(inside):
                index = index or {s.rel: i for i, s in enumerate(sources)}
                i = index.get(p[len(inside) :].replace(os.sep, "/"), -1)
                if i >= 0:
                    redo.add(i)
        if recent is None:
            racy = [rel for rel, e in old.items() if e[1] >= self.racy]
        else:  # (the others were stamped a second or more before the last index)
            racy = [rel for rel in recent if rel in old and old[rel][1] >= self.racy]
        if racy:
            index = index or {s.rel: i for i, s in enumerate(sources)}
            redo.update(index[rel] for rel in racy if rel in index)
        keys = list(old_keys)
        made.update(memo)
        self.digests.new.update(old)
        self.redone = sorted(redo)
        for i in self.redone:
            src = sources[i]
            made.pop(src.rel, None)
            self.digests.new.pop(src.rel, None)
            keys[i] = self.of(src)
        self.index = index
        return keys

    def of(self, src: SourceFile) -> str:
        if self.hint is not None and self.hint.unchanged(src):
            # Seen unchanged since the last build started, which took its stamp and key:
            # those again, unless the stamp is one Digests would look at again anyway (a
            # file changed within a second of the index: a later write in the same clock
            # tick keeps the stamp, and no watcher sees it), or what the key was made of
            # has changed (the folder's defaults, its line table, the config).
            assert self.memo is not None and self.made is not None
            last = self.memo.get(src.rel)
            old = self.digests.old.get(src.rel)
            if last is not None and old is not None and old[1] < self.racy:
                parts = last[0]
                folder = src.rel.rpartition("/")[0]
                fk = self.folders.get(folder)
                if fk is None:
                    fk = self.folders[folder] = cache.key(load.defaults_for(src.rel, self.defaults))
                table = self.tables.get(folder, "") if load.suffix(src.rel) == ".txt" else ""
                if (
                    parts[0] == self.base
                    and parts[1] == src.shown
                    and parts[2] == old[3]
                    and parts[4] == fk
                    and parts[5] == table
                ):
                    self.digests.new[src.rel] = old
                    self.made[src.rel] = last
                    return last[1]
        try:
            # (discover's stat, taken a moment earlier: a file saved in between keeps its
            # earlier stamp, so this build may take its earlier digest and cached article,
            # as it would have had the save come just after the build; the next build sees
            # the new stamp; one deleted in between may be built from the cache this once.)
            stat = self.stats.pop(src.rel, None) or os.stat(src.where)
            digest = self.digests.of(src, stat)
        except OSError:
            return "unreadable:" + src.rel  # never stored: the error is re-reported each time
        suffix = load.suffix(src.rel)  # (Path.suffix's, on the name)
        # scraped text infers dates from the file's time when it says none
        extra = stat.st_mtime_ns if suffix in (".txt", ".html", ".htm") else 0
        folder = src.rel.rpartition("/")[0]
        fk = self.folders.get(folder)
        if fk is None:
            fk = self.folders[folder] = cache.key(load.defaults_for(src.rel, self.defaults))
        table = self.tables.get(folder, "") if suffix == ".txt" else ""
        parts = (self.base, src.shown, digest, extra, fk, table)
        last = self.memo.get(src.rel) if self.memo is not None else None
        if last is not None and last[0] == parts:
            key = last[1]
        else:
            key = cache.quick_key(self.base, src.rel, src.shown, digest, extra, fk, table)
        if self.made is not None:
            self.made[src.rel] = (parts, key)
        return key


def _static_files(root: Path) -> list[str]:
    """The files of the site's static/ folder: an article's local ``image:`` is checked
    against them (and its path rewritten), so adding or removing one redoes the articles."""
    static = root / "static"
    if not static.is_dir():
        return []
    return sorted(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())


@dataclass(frozen=True)
class DigestIndex:
    """What Digests keeps: when it was written, and path -> (size, mtime_ns, inode, sha256)."""

    time: int
    files: dict[str, tuple[int, int, int, str]]


class Digests:
    """sha256 of each source's bytes, reusing the last build's when the file's size,
    mtime and inode are unchanged (as git's index does).  A file modified less than
    a second before that index was written is always read again (a later write in
    the same clock tick would keep its mtime)."""

    def __init__(self, store: cache.Cache, folder: Path, kept: DigestIndex | None = None) -> None:
        """``kept``: the index as this process last stored it (a build session's)."""
        self.store = store
        self.key = cache.key("digests", str(folder))
        old = kept if kept is not None else store.get("digests", self.key, DigestIndex)
        self.saved: DigestIndex | None = None  # (what save() stored)
        self.old: dict[str, tuple[int, int, int, str]] = old.files if old is not None else {}
        self.written: int = old.time if old is not None else 0
        self.new: dict[str, tuple[int, int, int, str]] = {}
        self.forgot = False  # (see forget)

    def of(self, src: SourceFile, st: os.stat_result) -> str:
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        old = self.old.get(src.rel)
        if old is not None and old[:3] == stamp and st.st_mtime_ns < self.written - 10**9:
            digest = old[3]
        else:
            digest = hashlib.sha256(src.path.read_bytes()).hexdigest()
        self.new[src.rel] = (*stamp, digest)
        return digest

    def forget(self, rel: str) -> None:
        """Hash this file again next time, whatever its stamp says."""
        self.new.pop(rel, None)
        self.forgot = True

    def moved(self) -> int:
        """How many files the next build would hash again were the stored index kept as it
        is: those added, gone, changed or forgotten since, or stamped within a second of
        it (see of)."""
        old, new, racy = self.old, self.new, self.written - 10**9
        differ = sum(1 for rel, e in new.items() if old.get(rel) != e or e[1] >= racy)
        return differ + len(old.keys() - new.keys())

    def save(self, write: bool = True) -> None:
        """The index of this build (``saved``), stored unless not ``write`` (a session's
        build that defers it: its next builds start from ``saved``, kept in memory)."""
        self.saved = DigestIndex(time.time_ns(), self.new)
        if write:
            self.store.put("digests", self.key, self.saved)


# ---------------------------------------------------------------- cache values


@dataclass(frozen=True)
class Stored:
    """What the cache keeps of a Processed with an article: the article without its plain
    text and paragraphs (already summarized and counted) and without its body (kept
    apart, see _Bodies: ``body`` is its sha256, "" for no body), and the term counts as
    little-endian int32 bytes (fast to store and load).  In a segment (see _Segments) the
    term counts are left out (``terms_apart``): its source's own entry holds them, read
    when they are first asked for (see TermCounts.later)."""

    article: Article
    problems: tuple[Problem, ...]
    report: tuple[str, ...]
    summary: Summary
    term_ids: bytes
    term_counts: bytes
    feature_ids: bytes  # story features, little-endian int32
    body: str = ""
    terms_apart: bool = False

    @classmethod
    def of(cls, p: Processed, apart: bool = False) -> Stored:
        """(The article's body is stored as it is unless it is a mark already (see
        digest.model.BODY_MARK): process_sources marks each body it stores apart before
        storing the rest.)  ``apart``: for a segment, without the term counts (not read
        from the store for it when not held yet)."""
        assert p.article is not None and p.summary is not None and p.terms is not None
        body = p.article.body
        marked = body.startswith(BODY_MARK)
        ids, counts = (b"", b"") if apart else p.terms.held()
        return cls(
            p.article,
            p.problems,
            p.report,
            p.summary,
            le_bytes(ids),
            le_bytes(counts),
            le_bytes(p.features if p.features is not None else array("i")),
            body[len(BODY_MARK) :] if marked else body_digest(body) if body else "",
            apart,
        )

    def apart(self) -> Stored:
        """This, for a segment: without its term counts."""
        if self.terms_apart:
            return self
        return dataclasses.replace(self, term_ids=b"", term_counts=b"", terms_apart=True)

    def processed(
        self,
        key: str = "",
        source: SourceFile | None = None,
        bodies: _Bodies | None = None,
        later: Callable[[], TermCounts] | None = None,
    ) -> Processed:
        """The result, its article's body read from ``bodies`` when a page shows it
        (under ``key``, the source's cache key; ``source``: to make it again from, should
        the stored body be missing or not what was stored), and its term counts (when
        stored apart) when first read: from ``later``, else ``bodies``."""
        if self.terms_apart:
            if later is None:
                if bodies is None or source is None:
                    raise ValueError("stored term counts to read, and no reader")
                later = partial(_Later(bodies, [key], [source]).get, 0)
            terms = TermCounts.later(later)
        else:
            terms = TermCounts(self.term_ids, self.term_counts)  # (stored: decoded when read)
        raw = self.feature_ids
        feats = int32s(raw if not len(raw) % 4 else raw[: len(raw) // 4 * 4])
        art, now = self.article, self.article.body
        if not self.body:
            if now != "":
                art = dataclasses.replace(art, body="")
        elif now.startswith(BODY_MARK) or body_digest(now) != self.body:
            # (else the HTML was stored with the article, not apart: kept as it is)
            if bodies is None or source is None:
                raise ValueError("a stored body to read, and no reader")
            mark = bodies.hold(self.body, key, source)
            if now != mark:  # (stored as its mark already, as usual: the article as it is)
                art = dataclasses.replace(art, body=mark)
        return Processed(art, self.problems, self.report, self.summary, terms, features=feats)


@dataclass(frozen=True)
class _StoredTerms:
    """The fields of a Stored that its term counts are read and checked by (see
    _Bodies.terms): decoding a stored entry as this skips its article."""

    term_ids: bytes
    term_counts: bytes
    body: str = ""
    terms_apart: bool = False


_S = TypeVar("_S", Stored, _StoredTerms)


def valid(stored: dict[str, _S]) -> dict[str, _S]:
    """The entries whose term counts are what term_counts makes: as many ids as counts,
    ids strictly increasing within 0 <= id < 2**DIM_BITS, counts positive.  A cache
    entry that passed its checksum but is not (written by hand, or by a bug) is a miss.
    Checked for all entries at once: a few array operations, not a loop per article."""
    if not stored:
        return stored
    if not all(map(_body_ok, stored.values())):
        return valid({k: s for k, s in stored.items() if _body_ok(s)})
    if not any(s.term_ids or s.term_counts for s in stored.values()):
        # (no term counts held: a segment's entries, see Stored.apart; a new process
        # checks 10,000 of them in ~160 segments, ~40 ms of array calls on empty arrays)
        return stored
    items = list(stored.items())
    sizes = np.array([len(s.term_ids) for _, s in items])
    fits = (sizes == [len(s.term_counts) for _, s in items]) & (sizes % 4 == 0)
    if not fits.all():
        return valid({k: s for (k, s), ok in zip(items, fits, strict=True) if ok})
    ids = np.frombuffer(b"".join(s.term_ids for _, s in items), dtype="<i4")
    counts = np.frombuffer(b"".join(s.term_counts for _, s in items), dtype="<i4")
    step = np.diff(ids)
    starts = np.cumsum(sizes // 4)[:-1]  # a row's first id need not exceed the last row's
    step[starts[(starts > 0) & (starts < len(ids))] - 1] = 1
    if not len(ids) or (
        ids.min() >= 0
        and ids.max() < 1 << related.DIM_BITS
        and (step > 0).all()
        and (counts > 0).all()
    ):
        return stored
    if len(items) == 1:
        return {}
    half = len(items) // 2  # find the bad entries by halving
    return {**valid(dict(items[:half])), **valid(dict(items[half:]))}


_HEX = frozenset("0123456789abcdef")


def _body_ok(s: Stored | _StoredTerms) -> bool:
    """A stored body's sha256 is empty (no body) or 64 hex digits."""
    return not s.body or (len(s.body) == 64 and _HEX.issuperset(s.body))


class _Bodies:
    """The article bodies a build stored apart from the rest of its results (namespace
    ``body`` of the cache, by source key): the HTML of a body marked in its article (see
    digest.model.BODY_MARK), read when a page shows it, in whichever process renders it
    (cache.Reader: a connection per process).  A body missing from the store or not the
    one stored (its sha256 differs) is made again from its source, as collect would (so
    never a wrong page nor a crash: a source changed since gives its new body, which the
    next build's article has too).  Kept alive by what the build made (Collected, Kept):
    digest.model holds it by a weak reference only."""

    NS = "body"

    def __init__(
        self,
        store: cache.Cache,
        content: ContentConfig,
        defaults: dict[str, FolderDefaults],
        tables: dict[str, frozenset[str]],
    ) -> None:
        self.reader = store.reader()
        self.content, self.defaults, self.tables = content, defaults, tables
        # each held body's key and source, by its sha256 (two dicts, not a tuple per body:
        # no object per article for the garbage collector to look at)
        self.keys: dict[str, str] = {}
        self.sources: dict[str, SourceFile] = {}
        self.dups: set[str] = set()  # the bodies held for two sources or more
        # what a session's last build's reader holds, under this one's (see take): held
        # here too but for the bodies ``gone``; ``depth``: readers underneath
        self.under: _Bodies | None = None
        self.gone: set[str] = set()
        self.depth = 0
        add_body_reader(self)

    def _held(self, digest: str) -> tuple[str, SourceFile] | None:
        """The key and source a body is held for (None: not held)."""
        at: _Bodies | None = self
        while at is not None:
            key = at.keys.get(digest)
            if key is not None:
                return key, at.sources[digest]
            if digest in at.gone:
                return None
            at = at.under
        return None

    def hold(self, digest: str, key: str, source: SourceFile) -> str:
        """The mark of a body stored under ``key`` (made from ``source``)."""
        if self.under is None:
            was = self.keys.get(digest)
        else:
            held = self._held(digest)
            was = held[0] if held is not None else None
        if was is not None and was != key:
            self.dups.add(digest)
        self.keys[digest] = key
        self.sources[digest] = source
        return BODY_MARK + digest

    def _flat(self) -> tuple[dict[str, str], dict[str, SourceFile]]:
        """What this holds, in two new dicts (key and source by sha256)."""
        if self.under is None:
            return dict(self.keys), dict(self.sources)
        keys, sources = self.under._flat()
        for digest in self.gone:
            keys.pop(digest, None)
            sources.pop(digest, None)
        keys.update(self.keys)
        sources.update(self.sources)
        return keys, sources

    DEPTH = 16  # readers underneath past which take() copies what they hold

    def take(self, last: _Bodies, gone: Iterable[tuple[str, Processed | None]]) -> bool:
        """Hold what ``last`` (a session's last build's reader) holds, less the bodies of
        the results ``gone`` (each with its key): a session's build whose other sources
        are the last build's (their results the same objects, marking the same bodies)
        holds only its new results' bodies then, not 10,000 again: ``last`` is kept
        underneath this one (every DEPTH builds, what it holds is copied instead).  False,
        and nothing held, when a body gone was held for two sources or more (the other
        source's key is not known here: every body is held again)."""
        dropped = []
        for key, p in gone:
            body = p.article.body if p is not None and p.article is not None else ""
            if not body.startswith(BODY_MARK):
                continue
            digest = body[len(BODY_MARK) :]
            if digest in last.dups:
                return False
            held = last._held(digest)
            if held is not None and held[0] == key:
                dropped.append(digest)
        if last.depth >= self.DEPTH:
            self.keys, self.sources = last._flat()
            for digest in dropped:
                del self.keys[digest], self.sources[digest]
        else:
            self.under, self.depth = last, last.depth + 1
            self.gone = set(dropped)
        self.dups = set(last.dups)
        return True

    def body(self, digest: str) -> str | None:
        held = self._held(digest)
        if held is None:
            return None  # (not one of this build's: an older reader's, see digest.model)
        key, source = held
        data = self.reader.get(self.NS, key, bytes)
        if isinstance(data, bytes):
            try:
                html = data.decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                html = None
            if html is not None and body_digest(html) == digest:
                return html
        made = self._loaded(source)
        return made.body_html if made is not None else ""

    def _loaded(self, source: SourceFile) -> Article | None:
        """The source read again (its stored result is missing or not what was stored)."""
        common = self.tables.get(source.rel.rpartition("/")[0], frozenset())
        return load.load_one(source, self.content, self.defaults, common).article

    @staticmethod
    def pack(html: str) -> bytes:
        return html.encode("utf-8", "surrogatepass")

    def terms(self, keys: Sequence[str], sources: Sequence[SourceFile]) -> list[TermCounts]:
        """The term counts of the results stored under ``keys`` (a segment holds none, see
        Stored): from their sources' own entries, or made again from the source when
        that is missing or not what term_counts makes (as a body is, see body)."""
        got = self.reader.get_many("source", keys, _StoredTerms)
        ok = valid({k: s for k, s in got.items() if not s.terms_apart})
        return [
            TermCounts.stored(ok[k].term_ids, ok[k].term_counts) if k in ok else self._made(src)
            for k, src in zip(keys, sources, strict=True)
        ]

    def _made(self, source: SourceFile) -> TermCounts:
        made = self._loaded(source)
        if made is None or made.kind == "page":  # (a page's are none, see process_one)
            return TermCounts(array("i"), array("i"))
        return related.term_counts(made)


class _Later:
    """The term counts of a segment's sources (see Stored.terms_apart), read together
    when the first of them is asked for: a stage reading every article's counts asks the
    store once per segment, not once per article."""

    def __init__(self, bodies: _Bodies, keys: Sequence[str], sources: Sequence[SourceFile]) -> None:
        self.bodies, self.keys, self.sources = bodies, keys, sources
        self.got: list[TermCounts] | None = None
        # (the store's connection is this process's: a forked worker must not read it)
        self.pid = os.getpid()

    def get(self, i: int) -> TermCounts:
        """The i-th source's."""
        if self.got is None:
            if os.getpid() != self.pid:
                raise RuntimeError(
                    "term counts of the build cache read first in a forked process: "
                    "they are to be read (TermCounts.held) before the workers fork"
                )
            self.got = self.bodies.terms(self.keys, self.sources)
        return self.got[i]


# (a long-lived process keeps no body decoded: bodies are what it must not hold)
cache.UNREMEMBERED.add(_Bodies.NS)
