"""Clean plain text saved from a news page ("scraped" ``.txt`` articles).

The form, line by line (blank lines between are ignored):

* an optional breadcrumb of section names run together ("Asia PacificPeaceWar");
* the headline, then an optional one-line standfirst (subtitle);
* optional byline / date lines ("By Jane Doe", "Published 12 October 2018");
* body paragraphs, one per line, the first possibly opening with a dateline
  ("KABUL (AFP) —");
* a credit line ("With reporting from AFP", "— Reuters");
* clutter anywhere: teaser headlines of other articles, navigation ("Related Articles",
  "Back to top button", "Share this"), cookie and newsletter prompts, captions, copyright.

:func:`clean_scraped_text` keeps the headline, standfirst and body (verbatim lines),
records breadcrumb sections, credit, byline and date as metadata, drops the rest and
says in ``report`` why each line was dropped.

Every classifier looks at no more than :data:`MAX_EXAMINED` characters of a line, and the
regular expressions have no nested quantifiers, so the work is linear in the input size.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from html import escape

from digest.boilerplate import (
    BYLINE_BY_PREFIX,
    BYLINE_IN_PLACE,
    BYLINE_NAME_IN_PLACE,
    BYLINE_ROLE,
    BYLINE_SEPARATORS,
    CAPTION_CREDIT_TAIL,
    CAPTION_LINE_ANY,
    CAPTION_LINE_PREFIX,
    CREDIT_LINE,
    DASH_CREDIT_LINE,
    DATELINE_AGENCY,
    DATELINE_LINE,
    MONTHS,
    NAV_LINE_PREFIX,
    NAV_LINES,
    NAV_LINES_OTHER,
    RELATED_HEADING,
    TOOLBAR_CORE,
    TOOLBAR_WORDS,
    has_date,
    phrases,
)
from digest.clean.evidence import (
    Prose,
    content_words,
    densest_run,
    is_bullet,
    is_cjk,
    page_language,
    prose_of,
)
from digest.clean.lines import (
    LineFacts,
    headline_model,
    model,
    probabilities,
    stage_probability,
)
from digest.clean.types import Cleaned

__all__ = ["clean_scraped_text", "split_breadcrumb", "parse_date_text", "classify_clutter"]

# A line on this many pages of a folder is the site's furniture (see common_lines).
COMMON_MIN_PAGES = 3
_DIGITS = re.compile(r"\d+")
# Characters of a line the classifiers look at; longer lines are judged on this prefix.
MAX_EXAMINED = 400
# Longest line that can be a headline, standfirst, breadcrumb, byline or date.
_MAX_TITLE = 250
_MAX_STANDFIRST = 400
_STRIP = " \t\r\n\f\v\ufeff\u200b\u00a0\u3000"
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)

# ----------------------------------------------------------------- navigation & clutter


# Navigation, caption, credit, byline and dateline patterns live in digest.boilerplate
# (shared with the summarizer); the page-only clutter (copyright, prompts) is here.

_COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s|all rights reserved)|all rights reserved")

_COOKIE = re.compile(r"\bcookies?\b")
_COOKIE_CONTEXT = re.compile(
    r"\b(?:we use|uses|using|accept|consent|policy|settings|preferences|manage|agree|continu"
    r"|browsing|experience|privacy|personali[sz]e|third[- ]party|partners)"
)
_NEWSLETTER = re.compile(r"\bnewsletters?\b|\binbox\b|\bemail alerts?\b|\bbreaking news alerts?\b")
_NEWSLETTER_CONTEXT = re.compile(
    r"\b(?:sign(?:ing)? up|subscrib|delivered|get (?:the|our)|straight to|direct to|your inbox"
    r"|enter your|email address|free\b|daily|weekly|morning|evening|briefing|don't miss"
    r"|thank you for|you're (?:now )?(?:signed|subscribed)|unsubscribe)"
)
_PROMPT = re.compile(
    r"\b(?:enter your email|your email address|by (?:signing up|subscribing|clicking)"
    r"|unsubscribe at any time|thank(?:s| you) for (?:signing up|subscribing|reading)"
    r"|privacy notice|ad ?blocker|disable your ad|whitelist us|turn off your ad"
    r"|your browser (?:does not|doesn't|is not)|update your browser|(?:free|premium) articles? left"
    r"|subscribe to (?:read|continue|unlock)|this article is for subscribers"
    r"|unlimited (?:digital )?access|start your free trial|log ?in to (?:continue|read|comment)"
    r"|comments? (?:are|have been) (?:closed|disabled)|be the first to comment"
    r"|view the discussion|community guidelines"
    r"|(?:our|independent) journalism (?:depends|relies) on"
    r"|support (?:independent|our) (?:journalism|reporting)|(?:please )?donate (?:now|today)"
    r"|make a (?:donation|contribution)"
    r"|become a (?:patron|supporter|member)|unterstützen sie (?:unseren|unabhängigen) journalismus"
    r"|soutenez (?:notre|le) journalisme|apoya (?:nuestro|el) periodismo"
    r"|(?:required|erforderliche|obligatoires?) (?:fields|felder|champs)"
    r"|notify me of|benachrichtige mich|save my name|meinen namen)\b"
)

_KEY_STRIP = " .:;,!?|>»›·•*#-_=()[]<>\"'~^"


def _key(line: str) -> str:
    """Lower-cased, quotes straightened, spaces collapsed, outer punctuation removed."""
    s = line[:MAX_EXAMINED].translate(_QUOTES).lower()
    s = " ".join(s.split())
    return s.strip(_KEY_STRIP)


def classify_clutter(line: str) -> str | None:
    """The kind of clutter a line is ("navigation", "cookie prompt", "newsletter prompt",
    "prompt", "caption", "copyright", "reading time"), or None if it may be article text.

    Navigation phrases and copyright notices are recognised at any length; the other kinds
    only in lines of at most 300 characters (a long line is article text).
    """
    key = _key(line)
    if not key:
        return "navigation" if line.strip(_STRIP) else None
    if key in NAV_LINES or key in NAV_LINES_OTHER:
        return "navigation"
    if _COPYRIGHT.search(key) and len(line) <= 300:
        return "copyright"
    if len(line) > 300:
        return None
    return _short_line_clutter(key, len(line))


def _short_line_clutter(key: str, length: int) -> str | None:
    """The kind of clutter of a line of at most 300 characters (checked in this order)."""
    if CAPTION_LINE_PREFIX.match(key) or (
        length <= 250 and (CAPTION_LINE_ANY.search(key) or CAPTION_CREDIT_TAIL.search(key))
    ):
        return "caption"
    prompt = _prompt_kind(key)
    if prompt:
        return prompt
    if _is_reading_time(key):
        return "reading time"
    if NAV_LINE_PREFIX.match(key) and length <= 200:
        return "navigation"
    if _is_toolbar(key):
        return "navigation"
    return None


def _prompt_kind(key: str) -> str | None:
    """ "cookie prompt", "newsletter prompt" or "prompt" (paywall, ad blocker, comments)."""
    if _COOKIE.search(key) and _COOKIE_CONTEXT.search(key):
        return "cookie prompt"
    if _NEWSLETTER.search(key) and _NEWSLETTER_CONTEXT.search(key):
        return "newsletter prompt"
    if _PROMPT.search(key):
        return "prompt"
    return None


def _is_toolbar(key: str) -> bool:
    """A short line made only of sharing / tool-bar words and numbers, one a core word."""
    words = key.replace("|", " ").split()
    return (
        len(words) <= 14
        and all(w in TOOLBAR_WORDS or w.isdigit() for w in words)
        and any(w in TOOLBAR_CORE for w in words)
    )


# ----------------------------------------------------------------- credit & byline


def _credit(line: str) -> bool:
    if len(line) > 250:
        return False
    key = " ".join(line[:MAX_EXAMINED].translate(_QUOTES).lower().split()).strip(" .")
    if CREDIT_LINE.search(key):
        return True
    m = DASH_CREDIT_LINE.match(line.strip(_STRIP))
    if m:
        rest = m.group(1)
        words = rest.split()
        return (
            len(words) <= 8
            and not rest.rstrip().endswith((".", "?", "!"))
            or (rest.lower().startswith(("with files", "with reporting", "additional reporting")))
        )
    return False


_NAME_WORD = re.compile(r"^(?:[A-Z\u00c0-\u00de][\w'\u2019.\-]*|[A-Z]\.)$")
_NAME_PARTICLES = frozenset(
    "de del della van von der den da di du la le bin ibn al el and & y".split()
)


def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 8:
        return False
    if words[0].lower() in _NAME_PARTICLES:
        return False
    capitals = 0
    for w in words:
        if w.lower() in _NAME_PARTICLES:
            continue
        if not _NAME_WORD.match(w):
            return False
        capitals += 1
    return capitals >= 1


def byline_name(line: str) -> str | None:
    """The author named by a byline line ("By Jane Doe", "Jane Doe, Staff Writer"), or None."""
    s = line.strip(_STRIP)
    if len(s) > 150 or not s:
        return None
    m = BYLINE_BY_PREFIX.match(s)
    if m:
        rest = s[m.end() :]
        name = BYLINE_SEPARATORS.split(rest, maxsplit=1)[0].strip(" .")
        name = BYLINE_IN_PLACE.sub("", name)
        if name.startswith(("the ", "a ", "an ")):
            return None
        return name if _is_name(name) else None
    parts = BYLINE_SEPARATORS.split(s, maxsplit=1)
    if len(parts) == 2:
        name, role = parts[0].strip(), parts[1]
        name = BYLINE_IN_PLACE.sub("", name)
        if (
            len(name.split()) >= 2
            and _is_name(name)
            and BYLINE_ROLE.search(role)
            and len(role) <= 60
        ):
            return name
    return None


# ----------------------------------------------------------------- dates

# Weekdays of the languages whose month names the reader knows (boilerplate.MONTHS): a
# date line may open with one ("Dienstag, 4. Juni 2019, 15:54", "lundi 3 juin 2019")
_WEEKDAYS = frozenset(
    """
    mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday
    sun sunday montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag lundi
    mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado
    domingo segunda-feira terça-feira quarta-feira quinta-feira sexta-feira segunda terça
    quarta quinta sexta lunedì martedì mercoledì giovedì venerdì sabato domenica maandag
    dinsdag woensdag donderdag vrijdag zaterdag zondag poniedziałek wtorek środa czwartek
    piątek sobota niedziela
    """.split()
)
_ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "bst": 60,
    "ist": 330,
    "cet": 60,
    "cest": 120,
    "eet": 120,
    "eest": 180,
    "wet": 0,
    "west": 60,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
    "et": None,
    "pt": None,
    "jst": 540,
    "kst": 540,
    "hkt": 480,
    "sgt": 480,
    "aest": 600,
    "aedt": 660,
    "awst": 480,
    "nzst": 720,
    "nzdt": 780,
    "msk": 180,
    "pkt": 300,
    "aft": 270,
    "gst": 240,
    "sast": 120,
    "eat": 180,
    "wat": 60,
    "cat": 120,
}
_DATE_PREFIX = re.compile(
    r"^(?:(?:first |originally )?published|(?:last )?updated|last modified|modified|posted"
    r"|date|dated|created|issued"
    # the same labels in the other languages of boilerplate.MONTHS
    r"|veröffentlicht|aktualisiert|zuletzt aktualisiert|stand|datum|publié|mis à jour"
    r"|publicado|actualizado|atualizado|pubblicato|aggiornato|gepubliceerd|bijgewerkt"
    r"|opublikowano|zaktualizowano|aktualizacja)"
    r"(?:\s+(?:on|at|am|um|le|el|em|il|op|dnia))?\s*:?\s*",
    re.IGNORECASE,
)
_UPDATED_LABELS = tuple(
    "updated|modified|aktualisiert|stand|mis à jour|actualizado|atualizado|aggiornato"
    "|bijgewerkt|zaktualizowano|aktualizacja".split("|")
)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?$"
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(am|pm|a\.m\.?|p\.m\.?)?$")
_OFFSET = re.compile(r"^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|º|°)?$")  # "1er juin", "1º de mayo"
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def _iso(dt: datetime, with_time: bool, tz_known: bool) -> str:
    if not with_time:
        return dt.date().isoformat()
    if tz_known:
        return dt.isoformat(timespec="seconds")
    return dt.replace(tzinfo=None).isoformat(timespec="seconds")


def parse_date_text(text: str) -> tuple[str, str] | None:
    """Parse a line that is only a date (after an optional "Published"/"Updated" label).

    Returns ``(kind, iso)`` where kind is "published", "updated" or "date", or None when the
    line is not just a date.  Ambiguous numeric dates (3/4/2018) are refused.
    """
    s = text.strip(_STRIP)
    if not s or len(s) > 120:
        return None
    kind = "date"
    m = _DATE_PREFIX.match(s)
    if m:
        label = m.group(0).lower()
        kind = "updated" if any(w in label for w in _UPDATED_LABELS) else "published"
        s = s[m.end() :]
    s = s.strip(" .:|")
    if not s:
        return None
    m = _ISO.match(s)
    if m:
        return _from_iso_match(kind, m)
    return _from_words(kind, s)


def _from_iso_match(kind: str, m: re.Match[str]) -> tuple[str, str] | None:
    y, mo, d, hh, mm, ss, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    tz_known = False
    if tz:
        off = _offset_minutes(tz)
        if off is not None:
            dt = dt.replace(tzinfo=timezone(timedelta(minutes=off)))
            tz_known = True
    return kind, _iso(dt, hh is not None, tz_known)


def _offset_minutes(tz: str) -> int | None:
    t = tz.lower()
    if t in _ZONES:
        return _ZONES[t]
    m = _OFFSET.match(t)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours <= 14 and minutes < 60:
            return sign * (hours * 60 + minutes)
    return None


class _NotADate(Exception):
    """A token that makes the line something other than a date."""


_FILLERS = frozenset(
    ("at", "on", "-", "–", "—", "·", "•", "/", "the", "of")
    # "am 4. Juni 2019 um 15:54 Uhr", "le 3 juin 2019 à 10:30", "el 4 de junio de 2019",
    # "4 giugno 2019 alle ore 15:54", "4 juni 2019 om 15:54", "4 czerwca 2019 r. o godz. 15:54"
    + ("am", "um", "uhr", "le", "à", "el", "de", "del", "às", "em", "il", "alle", "ore", "om")
    + ("r", "o", "godz")
)
_AM_PM = ("am", "pm", "a.m", "p.m")  # compared after a final "." is removed


@dataclass
class _DateParts:
    """The fields of a date read so far, token by token (None: not seen yet)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    offset: int | None = None  # minutes east of UTC, when the zone is known
    tz_seen: bool = False
    day_first: bool = False  # a dotted date read day first only because both could be
    twelve_hour: bool = False  # an am/pm time: the US way, so such a date is month first

    def result(self, kind: str) -> tuple[str, str] | None:
        """``(kind, iso)``, or None without a full, valid calendar date."""
        if self.year is None or self.month is None or self.day is None:
            return None
        if self.day_first and self.twelve_hour:  # "03.05.2020 07:00 AM": 5 March
            self.day, self.month = self.month, self.day
        try:
            dt = datetime(
                self.year, self.month, self.day, self.hour or 0, self.minute or 0, self.second or 0
            )
        except ValueError:
            return None
        if self.offset is not None:
            dt = dt.replace(tzinfo=timezone(timedelta(minutes=self.offset)))
        return kind, _iso(dt, self.hour is not None, self.offset is not None)


