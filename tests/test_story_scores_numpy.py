"""A rebuild after an edit scores its few story pairs with numpy alone
(digest.stories.grouping._FewRows, no scipy import): bit for bit the scores of scipy's
sparse matrices, so the stories are what a full run makes."""

from __future__ import annotations

import random
from array import array

import numpy as np
import pytest

from digest.stories import grouping
from digest.storyfeatures import FEATURE_BITS, SALIENT_TAG


def _feats(rng: random.Random, n: int) -> list[array]:
    out = []
    for _ in range(n):
        ids = [
            min((1 << FEATURE_BITS) - 1, int(rng.paretovariate(0.6)))
            for _ in range(rng.randint(0, 200))
        ]
        # duplicates (an id twice, tagged and not) and main actors
        ids += ids[: rng.randint(0, 5)]
        out.append(array("i", [i | (SALIENT_TAG if rng.random() < 0.1 else 0) for i in ids]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_few_pairs_score_as_scipy_does(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    n = 300
    feats = _feats(rng, n)
    ids = np.concatenate([np.frombuffer(f.tobytes(), dtype=np.int32) for f in feats])
    df = np.bincount(ids & ((1 << FEATURE_BITS) - 1), minlength=1 << FEATURE_BITS)
    idf = np.log((n + 1) / (df + 1.0)) + 1.0
    pairs = sorted({tuple(sorted(rng.sample(range(n), 2))) for _ in range(200)})
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    cos = np.array([rng.random() for _ in pairs], dtype=np.float64)
    monkeypatch.setattr(grouping, "FEW_PAIRS", 0)
    want = grouping._scores(a, b, cos, feats, idf)
    monkeypatch.setattr(grouping, "FEW_PAIRS", 10**6)
    got = grouping._scores(a, b, cos, feats, idf)
    assert got.tobytes() == want.tobytes()
    # scored a few at a time: the same bits
    part = grouping._scores(a[:7], b[:7], cos[:7], feats, idf)
    assert part.tobytes() == want[:7].tobytes()


def test_a_story_of_one_article_made_at_once_is_the_constructors() -> None:
    """compose makes ~9,400 one-article stories in a new process at 10,000 articles, each
    with its fields set at once (digest.stories.compose._alone): equal, hashed, frozen,
    pickled and shown as Story's constructor makes them, and the same as with it."""
    import dataclasses
    import pickle
    from datetime import UTC, datetime

    from digest.model import Article, Story, Summary
    from digest.stories.compose import _STORY_AT_ONCE, Member, _alone

    assert _STORY_AT_ONCE  # (the fast way is the one taken)
    art = Article(
        path="content/x.md",
        slug="x",
        title="A title",
        date=datetime(2024, 1, 1, tzinfo=UTC),
        section="News",
        section_slug="news",
        url="news/x/",
        source="The Paper",
    )
    member = Member(art, Summary(("One.", "Two."), "lead"))
    made = _alone(member)
    want = Story(
        slug="x",
        title="A title",
        url="news/x/",
        articles=("x",),
        summary=("One.", "Two."),
        sources=("The Paper",),
        first=art.date,
        last=art.date,
        page=False,
        headline_from="x",
        summary_from=("x", "x"),
    )
    assert type(made) is Story
    assert made == want and hash(made) == hash(want) and repr(made) == repr(want)
    assert pickle.loads(pickle.dumps(made)) == want
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "Other"  # type: ignore[misc]
