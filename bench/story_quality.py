"""Quality benchmark for story grouping: do digest's stories match real stories?

Run from the repository root::

    /work/venv/bin/python bench/story_quality.py [--threshold T] [--eval-dir DIR]

Reads the evaluation data in ``../shared/eval`` (nothing of it is copied anywhere) and
prints markdown tables.  Nothing here is imported by digest itself.

* **ECB+ dev** (413 articles; the ``cluster`` field is the story, two stories of one
  ``topic`` are hard negatives: the same kind of event, elsewhere).  Texts are tokenized, one
  sentence a line; ``ecbplus`` articles start with a URL line, which is dropped (digest would
  keep it as ``source_url``, never as text).  Title = first remaining line, text = the rest.
  ECB+ has no publication dates: every article gets one date for the main figure, so the
  date window plays no part in it (dates are a separate guard, measured with --dates).
* **BBC** (the 2,127 unique articles of bench/corpus.py, one date each, seven hours apart):
  no story labels, but an article of a group about one story is in its group's category;
  a group mixing categories is a false merge.  Printed: that share, and the group sizes.

Metric: B-cubed precision / recall / F1 (per article: the share of its group that is in its
story, the share of its story that is in its group; averaged over articles).

Topics are split in two halves by their order (1st, 3rd, 5th ... = "tune"; the others =
"check"): parameters were chosen on "tune" only; "check" and "all" are printed too.

Methods, in one run:

* ``digest`` -- the real code path: the articles are written as a digest site, read with
  ``digest.collect.collect`` (the same per-article features as ``digest build``), related
  neighbours from ``digest.related.site_links`` and groups from ``digest.stories.group``
  (pair score: 0.7 x related cosine + 0.3 x overlap of the story features, names and
  numbers, that collect extracts per article; times 1 - 0.3 x the share of each article's
  three main names that the other does not name).
* ``tf-idf+avg`` -- the issue's baseline: scikit-learn's ``TfidfVectorizer(stop_words=
  "english", sublinear_tf=True)`` reimplemented in numpy (lower-case ``\\b\\w\\w+\\b`` tokens,
  1 + log tf, smoothed IDF, L2 norm), average-link agglomerative clustering at cosine
  distance 0.85 (scipy.cluster.hierarchy), title + text.
* ``topic`` -- one group per topic.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import bbc_articles  # noqa: E402

from digest import cache, collect, related, stories  # noqa: E402
from digest.config import ContentConfig, RelatedConfig, StoriesConfig, SummaryConfig  # noqa: E402
from digest.errors import Problems  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)

# scikit-learn's ENGLISH_STOP_WORDS (a frozen list of 318 words), for the baseline
SKLEARN_STOP = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond bill both bottom but by call can
    cannot cant co con could couldnt cry de describe detail do done down due during each eg eight
    either eleven else elsewhere empty enough etc even ever every everyone everything everywhere
    except few fifteen fifty fill find fire first five for former formerly forty found four from
    front full further get give go had has hasnt have he hence her here hereafter hereby herein
    hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into
    is it its itself keep last latter latterly least less ltd made many may me meanwhile might
    mill mine more moreover most mostly move much must my myself name namely neither never
    nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once
    one only onto or other others otherwise our ours ourselves out over own part per perhaps
    please put rather re same see seem seemed seeming seems serious several she should show side
    since sincere six sixty so some somehow someone something sometime sometimes somewhere still
    such system take ten than that the their them themselves then thence there thereafter thereby
    therefore therein thereupon these they thick thin third this those though three through
    throughout thru thus to together too top toward towards twelve twenty two un under until up
    upon us very via was we well were what whatever when whence whenever where whereafter whereas
    whereby wherein whereupon wherever whether which while whither who whoever whole whom whose
    why will with within without would yet you your yours yourself yourselves
    """.split()
)


class Doc:
    __slots__ = ("name", "title", "text", "label", "topic", "date")

    def __init__(self, name: str, title: str, text: str, label: str, topic: str, date: datetime):
        self.name, self.title, self.text = name, title, text
        self.label, self.topic, self.date = label, topic, date


# --------------------------------------------------------------------------- data


