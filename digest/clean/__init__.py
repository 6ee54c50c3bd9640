"""The ``clean`` stage: turn scraped articles (plain text or saved HTML pages) into a
headline, a standfirst, body paragraphs and metadata, dropping page clutter.

See :mod:`digest.clean.scraped` for the plain-text form and :mod:`digest.clean.html` for
saved pages.
"""

from __future__ import annotations

from digest.clean.scraped import clean_scraped_text, parse_date_text, split_breadcrumb
from digest.clean.types import Cleaned

__all__ = [
    "Cleaned",
    "clean_scraped_text",
    "clean_html_page",
    "parse_date_text",
    "split_breadcrumb",
]


def clean_html_page(html: str) -> Cleaned:
    """Clean one saved HTML page (see :func:`digest.clean.html.clean_html_page`)."""
    from digest.clean.html import clean_html_page as _clean_html_page

    return _clean_html_page(html)
