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

from digest.collect import Collected
from digest.config import StoriesConfig
from digest.related import Neighbours

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


def _average_link(
    rows: list[int], edges: dict[int, dict[int, float]], threshold: float, keys: Sequence[str]
) -> list[tuple[int, ...]]:
    """Average-link clusters of ``rows`` (one component) at ``threshold``."""
    members: dict[int, list[int]] = {r: [r] for r in rows}
    key: dict[int, str] = {r: keys[r] for r in rows}  # a cluster's smallest slug
    link = {r: {c: w for c, w in edges.get(r, {}).items() if c in members} for r in rows}
    heap: list[tuple[float, str, str, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        if key[b] < key[a]:
            a, b = b, a
        avg = link[a][b] / (len(members[a]) * len(members[b]))
        if avg >= threshold:
            heapq.heappush(heap, (-avg, key[a], key[b], a, b, len(members[a]), len(members[b])))

    for a in rows:
        for b in link[a]:
            if a < b:
                push(a, b)
    while heap:
        _, _, _, a, b, na, nb = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        if len(members[a]) != na or len(members[b]) != nb:
            continue  # stale: one of them grew since
        # merge b into a
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
        for c in link[a]:
            push(a, c)
    return [tuple(sorted(m)) for m in members.values()]
