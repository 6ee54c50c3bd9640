"""Quality benchmark for related links: do they go to the same story / the same category?

Run from the repository root::

    /work/venv/bin/python bench/related_quality.py
    /work/venv/bin/python bench/related_quality.py --data ecbplus --keep-url

Reads the evaluation data in ``../shared/eval`` (override with ``--eval-dir``); nothing of it is
copied anywhere. Prints one markdown table. Nothing here is imported by digest itself.

Data sets:

* **ECB+ dev** (413 articles, 40 stories in 20 topics): a link is right when it goes to an
  article of the same story (``cluster``); the other story of the same topic is a hard negative.
  The texts are tokenized, one sentence a line. ``ecbplus`` articles start with a URL line: it
  is the page's address, which digest would keep as ``source_url`` and never read as text, so
  it is dropped (``--keep-url`` keeps it, as text, to show what it would leak). Title = the
  first remaining line (for ``ecbplus`` the headline, for ``ecb`` the lead sentence); text = the
  rest.
* **BBC** (2,225 articles in 5 categories, minus the 98 exact duplicates of another article =
  2,127): a link is right when it goes to an article of the same category. Title = line 1; one
  file is Latin-1.

Metric: P@k = right links among an article's first k links, divided by min(k, number of other
articles of its story/category), averaged over articles. A missing link (fewer than k above 0)
counts as wrong.

Methods, side by side in the same run:

* ``digest`` -- digest's related links as built: ``digest.related.related_links`` on
  ``digest.model.Article`` objects, ``RelatedConfig(count=5, min_score=0.0)``.
* ``tf-idf`` -- plain TF-IDF cosine, scikit-learn's ``TfidfVectorizer()`` defaults
  reimplemented (lower-case ``\\b\\w\\w+\\b`` tokens, raw counts, smoothed IDF, L2 norm, no
  stop words), title + text.
* ``tf-idf+`` -- the same with English stop words and sublinear tf:
  ``TfidfVectorizer(stop_words="english", sublinear_tf=True)`` (needs scikit-learn, a bench-only
  dependency; skipped without it). This is the "plain TF-IDF" the targets were set against.
* ``tags`` -- what Hugo's related content and Pelican's related_posts do: score = number of
  shared tags, ties in a fixed random order (seed 0). ECB+: the ``topic`` is the only tag
  (hence about 0.5 on same-story: it cannot tell the two stories of a topic apart). BBC: the
  category as a tag would be trivially perfect, so the tags are the 3 most frequent
  capitalised non-stop-words of each article (title included; ties by first occurrence).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest import related  # noqa: E402
from digest.config import RelatedConfig  # noqa: E402
from digest.model import Article  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
KS = (3, 5)
SEED = 0
_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Doc:
    __slots__ = ("name", "title", "text", "group", "tags")

    def __init__(self, name: str, title: str, text: str, group: str, tags: tuple[str, ...]):
        self.name, self.title, self.text, self.group, self.tags = name, title, text, group, tags


# --------------------------------------------------------------------------- data


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_ecbplus(eval_dir: Path, keep_url: bool = False) -> list[Doc]:
    docs = []
    with open(eval_dir / "ecbplus-dev" / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            lines = [x for x in d["text"].split("\n") if x.strip()]
            url = ""
            if lines and lines[0].startswith("http"):
                url = lines.pop(0)
            title, body = lines[0], " ".join(lines[1:])
            if keep_url and url:
                body = url + " " + body
            docs.append(Doc(d["doc"], title, body, d["cluster"], (f"topic{d['topic']}",)))
    return docs


_CAP = re.compile(r"\b[A-Z][a-zA-Z'-]+")


def capital_tags(title: str, text: str, n: int = 3) -> tuple[str, ...]:
    """The n most frequent capitalised non-stop-words (ties: first occurrence)."""
    words = [w.lower() for w in _CAP.findall(title + "\n" + text)]
    words = [w for w in words if w not in related.STOP_WORDS and len(w) > 1]
    first = {}
    for i, w in enumerate(words):
        first.setdefault(w, i)
    c = Counter(words)
    return tuple(sorted(c, key=lambda w: (-c[w], first[w]))[:n])


def load_bbc(eval_dir: Path) -> list[Doc]:
    files = sorted((eval_dir / "bbc" / "articles").glob("*/*.txt"))
    seen: set[tuple[str, str]] = set()
    docs = []
    for f in files:
        raw = _read_text(f)
        key = (f.parent.name, raw)
        if key in seen:  # exact duplicate of an earlier article of the same category
            continue
        seen.add(key)
        title, _, body = raw.strip().partition("\n")
        body = " ".join(p.strip() for p in body.split("\n") if p.strip())
        name = f"{f.parent.name}/{f.stem}"
        docs.append(Doc(name, title.strip(), body, f.parent.name, capital_tags(title, body)))
    return docs


# --------------------------------------------------------------------------- methods

Ranker = Callable[[Sequence[Doc], int], list[list[int]]]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def as_articles(docs: Sequence[Doc]) -> list[Article]:
    return [
        Article(
            path=d.name,
            slug=_slug(d.name),
            title=d.title,
            date=_DATE,
            section="",
            section_slug="",
            url=_slug(d.name) + "/",
            text=d.text,
            paragraphs=(d.text,),
        )
        for d in docs
    ]


def digest_ranker(docs: Sequence[Doc], k: int) -> list[list[int]]:
    arts = as_articles(docs)
    row = {a.slug: i for i, a in enumerate(arts)}
    links, _scores = related.related_links(arts, RelatedConfig(count=k, min_score=0.0))
    return [[row[x.slug] for x in links[a.slug]] for a in arts]


def _top_from_dense(sims: np.ndarray, k: int, order: np.ndarray | None = None) -> list[list[int]]:
    """Each row's k best other rows with a score > 0; ties by ``order`` (default: row)."""
    n = sims.shape[0]
    np.fill_diagonal(sims, -1.0)
    tie = np.arange(n) if order is None else order
    out = []
    for i in range(n):
        cand = np.flatnonzero(sims[i] > 0)
        best = sorted(cand.tolist(), key=lambda j: (-round(float(sims[i, j]), 9), tie[j]))
        out.append(best[:k])
    return out


