"""digest.boilerplate: one vocabulary, used by both the cleaner and the summarizer."""

from __future__ import annotations

import ast
from pathlib import Path

from digest import boilerplate
from digest.clean import scraped
from digest.clean.scraped import LineKind, byline_name, classify_clutter, dateline_of
from digest.summarize import news, strip_dateline

ROOT = Path(__file__).resolve().parent.parent


def test_boilerplate_imports_no_stage():
    tree = ast.parse((ROOT / "digest" / "boilerplate.py").read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    assert "re" in imported
    assert not [m for m in imported if m and m.startswith("digest")]


def test_both_sides_use_the_shared_patterns():
    assert news._NAV_START is boilerplate.SENTENCE_NAV_START
    assert news._CREDIT is boilerplate.PHOTO_CREDIT_TAIL
    assert news._CAPTION_MARK is boilerplate.SENTENCE_CAPTION_MARK
    assert scraped.DATELINE_LINE is boilerplate.DATELINE_LINE
    assert scraped.CREDIT_LINE is boilerplate.CREDIT_LINE


def test_photo_agencies_are_one_list():
    assert boilerplate.PHOTO_AGENCY.pattern == boilerplate.PHOTO_AGENCIES
    assert boilerplate.PHOTO_AGENCIES in boilerplate.PHOTO_CREDIT_TAIL.pattern


def test_line_verdicts():
    assert classify_clutter("Related Articles") == "navigation"
    assert classify_clutter("Image caption, A man walks") == "caption"
    assert byline_name("By Jane Doe, Staff Writer") == "Jane Doe"
    assert dateline_of("KABUL (AFP) — Officials said on Monday") == ("KABUL (AFP) —", "AFP")


def test_sentence_verdicts():
    assert not news.usable_sentence("READ MORE: The minister resigned on Tuesday night")
    assert not news.usable_sentence("The minister (pictured) resigned on Tuesday night")
    assert strip_dateline("LONDON (Reuters) - The minister resigned on Tuesday night.") == (
        "The minister resigned on Tuesday night."
    )


def test_line_kinds_split_into_dropped_and_metadata():
    dropped = {k for k in LineKind if k.dropped}
    metadata = {k for k in LineKind if k.metadata}
    assert not dropped & metadata
    assert LineKind.BODY not in dropped | metadata
    assert LineKind.TITLE not in dropped | metadata
