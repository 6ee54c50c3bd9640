"""The Snowball stemmers shared by the summarizer and related links."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _site(tmp_path, texts: dict[str, str], language: str = "en"):
    (tmp_path / "site.yaml").write_text(
        f'title: "T"\nbase_url: "https://example.org/"\nlanguage: {language}\n'
    )
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
# German: its stemmer is NLTK's, imported when a word is first stemmed
_ARTIKEL = (
    "Der Stadtrat hat am Montag nach langer Debatte den Haushalt für den Hafen beschlossen. "
    "Die Anwohner hatten monatelang gegen die Schließung des Fährterminals protestiert. "
    "Der Bürgermeister sagte, der neue Plan sichere Arbeitsplätze und die Überfahrten. "
    "Gegner meinten, die Kosten würden jahrzehntelang die Steuerzahler belasten."
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
    _site(tmp_path, {"a.md": _ARTIKEL, "b.md": _ARTIKEL.replace("Hafen", "Flughafen")}, "de")
    assert _build_in_new_process(tmp_path)  # cold: words are stemmed, NLTK is imported
    assert _build_in_new_process(tmp_path) == []  # nothing changed: no NLTK either
    page = tmp_path / "out" / "a" / "index.html"
    first = page.read_bytes()
    a = tmp_path / "content" / "a.md"
    a.write_text(a.read_text() + "\nDer Stadtrat hat den Flughafen am Montag beschlossen.\n")
    assert _build_in_new_process(tmp_path) == []  # every word seen before: no NLTK
    assert page.read_bytes() != first
    a.write_text(a.read_text() + "\nZebras galoppierten unerwartet durch die Marschen.\n")
    assert _build_in_new_process(tmp_path)  # new words: stemmed by NLTK
    # and the stems stored with them serve the next build
    a.write_text(a.read_text() + "\nDie Zebras galoppierten durch die Marschen.\n")
    assert _build_in_new_process(tmp_path) == []


def test_an_english_site_is_built_without_importing_nltk(tmp_path) -> None:
    _site(tmp_path, {"a.md": _ARTICLE, "b.md": _ARTICLE.replace("harbour", "airport")})
    assert _build_in_new_process(tmp_path) == []  # cold: English stems need no NLTK
    assert "harbour" in (tmp_path / "out" / "a" / "index.html").read_text()


# Words ending in every suffix the English stemmer removes or replaces, and the quirks of
# its regions (a region shorter than a replaced suffix), its special words and its 'y's.
_ENGLISH_ENDINGS = (
    "'s'", "'s", "'", "sses", "ied", "ies", "us", "ss", "s", "eedly", "ingly", "edly", "eed",
    "ing", "ed", "y", "ly", "ization", "ational", "fulness", "ousness", "iveness", "tional",
    "biliti", "lessli", "entli", "ation", "alism", "aliti", "ousli", "iviti", "fulli",
    "enci", "anci", "abli", "izer", "ator", "alli", "bli", "ogi", "logi", "li", "alize",
    "icate", "iciti", "ative", "ical", "ness", "ful", "ement", "ance", "ence", "able",
    "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "sion",
    "tion", "al", "er", "ic", "e", "l", "ll", "at", "bl", "iz", "bb", "tt", "Y", "\u2019s",
    "skies", "dying", "news", "proceeded", "succeeding",
)  # fmt: skip


def _english_words() -> list[str]:
    """Short stems (vowels, consonants, y, apostrophes, gener/commun/arsen) x endings."""
    stems = ["", "a", "y", "by", "ay", "hop", "tap", "sky", "gener", "commun", "arsen", "'tis"]
    stems += ["beau", "fil", "bril", "nation", "condit", "o\u2018y", "\u201bx", "Cry", "EYE"]
    return [s + e + f for s in stems for e in _ENGLISH_ENDINGS for f in ("", "s", "ly", "ing")]


def _nltk_english():
    snowball.import_nltk()
    from nltk.stem.snowball import EnglishStemmer

    return EnglishStemmer().stem


def test_english_stems_are_nltks_without_nltk() -> None:
    nltk_stem = _nltk_english()
    words = _english_words() + WORDS + _ARTICLE.lower().replace(".", "").split()
    assert len(words) > 5000
    assert [snowball.english_stem(w) for w in words] == [nltk_stem(w) for w in words]
    assert snowball.stemmer("english") is not None and snowball.lazy("english")("running") == "run"


@settings(max_examples=3000, deadline=None)
@given(
    word=st.text(alphabet="aeiouybcdglnrstwxzYIA'\u2019\u2018\u201b\u00e9", max_size=8),
    ending=st.sampled_from(_ENGLISH_ENDINGS),
)
def test_any_word_stems_as_nltk_stems_it(word: str, ending: str) -> None:
    nltk_stem = _nltk_english()
    for w in (word, word + ending):
        try:
            expected: str | type = nltk_stem(w)
        except IndexError:  # (none known; the same error if NLTK has one)
            expected = IndexError
        try:
            got: str | type = snowball.english_stem(w)
        except IndexError:
            got = IndexError
        assert got == expected, w


def _after_vc_loop(word: str) -> str:
    """snowball._after_vc as a loop over the characters (as NLTK finds r1 and r2)."""
    for i in range(1, len(word)):
        if word[i] not in snowball._VOWELS and word[i - 1] in snowball._VOWELS:
            return word[i + 1 :]
    return ""


@settings(max_examples=2000, deadline=None)
@given(word=st.text(alphabet="aeiouyYbcst'\n\u00e9\u2019", max_size=12))
def test_region_after_a_vowel_and_another_character_is_the_loops(word: str) -> None:
    """_after_vc (one regex search) is what follows the first vowel + non-vowel pair."""
    assert snowball._after_vc(word) == _after_vc_loop(word)


@settings(max_examples=2000, deadline=None)
@given(
    word=st.text(alphabet="abceilnorstuyzY'", max_size=10), ending=st.sampled_from(_ENGLISH_ENDINGS)
)
def test_a_steps_suffix_found_by_last_character_is_the_first_it_ends_with(
    word: str, ending: str
) -> None:
    """A step's group of suffixes (those of the word's last character) gives the first
    suffix of the step that the word ends with, or none when it ends with none."""
    steps = {
        snowball._STEP1A: snowball._STEP1A_BY_LAST, snowball._STEP1B: snowball._STEP1B_BY_LAST,
        snowball._STEP2: snowball._STEP2_BY_LAST, snowball._STEP3: snowball._STEP3_BY_LAST,
        snowball._STEP4: snowball._STEP4_BY_LAST, ("'s'", "'s", "'"): snowball._STEP0_BY_LAST,
    }  # fmt: skip
    for w in (word, word + ending):
        for suffixes, by_last in steps.items():
            first = next((s for s in suffixes if w.endswith(s)), None)
            assert next((s for s in by_last.get(w[-1:], ()) if w.endswith(s)), None) == first
