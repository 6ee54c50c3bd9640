"""The plain-text cleaner's headline is never page furniture that merely sits where a
headline sits: a reading time, an e-mail address, a link, a photo credit, a recipe
quantity, a byline, a label ending with a colon, a tag or breadcrumb list, a labelled list
of topics or a date with a time.  Each case is a fictional page whose furniture line,
between the real headline (and the author's name) and the article, shares more words with the article than the
headline does (so the word overlap alone would pick it).  The learned headline scorer
also passes over a kicker over the headline and a name under it."""

from __future__ import annotations

import pytest
from test_clean_text_evidence import BODY, CHROME, TITLE

from digest.clean import clean_scraped_text
from digest.clean.scraped import _not_a_headline

FURNITURE = {
    "reading time": "Velmora harbour: 11 min read",
    "e-mail address": "north.pier@velmora-harbour.example",
    "link": "www.velmora-harbour.example/pier",
    "photo credit": "Photo: Velmora harbour board",
    "quantity": "Für eine 26er Springform.",
    "byline": "By Harbour Reporter",
    "label": "The harbour board of Velmora:",
    "list of short items": "Harbour / Pier / Velmora / Fishing boats",
    "labelled list": "Topics: harbour, pier, Velmora, fishing boats",
    "date and time": "Velmora, 12 March 2024, 14:30",
}


HEADLINE = "A long wait ends for the fishing fleet"


def page(*middle: str) -> str:
    return "\n".join([*CHROME, HEADLINE, *middle, *BODY, "© 2024 Velmora Post"]) + "\n"


@pytest.mark.parametrize("why", sorted(FURNITURE))
def test_furniture_between_headline_and_article_is_not_the_headline(why: str) -> None:
    line = FURNITURE[why]
    assert _not_a_headline(line) == why
    c = clean_scraped_text(page("Mira Kowal", line))
    assert c.title == HEADLINE
    assert set(BODY) <= set(c.paragraphs)


@pytest.mark.parametrize(
    "headline",
    [
        TITLE,
        "2 Minuten mit dem Bürgermeister",  # a duration, but no reading time
        "Klimaschutz: Bohren, bis es heiß wird",  # a colon inside, not at the end
        "By the numbers: what a storm costs a harbour town",
        "Harbour board / town council split over the pier",  # one slash, long parts
    ],
)
def test_ordinary_headlines_are_not_furniture(headline: str) -> None:
    assert _not_a_headline(headline) is None


@pytest.mark.parametrize("line", ["11 minut czytania", "5 min read", "Lesezeit: 4 Minuten"])
def test_a_reading_time_is_dropped_as_clutter(line: str) -> None:
    c = clean_scraped_text(page(line))
    assert c.title == HEADLINE
    assert not any(line in p for p in c.paragraphs)
    assert line != c.description
    assert any(f"dropped (reading time): {line!r}" in r for r in c.report)


def test_the_headline_is_chosen_over_a_kicker_above_it_that_shares_words() -> None:
    """A short label over the headline ("Pier works") shares more words with the article
    than the headline does; the learned scorer still takes the headline, and the author's
    name under it is no headline either."""
    text = "\n".join([*CHROME, "Pier works", HEADLINE, "Anna Berg", *BODY]) + "\n"
    c = clean_scraped_text(text)
    assert c.title == HEADLINE
    assert set(BODY) <= set(c.paragraphs)


def test_the_headline_is_chosen_over_an_organisations_name_under_it() -> None:
    text = "\n".join([*CHROME, TITLE, "Velmora Harbour Board", *BODY]) + "\n"
    c = clean_scraped_text(text)
    assert c.title == TITLE
    assert c.paragraphs == tuple(BODY)


def test_a_headline_opening_with_a_number_is_still_a_headline() -> None:
    """Only a line in a run of numbered lines (a list) is passed over, not a headline such
    as "10 ...": it stands alone."""
    headline = "10 things to know about the new north pier"
    text = "\n".join([*CHROME, headline, *BODY]) + "\n"
    c = clean_scraped_text(text)
    assert c.title == headline
    assert c.paragraphs == tuple(BODY)
