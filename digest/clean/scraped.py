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

import re
from datetime import datetime, timedelta, timezone

from digest.clean.types import Cleaned

__all__ = ["clean_scraped_text", "split_breadcrumb", "parse_date_text", "classify_clutter"]

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


def _phrases(spec: str) -> frozenset[str]:
    return frozenset(p.strip() for p in spec.replace("\n", "|").split("|") if p.strip())


# Whole lines (compared lower-cased, quotes straightened, surrounding punctuation removed).
_NAV_EXACT = _phrases(
    """
    related articles|related|related stories|related content|related news|related topics
    related coverage|related posts|related links|back to top|back to top button|top
    share this|share this article|share this story|share this page|share|shares
    share on facebook|share on twitter|share via email|advertisement|advertising|ad|ads
    sponsored|sponsored content|paid content|promoted|promoted stories|read more
    read more stories|read next|continue reading|comments|comment|show comments|view comments
    leave a comment|add a comment|join the conversation|sign up|log in|login|sign in|register
    subscribe|subscribe now|menu|search|home|skip to content|skip to main content|close
    print|email|e-mail|tweet|more|more stories|more news|most read|most popular|trending
    trending now|top stories|latest news|latest|latest stories|you may also like
    you might also like|recommended|recommended for you|recommended stories|editor's picks
    editors' picks|more on this story|more on this topic|topics|tags|listen
    listen to this article|watch|video|next article|previous article|next|previous|load more
    see all|view all|see more|accept|accept all|accept cookies|reject all|manage preferences
    cookie settings|cookie policy|got it|ok|loading|please wait|follow|follow us|newsletter
    newsletters|privacy policy|terms of use|terms and conditions|contact us|about us|jump to
    up next|what to read next|popular|don't miss|must read|also read|see also|in pictures
    explore more|more like this|most viewed|from around the web|featured|featured stories
    share article|copy link|link copied|save|saved|bookmark|gift this article|print this page
    print article|font size|text size|report an error|report a correction|corrections
    get the app|download the app|open in app|watch live|live|breaking|breaking news|in brief
    """
)

# Navigation headings after which the rest of the page is other articles' teasers.
_RELATED_HEADINGS = re.compile(
    r"^(?:related\b|more (?:stories|news|from|on|like this|in)\b|most (?:read|popular|viewed)\b"
    r"|trending\b|top stories\b|latest (?:news|stories)\b|you (?:may|might) also\b"
    r"|recommended\b|editors?'?s? picks\b|up next\b|what to read next\b|don't miss\b"
    r"|must read\b|also read\b|see also\b|read (?:more|next)\b|from around the web\b"
    r"|promoted stories\b|explore more\b|featured stories\b)"
)

_NAV_PREFIX = re.compile(
    r"^(?:follow (?:us|\w+ on)\b|like us on\b|find us on\b|join us on\b|connect with us\b"
    r"|share (?:this|on|via|the|article|story)\b|share:|click here\b|tap here\b|sign up\b"
    r"|subscribe (?:to|now|for|today|and)\b|download (?:our|the) app\b|get (?:our|the) app\b"
    r"|read more\b|read next\b|read also\b|also read\b|see also\b|more from\b|more on\b"
    r"|watch:|video:|listen:|advertisement\b|sponsored\b|skip to\b|jump to\b"
    r"|(?:tags|topics|filed under|categories|category|keywords)\s*:"
    r"|already (?:a )?(?:subscriber|member|registered)\b|not a subscriber\b|log in\b|sign in\b"
    r"|create (?:an|a free|your) account\b|register (?:now|for free|here)\b|continue reading\b"
    r"|you have (?:reached|read|\d+)\b|you've (?:reached|read)\b|this content is not available\b"
    r"|(?:please )?enable javascript\b|support (?:our|independent|quality) journalism\b"
    r"|(?:become|becoming) a (?:member|subscriber|supporter)\b|(?:listen|reading time)\b.{0,20}:"
    r"|loading\b|advertise with us\b|report an error\b|got a (?:story|news tip|tip)\b"
    r"|have a (?:story|news tip|tip)\b|contact (?:us|the newsroom)\b|for more (?:news|stories)\b"
    r"|the post\b.{0,200}\bappeared first on\b"
    r"|this (?:article|story) (?:is|was) (?:brought|sponsored)"
    r"|\d+\s*(?:comments?|shares?|reactions?)$|\d+\s*min(?:ute)?s?\s*(?:read|listen)$"
    r"|previous (?:article|story|post)\b|next (?:article|story|post)\b|back to\b)"
)

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
    r"|view the discussion|community guidelines)\b"
)

