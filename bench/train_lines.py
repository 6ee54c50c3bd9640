"""Train the plain-text cleaner's line model (digest/clean/lines.py, line_model.json).

Run from the repository root::

    /work/venv/bin/python bench/train_lines.py

Reads the extraction dev set (``../shared/eval/extraction-dev``), turns each page into its
"saved as text" form (as ``bench/clean_quality.py`` does), runs the rule passes of
:mod:`digest.clean.scraped` with the folder's line table, and labels each line by the set's
passages: a line holding a ``with`` passage is article text, a line holding a ``without``
passage is not (weighted by the number of passages; lines with neither are not used).

First a headline scorer (boosted trees over each headline candidate's features, labelled
by the page's own ``og:title`` / ``<h1>`` / ``<title>`` as ``bench/headline_quality.py``
finds it) is trained on the DEV HALF, since the line features depend on the headline.
Then two models (boosted depth-limited trees by default, or L2 logistic models) are fitted
on the DEV HALF only (even places of the pages sorted by file name): the first on the line
features, the second on the same features plus the first model's probabilities of the
neighbours (cross-fitted over two folds of the dev half, so the second model sees honest
first-pass numbers).  The keep and drop thresholds are the ones with the best
passage F1 by ``--folds``-fold cross-validation inside the dev half (the tree settings
``--depth 4 --min-hess 20`` were chosen the same way).  Small fictional
pages (``bench/fictional_pages.py``, weight ``--fiction``) are added to the training data
so the model also knows short pages.  The check half (odd places) is only reported, never
used to choose anything.

With ``--pages all`` the written models (headline scorer and both line models) are trained
on all pages instead of the dev half, and ``--oof N`` prints what the dev half cannot show
then: each page scored by models trained on the other N-1 folds only (headline scorer and
line features included), over the dev half, the check half and all pages -- the estimate
for pages the shipped model never saw.  ``--keep K --drop D`` fix the thresholds (no
threshold search).  The shipped model is made with::

    /work/venv/bin/python bench/train_lines.py --pages all --keep 0.4 --drop 0.4 --oof 5

(0.4 / 0.4 are the thresholds the dev-half cross-validation chooses.)

Only the learned numbers are written (standardisation, weights, threshold); no text of any
page.  ``--cache`` keeps the text forms between runs (default /tmp/digest-lines-cache.pkl).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from clean_quality import DEV, dev_pages, norm, saved_as_text  # noqa: E402
from fictional_pages import pages as fictional_pages  # noqa: E402

import digest.clean.scraped as scraped  # noqa: E402
from digest.clean.lines import CONTEXT_NAMES, FEATURE_NAMES, context, features  # noqa: E402
from digest.clean.scraped import (  # noqa: E402
    HEADLINE_FEATURES,
    clean_scraped_text,
    common_lines,
    headline_candidates,
    line_facts,
)

OUT = ROOT / "digest" / "clean" / "line_model.json"


def load(folder: Path, cache: Path) -> list[tuple[str, str, list[str], list[str]]]:
    """(file name, text form, with, without) of each page, sorted by file name."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    pages = [(n, saved_as_text(h), w, wo) for n, h, w, wo in dev_pages(folder)]
    cache.write_bytes(pickle.dumps(pages))
    return pages


def labels(lines: list[str], want: list[str], avoid: list[str]) -> tuple[list[float], list[float]]:
    """Per line: weight as article text, weight as boilerplate."""
    normed = [norm(x) for x in lines]
    starts, pos = [], 0
    for x in normed:
        starts.append(pos)
        pos += len(x) + 1
    joined = " ".join(normed)
    good = [0.0] * len(lines)
    bad = [0.0] * len(lines)

    def hits(passage: str) -> list[list[int]]:
        p = norm(passage)
        out, at = [], joined.find(p) if p else -1
        while at >= 0:
            end = at + len(p)
            out.append([i for i, s in enumerate(starts) if s < end and s + len(normed[i]) > at])
            at = joined.find(p, at + 1)
        return out

    for w in want:
        occ = hits(w)
        for span in occ:
            for i in span:
                good[i] += 1.0 / len(occ)
    for w in avoid:
        for span in hits(w):
            for i in span:
                bad[i] += 1.0
    return good, bad


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> tuple[np.ndarray, ...]:
    """Weighted L2 logistic regression on standardised features: (weights, mean, scale)."""
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    # The bias column (constant 1) and constant features keep mean 0 / scale 1.
    const = scale < 1e-9
    mean[const] = 0.0
    scale[const] = 1.0
    z = (x - mean) / scale
    beta = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[const] = 1e-6
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (w * (p - y)) + reg * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return beta, mean, scale


