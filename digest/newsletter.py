"""The newsletter: each edition written to be mailed with any mailer.

* ``editions/<key>/email.html`` comes from the theme's ``email.html`` template
  (so a site can restyle it): one table layout at most 600 px wide, CSS only in
  ``style=""`` attributes, absolute URLs, no script, no external stylesheet.
* ``editions/<key>/email.txt`` is written here: plain text, lines wrapped at
  72 characters, each link as an absolute URL on a line of its own.
"""

from __future__ import annotations

import re
import textwrap

from digest.config import SiteConfig
from digest.editions import Edition

WIDTH = 72


def _wrap(text: str, indent: str = "") -> list[str]:
    """``text`` wrapped at WIDTH, each line after ``indent``: textwrap.wrap's lines
    (hyphenated words kept whole).  Text of words parted by single spaces, each word
    short enough for a line (every headline and lead of a digest), is wrapped here: the
    same greedy lines, without textwrap's regular-expression split and chunk
    bookkeeping (5 us for a headline's two lines, against 25 us; an edition's email.txt
    wraps every headline and lead of it).  Other text is textwrap's (tabs, runs of
    spaces, a word too long for a line, a word of other white space alone such as a
    no-break space, which textwrap drops at a line's end)."""
    words = text.split(" ")
    room = WIDTH - len(indent)
    if (
        _SPACES.search(text) is not None
        or max(map(len, words)) > room
        or not all(map(str.strip, words))
    ):
        return textwrap.wrap(
            text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
        ) or [indent.rstrip()]
    lines = []
    line: list[str] = []
    used = -1  # (the length of the line's words and the spaces between them)
    for w in words:
        if used + 1 + len(w) > room:
            lines.append(indent + " ".join(line))
            line, used = [], -1
        line.append(w)
        used += 1 + len(w)
    lines.append(indent + " ".join(line))
    return lines


# whitespace textwrap turns into spaces (any but single spaces: wrapped by textwrap)
_SPACES = re.compile("[\t\n\x0b\x0c\r]")


def email_text(ed: Edition, site: SiteConfig) -> str:
    """An edition as plain text."""
    out = [site.title, ed.label, "=" * min(WIDTH, max(len(site.title), len(ed.label))), ""]
    n = len(ed.items)
    out += _wrap(f"{n} {'story' if n == 1 else 'stories'} from {ed.articles} articles.")
    out.append("")
    for i, it in enumerate(ed.items, 1):
        s = it.story
        out += _wrap(f"{i}. {it.title}")
        if it.lead:
            out += _wrap(it.lead, "   ")
        if s.page:
            out.append(f"   Full coverage: {site.absolute_url(s.url)}")
        for e in it.entries:
            a = e.article
            who = f"{a.source}: " if a.source else ""
            out += _wrap(f"- {who}{a.title}", "   ")
            out.append(f"     {site.absolute_url(a.url)}")
        if it.more:
            out.append(f"   (+{it.more} more on other days)")
        out.append("")
    out.append("-- ")
    out.append(f"Read this edition on the web: {site.absolute_url(ed.url)}")
    out.append(f"All editions: {site.absolute_url('editions/')}")
    return "\n".join(out) + "\n"
