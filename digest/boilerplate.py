"""The boilerplate vocabulary of news pages: navigation, bylines, captions, credits, datelines.

One place for the patterns that tell page furniture from article text, used by two stages
that look at different things:

* the **cleaner** (:mod:`digest.clean.scraped`, :mod:`digest.clean.html`) judges whole
  *lines* of a scraped page, lower-cased and with quotes straightened (its ``_key``), and
  drops or records them;
* the **summarizer** (:mod:`digest.summarize`) judges *sentences* of the cleaned body, in
  their original case, and never chooses the boilerplate ones.

The two sides' patterns differ on purpose (a line can be judged whole, a sentence sits in
running text), so each side has its own named pattern; what they share is written once
(:data:`PHOTO_AGENCIES`, :data:`_AGENCY_NAME`).  Every pattern is kept exactly as it was when
it lived in its stage, so the verdicts are unchanged.  No quantifier is nested, so matching
is linear in the text.

Navigation

* :data:`NAV_LINES` (cleaner) -- whole lines that are navigation ("Related Articles",
  "Back to top", "Share this"), compared against the line's key.
* :data:`RELATED_HEADING` (cleaner) -- headings after which the rest of the page is other
  articles' teasers ("More from Business", "Most read").
* :data:`NAV_LINE_PREFIX` (cleaner) -- openings of navigation and prompt lines ("Follow us
  on", "Share this", "Tags:", "3 min read", "The post ... appeared first on").
* :data:`TOOLBAR_WORDS`, :data:`TOOLBAR_CORE` (cleaner) -- a line made only of toolbar words
  (and numbers), one of them a core sharing word, is a share / tool bar.
* :data:`SENTENCE_NAV_ANYWHERE` (summarizer) -- substrings (of the lower-cased sentence)
  that make a sentence boilerplate wherever they occur ("scroll down for", URLs).
* :data:`SENTENCE_NAV_START` (summarizer) -- navigation labels opening a sentence ("READ
  MORE:", "Watch -", "Subscribe").

Bylines

* :data:`BYLINE_BY_PREFIX` (cleaner) -- "By", "Written by", "Words by:" opening a byline.
* :data:`BYLINE_SEPARATORS` (cleaner) -- what separates a byline's name from its role or
  date ("Jane Doe, Staff Writer", "Jane Doe | BBC News").
* :data:`BYLINE_ROLE` (cleaner) -- the role after a name ("correspondent", "staff").
* :data:`BYLINE_IN_PLACE` (cleaner) -- a trailing " in Nairobi" after a byline's name.
* :data:`BYLINE_NAME_IN_PLACE` (cleaner) -- a whole line "Jane Doe in Nairobi" (a byline
  without "By", accepted only right under the headline).
* :data:`SENTENCE_BYLINE_LABEL` (summarizer) -- "Published:", "Updated:", "Reporting by"
  at the start of a sentence.
* :data:`SENTENCE_BY`, :data:`SENTENCE_BY_LINKS` (summarizer) -- a short "By Jane Doe and
  John Roe, Science Correspondent" sentence; in cased text every word after "By" must be
  capitalised or a linking word, so "By early 2005 the net ..." stays a sentence.

Captions

* :data:`CAPTION_LINE_PREFIX` (cleaner) -- caption labels opening a line ("Image caption",
  "Photo:", "Getty Images |").
* :data:`CAPTION_LINE_ANY` (cleaner) -- picture-agency credits anywhere in a short line
  ("Getty Images", "(Photo: ...", "/AFP)").
* :data:`SENTENCE_CAPTION_START` (summarizer) -- caption labels opening a sentence
  ("Pictured:", "Above:", "Left:").
* :data:`SENTENCE_CAPTION_MARK` (summarizer) -- position markers of a caption anywhere in a
  sentence ("(pictured)", "(left)", "( second right )", "(file photo)").

Credits

* :data:`CREDIT_LINE` (cleaner) -- reporting credits and sources of a whole line ("With
  reporting from AFP", "Additional reporting by ...", "Source: Reuters", "AFP").
* :data:`DASH_CREDIT_LINE` (cleaner) -- a short line after a dash ("-- Reuters").
* :data:`PHOTO_AGENCIES` (shared core) -- picture agencies' names, as a regex alternation.
* :data:`PHOTO_AGENCY` (summarizer) -- a cheap first test for :data:`PHOTO_CREDIT_TAIL`
  (an agency name in the lower-cased tail of a sentence).
* :data:`PHOTO_CREDIT_TAIL` (summarizer) -- a photo credit ending a sentence ("(Getty
  Images)", "Photo: AP Photo/Jane Doe").

Datelines

* :data:`DATELINE_LINE` (cleaner) -- a dateline opening a body line ("KABUL (AFP) --",
  "NEW YORK, Oct 12 -", "Paris (Reuters) -"); a mixed-case place needs the agency.
* :data:`DATELINE_AGENCY` (cleaner) -- the agency in a dateline's parentheses.
* :data:`SENTENCE_DATELINE` (summarizer) -- a dateline opening a summary sentence, stripped
  from what the summary says ("LONDON, Oct. 12 (Reuters) -").
"""

