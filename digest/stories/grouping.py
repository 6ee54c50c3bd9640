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
The cost is O(N * k log) over the neighbour lists, whatever changed: after one edited
article, regrouping costs less than updating the related links.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

from digest.collect import Collected
from digest.config import StoriesConfig
from digest.related import Neighbours
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
    n = len(site.items)
    if not cfg.enabled or n < 2:
        return tuple((i,) for i in range(n))
    window = cfg.window_days * 86400
    dates = [it.article.date.timestamp() for it in site.items]
    keys = [it.article.slug for it in site.items]
    edges = _edges([row[:NEIGHBOURS] for row in neighbours], dates, window)
    _with_features(edges, [it.features for it in site.items])
    comps = _components(n, edges, cfg.threshold)
    groups: list[tuple[int, ...]] = []
    for comp in comps:
        if len(comp) == 1:
            groups.append(tuple(comp))
        else:
            groups.extend(_average_link(comp, edges, cfg.threshold, keys))
    groups.sort(key=lambda g: g[0])
    return tuple(groups)


def _edges(
    neighbours: Neighbours, dates: Sequence[float], window: float
) -> dict[int, dict[int, float]]:
    """Symmetric similarity of every listed pair within the date window."""
    out: dict[int, dict[int, float]] = {}
    for i, row in enumerate(neighbours):
        for j, score in row:
            if i != j and abs(dates[i] - dates[j]) <= window:
                out.setdefault(i, {})[j] = score
                out.setdefault(j, {})[i] = score
    return out


# A pair's similarity is ((1 - ENTITY_WEIGHT) * cosine + ENTITY_WEIGHT * entity overlap)
# * (1 - CONFLICT_WEIGHT * conflict).  Chosen with the threshold on the "tune" half of the
# ECB+ dev topics (bench/story_quality.py).
ENTITY_WEIGHT = 0.3
CONFLICT_WEIGHT = 0.3


def _with_features(edges: dict[int, dict[int, float]], feats: Sequence) -> None:
    """Each listed pair's score becomes ``(1 - ENTITY_WEIGHT) * cosine + ENTITY_WEIGHT * e``,
    e the cosine of the two articles' story features (digest.storyfeatures, binary, IDF
    over this site): look-alike stories share words, not names and numbers.

    Then it is scaled by ``1 - CONFLICT_WEIGHT * conflict``: ``conflict`` is the share of
    each article's main actors (its most frequent names, tagged by digest.storyfeatures)
    that the other article does not name, averaged over the two directions.  Two articles
    of one story name each other's main actors; two look-alike stories share the topic's
    names (the player, the island) but each has actors of its own (the team that made the
    offer).  Computed for the listed pairs only (at most 2 x NEIGHBOURS per article), a
    chunk at a time."""
    from scipy import sparse

    n = len(feats)
    if not edges:
        return
    lens = np.fromiter((len(f) for f in feats), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    mask = (1 << FEATURE_BITS) - 1
    ids = np.frombuffer(b"".join(f.tobytes() for f in feats), dtype=np.int32) & mask
    named = [frozenset(i & mask for i in f) for f in feats]
    main = [frozenset(i & mask for i in f if i & SALIENT_TAG) for f in feats]
    df = np.bincount(ids, minlength=1 << FEATURE_BITS)
    idf = np.log((n + 1) / (df[ids] + 1.0)) + 1.0
    rows = np.repeat(np.arange(n), lens)
    norms = np.sqrt(np.bincount(rows, weights=idf * idf, minlength=n))
    x = sparse.csr_matrix((idf, ids, indptr), shape=(n, 1 << FEATURE_BITS))
    x.sum_duplicates()
    pairs = [(i, j) for i, row in edges.items() for j in row if i < j]
    for start in range(0, len(pairs), _CHUNK):
        chunk = np.array(pairs[start : start + _CHUNK], dtype=np.int64)
        a, b = chunk[:, 0], chunk[:, 1]
        dot = np.asarray(x[a].multiply(x[b]).sum(axis=1)).ravel()
        den = norms[a] * norms[b]
        e = np.clip(np.where(den > 0, dot / np.maximum(den, 1e-12), 0.0), 0.0, 1.0)
        for i, j, ek in zip(a.tolist(), b.tolist(), e.tolist(), strict=True):
            score = (1 - ENTITY_WEIGHT) * edges[i][j] + ENTITY_WEIGHT * ek
            conflict = (_missing(main[i], named[j]) + _missing(main[j], named[i])) / 2
            edges[i][j] = edges[j][i] = score * (1 - CONFLICT_WEIGHT * conflict)


def _missing(actors: frozenset[int], named: frozenset[int]) -> float:
    """The share of one article's main actors that another article does not name."""
    return len(actors - named) / len(actors) if actors else 0.0


_CHUNK = 50_000


def _components(n: int, edges: dict[int, dict[int, float]], threshold: float) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, row in edges.items():
        for j, s in row.items():
            if s >= threshold:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    return list(comps.values())


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
