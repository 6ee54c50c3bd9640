"""The related-link weighting does what it claims, on small fictional articles."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from test_related import art

from digest.config import RelatedConfig
from digest.related import (
    features,
    related_links,
    term_counts,
    terms,
    tf_weight,
    vectorize,
)


def test_stemming_numbers_and_stop_words() -> None:
    assert terms("Elections") == terms("elected") == terms("election")
    assert terms("The council's 2,000 voters in 1891 saw 3 boats") == [
        *terms("council"),
        "2000",
        *terms("voters"),
        "1891",
        *terms("saw"),
        *terms("boats"),
    ]  # possessive folded, numbers kept (one digit dropped), stop words dropped
    assert terms("the of and said") == []


def test_bigrams_only_of_adjacent_content_words() -> None:
    f = features("Harbour wall repairs; harbour, wall of stone")
    pairs = [x for x in f if " " in x]
    wall = terms("wall")[0]
    harbour = terms("harbour")[0]
    assert f"{harbour} {wall}" in pairs
    assert pairs.count(f"{harbour} {wall}") == 1  # not across a comma
    assert not any(p.startswith(f"{wall} ") and p.endswith(terms("stone")[0]) for p in pairs)


def test_term_frequency_saturates() -> None:
    length = np.full(4, 300.0, dtype=np.float32)
    w = tf_weight(np.array([1, 2, 10, 100], dtype=np.float32), length)
    assert w[0] < w[1] < w[2] < w[3] < 2.2  # bounded by k1 + 1
    # in a long article the same count weighs less
    assert tf_weight(np.float32(3), np.float32(1200)) < tf_weight(np.float32(3), np.float32(300))


COMMON = " Fire crews fought the warehouse fire through the night as the blaze spread."
FIRES = {
    "larkmoor": [
        "A warehouse fire in Larkmoor destroyed the Quill timber yard on Mill Lane.",
        "Mayor Ada Quill said Larkmoor would rebuild the Mill Lane timber yard.",
        "Larkmoor families near Mill Lane were moved while firefighters cooled the timber.",
    ],
    "ellis": [
        "A warehouse fire in Port Ellis gutted the Tran paint depot at the north quay.",
        "Port Ellis harbour master Bo Tran said the north quay would stay closed.",
        "Paint fumes from the north quay depot kept Port Ellis schools shut on Friday.",
    ],
}


def test_two_stories_with_the_same_vocabulary_are_told_apart() -> None:
    # Two fires, the same kind of event told in the same words: names tell them apart.
    docs = [art(f"{s}-{i}", t + COMMON) for s, texts in FIRES.items() for i, t in enumerate(texts)]
    links, _scores = related_links(docs, RelatedConfig(count=2, min_score=0.0))
    for d in docs:
        story = d.slug.split("-")[0]
        assert [x.slug.split("-")[0] for x in links[d.slug]] == [story, story], links[d.slug]


def test_bigrams_tell_phrases_apart() -> None:
    # Same words, different pairings: "red sea" + "black shirts" vs "black sea" + "red shirts".
    a = art("a1", "Ships crossed the Red Sea. Fans in black shirts cheered.")
    b = art("a2", "Tankers in the Red Sea. Supporters wore black shirts.")
    c = art("b1", "Ships crossed the Black Sea. Fans in red shirts cheered.")
    links, _scores = related_links([a, b, c], RelatedConfig(count=1, min_score=0.0))
    assert links["a2"][0].slug == "a1"


def test_scores_stay_cosines_and_rows_are_deterministic() -> None:
    docs = [art(f"x{i}", t + COMMON) for i, t in enumerate(FIRES["larkmoor"])]
    v1 = vectorize([term_counts(d) for d in docs])
    v2 = vectorize([term_counts(d) for d in docs])
    assert (v1.matrix != v2.matrix).nnz == 0
    twin = replace(docs[0], slug="y", url="y/")
    same, scores = related_links([docs[0], twin], RelatedConfig(count=1, min_score=0))
    assert same["y"][0].slug == "x0" and 0.99 < scores["y"][0] <= 1.0
