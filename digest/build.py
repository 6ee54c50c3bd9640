"""``digest build``: the pipeline, one named and timed stage after another.

    collect       find, read, clean, validate, summarize, count terms   (digest.collect)
    theme         load the theme's templates                            (digest.render)
    check         stop here if any source, the config or the theme is bad
    related       related links of every article                        (digest.related)
    stories       articles about one story grouped across outlets       (digest.stories)
    entries       each article with its summary and links -> Entry
    render+feeds  Entries -> HTML pages, feeds, sitemap, articles.json  (digest.render, .feeds)
    publish       pages -> output folder, swapped in atomically         (digest.publish)

Each stage owns what it keeps between builds (collect: per-source results;
related: neighbour lists; stories: scored pairs, groups, story summaries; render: page
keys) in the build cache
(:mod:`digest.cache`), so a rebuild redoes only what changed.  A long-lived process
(``digest build --watch``, ``digest serve``) passes one :class:`Session` to all its
builds: each stage also keeps its state of the last completed build in memory (a
frozen ``Kept`` of its module), and a rebuild takes what is unchanged from there by
identity (the same objects) instead of reading, decoding and comparing it.  Pages are made
one at a time as publish writes them; the time spent making them is counted
under render+feeds, not publish.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import os
import sys
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, compress, count
from operator import is_not
from pathlib import Path
from typing import Any

from digest import (
    cache,
    collect,
    editions,
    executors,
    feeds,
    pool,
    publish,
    redirects,
    related,
    render,
    stories,
)
from digest.collect import Collected, Progress, Report, no_progress
from digest.config import Config, SiteConfig, ThemeConfig
from digest.errors import BuildError, Problem, Problems
from digest.model import Entry, LinkScores, Page
from digest.outwatch import FolderEvents
from digest.paths import shown
from digest.render import Theme
from digest.stories.compose import Stories

STAGES = (
    "collect",
    "theme",
    "check",
    "related",
    "stories",
    "entries",
    "render+feeds",
    "publish",
)


@dataclass(frozen=True)
class BuildOptions:
    strict: bool = False
    output: Path | None = None  # overrides config.output_dir
    jobs: int | None = None  # worker processes; None = all cores
    use_cache: bool = True
    remember: bool = False  # keep cache values in memory for the next build of this process
    # Where per-article work and the related-link top-k run: "local" (worker processes of
    # this machine) or "dask" (the cluster whose scheduler is at ``scheduler``; see
    # digest.executors)
    executor: str = "local"
    scheduler: str | None = None
    # the output folder is the process's own, that nothing else writes (digest serve's
    # preview): a session's rebuild does not look in it for changes made by hand (see
    # digest.publish.publish)
    private: bool = False


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path
    timings: tuple[tuple[str, float], ...] = ()  # (stage, seconds), in STAGES order
    processed: int = 0  # articles whose per-article work was redone (cache misses)
    written: int = 0  # files whose bytes changed in the output
    cache_note: str | None = None  # why the cache was rebuilt, when it was
    stories: int = 0  # stories the articles were grouped into


@dataclass(frozen=True)
class Kept:
    """What the stages of one completed build keep for the next build of the same
    process: each its own frozen state (None: nothing kept), made for ``made_for`` (a
    key of the config, the output folder and the options that change results)."""

    made_for: str = ""
    collect: collect.Kept | None = None
    related: related.Kept | None = None
    stories: stories.Kept | None = None
    entries: dict[str, tuple[str, Entry]] | None = None  # slug -> (source key, its entry)
    render: render.Kept | None = None
    editions: editions.Kept | None = None
    feeds: feeds.Kept | None = None
    theme: Theme | None = None  # (its templates compiled as they were used)
    publish: publish.Kept | None = None
    started: int = -1  # the build's number in its session (see Session.changes)
    # the entries in item order, with the items they were made of and each slug's place
    # (see _entries_again)
    entry_list: _EntryList | None = None


@dataclass(frozen=True)
class _EntryList:
    """A build's entries in its items' order: the items (site.items), the entries, and
    each slug's place in both."""

    items: tuple[collect.Item, ...]
    entries: tuple[Entry, ...]
    places: dict[str, int]


