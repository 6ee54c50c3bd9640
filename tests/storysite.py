"""A small news site for the story, edition and newsletter tests: one bridge story told by
three outlets over two days, and two unrelated articles."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

BRIDGE_1 = """\
    ---
    title: "Kestrel Bridge closed after cracks found in its main span"
    date: 2026-11-25T07:00:00Z
    source: "Valley Gazette"
    ---
    Kestrel Bridge over the River Dunmere was closed to all traffic on Wednesday after inspectors found cracks in a steel cross-girder under its main span.

    The bridge carries 14,000 vehicles a day. Ruth Okafor, the county's chief bridge engineer, said nobody would cross Kestrel Bridge until the cracks were measured.

    Drivers are sent on a diversion along Ashby Road that adds 14 kilometres to the journey across the River Dunmere.
    """
BRIDGE_2 = """\
    ---
    title: "Hauliers face Ashby Road detour as Kestrel Bridge shuts"
    date: 2026-11-25T15:00:00Z
    source: "Business Review"
    ---
    Hauliers in the Dunmere valley face a 14 kilometre detour along Ashby Road after Kestrel Bridge over the River Dunmere was closed when inspectors found cracks in a cross-girder.

    Kestrel Bridge normally carries 14,000 vehicles a day. Ruth Okafor, the chief bridge engineer, said the cracks in the main span would be measured on Thursday.

    Firms on both sides of the River Dunmere said the Ashby Road diversion would cost them money every day.
    """
BRIDGE_3 = """\
    ---
    title: "Engineers measure cracks on closed Kestrel Bridge"
    date: 2026-11-26T10:00:00Z
    source: "Transport Ledger"
    ---
    Engineers measured the cracks in the cross-girder of Kestrel Bridge over the River Dunmere on Thursday, a day after the bridge was closed.

    Ruth Okafor, the chief bridge engineer, said the cracks under the main span were not as deep as feared. Kestrel Bridge normally carries 14,000 vehicles a day.

    Traffic stays on the Ashby Road diversion until a load test on the main span of Kestrel Bridge.
    """
MOTHS = """\
    ---
    title: "Volunteers count a record number of moths"
    date: 2026-11-25T09:00:00Z
    source: "Nature Notes"
    ---
    Volunteers in the Ellis valley counted more moths this year than in any survey since records began.

    The survey found 312 species, up from 280 two years ago. Dr. Ana Ruiz said the warm spring had helped.
    """
LIBRARY = """\
    ---
    title: "Town library opens on Sundays"
    date: 2026-11-24T09:00:00Z
    source: "Valley Gazette"
    ---
    The town library will open on Sundays from December, after a survey of 900 readers.

    Library staff said most readers had asked for weekend hours. The library will close on Mondays instead.
    """

ARTICLES = {
    "news/2026-11-25-bridge-closed.md": BRIDGE_1,
    "business/2026-11-25-bridge-hauliers.md": BRIDGE_2,
    "news/2026-11-26-bridge-cracks-measured.md": BRIDGE_3,
    "science/2026-11-25-moths.md": MOTHS,
    "news/2026-11-24-library.md": LIBRARY,
}
CONFIG = """\
title: "Story Test"
base_url: "https://news.example.org/"
related:
  min_score: 0.05
"""


def story_site(root: Path, articles: dict[str, str] | None = None, config: str = CONFIG) -> Path:
    return write_site(root, ARTICLES if articles is None else articles, config)
