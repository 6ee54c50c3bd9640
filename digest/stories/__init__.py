"""The ``stories`` stage: articles about one story grouped across outlets.

:func:`digest.stories.grouping.group` decides which articles tell one story.
"""

from __future__ import annotations

from digest.stories.grouping import NEIGHBOURS, Grouping, group

__all__ = ["NEIGHBOURS", "Grouping", "group"]
