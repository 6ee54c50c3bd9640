"""A learned second opinion on each line of a scraped page: article text or not?

The rule passes of :mod:`digest.clean.scraped` give every line a verdict (body, teaser,
menu, outside the article, ...).  Rules alone trade precision for recall one for one: an
ingredient list or an article broken into many short lines falls outside the densest run of
prose, while a teaser headline or a self-promotion paragraph inside it is kept.  Here each
line is described by generic numbers -- its own shape (words, characters, stop-word
density, punctuation, sentence end, digits, capitals, list marker), the same numbers of its
neighbours (two lines either side), its position against the article's run of prose and
the headline, what lies between it and that run (paragraphs or the site's furniture), the
segment of lines it sits in between pieces of furniture, the run of short lines it belongs
to (a list), whether the folder repeats it, how many of its words the article's other
lines use, how many kept lines follow it, the page's length, and the rule verdict -- and a
model
(boilerpipe / jusText / web2text style) turns them into a probability.  A second model
reads the first one's probabilities of the neighbours, so a line among article lines is
judged with them (context smoothing).

Only numbers ship (``line_model.json`` beside this module holds the weights); they are
trained by ``bench/train_lines.py`` on a set of 990 real pages (their out-of-fold score is
the estimate for pages it never saw), so the model knows no text of any page.  The runtime
is plain Python: a few hundred multiplications a line.
The same file holds the headline scorer (:func:`headline_model`, used by
:mod:`digest.clean.scraped` to choose the headline among its candidates).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from digest.boilerplate import has_date
from digest.clean.evidence import (
    content_words,
    ends_sentence,
    is_bullet,
    is_cjk,
    stop_words,
    words,
)

__all__ = [
    "LineFacts",
    "VERDICTS",
    "features",
    "probabilities",
    "FEATURE_NAMES",
    "headline_model",
    "stage_probability",
]

# The rule verdicts, grouped (see digest.clean.scraped._verdict_group).
VERDICTS = (
    "body",
    "heading",
    "item",
    "title",
    "standfirst",
    "metadata",
    "common",
    "clutter",
    "comment",
    "menu",
    "teaser",
    "related",
    "outside",
    "above",
    "short",
)
_PROSE = ("good", "near", "short", "bad")


@dataclass(frozen=True)
class LineFacts:
    """What the rule passes know of one non-blank line."""

    text: str
    verdict: str  # one of VERDICTS
    prose: str | None  # the Prose value ("good", ...); None when a rule decided it first


_LINKY = re.compile(r"[|»›>·•/]")
_DIGIT = re.compile(r"\d")
_UPPER_START = re.compile(r"^[^\W\d_]")


def _own(f: LineFacts, language: str | None) -> list[float]:
    """The line's own shape (the same numbers are read for its neighbours)."""
    text = f.text[:600]
    cjk = is_cjk(text)
    ws = words(text)
    n = len(ws) if not cjk else len(text) // 2
    sw = stop_words(language) if language else frozenset()
    density = (sum(1 for w in ws if w in sw) / len(ws)) if ws and sw else 0.0
    caps = sum(1 for w in text.split() if w[:1].isupper()) / max(len(text.split()), 1)
    digits = len(_DIGIT.findall(text)) / max(len(text), 1)
    punct = sum(1 for c in text if c in ",;") / max(n, 1)
    sentences = sum(text.count(c) for c in ".!?\u3002\uff01\uff1f") / max(n, 1)
    return [
        math.log1p(n),
        math.log1p(len(f.text)),
        1.0 if n >= 10 else 0.0,
        1.0 if n >= 25 else 0.0,
        density,
        1.0 if ends_sentence(text) else 0.0,
        1.0 if text.rstrip().endswith(":") else 0.0,
        caps,
        digits,
        min(punct, 1.0),
        min(sentences, 1.0),
        1.0 if is_bullet(text) else 0.0,
        1.0 if _LINKY.search(text[:200]) else 0.0,
        1.0 if cjk else 0.0,
        1.0 if text.isupper() else 0.0,
        1.0 if not _UPPER_START.match(text) else 0.0,
        1.0 if text.rstrip().endswith(("...", "\u2026")) else 0.0,
        1.0 if _ODD.search(text) else 0.0,
        1.0 if _CLOCK.search(text) else 0.0,
        1.0 if '"' in text or "\u201c" in text or "\u201e" in text or "\u00ab" in text else 0.0,
        1.0 if _LABEL_VALUE.search(text[:200]) else 0.0,
        1.0 if _CAPS_LABEL.match(text) else 0.0,
        1.0 if has_date(text) else 0.0,
        1.0 if ":" in text[:300] and _CREDIT_LABEL.search(text[:300]) else 0.0,
    ]