def boost(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    rounds: int,
    depth: int,
    rate: float,
    min_hess: float = 1.0,
) -> dict:
    """Gradient-boosted trees of fixed depth on quantile bins (logistic loss, Newton leaves):
    ``{"base", "depth", "trees": [[features], [thresholds], [leaves]]}``."""
    lam = 1.0
    n, d = x.shape
    cuts = []
    for j in range(d):
        q = np.unique(np.quantile(x[:, j], np.linspace(0.02, 0.98, 40)))
        cuts.append(q)
    bins = np.stack([np.searchsorted(cuts[j], x[:, j], side="left") for j in range(d)], axis=1)
    prior = np.average(y, weights=w)
    base = float(np.log(prior / (1 - prior)))
    z = np.full(n, base)
    trees = []
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-z))
        g, h = w * (p - y), np.maximum(w * p * (1 - p), 1e-12)
        node = np.zeros(n, dtype=np.int64)
        feats, thrs = [], []
        for level in range(depth):
            for k in range(2**level):
                at = 2**level - 1 + k
                rows = node == at
                best = (0.0, 0, np.inf)
                if rows.sum() > 1:
                    gs, hs = g[rows], h[rows]
                    gt, ht = gs.sum(), hs.sum()
                    for j in range(d):
                        nb = len(cuts[j]) + 1
                        gb = np.cumsum(np.bincount(bins[rows, j], gs, nb))[:-1]
                        hb = np.cumsum(np.bincount(bins[rows, j], hs, nb))[:-1]
                        ok = (hb > min_hess) & (ht - hb > min_hess)
                        if not ok.any():
                            continue
                        gain = gb**2 / (hb + lam) + (gt - gb) ** 2 / (ht - hb + lam)
                        gain = np.where(ok, gain - gt**2 / (ht + lam), -1.0)
                        b = int(np.argmax(gain))
                        if gain[b] > best[0]:
                            best = (float(gain[b]), j, float(cuts[j][b]))
                feats.append(best[1])
                thrs.append(best[2])
                go = rows & (x[:, best[1]] > best[2])
                node[rows] = 2 * at + 1
                node[go] = 2 * at + 2
        first_leaf = 2**depth - 1
        leaves = []
        for k in range(2**depth):
            rows = node == first_leaf + k
            leaves.append(float(-rate * g[rows].sum() / (h[rows].sum() + lam)))
        z += np.array(leaves)[node - first_leaf]
        trees.append([feats, thrs, leaves])
    return {"base": base, "depth": depth, "trees": trees}


def boost_predict(model: dict, x: np.ndarray) -> np.ndarray:
    depth = model["depth"]
    z = np.full(len(x), model["base"])
    for feats, thrs, leaves in model["trees"]:
        node = np.zeros(len(x), dtype=np.int64)
        for _ in range(depth):
            f = np.array(feats)[node]
            t = np.array(thrs)[node]
            node = 2 * node + 1 + (x[np.arange(len(x)), f] > t)
        z += np.array(leaves)[node - (2**depth - 1)]
    return 1 / (1 + np.exp(-z))


