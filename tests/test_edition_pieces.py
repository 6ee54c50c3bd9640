"""A new process's rebuild takes the edition pages an edit leaves alone by the pieces the
last build stored (see digest.render._EditionPieces): it makes the identity of only the
editions the edit shows in, and publishes byte for byte what a cold build does, whatever
the stored record holds."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import append, build_once, cold_tree, edit, spy, store_value, stored, tree
from storysite import ARTICLES, story_site

from digest import cache, render
from digest.editions import Edition
from digest.model import Story

FERRY = """\
    ---
    title: "Ferry timetable changes for the summer"
    date: 2026-11-22T08:00:00Z
    source: "Harbour Times"
    ---
    The ferry to Port Ellis will run every hour from June, the operator said on Sunday.

    Harbour staff said the new timetable follows a survey of passengers.
    """
MARKET = """\
    ---
    title: "Farmers market moves to the square"
    date: 2026-11-23T08:00:00Z
    source: "Valley Gazette"
    ---
    The weekly farmers market will move to the town square in the new year, the council said.

    Stall holders said the square has more room and better parking.
    """
# (six editions: 22 to 26 November, the bridge story on the 25th and 26th)
SITE = {
    **ARTICLES,
    "news/2026-11-22-ferry.md": FERRY,
    "news/2026-11-23-market.md": MARKET,
}
MOTHS = "content/science/2026-11-25-moths.md"
MARKET_FILE = "content/news/2026-11-23-market.md"
BRIDGE_FILE = "content/news/2026-11-26-bridge-cracks-measured.md"


def _site(tmp_path: Path) -> Path:
    return story_site(tmp_path / "site", SITE)


def _append(root: Path, rel: str = MOTHS) -> None:
    """A sentence of words no other article has (no related link changes)."""
    append(root, rel, "\nLepidopterists catalogued specimens.\n")


def _identities(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The editions whose page identity the builds make from now on."""
    made: list[str] = []
    spy(monkeypatch, render, "edition_ident", lambda ed, *_a: made.append(ed.key))
    return made


def _record(root: Path) -> Any:
    return stored(root, render._EDITIONS_NS, render._EDITIONS_KEY)


def _set_record(root: Path, value: Any) -> None:
    store_value(root, render._EDITIONS_NS, render._EDITIONS_KEY, value)


def _fares(day: str) -> str:
    return textwrap.dedent(FERRY).replace("2026-11-22", day).replace("timetable", "fares")


def _editions(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "editions").iterdir() if p.is_dir())


def test_an_edit_makes_the_identity_of_its_edition_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    assert len(_record(root)[1]) == 5
    made = _identities(monkeypatch)
    _append(root)
    build_once(root, tmp_path / "out")
    assert sorted(set(made)) == ["2026-11-25"]
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
    text = (tmp_path / "out/editions/2026-11-25/email.txt").read_text()
    assert "Volunteers count a record number of moths" in text


def test_a_rebuild_without_changes_makes_no_edition_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    before = tree(tmp_path / "out")
    record = _record(root)
    made = _identities(monkeypatch)
    lines: list[object] = []
    spy(monkeypatch, render, "_edition_line", lines.append)
    build_once(root, tmp_path / "out")
    assert made == [] and lines == []  # (nor a line of the editions index)
    assert tree(tmp_path / "out") == before
    assert _record(root) == record


def test_an_edit_that_moves_no_line_of_the_editions_index_leaves_it_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    index = tmp_path / "out/editions/index.html"
    before = index.read_bytes()
    rendered: list[str] = []
    spy(monkeypatch, render.Renderer, "_render", lambda _r, job: rendered.append(job.out))
    _append(root)
    build_once(root, tmp_path / "out")
    assert "editions/index.html" not in rendered
    assert "editions/2026-11-25/index.html" in rendered
    assert index.read_bytes() == before