_CAPTION_PREFIX = re.compile(
    r"^(?:image|images|photo|photos|picture|pictures|photograph|caption|video|illustration"
    r"|graphic|file photo|pictured|main image|top image|gallery|credit|image credit"
    r"|photo credit|image source|image caption|media caption|picture caption)\s*(?::|\||-\s|\(|,)"
)
_CAPTION_ANY = re.compile(
    r"\b(?:getty images|ap photo|afp photo|afp via getty|epa-efe|reuters/|photo by\b"
    r"|photograph:|photographer:|shutterstock|alamy|file photo\)|\(photo:|\(image:"
    r"|\(picture:|\(credit:|/ ?ap\)|/ ?afp\)|/ ?reuters\))"
)

# Lines made only of these words (and numbers) are sharing / tool bars.
_TOOLBAR_WORDS = frozenset(
    """
    share this article story page on via facebook twitter x linkedin whatsapp email e-mail
    mail print pinterest reddit telegram copy link tweet messenger flipboard sms save gift
    comments comment bookmark listen url pocket instagram youtube tiktok threads bluesky
    mastodon rss feed and or | · • / - — – follow us
    """.split()
)
_TOOLBAR_CORE = frozenset(
    "share facebook twitter linkedin whatsapp email e-mail print pinterest reddit telegram "
    "tweet messenger flipboard instagram youtube tiktok bluesky mastodon".split()
)


_KEY_STRIP = " .:;,!?|>»›·•*#-_=()[]<>\"'~^"


def _key(line: str) -> str:
    """Lower-cased, quotes straightened, spaces collapsed, outer punctuation removed."""
    s = line[:MAX_EXAMINED].translate(_QUOTES).lower()
    s = " ".join(s.split())
    return s.strip(_KEY_STRIP)


def classify_clutter(line: str) -> str | None:
    """The kind of clutter a line is ("navigation", "cookie prompt", "newsletter prompt",
    "caption", "copyright"), or None if it may be article text."""
    key = _key(line)
    if not key:
        return "navigation" if line.strip(_STRIP) else None
    long_line = len(line) > 300
    if key in _NAV_EXACT:
        return "navigation"
    if _COPYRIGHT.search(key) and len(line) <= 300:
        return "copyright"
    if long_line:
        return None
    if _CAPTION_PREFIX.match(key) or (len(line) <= 250 and _CAPTION_ANY.search(key)):
        return "caption"
    if _COOKIE.search(key) and _COOKIE_CONTEXT.search(key):
        return "cookie prompt"
    if _NEWSLETTER.search(key) and _NEWSLETTER_CONTEXT.search(key):
        return "newsletter prompt"
    if _PROMPT.search(key):
        return "prompt"
    if _NAV_PREFIX.match(key) and len(line) <= 200:
        return "navigation"
    words = key.replace("|", " ").split()
    if (
        len(words) <= 14
        and all(w in _TOOLBAR_WORDS or w.isdigit() for w in words)
        and any(w in _TOOLBAR_CORE for w in words)
    ):
        return "navigation"
    return None


# ----------------------------------------------------------------- credit & byline

