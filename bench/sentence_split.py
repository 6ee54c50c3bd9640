"""Benchmark sentence splitters on the gold set and on pathological inputs.

Usage::

    python bench/sentence_split.py            # everything
    python bench/sentence_split.py --quick    # skip the 5 MB article and use a 5 s cap

Candidates that are not installed are reported as such.  Every candidate is run
line by line (newlines always end a sentence in digest), so the comparison is of
what each one does inside a paragraph.  Pathological inputs run in a child
process killed after ``--timeout`` seconds, so a hanging library cannot stall
the benchmark.

Metrics on ``tests/data/sentences_gold.json``:

* P / R / F1: exact-sentence precision, recall and F1 -- a predicted sentence
  counts only if its character span equals a gold sentence's span.
* pass%: passages whose whole segmentation is exactly right.
* verb%: predicted sentences that are verbatim substrings of the input (a
  splitter that normalises whitespace or characters loses here).
* F1 per subset of the gold set (its "set" field): "dev" passages were written
  while the rule-based splitter was developed; "heldout" ones were written after
  it, measured, and then two rule fixes were made from its errors (so it is only
  half held out); "heldout2" was written last and nothing was tuned on it.
* ms/1k: wall time per 1,000 gold sentences (median of several runs).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "tests" / "data" / "sentences_gold.json"

Splitter = Callable[[str], list[str]]

_LINES = re.compile(r"[^\n]+")


def per_line(fn: Splitter) -> Splitter:
    def split(text: str) -> list[str]:
        out: list[str] = []
        for m in _LINES.finditer(text):
            out.extend(s.strip() for s in fn(m.group()) if s.strip())
        return out

    return split


def make_candidates() -> dict[str, Splitter | str]:
    """name -> splitter, or name -> reason it is unavailable."""
    cands: dict[str, Splitter | str] = {}

    from digest.sentences import split_sentences

    cands["digest (rules)"] = split_sentences

    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        cands["pysbd 0.3.4"] = per_line(seg.segment)
    except ImportError as e:
        cands["pysbd 0.3.4"] = str(e)

    try:
        import nupunkt

        cands["nupunkt"] = per_line(nupunkt.sent_tokenize)
    except ImportError as e:
        cands["nupunkt"] = str(e)

    try:
        import punkt

        tok = punkt.tokenizer_for("english")
        cands["punkt (nltk model)"] = per_line(tok.tokenize)
        tok2 = punkt.tokenizer_for("english", prefixes=True)
        cands["punkt +prefixes"] = per_line(tok2.tokenize)
    except ImportError as e:
        cands["punkt (nltk model)"] = str(e)

    try:
        import sentencex

        cands["sentencex"] = per_line(lambda t: list(sentencex.segment("en", t)))
    except ImportError as e:
        cands["sentencex"] = str(e)

    try:
        from segtok.segmenter import split_single

        cands["segtok"] = per_line(lambda t: list(split_single(t)))
    except ImportError as e:
        cands["segtok"] = str(e)

    try:
        from syntok import segmenter as syntok_seg

        def syntok_split(t: str) -> list[str]:
            return [
                "".join(tok.spacing + tok.value for tok in s)
                for p in syntok_seg.analyze(t)
                for s in p
            ]

        cands["syntok"] = per_line(syntok_split)
    except ImportError as e:
        cands["syntok"] = str(e)

    try:
        import blingfire

        def bf_split(t: str) -> list[str]:
            _, offs = blingfire.text_to_sentences_and_offsets(t)
            return [t[a:b] for a, b in offs]

        cands["blingfire"] = per_line(bf_split)
    except ImportError as e:
        cands["blingfire"] = str(e)
    return cands


def spans(text: str, sentences: list[str]) -> tuple[set[tuple[int, int]], int]:
    """Character spans of ``sentences`` located in order; also how many were not found."""
    out: set[tuple[int, int]] = set()
    pos = 0
    missing = 0
    for s in sentences:
        i = text.find(s, pos)
        if i < 0:
            missing += 1
            continue
        out.add((i, i + len(s)))
        pos = i + len(s)
    return out, missing


def load_gold() -> list[dict]:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def score(fn: Splitter, gold: list[dict], show_errors: bool = False) -> dict[str, float]:
    tp = fp = fn_ = 0
    exact = 0
    produced = missing = 0
    for item in gold:
        text = item["text"]
        pred = fn(text)
        g, _ = spans(text, item["sentences"])
        p, miss = spans(text, pred)
        produced += len(pred)
        missing += miss
        tp += len(g & p)
        fp += len(p - g) + miss
        fn_ += len(g - p)
        if pred == item["sentences"]:
            exact += 1
        elif show_errors:
            print("---", file=sys.stderr)
            print("gold:", item["sentences"], file=sys.stderr)
            print("pred:", pred, file=sys.stderr)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn_) if tp + fn_ else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "P": prec,
        "R": rec,
        "F1": f1,
        "pass": exact / len(gold),
        "verbatim": (produced - missing) / produced if produced else 1.0,
    }


def speed(fn: Splitter, gold: list[dict], repeat: int = 5) -> float:
    """Milliseconds per 1,000 gold sentences (median of ``repeat`` passes)."""
    texts = [item["text"] for item in gold]
    n = sum(len(item["sentences"]) for item in gold)
    fn(texts[0])  # warm-up (model loading)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000 * 1000 / n


def pathological(include_big: bool) -> dict[str, str]:
    nums = " ".join(str(100 + (i * 7919) % 900) for i in range(30))
    cases = {
        "pysbd#79 numbers": f"See the list...[{nums}] for details.",
        "numbers+dots 2k": "See the list..." + " ".join(f"{i}." for i in range(2000)) + " end",
        "no punct 200KB": ("word " * 40_000)[:200_000],
        "100k periods": "." * 100_000,
        "100k '. '": ". " * 50_000,
        "nested quotes": ("\u201c'\"" * 3000) + "Hello." + ("\"'\u201d" * 3000) + " Next.",
        "a.b.c.d....": "a.b.c.d...." * 20_000,
        "initials run": "A. " * 30_000 + "end.",
        "ellipsis run": "wait\u2026 " * 30_000,
        "200KB spaces": " " * 200_000 + "x",
        "blank lines": " \n" * 100_000,
        "list numbers 1. 1.": "1. " * 100_000,
        "stop + 200 spaces": ("x." + " " * 200) * 10_000,
        "tiny CJK lines": "\u3002!\n" * 100_000,
    }
    if include_big:
        para = (
            "Dr. Hale said the U.S. economy grew 2.5% in Q3, beating forecasts of $3.5 "
            "billion. \u201cWe are pleased,\u201d she said. Shares of Acme Inc. rose... "
            "then fell! Why? Nobody knows.\n\n"
        )
        cases["5 MB article"] = para * (5_000_000 // len(para))
    return cases


def _child(name: str, text: str, q: mp.Queue) -> None:
    fn = make_candidates()[name]
    assert callable(fn)
    t0 = time.perf_counter()
    fn(text)
    q.put(time.perf_counter() - t0)


def run_guarded(name: str, text: str, timeout: float) -> str:
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=_child, args=(name, text, q))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return f">{timeout:g}s"
    if proc.exitcode != 0 or q.empty():
        return "error"
    return f"{q.get():.3f}s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--errors", metavar="NAME", help="print gold-set mistakes of one candidate")
    ap.add_argument("--only", nargs="*", help="candidates to run (default: all)")
    args = ap.parse_args()
    timeout = args.timeout or (5.0 if args.quick else 20.0)

    gold = load_gold()
    cands = make_candidates()
    if args.only:
        cands = {k: v for k, v in cands.items() if k in args.only}
    n_sent = sum(len(g["sentences"]) for g in gold)
    print(f"gold set: {len(gold)} passages, {n_sent} sentences\n")
    print("F1 columns per subset: dev, heldout (fixed after one look), heldout2 (never tuned)\n")

    if args.errors:
        fn = cands[args.errors]
        assert callable(fn)
        score(fn, gold, show_errors=True)
        return

    subsets: dict[str, list[dict]] = {}
    for g in gold:
        subsets.setdefault(g.get("set", "dev"), []).append(g)
    header = (
        f"{'candidate':<20} {'P':>6} {'R':>6} {'F1':>6} {'pass%':>6} {'verb%':>6} "
        + "".join(f"{name[:9]:>10}" for name in subsets)
        + f" {'ms/1k':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, fn in cands.items():
        if not callable(fn):
            print(f"{name:<20} not installed ({fn})")
            continue
        s = score(fn, gold)
        ms = speed(fn, gold)
        print(
            f"{name:<20} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {100 * s['pass']:6.1f} "
            f"{100 * s['verbatim']:6.1f} "
            + "".join(f"{score(fn, sub)['F1']:10.3f}" for sub in subsets.values())
            + f" {ms:8.1f}"
        )

    cases = pathological(include_big=not args.quick)
    print(f"\nworst-case wall time per input (child process, killed after {timeout:g}s)\n")
    names = [n for n, f in cands.items() if callable(f)]
    width = max(len(c) for c in cases) + 2
    print(f"{'input':<{width}}" + "".join(f"{n[:14]:>16}" for n in names))
    for case, text in cases.items():
        row = f"{case:<{width}}"
        for name in names:
            row += f"{run_guarded(name, text, timeout):>16}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
