"""URL slugs, shared by the stages that make or link to URLs (load, render, feeds)."""

from __future__ import annotations

import functools
import re
import unicodedata


def slugify(text: str) -> str:
    """Lower-case URL slug: letters and digits joined by '-'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-_")
    return re.sub(r"-{2,}", "-", text)[:80].strip("-") or "untitled"


# A tag's URL slug: one tag is on many articles, and the render and sitemap passes ask for
# it once per article carrying it (slugify costs ~6 us; tags are few, so the memo is small).
tag_slug = functools.cache(slugify)