from __future__ import annotations

import re

__all__ = [
    "phrases",
    "NAV_LINES",
    "NAV_LINES_OTHER",
    "RELATED_HEADING",
    "NAV_LINE_PREFIX",  # noqa: F822 (compiled when first used: see __getattr__)
    "TOOLBAR_WORDS",
    "TOOLBAR_CORE",
    "SENTENCE_NAV_ANYWHERE",
    "SENTENCE_NAV_START",
    "BYLINE_BY_PREFIX",
    "BYLINE_SEPARATORS",
    "BYLINE_ROLE",
    "BYLINE_IN_PLACE",
    "BYLINE_NAME_IN_PLACE",
    "SENTENCE_BYLINE_LABEL",
    "SENTENCE_BY",
    "SENTENCE_BY_LINKS",
    "CAPTION_LINE_PREFIX",
    "CAPTION_LINE_ANY",
    "SENTENCE_CAPTION_START",
    "SENTENCE_CAPTION_MARK",
    "CREDIT_LINE",
    "DASH_CREDIT_LINE",
    "PHOTO_AGENCIES",
    "PHOTO_AGENCY",
    "PHOTO_CREDIT_TAIL",
    "DATELINE_LINE",
    "DATELINE_AGENCY",
    "SENTENCE_DATELINE",
]


def phrases(spec: str) -> frozenset[str]:
    """The phrases of a ``|``- and newline-separated list, stripped, empty ones left out."""
    return frozenset(p.strip() for p in spec.replace("\n", "|").split("|") if p.strip())


# ----------------------------------------------------------------- navigation

