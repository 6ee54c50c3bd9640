"""The ``stories`` stage: articles about one story grouped across outlets.

:func:`digest.stories.grouping.group` decides which articles tell one story;
:func:`digest.stories.compose.compose` makes each group a Story (headline, summary,
timeline, outlets, stable slug); :func:`digest.stories.state.site_stories` does both,
keeping its work in the build cache so that a rebuild redoes only what changed.
"""

from __future__ import annotations

from digest.stories.compose import Member, Stories, compose
from digest.stories.grouping import NEIGHBOURS, Grouping, group, regroup
from digest.stories.state import Kept, site_stories, store_kept

__all__ = [
    "NEIGHBOURS",
    "Grouping",
    "Kept",
    "Member",
    "Stories",
    "compose",
    "group",
    "regroup",
    "site_stories",
    "store_kept",
]
