"""The summarize stage: sumy methods, lengths, overrides, verbatim sentences."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from digest.config import SUMMARY_METHODS, SummaryConfig
from digest.model import Article
from digest.summarize import score, strip_dateline, summarize

PARAS = (
    "The city council voted on Tuesday to build a new bridge over the river Avel.",
    "The bridge will cost $12.5 million and open in 2028, officials said. Dr. Ines Mora, "
    "the city engineer, said the design uses steel from a local mill.",
    "Residents have asked for a second crossing for years. Traffic on the old bridge has "
    "doubled since 2010, and queues reach the town centre at rush hour.",
    "Work will start in the spring. The old bridge will stay open during construction.",
    "Some residents worry about noise. The council promised quiet hours at night.",
    "The river Avel floods most winters, so the bridge deck will sit two metres higher.",
)


def article(paragraphs=PARAS, **kw) -> Article:
    fields = dict(
        path="x.md",
        slug="bridge",
        title="Council approves new bridge over Avel",
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url="bridge/",
        paragraphs=paragraphs,
        text=" ".join(paragraphs),
    )
    fields.update(kw)
    return Article(**fields)


@pytest.mark.parametrize("method", SUMMARY_METHODS)
def test_every_method_picks_verbatim_sentences_in_order(method: str) -> None:
    s = summarize(article(), SummaryConfig(method=method, sentences=3))
    assert s.method == method and len(s.sentences) == 3
    body = " ".join(PARAS)
    positions = [body.index(x) for x in s.sentences]
    assert positions == sorted(positions)


def test_per_article_method_wins() -> None:
    s = summarize(article(summary_method="luhn"), SummaryConfig(method="lexrank"))
    assert s.method == "luhn"


def test_manual_summary_wins() -> None:
    s = summarize(article(summary_override=("Hand written.",)), SummaryConfig())
    assert s.sentences == ("Hand written.",) and s.method == "manual"


def test_ratio_length() -> None:
    s = summarize(article(), SummaryConfig(method="lexrank", ratio=0.5))
    n = len(score(article(), SummaryConfig(method="lexrank"))[1])
    assert len(s.sentences) == round(n * 0.5)


def test_short_article_gets_a_shorter_summary() -> None:
    short = (
        "One thing happened today in the town.",
        "A second thing followed it.",
        "A third thing was reported.",
        "The fourth and last thing closed the day.",
    )
    s = summarize(article(paragraphs=short), SummaryConfig(sentences=3))
    assert 1 <= len(s.sentences) < 3


def test_abbreviations_do_not_split_sentences() -> None:
    s = score(article(), SummaryConfig(method="lexrank"))[1]
    texts = [x.text for x in s]
    assert any(t.startswith("Dr. Ines Mora") for t in texts)
    assert "The bridge will cost $12.5 million and open in 2028, officials said." in texts


def test_empty_article_has_empty_summary() -> None:
    assert summarize(article(paragraphs=()), SummaryConfig()).sentences == ()


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        (
            "KABUL (AFP) — A delegation met officials in the capital on Friday.",
            "A delegation met officials in the capital on Friday.",
        ),
        (
            "LONDON, Oct. 12 (Reuters) - Shares fell sharply in early trade on Monday.",
            "Shares fell sharply in early trade on Monday.",
        ),
        (
            "US - and others - agreed to meet again next week for talks.",
            "US - and others - agreed to meet again next week for talks.",
        ),
        (
            "I - the author - think so and I will say it again here.",
            "I - the author - think so and I will say it again here.",
        ),
    ],
)
def test_summary_sentences_drop_a_leading_dateline(sentence: str, shown: str) -> None:
    assert strip_dateline(sentence) == shown
    assert shown in sentence  # still verbatim article text


def test_dateline_is_dropped_from_a_chosen_sentence() -> None:
    first = "PORT ELLIS — The council voted on Tuesday to build a new bridge over the river Avel."
    s = summarize(article(paragraphs=(first, *PARAS[1:])), SummaryConfig(sentences=3))
    assert s.sentences[0] == first.removeprefix("PORT ELLIS — ")


@pytest.mark.parametrize(
    "sentence",
    [
        "word " * 100,  # exactly the bound: 100 words, 100 spaces
        "word " * 101,  # one over
        "a" * 300,  # one long word
        "a-" * 150,  # 150 words, each followed by a '-' that ends it
        "a,b" * 40 + " " * 10,  # 80 words, 50 characters that are no letters after them
        "x1" * 101,  # digits end words: 101 words, 101 characters that are no letters
        "rock-'n'-roll " * 30,  # a ' or - before a letter joins, before another ends
        "a" + "--" * 60 + "b" + "' " * 60,  # 2 words among 240 characters that are none
        "caf\u00e9 " * 101,  # beyond ASCII: counted
        "na\u00efve " * 60,
    ],
)
def test_long_sentence_count_is_the_counted_words(sentence: str) -> None:
    """_more_words(s, n) is len(_WORD.findall(s)) > n, the words counted or seen not to
    exceed n from the characters that are no letters."""
    from digest.summarize import _WORD, _more_words

    for n in (1, 2, 49, 50, 79, 80, 99, 100, 101, 150, 151):
        assert _more_words(sentence, n) == (len(_WORD.findall(sentence)) > n), n


def test_long_sentence_count_on_random_text() -> None:
    """_more_words against the count on random text of letters, digits, blanks, quotes,
    dashes and punctuation, near the bound."""
    import random

    from digest.summarize import _WORD, _more_words

    rng = random.Random(7)
    for _ in range(2000):
        alphabet = rng.choice(("ab Z9 '-,.", "aaab  '--", "ab Z9 '-,.\u2019\u00e9"))
        sentence = "".join(rng.choice(alphabet) for _ in range(rng.randrange(150, 320)))
        count = len(_WORD.findall(sentence))
        for n in (count - 1, count, count + 1, 100):
            assert _more_words(sentence, n) == (count > n), (sentence, n)