_CREDIT = re.compile(
    r"^\(?(?:with |additional |further |extra )?(?:reporting|writing|editing|research"
    r"|translation|compiled|compilation|production|fact-checking)(?: and [a-z]+)?"
    r" (?:by|from)\b"
    r"|^with (?:files|input|wires|agency reports?|additional reporting|contributions) (?:from|by)\b"
    r"|\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b"
    r"|^this (?:article|story|report|piece) (?:was|is|first) (?:originally |first )?"
    r"(?:published|produced|appeared|written|reported)\b"
    r"|^(?:originally|first) (?:published|appeared) (?:by|in|on|at)\b"
    r"|^source\s*:|^sources\s*:"
    r"|^(?:agencies|wires|wire services|afp|reuters|ap|the associated press|associated press|dpa"
    r"|efe|pa media|pa|ani|pti|xinhua|bloomberg|anadolu|kyodo|yonhap|bernama)"
    r"(?:(?:,| and| with| &) (?:agencies|wires|afp|reuters|ap|dpa|efe|staff))*$"
)
_DASH_CREDIT = re.compile(r"^(?:—|–|--|-|~)\s*(\S.{0,80})$")


def _credit(line: str) -> bool:
    if len(line) > 250:
        return False
    key = " ".join(line[:MAX_EXAMINED].translate(_QUOTES).lower().split()).strip(" .")
    if _CREDIT.search(key):
        return True
    m = _DASH_CREDIT.match(line.strip(_STRIP))
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
_ROLE = re.compile(
    r"\b(?:writer|correspondent|reporter|editor|contributor|columnist|journalist|staff"
    r"|bureau|chief|analyst|critic|producer|reuters|afp|associated press|press association"
    r"|news|desk|team|intern|freelance|special to|guest)",
    re.IGNORECASE,
)
_BYLINE_SEPARATORS = re.compile(r"\s*(?:,|\||·|•|\s[-–—]\s)\s*")
_IN_PLACE = re.compile(r"\s+in\s+[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3}$")
_BY_PREFIX = re.compile(r"^(?:written |words |story |text |reported )?by\s*:?\s+", re.IGNORECASE)


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
    m = _BY_PREFIX.match(s)
    if m:
        rest = s[m.end() :]
        name = _BYLINE_SEPARATORS.split(rest, maxsplit=1)[0].strip(" .")
        name = _IN_PLACE.sub("", name)
        if name.startswith(("the ", "a ", "an ")):
            return None
        return name if _is_name(name) else None
    parts = _BYLINE_SEPARATORS.split(s, maxsplit=1)
    if len(parts) == 2:
        name, role = parts[0].strip(), parts[1]
        name = _IN_PLACE.sub("", name)
        if len(name.split()) >= 2 and _is_name(name) and _ROLE.search(role) and len(role) <= 60:
            return name
    return None


