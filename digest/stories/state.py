"""The ``stories`` stage with its state between builds, in the build cache.

What grouping computed (:class:`~digest.stories.grouping.Graph`: the scored pairs,
each row's component and group) is kept under a key of the code and the ``stories``
config, so a change of ``threshold`` or ``window_days`` (or of digest) regroups from
scratch; otherwise only what an edit touched is regrouped (see
:func:`~digest.stories.grouping.regroup`).  Each story's summary is kept under a key
of its members' summaries in story order and ``summary.sentences``, so only stories
whose members or their summaries changed are summarized again.  Either way the result
is what a build without the cache makes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress, count
from operator import is_not

import numpy as np

from digest import cache
from digest.collect import Collected
from digest.config import StoriesConfig
from digest.related import STORE_EVERY, Neighbours
from digest.stories.compose import Member, Stories, compose, recompose
from digest.stories.grouping import FEATURE_BITS, NEIGHBOURS, Graph, regroup

GROUPS = "story-groups"  # cache namespaces
SUMMARIES = "story-summaries"


@dataclass(frozen=True)
class Kept:
    """What the stories stage keeps for the next build of a session (see
    digest.build.Session): its graph as used (not decoded from the store again), the
    story summaries by key, and the stories with the members they were made from."""

    state_key: str
    graph: Graph | None
    memo_key: str
    memo: dict[str, list[tuple[int, str]]]
    stories: Stories
    members: tuple[Member, ...]
    # the neighbour lists the stories were composed from, and each story's summary key
    # by its slug (see compose's neighbours_before, keys_before)
    neighbours: Neighbours | None = None
    keys: dict[str, str] | None = None
    # when this session last wrote its graph to the store (time.monotonic()), and whether
    # ``graph`` is newer than what it wrote (see digest.related.STORE_EVERY: the same rule)
    stored_at: float = float("-inf")
    pending: bool = False
    items: tuple | None = None  # (the items ``members`` were made of: see _members)


def site_stories(
    site: Collected,
    neighbours: Neighbours,
    cfg: StoriesConfig,
    sentences: int,
    store: cache.Cache,
    kept: Kept | None = None,
    keep: list[Kept] | None = None,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> Stories:
    """The site's stories, reusing the last build's work where its inputs are unchanged
    (``kept``: the last build's of a session; ``keep`` gets this build's; ``table``: the
    neighbour lists as arrays, see digest.related.SiteLinks)."""
    state_key = cache.key(GROUPS, cache.fingerprint(), cfg, NEIGHBOURS)
    if not cfg.enabled:
        previous = None
    elif kept is not None and kept.state_key == state_key and kept.graph is not None:
        previous = kept.graph
    else:
        previous = _load(store, state_key)
    got = regroup(site, neighbours, cfg, previous, table)
    # (a session's later builds write the graph at most once in STORE_EVERY seconds: a new
    # process checks every row's signature against the one it finds, as after any edit)
    ours = kept is not None and kept.state_key == state_key
    stored_at = kept.stored_at if kept is not None and ours else float("-inf")
    pending = kept.pending if kept is not None and ours else False
    graph = got.graph if got.graph is not None else previous
    if got.graph is not None and got.graph is not previous:
        pending = True
    if pending and graph is not None and time.monotonic() - stored_at >= STORE_EVERY:
        store.put(GROUPS, state_key, _Saved.of(graph))
        if kept is None:  # (a session's later builds keep the one key: nothing to prune)
            store.prune(GROUPS, [state_key])
        stored_at, pending = time.monotonic(), False
    memo_key = cache.key(SUMMARIES, cache.fingerprint(), sentences)
    if kept is not None and kept.memo_key == memo_key:
        memo = kept.memo
    else:
        memo = store.get(SUMMARIES, memo_key, dict[str, list[tuple[int, str]]]) or {}
    used: dict[str, list[tuple[int, str]]] = {}
    members = _members(
        site,
        kept.members if kept is not None else None,
        kept.items if kept is not None else None,
    )
    before = kept.stories if kept is not None else None
    keys: dict[str, str] = {}
    # (the same summaries: a story made of the same members and lists is the last one)
    same = kept is not None and kept.memo_key == memo_key
    told = None
    if (
        kept is not None
        and same
        and before is not None
        and previous is not None
        and previous is kept.graph  # (the graph ``before`` was composed from)
        and got.redo is not None
        and site.changed is not None
        and kept.neighbours is not None
        and kept.keys is not None
    ):
        # (a session's edit: the stories of the groups it may have changed, the others
        # the last build's, without a look at each group)
        told = recompose(
            *(members, got.label, got.redo, neighbours, sentences, memo, used, before),
            *(kept.members, kept.neighbours, kept.keys, keys, site.changed),
        )
    if told is None:
        used.clear()
        keys.clear()
        told = compose(
            members,
            got.groups,
            neighbours,
            sentences,
            memo=memo,
            used=used,
            before=before,
            members_before=kept.members if kept is not None else None,
            changed=site.changed if kept is not None else None,
            neighbours_before=kept.neighbours if kept is not None and same else None,
            keys_before=kept.keys if kept is not None and same else None,
            keys=keys,
        )
    if used.keys() != memo.keys():
        store.put(SUMMARIES, memo_key, used)
        if kept is None:
            store.prune(SUMMARIES, [memo_key])
    if keep is not None:
        keep.append(
            Kept(
                *(state_key, graph, memo_key, used, told, tuple(members)),
                neighbours=neighbours,
                keys=keys,
                stored_at=stored_at,
                pending=pending,
                items=site.items,
            )
        )
    return told


def store_kept(store: cache.Cache, kept: Kept | None) -> None:
    """Write a session's story graph if its last build deferred it (see
    digest.related.STORE_EVERY): at the end of a long-lived process."""
    if kept is not None and kept.pending and kept.graph is not None:
        store.put(GROUPS, kept.state_key, _Saved.of(kept.graph))


def _members(
    site: Collected, last: tuple[Member, ...] | None, last_items: tuple | None = None
) -> list[Member]:
    """Each item as a Member: in a session, the last build's member in the same row
    (``last``) when made of the same article and summary (objects), instead of 10,000
    made again after an edit of one.  ``last_items``: the items ``last`` was made of (a
    row holding the same item holds the same member: only the others are looked at)."""
    items = site.items
    if last is None or len(last) != len(items):
        return [Member(it.article, it.summary) for it in items]
    out = list(last)
    if last_items is not None and len(last_items) == len(items):
        rows: Iterable[int] = compress(count(), map(is_not, items, last_items))
    else:
        rows = range(len(items))
    for i in rows:
        it, m = items[i], out[i]
        if m.article is not it.article or m.summary is not it.summary:
            out[i] = Member(it.article, it.summary)
    return out


@dataclass(frozen=True)
class _Saved:
    """A Graph as stored: arrays as little-endian bytes (rows and counts as int32)."""

    keys: tuple[str, ...]
    sigs: tuple[str, ...]
    lists: bytes  # <i4, n x NEIGHBOURS
    scores: bytes  # <f8, n x NEIGHBOURS
    df_ids: bytes  # <i4: the buckets of nonzero document frequency
    df_counts: bytes  # <i4: their document frequencies
    a: bytes  # <i4
    b: bytes  # <i4
    s: bytes  # <f8
    comp: bytes  # <i4
    label: bytes  # <i4

    @classmethod
    def of(cls, g: Graph) -> _Saved:
        ids = np.flatnonzero(g.df)
        return cls(
            g.keys,
            g.sigs,
            g.lists.astype("<i4").tobytes(),
            g.scores.astype("<f8").tobytes(),
            ids.astype("<i4").tobytes(),
            g.df[ids].astype("<i4").tobytes(),
            g.a.astype("<i4").tobytes(),
            g.b.astype("<i4").tobytes(),
            g.s.astype("<f8").tobytes(),
            g.comp.astype("<i4").tobytes(),
            g.label.astype("<i4").tobytes(),
        )


def _ints(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<i4").astype(np.int64)


def _load(store: cache.Cache, state_key: str) -> Graph | None:
    """The kept graph, or None when there is none or it does not hold together."""
    saved = store.get(GROUPS, state_key, _Saved)
    if saved is None:
        return None
    n = len(saved.keys)
    try:
        lists = _ints(saved.lists).reshape(n, NEIGHBOURS)
        scores = np.frombuffer(saved.scores, dtype="<f8").astype(np.float64).reshape(n, NEIGHBOURS)
        ids, counts = _ints(saved.df_ids), _ints(saved.df_counts)
        a, b, comp, label = (_ints(x) for x in (saved.a, saved.b, saved.comp, saved.label))
        s = np.frombuffer(saved.s, dtype="<f8").astype(np.float64)
        df = np.zeros(1 << FEATURE_BITS, dtype=np.int64)
        df[ids] = counts
    except (ValueError, IndexError):
        return None
    rows = np.arange(n)
    if not (
        len(saved.sigs) == n
        and len(a) == len(b) == len(s)
        and len(comp) == len(label) == n
        and _within(lists, -1, n)
        and _within(a, 0, n)
        and _within(b, 0, n)
        and bool(np.all(a < b))
        and _labels(comp, rows)
        and _labels(label, rows)
    ):
        return None
    return Graph(saved.keys, saved.sigs, lists, scores, df, a, b, s, comp, label)


def _within(x: np.ndarray, lo: int, hi: int) -> bool:
    return not len(x) or (int(x.min()) >= lo and int(x.max()) < hi)


def _labels(label: np.ndarray, rows: np.ndarray) -> bool:
    """Each row's label is a row at most its own, labelled with itself."""
    return _within(label, 0, len(rows)) and bool(
        np.all(label <= rows) and np.all(label[label] == label)
    )
