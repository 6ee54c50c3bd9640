"""A page of the last build is taken from the live output only when its bytes are that
page's (digest.model.held_page, used by render and feeds)."""

from __future__ import annotations

from pathlib import Path

from digest.model import held_page, page_digest


def test_a_live_file_is_taken_only_when_it_holds_the_page(tmp_path: Path) -> None:
    page = b"<h1>Harbour wall</h1>\n"
    live = tmp_path / "index.html"
    live.write_bytes(page)
    assert held_page(live, page_digest(page)) == page
    assert held_page(str(live), page_digest(page)) == page
    live.write_bytes(b"<h1>Edited by hand</h1>\n")  # (other bytes: made again)
    assert held_page(live, page_digest(page)) is None
    assert held_page(tmp_path / "missing.html", page_digest(page)) is None
    assert held_page(tmp_path, page_digest(page)) is None  # (a folder: unreadable)