@dataclass
class Session:
    """The builds of one long-lived process (``digest build --watch``, ``digest
    serve``): pass the same Session to every :func:`build` and each rebuild starts
    from what the last completed build kept in memory (decoded articles, vectors,
    neighbour lists, page keys, ...), redoing only what changed.  The kept state is
    replaced only when a build completes: a failed build (bad front matter, a broken
    template) leaves the last good one, so the next good build is still correct.  The
    site a session's build publishes is byte for byte what a build without it makes.

    A watcher (digest.watch.Watcher) told of the session as its listener tells it each
    file that changed: a rebuild then looks again only at the sources changed since
    the last completed build started (see collect.Changes), instead of asking every
    file for its stamp.  Without a watcher (or after a gap in what it saw) every
    source is looked at, as in a new process."""

    kept: Kept = field(default_factory=Kept)
    builds: int = 0  # builds completed in this session
    started: int = 0  # builds started
    # the folders watched (None: no watcher), and for each build started since the
    # watcher's first snapshot (by number): the files changed since it started
    _roots: tuple[str, ...] | None = None
    _since: dict[int, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: Path | None = None  # the cache folder of the last completed build (None: none)
    _failed: bool = False  # a build failed since the last one completed
    # which folders of the output trees changed between builds (see digest.outwatch)
    output_events: FolderEvents = field(default_factory=FolderEvents)

    def watching(self, roots: Sequence[str]) -> None:
        """digest.watch.Listener: changes are told from now on; none before (the builds
        started so far get no list of changed files)."""
        with self._lock:
            self._roots = tuple(roots)
            self._since = {}

    def changed(self, paths: Collection[str]) -> None:
        """digest.watch.Listener: these files changed (added, removed, edited)."""
        with self._lock:
            for since in self._since.values():
                since.update(paths)

    def _start(self) -> tuple[int, collect.Changes | None]:
        """A build starts: its number, and the files changed since the last completed
        build started (None: not known)."""
        with self._lock:
            n = self.started
            self.started += 1
            if self._roots is None:
                return n, None
            self._since[n] = set()
            since = self._since.get(self.kept.started)
            if since is None:
                return n, None
            return n, collect.Changes(self._roots, frozenset(since))

    def settle(self) -> None:
        """Write to the cache what the last completed build kept but deferred writing
        (whole-site states and the digest index, see digest.related.STORE_EVERY): for
        the end of a long-lived process, so that a new process starts from there."""
        with self._lock:
            kept, folder = self.kept, self._cache
        if folder is None:
            return
        store = cache.Cache(folder)
        try:
            if store.fresh:  # (emptied or replaced since: nothing it holds fits these)
                return
            collect.store_kept(store, kept.collect)
            related.store_kept(store, kept.related)
            stories.store_kept(store, kept.stories)
        finally:
            store.close()

    def _done(self, kept: Kept, folder: Path | None = None) -> None:
        """A build completed: what it kept replaces the last build's (``folder``: its
        cache folder)."""
        with self._lock:
            self.kept = kept
            self._cache = folder
            self.builds += 1
            for n in [n for n in self._since if n < kept.started]:
                del self._since[n]  # (no later build starts from those)
            failed, self._failed = self._failed, False
        _leave_kept_alone(failed)


# A session's kept state is most of a long-lived process's objects (~440,000 at 10,000
# articles), and lives on from build to build: the cyclic collector walked all of them at
# each collection of its oldest generation (0.5-0.8 s at 10,000 articles, every few
# builds) and found little (a completed build leaves a few small cycles: closures of
# library code).  They are frozen after each build (gc.freeze: moved out of the
# generations the collector walks); every FREEZE_ROUNDS session builds of the process
# (of any session: a test suite runs many), everything is walked once, so garbage in
# cycles is freed then.  A failed build leaves more (its frames, held by the exception:
# ~14 MB at 10,000 articles when a template fails), so the build that completes after
# one collects what is not frozen (the two builds' objects, not the kept state) first.
FREEZE_ROUNDS = 32
_SESSION_BUILDS = itertools.count(1)  # (the process's: the collector's state is too)


def _leave_kept_alone(failed: bool = False) -> None:
    """After a session's build: the process's objects frozen (see above); ``failed``: a
    build of the session failed since the last one completed."""
    if next(_SESSION_BUILDS) % FREEZE_ROUNDS == 0:
        gc.unfreeze()
        gc.collect()
    elif failed:
        gc.collect()  # (what is not frozen: since the last completed build)
    gc.freeze()


def build(
    config: Config,
    options: BuildOptions = BuildOptions(),
    progress: Progress = no_progress,
    on_report: Report | None = None,
    session: Session | None = None,
    leftovers: list[object] | None = None,
) -> BuildResult:
    """Run every stage in order; raise BuildError listing every problem found.

    Only one build at a time writes an output folder: a second one waits for the
    first (and says so on stderr).  ``session``: see :class:`Session`.  ``leftovers``:
    the build's own large values (articles, entries, links, stories) are added to it
    instead of being freed as it returns, for a process that ends right after and need
    not free them one object at a time (0.1 s at 10,000 articles)."""
    output = options.output or config.output_dir
    with (
        publish.locked(output, on_wait=_waiting),  # one build at a time per output folder
        executors.using(options.executor, options.scheduler),  # where the work runs
    ):
        try:
            return _build(config, options, output, progress, on_report, session, leftovers)
        except BaseException:
            if session is not None:
                session._failed = True  # (its garbage is collected after the next: see above)
            raise


def _made_for(config: Config, options: BuildOptions, output: Path) -> str:
    """What a session's kept state is valid for: everything configured (site.yaml, read
    again for every build), the output folder, the cache's use and SOURCE_DATE_EPOCH."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return cache.key("session", config, str(output.absolute()), options.use_cache, epoch)


# A one-shot build of this many articles or more lets go of what only the stages before
# rendering need (see _build): at 100,000 articles, ~300 MiB of term counts and neighbour
# lists the render workers would otherwise share.  Smaller builds keep them to the end,
# where the program exits without freeing them.
LIGHTEN_AT = 50_000


def _waiting(message: str) -> None:
    print(f"{message} ...", file=sys.stderr, flush=True)


def _build(
    config: Config,
    options: BuildOptions,
    output: Path,
    progress: Progress,
    on_report: Report | None,
    session: Session | None = None,
    leftovers: list[object] | None = None,
) -> BuildResult:
    clock = _Clock()
    made_for = _made_for(config, options, output) if session is not None else ""
    number, changes = session._start() if session is not None else (-1, None)
    kept = session.kept if session is not None and session.kept.made_for == made_for else Kept()
    keeping = session is not None  # (each stage's state is kept for the next build)
    problems = Problems()
    store = cache.Cache(config.cache_dir if options.use_cache else None, options.remember)
    if store.fresh:
        # a new (or emptied) cache database: what the session kept as stored there is
        # not; this build stores everything again, as a new process's would
        kept = Kept()
    if not config.site.absolute:
        problems.warn(
            f"base_url: {config.site.base_url!r} is not an absolute URL; feeds, sitemap.xml "
            "and canonical links need one",
            shown(config.path),
            hint="set base_url: https://user.github.io/repo/ in site.yaml or pass --base-url",
        )
    try:
        with _few_collections(off=session is not None):
            with clock.stage("collect"):
                site, kept_collect = collect.collect_kept(
                    config.content,
                    config.summary,
                    store,
                    problems,
                    kept.collect,
                    jobs=options.jobs,
                    progress=progress,
                    on_report=on_report,
                    changes=changes if kept.collect is not None else None,
                )
            with clock.stage("theme"):
                theme = _theme(config.theme, config.site, problems)
                if (
                    theme is not None
                    and kept.theme is not None
                    and kept.theme.fingerprint == theme.fingerprint
                    and kept.theme.static_dirs == theme.static_dirs
                    and kept.theme.builtin == theme.builtin
                ):
                    # the same template files (and site settings, see made_for): the
                    # last build's templates, compiled already
                    theme = kept.theme
            with clock.stage("check"):
                problems.raise_if_errors(strict=options.strict)
                assert theme is not None
            with clock.stage("related"):
                keep_related: list[related.Kept] = []
                related_ = related.site_links(
                    site.articles,
                    [it.terms for it in site.items],
                    [it.key for it in site.items],
                    config.related,
                    store,
                    options.jobs,
                    wide=stories.NEIGHBOURS if config.stories.enabled else 0,
                    kept=kept.related,
                    keep=keep_related if keeping else None,
                )
            with clock.stage("stories"):
                keep_stories: list[stories.Kept] = []
                told = stories.site_stories(
                    site,
                    related_.neighbours,
                    config.stories,
                    config.summary.sentences,
                    store,
                    kept.stories,
                    keep_stories if keeping else None,
                    related_.table,
                )
            with clock.stage("entries"):
                keep_entries: dict[str, tuple[str, Entry]] | None = {} if keeping else None
                keep_list: list[_EntryList] = []
                entries = _entries(
                    site, related_, told, kept.entries, keep_entries, kept.entry_list, keep_list
                )
                # (articles.json's, held past the related stage's state: see below)
                scores, rescored = related_.scores, related_.rescored
                keep_editions: list[editions.Kept] = []
                news = editions.News.make(
                    entries,
                    told,
                    config.editions,
                    config.site,
                    kept.editions,
                    keep_editions if keeping else None,
                )
                if session is None and len(entries) >= LIGHTEN_AT:
                    # the rest needs the entries only: the items (term counts, story
                    # features) and related state go before render forks its workers
                    site = dataclasses.replace(site, items=(), drafts=())
                    del kept_collect, related_
                    # (returned to the system before render forks its workers: at 10,000
                    # articles lightened as at 100,000, 271 -> 200 MiB resident)
                    pool.give_back_freed_memory()
            with clock.stage("render+feeds"):
                keep_render: list[render.Kept] = []
                keep_feeds: list[feeds.Kept] = []
                pages = clock.lazy(
                    "render+feeds",
                    _pages(
                        entries,
                        news,
                        theme,
                        config.site,
                        store,
                        output,
                        options.jobs,
                        standalone=_standalone(site),
                        kept=kept.render,
                        keep=keep_render if keeping else None,
                        kept_feeds=kept.feeds,
                        keep_feeds=keep_feeds if keeping else None,
                        scores=scores,
                        rescored=rescored,
                        places=keep_list[0].places if keep_list else None,
                    ),
                )
            with clock.stage("publish"):
                keep_publish: list[publish.Kept] = []
                files, changed = publish.publish(
                    pages,
                    output,
                    kept.publish,
                    keep_publish if keeping else None,
                    private=options.private,
                    events=session.output_events if session is not None else None,
                )
            if session is not None:  # completed: what it kept replaces the last build's
                # (and is frozen, see _leave_kept_alone: before the collector is on again)
                session._done(
                    Kept(
                        made_for,
                        kept_collect,
                        keep_related[0],
                        keep_stories[0],
                        keep_entries,
                        keep_render[0] if keep_render else None,
                        keep_editions[0],
                        keep_feeds[0] if keep_feeds else None,
                        theme,
                        keep_publish[0],
                        number,
                        keep_list[0] if keep_list else None,
                    ),
                    config.cache_dir if options.use_cache else None,
                )
    finally:
        store.close()
    if leftovers is not None:
        leftovers.append((site, told, entries, news, theme))
        if session is not None or len(entries) < LIGHTEN_AT:
            leftovers.append((kept_collect, related_))
    return BuildResult(
        articles=len(entries),
        pages=files,
        seconds=clock.total(),
        warnings=tuple(problems.warnings),
        output=output,
        timings=clock.timings(),
        processed=site.processed,
        written=changed,
        cache_note=store.rebuilt_reason,
        stories=len(told.pages),
    )


# ---------------------------------------------------------------- the stages' glue


def _theme(cfg: ThemeConfig, site: SiteConfig, problems: Problems) -> render.Theme | None:
    try:
        return render.load_theme(cfg, site)
    except BuildError as exc:
        problems.extend(exc.problems)
    except render.ThemeError as exc:
        problems.add_error(exc)
    return None


def _entries(
    site: Collected,
    links: related.SiteLinks,
    told: Stories,
    kept: dict[str, tuple[str, Entry]] | None = None,
    keep: dict[str, tuple[str, Entry]] | None = None,
    kept_list: _EntryList | None = None,
    keep_list: list[_EntryList] | None = None,
) -> list[Entry]:
    """Each article with its summary, related links and story, and the key its pages
    are cached under (see render.entry_key).  ``kept``: the last build's entries of a
    session by slug, each with its source key: an entry made of the same article,
    summary and links (the same objects) in the same story is that entry again, so the
    later stages see what is unchanged by identity; ``keep`` gets this build's (and
    ``keep_list`` them in order, for the next build's _entries_in_place: ``kept_list``).

    When the stages before say which articles are not as in the last build (other
    items, links or stories: ``site``, ``links`` and ``told`` made from that build's),
    the other entries are taken as they were without a look at each."""
    out: list[Entry] | None = None
    if kept is not None and keep is not None:
        changed = _changed_since(site, links, told)
        if changed is not None and kept_list is not None:
            out = _entries_in_place(site, links, told, kept, keep, changed, kept_list)
        if out is None and changed is not None:
            out = _entries_again(site, links, told, kept, keep, changed)
    if out is None:
        out = []
        for it in site.items:
            slug = it.article.slug
            e = _entry(it, links, told, kept.get(slug) if kept is not None else None)
            out.append(e)
            if keep is not None:
                keep[slug] = (it.key, e)
    if keep_list is not None:
        # (the last build's places, when each entry that is another object is at its
        # slug's place; else made again)
        then = feeds.moved(out, kept_list.entries, len(out)) if kept_list is not None else None
        if kept_list is not None and then is not None:
            places = kept_list.places
            if not all(places.get(out[i].article.slug) == i for i in then):
                places = {e.article.slug: i for i, e in enumerate(out)}
        else:
            places = {e.article.slug: i for i, e in enumerate(out)}
        keep_list.append(_EntryList(tuple(site.items), tuple(out), places))
    return out


def _entries_in_place(
    site: Collected,
    links: related.SiteLinks,
    told: Stories,
    kept: dict[str, tuple[str, Entry]],
    keep: dict[str, tuple[str, Entry]],
    changed: frozenset[str],
    last: _EntryList,
) -> list[Entry] | None:
    """_entries_again when every item is in the last build's place (the same object, or
    one whose slug is ``changed`` and was there): the last build's list, made again at
    the changed slugs' places only.  None: some item is elsewhere (added, removed, moved
    by a new date), for _entries_again."""
    items, places = site.items, last.places
    if len(items) != len(last.items):
        return None
    at = []
    for slug in changed:
        i = places.get(slug)
        if i is None:
            if slug in kept:  # (in the last build: elsewhere now, or gone)
                return None
            continue  # (a slug of no item of either build: say, a story's)
        if items[i].article.slug != slug:
            return None
        at.append(i)
    spots = set(at)
    if any(i not in spots for i in compress(count(), map(is_not, items, last.items))):
        return None  # (another item, not of a changed slug's place)
    out = list(last.entries)
    keep.update(kept)
    for i in sorted(spots):
        it = items[i]
        slug = it.article.slug
        made = keep[slug] = (it.key, _entry(it, links, told, kept.get(slug)))
        out[i] = made[1]
    return out


def _entry(
    it: collect.Item, links: related.SiteLinks, told: Stories, last: tuple[str, Entry] | None
) -> Entry:
    """An item's entry: ``last`` (the last build's, with its source key) again when made of
    the same article, summary and links (the same objects) in the same story."""
    slug = it.article.slug
    own = links.links.get(slug, ())
    story = told.story_of(slug)
    in_story = story.slug if story is not None else None
    if (
        last is not None
        and last[0] == it.key
        and last[1].related is own
        and last[1].article is it.article
        and last[1].summary is it.summary
        and last[1].story == in_story
    ):
        return last[1]
    return Entry(it.article, it.summary, own, in_story, render.entry_key(it.key, own, in_story))


def _changed_since(
    site: Collected, links: related.SiteLinks, told: Stories
) -> frozenset[str] | None:
    """The slugs whose item, links or story may not be the last build's (None: not known)."""
    if site.changed is None or links.changed is None or told.changed is None:
        return None
    return site.changed | links.changed | told.changed


