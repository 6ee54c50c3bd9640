"""The ``related`` stage: related-article links from the articles' text.

TF-IDF vectors (sublinear term frequency, smoothed IDF, L2-normalised) in a
sparse matrix; similarities are computed a block of rows at a time and only
each row's top-k is kept, so memory stays bounded: no N x N matrix is ever
built.  Ties are broken by slug, so builds are repeatable.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from digest.config import RelatedConfig
from digest.model import Article, RelatedLink

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having
    he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm
    i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not
    of off on once only or other ought our ours ourselves out over own same shan't she she'd
    she'll she's should shouldn't so some such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's with won't would wouldn't you you'd
    you'll you're you've your yours yourself yourselves said says say will just one two three
    new also would year years could mr mrs ms dr told last first like get got since per may
    might us yet still much many
    """.split()
)


def terms(text: str) -> list[str]:
    """Lower-cased content words of a text, with a light plural folding."""
    out = []
    for w in _WORD.findall(text.lower()):
        w = w.replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) < 2 or w in STOP_WORDS:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return out


@dataclass(frozen=True)
class Vectors:
    """TF-IDF rows (CSR, L2-normalised) with their vocabulary."""

    matrix: sparse.csr_matrix
    vocabulary: tuple[str, ...]


def vectorize(docs: Sequence[Sequence[str]], title_terms: Sequence[Sequence[str]] = ()) -> Vectors:
    """TF-IDF of term lists; title terms count twice."""
    counts: list[Counter] = []
    for i, d in enumerate(docs):
        c = Counter(d)
        if i < len(title_terms):
            c.update(title_terms[i])
        counts.append(c)
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(counts)
    vocab = tuple(sorted(t for t, k in df.items() if k >= 2 or n < 3))
    index = {t: i for i, t in enumerate(vocab)}
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab}
    rows, cols, vals = [], [], []
    for r, c in enumerate(counts):
        for t, k in c.items():
            j = index.get(t)
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append((1.0 + math.log(k)) * idf[t])
    m = sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(n, len(vocab)), dtype=np.float32
    )
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    m = sparse.diags(1.0 / norms).dot(m).tocsr().astype(np.float32)
    m.sort_indices()
    return Vectors(m, vocab)


def top_k(
    vectors: Vectors, k: int, min_score: float, keys: Sequence[str], block_bytes: int = 64 * 2**20
) -> list[list[tuple[int, float]]]:
    """For each row, the k most similar other rows above min_score.

    Rows are compared a block at a time (at most ``block_bytes`` of dense
    scores), so memory is O(N * block) rather than O(N^2).
    """
    m = vectors.matrix
    n = m.shape[0]
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    if n < 2 or k <= 0:
        return out
    mt = m.T.tocsr()
    block = max(1, block_bytes // (4 * n))
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = (m[start:stop] @ mt).toarray()
        for r in range(stop - start):
            i = start + r
            row = sims[r]
            row[i] = -1.0
            kk = min(k + 8, n - 1)  # a few extra to break ties by key
            cand = np.argpartition(-row, kk - 1)[:kk] if kk < n else np.arange(n)
            best = [
                (int(j), round(float(row[j]), 6))
                for j in cand
                if j != i and row[j] >= min_score and row[j] > 0
            ]
            best.sort(key=lambda js: (-js[1], keys[js[0]]))
            out[i] = best[:k]
    return out


def article_terms(a: Article) -> tuple[list[str], list[str]]:
    return terms(a.text), terms(a.title)


def related_links(
    articles: Sequence[Article], cfg: RelatedConfig
) -> dict[str, tuple[RelatedLink, ...]]:
    """slug -> related links (pinned slugs first, then the most similar)."""
    by_slug = {a.slug: a for a in articles}
    keys = [a.slug for a in articles]
    pairs = [article_terms(a) for a in articles]
    vectors = vectorize([p[0] for p in pairs], [p[1] for p in pairs])
    neighbours = top_k(vectors, cfg.count, cfg.min_score, keys)
    result: dict[str, tuple[RelatedLink, ...]] = {}
    for i, a in enumerate(articles):
        links: list[RelatedLink] = []
        seen = {a.slug}
        row = vectors.matrix[i]
        for slug in a.pinned_related:
            other = by_slug.get(slug)
            if other is None or slug in seen:
                continue
            j = keys.index(slug)
            s = round(float(row.multiply(vectors.matrix[j]).sum()), 6)
            links.append(RelatedLink(other.slug, other.title, other.url, s))
            seen.add(slug)
        for j, s in neighbours[i]:
            if len(links) >= max(cfg.count, len(a.pinned_related)):
                break
            other = articles[j]
            if other.slug not in seen:
                links.append(RelatedLink(other.slug, other.title, other.url, s))
                seen.add(other.slug)
        result[a.slug] = tuple(links)
    return result


def explain_pair(vectors: Vectors, i: int, j: int, n_terms: int = 5) -> list[tuple[str, float]]:
    """The terms that contribute most to the similarity of rows i and j."""
    prod = vectors.matrix[i].multiply(vectors.matrix[j]).tocoo()
    pairs = sorted(
        zip(prod.col, prod.data, strict=True), key=lambda cv: (-cv[1], vectors.vocabulary[cv[0]])
    )
    return [(vectors.vocabulary[c], round(float(v), 4)) for c, v in pairs[:n_terms]]
