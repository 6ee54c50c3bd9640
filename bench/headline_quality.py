"""How often the plain-text cleaner picks the page's real headline (dev set).

Run from the repository root::

    /work/venv/bin/python bench/headline_quality.py [--half dev|check|all] [--show N]

The reference headline of each page of ``../shared/eval/extraction-dev`` is taken from its
HTML (the ``og:title``, else the first ``<h1>``, else ``<title>``); the reference line of
the page's "saved as text" form is the line most similar to it (word overlap), when one is
similar enough.  Prints how often the rules' headline is that line, and lists misses.
"""

from __future__ import annotations

import argparse
import pickle
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from clean_quality import DEV, dev_pages, saved_as_text  # noqa: E402

from digest.clean.scraped import common_lines, line_facts  # noqa: E402


def reference_title(html: str) -> str | None:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"))
    except Exception:
        return None
    for xp in ('//meta[@property="og:title"]/@content', "//h1", "//title"):
        for hit in root.xpath(xp):
            text = hit if isinstance(hit, str) else hit.text_content()
            text = " ".join(text.split())
            if len(text.split()) >= 2:
                return text
    return None


def words(s: str) -> set[str]:
    return {w for w in re.findall(r"\w+", s.lower()) if len(w) > 2 or not w.isascii()}


def reference_line(lines: list[str], ref: str) -> int | None:
    rw = words(ref)
    if not rw:
        return None
    best, best_s = None, 0.0
    for i, ln in enumerate(lines):
        if len(ln) > 2 * len(ref) + 20:
            continue
        lw = words(ln)
        if not lw:
            continue
        s = len(rw & lw) / max(len(lw), 1) * len(rw & lw) / len(rw)
        if s > best_s:
            best, best_s = i, s
    return best if best_s >= 0.5 else None


def load(cache: Path) -> list[tuple[str, str, str | None]]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    out = [(n, saved_as_text(h), reference_title(h)) for n, h, _, _ in dev_pages(DEV)]
    cache.write_bytes(pickle.dumps(out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", default="dev", choices=("dev", "check", "all"))
    ap.add_argument("--show", type=int, default=30)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/digest-headline-cache.pkl"))
    args = ap.parse_args()
    pages = load(args.cache)
    common = common_lines(t for _, t, _ in pages)
    right = known = none = 0
    misses = []
    for k, (name, text, ref) in enumerate(pages):
        if args.half == "dev" and k % 2 or args.half == "check" and not k % 2:
            continue
        facts, _, title_at, _ = line_facts(text, common)
        lines = [f.text for f in facts]
        at = reference_line(lines, ref) if ref else None
        if at is None:
            continue
        known += 1
        if title_at is not None and (title_at == at or lines[title_at] == lines[at]):
            right += 1
        else:
            none += title_at is None
            got = lines[title_at] if title_at is not None else None
            misses.append(f"{name}: want {lines[at][:70]!r} got {got and got[:70]!r}")
    print(f"{args.half}: headline right {right}/{known} ({right / max(known, 1):.3f}); none {none}")
    for m in misses[: args.show]:
        print(" ", m)


if __name__ == "__main__":
    main()
