"""Quality benchmark of the ``clean`` stage: are the kept body paragraphs the article's?

Run from the repository root::

    /work/venv/bin/python bench/clean_quality.py

Prints line-level (paragraph-level) precision and recall of kept body paragraphs against the
labelled fixtures:

* ``tests/fixtures/scraped/*.txt`` through :func:`digest.clean.clean_scraped_text`;
* ``tests/fixtures/html/*.html`` per extractor -- trafilatura (default and
  ``favor_precision``), readability-lxml and jusText (each raw, when installed) -- and
  through :func:`digest.clean.clean_html_page` (trafilatura plus digest's clutter filter);
* ``../shared/samples/scraped-article.txt`` when it exists (override with ``--sample``),
  checked against its known title, standfirst, sections and credit.

Paragraphs are compared after collapsing whitespace. Precision = kept paragraphs that are
expected / kept; recall = expected paragraphs kept / expected; both micro-averaged over the
set, and "files perfect" counts files with precision = recall = 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.clean import clean_html_page, clean_scraped_text  # noqa: E402
from digest.clean.html import extract_paragraphs  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT.parent / "shared" / "samples" / "scraped-article.txt"
SAMPLE_EXPECTED = {
    "title": "Taliban confirms talks with US envoy Zalmay Khalilzad in Qatar",
    "sections": ("Asia Pacific", "Peace", "War"),
    "credit": "With reporting from AFP",
}
# Lines of the sample that must not be kept (teaser and navigation).
SAMPLE_CLUTTER = (
    "Afghanistan peace process must tackle Taliban discontent and the allure of ISIS",
    "Related Articles",
    "Back to top button",
    "With reporting from AFP",
    "Asia PacificPeaceWar",
)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Score:
    def __init__(self) -> None:
        self.kept = self.right = self.expected = self.found = self.files = self.perfect = 0
        self.seconds = 0.0
        self.worst: list[str] = []

    def add(self, name: str, got: list[str], want: list[str]) -> None:
        g, w = [norm(x) for x in got], {norm(x) for x in want}
        right = sum(1 for x in g if x in w)
        found = len(w & set(g))
        self.kept += len(g)
        self.right += right
        self.expected += len(w)
        self.found += found
        self.files += 1
        if right == len(g) and found == len(w):
            self.perfect += 1
        else:
            self.worst.append(f"{name} (kept {len(g)}, right {right}, expected {len(w)})")

    def row(self, label: str) -> str:
        p = self.right / self.kept if self.kept else 1.0
        r = self.found / self.expected if self.expected else 1.0
        ms = 1000 * self.seconds / max(self.files, 1)
        return (
            f"| {label} | {p:.3f} | {r:.3f} | {self.perfect}/{self.files} | "
            f"{self.kept} | {ms:.1f} |"
        )


HEADER = (
    "| set / extractor | precision | recall | files perfect | kept | ms/file |\n"
    + "| --- | --- | --- | --- | --- | --- |"
)


def txt_set() -> Score:
    score = Score()
    for f in sorted((FIXTURES / "scraped").glob("*.txt")):
        exp = json.loads(f.with_suffix(".expected.json").read_text(encoding="utf-8"))
        text = f.read_bytes().decode("utf-8")
        t0 = time.perf_counter()
        got = clean_scraped_text(text)
        score.seconds += time.perf_counter() - t0
        score.add(f.name, list(got.paragraphs), exp["paragraphs"])
    return score


def html_set(extractor: str) -> Score:
    score = Score()
    for f in sorted((FIXTURES / "html").glob("*.html")):
        exp = json.loads(f.with_suffix(".expected.json").read_text(encoding="utf-8"))
        html = f.read_text(encoding="utf-8")
        t0 = time.perf_counter()
        if extractor == "digest":
            got = list(clean_html_page(html).paragraphs)
        else:
            got = extract_paragraphs(html, extractor)
        score.seconds += time.perf_counter() - t0
        score.add(f.name, got, exp["paragraphs"])
    return score


def sample(path: Path) -> str:
    if not path.exists():
        return f"(sample {path} not found: skipped)"
    c = clean_scraped_text(path.read_text(encoding="utf-8"))
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    clutter = set(SAMPLE_CLUTTER)
    # Expected body: every line that is not the breadcrumb, title, standfirst or clutter.
    standfirst = lines[2] if len(lines) > 2 else None
    want = [ln for ln in lines if ln not in clutter and ln not in (lines[1], standfirst)]
    s = Score()
    s.add(path.name, list(c.paragraphs), want)
    checks = [
        ("title", c.title == SAMPLE_EXPECTED["title"]),
        ("description = standfirst", c.description == standfirst),
        ("sections", c.sections == SAMPLE_EXPECTED["sections"]),
        ("credit", c.credit == SAMPLE_EXPECTED["credit"]),
        ("no teaser/navigation kept", not clutter & set(c.paragraphs)),
    ]
    out = [HEADER, s.row(path.name), ""]
    out += [f"- {name}: {'ok' if ok else 'WRONG'}" for name, ok in checks]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("-v", "--verbose", action="store_true", help="list imperfect files")
    args = ap.parse_args(argv)

    print("## Scraped plain text (tests/fixtures/scraped)\n")
    print(HEADER)
    s = txt_set()
    print(s.row("clean_scraped_text"))
    if args.verbose and s.worst:
        print("\n".join("  - " + w for w in s.worst))

    print("\n## Saved HTML pages (tests/fixtures/html)\n")
    print(HEADER)
    for extractor in (
        "trafilatura",
        "trafilatura-precision",
        "readability",
        "justext",
        "justext-short",
        "digest",
    ):
        label = "clean_html_page (trafilatura + filter)" if extractor == "digest" else extractor
        try:
            s = html_set(extractor)
        except ImportError as exc:
            print(f"| {label} | not installed ({exc.name}) | | | | |")
            continue
        print(s.row(label))
        if args.verbose and s.worst:
            print("\n".join("  - " + w for w in s.worst))

    print("\n## Sample article\n")
    print(sample(args.sample))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
