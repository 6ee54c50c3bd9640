"""``digest build``: the pipeline stages, in order.

    config     read and validate site.yaml                       (digest.config)
    load       find sources, read, clean, validate -> Article    (digest.load, digest.clean)
    summarize  each Article -> Summary                           (digest.summarize)
    related    all Articles -> related links                     (digest.related)
    render     Entries -> HTML pages (theme templates)           (digest.render)
    feeds      Entries -> articles.json, feeds, sitemap          (digest.feeds)
    publish    pages -> output folder, swapped in atomically     (digest.publish)

Per-article work (load, summarize, term counts) is a pure function of the
source file and the config sections it reads, so it runs in a process pool
and its result is cached (digest.cache); a rebuild redoes only what changed.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digest import cache, feeds, load, pool, publish, related, render, summarize
from digest.config import Config, ContentConfig, FolderDefaults, RelatedConfig, SummaryConfig
from digest.errors import BuildError, Problem, Problems
from digest.model import Article, Entry, Page, Summary, TermCounts

POOL_THRESHOLD = 48  # below this many articles to process, a pool costs more than it saves


@dataclass(frozen=True)
class BuildOptions:
    strict: bool = False
    output: Path | None = None  # overrides config.output_dir
    jobs: int | None = None  # worker processes; None = all cores
    use_cache: bool = True
    remember: bool = False  # keep cache values in memory for the next build of this process


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    seconds: float
    warnings: tuple[Problem, ...]
    output: Path
    timings: tuple[tuple[str, float], ...] = ()
    processed: int = 0  # articles whose per-article work was redone (cache misses)
    written: int = 0  # files whose bytes changed in the output
    cache_note: str | None = None  # why the cache was rebuilt, when it was


@dataclass(frozen=True)
class Processed:
    """Everything the per-article stages make of one source file."""

    article: Article | None
    problems: tuple[Problem, ...]
    report: tuple[str, ...]
    summary: Summary | None
    terms: TermCounts | None


class _Timer:
    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []
        self._t = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.times.append((stage, now - self._t))
        self._t = now


Progress = Callable[[Iterable[Processed], int], Iterable[Processed]]


def _no_progress(items: Iterable[Processed], total: int) -> Iterable[Processed]:
    return items


def build(
    config: Config,
    options: BuildOptions = BuildOptions(),
    progress: Progress = _no_progress,
    on_report: Callable[[str, Iterable[str]], None] | None = None,
) -> BuildResult:
    """Run every stage; raise BuildError listing every problem found."""
    start = time.perf_counter()
    timer = _Timer()
    problems = Problems()
    store = cache.Cache(config.cache_dir if options.use_cache else None, options.remember)
    # A build makes a few million long-lived objects (articles, links, pages); with the
    # default thresholds the collector walks them all again and again (15% of a
    # 10k-article rebuild).  Fewer, larger collections; restored afterwards.
    gc_threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        # load + summarize + term counts, per article (cached, in parallel)
        sources = load.discover(config.content, problems)
        defaults = load.folder_defaults(config.content, problems)
        keys, done, processed = process_sources(
            sources, config.content, defaults, config.summary, store, options.jobs, progress
        )
        timer.lap("load+summarize")
        kept: list[tuple[Article, Summary, TermCounts]] = []
        source_keys: dict[str, str] = {}
        for src, p, k in zip(sources, done, keys, strict=True):
            problems.extend(p.problems)
            if on_report is not None:
                on_report(src.shown, p.report)
            if p.article is None or (p.article.draft and not config.content.drafts):
                continue
            kept.append((p.article, p.summary, p.terms))
            source_keys[p.article.path] = k
        order = {id(a): i for i, (a, _, _) in enumerate(kept)}
        articles = load.check_collection([a for a, _, _ in kept], problems)
        by_id = {id(a): kept[order[id(a)]] for a in articles}
        theme = _theme(config, problems)
        problems.raise_if_errors(strict=options.strict)
        assert theme is not None

        links = related_links(
            articles,
            [by_id[id(a)][2] for a in articles],
            [source_keys[a.path] for a in articles],
            config.related,
            store,
            options.jobs,
        )
        timer.lap("related")
        entries = [
            Entry(
                a,
                by_id[id(a)][1],
                links.get(a.slug, ()),
                _entry_key(source_keys[a.path], links.get(a.slug, ())),
            )
            for a in articles
        ]
        output = options.output or config.output_dir
        pages = site_pages(entries, theme, config, store, output, options.jobs)
        written, changed = publish.publish(pages, output)
        timer.lap("render+publish")
    finally:
        store.close()
        gc.set_threshold(*gc_threshold)
    return BuildResult(
        len(articles),
        written,
        time.perf_counter() - start,
        tuple(problems.warnings),
        output,
        tuple(timer.times),
        processed,
        changed,
        store.rebuilt_reason,
    )


# ---------------------------------------------------------------- per-article work


def process_one(
    src: load.SourceFile,
    content: ContentConfig,
    defaults: dict[str, FolderDefaults],
    summary_cfg: SummaryConfig,
) -> Processed:
    """load -> summarize -> term counts for one source (runs in a worker process)."""
    article, found, report = load.load_one(src, content, defaults)
    if article is None:
        return Processed(None, tuple(found), report, None, None)
    return Processed(
        article,
        tuple(found),
        report,
        summarize.summarize(article, summary_cfg),
        related.term_counts(article),
    )


class _SourceKeys:
    """Each source's cache key: a hash of everything its Processed depends on (its path,
    bytes, folder defaults, the content and summary config, digest and its libraries)."""

    def __init__(
        self,
        content: ContentConfig,
        defaults: dict[str, FolderDefaults],
        summary_cfg: SummaryConfig,
        digests: _Digests,
    ) -> None:
        self.defaults, self.digests = defaults, digests
        self.base = cache.key(
            "source",
            cache.fingerprint(),
            content.language,
            content.author,
            content.raw_html,
            summary_cfg,
            os.environ.get("SOURCE_DATE_EPOCH", ""),
        )
        self.folders: dict[str, str] = {}  # folder -> key of its merged defaults

    def of(self, src: load.SourceFile) -> str:
        try:
            stat = src.path.stat()
            digest = self.digests.of(src, stat)
        except OSError:
            return "unreadable:" + src.rel  # never stored: the error is re-reported each time
        # scraped text infers dates from the file's time when it says none
        extra = stat.st_mtime_ns if src.path.suffix.lower() in (".txt", ".html", ".htm") else 0
        folder = src.rel.rpartition("/")[0]
        fk = self.folders.get(folder)
        if fk is None:
            fk = self.folders[folder] = cache.key(load.defaults_for(src.rel, self.defaults))
        return cache.quick_key(self.base, src.rel, src.shown, digest, extra, fk)


class _Digests:
    """sha256 of each source's bytes, reusing the last build's when the file's size,
    mtime and inode are unchanged (as git's index does).  A file modified less than
    a second before that index was written is always read again (a later write in
    the same clock tick would keep its mtime)."""

    def __init__(self, store: cache.Cache, folder: Path) -> None:
        self.store = store
        self.key = cache.key("digests", str(folder))
        old = store.get("digests", self.key, _DigestIndex)  # typed: a wrong shape is a miss
        self.old: dict[str, tuple[int, int, int, str]] = old.files if old is not None else {}
        self.written: int = old.time if old is not None else 0
        self.new: dict[str, tuple[int, int, int, str]] = {}

    def of(self, src: load.SourceFile, st: os.stat_result) -> str:
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        old = self.old.get(src.rel)
        if old is not None and old[:3] == stamp and st.st_mtime_ns < self.written - 10**9:
            digest = old[3]
        else:
            digest = hashlib.sha256(src.path.read_bytes()).hexdigest()
        self.new[src.rel] = (*stamp, digest)
        return digest

    def save(self) -> None:
        self.store.put("digests", self.key, _DigestIndex(time.time_ns(), self.new))


@dataclass(frozen=True)
class _DigestIndex:
    """What _Digests keeps: when it was written, and path -> (size, mtime_ns, inode, sha256)."""

    time: int
    files: dict[str, tuple[int, int, int, str]]


def process_sources(
    sources: Sequence[load.SourceFile],
    content: ContentConfig,
    defaults: dict[str, FolderDefaults],
    summary_cfg: SummaryConfig,
    store: cache.Cache,
    jobs: int | None,
    progress: Progress,
) -> tuple[list[Processed], int]:
    """Processed results in source order: from the cache, else computed (in parallel)."""
    digests = _Digests(store, content.dir)
    key_of = _SourceKeys(content, defaults, summary_cfg, digests).of
    keys = [key_of(s) for s in sources]
    digests.save()
    results: list[Processed | None] = [None] * len(keys)
    todo: list[int] = []
    for start in range(0, len(keys), _CHUNK):  # in chunks: never all decoded at once
        chunk = keys[start : start + _CHUNK]
        wanted = [k for k in chunk if not k.startswith("unreadable:")]
        cached = _valid(store.get_many("source", wanted, _Stored))
        for i, k in enumerate(chunk, start):
            hit = cached.get(k)
            results[i] = hit.processed() if hit is not None else None
            if results[i] is None:
                todo.append(i)
    fresh = _run(_process_slim, [sources[i] for i in todo], (content, defaults, summary_cfg), jobs)
    to_store: dict[str, dict] = {}
    for i, p in zip(todo, progress(fresh, len(todo)), strict=True):
        if p.article is not None and not keys[i].startswith("unreadable:"):
            to_store[keys[i]] = _Stored.of(p)
            if len(to_store) >= _CHUNK:
                store.put_many("source", to_store)
                to_store = {}
        results[i] = p
    store.put_many("source", to_store)
    store.prune("source", keys)
    return keys, [r for r in results if r is not None], len(todo)


_CHUNK = 1000


class _Counts:
    """TermCounts as two int32 arrays: a tenth of the memory of tuples of ints."""

    __slots__ = ("counts", "ids")

    def __init__(self, ids: array, counts: array) -> None:
        self.ids = ids
        self.counts = counts


def _int32s(data: bytes | Sequence[int]) -> array:
    out = array("i")
    if isinstance(data, bytes):
        out.frombytes(data)
        if sys.byteorder != "little":
            out.byteswap()
    else:
        out.extend(data)
    return out


def _le_bytes(values: array) -> bytes:
    if sys.byteorder != "little":
        values = array("i", values)
        values.byteswap()
    return values.tobytes()


@dataclass(frozen=True)
class _Stored:
    """What the cache keeps of a Processed with an article: the article without its plain
    text and paragraphs (already summarized and counted), and the term counts as
    little-endian int32 bytes (fast to store and load)."""

    article: Article
    problems: tuple[Problem, ...]
    report: tuple[str, ...]
    summary: Summary
    term_ids: bytes
    term_counts: bytes

    @classmethod
    def of(cls, p: Processed) -> _Stored:
        assert p.article is not None and p.summary is not None and p.terms is not None
        return cls(
            p.article,
            p.problems,
            p.report,
            p.summary,
            _le_bytes(p.terms.ids),
            _le_bytes(p.terms.counts),
        )

    def processed(self) -> Processed:
        ids, counts = _int32s(self.term_ids), _int32s(self.term_counts)
        return Processed(
            self.article, self.problems, self.report, self.summary, _Counts(ids, counts)
        )


def _valid(stored: dict[str, _Stored]) -> dict[str, _Stored]:
    """The entries whose term counts are what term_counts makes: as many ids as counts,
    ids strictly increasing within 0 <= id < 2**DIM_BITS, counts positive.  A cache
    entry that passed its checksum but is not (written by hand, or by a bug) is a miss.
    Checked for all entries at once: a few array operations, not a loop per article."""
    if not stored:
        return stored
    items = list(stored.items())
    sizes = np.array([len(s.term_ids) for _, s in items])
    fits = (sizes == [len(s.term_counts) for _, s in items]) & (sizes % 4 == 0)
    if not fits.all():
        return _valid({k: s for (k, s), ok in zip(items, fits, strict=True) if ok})
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
    return {**_valid(dict(items[:half])), **_valid(dict(items[half:]))}


def _process_slim(
    src: load.SourceFile,
    content: ContentConfig,
    defaults: dict[str, FolderDefaults],
    summary_cfg: SummaryConfig,
) -> Processed:
    """process_one, slimmed where it runs (a worker sends back half the bytes)."""
    return _slim(process_one(src, content, defaults, summary_cfg))


def _slim(p: Processed) -> Processed:
    """What the later stages need of a Processed: its article without the plain text
    and paragraphs (already summarized and counted), and compact term counts."""
    if p.article is None:
        return p
    return Processed(
        dataclasses.replace(p.article, text="", paragraphs=()),
        p.problems,
        p.report,
        p.summary,
        _Counts(_int32s(p.terms.ids), _int32s(p.terms.counts)) if p.terms is not None else None,
    )


def _run(
    fn: Callable[..., Processed], items: Sequence[load.SourceFile], args: tuple, jobs: int | None
) -> Iterator[Processed]:
    """fn(item, *args) for each item, in order; in worker processes when it pays."""
    workers = pool.workers(jobs)
    if workers <= 1 or len(items) < POOL_THRESHOLD:
        return (fn(item, *args) for item in items)
    return _pooled(fn, items, args, workers)


def _pooled(
    fn: Callable[..., Processed], items: Sequence[load.SourceFile], args: tuple, workers: int
) -> Iterator[Processed]:
    # The first item runs here: it loads the summarizer's stemmer and stop words
    # once, and forked workers inherit them instead of each loading its own.
    yield fn(items[0], *args)
    yield from pool.ordered_map(_call, [(fn, item, args) for item in items[1:]], workers)


def _call(job: tuple) -> Processed:
    fn, item, args = job
    return fn(item, *args)


# ---------------------------------------------------------------- related, render


def related_links(
    articles: Sequence[Article],
    counts: Sequence[TermCounts],
    source_keys: Sequence[str],
    cfg: RelatedConfig,
    store: cache.Cache,
    jobs: int | None = None,
) -> dict:
    """Related links for all articles.

    The last build's neighbour lists are kept (with each row's source key, which
    covers its text, title, slug, URL and pinned links): when no source changed
    they are reused as they are, after a few edits they are updated exactly, and
    otherwise recomputed.
    """
    keys = [a.slug for a in articles]
    state_key = cache.key("related-state", cache.fingerprint(), cfg)
    previous = _previous_related(store, state_key)
    vectors = None
    if (
        previous is not None
        and previous.keys == tuple(keys)
        and previous.sigs == tuple(source_keys)
    ):
        neighbours = previous.neighbours
    else:
        vectors = related.vectorize(counts)
        neighbours, _how = related.neighbours_for(vectors, keys, source_keys, cfg, previous, jobs)
        _save_related(store, state_key, keys, source_keys, vectors.df, neighbours)
    # (vectors are made there only when a pinned link needs its similarity)
    return related.related_links(articles, cfg, counts, neighbours, vectors)


@dataclass(frozen=True)
class _RelatedState:
    """The last build's neighbour lists: row i's are idx[i * k : i * k + k] (-1: none)."""

    keys: tuple[str, ...]
    sigs: tuple[str, ...]
    k: int
    idx: bytes  # little-endian int32
    scores: bytes  # little-endian float64
    df_terms: bytes  # the hashed terms of nonzero document frequency (little-endian int32)
    df_counts: bytes  # and their document frequencies


def _save_related(
    store: cache.Cache,
    state_key: str,
    keys: Sequence[str],
    sigs: Sequence[str],
    df: np.ndarray,
    neighbours: related.Neighbours,
) -> None:
    k = max((len(row) for row in neighbours), default=0)
    pad = [(-1, 0.0)] * k
    flat = [pair for row in neighbours for pair in (row + pad[len(row) :])]
    idx = np.array([j for j, _ in flat], dtype="<i4")
    scores = np.array([sc for _, sc in flat], dtype="<f8")
    terms = np.flatnonzero(df).astype("<i4")  # df is mostly zeros: kept as (term, count)
    state = _RelatedState(
        tuple(keys),
        tuple(sigs),
        k,
        idx.tobytes(),
        scores.tobytes(),
        terms.tobytes(),
        df[terms].astype("<i4").tobytes(),
    )
    store.put("related-state", state_key, state)
    store.prune("related-state", [state_key])


def _previous_related(store: cache.Cache, state_key: str) -> related.Previous | None:
    state = store.get("related-state", state_key, _RelatedState)
    if state is None:
        return None
    n, k = len(state.keys), state.k
    try:
        idx = np.frombuffer(state.idx, dtype="<i4").reshape(n, k).tolist()
        scores = np.frombuffer(state.scores, dtype="<f8").reshape(n, k).tolist()
        terms = np.frombuffer(state.df_terms, dtype="<i4")
        if len(terms) and (terms.min() < 0 or terms.max() >= 1 << related.DIM_BITS):
            return None
        df = np.zeros(1 << related.DIM_BITS, dtype=np.int32)
        df[terms] = np.frombuffer(state.df_counts, dtype="<i4")
    except (ValueError, IndexError):
        return None
    if len(state.sigs) != n:
        return None
    if any(j < -1 or j >= n for row in idx for j in row):
        return None
    neighbours = [
        [(j, sc) for j, sc in zip(ir, sr, strict=True) if j >= 0]
        for ir, sr in zip(idx, scores, strict=True)
    ]
    return related.Previous(state.keys, state.sigs, df, neighbours)


def _entry_key(source_key: str, links: Sequence) -> str:
    """What an entry's pages show: its source and config, and its links' targets.

    Link scores are left out: pages do not show them, and one edited article
    shifts every score a little (articles.json, which shows them, is always written).
    """
    return cache.quick_key(source_key, [(r.slug, r.title, r.url) for r in links])


def site_pages(
    entries: Sequence[Entry],
    theme: render.Theme,
    config: Config,
    store: cache.Cache | None = None,
    live: Path | None = None,
    jobs: int | None = 1,
) -> Iterator[Page]:
    """Every output file of the site, one at a time (publish writes them as they come)."""
    extra = {"feeds": feeds.discovery_links(config.site)}
    yield from render.render_site(entries, theme, config.site, extra, store, live, jobs)
    yield from feeds.feed_pages(entries, config.site)


def _theme(config: Config, problems: Problems) -> render.Theme | None:
    try:
        return render.load_theme(config.theme, config.site)
    except BuildError as exc:
        problems.extend(exc.problems)
    except render.ThemeError as exc:
        problems.add_error(exc)
    return None
