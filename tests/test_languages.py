"""The one language table: every stage's lookup gives what its own table used to give."""

from __future__ import annotations

import dataclasses

import pytest

from digest import languages, related, sentences
from digest.summarize import news, sumy_language

# The three tables as they were before digest.languages (summarize, related, news and
# sentences), with their lookups, kept here to pin the behaviour for every code.
_OLD_SUMY = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "cs": "czech",
    "sk": "slovak",
    "ru": "russian",
    "uk": "ukrainian",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "fi": "finnish",
    "hu": "hungarian",
    "ro": "romanian",
    "el": "greek",
    "pl": "polish",
}
_OLD_SNOWBALL = {
    "ar": "arabic",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "hu": "hungarian",
    "it": "italian",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "es": "spanish",
    "sv": "swedish",
}
_OLD_LANGS = {"en": "english", "eng": "english"}
_OLD_ENGLISH = frozenset({"en", "eng", "english"})


def _old_sumy(code: str) -> str:
    return _OLD_SUMY.get(code.split("-")[0].lower(), "english")


def _old_snowball(code: str) -> str:
    return _OLD_SNOWBALL.get(code.split("-")[0].lower(), "")


def _old_news(language: str) -> str:
    lang = (language or "english").lower().replace("_", "-").split("-")[0]
    return _OLD_LANGS.get(lang, lang)


def _old_english(language: str) -> bool:
    return (language or "en").strip().lower().replace("_", "-").split("-")[0] in _OLD_ENGLISH


_BASES = sorted(set(_OLD_SUMY) | set(_OLD_SNOWBALL) | set(_OLD_SUMY.values()))
_BASES += ["ar", "eng", "english", "xx", "klingon", "zh", "ja", "", " ", "-", "_"]
CODES = sorted(
    {
        variant
        for base in _BASES
        for variant in (
            base,
            base.upper(),
            base.title(),
            f"{base}-GB",
            f"{base}_GB",
            f"{base}-latn-RS",
            f" {base}",
            f"{base} ",
            f"{base.upper()}_us",
        )
    }
)


def test_every_lookup_is_what_it_was() -> None:
    assert len(CODES) > 400
    for code in CODES:
        assert sumy_language(code) == _old_sumy(code), code
        assert languages.summarizer_name(code) == _old_sumy(code), code
        assert languages.snowball_name(code) == _old_snowball(code), code
        assert news._language(code) == _old_news(code), code
        assert languages.english_rules((code or "en").strip()) == _old_english(code), code


def test_english_sentence_rules_follow_the_table() -> None:
    text = "He met Dr. Smith at 9 a.m. Tuesday. Then he left."
    english = sentences.split_sentences(text, "en")
    assert english == ["He met Dr. Smith at 9 a.m. Tuesday.", "Then he left."]
    for code in ("eng", "English", "en_GB", " en-US ", "", "EN"):
        assert sentences.split_sentences(text, code) == english, code
    for code in ("de", "fr-CA", "xx"):
        assert sentences.split_sentences(text, code) != english, code


def test_the_table() -> None:
    assert set(languages.LANGUAGES) == set(_OLD_SUMY) | set(_OLD_SNOWBALL)
    for code, lang in languages.LANGUAGES.items():
        assert lang.code == code
        assert lang.sumy == _OLD_SUMY.get(code)
        assert lang.snowball == _OLD_SNOWBALL.get(code)
        assert lang.english_rules == (code == "en")
    assert related._SNOWBALL == _OLD_SNOWBALL
    assert languages.named("ENG-gb") is languages.LANGUAGES["en"]
    assert languages.named("english") is languages.LANGUAGES["en"]
    assert languages.named("german") is None  # sumy's names other than "english" are no aliases
    with pytest.raises(dataclasses.FrozenInstanceError):
        languages.LANGUAGES["en"].sumy = "german"  # type: ignore[misc]
    with pytest.raises(TypeError):
        languages.LANGUAGES["xx"] = languages.LANGUAGES["en"]  # type: ignore[index]
