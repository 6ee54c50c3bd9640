"""Corpus maker for benchmarks: N articles as a digest site.

From ``../shared/eval/bbc`` when present (the 2,127 unique BBC articles:
title = line 1, section = category, one date each); past that count, or
without the data, synthetic articles built from a fixed vocabulary (or by
recombining BBC paragraphs) with a fixed seed, so every run gets the same
corpus.

    python bench/corpus.py OUT_DIR --n 2000 [--synthetic]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BBC = REPO.parent / "shared" / "eval" / "bbc" / "articles"
SECTIONS = ("business", "entertainment", "politics", "sport", "tech")


def bbc_articles() -> list[tuple[str, str, list[str]]]:
    """(section, title, paragraphs) of the unique BBC articles, in a fixed order."""
    if not BBC.is_dir():
        return []
    seen: set[str] = set()
    out = []
    for section in SECTIONS:
        for f in sorted((BBC / section).glob("*.txt")):
            raw = f.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            digest = hashlib.sha1(text.encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            if len(lines) < 2:
                continue
            out.append((section, lines[0], lines[1:]))
    return out


_WORDS = None


def _vocab(rng: random.Random) -> list[str]:
    global _WORDS
    if _WORDS is None:
        syll = [
            "ka",
            "lo",
            "mi",
            "ten",
            "ra",
            "vo",
            "sel",
            "dun",
            "par",
            "ith",
            "or",
            "bel",
            "gar",
            "nu",
            "fi",
            "te",
            "sha",
            "com",
            "ver",
            "lin",
        ]
        words = set()
        r = random.Random(7)
        while len(words) < 6000:
            words.add("".join(r.choice(syll) for _ in range(r.randint(1, 4))))
        _WORDS = sorted(words)
    return _WORDS


def synthetic_article(i: int) -> tuple[str, str, list[str]]:
    rng = random.Random(i)
    vocab = _vocab(rng)
    topic = rng.randrange(200)
    topic_words = [vocab[(topic * 29 + k) % len(vocab)] for k in range(25)]

    def sentence() -> str:
        n = rng.randint(8, 28)
        words = [
            rng.choice(topic_words)
            if rng.random() < 0.3
            else vocab[min(int(rng.paretovariate(1.1)), len(vocab) - 1)]
            for _ in range(n)
        ]
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])

    paragraphs = [
        " ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(4, 14))
    ]
    title = " ".join(rng.choice(topic_words) for _ in range(6)).capitalize()
    return SECTIONS[topic % len(SECTIONS)], title, paragraphs


def articles(n: int, synthetic: bool = False) -> list[tuple[str, str, list[str]]]:
    base = [] if synthetic else bbc_articles()
    out = base[:n]
    i = 0
    while len(out) < n:
        if base:  # recombine real paragraphs into new articles, deterministically
            rng = random.Random(i)
            a, b = rng.choice(base), rng.choice(base)
            paras = a[2][: len(a[2]) // 2 + 1] + b[2][len(b[2]) // 2 :]
            out.append((a[0], f"{a[1]} ({i})", paras))
        else:
            out.append(synthetic_article(i))
        i += 1
    return out


def write_corpus(dest: Path, n: int, synthetic: bool = False, fmt: str = "digest") -> Path:
    """Write N articles under dest (a digest site, or a Pelican/Hugo content tree)."""
    if dest.exists():
        shutil.rmtree(dest)
    start = datetime(2005, 1, 1)
    for i, (section, title, paragraphs) in enumerate(articles(n, synthetic)):
        date = start + timedelta(hours=7 * i)
        slug = f"a{i:06d}"
        body = "\n\n".join(paragraphs) + "\n"
        if fmt == "pelican":
            path = dest / "content" / section / f"{slug}.md"
            head = (
                f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nCategory: {section}\n"
                f"Slug: {slug}\n\n"
            )
        else:
            path = dest / "content" / section / f"{date:%Y-%m-%d}-{slug}.md"
            head = (
                f"---\ntitle: {json.dumps(title)}\ndate: {date:%Y-%m-%dT%H:%M:%S}Z\n"
                f"slug: {slug}\n---\n"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(head + body, encoding="utf-8")
    if fmt == "digest":
        (dest / "site.yaml").write_text(
            'title: "Benchmark"\nbase_url: "https://example.org/"\npagination:\n  size: 20\n'
        )
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--n", type=int, default=2127)
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--format", choices=("digest", "pelican", "hugo"), default="digest")
    args = ap.parse_args()
    write_corpus(args.dest, args.n, args.synthetic, args.format)
    print(f"wrote {args.n} articles to {args.dest}")


if __name__ == "__main__":
    main()
