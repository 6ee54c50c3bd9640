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

With ``--dev`` (default: ``../shared/eval/extraction-dev`` when it exists) it also prints, in
one run, the development-set figures (the set's own rule: per page, ``with`` passages found
are true positives, missing ones false negatives, ``without`` passages found false positives;
summed over pages) for

* the HTML route (:func:`digest.clean.clean_html_page`: what the article page shows, its
  title, standfirst and body as rendered);
* the text route: each page "saved as text" by :func:`saved_as_text` (all visible text, one
  block element a line, navigation and footers included) through
  :func:`digest.clean.clean_scraped_text` (title, standfirst and kept lines), alone and with
  the folder's line table (all dev pages taken as one folder, as digest's collect step does);
* trafilatura alone (``extract(html)``, defaults) and "lines of 10+ words" of the text form;

on the dev half (even places of the pages sorted by file name: methods are developed on
it), the check half (odd places) and all pages, with the time per page of each route and
the five worst dev-half pages of each route (what was
missed, what was kept that should not have been, and the cleaner's verdict on those lines).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# ----------------------------------------------------------------- the development set

DEV = ROOT.parent / "shared" / "eval" / "extraction-dev"

# Elements whose text starts and ends a line when a browser saves a page as text.
_BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frame h1 h2 h3 h4 h5 h6 header hgroup hr html li "
    "main menu nav noframes ol p pre section summary table tbody td tfoot th thead tr ul "
    "legend option select textarea button label iframe".split()
)
_INVISIBLE = frozenset("script style noscript template head svg math object embed".split())


def saved_as_text(html: str) -> str:
    """A page as a browser saves it as plain text: all visible text (no scripts, styles,
    ``<head>`` or hidden elements), one block element a line, ``<br>`` a line break, table
    cells of a row on one line; navigation, menus and footers included."""
    import lxml.html

    # The page is already decoded (as digest reads it): parse its UTF-8 bytes as UTF-8, not
    # by the page's own <meta charset>, which may disagree and would garble the text.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except Exception:
        return ""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def hidden(el: object) -> bool:
        get = el.get  # type: ignore[attr-defined]
        style = (get("style") or "").replace(" ", "").lower()
        return get("hidden") is not None or "display:none" in style or get("aria-hidden") == "true"

    def walk(el: object) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""  # type: ignore[attr-defined]
        tag = tag.lower()
        if tag in _INVISIBLE or not tag or hidden(el):
            return
        if tag == "br":
            flush()
        elif tag in ("td", "th"):
            current.append(" ")
        elif tag in _BLOCKS:
            flush()
        if tag != "br" and el.text:  # type: ignore[attr-defined]
            current.append(el.text)  # type: ignore[attr-defined]
        for child in el:  # type: ignore[attr-defined]
            walk(child)
            if child.tail:
                current.append(child.tail)
        if tag in _BLOCKS:
            flush()

    walk(root)
    flush()
    return "\n".join(lines) + "\n"


def dev_pages(folder: Path) -> list[tuple[str, str, list[str], list[str]]]:
    """(file name, page HTML, with, without) for each dev page, decoded as digest reads."""
    from digest.errors import ContentError
    from digest.load.decode import decode

    ann = json.loads((folder / "annotations.json").read_text(encoding="utf-8"))
    out = []
    for entry in ann.values():
        data = gzip.decompress((folder / "pages" / entry["file"]).read_bytes())
        try:
            html, _ = decode(data, entry["file"])
        except ContentError:
            html = data.decode("utf-8", "replace")
        out.append((entry["file"], html, entry["with"], entry["without"]))
    return sorted(out, key=lambda page: page[0])


class DevScore:
    """The dev set's rule, summed over pages; each page's misses kept for the worst list."""

    def __init__(self) -> None:
        self.tp = self.fn = self.fp = 0
        self.seconds = 0.0
        self.pages: list[tuple[int, str, list[str], list[str], str]] = []

    def add(
        self,
        name: str,
        text: str,
        want: list[str],
        avoid: list[str],
        note: str = "",
        why: Callable[[str], str] | None = None,
    ) -> None:
        flat = norm(text)
        missed = [w for w in want if norm(w) not in flat]
        kept = [w for w in avoid if norm(w) in flat]
        if why is not None:
            missed = [f"{_clip(w)} ({why(w)})" for w in missed]
            kept = [f"{_clip(w)} ({why(w)})" for w in kept]
        else:
            missed = [_clip(w) for w in missed]
            kept = [_clip(w) for w in kept]
        self.tp += len(want) - len(missed)
        self.fn += len(missed)
        self.fp += len(kept)
        self.pages.append((len(missed) + len(kept), name, missed, kept, note))

    def row(self, label: str, per_page: bool = True) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        ms = f"{1000 * self.seconds / max(len(self.pages), 1):.1f}" if per_page else ""
        return f"| {label} | {p:.3f} | {r:.3f} | {f:.3f} | {ms} |"

    def worst(self, n: int = 5) -> list[str]:
        out = []
        for errors, name, missed, kept, note in sorted(self.pages, key=lambda x: -x[0])[:n]:
            out.append(f"- {name}: {errors} error(s); {note}")
            for w in missed[:3]:
                out.append(f"  - missed {w}")
            for w in kept[:3]:
                out.append(f"  - kept {w}")
        return out


def _clip(text: str) -> str:
    return repr(text if len(text) <= 70 else text[:67] + "...")


def _text_verdicts(text: str, report: tuple[str, ...]) -> Callable[[str], str]:
    """For a passage: the text cleaner's verdict on the line holding it."""
    lines = text.splitlines()
    said: dict[int, str] = {}
    for r in report:
        head, _, msg = r.partition(": ")
        if head.startswith("line ") and head[5:].isdigit():
            said.setdefault(int(head[5:]), msg.split(": '")[0])

    def why(passage: str) -> str:
        p = norm(passage)
        for no, ln in enumerate(lines, 1):
            if p in norm(ln):
                return f"line {no}: {said.get(no, 'kept as body')}"
        return "spans lines of the text form"

    return why