# "READ MORE: ...", "VEA TAMBIÉN: ...", "MIRA: ...": a link to another page.
_CAPS_LABEL = re.compile(r"^[^\W\d_a-z]{2,}(?:\s+[^\W\d_a-z]{2,}){0,2}\s*[:»>|]")
_LABEL_VALUE = re.compile(r"^[^:.!?]{1,40}:\s+\S")
_ODD = re.compile(r"[@\u00a9#]|https?:|www\.|\(\d+\)")
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
# "Foto: ...", "Quelle: dpa", "Źródło: PAP", "…TurniersBild: AFP": a picture's or a text's
# credit label.
_CREDIT_LABEL = re.compile(
    r"(?:foto|fotos|bild|bildquelle|quelle|source|fonte|fuente|źródło|zdjęcie|photo|photos"
    r"|crédit|credit|credits|image|imagen|copyright)\s?:",
    re.IGNORECASE,
)
_OWN_NAMES = (
    "log words",
    "log chars",
    "10+ words",
    "25+ words",
    "stop density",
    "sentence end",
    "colon end",
    "capitalised share",
    "digit share",
    "commas per word",
    "sentence ends per word",
    "bullet",
    "separator chars",
    "cjk",
    "all caps",
    "no letter first",
    "ellipsis end",
    "mail, url, (n) or copyright sign",
    "clock time",
    "quotation mark",
    "label: value",
    "capitals label",
    "date",
    "credit label",
)
_NEAR_NAMES = (
    "log words",
    "stop density",
    "sentence end",
    "kept by rules",
    "good prose",
    "title",
    "dropped by a pattern",
)
_OFFSETS = (-2, -1, 1, 2)


def _names() -> tuple[str, ...]:
    out = [*_OWN_NAMES]
    out += [f"verdict {v}" for v in VERDICTS]
    out += [f"prose {p}" for p in _PROSE] + ["prose none"]
    out += [
        "in article span",
        "log lines to span",
        "before span",
        "after span",
        "log lines from title",
        "below title",
        "good share in window",
        "kept share in window",
        "good share in wide window",
        "prose share above",
        "log lines to nearest good",
        "repeated on the page",
        "log lines on the page",
        "words shared with the article",
        "words shared with the headline",
        "log kept lines below",
        "log kept lines above",
        "last kept line",
        "position on the page",
        "log good lines to span",
        "log furniture lines to span",
        "log lines in segment",
        "good share in segment",
        "segment's share of prose",
        "segment overlaps span",
        "log run of short lines",
        "words shared with the furniture",
    ]
    for off in _OFFSETS:
        out += [f"line {off:+d} {name}" for name in _NEAR_NAMES]
        out.append(f"line {off:+d} missing")
    out.append("bias")
    return tuple(out)


FEATURE_NAMES = _names()
_KEPT = frozenset(("body", "heading", "item", "title", "standfirst"))
_TEXT = frozenset(("body", "title", "standfirst"))


def _stems(text: str, language: str | None) -> set[str]:
    """A line's content words cut to five letters ("planet", "planetary": one stem)."""
    found = content_words(text[:600], language)
    return found if is_cjk(text[:200]) else {w[:5] for w in found}


