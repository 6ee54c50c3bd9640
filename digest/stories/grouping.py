"""Story grouping: which articles tell one real-world story.

Average-link agglomerative clustering over the related stage's nearest-neighbour
graph.  Two articles' similarity is the cosine of their related-link vectors
(:mod:`digest.related`) when one is among the other's ``NEIGHBOURS`` nearest (as
the related stage lists them: ties by slug) and
their dates are at most ``window_days`` apart, else 0 (not computed: no N x N matrix).
Groups are merged, the most alike pair first, while the average similarity over all
pairs of articles across the two groups is at least ``threshold``.

Why average link: a story's articles are each alike to most of the others, while
two look-alike stories (two earthquakes) are joined only by a few close pairs; single
link (joining any close pair) chains such stories together, average link does not.
Since an average is at most its largest term, groups never cross the connected
components of the pairs scoring at least ``threshold``: components are found first
(cheap) and clustered one at a time.

Deterministic: ties are broken by slug, and nothing depends on row order beyond it.
The cost is O(N * k log) over the neighbour lists (average link within a component:
each pair rescored at most MAX_GROUP times).  Between builds (:func:`regroup`, kept by
digest.stories.state) only the pairs an edit touched are scored again and only the
components they are in clustered again: after one edited article, regrouping costs a
fraction of updating the related links.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import compress, count
from operator import attrgetter, is_not
from typing import Any, NamedTuple

import numpy as np

from digest.collect import Collected
from digest.config import StoriesConfig
from digest.related import Neighbours, distinct
from digest.storyfeatures import FEATURE_BITS, SALIENT_TAG

Grouping = tuple[tuple[int, ...], ...]  # groups of rows of Collected.items, each sorted

# Each article's nearest neighbours that count (the related stage keeps this many for
# us: site_links(wide=NEIGHBOURS)).  Pairs beyond them count as similarity 0, which is
# what keeps look-alike stories apart: an article's 9 nearest are mostly its own story's.
# Chosen with the threshold on half of the ECB+ dev topics (bench/story_quality.py).
NEIGHBOURS = 9


def group(site: Collected, neighbours: Neighbours, cfg: StoriesConfig) -> Grouping:
    """The stories of the site as groups of rows (every row in exactly one group; a
    row alone is a story of one article).  Groups are ordered by their first row."""
    return regroup(site, neighbours, cfg).groups


@dataclass(frozen=True)
class Graph:
    """What grouping computed, kept for the next build (rows: Collected.items order).

    The scored pairs are ``(a[k], b[k])``, a < b, similarity ``s[k]``, sorted; ``comp``
    and ``label`` give each row's component (at ``threshold``) and group as their
    smallest row."""

    keys: tuple[str, ...]  # article slugs
    sigs: tuple[str, ...]  # source keys (cover an article's text, title, date, slug)
    lists: np.ndarray  # (n, NEIGHBOURS) int64: the neighbour rows that count (-1: none)
    scores: np.ndarray  # (n, NEIGHBOURS) float64: their related scores
    df: np.ndarray  # int64 document frequency of every story-feature bucket
    a: np.ndarray  # int64
    b: np.ndarray  # int64
    s: np.ndarray  # float64
    comp: np.ndarray  # int64
    label: np.ndarray  # int64
    # (a session's, not stored) the items the rows were read from, their dates and the
    # IDF of every feature bucket (see regroup: a rebuild reads again only the rows whose
    # item is another object)
    items: tuple[Any, ...] | None = None
    dates: np.ndarray | None = None
    idf: np.ndarray | None = None
    # (a session's) every row's feature buckets, concatenated, and the row pointer: row r's
    # are fids[fptr[r] : fptr[r + 1]] (an edit finds the rows holding a bucket whose
    # frequency moved there, without reading each row's features again)
    fids: np.ndarray | None = None
    fptr: np.ndarray | None = None


# Items that are other objects than the last graph's past which regroup reads every row
# again instead of patching the last graph's keys, dates and feature counts
FEW_ROWS = 64


@dataclass(frozen=True)
class Regrouped:
    """:func:`regroup`'s result: each row's group (as its label: the group's smallest
    row), the graph to keep, the rows regrouped, and which rows' groups may differ from
    the last graph's (``redo``: every other row is in the same group as then; None: not
    known, or no last graph)."""

    label: np.ndarray
    graph: Graph | None  # None when grouping is off (nothing to keep)
    redone: int  # rows whose group was worked out again (0: all reused)
    redo: np.ndarray | None = None  # (the rows of every group that is not a group then)

    @cached_property
    def groups(self) -> Grouping:
        """The groups of rows, each sorted, ordered by their first row.  (Made when asked
        for: a session's edit composes the stories of the ``redo`` rows' groups only, see
        digest.stories.compose.recompose, and a row per article is ~3 ms of tuples at
        10,000 articles.)"""
        return _groups(self.label)


def regroup(
    site: Collected,
    neighbours: Neighbours,
    cfg: StoriesConfig,
    previous: Graph | None = None,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> Regrouped:
    """:func:`group`, reusing the last build's ``previous`` graph where nothing changed.

    A row is *touched* when its source changed, its neighbour list (the first NEIGHBOURS)
    changed, or it holds a story feature whose document frequency changed (its IDF, so
    its entity scores, moved).  Only pairs with a touched end are scored again; only the
    components (at ``threshold``) holding an end of a pair that was removed, added or
    rescored are clustered again; every other component keeps its groups.  That is exact:
    a component's clustering depends on nothing but the pairs inside it and the slugs,
    and a pair with no touched end has the same score as before.  With other slugs (an
    article added, removed or renamed) or another threshold (a new cache key, so no
    ``previous``) every pair is scored and every component clustered.  ``table``: the
    neighbour lists as arrays, when the related stage has them (see SiteLinks.table)."""
    n = len(site.items)
    if not cfg.enabled or n < 2:
        return Regrouped(np.arange(n, dtype=np.int64), None, n)
    items = site.items
    lists, scores = _table(neighbours, n, table)
    rows = _patched(previous, items) if previous is not None else None
    diff: list[int] | None = None  # (the rows whose item is not the last graph's)
    feats: Sequence[array]
    held_ids: tuple[np.ndarray, np.ndarray] | None = None
    if rows is not None:
        keys, sigs, dates, df, moved, diff, held_ids = rows
        feats = _Features(items)  # (a session's edit: the rows of a few pairs are read)
    else:
        feats = [it.features for it in items]
        keys = tuple(it.article.slug for it in items)
        sigs = tuple(it.key for it in items)
        dates = np.array([it.article.date.timestamp() for it in items], dtype=np.float64)
        held_ids = _feature_ids(feats)
        df = np.bincount(held_ids[0], minlength=1 << FEATURE_BITS).astype(np.int64, copy=False)
    old = previous if _fits(previous, keys) else None
    if old is None:
        touched = np.ones(n, dtype=bool)
    else:
        if diff is not None and old is previous:  # (other sources only where other items)
            touched = np.zeros(n, dtype=bool)
            touched[[i for i in diff if sigs[i] != old.sigs[i]]] = True
        else:
            edited = (x != y for x, y in zip(sigs, old.sigs, strict=True))
            touched = np.fromiter(edited, dtype=bool, count=n)
        touched |= (lists != old.lists).any(axis=1) | (scores != old.scores).any(axis=1)
        if rows is None:
            moved = np.flatnonzero(df != old.df)
        if len(moved):
            if held_ids is None:
                held_ids = _feature_ids(feats)
            ids, ptr = held_ids
            mark = np.zeros(1 << FEATURE_BITS, dtype=bool)
            mark[moved] = True
            touched[np.searchsorted(ptr, np.flatnonzero(mark[ids]), side="right") - 1] = True
        if not touched.any():
            return Regrouped(old.label, old, 0, np.zeros(0, dtype=np.int64))
    a, b, cos = _pairs(lists, scores, dates, cfg.window_days * 86400, touched)
    # IDF of every bucket, from the whole site's document frequencies (one table, so a
    # pair scores the same bits whichever rows are scored with it); the last graph's when
    # made of the same frequencies of as many rows
    if old is not None and rows is not None and not len(moved) and old.idf is not None:
        idf = old.idf
    else:
        idf = np.log((n + 1) / (df + 1.0)) + 1.0
    s = _scores(a, b, cos, feats, idf)
    if old is None:
        dirty = np.ones(n, dtype=bool)
        comp = np.arange(n, dtype=np.int64)
        label = np.arange(n, dtype=np.int64)
    else:
        gone = touched[old.a] | touched[old.b]
        ends = touched.copy()
        for x in (old.a[gone], old.b[gone], a, b):
            ends[x] = True
        dirty = np.isin(old.comp, distinct(old.comp[ends]))
        # the pairs kept (sorted, as the last graph's are) and the pairs scored (sorted,
        # each with a touched end, so none of them kept): merged in order, not sorted again
        # (a few pairs into the site's: ~9 a row)
        keep = ~gone
        a0, b0, s0 = old.a[keep], old.b[keep], old.s[keep]
        k0 = a0.astype(np.int64) * n + b0
        if len(k0) < 2 or bool(np.all(k0[1:] > k0[:-1])):
            at = np.searchsorted(k0, a.astype(np.int64) * n + b)
            a, b, s = np.insert(a0, at, a), np.insert(b0, at, b), np.insert(s0, at, s)
        else:  # (a graph from the store not in order: not one this code wrote)
            a, b, s = np.concatenate([a0, a]), np.concatenate([b0, b]), np.concatenate([s0, s])
            order = np.lexsort((b, a))
            a, b, s = a[order], b[order], s[order]
        comp, label = old.comp.copy(), old.label.copy()
    _cluster(a, b, s, dirty, keys, cfg.threshold, comp, label)
    fids, fptr = held_ids if held_ids is not None else (None, None)
    graph = Graph(
        *(keys, sigs, lists, scores, df, a, b, s, comp, label, items, dates, idf, fids, fptr)
    )
    # the rows of the groups whose rows are not the last graph's: of each row given
    # another label, its group now and the rest of its group then (a group's label is its
    # smallest row, so a group of the same rows has the same label)
    redo = None
    if old is not None:
        moved_rows = np.flatnonzero(label != old.label)
        redo = np.zeros(0, dtype=np.int64)
        if len(moved_rows):
            labels = np.concatenate([label[moved_rows], old.label[moved_rows]])
            redo = np.flatnonzero(np.isin(label, labels))
    return Regrouped(label, graph, int(dirty.sum()), redo)


class _Features(Sequence[array]):
    """The items' story features, read when asked for (see regroup)."""

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: Any) -> Any:
        return self.items[i].features

    def __iter__(self) -> Iterator[array]:  # (all of them: as fast as a list's)
        return map(attrgetter("features"), self.items)


