"""The ``summarize`` stage: extractive summaries chosen with sumy.

This package is the only place that imports sumy.  Candidate sentences come
from the article's plain-text paragraphs (headings, lists, code and captions
were already left out by the loader), split by :mod:`digest.sentences`, which
needs no downloaded data.  We build sumy's document model ourselves with a
tokenizer that needs no NLTK data either.

Methods: ``news`` (the default, tuned for news; :mod:`digest.summarize.news`)
and sumy's stock ``lexrank``, ``textrank``, ``lsa``, ``luhn``, ``kl`` and
``sumbasic``.  Every method returns a score per sentence (shown by
``digest explain``); the chosen sentences keep their article order.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from digest import languages, snowball
from digest.boilerplate import SENTENCE_DATELINE as _DATELINE
from digest.config import SummaryConfig
from digest.model import Article, Summary
from digest.sentences import split_sentences
from digest.summarize import keypoints
from digest.summarize.news import (
    MAX_WORDS,
    default_count,
    rank,
    stemmer_and_stop_words,
    usable_sentence,
)

MAX_CANDIDATES = 400  # bound the work per article (graph methods are quadratic)
# Fewer for the stock methods that are slower per sentence, measured with
# bench/hostile_inputs.py so that no article takes more than a few seconds (kl on 176 KB
# took 270 s unbounded).  Each sentence weighs with its first MAX_WORDS words only.
METHOD_CANDIDATES = {"kl": 50, "lsa": 100, "lexrank": 150, "textrank": 150, "luhn": 200}
# sumy's stock methods compare word lists pairwise (lexrank's idf is quadratic in the words
# of a sentence), so they weigh fewer words per sentence than ``news`` (MAX_WORDS).
STOCK_MAX_WORDS = 50

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")
# The letters of ASCII text (what [^\W\d_] matches there): deleted from a sentence's bytes,
# they leave the characters that are no letter (see _more_words)
_ASCII_LETTERS = string.ascii_letters.encode("ascii")


def sumy_language(code: str) -> str:
    """sumy's language name for a BCP 47 code ('en-GB' -> 'english')."""
    return languages.summarizer_name(code)


class _Tokenizer:
    """A sumy tokenizer that needs no NLTK data."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence)[:STOCK_MAX_WORDS])


@dataclass(frozen=True)
class Scored:
    """One candidate sentence with its score, for `digest explain`."""

    index: int
    text: str
    score: float
    chosen: bool
    usable: bool
    paragraph: int = 0


def max_candidates(method: str) -> int:
    """How many sentences (the first ones) a method considers."""
    return METHOD_CANDIDATES.get(method, MAX_CANDIDATES)


def max_words(method: str) -> int:
    """How many words (the first ones) of a sentence a method weighs."""
    return MAX_WORDS if method == "news" else STOCK_MAX_WORDS


def candidates(article: Article, limit: int = MAX_CANDIDATES) -> tuple[list[str], list[int]]:
    """The first ``limit`` candidate sentences in article order, with their paragraph numbers."""
    sentences: list[str] = []
    paragraph_ids: list[int] = []
    for p, para in enumerate(article.paragraphs):
        for s in split_sentences(para, article.language):
            sentences.append(s)
            paragraph_ids.append(p)
            if len(sentences) >= limit:
                return sentences, paragraph_ids
    return sentences, paragraph_ids


def limits(article: Article, cfg: SummaryConfig) -> tuple[str, ...]:
    """Report lines (``-v``) saying which bounds on the summarizer's work applied."""
    if article.summary_override:
        return ()
    method = article.summary_method or cfg.method
    return _limits(method, candidates(article, max_candidates(method) + 1)[0])


def _limits(method: str, sentences: list[str]) -> tuple[str, ...]:
    """limits() given the first max_candidates(method) + 1 candidate sentences."""
    limit = max_candidates(method)
    out = []
    if len(sentences) > limit:
        out.append(
            f"summary: only the first {limit} sentences were considered ({method} is "
            "bounded per article)"
        )
    words = max_words(method)
    # a word takes a letter and a separator: a sentence of at most 2 * words characters
    # cannot hold more than ``words`` words (most sentences; their words are not counted)
    long = sum(1 for s in sentences[:limit] if len(s) > 2 * words and _more_words(s, words))
    if long:
        out.append(
            f"summary: {long} sentence(s) longer than {words} words weighed by their "
            f"first {words} words"
        )
    return tuple(out)


def _more_words(sentence: str, words: int) -> bool:
    """Does the sentence hold more than ``words`` words (``_WORD.findall``)?  A word ends
    at a character that is no letter (_WORD takes every letter that follows it) and the
    next word starts at the next letter: each word but the first follows its own character
    that is no letter.  So an ASCII sentence with fewer than ``words`` of them holds at
    most ``words`` words, seen without the search (which took a tenth of the summarizer's
    time, on the sentences over 200 characters: in news they hold 20-30 words)."""
    if sentence.isascii() and len(sentence.encode("ascii").translate(None, _ASCII_LETTERS)) < words:
        return False
    return len(_WORD.findall(sentence)) > words


def target_count(n_sentences: int, cfg: SummaryConfig) -> int:
    """How many sentences to choose for an article of n candidate sentences."""
    if cfg.ratio is not None:
        requested = max(1, round(n_sentences * cfg.ratio))
        return min(requested, n_sentences)
    return default_count(n_sentences, cfg.sentences)


def score(article: Article, cfg: SummaryConfig) -> tuple[str, list[Scored]]:
    """(method, every candidate with score and whether chosen)."""
    method = article.summary_method or cfg.method
    return method, _score(article, cfg, method, *candidates(article, max_candidates(method)))