NAV_LINES = phrases(
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
    reply|report|permalink|skip navigation|sections|homepage
    """
)

# The same in the other languages of the pages digest is measured on (German, French,
# Spanish, Portuguese, Italian): navigation, sharing, comments, legal and cookie lines.
NAV_LINES_OTHER = phrases(
    """
    impressum|datenschutz|datenschutzerklärung|kontakt|startseite|nach oben|zum seitenanfang
    teilen|drucken|weiterlesen|mehr lesen|mehr zum thema|auch interessant|kommentare|kommentar
    kommentar schreiben|antworten|anmelden|abmelden|registrieren|suche|suchen|menü|zurück
    weiter|newsletter abonnieren|cookie-einstellungen|alle akzeptieren|akzeptieren|agb
    zum inhalt springen|artikel teilen|jetzt abonnieren|anzeige|werbung|schließen
    accueil|mentions légales|partager|imprimer|lire aussi|à lire aussi|lire la suite|voir aussi
    sur le même sujet|commentaires|commentaire|répondre|se connecter|s'abonner|rechercher
    politique de confidentialité|tout accepter|fermer|publicité|aller au contenu
    inicio|compartir|imprimir|leer más|seguir leyendo|te puede interesar|noticias relacionadas
    comentarios|comentario|responder|iniciar sesión|suscríbete|buscar|aviso legal|cerrar
    política de privacidad|aceptar|publicidad|ir al contenido|lo más leído
    início|compartilhar|partilhar|leia mais|leia também|saiba mais|você pode gostar
    notícias relacionadas|comentários|entrar|assine|pesquisar|fechar|publicidade|mais lidas
    condividi|stampa|leggi anche|leggi di più|potrebbe interessarti|articoli correlati|commenti
    rispondi|accedi|abbonati|cerca|note legali|chiudi|pubblicità|i più letti
    """
)

RELATED_HEADING = re.compile(
    r"^(?:related\b|more (?:stories|news|from|on|like this|in)\b|most (?:read|popular|viewed)\b"
    r"|trending\b|top stories\b|latest (?:news|stories)\b|you (?:may|might) also\b"
    r"|recommended\b|editors?'?s? picks\b|up next\b|what to read next\b|don't miss\b"
    r"|must read\b|also read\b|see also\b|read (?:more|next)\b|from around the web\b"
    r"|promoted stories\b|explore more\b|featured stories\b"
    # de, fr, es, pt, it
    r"|auch interessant\b|mehr zum thema\b|das könnte (?:sie|dich) auch\b|weitere artikel\b"
    r"|ähnliche artikel\b|meistgelesen|lesen sie auch\b|lire aussi\b|à lire aussi\b"
    r"|sur le même sujet\b|voir aussi\b|les plus lus\b|te puede interesar\b"
    r"|noticias relacionadas\b|también te puede\b|lo más leído\b|você pode gostar\b"
    r"|leia também\b|notícias relacionadas\b|veja também\b|mais lidas\b|leggi anche\b"
    r"|potrebbe interessarti\b|ti potrebbe interessare\b|articoli correlati\b|i più letti\b"
    r"|verwandte (?:artikel|beiträge)\b|ähnliche beiträge\b|weitere beiträge\b"
    r"|beliebte beiträge\b|articles (?:similaires|liés|connexes)\b|à découvrir aussi\b"
    r"|notas relacionadas\b|contenidos? relacionados?\b|artículos relacionados\b"
    r"|lea también\b|lee también\b|artigos relacionados\b|conteúdos? relacionados?\b"
    r"|notizie correlate\b|articoli simili\b)"
)

_NAV_LINE_PREFIX = (
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
    r"|previous (?:article|story|post)\b|next (?:article|story|post)\b|back to\b"
    r"|related:|see also:|lesen sie auch:|mehr dazu:|lire aussi:|lea también:|leia também:"
    r"|leggi anche:|teilen (?:auf|per)\b|partager sur\b|compartir en\b|condividi su\b"
    # tag and category labels, previous / next post: de, fr, es, pt, it
    r"|(?:schlagw(?:ö|o)rter|schlagworte|stichw(?:ö|o)rter|kategorien?|mots-clés|étiquettes"
    r"|catégories?|etiquetas|categorías?|categorias?|palavras-chave|etichette|categorie"
    r"|argomenti)\s*:"
    r"|(?:vorheriger|nächster) (?:beitrag|artikel)\b|article (?:précédent|suivant)\b"
    r"|(?:artículo|entrada) (?:anterior|siguiente)\b|siguiente (?:artículo|entrada)\b"
    r"|(?:post|artigo) (?:anterior|seguinte)\b|próximo (?:post|artigo)\b"
    r"|articolo (?:precedente|successivo)\b)"
)

# Lines made only of these words (and numbers) are sharing / tool bars.
TOOLBAR_WORDS = frozenset(
    """
    share this article story page on via facebook twitter x linkedin whatsapp email e-mail
    mail print pinterest reddit telegram copy link tweet messenger flipboard sms save gift
    comments comment bookmark listen url pocket instagram youtube tiktok threads bluesky
    mastodon rss feed and or | · • / - — – follow us
    """.split()
)
TOOLBAR_CORE = frozenset(
    "share facebook twitter linkedin whatsapp email e-mail print pinterest reddit telegram "
    "tweet messenger flipboard instagram youtube tiktok bluesky mastodon".split()
)

# Substrings anywhere in a (lower-cased) sentence ...
SENTENCE_NAV_ANYWHERE = (
    "scroll down for",
    "click here",
    "share this article",
    "sign up for our",
    "sign up to our",
    "follow us on",
    "follow me on",
    "download the app",
    "download our app",
    "watch the video",
    "http://",
    "https://",
    "www.",
    "all rights reserved",
    "copyright \u00a9",
    "accept cookies",
    "cookie policy",
)
# ... and labels at the start of a sentence.
SENTENCE_NAV_START = re.compile(
    r"^\W*(?:(?:read more|see also|related|watch|listen|more|video|advertisement|subscribe)"
    r"\s*(?:[:|>\u00bb]|\s[\u2014\u2013-]\s)|(?:read more|see also|advertisement|subscribe|sign up|"
    r"follow us)\b)",
    re.IGNORECASE,
)

# ----------------------------------------------------------------- bylines

BYLINE_BY_PREFIX = re.compile(
    r"^(?:written |words |story |text |reported )?by\s*:?\s+", re.IGNORECASE
)
BYLINE_SEPARATORS = re.compile(r"\s*(?:,|\||·|•|\s[-–—]\s)\s*")
BYLINE_ROLE = re.compile(
    r"\b(?:writer|correspondent|reporter|editor|contributor|columnist|journalist|staff"
    r"|bureau|chief|analyst|critic|producer|reuters|afp|associated press|press association"
    r"|news|desk|team|intern|freelance|special to|guest)",
    re.IGNORECASE,
)
BYLINE_IN_PLACE = re.compile(r"\s+in\s+[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3}$")
BYLINE_NAME_IN_PLACE = re.compile(
    r"^([A-Z][\w'\u2019\-]+(?: [A-Z][\w'\u2019\-]+){1,2}) in [A-Z][\w\-]+(?: [A-Z][\w\-]+)?$"
)

SENTENCE_BYLINE_LABEL = re.compile(
    r"\W*(?:(?:published|updated|last updated|posted)\s*:"
    r"|(?:reporting|additional reporting|editing) by\b)",
    re.IGNORECASE,
)  # matched at the start; "daily mail reporter" anywhere is checked as a substring
SENTENCE_BY = re.compile(r"^\W*by\s+([\w.\s',&-]{0,60})$", re.IGNORECASE)
SENTENCE_BY_LINKS = frozenset(
    ("and", "&", "of", "in", "for", "the", "at", "de", "van", "von", "la")
)

# ----------------------------------------------------------------- captions

CAPTION_LINE_PREFIX = re.compile(
    r"^(?:image|images|photo|photos|picture|pictures|photograph|caption|video|illustration"
    r"|graphic|file photo|pictured|main image|top image|gallery|credit|image credit"
    r"|photo credit|image source|image caption|media caption|picture caption)\s*(?::|\||-\s|\(|,)"
)
CAPTION_LINE_ANY = re.compile(
    r"\b(?:getty images|ap photo|afp photo|afp via getty|epa-efe|reuters/|photo by\b"
    r"|photograph:|photographer:|shutterstock|alamy|file photo\)|\(photo:|\(image:"
    r"|\(picture:|\(credit:|/ ?ap\)|/ ?afp\)|/ ?reuters\))"
)

# A picture's credit closing a line (matched on the lower-cased line, outer punctuation
# removed): "... in Pennsylvania © Noah Addis", "... (Foto: Jane Doe)", "Bild: Max Muster",
# "Quelle: dpa / Fotolia.com" (a dot inside a name, as in a web address, is no sentence end);
# the line is a caption whatever its language.
CAPTION_CREDIT_TAIL = re.compile(
    r"(?:©|\b(?:foto|fotos|bild|bilder|bildquelle|quelle|photo|photos|image|imagen|credit"
    r"|crédit|fonte|fuente|źródło|zdjęcie)\s?:)\s?(?:[^.!?©:]|\.(?=\S)){2,60}$"
)

SENTENCE_CAPTION_START = re.compile(
    r"^\W*(?:pictured|photo|photograph|image|picture|video|caption|above|below|left|right|top"
    r"|inset|file photo|watch|gallery|graphic|credit)\s*:",
    re.IGNORECASE,
)
# "(pictured)", "(left)", "( second right )", "(file photo)": position markers of captions
_POSITIONS = (
    r"(?:(?:second |third |far |top |bottom |back |front )?(?:left|right)|centre|center|above"
    r"|below|top|bottom|inset|front|back|middle|main|background|foreground|circled|shown|file"
    r"|file photo|photo|picture)"
)
SENTENCE_CAPTION_MARK = re.compile(
    rf"\(\s*(?:pictured\b[^()]{{0,30}}|{_POSITIONS}(?:\s*(?:,|and|&)\s*{_POSITIONS})*)\s*\)",
    re.IGNORECASE,
)

# A date in the languages of the pages digest reads ("4. Juni 2019", "16 marca 2021",
# "Feb 6, 2014", "19.6.2007", "2021-10-16"): a dateline, a post's date or a comment's time
# stamp, seldom article text.  A month name counts only on a line with a digit ("May").
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "jan january januar jänner janv janvier enero janeiro gennaio januari stycznia",
            "feb february februar févr février febrero fevereiro febbraio februari lutego",
            "mar march märz mars marzo março maart marca",
            "apr april avr avril abril aprile kwietnia",
            "may mai mayo maio maggio mei maja",
            "jun june juni juin junio junho giugno czerwca",
            "jul july juli juil juillet julio julho luglio lipca",
            "aug august août agosto augustus sierpnia",
            "sep sept september septembre septiembre setiembre setembro settembre września",
            "oct october okt oktober octobre octubre outubro ottobre października",
            "nov november novembre noviembre novembro listopada",
            "dec december dez dezember déc décembre diciembre dezembro dicembre grudnia",
        ),
        start=1,
    )
    for name in names.split()
}
"""Month names (and the usual short forms) of the languages digest reads -> 1-12: the date
reader's table (digest.clean.scraped) and the month names :func:`has_date` looks for."""
_MONTH_NAME = (
    r"\b(?:" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\b\.?",
    re.IGNORECASE,
)
NUMERIC_DATE = re.compile(r"\b(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})\b")


def has_date(text: str) -> bool:
    """Does the line hold a date in one of the languages digest reads (a numeric date, or a
    month name on a line with a digit)?  The digit test comes first: it is cheap, and most
    lines have no digit."""
    return bool(
        NUMERIC_DATE.search(text)
        or (any(map(str.isdigit, text)) and _compiled("MONTH_NAME").search(text))
    )


# ----------------------------------------------------------------- credits

CREDIT_LINE = re.compile(
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
DASH_CREDIT_LINE = re.compile(r"^(?:—|–|--|-|~)\s*(\S.{0,80})$")

# Picture agencies named in a photo credit (a regex alternation).
PHOTO_AGENCIES = r"getty|ap photo|reuters|afp|rex|shutterstock|alamy|epa|pa wire"
PHOTO_AGENCY = re.compile(PHOTO_AGENCIES)
# Photo credit at the end: "(Getty Images)", "Photo: AP Photo/Jane Doe".
PHOTO_CREDIT_TAIL = re.compile(
    r"(?:\(|\b(?:photo|image|picture|credit|source)s?\s*:\s*)[^()]{0,40}"
    rf"\b(?:{PHOTO_AGENCIES})\b[^()]{{0,30}}\)?\W*$",
    re.IGNORECASE,
)

# ----------------------------------------------------------------- datelines

# A news agency's name inside a dateline's parentheses: "(AFP)", "(Reuters)".
_AGENCY_NAME = r"[A-Za-z][\w .&\-]{0,30}"
DATELINE_LINE = re.compile(
    r"^(?:"
    r"[A-Z][A-Z.'\u2019\-]{1,25}(?: [A-Z][A-Z.'\u2019\-]{0,25}){0,3}"  # KABUL, NEW YORK
    r"(?:,\s*[A-Z][A-Za-z.]{0,20}(?: [A-Z0-9][A-Za-z0-9.]{0,20}){0,3})?"  # , Oct 12 / , Kenya
    rf"(?:\s*\({_AGENCY_NAME}\))?"  # (AFP)
    r"|[A-Z][a-z]{2,20}(?: [A-Z][a-z]{2,20}){0,2}"  # Paris / New York
    r"(?:,\s*[A-Z][A-Za-z.]{0,20}(?: [A-Z0-9][A-Za-z0-9.]{0,20}){0,3})?"
    rf"\s*\({_AGENCY_NAME}\)"  # must have the agency
    r")\s*(?:\u2014|\u2013|--|-|:)\s"
)
DATELINE_AGENCY = re.compile(rf"\(({_AGENCY_NAME})\)")

# "KABUL —", "LONDON, Oct. 12 (Reuters) -", "WASHINGTON (AP) --": a dateline opening the
# first sentence is not part of what the summary says. Bounded repetitions only.
SENTENCE_DATELINE = re.compile(
    r"^[A-Z]{2}[A-Z.'\- ]{0,40}(?:,\s?[A-Z][A-Za-z.'\- ]{1,30}(?:\s\d{1,2})?)?"
    r"(?:\s?\([A-Za-z.&' ]{1,30}\))?\s?(?:--|[\u2014\u2013-])\s+(?=[A-Z0-9\"\u201c\u2018'])"
)


# The cleaner's two largest patterns, 40 ms to compile together: compiled when first used
# (``boilerplate.MONTH_NAME``, ``from digest.boilerplate import NAV_LINE_PREFIX``), not
# by every build that imports the summarizer's patterns only (a Markdown site's).
_LAZY: dict[str, tuple[str, int]] = {
    "NAV_LINE_PREFIX": (_NAV_LINE_PREFIX, 0),
    "MONTH_NAME": _MONTH_NAME,
}


def _compiled(name: str) -> re.Pattern[str]:
    made = globals().get(name)
    if made is None:
        made = globals()[name] = re.compile(*_LAZY[name])
    return made


def __getattr__(name: str) -> re.Pattern[str]:
    if name in _LAZY:
        return _compiled(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
