"""Story grouping: which articles tell one real-world story.

PLACEHOLDER (to be replaced by the measured method, see bench/story_quality.py):
articles are joined when one is among the other's related-link neighbours with a
score of at least ``threshold`` and their dates are at most ``window_days`` apart;
groups are the connected components.
"""

from __future__ import annotations

from digest.collect import Collected
from digest.config import StoriesConfig
from digest.related import Neighbours

Grouping = tuple[tuple[int, ...], ...]  # groups of rows of Collected.items, each sorted


def group(site: Collected, neighbours: Neighbours, cfg: StoriesConfig) -> Grouping:
    """The stories of the site as groups of rows (every row in exactly one group; a
    row alone is a story of one article).  Groups are ordered by their first row."""
    n = len(site.items)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    window = cfg.window_days * 86400
    dates = [it.article.date.timestamp() for it in site.items]
    for i, row in enumerate(neighbours if cfg.enabled else ()):
        for j, score in row:
            if score >= cfg.threshold and abs(dates[i] - dates[j]) <= window:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return tuple(tuple(g) for _, g in sorted(groups.items(), key=lambda kv: kv[1][0]))