def load_ecbplus(eval_dir: Path) -> list[Doc]:
    docs = []
    with open(eval_dir / "ecbplus-dev" / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            lines = [x for x in d["text"].split("\n") if x.strip()]
            if lines and lines[0].startswith("http"):
                lines.pop(0)
            name = d["doc"].removesuffix(".xml")
            docs.append(
                Doc(name, lines[0], "\n\n".join(lines[1:]), d["cluster"], str(d["topic"]), DATE)
            )
    return docs


def load_bbc() -> list[Doc]:
    start = datetime(2005, 1, 1, tzinfo=timezone.utc)
    return [
        Doc(f"bbc{i}", title, "\n\n".join(paras), section, section, start + timedelta(hours=7 * i))
        for i, (section, title, paras) in enumerate(bbc_articles())
    ]


# --------------------------------------------------------------------------- digest


def digest_site(docs: Sequence[Doc], dest: Path) -> collect.Collected:
    """The docs written as a digest site and read back by digest's own collect step."""
    content = dest / "content"
    content.mkdir(parents=True)
    for d in docs:
        head = f"---\ntitle: {json.dumps(d.title)}\ndate: {d.date:%Y-%m-%dT%H:%M:%S}Z\n---\n\n"
        (content / f"{d.name}.md").write_text(head + d.text + "\n", encoding="utf-8")
    problems = Problems()
    site = collect.collect(
        ContentConfig(dir=content, root=dest), SummaryConfig(), cache.Cache(None), problems, jobs=1
    )
    assert len(site.items) == len(docs), problems
    return site


def digest_groups(
    site: collect.Collected, cfg: StoriesConfig, related_cfg: RelatedConfig | None = None
) -> list[str]:
    """digest's story of each article (by slug), as digest build computes it."""
    rcfg = related_cfg or RelatedConfig()
    links = related.site_links(
        site.articles,
        [it.terms for it in site.items],
        [it.key for it in site.items],
        rcfg,
        cache.Cache(None),
        1,
        wide=stories.NEIGHBOURS if cfg.enabled else 0,
    )
    groups = stories.group(site, links.neighbours, cfg)
    story = {}
    for g in groups:
        for r in g:
            story[site.items[r].article.slug] = f"s{g[0]}"
    return [story[site.items[r].article.slug] for r in range(len(site.items))]


# --------------------------------------------------------------------------- baseline

_WORD = re.compile(r"\b\w\w+\b")


def tfidf_avg_link(docs: Sequence[Doc], distance: float = 0.85) -> list[str]:
    """TfidfVectorizer(stop_words="english", sublinear_tf=True) + average-link at ``distance``."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, d in enumerate(docs):
        c = Counter(
            w for w in _WORD.findall((d.title + "\n" + d.text).lower()) if w not in SKLEARN_STOP
        )
        for w, k in c.items():
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
            vals.append(1.0 + np.log(k))
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))
    df = np.bincount(x.indices, minlength=len(vocab))
    idf = np.log((1 + len(docs)) / (1 + df)) + 1
    x = x @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    x = sparse.diags(1 / np.maximum(norms, 1e-12)) @ x
    dist = np.clip(pdist(x.toarray(), "cosine"), 0, 2)
    labels = hierarchy.fcluster(hierarchy.linkage(dist, "average"), distance, "distance")
    return [f"b{k}" for k in labels]


# --------------------------------------------------------------------------- metric


def bcubed(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed (precision, recall, F1) of predicted groups against gold ones."""
    pair = Counter(zip(pred, gold, strict=True))
    np_, ng = Counter(pred), Counter(gold)
    p = sum(pair[(a, b)] / np_[a] for a, b in zip(pred, gold, strict=True)) / len(pred)
    r = sum(pair[(a, b)] / ng[b] for a, b in zip(pred, gold, strict=True)) / len(pred)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def halves(docs: Sequence[Doc]) -> dict[str, list[int]]:
    topics = sorted({d.topic for d in docs}, key=int)
    tune = set(topics[0::2])
    return {
        "tune": [i for i, d in enumerate(docs) if d.topic in tune],
        "check": [i for i, d in enumerate(docs) if d.topic not in tune],
        "all": list(range(len(docs))),
    }


def ecb_table(docs: list[Doc], cfg: StoriesConfig, tmp: Path) -> None:
    """B-cubed on each half, each method grouping only that half's articles."""
    parts = halves(docs)
    print("\n## ECB+ dev: B-cubed against the story clusters\n")
    print(
        f"digest: threshold {cfg.threshold}, window_days {cfg.window_days}, entity weight "
        f"{stories.grouping.ENTITY_WEIGHT}, conflict weight {stories.grouping.CONFLICT_WEIGHT}, "
        f"groups at most {stories.grouping.MAX_GROUP}; "
        "all on one date.\n"
    )
    print("| method | topics | articles | precision | recall | F1 |")
    print("|---|---|---|---|---|---|")
    for part, idx in parts.items():
        sub = [docs[i] for i in idx]
        gold = [d.label for d in sub]
        site = digest_site(sub, tmp / f"ecb-{part}")
        by_name = {d.name: d for d in sub}
        order = [by_name[it.article.slug] for it in site.items]
        gold_site = [d.label for d in order]
        ntop = len({d.topic for d in sub})
        rows = {
            "tf-idf+avg 0.85": bcubed(tfidf_avg_link(sub), gold),
            "one group per topic": bcubed([d.topic for d in sub], gold),
            "digest": bcubed(digest_groups(site, cfg), gold_site),
        }
        weight, conflict = stories.grouping.ENTITY_WEIGHT, stories.grouping.CONFLICT_WEIGHT
        try:  # the previous methods, for comparison: no conflict; the related cosine alone
            stories.grouping.CONFLICT_WEIGHT = 0.0
            rows["digest, no conflict"] = bcubed(digest_groups(site, cfg), gold_site)
            stories.grouping.ENTITY_WEIGHT = 0.0
            rows["digest, cosine only (before)"] = bcubed(digest_groups(site, cfg), gold_site)
        finally:
            stories.grouping.ENTITY_WEIGHT = weight
            stories.grouping.CONFLICT_WEIGHT = conflict
        for name, (p, r, f) in rows.items():
            print(f"| {name} | {part} ({ntop}) | {len(sub)} | {p:.3f} | {r:.3f} | {f:.3f} |")


def bbc_table(docs: list[Doc], cfg: StoriesConfig, tmp: Path) -> None:
    print(f"\n## BBC ({len(docs)} articles): false merges (groups mixing categories)\n")
    print("| dates | groups | multi-article groups | mixing categories | share | grouped |")
    print("|---|---|---|---|---|---|")
    sizes_of = {}
    for how, ds in (
        ("7 h apart", docs),
        ("all one date", [replace_date(d, DATE) for d in docs]),
    ):
        site = digest_site(ds, tmp / f"bbc-{how.replace(' ', '-')}")
        by_name = {d.name: d for d in ds}
        cats = [by_name[it.article.slug].label for it in site.items]
        members: dict[str, list[int]] = {}
        for r, s in enumerate(digest_groups(site, cfg)):
            members.setdefault(s, []).append(r)
        multi = [g for g in members.values() if len(g) > 1]
        mixed = [g for g in multi if len({cats[r] for r in g}) > 1]
        share = len(mixed) / len(multi) if multi else 0.0
        grouped = sum(len(g) for g in multi)
        print(f"| {how} | {len(members)} | {len(multi)} | {len(mixed)} | {share:.3f} | {grouped} |")
        sizes_of[how] = Counter(len(g) for g in members.values())
    for how, sizes in sizes_of.items():
        print(f"\nGroup sizes ({how}): " + ", ".join(f"{k}: {v}" for k, v in sorted(sizes.items())))


def replace_date(d: Doc, date: datetime) -> Doc:
    return Doc(d.name, d.title, d.text, d.label, d.topic, date)


_MONTHS = "January February March April May June July August September October November December"
_DATELINE = re.compile(r"^(?:\w+ , )?(" + "|".join(_MONTHS.split()) + r") (\d{1,2}) , (\d{4})")


def date_gaps(eval_dir: Path) -> None:
    """How far apart in days are two articles of one story?  ECB+ has no date field, but
    some ecbplus articles carry a date line ("May 03 , 2013") under the headline."""
    months = _MONTHS.split()
    dated: dict[str, list[datetime]] = {}
    with open(eval_dir / "ecbplus-dev" / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            for x in [x.strip() for x in d["text"].split("\n") if x.strip()][1:5]:
                m = _DATELINE.search(x)
                if m:
                    day = datetime(int(m[3]), months.index(m[1]) + 1, int(m[2]))
                    dated.setdefault(d["cluster"], []).append(day)
                    break
    gaps = [
        abs((a - b).days)
        for days in dated.values()
        for i, a in enumerate(days)
        for b in days[i + 1 :]
    ]
    n_docs = sum(len(v) for v in dated.values())
    print("\n## Days between two articles of one story (ECB+ articles with a date line)\n")
    print(f"{n_docs} dated articles in {len(dated)} stories, {len(gaps)} pairs.\n")
    print("| window_days | 0 | 1 | 2 | 3 | 5 | 7 | 14 | 30 | 365 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    shares = [sum(g <= w for g in gaps) / len(gaps) for w in (0, 1, 2, 3, 5, 7, 14, 30, 365)]
    print("| pairs within | " + " | ".join(f"{x:.2f}" for x in shares) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--window-days", type=int, default=None)
    ap.add_argument("--no-bbc", action="store_true")
    args = ap.parse_args()
    cfg = StoriesConfig()
    if args.threshold is not None:
        cfg = replace(cfg, threshold=args.threshold)
    if args.window_days is not None:
        cfg = replace(cfg, window_days=args.window_days)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        ecb_table(load_ecbplus(args.eval_dir), cfg, tmp)
        date_gaps(args.eval_dir)
        if not args.no_bbc:
            bbc_table(load_bbc(), cfg, tmp)


if __name__ == "__main__":
    main()
