"""A session's rebuild after an edit that moved nothing (render._Edit): only the pages
the edit may change are looked at, the rest are the last build's, and the data files
(articles.json, stories.json, the editions feeds, the sitemap, the redirects, the
navigation) are carried from build to build; the site is a cold build's, edit after
edit, whether or not an edit moved something."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import edit, tree
from test_edit_rebuild import NEW
from test_render_publish_session import _cold, _rendered, _session_build, _settled
from test_session import _append

from digest import render

FIRST = "content/world/2026-02-01-item-0.md"
OTHER = "content/science/2026-02-02-item-1.md"


def _edits_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each session build from now on: whether it took the _Edit path."""
    seen: list[bool] = []
    real = render._Edit.of.__func__  # type: ignore[attr-defined]

    def of(cls: type, entries: Any, news: Any, kept: Any) -> Any:
        got = real(cls, entries, news, kept)
        if kept is not None:  # (a session's build, not a cold one's)
            seen.append(got is not None)
        return got

    monkeypatch.setattr(render._Edit, "of", classmethod(of))
    return seen


def test_a_sessions_edits_give_a_cold_builds_site_whether_or_not_they_move_something(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, live, session = _settled(tmp_path)
    seen = _edits_seen(monkeypatch)
    made = _rendered(monkeypatch)
    aliased = "date: 2026-02-01\naliases: [/old/item-0/]"
    steps: list[tuple[str, Callable[[], object], bool | None]] = [
        ("nothing", lambda: None, True),
        (
            "appended",
            lambda: _append(site, FIRST, "\nThe harbour budget was cut on Friday.\n"),
            None,
        ),
        ("retitled", lambda: edit(site, FIRST, "part 0", "part zero"), None),
        ("alias added", lambda: edit(site, FIRST, "date: 2026-02-01", aliased), None),
        ("aliased text", lambda: _append(site, FIRST, "\nThe ferry ran late again.\n"), None),
        ("alias gone", lambda: edit(site, FIRST, "aliases: [/old/item-0/]\n", ""), None),
        ("another section", lambda: edit(site, OTHER, "part 1", "part one"), None),
        ("date", lambda: edit(site, FIRST, "date: 2026-02-01", "date: 2026-02-11"), False),
        ("after a date", lambda: _append(site, OTHER, "\nThe moth count rose.\n"), None),
        ("tags", lambda: edit(site, FIRST, "tags: [harbour,", "tags: [insects,"), False),
        ("deleted", lambda: (site / "content/business/2026-02-03-item-2.md").unlink(), False),
        ("added", lambda: (site / "content/world/2026-02-27-new.md").write_text(NEW), False),
        ("text again", lambda: _append(site, OTHER, "\nThe garden opened.\n"), None),
        ("nothing again", lambda: None, True),
    ]
    for n, (name, step, expected) in enumerate(steps):
        made.clear()
        step()
        _session_build(site, live, session)
        rendered = len(made)  # (by the session's build, not the cold one's)
        got = tree(live)
        assert got == _cold(site, tmp_path / f"cold{n}"), name
        assert len(seen) == n + 1
        if expected is not None:
            assert seen[n] is expected, name
        # (a few pages of the site's ~300 looked at)
        if name == "nothing" or (name == "appended" and seen[n]):
            assert rendered < len(got) // 4, (name, rendered)
        if name == "alias added":  # (its redirect page, made again: not the last build's)
            assert (live / "old/item-0/index.html").exists()
    assert sum(seen) >= 4, seen  # (the path is taken for most edits)
    assert not (live / "old/item-0/index.html").exists()
