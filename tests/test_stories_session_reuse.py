"""A session's rebuild takes the last build's stories as they were when their members,
rows and neighbour lists are the same objects (compose's neighbours_before): an edit
elsewhere composes no story again, an edit of a member composes its story again, and the
site is a cold build's either way."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from conftest import edit, spy, tree, write_site
from storysite import ARTICLES as STORY_ARTICLES
from storysite import CONFIG as STORY_CONFIG
from test_session import _many

from digest.build import BuildOptions, Session, build
from digest.config import load_config

composing = importlib.import_module("digest.stories.compose")  # (the module, not the function)

ITEM_3 = "content/world/2026-02-04-item-3.md"
HAULIERS = "content/business/2026-11-25-bridge-hauliers.md"


def _build(root: Path, out: Path, session: Session | None, use_cache: bool = True) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=1), session=session)


def test_a_sessions_edit_outside_a_story_composes_that_story_not_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site", {**STORY_ARTICLES, **_many(40)}, STORY_CONFIG)
    live = tmp_path / "live"
    session = Session()
    _build(root, live, session)
    assert (live / "stories").is_dir()  # (the bridge story of three outlets)
    composed: list[tuple[str, ...]] = []  # (the bridge stories composed)

    def compose_one(members, rows, *args, **kwargs):
        slugs = tuple(members[r].article.slug for r in rows)
        if len(rows) > 1 and any("bridge" in slug for slug in slugs):
            composed.append(slugs)

    spy(monkeypatch, composing, "compose_one", compose_one)
    edit(root, ITEM_3, "was published", "came out")
    _build(root, live, session)
    assert composed == []
    _build(root, tmp_path / "cold-1", None, use_cache=False)
    assert tree(live) == tree(tmp_path / "cold-1")
    # a member's text: its story is composed again (its summary may take the new text)
    edit(root, HAULIERS, "Hauliers in the Dunmere", "Truckers in the Dunmere")
    composed.clear()  # (the cold build composed it too)
    _build(root, live, session)
    assert len(composed) == 1 and len(composed[0]) == 3, composed
    _build(root, tmp_path / "cold-2", None, use_cache=False)
    assert tree(live) == tree(tmp_path / "cold-2")


def _graph_of(root: Path, out: Path, session: Session, use_cache: bool = True) -> tuple:
    """The session's story graph after a build, as arrays and tuples to compare."""
    _build(root, out, session, use_cache)
    g = session.kept.stories.graph  # type: ignore[union-attr]
    assert g is not None
    return (
        g.keys,
        g.sigs,
        *(x.tolist() for x in (g.lists, g.scores, g.df, g.a, g.b)),
        *(x.tolist() for x in (g.s, g.comp, g.label)),
        # (every row's feature buckets, kept for the next edit)
        *(x.tolist() if x is not None else None for x in (g.fids, g.fptr)),
    )


def test_a_sessions_regroup_reads_only_the_edited_rows_and_gives_a_fresh_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows whose item is the last build's keep their slugs, keys, dates, feature
    counts and features: an edit reads no other row's features, whether it moves a
    feature's frequency or not, and after edits that do (a name, a date) the graph is a
    fresh session's, array for array."""
    grouping = importlib.import_module("digest.stories.grouping")
    root = write_site(tmp_path / "site", {**STORY_ARTICLES, **_many(40)}, STORY_CONFIG)
    session = Session()
    _build(root, tmp_path / "live", session)
    read: list[int] = []
    spy(monkeypatch, grouping, "_feature_ids", lambda feats: read.append(len(feats)))
    edit(root, ITEM_3, "was published", "came out")
    _graph_of(root, tmp_path / "live", session)
    assert read == []
    edits = [
        lambda: edit(root, ITEM_3, "came out", "came out, said Ruth Okafor of Kestrel"),
        lambda: edit(root, HAULIERS, "2026-11-25T15:00:00Z", "2026-11-26T15:00:00Z"),
    ]
    for n, change in enumerate(edits):
        change()
        patched = _graph_of(root, tmp_path / "live", session)
        assert read == []  # (the rows holding a moved bucket found in the kept buckets)
        fresh = _graph_of(root, tmp_path / f"fresh-{n}", Session(), use_cache=False)
        assert read  # (a fresh session reads them all: the spy is on the path)
        read.clear()
        assert patched == fresh


def test_a_sessions_edit_composes_only_the_groups_it_touched_as_compose_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """recompose (a session's edit) gives exactly compose's stories, summaries used and
    summary keys, whether the edit is outside every story, in a member's text, takes an
    article out of its story or puts it back; and the site is a cold build's."""
    state = importlib.import_module("digest.stories.state")
    grouping = importlib.import_module("digest.stories.grouping")
    real = composing.recompose
    seen: list[str] = []

    def checked(*args):
        members, label, _redo, neighbours, sentences, memo, used, before = args[:8]
        members_before, neighbours_before, keys_before, keys, changed = args[8:]
        got = real(*args)
        if got is None:
            seen.append("all")
            return got
        used_all: dict = {}
        keys_all: dict = {}
        full = composing.compose(
            *(members, grouping._groups(label), neighbours, sentences),
            memo=memo,
            used=used_all,
            before=before,
            members_before=members_before,
            changed=changed,
            neighbours_before=neighbours_before,
            keys_before=keys_before,
            keys=keys_all,
        )
        assert got.all == full.all and [s.slug for s in got.all] == [s.slug for s in full.all]
        # (a story of the last build is that object in both; a story made again is new)
        last = {id(s) for s in before.all}
        assert all(x is y for x, y in zip(got.all, full.all, strict=True) if id(y) in last)
        assert not any(id(x) in last for x, y in zip(got.all, full.all, strict=True) if x is not y)
        assert got.of == full.of and got.changed == full.changed
        assert used == used_all and keys == keys_all
        seen.append("same" if got.all is before.all else "patched")
        return got

    monkeypatch.setattr(state, "recompose", checked)
    root = write_site(tmp_path / "site", {**STORY_ARTICLES, **_many(40)}, STORY_CONFIG)
    cracks = "content/news/2026-11-26-bridge-cracks-measured.md"
    live = tmp_path / "live"
    session = Session()
    _build(root, live, session)
    text = (root / cracks).read_text(encoding="utf-8")
    edits = [
        lambda: edit(root, ITEM_3, "was published", "came out"),
        lambda: edit(root, HAULIERS, "Hauliers in the Dunmere", "Truckers in the Dunmere"),
        # out of the bridge story (another subject altogether), then back in
        lambda: (root / cracks).write_text(
            text.split("---\n", 2)[0] + "---\n" + text.split("---\n", 2)[1] + "---\n"
            "A choir of forty singers gave a winter concert in the market hall.\n",
            encoding="utf-8",
        ),
        lambda: (root / cracks).write_text(text, encoding="utf-8"),
    ]
    for i, make_edit in enumerate(edits):
        make_edit()
        _build(root, live, session)
        _build(root, tmp_path / f"cold-{i}", None, use_cache=False)
        assert tree(live) == tree(tmp_path / f"cold-{i}")
    assert "patched" in seen, seen
