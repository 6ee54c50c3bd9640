"""Quality benchmark: how good are digest's summaries (and, later, its related links)?

Run from the repository root::

    /work/venv/bin/python bench/quality.py --task summaries
    /work/venv/bin/python bench/quality.py --task summaries --bbc-sample 0   # all BBC articles

Needs the bench-only dependency ``rouge-score`` and the evaluation data in ``../shared/eval``
(override with ``--eval-dir``). Nothing here is imported by digest itself.

Task ``summaries``: ROUGE-1/2/Lsum F1 (rouge-score, Porter stemming, sentences joined by
newlines, reference first) of every summarizer digest offers -- the stock sumy methods and
digest's own ``news`` method -- at 3 sentences, next to Lead-3 and Random-3 (fixed seed):

* CNN/DM dev: 50 CNN/DailyMail test articles with human highlights. The text is lower-cased
  and tokenized (" ." split off), so it is split into sentences on the tokenized terminators
  rather than with ``digest.sentences`` (which relies on capitals). There are no paragraphs
  and no titles.
* BBC: a fixed random sample (seed 0) of ``--bbc-sample`` articles (default 300; 0 = all
  2,225), exact duplicates included. Title = line 1, paragraphs = blank-line separated blocks,
  sentences via ``digest.sentences.split_sentences``. The references are *silver* (made by a
  sentence-ranking program, about 40% of the article): reported, never tuned to.

The ``news`` method is called as digest calls it: ``count = default_count(n, 3)``, which is
3 for every article here except very short ones.

To add a task (e.g. related links) write ``task_<name>(args) -> str`` returning markdown and
register it in ``TASKS``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
COUNT = 3
SEED = 0

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-])*")


from digest import sentences as sentences_mod  # noqa: E402
from digest.summarize import news  # noqa: E402

# --------------------------------------------------------------------------- data


class Article:
    __slots__ = ("paragraphs", "reference", "title", "name")

    def __init__(self, name: str, title: str | None, paragraphs: list[list[str]], reference: str):
        self.name = name
        self.title = title
        self.paragraphs = paragraphs  # list of paragraphs, each a list of sentences
        self.reference = reference  # sentences joined by newlines

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    @property
    def paragraph_ids(self) -> list[int]:
        return [i for i, p in enumerate(self.paragraphs) for _ in p]


# tokenized CNN/DM: a sentence ends at a " ." / " ?" / " !" token, optionally followed by a
# closing-quote token (" ''" or " '").
def split_tokenized(text: str) -> list[str]:
    text = text.replace("<t>", " ").replace("</t>", " ").strip()
    out = []
    for m in re.finditer(r".+?(?: [.?!](?: (?:''|'))?(?= |$)|$)", text):
        s = m.group(0).strip()
        if s:
            out.append(s)
    return out


def load_cnndm(eval_dir: Path) -> list[Article]:
    d = eval_dir / "cnndm-dev"
    src = (d / "src.txt").read_text(encoding="utf-8").splitlines()
    ref = (d / "ref.txt").read_text(encoding="utf-8").splitlines()
    arts = []
    for i, (s, r) in enumerate(zip(src, ref, strict=True)):
        r = r.replace("<t>", " ").replace("</t>", " ")
        ref_sents = [x.strip() for x in re.split(r" \.", r) if x.strip()]
        arts.append(Article(f"cnndm/{i}", None, [split_tokenized(s)], "\n".join(ref_sents)))
    return arts


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_bbc(eval_dir: Path, sample: int) -> list[Article]:
    d = eval_dir / "bbc"
    files = sorted((d / "articles").glob("*/*.txt"))
    if sample and sample < len(files):
        files = sorted(random.Random(SEED).sample(files, sample))
    split = sentences_mod.split_sentences
    arts = []
    for f in files:
        text = _read_text(f).strip()
        title, _, body = text.partition("\n")
        paras = [split(p) for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
        paras = [p for p in paras if p]
        ref_text = _read_text(d / "summaries" / f.parent.name / f.name).strip()
        # silver summaries: sentences run together with no space after the full stop
        ref_sents = re.split(r"(?<=[.!?])(?=[A-Z\"'])|\n+", ref_text)
        ref = "\n".join(s.strip() for s in ref_sents if s.strip())
        name = f"bbc/{f.parent.name}/{f.name}"
        arts.append(Article(name, title.strip(), paras, ref))
    return arts


# --------------------------------------------------------------------------- summarizers


class _Tokenizer:
    """The tokenizer sumy's document model needs (no NLTK data)."""

    def __init__(self, language: str = "english"):
        self.language = language

    def to_sentences(self, paragraph: str) -> list[str]:
        return sentences_mod.split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


def _sumy_document(art: Article):
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tok = _Tokenizer()
    return ObjectDocumentModel(
        [Paragraph([Sentence(s, tok) for s in p]) for p in art.paragraphs if p]
    )


def _sumy_method(cls_name: str, module: str) -> Callable[[Article, int], list[int]]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    cls = getattr(importlib.import_module(f"sumy.summarizers.{module}"), cls_name)
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def run(art: Article, count: int) -> list[int]:
        sents = art.sentences
        chosen = summarizer(_sumy_document(art), count)
        index = {}
        for i, s in enumerate(sents):
            index.setdefault(s.strip(), i)
        return sorted(index[str(s)] for s in chosen)

    return run


