"""The ``news`` summarizer: extractive, unsupervised, offline, tuned for news articles.

Draft under measurement; see bench/quality.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__ = ["default_count", "rank_news", "usable_sentence"]

P = {
    "fwd": 1.0,  # weight of edges to later sentences (PacSum directed centrality)
    "bwd": 0.0,  # weight of edges to earlier sentences
    "beta": 0.0,  # edge threshold, share of the (max - min) similarity range
    "pos_tau": 0.0,  # position prior 1/(1 + i/tau); 0 = off
    "mix": 1.0,  # weight of centrality vs position prior
    "mmr": 0.0,
    "dep": 1.0,  # multiplier for dependent sentences
    "title": 0.0,
    "minlen": 0,
    "minwords": 4,
    "caption": 1,
    "label": 1,
}

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-])*")

_LANGS = {"en": "english", "eng": "english"}


def _language(language: str) -> str:
    lang = (language or "english").lower().replace("_", "-").split("-")[0]
    return _LANGS.get(lang, lang)


@lru_cache(maxsize=8)
def _stemmer_and_stops(language: str):
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    try:
        stemmer = Stemmer(language)
    except LookupError:
        from sumy.nlp.stemmers import null_stemmer

        stemmer = null_stemmer
    try:
        stops = frozenset(get_stop_words(language))
    except LookupError:
        stops = frozenset()
    cache: dict[str, str] = {}

    def stem(word: str) -> str:
        s = cache.get(word)
        if s is None:
            s = cache[word] = stemmer(word)
            if len(cache) > 200_000:
                cache.clear()
        return s

    return stem, stops


def _terms(text: str, stem, stops) -> list[str]:
    out = []
    for w in _WORD.findall(text):
        w = w.lower().strip("'\u2019-")
        if len(w) < 2 or w in stops:
            continue
        out.append(stem(w))
    return out


def default_count(n_sentences: int, requested: int) -> int:
    """Sentences in the summary of an article of ``n_sentences``: at most ``requested`` and at
    most a quarter of the article (rounded half up), but at least one."""
    if n_sentences <= 0 or requested <= 0:
        return 0
    return min(requested, max(1, math.floor(n_sentences / 4 + 0.5)))


_NAVIGATION = re.compile(
    r"scroll down|click here|read more\b|see also\b|sign up\b|subscribe\b|follow (?:us|me)\b"
    r"|share this|advertisement\b|watch the video|download (?:the|our) app|@\w|https?://|www\."
    r"|all rights reserved|copyright\b|\bcookies?\b.*\b(?:accept|polic)",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^\W*by\s+[\w.\s',&-]{0,60}$|^\W*(?:published|updated|last updated|posted)\s*:"
    r"|daily mail reporter|^\W*(?:reporting|additional reporting|editing) by\b",
    re.IGNORECASE,
)
_CAPTION_START = re.compile(
    r"^\W*(?:pictured|photo|photograph|image|picture|video|caption|above|below|left|right|top"
    r"|inset|file photo|watch|gallery|graphic|credit)\s*:",
    re.IGNORECASE,
)
# "(pictured)", "(left)", "( second right )", "(file photo)": position markers of captions
_CAPTION_MARK = re.compile(
    r"\(\s*(?:pictured|picture|photo|left|right|centre|center|above|below|top|bottom|inset"
    r"|second (?:left|right)|far (?:left|right)|front|back|file|file photo|shown|circled|main"
    r"|background|foreground)\b[^()]{0,30}\)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"(?:\(|\b(?:photo|image|picture|credit|source)s?\s*:\s*)[^()]{0,40}"
    r"\b(?:getty|ap photo|reuters|afp|rex|shutterstock|alamy|epa|pa wire)\b[^()]{0,30}\)?\W*$",
    re.IGNORECASE,
)
# Daily Mail style caption label: "Horrifying: The little girl's body ..." (short label, a
# colon, no verb of saying in the label)
_LABEL = re.compile(r"^\W*([^\W\d][\w'\u2019 -]{1,40}?)\s*:\s+\S", re.UNICODE)
_SAYING = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|asked|asks|wrote|writes|explained|insisted"
    r"|warned|stated|claimed|reads|read|include|includes|included|are|is|was|were)\b",
    re.IGNORECASE,
)


def usable_sentence(text: str) -> bool:
    """False for sentences that must never be a summary sentence (datelines, bylines, captions,
    'Scroll down for video', navigation, too short)."""
    t = text.strip()
    words = _WORD.findall(t)
    if len(words) < P["minwords"]:
        return False
    if _NAVIGATION.search(t) or _BYLINE.search(t) or _CAPTION_START.search(t):
        return False
    if P["caption"] and (_CAPTION_MARK.search(t) or _CREDIT.search(t)):
        return False
    if P["label"]:
        m = _LABEL.match(t)
        if m and len(m.group(1).split()) <= 5 and not _SAYING.search(m.group(1)):
            return False
    return not t.endswith(":")


_DEPENDENT = frozenset(
    """he she it they this these those his her its their him them but however also and so yet
    meanwhile still then further furthermore moreover additionally instead thus therefore
    nevertheless nonetheless besides otherwise hence or nor""".split()
)


def _dependent(text: str) -> bool:
    words = _WORD.findall(text[:40])
    return bool(words) and words[0].lower() in _DEPENDENT


def rank_news(
    sentences: Sequence[str],
    paragraph_ids: Sequence[int],
    *,
    title: str | None,
    count: int,
    language: str = "english",
) -> tuple[list[float], list[int]]:
    """Score each candidate sentence (article order) and choose `count` of them.
    Returns (scores, chosen) where scores[i] is sentence i's score (higher is better; used by
    `digest explain`), and chosen is the sorted list of chosen indices (len <= count; may be
    fewer when the article is short or sentences are unusable). Deterministic."""
    n = len(sentences)
    if n == 0:
        return [], []
    stem, stops = _stemmer_and_stops(_language(language))
    usable = np.array([usable_sentence(s) for s in sentences], dtype=bool)
    terms = [_terms(s, stem, stops) for s in sentences]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, ts in enumerate(terms):
        for t in ts:
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
    tf = np.zeros((n, max(1, len(vocab))))
    np.add.at(tf, (rows, cols), 1.0)
    df = (tf > 0).sum(axis=0)
    idf = np.log((n + 1) / (df + 1)) + 1.0
    x = np.log1p(tf) * idf
    norms = np.linalg.norm(x, axis=1)
    norms[norms == 0] = 1.0
    x /= norms[:, None]
    sim = x @ x.T
    np.fill_diagonal(sim, 0.0)

    # directed centrality
    mask = usable[None, :] & usable[:, None]
    s_use = np.where(mask, sim, 0.0)
    if P["beta"] > 0 and n > 1:
        vals = s_use[mask & ~np.eye(n, dtype=bool)]
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            thr = lo + P["beta"] * (hi - lo)
            s_use = np.where(s_use > thr, s_use - thr, 0.0)
    upper = np.triu(s_use, 1).sum(axis=1)  # edges to later sentences
    lower = np.tril(s_use, -1).sum(axis=1)  # edges to earlier sentences
    cent = P["fwd"] * upper + P["bwd"] * lower
    cmin, cmax = float(cent[usable].min()) if usable.any() else 0.0, float(cent.max())
    cent = (cent - cmin) / (cmax - cmin) if cmax > cmin else np.ones(n)

    idx = np.arange(n, dtype=float)
    pos = 1.0 / (1.0 + idx / P["pos_tau"]) if P["pos_tau"] > 0 else np.ones(n)
    score = P["mix"] * cent + (1 - P["mix"]) * pos if P["mix"] < 1 else cent
    if P["mix"] >= 1 and P["pos_tau"] > 0:
        score = cent * pos

    if title and P["title"] > 0:
        tt = _terms(title, stem, stops)
        if tt:
            tv = np.zeros(x.shape[1])
            for t in tt:
                j = vocab.get(t)
                if j is not None:
                    tv[j] += idf[j]
            tn = np.linalg.norm(tv)
            if tn > 0:
                score = score + P["title"] * (x @ (tv / tn))

    lens = np.array([len(ts) for ts in terms], dtype=float)
    if P["minlen"] > 0:
        score = score * np.minimum(1.0, lens / P["minlen"])

    dep = np.array([_dependent(s) for s in sentences], dtype=bool)
    score = np.where(dep, score * P["dep"], score)
    score = np.where(usable, score + 1e-6, 0.0)

    chosen: list[int] = []
    cand = [i for i in range(n) if usable[i]]
    while len(chosen) < count and cand:
        best, best_v = -1, -np.inf
        for i in cand:
            v = score[i]
            if chosen and P["mmr"] > 0:
                v = v - P["mmr"] * float(sim[i, chosen].max())
            if v > best_v:
                best, best_v = i, v
        chosen.append(best)
        cand.remove(best)
    return [float(v) for v in score], sorted(chosen)