_SK_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tfidf_ranker(docs: Sequence[Doc], k: int) -> list[list[int]]:
    """scikit-learn TfidfVectorizer() defaults, then cosine."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, d in enumerate(docs):
        c = Counter(_SK_TOKEN.findall((d.title + "\n" + d.text).lower()))
        for w, n in c.items():
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
            vals.append(n)
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.float64)
    df = np.bincount(m.indices, minlength=len(vocab))
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    m = m @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    m = sparse.diags(1.0 / norms) @ m
    return _top_from_dense((m @ m.T).toarray(), k)


def tfidf_plus_ranker(docs: Sequence[Doc], k: int) -> list[list[int]]:
    """scikit-learn TfidfVectorizer(stop_words="english", sublinear_tf=True), then cosine."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    v = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    m = v.fit_transform([d.title + "\n" + d.text for d in docs])
    return _top_from_dense((m @ m.T).toarray(), k)


def tags_ranker(docs: Sequence[Doc], k: int) -> list[list[int]]:
    """Shared-tag count (Hugo / Pelican style); ties in a fixed random order."""
    tag_ids: dict[str, int] = {}
    rows, cols = [], []
    for i, d in enumerate(docs):
        for t in set(d.tags):
            rows.append(i)
            cols.append(tag_ids.setdefault(t, len(tag_ids)))
    m = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(docs), max(1, len(tag_ids)))
    )
    order = np.random.default_rng(SEED).permutation(len(docs))
    return _top_from_dense((m @ m.T).toarray().astype(np.float64), k, order)


METHODS: dict[str, Ranker] = {
    "digest": digest_ranker,
    "tf-idf": tfidf_ranker,
    "tf-idf+": tfidf_plus_ranker,
    "tags": tags_ranker,
}


# --------------------------------------------------------------------------- scoring


def precision(docs: Sequence[Doc], ranked: list[list[int]], k: int) -> float:
    size = Counter(d.group for d in docs)
    total = 0.0
    for i, d in enumerate(docs):
        possible = min(k, size[d.group] - 1)
        if possible <= 0:
            continue
        hits = sum(1 for j in ranked[i][:k] if docs[j].group == d.group)
        total += hits / possible
    return total / sum(1 for d in docs if size[d.group] > 1)


def evaluate(docs: Sequence[Doc], methods: dict[str, Ranker]) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for name, ranker in methods.items():
        t = time.perf_counter()
        ranked = ranker(docs, max(KS))
        out[name] = {k: precision(docs, ranked, k) for k in KS}
        out[name][0] = time.perf_counter() - t  # seconds
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--data", choices=["ecbplus", "bbc"], action="append")
    ap.add_argument("--method", choices=sorted(METHODS), action="append")
    ap.add_argument("--keep-url", action="store_true", help="ECB+: keep the URL line as text")
    args = ap.parse_args(argv)
    methods = {m: METHODS[m] for m in (args.method or METHODS)}
    try:
        import sklearn  # noqa: F401
    except ImportError:
        methods.pop("tf-idf+", None)
    data = args.data or ["ecbplus", "bbc"]
    results = {}
    sizes = {}
    for name in data:
        docs = load_ecbplus(args.eval_dir, args.keep_url) if name == "ecbplus" else None
        if docs is None:
            docs = load_bbc(args.eval_dir)
        sizes[name] = (len(docs), len({d.group for d in docs}))
        results[name] = evaluate(docs, methods)
    label = {"ecbplus": "ECB+ same story", "bbc": "BBC same category"}
    head = (
        "| method | " + " | ".join(f"{label[d]} P@{k}" for d in data for k in KS) + " | seconds |"
    )
    print(
        "Related links: "
        + "; ".join(f"{label[d]}: {n} articles, {g} groups" for d, (n, g) in sizes.items())
        + (" (ECB+ URL line kept as text)" if args.keep_url else "")
    )
    print()
    print(head)
    print("|" + "---|" * (2 + len(data) * len(KS)))
    for m in methods:
        cells = [f"{results[d][m][k]:.3f}" for d in data for k in KS]
        secs = sum(results[d][m][0] for d in data)
        print(f"| {m} | " + " | ".join(cells) + f" | {secs:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
