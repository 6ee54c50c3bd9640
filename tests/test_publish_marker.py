"""A marker file (public/.digest-output) that cannot be trusted entirely never costs the
user a file: what it does not prove digest wrote is kept, and the site is still right."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import tree, write_site

from digest import publish
from digest.cli import main

PAGE = "world/harbour-wall/index.html"  # an article's page, alone in its folder
NOTES = "world/harbour-wall/notes.txt"


def build(root: Path, out: Path) -> None:
    assert main(["build", "--config", str(root / "site.yaml"), "-q", "--output", str(out)]) == 0


def site_files(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(out).items() if k != ".digest-output"}


def entry(value: object) -> Callable[[dict], None]:
    def tamper(marker: dict) -> None:
        marker["files"][PAGE] = value

    return tamper


def files_as(value: object) -> Callable[[dict], None]:
    def tamper(marker: dict) -> None:
        marker["files"] = value

    return tamper


def odd_path(path: str) -> Callable[[dict], None]:
    def tamper(marker: dict) -> None:
        marker["files"][path] = marker["files"].pop(PAGE)

    return tamper


TAMPERED: dict[str, Callable[[dict], None] | None] = {
    "entry-number": entry(123),
    "entry-null": entry(None),
    "entry-list": entry(["x"]),
    "files-list": files_as([PAGE]),
    "files-null": files_as(None),
    "files-string": files_as("x"),
    "path-with-dotdot": odd_path("world/x/../harbour-wall/index.html"),
    "absolute-path": odd_path("/" + PAGE),
    "not-json": None,
}


@pytest.mark.parametrize("how", TAMPERED)
def test_a_users_file_beside_a_page_with_a_tampered_marker_entry_is_kept(
    tmp_path: Path, how: str
) -> None:
    root = write_site(tmp_path / "site")
    out, clean = tmp_path / "public", tmp_path / "clean"
    build(root, clean)
    build(root, out)
    build(root, out)  # both trees exist now
    (out / NOTES).write_text("my notes")
    marker_path = out / ".digest-output"
    tamper = TAMPERED[how]
    if tamper is None:
        marker_path.write_text("{not json")
    else:
        marker = json.loads(marker_path.read_text())
        tamper(marker)
        marker_path.write_text(json.dumps(marker))
    for _ in range(3):  # through both trees, and the build after
        build(root, out)
        assert (out / NOTES).read_text() == "my notes"
        assert {k: v for k, v in site_files(out).items() if k != NOTES} == site_files(clean)


def test_a_users_folder_where_a_new_page_appears_is_merged_not_lost(tmp_path: Path) -> None:
    """public/world/harbour-wall/ made by hand (with a file in it) before the article
    whose page goes there: the page is written beside the user's file."""
    root = write_site(tmp_path / "site")
    out = tmp_path / "public"
    article = root / "content/world/2026-03-01-harbour-wall.md"
    text = article.read_text()
    article.unlink()
    build(root, out)
    build(root, out)
    assert not (out / PAGE).exists()
    (out / NOTES).parent.mkdir(parents=True)
    (out / NOTES).write_text("my notes")
    article.write_text(text)
    for _ in range(3):
        build(root, out)
        assert (out / NOTES).read_text() == "my notes"
        assert (out / PAGE).is_file()


@pytest.mark.parametrize("by_hand", [False, True])
def test_an_edit_in_a_new_process_writes_the_marker_a_fresh_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_hand: bool
) -> None:
    """The marker of an edit's build is made from the live one (its lines replaced) only
    when digest wrote the live one's bytes: one rewritten by hand, in another layout but
    listing the same files, gives way to a whole new marker."""
    root = write_site(tmp_path / "site")
    out, clean = tmp_path / "public", tmp_path / "clean"
    build(root, out)
    build(root, out)
    if by_hand:
        marker_path = out / ".digest-output"
        marker_path.write_text(json.dumps(json.loads(marker_path.read_text())))
    article = root / "content/world/2026-03-01-harbour-wall.md"
    article.write_text(article.read_text() + "\nA sentence added later.\n")
    monkeypatch.setattr(publish, "_KNOWN", publish._Known())  # (as a new process)
    build(root, out)
    build(root, clean)
    assert tree(out) == tree(clean)  # the marker too, byte for byte