def _from_words(kind: str, s: str) -> tuple[str, str] | None:
    """A date written in words ("Friday 12 October 2018, 10:02 BST"), read token by token.

    Each token must be a filler (weekday, "at", "-"), or fill a field not yet filled: month
    name, four-digit year, day, unambiguous d/m/yyyy, clock time, time zone; anything else
    means the line is not a date.
    """
    tokens = s.replace(",", " ").replace("|", " ").replace("(", " ").replace(")", " ").split()
    if len(tokens) > 10:
        return None
    parts = _DateParts()
    i = 0
    try:
        while i < len(tokens):
            i += _read_token(parts, tokens, i)
    except _NotADate:
        return None
    return parts.result(kind)


def _read_token(parts: _DateParts, tokens: list[str], i: int) -> int:
    """Record ``tokens[i]`` in ``parts``; the number of tokens used (2 with a following
    "am"/"pm").  Raises :class:`_NotADate` for a token that belongs in no date."""
    tok = tokens[i]
    low = tok.lower().rstrip(".")
    nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    for reader in _TOKEN_READERS:
        used = reader(parts, tok, low, nxt)
        if used is not None:
            return used
    raise _NotADate


def _read_filler(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    return 1 if low in _WEEKDAYS or low in _FILLERS else None


def _read_month(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    if low not in MONTHS or parts.month is not None:
        return None
    parts.month = MONTHS[low]
    return 1


def _read_year(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    if not (low.isdigit() and len(low) == 4 and parts.year is None):
        return None
    parts.year = int(low)
    return 1


def _read_day(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    m = _DAY.match(low)
    if not m or parts.day is not None or nxt in ("am", "pm", "a.m.", "p.m."):
        return None
    parts.day = int(m.group(1))
    return 1


def _read_numeric_date(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    """12/10/2018 or 10.12.2018: day and month told apart by a number above 12 (WIRED
    writes 01.21.2020); when both could be the month, dots are read day first (05.06.2019
    in German, Polish, Dutch...) unless the time is on a 12-hour clock (see
    _DateParts.result), and slashes (3/4/2018: US or British?) are refused."""
    m = _NUMERIC.match(tok)
    if not m or parts.year is not None:
        return None
    a, b, y = (int(x) for x in m.groups())
    if a > 12 >= b:
        parts.day, parts.month = a, b
    elif b > 12 >= a:
        parts.day, parts.month = b, a
    elif a == b or "." in tok:
        parts.day, parts.month = a, b
        parts.day_first = a != b
    else:
        raise _NotADate  # ambiguous: 3/4/2018
    parts.year = y
    return 1


def _read_clock(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    """10:02, 10.02am, 10:02 p.m. (the am/pm may be the next token)."""
    if parts.hour is not None:
        return None
    if not (_TIME.match(low + ("." if tok.endswith(".") else "")) or _TIME.match(tok.lower())):
        return None
    tm = _TIME.match(tok.lower()) or _TIME.match(low)
    assert tm is not None  # one of the two matched above
    used = 1
    ampm = tm.group(4)
    if ampm is None and nxt.rstrip(".") in _AM_PM:
        ampm = nxt
        used = 2
    hour = int(tm.group(1))
    parts.hour = _twenty_four(hour, ampm) if ampm else hour
    parts.twelve_hour = bool(ampm)
    parts.minute = int(tm.group(2))
    parts.second = int(tm.group(3) or 0)
    return used


def _read_hour(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    """A bare hour followed by am/pm: "10 am"."""
    if parts.hour is not None or not low.isdigit() or nxt.rstrip(".") not in _AM_PM:
        return None
    parts.hour, parts.minute, parts.second = _twenty_four(int(low), nxt), 0, 0
    parts.twelve_hour = True
    return 2


def _read_zone(parts: _DateParts, tok: str, low: str, nxt: str) -> int | None:
    if parts.tz_seen or not (low in _ZONES or _OFFSET.match(low)):
        return None
    parts.tz_seen = True
    parts.offset = _offset_minutes(low)
    return 1


def _twenty_four(hour: int, ampm: str) -> int:
    """The hour of a 12-hour clock reading on the 24-hour clock."""
    if hour > 12:
        raise _NotADate
    if ampm.startswith("p") and hour != 12:
        return hour + 12
    if ampm.startswith("a") and hour == 12:
        return 0
    return hour


# In this order: the first reader that recognises a token takes it.
_TOKEN_READERS = (
    _read_filler,
    _read_month,
    _read_year,
    _read_day,
    _read_numeric_date,
    _read_clock,
    _read_hour,
    _read_zone,
)


# ----------------------------------------------------------------- breadcrumb

# Sections of news sites, for one-word breadcrumbs and for names that contain capitals
# inside words (which the camel-case split must not cut).
_KNOWN_SECTIONS = phrases(
    """
    world|news|politics|business|economy|markets|money|finance|sport|sports|football|soccer
    cricket|tennis|golf|rugby|technology|tech|science|health|opinion|comment|analysis
    culture|arts|entertainment|music|film|movies|books|lifestyle|travel|food|environment
    climate|education|uk|us|u.s.|europe|asia|africa|americas|middle east|asia pacific
    australia|canada|china|india|latin america|north america|south asia|east asia|local
    national|international|weather|science & environment|world news|us news|uk news
    peace|war|conflict|elections|crime|justice|law|society|religion|media|energy|property
    features|investigations|obituaries|letters|editorials|fact check|explainers|video|global
    """
)
_CAMEL_WORDS = (
    "McDonald",
    "McCain",
    "McConnell",
    "MacArthur",
    "iPhone",
    "iPad",
    "YouTube",
    "LinkedIn",
    "PayPal",
    "TikTok",
    "WhatsApp",
    "OpenAI",
    "JPMorgan",
    "BlackRock",
    "FedEx",
    "eBay",
    "GitHub",
    "SpaceX",
    "DeepMind",
    "WikiLeaks",
    "FactCheck",
    "PlayStation",
    "NatWest",
    "HarperCollins",
    "PwC",
    "BioNTech",
    "AstraZeneca",
    "GlaxoSmithKline",
    "ExxonMobil",
)
_CAMEL_SPLIT = re.compile(
    r"(?<=[a-z\u00df-\u00ff)\x01])(?=[A-Z\u00c0-\u00de\x00])|(?<=[A-Z])(?=[A-Z][a-z])"
)
_CRUMB_SEPARATORS = re.compile(r"\s*(?:>|»|›|/|\||·|•|→|::)\s*")
_CONNECTORS = frozenset("& and of the for in on at de y".split())
_HOME = frozenset(("home", "homepage", "start", "front page", "frontpage"))


def split_breadcrumb(line: str) -> tuple[str, ...] | None:
    """Section names of a breadcrumb line, or None if the line is not a breadcrumb.

    Run-together names are split where a lower-case letter is directly followed by a capital
    ("Asia PacificPeaceWar" -> Asia Pacific, Peace, War) and where an acronym runs into a
    word ("UKPolitics" -> UK, Politics); names separated by spaces stay whole.  Explicit
    separators (">", "/", "|", "»") also work.  Known mixed-case words (McDonald, iPhone) are
    not cut.  A line with a lower-case word or final punctuation is not a breadcrumb; a single
    name counts only when it is a known section ("World").
    """
    s = line.strip(_STRIP)
    if not s or len(s) > 120 or s[-1] in ".!?,;:\"'\u201d\u2019":
        return None
    explicit = _CRUMB_SEPARATORS.search(s) is not None
    parts = _crumb_parts(s, explicit)
    if not 1 <= len(parts) <= 10 or not all(_is_section_name(p) for p in parts):
        return None
    if not explicit and not _plausible_run_together(parts):
        return None
    return tuple(p for p in parts if p.lower() not in _HOME) or None


def _crumb_parts(s: str, explicit: bool) -> list[str]:
    """The names of a would-be breadcrumb: cut at explicit separators, then where names run
    together."""
    chunks = [c for c in _CRUMB_SEPARATORS.split(s) if c] if explicit else [s]
    return [piece for chunk in chunks for piece in _camel_pieces(chunk)]


def _camel_pieces(chunk: str) -> list[str]:
    """``chunk`` cut where names run together, known mixed-case words kept whole."""
    protected = chunk
    for i, word in enumerate(_CAMEL_WORDS):
        protected = protected.replace(word, f"\x00{i}\x01")
    pieces = []
    for piece in _CAMEL_SPLIT.split(protected):
        for i, word in enumerate(_CAMEL_WORDS):
            piece = piece.replace(f"\x00{i}\x01", word)
        piece = piece.strip()
        if piece:
            pieces.append(piece)
    return pieces


def _is_section_name(part: str) -> bool:
    """At most four words, each capitalised (or a number, or a connector such as "and")."""
    words = part.split()
    if len(words) > 4:
        return False
    return all(w.lower() in _CONNECTORS or w[0].isupper() or w[0].isdigit() for w in words)


def _plausible_run_together(parts: list[str]) -> bool:
    """Without explicit separators: one name must be a known section ("World"), and one-word
    names split off single letters ("AB" -> "A", "B") are no breadcrumb."""
    if len(parts) == 1:
        return parts[0].lower() in _KNOWN_SECTIONS
    return not (all(len(p.split()) == 1 for p in parts) and any(len(p) == 1 for p in parts))


# ----------------------------------------------------------------- dateline


def dateline_of(line: str) -> tuple[str, str | None] | None:
    """``(dateline, agency)`` when ``line`` opens with a dateline, else None."""
    m = DATELINE_LINE.match(line[:160])
    if not m:
        return None
    text = m.group(0).strip()
    head = text.rstrip("\u2014\u2013-: ").strip()
    if not head or head.upper() == head and len(head.replace(" ", "")) < 3:
        return None
    a = DATELINE_AGENCY.search(text)
    return text, (a.group(1).strip() if a else None)


# ----------------------------------------------------------------- the cleaner

_TERMINAL = ".!?\u2026:;"
_CLOSERS = "\"'\u2019\u201d\u00bb)]}*_ "


def _open_ended(line: str) -> bool:
    """True when a line has no final punctuation (headline-like)."""
    s = line.rstrip(_CLOSERS + _STRIP)
    return bool(s) and s[-1] not in _TERMINAL


def _title_like(line: str) -> bool:
    if len(line) > 200 or not _open_ended(line):
        return False
    words = line.split()
    return 1 <= len(words) <= 25 and ". " not in line[:MAX_EXAMINED].rstrip(_CLOSERS)


def _show(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


class LineKind(Enum):
    """What the cleaner decided a (non-blank) line of the page is."""

    UNDECIDED = "undecided"  # not judged yet (no line keeps this kind at the end)
    CLUTTER = "clutter"  # navigation, prompt, caption, copyright: dropped
    DATE = "date"  # a published / updated date: metadata
    CREDIT = "credit"  # "With reporting from AFP": metadata
    EXTRA_CREDIT = "extra credit"  # a credit line after the first: dropped
    BYLINE = "byline"  # "By Jane Doe", "Jane Doe in Nairobi": metadata
    BREADCRUMB = "breadcrumb"  # "Asia PacificPeaceWar": metadata (sections)
    TITLE = "title"  # the headline
    STANDFIRST = "standfirst"  # the subtitle right under the headline (description)
    HEADING = "heading"  # a subheading between body paragraphs: kept (not a paragraph)
    ITEM = "item"  # a list item or a line of figures in the body: kept (not a paragraph)
    TEASER = "teaser"  # another article's headline or teaser: dropped
    BODY = "body"  # an article paragraph, kept verbatim

    @property
    def dropped(self) -> bool:
        return self in _DROPPED

    @property
    def metadata(self) -> bool:
        return self in _METADATA


_DROPPED = frozenset((LineKind.CLUTTER, LineKind.EXTRA_CREDIT, LineKind.TEASER))
_METADATA = frozenset((LineKind.DATE, LineKind.CREDIT, LineKind.BYLINE, LineKind.BREADCRUMB))


@dataclass
class _Line:
    """One non-blank line of the page: its number, stripped text and verdict (with why)."""

    no: int
    text: str
    kind: LineKind = LineKind.UNDECIDED
    reason: str = ""

    def mark(self, kind: LineKind, reason: str) -> None:
        self.kind = kind
        self.reason = reason


@dataclass
class _Page:
    """The lines of a page and what the passes found so far."""

    lines: list[_Line]
    dates: dict[str, str] = field(default_factory=dict)  # kind ("published", ...) -> ISO
    credit: str | None = None
    byline: str | None = None
    sections: tuple[str, ...] = ()
    title: str | None = None
    description: str | None = None
    span: tuple[int, int] = (0, 0)  # indexes into lines of the article's run of prose
    language: str | None = None
    # No running text: the body is the largest block of lines (see _block_span), and the
    # line model, which judges lines against the article's prose, has nothing to go by.
    prose_free: bool = False

    def undecided(self) -> list[_Line]:
        return [ln for ln in self.lines if ln.kind is LineKind.UNDECIDED]


def clean_scraped_text(text: str, common: frozenset[str] = frozenset()) -> Cleaned:
    """Clean one scraped plain-text article; never raises for a ``str``.

    ``common`` holds the keys of lines found on many pages of the same folder (see
    :func:`common_lines`): boilerplate, whatever its language."""
    try:
        return _clean(text, common)
    except Exception as exc:  # pragma: no cover - a bug: keep the build going, say so
        lines = [ln.strip(_STRIP) for ln in str(text).splitlines()]
        return Cleaned(
            title=None,
            description=None,
            paragraphs=tuple(ln for ln in lines if ln),
            report=(f"clean: internal error ({type(exc).__name__}); kept every line",),
        )


def common_lines(texts: Iterable[str], min_pages: int = COMMON_MIN_PAGES) -> frozenset[str]:
    """Keys (see :func:`line_key`) of the lines found on at least ``min_pages`` of the pages:
    site furniture (menus, footers, prompts) repeats from page to page, article text does not.
    Each page counts a line once; lines longer than :data:`MAX_EXAMINED` are not counted."""
    counts: Counter[str] = Counter()
    for text in texts:
        keys = {line_key(ln) for ln in text.splitlines() if 0 < len(ln.strip()) <= MAX_EXAMINED}
        keys.discard("")
        counts.update(keys)
    return frozenset(k for k, n in counts.items() if n >= min_pages)


def line_key(line: str) -> str:
    """A line as :func:`common_lines` compares it: lower case, spaces collapsed, digits
    as 0 (so "3 comments" and "12 comments" are the same line)."""
    return _DIGITS.sub("0", _key(line))


def _clean(text: str, common: frozenset[str] = frozenset()) -> Cleaned:
    """The rule passes, then the learned line model's second opinion (see
    :mod:`digest.clean.lines`)."""
    page, prose = _rule_passes(text, common)
    _learned_pass(page, prose)
    return _cleaned(page)


_Chooser = Callable[[list[_Line], int, int, int, str | None], int | None]


def _rule_passes(
    text: str, common: frozenset[str], choose: _Chooser | None = None
) -> tuple[_Page, dict[int, Prose]]:
    """The passes, each deciding some of the lines the earlier ones left undecided
    (``choose`` picks the headline: :func:`_choose_title` unless told)."""
    page = _Page(
        [_Line(i, s) for i, raw in enumerate(text.splitlines(), 1) if (s := raw.strip(_STRIP))]
    )
    # 1. Lines that are clutter or metadata wherever they are, or on many pages of the folder.
    in_lists = _dash_runs(page.lines)
    for i, ln in enumerate(page.lines):
        if common and line_key(ln.text) in common:
            ln.mark(LineKind.CLUTTER, "on many pages of the folder")
        else:
            _mark_clutter_or_metadata(page, ln, in_list=i in in_lists)
    _mark_comment_thread(page)
    # 2. The article: the densest run of prose, then the headline near it.
    language = page_language([ln.text for ln in page.lines if ln.kind is LineKind.UNDECIDED])
    page.language = language
    prose = {ln.no: prose_of(ln.text, language) for ln in page.undecided()}
    start, end = _article_span(page.lines, prose)
    if start == end:
        # No running text at all (a table of results, a list): the page's largest block of
        # lines that are neither clutter nor repeated across the folder is its body.
        start, end = _block_span(page.lines)
        page.span = (start, end)
        page.prose_free = True
        rest = [ln for ln in page.lines[start:end] if ln.kind is LineKind.UNDECIDED]
        title = next((ln for ln in rest[:_TITLE_WINDOW] if _is_headline(ln.text)), None)
        if title is not None and len(rest) > 1:
            title.mark(LineKind.TITLE, "title (first headline-like line; no prose on the page)")
            page.title = title.text
        for ln in rest:
            if ln.kind is LineKind.UNDECIDED:
                ln.mark(LineKind.BODY, "")
        _mark_outside(page)
        return page, prose
    page.span = (start, end)
    rest = _mark_head(page, start, end, prose, language, choose or _choose_title)
    # 3. The body: paragraphs, subheadings and list items; teasers and furniture dropped.
    _mark_body(page, rest, prose)
    _mark_outside(page)
    return page, prose


# ----------------------------------------------------------------- the line model

_VERDICT_OF_REASON = (
    ("on many pages", "common"),
    ("comment thread", "comment"),
    ("menu", "menu"),
    ("related", "related"),
    ("outside the article", "outside"),
    ("above the headline", "above"),
    ("introduces no paragraph", "short"),
)


def _verdict_group(ln: _Line) -> str:
    """The rule verdict of a line as one of :data:`digest.clean.lines.VERDICTS`."""
    kind = ln.kind
    if kind.metadata:
        return "metadata"
    if kind in (LineKind.TEASER, LineKind.CLUTTER, LineKind.EXTRA_CREDIT):
        for part, group in _VERDICT_OF_REASON:
            if part in ln.reason:
                return group
        return "teaser" if kind is LineKind.TEASER else "clutter"
    return {
        LineKind.TITLE: "title",
        LineKind.STANDFIRST: "standfirst",
        LineKind.HEADING: "heading",
        LineKind.ITEM: "item",
    }.get(kind, "body")


def _facts(page: _Page, prose: dict[int, Prose]) -> tuple[list[LineFacts], int | None]:
    facts = [
        LineFacts(ln.text, _verdict_group(ln), p.value if (p := prose.get(ln.no)) else None)
        for ln in page.lines
    ]
    title_at = next((i for i, ln in enumerate(page.lines) if ln.kind is LineKind.TITLE), None)
    return facts, title_at


def line_facts(
    text: str, common: frozenset[str] = frozenset()
) -> tuple[list[LineFacts], tuple[int, int], int | None, str | None]:
    """What the rule passes make of each non-blank line of a page, for training the line
    model (``bench/train_lines.py``): the facts, the article span, the headline's index and
    the page's language."""
    page, prose = _rule_passes(text, common)
    facts, title_at = _facts(page, prose)
    return facts, page.span, title_at, page.language


# Pages longer than this (real article pages have a few hundred lines) keep the rules'
# verdicts: the model costs about 0.1 ms a line in plain Python.
_MAX_MODEL_LINES = 5000
_KEEPABLE = (LineKind.BODY, LineKind.HEADING, LineKind.ITEM)
_JUDGED = (*_KEEPABLE, LineKind.CLUTTER, LineKind.TEASER, LineKind.EXTRA_CREDIT)


def _learned_pass(page: _Page, prose: dict[int, Prose]) -> None:
    """Let the line model keep or drop each line the rules kept or dropped (the headline,
    standfirst and metadata stay as the rules found them; lines above the headline may come
    back, as the rules' headline is sometimes a line inside the article; both thresholds
    are learned, see ``bench/train_lines.py``; a page without running text keeps the
    rules' block).  When the model
    would keep no body line where the rules kept some, the rules' verdicts stand: never an
    empty body.  A short line opening a list brought back is the list's subheading."""
    if not page.lines or len(page.lines) > _MAX_MODEL_LINES or page.prose_free:
        return
    facts, title_at = _facts(page, prose)
    probs = probabilities(facts, page.span, title_at, page.language)
    keep_at, drop_below = float(model()["keep"]), float(model()["drop"])
    changes: list[tuple[_Line, LineKind, str]] = []
    for i, (ln, p) in enumerate(zip(page.lines, probs, strict=True)):
        if ln.kind not in _JUDGED:
            continue
        if p >= keep_at and ln.kind not in _KEEPABLE:
            nxt = page.lines[i + 1] if i + 1 < len(page.lines) else None
            kind = _kept_kind(ln, nxt, prose)
            changes.append((ln, kind, f"kept by the line model (p={p:.2f})"))
        elif p < drop_below and ln.kind in _KEEPABLE:
            changes.append((ln, LineKind.CLUTTER, f"line model (p={p:.2f})"))
    changes = _list_headings(changes)
    body_after = {ln.no for ln in page.lines if ln.kind is LineKind.BODY}
    for ln, kind, _ in changes:
        body_after.discard(ln.no)
        if kind is LineKind.BODY:
            body_after.add(ln.no)
    if not body_after and any(ln.kind is LineKind.BODY for ln in page.lines):
        return
    for ln, kind, reason in changes:
        ln.mark(kind, reason)


def _list_headings(
    changes: list[tuple[_Line, LineKind, str]],
) -> list[tuple[_Line, LineKind, str]]:
    """The first of a run of lines brought back as list items is the list's heading
    ("Ingredients" over "200 g flour", "2 eggs") when it is a few words with no figures."""
    out = list(changes)
    for k, (ln, kind, reason) in enumerate(changes):
        if kind is not LineKind.ITEM or k + 1 >= len(changes):
            continue
        nxt, nxt_kind, _ = changes[k + 1]
        opens = k == 0 or changes[k - 1][0].no != ln.no - 1 or changes[k - 1][1] is not kind
        if (
            opens
            and nxt.no == ln.no + 1
            and nxt_kind is LineKind.ITEM
            and len(ln.text.split()) <= 4
            and not _DIGITS.search(ln.text)
            and not is_bullet(ln.text)
        ):
            out[k] = (ln, LineKind.HEADING, reason)
    return out


def _kept_kind(ln: _Line, nxt: _Line | None, prose: dict[int, Prose]) -> LineKind:
    """How a line the rules dropped and the model keeps is shown: a paragraph; a subheading
    when a paragraph follows it; else a list item (ingredients, steps, figures)."""
    kind = prose.get(ln.no)
    if kind in (Prose.GOOD, Prose.NEAR) or not _open_ended(ln.text):
        return LineKind.BODY
    if not is_bullet(ln.text) and nxt is not None and prose.get(nxt.no) is Prose.GOOD:
        return LineKind.HEADING
    return LineKind.ITEM


def _block_span(lines: list[_Line]) -> tuple[int, int]:
    """``(start, end)`` of the run of lines with most undecided lines against dropped ones
    (a dropped line costs two undecided ones; metadata costs nothing)."""
    scores = [
        1.0 if ln.kind is LineKind.UNDECIDED else 0.0 if ln.kind.metadata else -2.0 for ln in lines
    ]
    return densest_run(scores)


# "Jane says:", "Jane Doe on 12 May 2020 at 10:02 said:", "Max schrieb am 3. Mai:" ...
_SAYS = (
    r"(?:says|said|wrote|writes|sagt|sagte|schreibt|schrieb|dit|a dit|écrit|a écrit|dice|dijo"
    r"|escribió|diz|disse|escreveu|ha detto|scrive|ha scritto)"
)
_COMMENT_HEADER = re.compile(
    rf"^\S.{{0,80}}?\s{_SAYS}(?:\s(?:am|on|le|el|em|il)\s.{{3,40}})?\s*:$"
    rf"|^\S.{{0,60}}?\s(?:on|am|le|el|em|il)\s.{{3,50}}?\s{_SAYS}\s*:?$",
    re.IGNORECASE,
)


def _mark_comment_thread(page: _Page) -> None:
    """Readers' comments: with two comment headers or more ("Jane says:"), the lines from
    the first one on are a comment thread (one such line alone decides nothing)."""
    heads = [
        i
        for i, ln in enumerate(page.lines)
        if ln.kind is LineKind.UNDECIDED and len(ln.text) <= 140 and _COMMENT_HEADER.match(ln.text)
    ]
    if len(heads) < 2:
        return
    for ln in page.lines[heads[0] :]:
        if ln.kind is LineKind.UNDECIDED:
            ln.mark(LineKind.CLUTTER, "comment thread")


def _dash_runs(lines: list[_Line]) -> set[int]:
    """Indexes of lines opening with a dash next to another such line: a list, not a
    "— Reuters" credit."""
    dash = [bool(DASH_CREDIT_LINE.match(ln.text)) for ln in lines]
    return {
        i
        for i, d in enumerate(dash)
        if d and ((i > 0 and dash[i - 1]) or (i + 1 < len(dash) and dash[i + 1]))
    }


# ----------------------------------------------------------------- pass 1: anywhere


def _mark_clutter_or_metadata(page: _Page, ln: _Line, in_list: bool = False) -> None:
    """Clutter, or (for lines up to the length of a headline) a date, credit or byline
    (a line of a dashed list is no credit)."""
    clutter = classify_clutter(ln.text)
    if clutter:
        ln.mark(LineKind.CLUTTER, clutter)
    elif len(ln.text) <= _MAX_TITLE:
        marks = (_mark_date, _mark_byline) if in_list else (_mark_date, _mark_credit, _mark_byline)
        for mark in marks:
            if mark(page, ln):
                return
        if not in_list and len(ln.text.split()) <= 6 and has_date(ln.text):
            # "Juni 2019, 15:54", "Stand: 12.06.19": a date the date reader cannot read
            # whole (no day or year, or words it does not know); never article text (a
            # dated list item stays)
            ln.mark(LineKind.CLUTTER, "a date line")


def _mark_date(page: _Page, ln: _Line) -> bool:
    parsed = parse_date_text(ln.text)
    if not parsed:
        return False
    kind, iso = parsed
    ln.mark(LineKind.DATE, f"{kind} date {iso}")
    page.dates.setdefault(kind, iso)
    return True


def _mark_credit(page: _Page, ln: _Line) -> bool:
    """The first credit line is recorded; later ones are dropped."""
    if not _credit(ln.text):
        return False
    if page.credit is None:
        page.credit = ln.text
        ln.mark(LineKind.CREDIT, "credit")
    else:
        ln.mark(LineKind.EXTRA_CREDIT, "credit (another)")
    return True


def _mark_byline(page: _Page, ln: _Line) -> bool:
    """A byline ("By Jane Doe") or a compound byline / date line ("By Jane Doe | 12 Oct
    2018", whose dates are recorded); the first name found is the article's byline."""
    name = None
    if any(c in ln.text for c in "|·•"):
        name = _compound_meta(ln.text, page.dates)
    if name is None:
        name = byline_name(ln.text)
    if name is None:
        return False
    if name and page.byline is None:
        page.byline = name
        ln.mark(LineKind.BYLINE, f"byline {name}")
    else:
        ln.mark(LineKind.BYLINE, "byline/date" if name == "" else "byline (another)")
    return True


def _compound_meta(line: str, dates: dict[str, str]) -> str | None:
    """Lines like "By Jane Doe | Published 12 Oct 2018 | 3 min read": the author's name
    ("" when there is none) if every part is a byline, a date or navigation, else None."""
    parts = [p for p in re.split(r"\s*[|·•]\s*", line[:MAX_EXAMINED]) if p.strip()]
    if len(parts) < 2 or len(parts) > 6:
        return None
    name = ""
    found: dict[str, str] = {}
    for p in parts:
        n = byline_name(p)
        if n is not None:
            name = name or n
            continue
        d = parse_date_text(p)
        if d:
            found.setdefault(d[0], d[1])
            continue
        if classify_clutter(p):
            continue
        return None
    for k, v in found.items():
        dates.setdefault(k, v)
    return name


# ----------------------------------------------------------------- pass 2: the head

# Line scores for the densest run (see evidence.densest_run): a paragraph counts by its
# words, the rest against.
_SCORE = {Prose.NEAR: 2.0, Prose.SHORT: -10.0, Prose.BAD: -10.0}
_DROPPED_SCORE = -8.0
_MAX_PARAGRAPH_SCORE = 60.0


# A further run of prose joins the article when it is worth this share of the densest run
# (and at least _MIN_MORE) and at most _MAX_GAP lines away: an article broken by a table,
# a picture gallery or a box keeps both halves.
_MORE_SHARE = 0.3
_MIN_MORE = 20.0
_MAX_GAP = 40


def _article_span(lines: list[_Line], prose: dict[int, Prose]) -> tuple[int, int]:
    """``(start, end)`` indexes into ``lines`` of the article: the densest run of prose,
    widened over the next densest runs on either side while they are substantial and near
    (the lines between are then judged one by one as body lines)."""
    scores = _line_scores(lines, prose)
    start, end = densest_run(scores)
    if end == 0:
        return start, end
    enough = max(_MIN_MORE, _MORE_SHARE * sum(scores[start:end]))
    while True:
        a, b = densest_run(scores[:start])
        if b and start - b <= _MAX_GAP and sum(scores[a:b]) >= enough:
            start = a
            continue
        a, b = densest_run(scores[end:])
        if b and a <= _MAX_GAP and sum(scores[end + a : end + b]) >= enough:
            end += b
            continue
        return start, end


def _line_scores(lines: list[_Line], prose: dict[int, Prose]) -> list[float]:
    """Each line's score for :func:`densest_run`: a paragraph counts by its length, other
    lines against."""
    scores = []
    for ln in lines:
        kind = prose.get(ln.no)
        if kind is Prose.GOOD:
            n = len(ln.text) / 6 if not is_cjk(ln.text) else len(ln.text) / 2
            scores.append(min(n, _MAX_PARAGRAPH_SCORE))
        elif kind is not None:
            scores.append(_SCORE[kind])
        elif ln.kind.metadata:
            scores.append(0.0)
        else:
            scores.append(_DROPPED_SCORE)
    return scores


_TITLE_WINDOW = 25  # undecided lines above the article looked at for its headline


def _mark_head(
    page: _Page,
    start: int,
    end: int,
    prose: dict[int, Prose],
    language: str | None,
    choose: _Chooser,
) -> list[_Line]:
    """Mark the headline (the best candidate near the article), the breadcrumb above it and
    the byline and standfirst under it; the undecided lines of the article after them."""
    lines = page.lines
    paras = [i for i in range(start, end) if prose.get(lines[i].no) is Prose.GOOD][:3]
    title_at = None
    for first_para in paras or [end]:  # a banner opening the run is no first paragraph
        title_at = choose(lines, start, first_para, end, language)
        if title_at is not None:
            break
    if title_at is None:
        return [ln for ln in lines[start:end] if ln.kind is LineKind.UNDECIDED]
    title = lines[title_at]
    title.mark(LineKind.TITLE, "title")
    page.title = title.text
    above = [ln for ln in lines[:title_at] if ln.kind is LineKind.UNDECIDED]
    if above and above[-1].no >= title.no - 3:
        _mark_breadcrumb(page, [above[-1], title])
    after = [
        ln for ln in lines[title_at + 1 : max(end, title_at + 1)] if ln.kind is LineKind.UNDECIDED
    ]
    _mark_name_in_place(page, after[:2])
    rest = [ln for ln in after if ln.kind is LineKind.UNDECIDED]
    if rest:
        _mark_standfirst(page, rest[0], rest[1] if len(rest) > 1 else None)
    for ln in lines[start:title_at]:
        if ln.kind is LineKind.UNDECIDED:
            ln.mark(LineKind.CLUTTER, "above the headline")
    body_from = max(start, title_at + 1)
    return [ln for ln in lines[body_from:end] if ln.kind is LineKind.UNDECIDED]


def _headline_above(lines: list[_Line], best: int, body_words: set[str], lang: str | None) -> int:
    """The headline over a standfirst: when the line just above the chosen one (metadata and
    clutter between aside) is headline-like too and shares words with it or the body, it is
    the headline and the chosen line its standfirst."""
    for i in range(best - 1, max(best - 4, -1), -1):
        ln = lines[i]
        if ln.kind is not LineKind.UNDECIDED:
            continue
        words = content_words(ln.text, lang)
        near = words & (body_words | content_words(lines[best].text, lang))
        headline = _is_headline(ln.text) and len(ln.text.split()) >= 3
        return i if headline and near else best
    return best


def _body_words(lines: list[_Line], first_para: int, end: int, language: str | None) -> set[str]:
    """Content words of the first three paragraphs of the body: what a headline shares."""
    words: set[str] = set()
    for ln in lines[first_para : min(end, first_para + 3)]:
        words |= content_words(ln.text, language)
    return words


def _choose_title(
    lines: list[_Line], start: int, first_para: int, end: int, language: str | None
) -> int | None:
    """The index of the headline among the headline-like lines above the first paragraph
    (the nearest :data:`_TITLE_WINDOW`): the one the learned headline scorer rates best
    (:data:`HEADLINE_FEATURES`: words shared with the first paragraphs and the article,
    place, shape); without a stored scorer, the one sharing most words with the first
    paragraphs, or with none sharing any, the nearest of three words or more."""
    body_words = _body_words(lines, first_para, end, language)
    candidates = _candidates(lines, first_para)
    if not candidates:
        return None
    learned = headline_model(HEADLINE_FEATURES)
    if learned is not None:
        rows = _headline_rows(lines, candidates, start, first_para, end, body_words, language)
        scores = [stage_probability(learned, row) for row in rows]
        return candidates[max(range(len(candidates)), key=lambda k: (scores[k], -k))]
    best, best_score = None, 0.0
    for rank, i in enumerate(candidates):
        cw = content_words(lines[i].text, language)
        if not cw:
            continue
        shared = len(cw & body_words) / len(cw) ** 0.5
        score = shared - 0.02 * rank
        if shared > 0 and score > best_score:
            best, best_score = i, score
    if best is not None:
        return _headline_above(lines, best, body_words, language)
    near = [i for i in candidates[:6] if len(lines[i].text.split()) >= 3 or is_cjk(lines[i].text)]
    return near[0] if near else candidates[0]


HEADLINE_FEATURES = (
    "shared with the first paragraphs / sqrt(words)",
    "share shared with the first paragraphs",
    "share shared with the article",
    "shares a word with the first paragraphs",
    "rank among candidates",
    "log rank",
    "log lines to the first paragraph",
    "log words",
    "3+ words",
    "6+ words",
    "a name of one to three words",
    "final punctuation",
    "colon",
    "capitalised share",
    "all caps",
    "inside the article span",
    "repeated on the page",
    "digits",
    "cjk",
    "log words of a candidate just above sharing words with it",
    "log words of a candidate just below sharing words with it",
    "bias",
)


def _headline_rows(
    lines: list[_Line],
    candidates: list[int],
    start: int,
    first_para: int,
    end: int,
    body_words: set[str],
    language: str | None,
) -> list[list[float]]:
    """One row of :data:`HEADLINE_FEATURES` per headline candidate (nearest first): how
    many words it shares with the first paragraphs and the article, where it sits, its
    shape (a person's name, a label, a sentence) -- for the learned headline scorer."""
    article: set[str] = set()
    for ln in lines[start:end]:
        article |= content_words(ln.text, language)
    seen = Counter(ln.text for ln in lines)
    words_of = [content_words(lines[i].text, language) for i in candidates]
    rows = []
    for rank, i in enumerate(candidates):
        text = lines[i].text
        cw = words_of[rank]
        # A headline over a standfirst: two headline-like lines a few lines apart that
        # share words (the nearer one is the standfirst).
        above = rank + 1 < len(candidates) and i - candidates[rank + 1] <= 3
        above = above and bool(words_of[rank + 1] & (cw | body_words))
        below = rank > 0 and candidates[rank - 1] - i <= 3
        below = below and bool(words_of[rank - 1] & (cw | body_words))
        n = len(text.split())
        shared = len(cw & body_words)
        caps = sum(1 for w in text.split() if w[:1].isupper()) / max(n, 1)
        rows.append(
            [
                shared / len(cw) ** 0.5 if cw else 0.0,
                shared / len(cw) if cw else 0.0,
                len(cw & article) / len(cw) if cw else 0.0,
                1.0 if shared else 0.0,
                float(rank),
                math.log1p(rank),
                math.log1p(first_para - i),
                math.log1p(n),
                1.0 if n >= 3 else 0.0,
                1.0 if n >= 6 else 0.0,
                1.0 if n <= 3 and _is_name(text) else 0.0,
                1.0 if not _open_ended(text) else 0.0,
                1.0 if ":" in text else 0.0,
                caps,
                1.0 if text.isupper() else 0.0,
                1.0 if i >= start else 0.0,
                1.0 if seen[text] > 1 else 0.0,
                1.0 if _DIGITS.search(text) else 0.0,
                1.0 if is_cjk(text) else 0.0,
                math.log1p(len(lines[candidates[rank + 1]].text.split())) if above else 0.0,
                math.log1p(len(lines[candidates[rank - 1]].text.split())) if below else 0.0,
                1.0,
            ]
        )
    return rows


def headline_candidates(
    text: str, common: frozenset[str] = frozenset()
) -> tuple[list[str], list[int], list[list[float]]]:
    """For training the headline scorer (``bench/train_lines.py``): the page's non-blank
    lines, the indexes of its headline candidates and their :data:`HEADLINE_FEATURES`
    rows (empty when the page has no run of prose)."""
    found: list[tuple[list[int], list[list[float]]]] = []

    def record(
        lines: list[_Line], start: int, first_para: int, end: int, language: str | None
    ) -> int | None:
        body_words = _body_words(lines, first_para, end, language)
        cands = _candidates(lines, first_para)
        if cands and not found:
            found.append(
                (cands, _headline_rows(lines, cands, start, first_para, end, body_words, language))
            )
        return cands[0] if cands else None

    page, _ = _rule_passes(text, common, choose=record)
    cands, rows = found[0] if found else ([], [])
    return [ln.text for ln in page.lines], cands, rows


def _candidates(lines: list[_Line], first_para: int) -> list[int]:
    """Indexes of the headline-like lines above the first paragraph, nearest first (at
    most :data:`_TITLE_WINDOW`)."""
    return [
        i
        for i in range(first_para - 1, -1, -1)
        if lines[i].kind is LineKind.UNDECIDED
        and _is_headline(lines[i].text)
        and not _in_numbered_list(lines, i)
    ][:_TITLE_WINDOW]


_NUMBER_FIRST = re.compile(r"^\d+(?:[.,/]\d+)?[.)]?\s")


def _in_numbered_list(lines: list[_Line], i: int) -> bool:
    """Line ``i`` opens with a number, and so does a line next to it: an item of a list of
    quantities or steps ("2 eggs" over "1 pinch of salt"), not a headline ("10 things to
    know about the pier" alone is one)."""
    if not _NUMBER_FIRST.match(lines[i].text):
        return False
    return any(
        0 <= j < len(lines) and _NUMBER_FIRST.match(lines[j].text) is not None
        for j in (i - 1, i + 1)
    )


def _mark_breadcrumb(page: _Page, candidates: list[_Line]) -> int:
    """Mark the first candidate as the breadcrumb when it is one, near the top and not the
    only candidate; how many candidates that used (0 or 1)."""
    if not candidates or not _before_any_body(page.lines, candidates[0], limit=3):
        return 0
    crumbs = split_breadcrumb(candidates[0].text)
    if crumbs is None or len(candidates) <= 1:
        return 0
    page.sections = crumbs
    candidates[0].mark(LineKind.BREADCRUMB, "breadcrumb -> sections " + ", ".join(crumbs))
    return 1


def _before_any_body(lines: list[_Line], first: _Line, limit: int) -> bool:
    """The first candidate line sits within the first ``limit`` lines of the page."""
    return sum(1 for ln in lines if ln.no < first.no and ln.kind.dropped) < limit + 3


def _is_headline(text: str) -> bool:
    """Short enough, headline-like (no final punctuation, or short), no dateline and none
    of the page furniture that looks like a headline (:func:`_not_a_headline`)."""
    return (
        len(text) <= _MAX_TITLE
        and (_open_ended(text) or len(text) <= 160)
        and dateline_of(text) is None
        and _not_a_headline(text) is None
    )


# Short lines that sit where headlines sit but are page furniture: a reading time ("11 minut
# czytania", "5 min read"), a contact address, a link, a photo credit, a quantity of a
# recipe ("200 g Mehl", "Für eine 26er Springform."), a label opening a list ("Tags:").
_READING_TIME = re.compile(
    r"\b\d+\s*(?:min\.?|mins|minut\w*|minuten|minutes?|minuto?s?|std\.?)(?!\w)", re.IGNORECASE
)
_READING_WORD = re.compile(
    r"read|lesen|lese|lesezeit|czyta|lectur|leitura|lettura|leestijd|läs|lukemis", re.IGNORECASE
)


def _is_reading_time(text: str) -> bool:
    """ "11 minut czytania", "5 min read", "Lesezeit: 4 Minuten", "3 min"."""
    words = text.split()
    return (
        len(words) <= 6
        and _READING_TIME.search(text) is not None
        and (len(words) <= 2 or _READING_WORD.search(text) is not None)
    )


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(
    r"^(?:fot\.|(?:foto|fotos|photo|photos|bild|bilder|symbolbild|image|credit|quelle|source|"
    r"zdj\w*)\b)"
    r"\s*[:./]?|^©|\(c\)\s",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"^(?:ca\.\s*)?\d+(?:[.,/]\d+)?\s*(?:g|kg|mg|ml|cl|dl|l|el|tl|oz|lbs?|cups?|tbsp|tsp|"
    r"stk|stück|prise|pck|pkg|päckchen|becher|dose|bund|tasse|msp|dag|łyżk\w*|szklank\w*)\b"
    r"|\b\d+(?:er|cm)\b.*\.$",
    re.IGNORECASE,
)
_LIST_SEPARATORS = re.compile(r"\s+[/|»>•·]\s+|\s*\|\s*|(?<=\w)>(?=\w)")
# "Tags: Cuba, Economía, Esteban Lazo", "Tópicos: País | Presidente Boric"
_LABELLED_LIST = re.compile(r"^[^:,.!?]{1,30}:\s*[^,|]{1,40}(?:\s*[,|]\s*[^,|]{1,40})+$")
_BY_NAME = re.compile(
    r"^(?i:by|von|par|por|di|door|av|przez|autor|author)\s+"
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+(?:\s+[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+){0,3}$"
)
_CLOCK_AND_YEAR = re.compile(
    r"\b\d{1,2}:\d{2}\b.*\b(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\b.*\b\d{1,2}:\d{2}\b"
)


def _not_a_headline(text: str) -> str | None:
    """Why a headline-like line cannot be the headline (None when it can): reading times,
    e-mail addresses, links, photo credits, recipe quantities, bylines, lines ending with
    a colon (a label over what follows), lists of short items separated by slashes, pipes
    or arrows (tags, breadcrumbs), labelled lists ("Topics: a, b, c") and a date with a
    clock time."""
    words = text.split()
    if _is_reading_time(text):
        return "reading time"
    if _EMAIL.search(text) and len(words) <= 8:
        return "e-mail address"
    if _URL.search(text) and len(words) <= 8:
        return "link"
    if len(words) <= 8 and _PHOTO_CREDIT.search(text):
        return "photo credit"
    if len(words) <= 8 and _QUANTITY.search(text):
        return "quantity"
    if text.rstrip().endswith(":"):
        return "label"
    parts = [p for p in _LIST_SEPARATORS.split(text) if p.strip()]
    if len(parts) >= 3 and all(len(p.split()) <= 4 for p in parts[:-1]):
        return "list of short items"
    if len(words) <= 6 and (byline_name(text) is not None or _BY_NAME.match(text)):
        return "byline"
    if _LABELLED_LIST.match(text) and (text.count(",") >= 2 or "|" in text):
        return "labelled list"
    if len(words) <= 10 and _CLOCK_AND_YEAR.search(text):
        return "date and time"
    return None


def _mark_name_in_place(page: _Page, lines: list[_Line]) -> None:
    """ "Jane Doe in Nairobi": a byline without "By", only right under the headline."""
    for ln in lines:
        m = BYLINE_NAME_IN_PLACE.match(ln.text)
        if m and _is_name(m.group(1)) and page.byline is None:
            page.byline = m.group(1)
            ln.mark(LineKind.BYLINE, f"byline {m.group(1)}")


def _mark_standfirst(page: _Page, cand: _Line, nxt: _Line | None) -> None:
    if _is_standfirst(cand, nxt, page.lines):
        cand.mark(LineKind.STANDFIRST, "description (standfirst)")
        page.description = cand.text


def _is_standfirst(cand: _Line, nxt: _Line | None, lines: list[_Line]) -> bool:
    """Is the line after the headline a standfirst (subtitle) rather than the first paragraph?

    Yes when it has no final punctuation, or when a byline / date line separates it from the
    next paragraph, or when the next paragraph opens with a dateline (and it does not).  (A
    short line holding a date in any language never gets here: pass 1 takes it as the
    page's date, or drops it.)
    """
    s = cand.text
    if len(s) > _MAX_STANDFIRST or nxt is None or dateline_of(s) is not None:
        return False
    if _open_ended(s):
        return len(s.split()) >= 4
    between = [ln for ln in lines if cand.no < ln.no < nxt.no]
    if any(ln.kind.metadata for ln in between):
        return True
    return dateline_of(nxt.text) is not None


# ----------------------------------------------------------------- pass 3: the body


def _mark_body(page: _Page, body: list[_Line], prose: dict[int, Prose]) -> None:
    """Each line of the article is a paragraph, a subheading or a list item, unless it is a
    teaser under a related-articles heading, a headline-like line after the last paragraph,
    a short line after the credit line that no paragraph follows, or part of a menu."""
    substantial = [i for i, ln in enumerate(body) if prose.get(ln.no) in (Prose.GOOD, Prose.NEAR)]
    last_real = substantial[-1] if substantial else -1
    credit_no = next((ln.no for ln in page.lines if ln.kind is LineKind.CREDIT), None)
    related = _in_related_block(body, _related_heading_no(page.lines, body), prose)
    menus = _menu_lines(body, prose)
    for i, ln in enumerate(body):
        kind = prose.get(ln.no)
        if related[i]:
            ln.mark(LineKind.TEASER, "teaser (after a related-articles heading)")
        elif i in menus:
            ln.mark(LineKind.CLUTTER, "menu (a run of one- and two-word lines)")
        elif kind in (Prose.SHORT, Prose.BAD) and i > last_real and _title_like(ln.text):
            ln.mark(LineKind.TEASER, "teaser")
        elif _tail_after_credit(body, i, credit_no, last_real):
            ln.mark(LineKind.TEASER, "teaser (after the credit line)")
        elif kind in (Prose.GOOD, Prose.NEAR) or not _open_ended(ln.text):
            ln.mark(LineKind.BODY, "")
        elif is_bullet(ln.text) or kind is Prose.BAD:
            ln.mark(LineKind.ITEM, "kept as a list item")
        elif _introduces_text(body, i, prose):
            ln.mark(LineKind.HEADING, "kept as a subheading")
        else:
            ln.mark(LineKind.CLUTTER, "short line that introduces no paragraph")


def _introduces_text(body: list[_Line], i: int, prose: dict[int, Prose]) -> bool:
    """A subheading is followed by running text: the next line of the article is a
    paragraph (a caption, a teaser's headline or a button is not followed by one, or is
    followed by its blurb of one short sentence)."""
    nxt = body[i + 1] if i + 1 < len(body) else None
    return nxt is not None and nxt.no - body[i].no <= 2 and prose.get(nxt.no) is Prose.GOOD


_MENU_RUN = 4  # consecutive lines of at most two words: a menu


def _menu_lines(body: list[_Line], prose: dict[int, Prose]) -> set[int]:
    """Indexes of lines in runs of :data:`_MENU_RUN` or more one- or two-word lines."""
    out: set[int] = set()
    run: list[int] = []
    for i, ln in enumerate([*body, None]):
        if ln is not None and len(ln.text.split()) <= 2 and prose.get(ln.no) is Prose.SHORT:
            run.append(i)
            continue
        if len(run) >= _MENU_RUN:
            out.update(run)
        run = []
    return out


def _related_heading_no(lines: list[_Line], body: list[_Line]) -> int | None:
    """The line number of the first dropped related-articles heading below some body line."""
    for ln in lines:
        if ln.kind.dropped and is_related_heading(ln.text) and any(b.no < ln.no for b in body):
            return ln.no
    return None


def is_related_heading(line: str) -> bool:
    """A heading alone on its line ("Related Articles", "More from Business"), not an inline
    link ("READ MORE: Another story")."""
    key = _key(line)
    return (
        len(key.split()) <= 5
        and ":" not in key
        and not line.rstrip(_CLOSERS + _STRIP).endswith(".")
        and bool(RELATED_HEADING.match(key))
    )


def _in_related_block(
    body: list[_Line], heading_no: int | None, prose: dict[int, Prose]
) -> list[bool]:
    """For each body line: inside the block of teasers under the related-articles heading?

    The block runs from the heading until a paragraph of running text (20 words or more),
    which is article text again; it is not entered twice.
    """
    inside: list[bool] = []
    active = False
    for ln in body:
        if heading_no is not None and ln.no > heading_no:
            active = True
        if active and prose.get(ln.no) is Prose.GOOD and len(ln.text.split()) >= 20:
            active = False
            heading_no = None
        inside.append(active)
    return inside


def _tail_after_credit(body: list[_Line], i: int, credit_no: int | None, last_real: int) -> bool:
    """A short line below the credit line, with no long paragraph after it: the page tail."""
    ln = body[i]
    return (
        credit_no is not None
        and ln.no > credit_no
        and len(ln.text) <= 160
        and (i > last_real or len(ln.text.split()) <= 25)
        and not _later_body(body, i)
    )


def _later_body(body: list[_Line], i: int) -> bool:
    """True when a long, sentence-like paragraph follows body[i] (so it is not the page tail)."""
    return any(len(b.text) > 160 and not _open_ended(b.text) for b in body[i + 1 :])


# ----------------------------------------------------------------- the result


def _mark_outside(page: _Page) -> None:
    """The lines no pass decided: teasers below the body, the rest outside the article."""
    last_body = max((ln.no for ln in page.lines if ln.kind is LineKind.BODY), default=0)
    for ln in page.undecided():
        if ln.no > last_body and _title_like(ln.text):
            ln.mark(LineKind.TEASER, "teaser")
        else:
            ln.mark(LineKind.CLUTTER, "outside the article (away from its run of prose)")


def _cleaned(page: _Page) -> Cleaned:
    paragraphs = [ln for ln in page.lines if ln.kind is LineKind.BODY]
    report: list[tuple[int, str]] = []
    dateline = source = None
    if paragraphs:
        dl = dateline_of(paragraphs[0].text)
        if dl:
            dateline, source = dl
            report.append((paragraphs[0].no, f"dateline {dateline!r} (kept in the body)"))
    report.extend(_line_reports(page.lines))
    report.sort(key=lambda r: r[0])
    dates = page.dates
    return Cleaned(
        title=page.title,
        description=page.description,
        paragraphs=tuple(ln.text for ln in paragraphs),
        sections=page.sections,
        credit=page.credit,
        byline=page.byline,
        date=dates.get("published") or dates.get("date") or dates.get("updated"),
        source=source,
        report=tuple(f"line {no}: {msg}" for no, msg in report),
        dateline=dateline,
        body_html=_body_html(page.lines),
    )


def _body_html(lines: list[_Line]) -> str | None:
    """The body with its subheadings (``<h3>``) and list items (``<ul>``) as HTML of escaped
    text; None when it has neither (the paragraphs are the body)."""
    kept = [ln for ln in lines if ln.kind in (LineKind.BODY, LineKind.HEADING, LineKind.ITEM)]
    if all(ln.kind is LineKind.BODY for ln in kept):
        return None
    out: list[str] = []
    in_list = False
    for ln in kept:
        if ln.kind is LineKind.ITEM:
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escape(_BULLET_MARK.sub('', ln.text))}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        tag = "h3" if ln.kind is LineKind.HEADING else "p"
        out.append(f"<{tag}>{escape(ln.text)}</{tag}>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


_BULLET_MARK = re.compile("^[-\u2013\u2022\u00b7*\u25aa\u25cf\u2023\u25e6]\\s+")


_REPORTED_KEPT = (LineKind.TITLE, LineKind.STANDFIRST, LineKind.HEADING, LineKind.ITEM)


def _line_reports(lines: list[_Line]) -> list[tuple[int, str]]:
    """``(line number, message)`` for each dropped line and each line of metadata, title or
    standfirst (body lines are not reported)."""
    out = []
    for ln in lines:
        if ln.kind.dropped:
            out.append((ln.no, f"dropped ({ln.reason}): {_show(ln.text)}"))
        elif ln.kind.metadata or ln.kind in _REPORTED_KEPT:
            out.append((ln.no, ln.reason))
    return out