class _Patched(NamedTuple):
    """What _patched reads of a session's rows (see there)."""

    keys: tuple[str, ...]  # every row's slug
    sigs: tuple[str, ...]  # and source key
    dates: np.ndarray  # and date (seconds)
    df: np.ndarray  # every feature bucket's document frequency
    moved: np.ndarray  # the buckets whose frequency is not the last graph's
    diff: list[int]  # the rows read again (their item is not the last graph's)
    held: tuple[np.ndarray, np.ndarray] | None  # every row's buckets, and their row pointer


def _patched(previous: Graph, items: Sequence[Any]) -> _Patched | None:
    """A session's rows read from the last graph (made from ``previous.items``) where the
    item is the same object, and again where it is not (at most FEW_ROWS of them): the
    slugs, source keys, dates and feature frequencies regroup reads of every row, the
    buckets whose frequency moved, the rows read again, and every row's feature buckets
    with their row pointer (see Graph.fids; None when the last graph has none).  None
    when the last graph has no items, or not as many, or more differ (every row is
    read)."""
    last, dates = previous.items, previous.dates
    if last is None or dates is None or len(last) != len(items) or len(previous.keys) != len(items):
        return None
    diff = list(compress(count(), map(is_not, items, last)))
    if len(diff) > FEW_ROWS:
        return None
    keys, sigs, dates = list(previous.keys), list(previous.sigs), dates.copy()
    df = previous.df.copy()
    mask = np.int32((1 << FEATURE_BITS) - 1)
    gone, put = [], []
    for i in diff:
        it = items[i]
        keys[i], sigs[i] = it.article.slug, it.key
        dates[i] = it.article.date.timestamp()
        gone.append(np.frombuffer(last[i].features.tobytes(), dtype=np.int32) & mask)
        put.append(np.frombuffer(it.features.tobytes(), dtype=np.int32) & mask)
    moved = np.zeros(0, dtype=np.int64)
    fids, fptr = previous.fids, previous.fptr
    if diff:
        # (a row may hold a bucket twice: counted as bincount counts it)
        np.subtract.at(df, np.concatenate(gone), 1)
        np.add.at(df, np.concatenate(put), 1)
        cand = distinct(np.concatenate([*gone, *put]))
        moved = cand[df[cand] != previous.df[cand]].astype(np.int64)
        if fids is not None and fptr is not None:
            # the rows read again spliced in: one copy of every other row's buckets
            pieces, at = [], 0
            lens = np.diff(fptr)
            for i, ids in zip(diff, put, strict=True):
                pieces += [fids[at : fptr[i]], ids]
                at = int(fptr[i + 1])
                lens[i] = len(ids)
            pieces.append(fids[at:])
            fids = np.concatenate(pieces)
            fptr = np.zeros(len(lens) + 1, dtype=np.int64)
            np.cumsum(lens, out=fptr[1:])
    held = (fids, fptr) if fids is not None and fptr is not None else None
    return _Patched(tuple(keys), tuple(sigs), dates, df, moved, diff, held)