# ----------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_WEEKDAYS = frozenset(
    "mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday "
    "sun sunday".split()
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
    r"|date|dated|created|issued)(?:\s+(?:on|at))?\s*:?\s*",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?$"
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(am|pm|a\.m\.?|p\.m\.?)?$")
_OFFSET = re.compile(r"^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
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
        kind = "updated" if ("updated" in label or "modified" in label) else "published"
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


def _from_words(kind: str, s: str) -> tuple[str, str] | None:
    tokens = s.replace(",", " ").replace("|", " ").replace("(", " ").replace(")", " ").split()
    if len(tokens) > 10:
        return None
    year = month = day = None
    hour = minute = second = None
    offset: int | None = None
    tz_seen = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower().rstrip(".")
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if low in _WEEKDAYS or low in ("at", "on", "-", "–", "—", "·", "•", "/", "the", "of"):
            pass
        elif low in _MONTHS and month is None:
            month = _MONTHS[low]
        elif low.isdigit() and len(low) == 4 and year is None:
            year = int(low)
        elif _DAY.match(low) and day is None and nxt not in ("am", "pm", "a.m.", "p.m."):
            day = int(_DAY.match(low).group(1))
        elif _NUMERIC.match(tok) and year is None:
            a, b, y = (int(x) for x in _NUMERIC.match(tok).groups())
            if a > 12 >= b:
                day, month = a, b
            elif b > 12 >= a:
                day, month = b, a
            elif a == b:
                day = month = a
            else:
                return None
            year = y
        elif hour is None and (
            _TIME.match(low + ("." if tok.endswith(".") else "")) or _TIME.match(tok.lower())
        ):
            tm = _TIME.match(tok.lower()) or _TIME.match(low)
            hour, minute = int(tm.group(1)), int(tm.group(2))
            second = int(tm.group(3) or 0)
            ampm = tm.group(4)
            if ampm is None and nxt.rstrip(".") in ("am", "pm", "a.m", "p.m"):
                ampm = nxt
                i += 1
            if ampm:
                if hour > 12:
                    return None
                if ampm.startswith("p") and hour != 12:
                    hour += 12
                elif ampm.startswith("a") and hour == 12:
                    hour = 0
        elif hour is None and low.isdigit() and nxt.rstrip(".") in ("am", "pm", "a.m", "p.m"):
            hour, minute, second = int(low), 0, 0
            if hour > 12:
                return None
            if nxt.startswith("p") and hour != 12:
                hour += 12
            elif nxt.startswith("a") and hour == 12:
                hour = 0
            i += 1
        elif not tz_seen and (low in _ZONES or _OFFSET.match(low)):
            tz_seen = True
            offset = _offset_minutes(low)
        else:
            return None
        i += 1
    if year is None or month is None or day is None:
        return None
    try:
        dt = datetime(year, month, day, hour or 0, minute or 0, second or 0)
    except ValueError:
        return None
    if offset is not None:
        dt = dt.replace(tzinfo=timezone(timedelta(minutes=offset)))
    return kind, _iso(dt, hour is not None, offset is not None)


# ----------------------------------------------------------------- breadcrumb

# Sections of news sites, for one-word breadcrumbs and for names that contain capitals
# inside words (which the camel-case split must not cut).
_KNOWN_SECTIONS = _phrases(
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
    chunks = [c for c in _CRUMB_SEPARATORS.split(s) if c] if explicit else [s]
    parts: list[str] = []
    for chunk in chunks:
        protected = chunk
        for i, word in enumerate(_CAMEL_WORDS):
            protected = protected.replace(word, f"\x00{i}\x01")
        for piece in _CAMEL_SPLIT.split(protected):
            for i, word in enumerate(_CAMEL_WORDS):
                piece = piece.replace(f"\x00{i}\x01", word)
            piece = piece.strip()
            if piece:
                parts.append(piece)
    if not parts or len(parts) > 10:
        return None
    for p in parts:
        words = p.split()
        if len(words) > 4:
            return None
        for w in words:
            if w.lower() in _CONNECTORS:
                continue
            if not (w[0].isupper() or w[0].isdigit()):
                return None
    if len(parts) == 1 and not explicit and parts[0].lower() not in _KNOWN_SECTIONS:
        return None
    if (
        len(parts) > 1
        and not explicit
        and all(len(p.split()) == 1 for p in parts)
        and any(len(p) == 1 for p in parts)
    ):
        return None
    return tuple(p for p in parts if p.lower() not in _HOME) or None


# ----------------------------------------------------------------- dateline

_DATELINE = re.compile(
    r"^(?:"
    r"[A-Z][A-Z.'\u2019\-]{1,25}(?: [A-Z][A-Z.'\u2019\-]{0,25}){0,3}"  # KABUL, NEW YORK
    r"(?:,\s*[A-Z][A-Za-z.]{0,20}(?: [A-Z0-9][A-Za-z0-9.]{0,20}){0,3})?"  # , Oct 12 / , Kenya
    r"(?:\s*\([A-Za-z][\w .&\-]{0,30}\))?"  # (AFP)
    r"|[A-Z][a-z]{2,20}(?: [A-Z][a-z]{2,20}){0,2}"  # Paris / New York
    r"(?:,\s*[A-Z][A-Za-z.]{0,20}(?: [A-Z0-9][A-Za-z0-9.]{0,20}){0,3})?"
    r"\s*\([A-Za-z][\w .&\-]{0,30}\)"  # must have the agency
    r")\s*(?:\u2014|\u2013|--|-|:)\s"
)
_AGENCY = re.compile(r"\(([A-Za-z][\w .&\-]{0,30})\)")


def dateline_of(line: str) -> tuple[str, str | None] | None:
    """``(dateline, agency)`` when ``line`` opens with a dateline, else None."""
    m = _DATELINE.match(line[:160])
    if not m:
        return None
    text = m.group(0).strip()
    head = text.rstrip("\u2014\u2013-: ").strip()
    if not head or head.upper() == head and len(head.replace(" ", "")) < 3:
        return None
    a = _AGENCY.search(text)
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


class _Line:
    __slots__ = ("no", "text", "kind", "reason")

    def __init__(self, no: int, text: str) -> None:
        self.no = no
        self.text = text
        self.kind = "text"  # text | drop | meta | title | description | body
        self.reason = ""


def clean_scraped_text(text: str) -> Cleaned:
    """Clean one scraped plain-text article; never raises for a ``str``."""
    try:
        return _clean(text)
    except Exception as exc:  # pragma: no cover - a bug: keep the build going, say so
        lines = [ln.strip(_STRIP) for ln in str(text).splitlines()]
        return Cleaned(
            title=None,
            description=None,
            paragraphs=tuple(ln for ln in lines if ln),
            report=(f"clean: internal error ({type(exc).__name__}); kept every line",),
        )


def _clean(text: str) -> Cleaned:
    lines = [_Line(i, s) for i, raw in enumerate(text.splitlines(), 1) if (s := raw.strip(_STRIP))]
    report: list[tuple[int, str]] = []
    meta: dict[str, str] = {}
    dates: dict[str, str] = {}

    def drop(ln: _Line, reason: str) -> None:
        ln.kind = "drop"
        ln.reason = reason

    # 1. Lines that are clutter or metadata wherever they are.
    for ln in lines:
        kind = classify_clutter(ln.text)
        if kind:
            drop(ln, kind)
            continue
        if len(ln.text) > _MAX_TITLE:
            continue
        parsed = parse_date_text(ln.text)
        if parsed:
            ln.kind = "meta"
            ln.reason = f"{parsed[0]} date {parsed[1]}"
            dates.setdefault(parsed[0], parsed[1])
            continue
        if _credit(ln.text):
            ln.kind = "meta"
            if "credit" in meta:
                ln.kind = "drop"
                ln.reason = "credit (another)"
            else:
                meta["credit"] = ln.text
                ln.reason = "credit"
            continue
        name = None
        if any(c in ln.text for c in "|·•"):
            name = _compound_meta(ln.text, dates)
        if name is None:
            name = byline_name(ln.text)
        if name is not None:
            ln.kind = "meta"
            if name and "byline" not in meta:
                meta["byline"] = name
                ln.reason = f"byline {name}"
            else:
                ln.reason = "byline/date" if name == "" else "byline (another)"

    # 2. Breadcrumb, headline, standfirst at the top.
    sections: tuple[str, ...] = ()
    candidates = [ln for ln in lines if ln.kind == "text"]
    pos = 0
    if candidates and _before_any_body(lines, candidates[0], limit=3):
        crumbs = split_breadcrumb(candidates[0].text)
        if crumbs is not None and len(candidates) > 1:
            sections = crumbs
            candidates[0].kind = "meta"
            candidates[0].reason = "breadcrumb -> sections " + ", ".join(crumbs)
            pos = 1
    title = description = None
    if pos < len(candidates):
        first = candidates[pos]
        if (
            len(first.text) <= _MAX_TITLE
            and (_open_ended(first.text) or len(first.text) <= 160)
            and dateline_of(first.text) is None
        ):
            first.kind = "title"
            first.reason = "title"
            title = first.text
            pos += 1
    if title is not None:
        # "Jane Doe in Nairobi": a byline without "By", only right under the headline.
        for cand in candidates[pos : pos + 2]:
            m = _NAME_IN_PLACE.match(cand.text)
            if m and _is_name(m.group(1)) and "byline" not in meta:
                cand.kind = "meta"
                meta["byline"] = m.group(1)
                cand.reason = f"byline {m.group(1)}"
        candidates = candidates[:pos] + [c for c in candidates[pos:] if c.kind != "meta"]
    if title is not None and pos < len(candidates):
        cand = candidates[pos]
        nxt = candidates[pos + 1] if pos + 1 < len(candidates) else None
        if _is_standfirst(cand, nxt, lines):
            cand.kind = "description"
            cand.reason = "description (standfirst)"
            description = cand.text

    # 3. The body: drop teasers, headings and related-article blocks.
    body = [ln for ln in candidates[pos:] if ln.kind == "text"]
    substantial = [i for i, ln in enumerate(body) if not _title_like(ln.text)]
    last_real = substantial[-1] if substantial else -1
    credit_no = next((ln.no for ln in lines if ln.reason == "credit"), None)
    related_from = None
    for ln in lines:
        if ln.kind == "drop" and _is_related_heading(ln.text) and any(b.no < ln.no for b in body):
            related_from = ln.no
            break
    in_related = False
    for i, ln in enumerate(body):
        if related_from is not None and ln.no > related_from:
            in_related = True
        if in_related:
            if len(ln.text.split()) >= 30 and not _open_ended(ln.text):
                in_related = False
                related_from = None
            else:
                drop(ln, "teaser (after a related-articles heading)")
                continue
        if _title_like(ln.text):
            drop(ln, "teaser" if i > last_real else "heading")
        elif (
            credit_no is not None
            and ln.no > credit_no
            and len(ln.text) <= 160
            and (i > last_real or len(ln.text.split()) <= 25)
            and not _later_body(body, i)
        ):
            drop(ln, "teaser (after the credit line)")
        else:
            ln.kind = "body"

    paragraphs = [ln for ln in lines if ln.kind == "body"]
    dateline = source = None
    if paragraphs:
        dl = dateline_of(paragraphs[0].text)
        if dl:
            dateline, source = dl
            report.append((paragraphs[0].no, f"dateline {dateline!r} (kept in the body)"))

    for ln in lines:
        if ln.kind == "drop":
            report.append((ln.no, f"dropped ({ln.reason}): {_show(ln.text)}"))
        elif ln.kind in ("meta", "title", "description"):
            report.append((ln.no, ln.reason))
    report.sort(key=lambda r: r[0])
    date = dates.get("published") or dates.get("date") or dates.get("updated")
    return Cleaned(
        title=title,
        description=description,
        paragraphs=tuple(ln.text for ln in paragraphs),
        sections=sections,
        credit=meta.get("credit"),
        byline=meta.get("byline"),
        date=date,
        source=source,
        report=tuple(f"line {no}: {msg}" for no, msg in report),
        dateline=dateline,
    )


_NAME_IN_PLACE = re.compile(
    r"^([A-Z][\w'\u2019\-]+(?: [A-Z][\w'\u2019\-]+){1,2}) in [A-Z][\w\-]+(?: [A-Z][\w\-]+)?$"
)


def _is_related_heading(line: str) -> bool:
    """A heading alone on its line ("Related Articles", "More from Business"), not an inline
    link ("READ MORE: Another story")."""
    key = _key(line)
    return len(key.split()) <= 5 and ":" not in key and bool(_RELATED_HEADINGS.match(key))


def _later_body(body: list[_Line], i: int) -> bool:
    """True when a long, sentence-like paragraph follows body[i] (so it is not the page tail)."""
    return any(len(b.text) > 160 and not _open_ended(b.text) for b in body[i + 1 :])


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


def _before_any_body(lines: list[_Line], first: _Line, limit: int) -> bool:
    """The first candidate line sits within the first ``limit`` lines of the page."""
    return sum(1 for ln in lines if ln.no < first.no and ln.kind == "drop") < limit + 3


def _is_standfirst(cand: _Line, nxt: _Line | None, lines: list[_Line]) -> bool:
    """Is the line after the headline a standfirst (subtitle) rather than the first paragraph?

    Yes when it has no final punctuation, or when a byline / date line separates it from the
    next paragraph, or when the next paragraph opens with a dateline (and it does not).
    """
    s = cand.text
    if len(s) > _MAX_STANDFIRST or nxt is None or dateline_of(s) is not None:
        return False
    if _open_ended(s):
        return len(s.split()) >= 4
    between = [ln for ln in lines if cand.no < ln.no < nxt.no]
    if any(ln.kind == "meta" for ln in between):
        return True
    return dateline_of(nxt.text) is not None
