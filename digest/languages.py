"""The languages digest knows: one table, looked up by every stage.

An article's language is a BCP 47 code (``en``, ``en-GB``, ``de``) from its metadata or the
site's ``language`` setting.  What a language changes:

* the summarizer's stop words and stemmer (sumy's ``get_stop_words`` and ``Stemmer``, by
  sumy's language name, :attr:`Language.sumy`);
* the stemmer of related-link features (NLTK's Snowball stemmer, :attr:`Language.snowball`);
* the English rules: abbreviations when splitting sentences (:mod:`digest.sentences`) and
  the words that make a sentence lean on its predecessor when ranking
  (:mod:`digest.summarize.news`), :attr:`Language.english_rules`.

The lookups below differ in how they read a code, and each keeps what its stage has always
done (changing one would change built pages):

* :func:`summarizer_name` and :func:`snowball_name` split a code at ``-`` only and know no
  aliases (``en_GB`` and ``eng`` are unknown codes there);
* :func:`named` also splits at ``_`` and knows the aliases ``eng`` and ``english``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

__all__ = [
    "ALIASES",
    "LANGUAGES",
    "Language",
    "english_rules",
    "named",
    "primary_subtag",
    "snowball_name",
    "summarizer_name",
]


@dataclass(frozen=True)
class Language:
    """What digest does differently for one language."""

    code: str  # ISO 639-1 primary subtag: "en"
    # sumy's language name: its stop words (``sumy.utils.get_stop_words``) and stemmer
    # (``sumy.nlp.stemmers.Stemmer``, NLTK's Snowball stemmer where there is one) for the
    # summary; None: summarized as English
    sumy: str | None
    # NLTK's Snowball stemmer for related-link features; None: words are not stemmed
    snowball: str | None
    # English abbreviation rules in sentence splitting, English dependent-sentence words
    english_rules: bool = False


_TABLE = (
    Language("en", "english", "english", english_rules=True),
    Language("de", "german", "german"),
    Language("fr", "french", "french"),
    Language("es", "spanish", "spanish"),
    Language("it", "italian", "italian"),
    Language("pt", "portuguese", "portuguese"),
    Language("nl", "dutch", "dutch"),
    Language("cs", "czech", None),
    Language("sk", "slovak", None),
    Language("ru", "russian", "russian"),
    Language("uk", "ukrainian", None),
    Language("sv", "swedish", "swedish"),
    Language("da", "danish", "danish"),
    Language("no", "norwegian", "norwegian"),
    Language("nb", "norwegian", "norwegian"),
    Language("fi", "finnish", "finnish"),
    Language("hu", "hungarian", "hungarian"),
    Language("ro", "romanian", "romanian"),
    Language("el", "greek", None),
    Language("pl", "polish", None),
    Language("ar", None, "arabic"),
)

LANGUAGES: Mapping[str, Language] = MappingProxyType({lang.code: lang for lang in _TABLE})

# Other names of a language, known to :func:`named` only (the sentence splitter and the
# news ranking, which is given sumy's name "english" by the summarize stage).
ALIASES: Mapping[str, str] = MappingProxyType({"eng": "en", "english": "en"})


def primary_subtag(tag: str) -> str:
    """``"en-GB"``, ``"en_GB"``, ``"EN"`` -> ``"en"``: lower case, up to the first ``-`` or
    ``_``.  Nothing else is changed (no whitespace is stripped)."""
    return tag.lower().replace("_", "-").split("-")[0]


# The look-ups below are asked for every paragraph and article with the same few codes:
# memoized (pure functions of the code; the tables are read-only).
@lru_cache(maxsize=256)
def named(tag: str) -> Language | None:
    """The language of a code or alias, region and case aside (``"en_GB"``, ``"ENG"``,
    ``"english"`` -> English); None when unknown."""
    key = primary_subtag(tag)
    return LANGUAGES.get(ALIASES.get(key, key))


def english_rules(tag: str) -> bool:
    """Do the English rules apply to a code or alias (:func:`named`)?"""
    lang = named(tag)
    return lang is not None and lang.english_rules


@lru_cache(maxsize=256)
def _by_code(code: str) -> Language | None:
    """The language of a BCP 47 code split at ``-`` only (``"en-GB"`` -> English; ``"en_GB"``
    and the aliases are unknown here)."""
    return LANGUAGES.get(code.split("-")[0].lower())


def summarizer_name(code: str) -> str:
    """sumy's language name for an article's code (``"en-GB"`` -> ``"english"``); English when
    the code is unknown or sumy has no such language."""
    lang = _by_code(code)
    if lang is None or lang.sumy is None:
        return "english"
    return lang.sumy


def snowball_name(code: str) -> str:
    """NLTK's Snowball stemmer name for an article's code (``"de-AT"`` -> ``"german"``); ``""``
    when its words are not to be stemmed (unknown code or no Snowball stemmer)."""
    lang = _by_code(code)
    if lang is None or lang.snowball is None:
        return ""
    return lang.snowball