def _fits(previous: Graph | None, keys: tuple[str, ...]) -> bool:
    """Whether the last build's graph is of these rows (same slugs, same order)."""
    if previous is None or previous.keys != keys:
        return False
    n = len(keys)
    return len(previous.sigs) == n and previous.lists.shape == (n, NEIGHBOURS)


def _table(
    neighbours: Neighbours, n: int, made: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The first NEIGHBOURS of each row's list as (n, NEIGHBOURS) arrays of rows (-1 pad)
    and scores (0 pad); ``made``: the lists so already (any width, padded the same way),
    as the related stage stored them."""
    k = NEIGHBOURS
    lists = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float64)
    if made is not None and made[0].shape[0] == n and len(neighbours) >= n:
        w = min(k, made[0].shape[1])
        lists[:, :w] = made[0][:, :w]
        scores[:, :w] = made[1][:, :w]
        return lists, scores
    lens = np.fromiter((min(len(row), k) for row in neighbours[:n]), dtype=np.int64)
    total = int(lens.sum())
    if total:
        flat = np.fromiter(
            (x for row in neighbours[:n] for pair in row[:k] for x in pair),
            dtype=np.float64,
            count=2 * total,
        ).reshape(total, 2)
        rows = np.repeat(np.arange(len(lens)), lens)
        starts = np.repeat(np.cumsum(lens) - lens, lens)
        pos = np.arange(total) - starts
        lists[rows, pos] = flat[:, 0].astype(np.int64)
        scores[rows, pos] = flat[:, 1]
    return lists, scores


def _feature_ids(feats: Sequence[array]) -> tuple[np.ndarray, np.ndarray]:
    """(every row's story-feature ids, tag masked off, concatenated; the row pointer: row
    r's are ids[ptr[r] : ptr[r + 1]])."""
    lens = np.fromiter((len(f) for f in feats), dtype=np.int64, count=len(feats))
    raw = b"".join(f.tobytes() for f in feats)
    ids = np.frombuffer(raw, dtype=np.int32) & np.int32((1 << FEATURE_BITS) - 1)
    ptr = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=ptr[1:])
    return ids, ptr


def _pairs(
    lists: np.ndarray, scores: np.ndarray, dates: np.ndarray, window: float, touched: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The listed pairs (a < b, sorted) within the date window that have a touched end,
    with their related score: the larger row's, when it lists the smaller one (both
    sides list the same cosine; a pass over the rows in order, the later one winning,
    is what this reproduces)."""
    n, k = lists.shape
    i = np.repeat(np.arange(n, dtype=np.int64), k)
    j = lists.ravel()
    sc = scores.ravel()
    ok = j >= 0
    i, j, sc = i[ok], j[ok], sc[ok]
    ok = (i != j) & (np.abs(dates[i] - dates[j]) <= window) & (touched[i] | touched[j])
    i, j, sc = i[ok], j[ok], sc[ok]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    order = np.lexsort((i == hi, hi, lo))
    lo, hi, sc = lo[order], hi[order], sc[order]
    last = np.ones(len(lo), dtype=bool)
    last[:-1] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return lo[last], hi[last], sc[last]


# A pair's similarity is ((1 - ENTITY_WEIGHT) * cosine + ENTITY_WEIGHT * entity overlap)
# * (1 - CONFLICT_WEIGHT * conflict).  Chosen with the threshold on the "tune" half of the
# ECB+ dev topics (bench/story_quality.py).
ENTITY_WEIGHT = 0.3
CONFLICT_WEIGHT = 0.3


def _scores(
    a: np.ndarray, b: np.ndarray, cos: np.ndarray, feats: Sequence[array], idf: np.ndarray
) -> np.ndarray:
    """Each pair's similarity: ``(1 - ENTITY_WEIGHT) * cosine + ENTITY_WEIGHT * e``, e the
    cosine of the two articles' story features (digest.storyfeatures, binary, IDF over
    this site): look-alike stories share words, not names and numbers.

    Then it is scaled by ``1 - CONFLICT_WEIGHT * conflict``: ``conflict`` is the share of
    each article's main actors (its most frequent names, tagged by digest.storyfeatures)
    that the other article does not name, averaged over the two directions.  Two articles
    of one story name each other's main actors; two look-alike stories share the topic's
    names (the player, the island) but each has actors of its own (the team that made the
    offer).  Computed for the given pairs only (at most 2 x NEIGHBOURS per article), a
    chunk at a time, from the rows they join: a pair's score depends on its two rows
    and ``idf`` alone, whatever other pairs are scored with it.  A few pairs (an edit's)
    are scored with numpy alone (:class:`_FewRows`, the same bits), many with scipy."""
    out = np.zeros(len(a), dtype=np.float64)
    if not len(a):
        return out
    mask = (1 << FEATURE_BITS) - 1
    rows = distinct(np.concatenate([a, b]))
    local = np.full(len(feats), -1, dtype=np.int64)
    local[rows] = np.arange(len(rows))
    sub = [feats[r] for r in rows.tolist()]
    m = len(sub)
    lens = np.fromiter((len(f) for f in sub), dtype=np.int64, count=m)
    raw = np.frombuffer(b"".join(f.tobytes() for f in sub), dtype=np.int32)
    ids = raw & np.int32(mask)
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    w = idf[ids]
    row_of = np.repeat(np.arange(m, dtype=np.int32), lens)
    norms = np.sqrt(np.bincount(row_of, weights=w * w, minlength=m))
    tagged = (raw & np.int32(SALIENT_TAG)) != 0  # main actors, a row at a time
    actor_count, actor_ids = np.bincount(row_of[tagged], minlength=m), ids[tagged]
    x: Any
    if len(a) <= FEW_PAIRS:
        x = _FewRows(w, ids, row_of, m)
        named = x.named
    else:
        from scipy import sparse

        # (the matrix may take ids and w as they are: sum_duplicates sorts them in place)
        x = sparse.csr_matrix((w, ids, indptr), shape=(m, 1 << FEATURE_BITS))
        x.sum_duplicates()
        # what each row names (row, id), sorted
        named = np.repeat(np.arange(m, dtype=np.int64), np.diff(x.indptr)) * (1 << FEATURE_BITS)
        named += x.indices
    actors = _Actors(actor_count, actor_ids.astype(np.int64), named)
    for start in range(0, len(a), _CHUNK):
        end = min(start + _CHUNK, len(a))
        la, lb = local[a[start:end]], local[b[start:end]]
        if isinstance(x, _FewRows):
            dot = x.dots(la, lb)
        else:
            dot = np.asarray(x[la].multiply(x[lb]).sum(axis=1)).ravel()
        den = norms[la] * norms[lb]
        e = np.clip(np.where(den > 0, dot / np.maximum(den, 1e-12), 0.0), 0.0, 1.0)
        conflict = (actors.missing(la, lb) + actors.missing(lb, la)) / 2
        score = (1 - ENTITY_WEIGHT) * cos[start:end] + ENTITY_WEIGHT * e
        out[start:end] = score * (1 - CONFLICT_WEIGHT * conflict)
    return out


# Up to this many pairs, _scores works with numpy alone (a Python step per pair); more
# (a first build, a wide edit) with scipy's sparse matrices
FEW_PAIRS = 512


class _FewRows:
    """The rows of _scores' sparse matrix (``w`` at ``ids``, row by row; duplicate ids
    summed) and each pair's dot product, bit for bit what scipy gives there, without
    importing it (0.2-0.3 s of a new process whose edit scores a few pairs):
    ``sum_duplicates`` adds a row's duplicates one after another (np.add.at does, in
    the order given: all copies of an id have the same weight); ``multiply`` keeps the
    products of the ids both rows hold, in increasing id order; ``sum(axis=1)`` is
    np.add.reduceat over those products, a segment a pair (one here)."""

    def __init__(self, w: np.ndarray, ids: np.ndarray, row_of: np.ndarray, m: int) -> None:
        key = row_of.astype(np.int64) * (1 << FEATURE_BITS) + ids
        self.named, inv = np.unique(key, return_inverse=True)  # (row, id), sorted
        self.vals = np.zeros(len(self.named), dtype=np.float64)
        np.add.at(self.vals, inv, w)
        self.ptr = np.searchsorted(
            self.named, np.arange(m + 1, dtype=np.int64) * (1 << FEATURE_BITS)
        ).tolist()
        self.ids = self.named & ((1 << FEATURE_BITS) - 1)

    def dots(self, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
        out = np.zeros(len(la), dtype=np.float64)
        ptr, ids, vals = self.ptr, self.ids, self.vals
        for k, (p, q) in enumerate(zip(la.tolist(), lb.tolist(), strict=True)):
            ia, ib = ptr[p], ptr[q]
            _, at, bt = np.intersect1d(
                ids[ia : ptr[p + 1]], ids[ib : ptr[q + 1]], assume_unique=True, return_indices=True
            )
            if len(at):
                prod = vals[ia + at] * vals[ib + bt]
                out[k] = np.add.reduceat(prod, [0])[0]
        return out


def _with_features(edges: dict[int, dict[int, float]], feats: Sequence[array]) -> None:
    """Each listed pair's related cosine in ``edges`` (symmetric) becomes its score
    (:func:`_scores`, IDF over ``feats``)."""
    n = len(feats)
    pairs = sorted((i, j) for i, row in edges.items() for j in row if i < j)
    if not pairs:
        return
    a = np.array([i for i, _ in pairs], dtype=np.int64)
    b = np.array([j for _, j in pairs], dtype=np.int64)
    cos = np.array([edges[i][j] for i, j in pairs], dtype=np.float64)
    df = np.bincount(_feature_ids(feats)[0], minlength=1 << FEATURE_BITS)
    s = _scores(a, b, cos, feats, np.log((n + 1) / (df + 1.0)) + 1.0)
    for (i, j), score in zip(pairs, s.tolist(), strict=True):
        edges[i][j] = edges[j][i] = score


class _Actors:
    """The main actors of some rows (``count`` per row, their ids row after row) and
    what each row names (``named``: row * 2**FEATURE_BITS + id, sorted)."""

    def __init__(self, count: np.ndarray, ids: np.ndarray, named: np.ndarray) -> None:
        self.count = count
        self.ptr = np.cumsum(count) - count
        self.ids = ids
        self.named = named

    def missing(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """For each pair, the share of row p's main actors that row q does not name (0
        when p has none)."""
        cnt = self.count[p]
        total = int(cnt.sum())
        if not total:
            return np.zeros(len(p), dtype=np.float64)
        which = np.repeat(np.arange(len(p)), cnt)
        offset = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        wanted = (
            np.repeat(q, cnt) * (1 << FEATURE_BITS) + self.ids[np.repeat(self.ptr[p], cnt) + offset]
        )
        at = np.minimum(np.searchsorted(self.named, wanted), len(self.named) - 1)
        absent = (self.named[at] != wanted).astype(np.float64)
        miss = np.bincount(which, weights=absent, minlength=len(p))
        return np.where(cnt > 0, miss / np.maximum(cnt, 1), 0.0)


_CHUNK = 50_000


def _cluster(
    a: np.ndarray,
    b: np.ndarray,
    s: np.ndarray,
    dirty: np.ndarray,
    keys: Sequence[str],
    threshold: float,
    comp: np.ndarray,
    label: np.ndarray,
) -> None:
    """Components (pairs at ``threshold`` or more) and average-link groups of the
    ``dirty`` rows, written into ``comp`` and ``label`` (a row's smallest fellow).
    No pair at ``threshold`` joins a dirty row to a clean one (see :func:`regroup`)."""
    rows = np.flatnonzero(dirty)
    if not len(rows):
        return
    inside = dirty[a] & dirty[b]
    a, b, s = a[inside], b[inside], s[inside]
    strong = s >= threshold
    # union-find over the rows of strong pairs; a root is its component's smallest row
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        root = i
        while parent.get(root, root) != root:
            root = parent[root]
        while i != root:
            parent[i], i = root, parent[i]
        return root

    for i, j in zip(a[strong].tolist(), b[strong].tolist(), strict=True):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    comp[rows] = rows
    for i in list(parent):
        comp[i] = find(i)
    label[rows] = rows
    # the pairs inside each component of two or more rows, a component at a time
    same = comp[a] == comp[b]
    a, b, s = a[same], b[same], s[same]
    if not len(a):
        return
    by = np.argsort(comp[a], kind="stable")
    a, b, s = a[by], b[by], s[by]
    pc = comp[a]
    cuts = (np.flatnonzero(pc[1:] != pc[:-1]) + 1).tolist()
    members = rows[np.lexsort((rows, comp[rows]))]  # dirty rows by component, then row
    mc = comp[members]
    starts = np.searchsorted(mc, pc[[0, *cuts]])
    ends = np.searchsorted(mc, pc[[0, *cuts]], side="right")
    al, bl, sl = a.tolist(), b.tolist(), s.tolist()
    for (lo, hi), start, end in zip(
        zip([0, *cuts], [*cuts, len(al)], strict=True), starts.tolist(), ends.tolist(), strict=True
    ):
        edges: dict[int, dict[int, float]] = {}
        for i, j, w in zip(al[lo:hi], bl[lo:hi], sl[lo:hi], strict=True):
            edges.setdefault(i, {})[j] = w
            edges.setdefault(j, {})[i] = w
        for g in _average_link(members[start:end].tolist(), edges, threshold, keys):
            label[list(g)] = g[0]


def _groups(label: np.ndarray) -> Grouping:
    """Rows grouped by label (a group's smallest row), each sorted, ordered by first row."""
    return tuple(_grouped(label, np.arange(len(label), dtype=np.int64)))


def groups_holding(label: np.ndarray, rows: Iterable[int]) -> list[tuple[int, ...]]:
    """The groups (by ``label``, see Regrouped) holding any of ``rows``, whole: each
    sorted, ordered by first row, as _groups orders all of them."""
    at = np.fromiter(rows, dtype=np.int64)
    return _grouped(label, np.flatnonzero(np.isin(label, label[at])))


def _grouped(label: np.ndarray, rows: np.ndarray) -> list[tuple[int, ...]]:
    """``rows`` (every row of each of their labels) grouped by label, as _groups."""
    if not len(rows):
        return []  # (no rows: no group, not one empty group)
    order = rows[np.lexsort((rows, label[rows]))]
    cuts = (np.flatnonzero(label[order][1:] != label[order][:-1]) + 1).tolist()
    listed = order.tolist()
    return [tuple(listed[lo:hi]) for lo, hi in zip([0, *cuts], [*cuts, len(listed)], strict=True)]


# The most articles a story can have.  Average link merges the closest pair of groups
# first; a merge that would make a group larger than this is not made.  It bounds the work
# on a dense neighbour graph (each article's pairs are rescored at most MAX_GROUP times),
# and a story of more than 300 articles within window_days is a topic, not one story.
MAX_GROUP = 300


def _average_link(
    rows: list[int], edges: dict[int, dict[int, float]], threshold: float, keys: Sequence[str]
) -> list[tuple[int, ...]]:
    """Average-link clusters of ``rows`` (one component) at ``threshold``, none larger than
    MAX_GROUP.

    Lazy: after a merge only the pairs whose summed similarity changed (the absorbed
    group's) are pushed again; the merged group's other pairs keep their old, larger
    averages in the heap (same sum, more members: the average can only have dropped) and
    are rescored when they come up.  So an entry that is current when popped is the best
    pair, as in the eager algorithm, at a cost of the absorbed group's pairs per merge
    (the smaller link list is merged into the larger)."""
    members: dict[int, list[int]] = {r: [r] for r in rows}
    key: dict[int, str] = {r: keys[r] for r in rows}  # a cluster's smallest slug
    link = {r: {c: w for c, w in edges.get(r, {}).items() if c in members} for r in rows}
    heap: list[tuple[float, str, str, int, int]] = []

    def average(a: int, b: int) -> float:
        return link[a][b] / (len(members[a]) * len(members[b]))

    def push(a: int, b: int) -> None:
        if len(members[a]) + len(members[b]) > MAX_GROUP:
            return
        if key[b] < key[a]:
            a, b = b, a
        avg = average(a, b)
        if avg >= threshold:
            heapq.heappush(heap, (-avg, key[a], key[b], a, b))

    for a in rows:
        for b in link[a]:
            if a < b:
                push(a, b)
    while heap:
        neg, ka, kb, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in link[a]:
            continue  # one of them was merged into another since
        if -neg != average(a, b) or ka != key[a] or kb != key[b]:
            push(a, b)  # stale: rescored (dropped when below the threshold or too large)
            continue
        if len(link[a]) < len(link[b]):
            a, b = b, a  # merge the smaller link list into the larger
        members[a].extend(members.pop(b))
        key[a] = min(key[a], key.pop(b))
        lb = link.pop(b)
        del link[a][b]
        for c, w in lb.items():
            if c == a:
                continue
            link[a][c] = link[a].get(c, 0.0) + w
            lc = link[c]
            lc[a] = lc.get(a, 0.0) + lc.pop(b)
            push(a, c)
    return [tuple(sorted(m)) for m in members.values()]