def predict(model: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    beta, mean, scale = model
    return 1 / (1 + np.exp(-np.clip(((x - mean) / scale) @ beta, -30, 30)))


def samples(rows: np.ndarray, good: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each labelled line once as article text (weight good) and once as boilerplate."""
    pos, neg = good > 0, bad > 0
    x = np.vstack([rows[pos], rows[neg]])
    y = np.concatenate([np.ones(pos.sum()), np.zeros(neg.sum())])
    w = np.concatenate([good[pos], bad[neg]])
    return x, y, w


def score(pages: list[tuple[str, str, list[str], list[str]]], table: frozenset[str]) -> tuple:
    """(precision, recall, F1, empty bodies) of clean_scraped_text on the pages."""
    from clean_quality import _text_of

    tp = fn = fp = empty = 0
    for _, text, want, avoid in pages:
        c = clean_scraped_text(text, common=table)
        flat = norm(_text_of(c))
        found = sum(1 for w in want if norm(w) in flat)
        tp += found
        fn += len(want) - found
        fp += sum(1 for w in avoid if norm(w) in flat)
        if not c.paragraphs and any(norm(w) in norm(text) for w in want):
            empty += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r), empty


def stage(model: Any) -> dict:
    """One model as digest.clean.lines reads it (plain numbers, JSON-ready)."""
    if isinstance(model, dict):
        trees = [
            [[int(f) for f in fs], [round(float(t), 6) for t in ts], [round(v, 6) for v in ls]]
            for fs, ts, ls in model["trees"]
        ]
        return {
            "kind": "trees",
            "base": round(model["base"], 6),
            "depth": model["depth"],
            "trees": trees,
        }
    beta, mean, scale = model
    return {
        "kind": "linear",
        "weights": [round(float(v), 6) for v in beta],
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
    }


def headline_scorer(
    pages: list[tuple[str, str, list[str], list[str]]],
    idx: list[int],
    table: frozenset[str],
    refs: dict[str, str | None],
    folds: int = 4,
) -> dict:
    """Boosted trees scoring each headline candidate of a page (features
    :data:`digest.clean.scraped.HEADLINE_FEATURES`) against the page's own headline (its
    ``og:title``, ``<h1>`` or ``<title>``, see ``bench/headline_quality.py``), trained on the
    pages ``idx``; prints the cross-validated share of pages whose headline is chosen
    right, by the rules and by the trees."""
    from headline_quality import reference_line

    data = []
    for i in idx:
        name, text = pages[i][0], pages[i][1]
        ref = refs.get(name)
        texts, cands, rows = headline_candidates(text, table)
        at = reference_line(texts, ref) if ref and cands else None
        if at is None:
            continue
        y = [1.0 if texts[c] == texts[at] else 0.0 for c in cands]
        data.append((np.array(rows), np.array(y), [texts[c] for c in cands], texts[at]))

    def fit_trees(part: list) -> dict:
        x = np.vstack([d[0] for d in part])
        y = np.concatenate([d[1] for d in part])
        return boost(x, y, np.ones(len(y)), 100, 3, 0.05, 3.0)

    if folds:
        right = 0
        for k in range(folds):
            m = fit_trees([d for j, d in enumerate(data) if j % folds != k])
            for d in data[k::folds]:
                right += d[2][int(np.argmax(boost_predict(m, d[0])))] == d[3]
        print(
            f"headline scorer: {right}/{len(data)} pages' headline chosen right "
            f"(cross-validated in the pages it is trained on)"
        )
    return stage(fit_trees(data))


def write(
    first: Any,
    second: Any,
    keep: float,
    drop: float,
    note: str,
    out: Path = OUT,
    headline: dict | None = None,
) -> None:
    doc = {
        "note": note,
        "features": list(FEATURE_NAMES),
        "context": list(CONTEXT_NAMES),
        "keep": keep,
        "drop": drop,
        "first": stage(first),
        "second": stage(second),
    }
    if headline is not None:
        doc["headline_features"] = list(HEADLINE_FEATURES)
        doc["headline"] = headline
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


_KEPT = frozenset(("body", "heading", "item"))
_JUDGED = _KEPT | {
    "clutter",
    "teaser",
    "menu",
    "related",
    "outside",
    "above",
    "short",
    "common",
    "comment",
}


def kept_text(
    entry: tuple, keep: float, drop: float, head: float = -1.0, title: float = -1.0
) -> str:
    """What the learned pass keeps of one page (title, standfirst and the kept lines
    joined), made from the page's book entry without running the cleaner again.  A
    standfirst below ``head`` (a title below ``title``) is left out."""
    lines, verdicts, probs = entry[0], entry[1], entry[2]
    rule_kept = [v in _KEPT for v in verdicts]
    kept = [
        (p >= keep if (not k and v in _JUDGED) else (p >= drop if k else False))
        for v, k, p in zip(verdicts, rule_kept, probs, strict=True)
    ]
    if not any(
        kept[i] and verdicts[i] == "body" or (kept[i] and not rule_kept[i])
        for i in range(len(kept))
    ) and any(v == "body" for v in verdicts):
        kept = rule_kept
    return " ".join(
        ln
        for ln, v, k, p in zip(lines, verdicts, kept, probs, strict=True)
        if k or (v == "title" and p >= title) or (v == "standfirst" and p >= head)
    )


def fast_score(
    book: list, keep: float, drop: float, head: float = -1.0, title: float = -1.0
) -> tuple[float, float, float]:
    """Passage P/R/F1 of the cleaner's output as the learned pass would make it."""
    tp = fn = fp = 0
    for entry in book:
        flat = kept_text(entry, keep, drop, head, title)
        want, avoid = entry[3], entry[4]
        found = sum(1 for w in want if w in flat)
        tp += found
        fn += len(want) - found
        fp += sum(1 for w in avoid if w in flat)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r)