@pytest.mark.parametrize(
    "change",
    [
        "appended",
        "added on a new day",
        "added to a day",
        "removed",
        "removed with its day",
        "moved to another day",
        "moved to a new day",
        "story retitled",
        "story grows",
        "story grows on a new day",
        "lead retitled",
        "two edits",
    ],
)
def test_after_each_change_the_site_is_a_cold_builds(tmp_path: Path, change: str) -> None:
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    content = root / "content"
    if change == "appended":
        _append(root)
    elif change == "added on a new day":
        (content / "news/2026-11-27-fares.md").write_text(_fares("2026-11-27"))
    elif change == "added to a day":
        (content / "news/2026-11-23-fares.md").write_text(_fares("2026-11-23"))
    elif change == "removed":
        (root / MOTHS).unlink()
    elif change == "removed with its day":
        (root / MARKET_FILE).unlink()
    elif change == "moved to another day":
        edit(root, MARKET_FILE, "2026-11-23T08", "2026-11-24T08")
    elif change == "moved to a new day":
        edit(root, MARKET_FILE, "2026-11-23T08", "2026-11-20T08")
    elif change == "story retitled":  # (the bridge story is in two editions)
        edit(root, BRIDGE_FILE, 'title: "', 'title: "Update: ')
    elif change == "story grows":
        (content / "news/2026-11-26-bridge-again.md").write_text(
            (root / BRIDGE_FILE)
            .read_text()
            .replace("Engineers measure", "Engineers again measure")
            .replace("Transport Ledger", "Evening Post")
        )
    elif change == "story grows on a new day":  # (the 25th's bridge item: one more elsewhere)
        (content / "news/2026-11-27-bridge-reopens.md").write_text(
            (root / BRIDGE_FILE)
            .read_text()
            .replace("2026-11-26T10", "2026-11-27T10")
            .replace("Engineers measure", "Engineers again measure")
            .replace("Transport Ledger", "Evening Post")
        )
    elif change == "lead retitled":
        edit(root, "content/news/2026-11-24-library.md", 'title: "', 'title: "Sunday: ')
    else:
        _append(root)
        build_once(root, tmp_path / "out")
        _append(root, MARKET_FILE)
    build_once(root, tmp_path / "out")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
    if change == "removed with its day":
        assert "2026-11-23" not in _editions(tmp_path / "out")
    if change == "moved to a new day":
        assert "2026-11-20" in _editions(tmp_path / "out")
    if change == "lead retitled":
        assert "Sunday: " in (tmp_path / "out/editions/index.html").read_text()


@pytest.mark.parametrize("record", ["garbage", "other base", "wrong keys", "wrong shape"])
def test_a_bad_record_is_never_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    """A record that does not fit (unreadable, of other templates or settings, or naming
    other keys than the pages had) costs time, never a stale page."""
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    base, pieces = _record(root)
    if record == "garbage":
        value: Any = "not a record"
    elif record == "other base":
        value = ["0" * 64, pieces]
    elif record == "wrong keys":  # (signatures as stored, page keys of no page)
        value = [
            base,
            {k: [sign, line, *["0" * 64] * 3] for k, (sign, line, *_p) in pieces.items()},
        ]
    else:
        value = [base, {k: [sign] for k, (sign, *_rest) in pieces.items()}]
    _set_record(root, value)
    _append(root)
    made = _identities(monkeypatch)
    build_once(root, tmp_path / "out")
    assert set(made) == set(pieces)  # (every edition keyed again)
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
    assert _record(root)[0] == base  # (and the record made right again)


def test_a_record_that_hides_an_edit_cannot_keep_the_pages_as_they_were(tmp_path: Path) -> None:
    """A stored page key is believed only when the stored page state has that key: a
    record giving an edited edition its new signature with its old page keys still gets
    its pages made again."""
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    _base, old = _record(root)
    _append(root)
    build_once(root, tmp_path / "scratch")  # (to learn the edited edition's signature)
    base, now = _record(root)
    lying = dict(now)
    lying["2026-11-25"] = (now["2026-11-25"][0], *old["2026-11-25"][1:])
    _set_record(root, [base, lying])
    build_once(root, tmp_path / "out")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


