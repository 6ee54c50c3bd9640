"""The Snowball stemmers shared by the summarizer and related links."""

from __future__ import annotations

import subprocess
import sys

from digest import related, snowball
from digest.summarize import news

WORDS = (
    "running runs ran runner easily fairly generously national nationalities "
    "agreed agreement feet caresses ponies ties caress cats organisation organising "
    "universities university's markets marketing relational conditional"
).split()


def test_sumy_stemmer_and_related_stemmer_agree_so_one_table_serves_both() -> None:
    from sumy.nlp.stemmers import Stemmer  # the summarizer's stemmer

    for lang in sorted(set(related._SNOWBALL.values())):
        sumy_stem = Stemmer(lang)
        nltk_stem = snowball.stemmer(lang)
        assert [sumy_stem(w) for w in WORDS] == [nltk_stem(w) for w in WORDS], lang


def test_summarizer_stems_come_from_the_shared_table() -> None:
    stem, _stops = news.stemmer_and_stop_words("english")
    assert stem("markets") == "market"
    assert snowball._MEMO["english"]["markets"] == "market"


def test_loading_the_stemmer_does_not_import_scipy_stats_or_sklearn() -> None:
    code = (
        "import sys; from digest import snowball; snowball.stemmer('english')('running'); "
        "print('scipy.stats' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
