"""Related links read ASCII text with an ASCII token pattern: the same words, numbers and
punctuation as the Unicode pattern finds, so the same terms, bigrams and term counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from hypothesis import given, settings
from test_storyfeatures_ascii import _ASCII  # (ASCII text with words, numbers, punctuation)

from digest import related, tokens
from digest.model import Article


@settings(max_examples=2000, deadline=None)
@given(text=_ASCII)
def test_ascii_text_is_read_as_the_unicode_pattern_reads_it(text: str) -> None:
    assert text.isascii()
    low = text.lower()
    assert related._ASCII_TOKEN.findall(low) == related._TOKEN.findall(low)
    # the stream shared with the story features, read from the text as written: the same
    # words (lower-cased), numbers and punctuation; its other marks are skipped characters
    shared = [
        (word.lower(), number) if word or number else ("", "")
        for word, number, mark in tokens.STREAM.findall(text)
        if word or number or mark in tokens.PUNCTUATION
    ]
    assert shared == related._TOKEN.findall(low)


def test_terms_and_bigrams_of_ascii_and_unicode_text() -> None:
    text = (
        "Harbour wall repairs cost 1,200,000 pounds; the harbour-master's crew (12 men) "
        "fixed the wall in 3.5 days. Don't-stop work, said O'Neill."
    )
    terms, pairs = related._scan(text)
    assert terms[:6] == ["harbour", "wall", "repair", "cost", "1200000", "pound"]
    assert "3.5" in terms and "12" in terms and "o'neil" in terms and "the" not in terms
    # a number, a stop word or a punctuation mark ends a run of words
    assert pairs == [
        "harbour wall",
        "wall repair",
        "repair cost",
        "harbour-mast crew",
        "don't-stop work",
    ]
    # the same text with a character that is not ASCII (read with the Unicode pattern):
    # the same features, and the same counts for an article
    assert related._scan(text + " \u00a3") == (terms, pairs)
    counts = [related.term_counts(_article(t)) for t in (text, text + " \u00a3")]
    assert counts[0] == counts[1] and len(counts[0].ids) > 10


def _article(text: str) -> Article:
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return Article(
        path="a.md",
        slug="a",
        title="Harbour wall",
        date=when,
        section="",
        section_slug="",
        url="a/",
        text=text,
    )


def test_term_counts_count_text_features_once_and_title_features_twice() -> None:
    art = _article("Harbour wall repairs begin. The harbour wall cost 1,200 pounds; wall again.")
    art = replace(art, title="Harbour wall repairs, 1,200 pounds")
    expected: dict[int, int] = {}
    for weight, text in ((1, art.text), (related.TITLE_WEIGHT, art.title)):
        for feature in related.features(text):
            i = related.term_id(feature)
            expected[i] = expected.get(i, 0) + weight
    counts = related.term_counts(art)
    assert dict(zip(counts.ids, counts.counts, strict=True)) == expected
    assert list(counts.ids) == sorted(expected)
    assert expected[related.term_id("wall")] == 3 + 2 and expected[related.term_id("1200")] == 3