def test_a_template_change_makes_every_edition_page_again(tmp_path: Path) -> None:
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    templates = root / "templates"
    templates.mkdir()
    (templates / "edition.html").write_text("<p>{{ edition.label }}</p>\n")
    build_once(root, tmp_path / "out")
    page = (tmp_path / "out/editions/2026-11-22/index.html").read_text()
    assert page.startswith("<p>")
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)


def _signature(ed: Edition) -> str | None:
    told = render._StoryDigests(lambda _slug: None, {})
    return render._EditionPieces(cache.Cache(None), "", told, read=False).signature(ed)


def _changed(v: object) -> object:
    if isinstance(v, bool):
        return not v
    if isinstance(v, str):
        return v + "x"
    if isinstance(v, datetime):
        return v.astimezone(timezone(timedelta(hours=2)))  # (the same instant, shown otherwise)
    assert isinstance(v, tuple), v
    return (*v, "x")


def test_a_signature_follows_the_edition_its_neighbours_and_each_story_with_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an edition's pages show that its entries' keys do not say: its key, label and
    neighbours, and the fields of its stories of two or more articles (a story of one is
    made of its article and summary alone, which its entry's key holds)."""
    got: list[Any] = []
    spy(monkeypatch, render, "news_pages", lambda _entries, news, *_a: got.append(news))
    build_once(_site(tmp_path), tmp_path / "out", use_cache=False)
    ed = next(e for e in got[0].editions if e.key == "2026-11-25")
    item = next(it for it in ed.items if it.story.page)
    assert len(item.entries) == 2
    seen = {_signature(ed)}
    variants = []
    for f in ("key", "label", "prev", "next", "prev_label", "next_label"):
        variants.append(dataclasses.replace(ed, **{f: (getattr(ed, f) or "") + "x"}))
    for f in dataclasses.fields(Story):
        story = dataclasses.replace(item.story, **{f.name: _changed(getattr(item.story, f.name))})
        items = tuple(dataclasses.replace(it, story=story) if it is item else it for it in ed.items)
        variants.append(dataclasses.replace(ed, items=items))
    rekeyed = dataclasses.replace(item.entries[0], key="other")
    items = tuple(
        dataclasses.replace(it, entries=(rekeyed, *it.entries[1:])) if it is item else it
        for it in ed.items
    )
    variants.append(dataclasses.replace(ed, items=items))
    variants.append(dataclasses.replace(ed, items=ed.items[::-1]))
    for other in variants:
        seen.add(_signature(other))
    assert len(seen) == len(variants) + 1
    keyless = dataclasses.replace(item.entries[0], key="")
    items = tuple(
        dataclasses.replace(it, entries=(keyless,)) if it is item else it for it in ed.items
    )
    assert _signature(dataclasses.replace(ed, items=items)) is None


def test_a_new_day_makes_the_pages_of_the_editions_it_touches_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article moved to a day of its own: a new page (publish then checks every page's
    claim, by its name); the editions the move leaves alone are named without making
    their pages' jobs."""
    root = _site(tmp_path)
    build_once(root, tmp_path / "out")
    made: list[str] = []
    spy(monkeypatch, render, "_edition_jobs", lambda ed, *_a: made.append(ed.key))
    edit(root, MARKET_FILE, "2026-11-23T08", "2026-11-20T08")
    build_once(root, tmp_path / "out")
    assert "2026-11-20" in made
    assert not {"2026-11-25", "2026-11-26"} & set(made)
    assert "editions/2026-11-20/" in (tmp_path / "out/editions/2026-11-22/index.html").read_text()
    assert tree(tmp_path / "out") == cold_tree(root, tmp_path)