def _entries_again(
    site: Collected,
    links: related.SiteLinks,
    told: Stories,
    kept: dict[str, tuple[str, Entry]],
    keep: dict[str, tuple[str, Entry]],
    changed: frozenset[str],
) -> list[Entry]:
    """_entries when only the ``changed`` slugs' items, links or stories can differ from
    the last build's: the others' entries are the last build's (kept)."""
    out = []
    keep.update(kept)
    for it in site.items:
        slug = it.article.slug
        last = kept.get(slug) if slug not in changed else None
        if last is None:
            last = keep[slug] = (it.key, _entry(it, links, told, kept.get(slug)))
        out.append(last[1])
    if len(keep) != len(out):  # (articles gone: their entries are not kept)
        for slug in keep.keys() - {e.article.slug for e in out}:
            del keep[slug]
    return out


def _standalone(site: Collected) -> list[Entry]:
    """The standalone pages (About, Contact) as entries: no summary, no links."""
    return [Entry(it.article, it.summary) for it in site.pages]


def _pages(
    entries: Sequence[Entry],
    news: editions.News,
    theme: render.Theme,
    site: SiteConfig,
    store: cache.Cache | None,
    live: Path,
    jobs: int | None,
    standalone: Sequence[Entry] = (),
    kept: render.Kept | None = None,
    keep: list[render.Kept] | None = None,
    kept_feeds: feeds.Kept | None = None,
    keep_feeds: list[feeds.Kept] | None = None,
    *,
    scores: LinkScores,
    rescored: frozenset[str] | None,
    places: dict[str, int] | None = None,
) -> Iterator[Page]:
    """Every output file of the site, one at a time (publish writes them as they come);
    ``kept``, ``keep``: render's state of a session (see render.render_site), and the
    feeds' (see feeds.feed_pages).  A session's build also carries the navigation,
    stories.json, the editions feeds, the sitemap's further pages and the redirects
    to the next (in the feeds' state): each the last build's when made of the same
    objects (after an edit, nearly always).  ``scores``, ``rescored``: the related
    links' scores for articles.json, and the slugs whose scores are not the last build's
    objects (see related.SiteLinks); ``places``: each entry's place, by slug."""
    side = kept_feeds.side if kept_feeds is not None and kept_feeds.site == site else {}
    now: dict[str, Any] = {}
    now["nav"] = render.section_nav_again(entries, side.get("nav"))
    extra = {
        "feeds": feeds.discovery_links(site),
        "edition_feeds": editions.feed_discovery(site),
        "site_pages": render.menu_links([e for e in standalone if e.article.menu]),
        "sections": now["nav"][1],  # (made once for both kinds of page)
    }
    story_pages = news.stories.pages
    now["more"] = editions.sitemap_paths_again(news.editions, story_pages, side.get("more"))
    now["stories"] = editions.stories_json_again(story_pages, site, side.get("stories"))
    now["editions"] = editions.edition_feeds_again(news.editions, site, side.get("editions"))
    now["redirects"] = redirects.redirect_pages_again(entries, site, side.get("redirects"))
    more = now["more"][2]
    made = feeds.feed_pages(
        *(entries, site, more, kept_feeds, keep_feeds, store, live),
        scores=scores,
        rescored=rescored,
        places=places,
    )
    if keep_feeds:
        keep_feeds[0].side.update(now)
    pages = chain(
        render.render_site(entries, theme, site, extra, store, live, jobs, news, kept, keep),
        made,
        now["stories"][1],
        now["editions"][1],
        # standalone pages and redirects: in no feed, archive or sitemap
        render.standalone_pages(standalone, entries, theme, site, extra),
        now["redirects"][1],
        redirects.redirect_pages((e.article for e in standalone), site),
    )
    return render.compiled(theme, store, pages)  # (templates compiled by an earlier build)