def _score(
    article: Article,
    cfg: SummaryConfig,
    method: str,
    sentences: list[str],
    paragraph_ids: list[int],
) -> list[Scored]:
    """score() given the article's first max_candidates(method) candidates."""
    scores, chosen, usable = _scored(article, cfg, method, sentences, paragraph_ids)
    return [
        Scored(i, s, scores[i], i in chosen, usable[i], paragraph_ids[i])
        for i, s in enumerate(sentences)
    ]


def _scored(
    article: Article,
    cfg: SummaryConfig,
    method: str,
    sentences: list[str],
    paragraph_ids: list[int],
) -> tuple[list[float], set[int], list[bool]]:
    """_score() as (each sentence's score, the chosen ones, which are usable): what the
    summary is made of, without a Scored object per sentence (most are thrown away)."""
    if not sentences:
        return [], set(), []
    count = target_count(len(sentences), cfg)
    if method == "news":
        scores, chosen, usable = rank(
            sentences,
            paragraph_ids,
            title=article.title,
            count=count,
            language=sumy_language(article.language),
        )
    else:
        usable = [usable_sentence(s) for s in sentences]
        scores = _stock_scores(method, sentences, paragraph_ids, sumy_language(article.language))
        pool = [i for i in range(len(sentences)) if usable[i]] or list(range(len(sentences)))
        best = sorted(pool, key=lambda i: (-scores[i], i))[:count]
        chosen = sorted(best)
    # a quote left out for want of room gives its place to the next-best usable sentence;
    # never more places than the selector filled (the news selector leaves places empty
    # rather than take a near-duplicate of a chosen sentence)
    spare = sorted((i for i in range(len(sentences)) if usable[i]), key=lambda i: (-scores[i], i))
    room = min(count, len(chosen))
    chosen_set = set(
        keypoints.with_attributions(chosen, sentences, paragraph_ids, scores, room, spare)
    )
    return scores, chosen_set, usable


def summarize(article: Article, cfg: SummaryConfig) -> Summary:
    """The article's summary: front matter's `summary:` wins, else chosen sentences."""
    return summarize_with_limits(article, cfg)[0]


def summarize_with_limits(article: Article, cfg: SummaryConfig) -> tuple[Summary, tuple[str, ...]]:
    """(summarize(), limits()) of an article, its sentences split once for both."""
    if article.summary_override:
        lede = " ".join(article.paragraphs[:1])
        points = tuple(s for s in article.summary_override if s.strip() not in lede)
        return Summary(article.summary_override, "manual", points), ()
    method = article.summary_method or cfg.method
    limit = max_candidates(method)
    sentences, paragraph_ids = candidates(article, limit + 1)
    notes = _limits(method, sentences)
    del sentences[limit:], paragraph_ids[limit:]
    scores, chosen_set, usable = _scored(article, cfg, method, sentences, paragraph_ids)
    chosen = tuple(sentences[i] for i in sorted(chosen_set))
    if not chosen and sentences:
        chosen = (sentences[0],)
    picked = keypoints.key_points(
        sentences, paragraph_ids, scores, usable, max(len(chosen), keypoints.MIN_KEY_POINTS)
    )
    key = tuple(strip_dateline(sentences[i]) for i in picked)
    return Summary(tuple(strip_dateline(c) for c in chosen), method, key), notes


# A dateline opening the first sentence ("KABUL —", "WASHINGTON (AP) --") is not part of
# what the summary says: digest.boilerplate.SENTENCE_DATELINE.


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading dateline (still a verbatim piece of the article)."""
    m = _DATELINE.match(sentence)
    if m is None or len(sentence) - m.end() < 20:
        return sentence
    return sentence[m.end() :]


# ---------------------------------------------------------------- stock sumy methods


def _summarizer(method: str, language: str):
    snowball.import_nltk()  # before sumy imports it: without NLTK's optional heavy imports
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
        "kl": KLSummarizer,
        "sumbasic": SumBasicSummarizer,
    }
    stemmer, stops = stemmer_and_stop_words(language)
    summarizer = classes[method](stemmer)
    summarizer.stop_words = stops
    return summarizer


def document(sentences: list[str], paragraph_ids: list[int], language: str):
    """sumy's ObjectDocumentModel for the given sentences, one Paragraph per paragraph."""
    snowball.import_nltk()
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tok = _Tokenizer(language)
    paragraphs: list[list] = []
    last = None
    for s, p in zip(sentences, paragraph_ids, strict=True):
        if p != last:
            paragraphs.append([])
            last = p
        paragraphs[-1].append(Sentence(s, tok))
    return ObjectDocumentModel([Paragraph(ss) for ss in paragraphs])


def _stock_scores(
    method: str, sentences: list[str], paragraph_ids: list[int], language: str
) -> list[float]:
    """Scores of each sentence under a stock sumy method (by capturing its rating)."""
    doc = document(sentences, paragraph_ids, language)
    summarizer = _summarizer(method, language)
    captured: dict[int, float] = {}
    sumy_sentences = doc.sentences

    def capture(sents, count, rating, *args, **kwargs):
        rate = rating if callable(rating) else rating.__getitem__
        for i, s in enumerate(sents):
            captured[i] = float(rate(s, *args, **kwargs))
        return ()

    summarizer._get_best_sentences = capture  # instance attribute shadows the staticmethod
    summarizer(doc, len(sumy_sentences))
    return [captured.get(i, 0.0) for i in range(len(sentences))]