def lead(art: Article, count: int) -> list[int]:
    return list(range(min(count, len(art.sentences))))


def random_k(art: Article, count: int) -> list[int]:
    n = len(art.sentences)
    rng = random.Random(f"{SEED}:{art.name}")
    return sorted(rng.sample(range(n), min(count, n)))


def news_method(art: Article, count: int) -> list[int]:
    sents = art.sentences
    k = news.default_count(len(sents), count)
    _, chosen = news.rank_news(sents, art.paragraph_ids, title=art.title, count=k)
    return chosen


STOCK = {
    "lexrank": ("LexRankSummarizer", "lex_rank"),
    "textrank": ("TextRankSummarizer", "text_rank"),
    "lsa": ("LsaSummarizer", "lsa"),
    "luhn": ("LuhnSummarizer", "luhn"),
    "kl": ("KLSummarizer", "kl"),
    "sumbasic": ("SumBasicSummarizer", "sum_basic"),
}


def _digest_stock_method(method: str) -> Callable[[Article, int], list[int]]:
    """A stock method as digest runs it: sumy's ratings, unusable sentences left out."""
    import digest.summarize as ds

    def run(art: Article, count: int) -> list[int]:
        sents = art.sentences
        scores = ds._stock_scores(method, sents, art.paragraph_ids, "english")
        usable = [news.usable_sentence(s) for s in sents]
        pool = [i for i in range(len(sents)) if usable[i]] or list(range(len(sents)))
        return sorted(sorted(pool, key=lambda i: (-scores[i], i))[:count])

    return run


def summarizers(stock_via: str = "sumy") -> dict[str, Callable[[Article, int], list[int]]]:
    out: dict[str, Callable[[Article, int], list[int]]] = {
        "lead-3": lead,
        "random-3": random_k,
    }
    for name, (cls, mod) in STOCK.items():
        if stock_via == "digest":
            out[name] = _digest_stock_method(name)
        else:
            out[name] = _sumy_method(cls, mod)
    out["news"] = news_method
    return out


# --------------------------------------------------------------------------- scoring


def rouge(arts: Sequence[Article], method: Callable[[Article, int], list[int]], count: int):
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    tot = [0.0, 0.0, 0.0]
    elapsed = 0.0
    if arts:
        method(arts[0], count)  # warm up: imports, stemmer and stop-word loading
    for art in arts:
        sents = art.sentences
        t0 = time.perf_counter()
        chosen = method(art, count)
        elapsed += time.perf_counter() - t0
        pred = "\n".join(sents[i] for i in chosen)
        sc = scorer.score(art.reference, pred)
        tot[0] += sc["rouge1"].fmeasure
        tot[1] += sc["rouge2"].fmeasure
        tot[2] += sc["rougeLsum"].fmeasure
    n = max(1, len(arts))
    return [100 * t / n for t in tot], 1000 * elapsed / n


def task_summaries(args: argparse.Namespace) -> str:
    eval_dir = Path(args.eval_dir)
    datasets = {"CNN/DM dev (50)": load_cnndm(eval_dir)}
    bbc = load_bbc(eval_dir, args.bbc_sample)
    bbc_name = f"BBC silver ({len(bbc)}{', sample seed 0' if args.bbc_sample else ', all'})"
    datasets[bbc_name] = bbc
    methods = summarizers(args.stock_via)
    if args.methods:
        methods = {k: v for k, v in methods.items() if k in args.methods.split(",")}
    lines = [
        f"## Summaries: ROUGE F1 x100 at {args.count} sentences "
        f"(stock methods via {args.stock_via})",
        "",
    ]
    header = "| method |"
    sep = "|---|"
    for name in datasets:
        header += f" {name} R-1 | R-2 | R-Lsum |"
        sep += "---:|---:|---:|"
    header += " ms/article (CNN/DM) |"
    sep += "---:|"
    lines += [header, sep]
    for mname, method in methods.items():
        row = f"| {mname} |"
        ms_first = None
        for arts in datasets.values():
            scores, ms = rouge(arts, method, args.count)
            ms_first = ms if ms_first is None else ms_first
            row += " " + " | ".join(f"{s:.1f}" for s in scores) + " |"
        row += f" {ms_first:.2f} |"
        lines.append(row)
        print(row, file=sys.stderr, flush=True)
    return "\n".join(lines)


TASKS: dict[str, Callable[[argparse.Namespace], str]] = {
    "summaries": task_summaries,
}


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and os.environ.get("PYTHONHASHSEED") != "0":
        # some stock sumy methods (LSA) iterate over sets of words: pin the hash seed so
        # that tables are reproducible from run to run
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", choices=sorted(TASKS), action="append")
    ap.add_argument("--eval-dir", default=str(DEFAULT_EVAL))
    ap.add_argument("--count", type=int, default=COUNT)
    ap.add_argument("--bbc-sample", type=int, default=300, help="0 = all BBC articles")
    ap.add_argument("--methods", default="", help="comma-separated subset of methods")
    ap.add_argument(
        "--stock-via",
        choices=("sumy", "digest"),
        default="sumy",
        help="run the stock sumy methods plainly (sumy) or as digest runs them (digest: "
        "sumy's ratings, sentences that news.usable_sentence rejects left out)",
    )
    args = ap.parse_args(argv)
    for task in args.task or sorted(TASKS):
        print(TASKS[task](args))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