# ---------------------------------------------------------------- timing, memory


class _Clock:
    """Wall time per stage.  Time spent pulling from a lazy stage's iterator (pages made
    while publish writes them) counts for that stage, not for the one pulling."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.times: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._lazy = 0.0  # seconds spent in lazy iterators since the clock started

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t, lazy = time.perf_counter(), self._lazy
        try:
            yield
        finally:
            self.times[name] += time.perf_counter() - t - (self._lazy - lazy)

    def lazy(self, name: str, items: Iterable[Page]) -> Iterator[Page]:
        it = iter(items)
        while True:
            t = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                return
            finally:
                spent = time.perf_counter() - t
                self.times[name] += spent
                self._lazy += spent
            yield item

    def timings(self) -> tuple[tuple[str, float], ...]:
        return tuple(self.times.items())

    def total(self) -> float:
        return time.perf_counter() - self.start


@contextmanager
def _few_collections(off: bool = False) -> Iterator[None]:
    """A build makes a few million long-lived objects (articles, links, pages); with the
    default thresholds the collector walks them all again and again (15% of a
    10k-article rebuild).  Fewer, larger collections; restored afterwards.

    ``off``: none at all, for a session's build.  What it makes that lives on is the
    session's kept state, frozen after the build (see _leave_kept_alone); even so, each
    collection of the youngest generation walked every container the build had made
    so far (dicts of 19,548 pages, lists of 10,000 entries): 30-100 ms of each one-edit
    rebuild at 10,000 articles, for little garbage (a completed build leaves a few small
    cycles, freed every FREEZE_ROUNDS builds; a failed one more, freed after the next
    completed one)."""
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(50_000, 20, 20)
    if off:
        gc.disable()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if off and enabled:
            gc.enable()
