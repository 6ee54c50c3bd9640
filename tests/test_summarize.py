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