def worst_pages(names: list[str], book: list, keep: float, drop: float, n: int = 5) -> list[str]:
    """The ``n`` pages with the most errors (passages missed + boilerplate kept), each with
    what was missed and kept (clipped), for the closing notes."""
    rows = []
    for name, entry in zip(names, book, strict=True):
        flat = kept_text(entry, keep, drop)
        missed = [w for w in entry[3] if w not in flat]
        kept = [w for w in entry[4] if w in flat]
        rows.append((-(len(missed) + len(kept)), name, missed, kept))
    out = []
    for errors, name, missed, kept in sorted(rows)[:n]:
        out.append(f"- {name}: {-errors} error(s)")
        out += [f"  - missed {w[:70]!r}" for w in missed[:4]]
        out += [f"  - kept {w[:70]!r}" for w in kept[:4]]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/digest-lines-cache.pkl"))
    ap.add_argument("--l2", type=float, default=3.0)
    ap.add_argument("--model", choices=("linear", "trees"), default="trees")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--no-cv", dest="cv", action="store_false", help="thresholds by in-sample F1")
    ap.add_argument("--min-hess", type=float, default=20.0)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--no-headline", dest="headline", action="store_false", help="rules choose the headline"
    )
    ap.add_argument(
        "--bags", type=int, default=1, help="bag the tree models over pages (variance reduction)"
    )
    ap.add_argument("--bag-share", type=float, default=0.7, help="share of pages in a bag")
    ap.add_argument("--title-cache", type=Path, default=Path("/tmp/digest-headline-cache.pkl"))
    ap.add_argument("--max-drop", type=float, default=0.5)
    ap.add_argument(
        "--fiction", type=float, default=1.0, help="weight of the fictional short pages' lines"
    )
    ap.add_argument("--folds", type=int, default=4, help="cross-validation folds")
    ap.add_argument(
        "--pages",
        choices=("dev", "all"),
        default="dev",
        help="train the written model on the dev half (default) or on all pages",
    )
    ap.add_argument("--keep", type=float, help="fixed keep threshold (skips the threshold CV)")
    ap.add_argument("--drop", type=float, default=0.4, help="drop threshold with --keep")
    ap.add_argument(
        "--oof",
        type=int,
        default=0,
        help="also print an out-of-fold estimate over all pages with N folds",
    )
    ap.add_argument("--grid", action="store_true", help="print dev/check F1 of every threshold")
    ap.add_argument("--show", type=int, default=0, help="print the N largest weights")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pages = load(args.dev, args.cache)
    table = common_lines(text for _, text, _, _ in pages)
    print(f"{len(pages)} pages read in {time.perf_counter() - t0:.0f} s")
    real = len(pages)
    dev = [i for i in range(real) if i % 2 == 0]
    check = [i for i in range(real) if i % 2 == 1]
    trained = dev if args.pages == "dev" else list(range(real))
    refs: dict[str, str | None] = {}
    if args.headline:
        from headline_quality import load as load_titles

        refs = {name: ref for name, _, ref in load_titles(args.title_cache)}

    def headline_for(idx: list[int], report: bool = True) -> dict | None:
        """The headline scorer trained on the pages ``idx``, installed for the line
        features (which depend on the headline), or None with --no-headline."""
        if not args.headline:
            return None
        h = headline_scorer(pages[:real], idx, table, refs, folds=4 if report else 0)
        scraped.headline_model = lambda names: h  # type: ignore[assignment]
        return h

    per_page: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    norm_lines: list[list[str]] = []
    verdicts: list[list[str]] = []
    fiction = fictional_pages() if args.fiction > 0 else []
    pages = pages + fiction

    def featurize() -> None:
        """Every page's line features, verdicts and labels under the installed headline
        scorer (into per_page, norm_lines and verdicts)."""
        per_page.clear()
        norm_lines.clear()
        verdicts.clear()
        for n, (_, text, want, avoid) in enumerate(pages):
            # A small folder of short pages has no table of common lines.
            facts, span, title_at, language = line_facts(text, table if n < real else frozenset())
            norm_lines.append([norm(f.text) for f in facts])
            verdicts.append([f.verdict for f in facts])
            rows = np.array(features(facts, span, title_at, language) or np.zeros((0, 1)))
            good, bad = labels([f.text for f in facts], want, avoid)
            per_page.append(
                (rows.reshape(len(facts), len(FEATURE_NAMES)), np.array(good), np.array(bad))
            )

    # The headline scorer first: the line model's features depend on the headline.
    headline = headline_for(trained)
    featurize()
    fict = list(range(real, len(pages)))  # the fictional pages: trained on, never scored

    def stack(idx: list[int], extra: dict[int, np.ndarray] | None = None) -> tuple:
        xs, ys, ws, gs = [], [], [], []
        for i in idx:
            rows, good, bad = per_page[i]
            if extra is not None:
                rows = np.hstack([rows, extra[i]])
            x, y, w = samples(rows, good, bad)
            if i >= real:
                w = w * args.fiction
            xs.append(x)
            ys.append(y)
            ws.append(w)
            gs.append(np.full(len(y), i))
        return np.vstack(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(gs)

    # The first model, cross-fitted over two folds of the dev half for the second's inputs.
    def train(x: np.ndarray, y: np.ndarray, w: np.ndarray, g: np.ndarray) -> Any:
        if args.model != "trees":
            return fit(x, y, w, args.l2)
        if args.bags <= 1:
            return boost(x, y, w, args.rounds, args.depth, args.rate, args.min_hess)
        # Bagging over pages (variance reduction): each bag's trees see a random share of
        # the pages; the stored model is their mean logit, i.e. one list of trees whose
        # leaves are divided by the number of bags (the runtime reads it unchanged, at
        # --bags times the cost a line).
        groups = np.unique(g)
        bags = []
        for b in range(args.bags):
            rng = np.random.default_rng(1000 + b)
            chosen = rng.choice(groups, int(len(groups) * args.bag_share), replace=False)
            rows = np.isin(g, chosen)
            bags.append(
                boost(x[rows], y[rows], w[rows], args.rounds, args.depth, args.rate, args.min_hess)
            )
        return {
            "base": float(np.mean([m["base"] for m in bags])),
            "depth": args.depth,
            "trees": [
                [fs, ts, [v / len(bags) for v in ls]] for m in bags for fs, ts, ls in m["trees"]
            ],
        }

    def pred(m: Any, x: np.ndarray) -> np.ndarray:
        return boost_predict(m, x) if isinstance(m, dict) else predict(m, x)

    def book(idx: list[int], first: Any, second: Any) -> list:
        out = []
        for i in idx:
            rows = per_page[i][0]
            first_p = list(pred(first, rows))
            c = np.array(context(first_p)).reshape(len(rows), len(CONTEXT_NAMES))
            probs = pred(second, np.hstack([rows, c])) if len(rows) else []
            _, _, want, avoid = pages[i]
            out.append(
                (
                    norm_lines[i],
                    verdicts[i],
                    list(probs),
                    [norm(w) for w in want],
                    [norm(w) for w in avoid],
                )
            )
        return out

    def pipeline(idx: list[int]) -> tuple[Any, Any]:
        """Both models trained on the pages ``idx``; the second model's inputs from the first
        model cross-fitted over two folds of them (honest first-pass numbers)."""
        idx = idx + fict
        folds = [idx[0::2], idx[1::2]]
        ctx: dict[int, np.ndarray] = {}
        for k in (0, 1):
            m = train(*stack(folds[1 - k]))
            for i in folds[k]:
                rows = per_page[i][0]
                ctx[i] = np.array(context(list(pred(m, rows)))).reshape(
                    len(rows), len(CONTEXT_NAMES)
                )
        return train(*stack(idx)), train(*stack(idx, ctx))

    def out_of_fold(k_folds: int, keep: float, drop: float) -> None:
        """Print passage P/R/F1 of every real page scored by models (headline scorer, both
        line models) trained on the other folds only: an honest estimate for pages the
        shipped model never saw.  Folds are interleaved over the pages sorted by name."""
        held_books: dict[int, Any] = {}
        for k in range(k_folds):
            held = [i for i in range(real) if i % k_folds == k]
            rest = [i for i in range(real) if i % k_folds != k]
            headline_for(rest, report=False)
            featurize()
            first_k, second_k = pipeline(rest)
            held_books.update(zip(held, book(held, first_k, second_k), strict=True))
            print(f"  fold {k + 1}/{k_folds} done in {time.perf_counter() - t0:.0f} s")
        halves = (("dev half", dev), ("check half", check), ("all", range(real)))
        for name, idx in halves:
            p, r, f = fast_score([held_books[i] for i in idx], keep, drop)
            print(f"out of fold ({k_folds} folds), {name}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
        print("five worst pages out of fold:")
        every = list(range(real))
        names = [pages[i][0] for i in every]
        print("\n".join(worst_pages(names, [held_books[i] for i in every], keep, drop)))
        if args.grid:
            for g in grid:
                f1s = [fast_score([held_books[i] for i in idx], *g)[2] for _, idx in halves]
                print(f"out of fold, keep {g[0]} drop {g[1]}: " + " ".join(f"{f:.3f}" for f in f1s))

    # The drop threshold is learned like the keep one (at most --max-drop); short closing
    # paragraphs of small pages are looked after by the fictional pages, not by a guard.
    drops = [d for d in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7) if d <= args.max_drop]
    grid = [(k, d) for k in (0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8) for d in drops]

    def scored(b: list, g: tuple[float, ...]) -> tuple[float, float, float]:
        return fast_score(b, g[0], g[1])

    if args.keep is not None:
        best = (float("nan"), args.keep, args.drop)
    elif args.cv:
        # Thresholds chosen by cross-validation inside the dev half
        totals = dict.fromkeys(grid, 0.0)
        # (--folds of them: the more, the closer the fold models are to the final one.)
        for k in range(args.folds):
            held = dev[k :: args.folds]
            first, second = pipeline([i for i in dev if i not in set(held)])
            b = book(held, first, second)
            for g in grid:
                totals[g] += scored(b, g)[2] / args.folds
        cv_best = max(grid, key=lambda g: totals[g])
        print(
            f"cross-validated in the dev half: keep {cv_best[0]} drop {cv_best[1]} "
            f"F1 {totals[cv_best]:.3f}"
        )
        best = (totals[cv_best], *cv_best)
    first, second = pipeline(trained)
    if args.show and not isinstance(first, dict):
        names = list(FEATURE_NAMES)
        order = np.argsort(-np.abs(first[0]))[: args.show]
        print("first model:", ", ".join(f"{names[j]} {first[0][j]:+.2f}" for j in order))

    dev_book, check_book = book(dev, first, second), book(check, first, second)
    if args.grid:
        for g in grid:
            d, c = scored(dev_book, g)[2], scored(check_book, g)[2]
            cv = f" cv {totals[g]:.3f}" if args.cv and args.keep is None else ""
            print(f"keep {g[0]} drop {g[1]}: dev {d:.3f} check {c:.3f}{cv}")
    if args.keep is None and not args.cv:
        best = max((scored(dev_book, g)[2], *g) for g in grid)
    for g in ((2.0, -1.0), best[1:]):
        for name, b in (("dev half", dev_book), ("check half", check_book)):
            p, r, f = scored(b, g)
            print(f"keep {g[0]} drop {g[1]}: {name} P {p:.3f} R {r:.3f} F1 {f:.3f}")
    which = "the dev half" if args.pages == "dev" else "all"
    note = (
        f"{args.model} trained on {which} ({len(trained)} pages) of the extraction dev set; "
        f"keep {best[1]}, drop {best[2]}"
        + (f" (dev-half cross-validated F1 {best[0]:.3f})." if best[0] == best[0] else ".")
    )
    if args.oof:
        out_of_fold(args.oof, best[1], best[2])
        # out_of_fold installed the folds' headline scorers: the shipped one again (the line
        # models were trained before it)
        scraped.headline_model = lambda names: headline  # type: ignore[assignment]
    write(first, second, best[1], best[2], note, args.out, headline)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
