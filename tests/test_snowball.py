"""The Snowball stemmers shared by the summarizer and related links."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_known_snowball_languages_are_nltks() -> None:
    from nltk.stem.snowball import SnowballStemmer

    assert SnowballStemmer.languages == snowball.LANGUAGES


def test_sumy_stemmer_and_stop_words_are_sumys() -> None:
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    for lang in ("english", "English", "german", "czech", "de"):
        ours, theirs = snowball.sumy_stemmer(lang), Stemmer(lang)
        assert [ours(w) for w in WORDS] == [theirs(w) for w in WORDS], lang
        assert snowball.sumy_stop_words(lang) == frozenset(get_stop_words(lang)), lang
    for lang in ("klingon", "xx"):
        for fn in (snowball.sumy_stemmer, snowball.sumy_stop_words):
            try:
                fn(lang)
            except LookupError:
                pass
            else:
                raise AssertionError(f"{fn.__name__}({lang!r}) should raise LookupError")


def _site(tmp_path, texts: dict[str, str]):
    (tmp_path / "site.yaml").write_text('title: "T"\nbase_url: "https://example.org/"\n')
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for name, body in texts.items():
        (content / name).write_text(
            f"---\ntitle: {name.title()} news\ndate: 2024-01-02\n---\n\n{body}\n"
        )


_ARTICLE = (
    "The council approved the harbour budget on Monday after a long debate. "
    "Residents had campaigned for months against the closure of the ferry terminal. "
    "The mayor said the new plan protects jobs and keeps the crossings running. "
    "Opponents argued that the costs would fall on local taxpayers for decades."
)


def _build_in_new_process(tmp_path) -> list[str]:
    """Build the site in a new process; the NLTK modules it imported."""
    code = (
        "import sys; from pathlib import Path; from digest import build, config; "
        f"cfg = config.load_config(Path({str(tmp_path)!r})); "
        f"build.build(cfg, build.BuildOptions(output=Path({str(tmp_path / 'out')!r}), jobs=1)); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('nltk'))))"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.split()


def test_an_edit_with_no_new_word_rebuilds_without_importing_nltk(tmp_path) -> None:
    _site(tmp_path, {"a.md": _ARTICLE, "b.md": _ARTICLE.replace("harbour", "airport")})
    assert _build_in_new_process(tmp_path)  # cold: words are stemmed, NLTK is imported
    assert _build_in_new_process(tmp_path) == []  # nothing changed: no NLTK either
    page = tmp_path / "out" / "a" / "index.html"
    first = page.read_bytes()
    a = tmp_path / "content" / "a.md"
    a.write_text(a.read_text() + "\nThe airport council approved the debate on Monday.\n")
    assert _build_in_new_process(tmp_path) == []  # every word seen before: no NLTK
    assert page.read_bytes() != first
    a.write_text(a.read_text() + "\nZebras galloped unexpectedly through the marshlands.\n")
    assert _build_in_new_process(tmp_path)  # new words: stemmed by NLTK
    # and the stems stored with them serve the next build
    a.write_text(a.read_text() + "\nThe zebras galloped again.\n")
    assert _build_in_new_process(tmp_path) == []