def features(
    facts: Sequence[LineFacts],
    span: tuple[int, int],
    title_at: int | None,
    language: str | None,
) -> list[list[float]]:
    """One row of :data:`FEATURE_NAMES` numbers per line (``span`` and ``title_at`` are
    indexes into ``facts``)."""
    own = [_own(f, language) for f in facts]
    kept = [1.0 if f.verdict in _KEPT else 0.0 for f in facts]
    good = [1.0 if f.prose == "good" else 0.0 for f in facts]
    total = len(facts)
    start, end = span
    # Prose mass above each line, distance to the nearest paragraph, repeats on the page.
    mass_of = [len(f.text) if f.prose == "good" else 0 for f in facts]
    above, run = [], 0
    for m in mass_of:
        above.append(run)
        run += m
    mass = run
    nearest, last = [0] * total, -1000
    for i in range(total):
        if good[i]:
            last = i
        nearest[i] = i - last
    last = 10**6
    for i in range(total - 1, -1, -1):
        if good[i]:
            last = i
        nearest[i] = min(nearest[i], last - i)
    seen: dict[str, int] = {}
    for f in facts:
        seen[f.text] = seen.get(f.text, 0) + 1
    # The article's vocabulary (word stems of the lines the rules kept as its text): a short
    # closing paragraph talks of what the article does, a site's sign-off does not.
    stems = [_stems(f.text, language) for f in facts]
    in_text = [f.verdict in _TEXT for f in facts]
    vocab: dict[str, int] = {}
    for i, st in enumerate(stems):
        if in_text[i]:
            for w in st:
                vocab[w] = vocab.get(w, 0) + 1
    headline = stems[title_at] if title_at is not None else set()
    # The site's own vocabulary (its name, "app", "newsletter"): words of the lines dropped
    # as furniture.  A paragraph promoting the site shares them, the article's rarely do.
    site: dict[str, int] = {}
    for i, st in enumerate(stems):
        if facts[i].verdict in _FURNITURE:
            for w in st:
                site[w] = site.get(w, 0) + 1
    kept_below, run_kept = [0] * total, 0
    for i in range(total - 1, -1, -1):
        kept_below[i] = run_kept
        run_kept += int(kept[i])
    # What lies between a line and the article's span: paragraphs (the article goes on) or
    # the site's furniture (menus, prompts, lines repeated across the folder: it has ended).
    furniture = [1 if f.verdict in _FURNITURE else 0 for f in facts]
    good_before, furn_before = _prefix(good), _prefix(furniture)
    # Segments: the runs of lines between pieces of furniture; an article is one segment or
    # a few, a teaser box or a footer another.
    seg_of, segments = _segments(furniture)
    seg_good = [sum(good[a:b]) for a, b in segments]
    seg_mass = [sum(mass_of[a:b]) for a, b in segments]
    # Runs of short lines without a sentence end: lists (ingredients, specifications).
    short = [1 if o[0] <= math.log1p(8) and not o[5] else 0 for o in own]
    short_run = _runs(short)
    rows = []
    for i, f in enumerate(facts):
        row = list(own[i])
        row += [1.0 if f.verdict == v else 0.0 for v in VERDICTS]
        row += [1.0 if f.prose == p else 0.0 for p in _PROSE]
        row.append(1.0 if f.prose is None else 0.0)
        inside = start <= i < end
        gap = 0 if inside else (start - i if i < start else i - end + 1)
        row += [
            1.0 if inside else 0.0,
            math.log1p(gap),
            1.0 if i < start else 0.0,
            1.0 if i >= end and end > 0 else 0.0,
        ]
        if title_at is None:
            row += [math.log1p(50), 0.0]  # far from any headline
        else:
            row += [math.log1p(abs(i - title_at)), 1.0 if i > title_at else 0.0]
        lo, hi = max(0, i - 3), min(total, i + 4)
        row.append(sum(good[lo:hi]) / (hi - lo))
        row.append(sum(kept[lo:hi]) / (hi - lo))
        lo, hi = max(0, i - 10), min(total, i + 11)
        row.append(sum(good[lo:hi]) / (hi - lo))
        row.append(above[i] / mass if mass else 0.0)
        row.append(math.log1p(min(nearest[i], 100)))
        row.append(1.0 if seen[f.text] > 1 else 0.0)
        st, own_part = stems[i], 1 if in_text[i] else 0
        shared = sum(1 for w in st if vocab.get(w, 0) - own_part > 0)
        row += [
            math.log1p(total),
            shared / len(st) if st else 0.0,
            len(st & headline) / len(st) if st and i != title_at else 0.0,
            math.log1p(kept_below[i]),
            math.log1p(run_kept - kept_below[i] - kept[i]),
            1.0 if kept[i] and kept_below[i] == 0 else 0.0,
        ]
        lo, hi = (i + 1, start) if i < start else (end, i) if i >= end else (i, i)
        a, b = segments[seg_of[i]]
        row += [
            i / total,
            math.log1p(good_before[hi] - good_before[lo]),
            math.log1p(furn_before[hi] - furn_before[lo]),
            math.log1p(b - a),
            seg_good[seg_of[i]] / (b - a),
            seg_mass[seg_of[i]] / mass if mass else 0.0,
            1.0 if a < end and b > start else 0.0,
            math.log1p(short_run[i]),
            sum(1 for w in st if site.get(w, 0) - furniture[i] > 0) / len(st) if st else 0.0,
        ]
        for off in _OFFSETS:
            j = i + off
            if 0 <= j < total:
                o = own[j]
                v = facts[j].verdict
                row += [o[0], o[4], o[5], kept[j], good[j], float(v == "title")]
                row += [float(v in ("clutter", "common", "metadata")), 0.0]
            else:
                row += [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
        row.append(1.0)
        rows.append(row)
    return rows


_FURNITURE = frozenset(("common", "clutter", "menu", "comment"))


def _prefix(flags: Sequence[float]) -> list[float]:
    """Running sums: ``out[j]`` is the sum of ``flags[:j]``."""
    out, run = [0.0], 0.0
    for x in flags:
        run += x
        out.append(run)
    return out


def _segments(furniture: Sequence[int]) -> tuple[list[int], list[tuple[int, int]]]:
    """Each line's segment and the segments ``(start, end)``: a line of furniture is a
    segment of its own, the lines between two of them one segment."""
    seg_of: list[int] = []
    segments: list[tuple[int, int]] = []
    for i, f in enumerate(furniture):
        if f or not segments or furniture[i - 1]:
            segments.append((i, i + 1))
        else:
            segments[-1] = (segments[-1][0], i + 1)
        seg_of.append(len(segments) - 1)
    return seg_of, segments


def _runs(flags: Sequence[int]) -> list[int]:
    """For each line, the length of the run of set flags it belongs to (0 when unset)."""
    out = [0] * len(flags)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        for k in range(i, j):
            out[k] = j - i
        i = j
    return out


def context(first: Sequence[float]) -> list[list[float]]:
    """The second model's extra inputs from the first model's probabilities: the line's own
    log-odds, its neighbours' probabilities (two either side) and the window's mean."""
    total = len(first)
    rows = []
    for i, p in enumerate(first):
        row = [_logit(p)]
        for off in _OFFSETS:
            j = i + off
            row.append(first[j] if 0 <= j < total else 0.0)
        lo, hi = max(0, i - 5), min(total, i + 6)
        row.append(sum(first[lo:hi]) / (hi - lo))
        lo, hi = max(0, i - 15), min(total, i + 16)
        row.append(sum(first[lo:hi]) / (hi - lo))
        row.append(max(first[max(0, i - 4) : i], default=0.0))
        row.append(max(first[i + 1 : i + 5], default=0.0))
        rows.append(row)
    return rows


CONTEXT_NAMES = (
    "first logit",
    "p -2",
    "p -1",
    "p +1",
    "p +2",
    "mean p window",
    "mean p wide window",
    "max p of 4 above",
    "max p of 4 below",
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def stage_probability(model: dict[str, Any], row: list[float]) -> float:
    """One model's probability for one row: a logistic model on standardised numbers, or
    boosted trees of fixed depth (each node: feature index, threshold; then the leaves)."""
    if model["kind"] == "linear":
        z = 0.0
        for w, m, s, x in zip(model["weights"], model["mean"], model["scale"], row, strict=True):
            z += w * (x - m) / s
        return _sigmoid(z)
    z = model["base"]
    depth = model["depth"]
    first_leaf = 2**depth - 1
    for feats, thresholds, leaves in model["trees"]:
        node = 0
        for _ in range(depth):
            node = 2 * node + (2 if row[feats[node]] > thresholds[node] else 1)
        z += leaves[node - first_leaf]
    return _sigmoid(z)


@cache
def _stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (Path(__file__).parent / "line_model.json").read_text(encoding="utf-8")
    )
    return data


@cache
def model() -> dict[str, Any]:
    """The trained model (``line_model.json`` beside this module)."""
    data = _stored()
    if list(data["features"]) != list(FEATURE_NAMES):  # pragma: no cover - a stale file
        raise RuntimeError("line_model.json does not match the features; run bench/train_lines.py")
    return data


@cache
def headline_model(names: tuple[str, ...]) -> dict[str, Any] | None:
    """The headline scorer stored with the line model (boosted trees over the features
    ``names`` of each headline candidate), or None when there is none for these features
    (the rules then choose the headline)."""
    data = _stored()
    if list(data.get("headline_features", ())) != list(names):
        return None
    found: dict[str, Any] | None = data.get("headline")
    return found


def probabilities(
    facts: Sequence[LineFacts],
    span: tuple[int, int],
    title_at: int | None,
    language: str | None,
) -> list[float]:
    """The probability that each line is article text (both models applied)."""
    m = model()
    rows = features(facts, span, title_at, language)
    first = [stage_probability(m["first"], r) for r in rows]
    return [
        stage_probability(m["second"], r + c) for r, c in zip(rows, context(first), strict=True)
    ]