def _html_verdicts(html: str, report: tuple[str, ...]) -> Callable[[str], str]:
    """For a passage: whether trafilatura's blocks held it, and digest's verdict if dropped."""
    from digest.clean.html import _blocks, _trafilatura_xml

    doc = _trafilatura_xml(html)
    blocks = _blocks(doc) if doc is not None else []
    dropped = {r.split(":")[0]: r.partition(": ")[2] for r in report if r.startswith("block ")}

    def why(passage: str) -> str:
        p = norm(passage)
        for i, b in enumerate(blocks, 1):
            if p in norm(b.text):
                return dropped.get(f"block {i}", f"kept in a {b.kind} block")[:60]
        return "not in trafilatura's main text"

    return why


DEV_HEADER = "| route | precision | recall | F1 | ms/page |\n" + "| --- | --- | --- | --- | --- |"


def _text_of(c: object) -> str:
    """What the article page shows of a cleaned page: title, standfirst and the body."""
    from digest.htmltext import collapse

    body = getattr(c, "body_html", None)
    if body:
        body = re.sub(r"<[^>]+>", " ", body)
        import html as _html

        body = _html.unescape(body)
    else:
        body = "\n".join(getattr(c, "paragraphs", ()))
    return collapse(
        " ".join(x for x in (getattr(c, "title", None), getattr(c, "description", None), body) if x)
    )


class Split:
    """One route's scores on the dev half (even places of the pages sorted by file name:
    the half methods are developed on), the check half (odd places) and all pages."""

    NAMES = ("dev half", "check half", "all")

    def __init__(self) -> None:
        self.parts = {n: DevScore() for n in self.NAMES}

    def add(self, i: int, seconds: float, *args: Any, **kw: Any) -> None:
        for n in ("dev half" if i % 2 == 0 else "check half", "all"):
            self.parts[n].add(*args, **kw)
            self.parts[n].seconds += seconds


def dev_report(folder: Path) -> str:
    """The dev-set table (dev half, check half, all) and the five worst pages of each
    route.  Both digest routes are scored on what the article page shows: the title, the
    standfirst and the body."""
    import trafilatura

    from digest.clean.scraped import common_lines

    pages = dev_pages(folder)
    texts = [saved_as_text(html) for _, html, _, _ in pages]
    table = common_lines(texts)
    html_route, text_alone, text_folder = Split(), Split(), Split()
    alone, ten = Split(), Split()
    empty_text = 0
    for i, ((name, html, want, avoid), text) in enumerate(zip(pages, texts, strict=True)):
        t0 = time.perf_counter()
        c = clean_html_page(html)
        t = time.perf_counter() - t0
        why = _html_verdicts(html, c.report)
        html_route.add(i, t, name, _text_of(c), want, avoid, f"title {_clip(c.title or '')}", why)
        t0 = time.perf_counter()
        c = clean_scraped_text(text)
        text_alone.add(i, time.perf_counter() - t0, name, _text_of(c), want, avoid)
        t0 = time.perf_counter()
        c = clean_scraped_text(text, common=table)
        t = time.perf_counter() - t0
        if not c.paragraphs and any(norm(w) in norm(text) for w in want):
            empty_text += 1
        note = f"title {_clip(c.title or '')}"
        why = _text_verdicts(text, c.report)
        text_folder.add(i, t, name, _text_of(c), want, avoid, note, why)
        t0 = time.perf_counter()
        got = trafilatura.extract(html) or ""
        alone.add(i, time.perf_counter() - t0, name, got, want, avoid)
        t0 = time.perf_counter()
        long_lines = "\n".join(ln for ln in text.splitlines() if len(ln.split()) >= 10)
        ten.add(i, time.perf_counter() - t0, name, long_lines, want, avoid)
    out = [f"{len(pages)} pages from {folder}"]
    for part in Split.NAMES:
        out += ["", f"#### {part}", "", DEV_HEADER]
        out.append(html_route.parts[part].row("HTML route: clean_html_page"))
        out.append(alone.parts[part].row("trafilatura alone (extract, defaults)"))
        out.append(text_folder.parts[part].row("text route + folder line table"))
        out.append(text_alone.parts[part].row("text route, page alone"))
        out.append(ten.parts[part].row('text form: "lines of 10+ words"'))
    out.append("")
    out.append(f"text route: {empty_text} page(s) with an empty body where the text has one")
    note = json.loads((ROOT / "digest" / "clean" / "line_model.json").read_text())["note"]
    out.append(f"text route's line model: {note}")
    if "trained on all" in note:
        out.append(
            "(so the text-route rows above are in-sample on every half; the held-out estimate "
            "is the out-of-fold figure of `bench/train_lines.py --pages all --oof 5`)"
        )
    # The worst pages are listed from the dev half only: what is looked at gets tuned, and
    # the check half must stay unseen.
    out += ["", "### Five worst dev-half pages, HTML route", *html_route.parts["dev half"].worst()]
    worst = text_folder.parts["dev half"].worst()
    out += ["", "### Five worst dev-half pages, text route (with the folder table)", *worst]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("-v", "--verbose", action="store_true", help="list imperfect files")
    ap.add_argument("--dev", type=Path, default=DEV, help="the extraction dev set (or none)")
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

    print("\n## Development set (extraction-dev)\n")
    if args.dev and (args.dev / "annotations.json").exists():
        print(dev_report(args.dev))
    else:
        print(f"(dev set {args.dev} not found: skipped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
