"""The upstream stages of a session's rebuild (collect, related, stories, entries) do
only the changed articles' work, and give what a full run gives."""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from conftest import edit, spy, tree, write_site
from storysite import ARTICLES as STORY_ARTICLES
from storysite import CONFIG as STORY_CONFIG
from test_edit_rebuild import HARBOUR, MOTHS
from test_session import EDITS, _many
from test_stories_incremental import CHANGES, MOTHS_2
from test_stories_incremental import _write as _write_stories

from digest import collect, related, watch
from digest.build import BuildOptions, Session, build
from digest.model import Article
from digest.related import term_counts, top_k, update_top_k, vectorize


def _art(slug: str, text: str) -> Article:
    return Article(
        path=f"{slug}.md",
        slug=slug,
        title=slug,
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url=f"{slug}/",
        text=text,
        paragraphs=(text,),
    )


def _clustered(rng: random.Random, words: list[str], n: int) -> list[Article]:
    """n articles of 35 words each, drawn from 11 overlapping bands of ``words``: rows
    with many neighbours, some close, some not."""
    return [
        _art(
            f"d{i:03d}",
            " ".join(rng.choice(words[(i % 11) * 40 : (i % 11) * 40 + 70]) for _ in range(35)),
        )
        for i in range(n)
    ]


def _table(lists: list[list[tuple[int, float]]]) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists as the n x k arrays the related state stores (-1 and 0 pad)."""
    k = max(len(row) for row in lists)
    idx = np.full((len(lists), k), -1, dtype="<i4")
    scores = np.zeros((len(lists), k), dtype="<f8")
    for r, row in enumerate(lists):
        for c, (j, sc) in enumerate(row):
            idx[r, c], scores[r, c] = j, sc
    return idx, scores


def test_one_edited_row_is_updated_without_transposing_the_matrix(monkeypatch) -> None:
    """An edit touching a few rows is scored with one pass over the matrix (no term ->
    rows index, 40-60 ms at 10,000 articles): the lists and scores are top_k's, bit for
    bit, ties included."""
    rng = random.Random(7)
    words = [f"w{i}" for i in range(500)]
    docs = _clustered(rng, words, 400)
    docs[5] = replace(docs[5], text=docs[4].text)  # (a tie: two rows with the same scores)
    keys = [d.slug for d in docs]
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    result = top_k(vec, 5, 0.03, keys)
    transposed = []
    # (the transposed matrix's product: counted)
    spy(monkeypatch, related, "_block_scores", lambda a, b: transposed.append(a.shape[0]))
    few = 0
    for _ in range(10):
        i = rng.randrange(len(docs))
        # (its own words again mostly: few document frequencies move, few rows touched)
        more = rng.sample(docs[i].text.split(), 8) + rng.sample(words, rng.randrange(3))
        docs[i] = replace(docs[i], text=docs[i].text + " " + " ".join(more))
        counts[i] = term_counts(docs[i])
        new = vectorize(counts)
        touched = related.touched_rows(vec.df, new, [i])
        transposed.clear()
        updated = update_top_k(vec.df, result, new, [i], 5, 0.03, keys)
        if len(touched) * 16 < len(docs):
            few += 1
            assert not transposed
        full = top_k(new, 5, 0.03, keys)
        assert transposed  # (a full run's products are counted: the spy is on the path)
        assert updated == full
        # the old lists read from the arrays a session keeps of them: the same lists
        assert update_top_k(vec.df, result, new, [i], 5, 0.03, keys, table=_table(result)) == full
        vec, result = new, full
    assert few >= 3  # (the edits of the corpus touch few rows)


# ---------------------------------------------------------------- collect, told what changed


class _Watched:
    """A session told of every change as digest.watch.Watcher tells it (a snapshot of the
    watched folders before the first build, then each scan's changed files)."""

    def __init__(self, root: Path) -> None:
        from digest.config import load_config

        self.root = root
        config = load_config(root / "site.yaml")
        self.roots = watch.watch_paths(config.path, config.content.dir)
        self.session = Session()
        self.session.watching([str(p) for p in self.roots])
        self.snap = watch.snapshot(self.roots)

    def build(self, out: Path) -> None:
        new = watch.snapshot(self.roots)
        self.session.changed(watch._changed(self.snap, new))
        self.snap = new
        _build(self.root, out, self.session)


def _build(root: Path, out: Path, session: Session | None, use_cache: bool = True) -> None:
    from digest.config import load_config

    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=1), session=session)


def _same_stamp_rewrite(path: Path, old: str, new: str) -> None:
    """Text of the same length written with the file's stamp put back: no watcher sees it
    (as a second write in the same tick of a coarse clock)."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_watched_session_follows_every_edit_as_a_cold_build(tmp_path: Path) -> None:
    """A session told what changed looks at those sources only, and still publishes a cold
    build's site after each edit: text, title, date, tags, an article added, edited and
    removed, a template, the config, a folder's defaults, and a file rewritten within the
    same second with its stamp unchanged (which no watcher sees)."""
    root = write_site(tmp_path / "site")
    watched = _Watched(root)
    live = tmp_path / "live"
    watched.build(live)
    edits = [
        *EDITS,
        (
            "folder defaults added",
            lambda r: (r / "content/world/_source.yaml").write_text(
                "source: Harbour Herald\n", encoding="utf-8"
            ),
        ),
        (
            "folder defaults edited",
            lambda r: edit(r, "content/world/_source.yaml", "Herald", "Times"),
        ),
        ("folder defaults removed", lambda r: (r / "content/world/_source.yaml").unlink()),
        ("edited before the rewrite", lambda r: edit(r, HARBOUR, "repairs", "works  ")),
    ]
    for name, change in edits:
        change(root)
        watched.build(live)
        cold = tmp_path / f"cold-{name.replace(' ', '-')}"
        _build(root, cold, None, use_cache=False)
        assert tree(live) == tree(cold), name
    # the last edit was moments ago: its stamp is one the digest index looks at again
    before = tree(live)
    _same_stamp_rewrite(root / HARBOUR, "works  ", "repairs")
    watched.build(live)
    _build(root, tmp_path / "cold-rewrite", None, use_cache=False)
    assert tree(live) == tree(tmp_path / "cold-rewrite") != before


@pytest.mark.parametrize("change", [c for c in CHANGES if not c.startswith("stories")])
def test_a_watched_session_follows_story_changes_as_a_cold_build(
    tmp_path: Path, change: str
) -> None:
    start = ({**STORY_ARTICLES, "science/2026-11-26-moth-species.md": MOTHS_2}, STORY_CONFIG)
    if change == "add an article that makes a new story":
        start = (STORY_ARTICLES, STORY_CONFIG)
    root = _write_stories(tmp_path / "s", start)
    watched = _Watched(root)
    watched.build(tmp_path / "live")
    _write_stories(root, CHANGES[change](start))
    watched.build(tmp_path / "live")
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


def test_a_watched_session_hashes_only_the_files_seen_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    watched = _Watched(root)
    watched.build(tmp_path / "live")
    time.sleep(1.1)  # (sources written within a second of the index are looked at again)
    watched.build(tmp_path / "live")
    looked: list[str] = []
    spy(monkeypatch, collect.Digests, "of", lambda self, src, st: looked.append(src.rel))
    edit(root, MOTHS, "312 species", "313 species")
    watched.build(tmp_path / "live")
    assert looked == [MOTHS.removeprefix("content/")]
    # a session without a watcher looks at every source
    unwatched = Session()
    _build(root, tmp_path / "live", unwatched)
    looked.clear()
    edit(root, MOTHS, "313 species", "314 species")
    _build(root, tmp_path / "live", unwatched)
    assert len(looked) == len(list((root / "content").rglob("*.md"))) > 1
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


def test_a_sessions_order_of_articles_follows_dates_adds_and_removals() -> None:
    """The articles' order, newest first, made from the last build's when a few changed:
    the order a sort of all of them gives, ties of date broken by slug, whatever moved."""
    from types import SimpleNamespace

    rng = random.Random(3)

    def item(slug: str, day: int, hour: int) -> SimpleNamespace:
        date = datetime(2026, 1, 1 + day, hour, tzinfo=timezone.utc)
        return SimpleNamespace(article=SimpleNamespace(slug=slug, date=date))

    items = [item(f"s{i:04d}", rng.randrange(20), rng.randrange(3)) for i in range(600)]
    order = collect._newest_first(items, None)  # type: ignore[arg-type]
    patched = 0
    for step in range(40):
        items = list(items)
        for _ in range(rng.randrange(1, 4)):
            what = rng.randrange(3)
            if what == 0:  # an edit: another object, maybe another date
                i = rng.randrange(len(items))
                old = items[i].article
                items[i] = item(old.slug, rng.randrange(20), rng.randrange(3))
            elif what == 1:
                items.insert(rng.randrange(len(items)), item(f"n{step}-{_}", 5, 1))
            else:
                items.pop(rng.randrange(len(items)))
        order = collect._newest_first(items, order)  # type: ignore[arg-type]
        want = sorted(items, key=lambda it: (-it.article.date.timestamp(), it.article.slug))
        assert order.items == want
        patched += order.keys is not None
    assert patched > 30


def test_a_date_that_moves_an_article_updates_the_related_lists_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed date moves the article among the others (rows in another order): the
    last lists are renumbered and updated where the edit touched them, not made again
    for every row; the site is a cold build's, in a session and in a new process."""
    root = write_site(tmp_path / "site", _many(60))
    session = Session()
    _build(root, tmp_path / "live", session)
    _build(root, tmp_path / "other", None)
    full: list[int] = []
    spy(monkeypatch, related, "top_k", lambda v, *a, **k: full.append(v.matrix.shape[0]))
    moved = root / "content/world/2026-02-04-item-3.md"
    for n, (old, new) in enumerate([("2026-02-04", "2026-02-25"), ("2026-02-25", "2026-02-02")]):
        edit(root, str(moved.relative_to(root)), f"date: {old}", f"date: {new}")
        _build(root, tmp_path / "live", session)
        _build(root, tmp_path / "other", None)
        assert not full
        # the vectors the session keeps, renumbered and updated: those of the new order
        kept = session.kept.related
        assert kept is not None and kept.vectors is not None
        made = vectorize(list(kept.counts))
        for name in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(kept.vectors.matrix, name), getattr(made.matrix, name))
        assert np.array_equal(kept.vectors.term_ids, made.term_ids)
        assert np.array_equal(kept.vectors.term_ptr, made.term_ptr)
        assert [a.slug for a in kept.articles] == list(kept.previous.keys)
        cold = tmp_path / f"cold{n}"
        _build(root, cold, None, use_cache=False)
        assert tree(tmp_path / "live") == tree(cold) == tree(tmp_path / "other")
        assert full  # (the cold build's full run is counted: the spy is on the path)
        full.clear()


def test_vectors_made_again_for_a_few_rows_are_a_full_runs_bit_for_bit() -> None:
    """revectorize (a session's edit) gives the vectors vectorize gives, bit for bit, the
    site's last row included: its sums once took in a zero after it, which moved the
    last bit of a row's norm when the row was summed last among a few (seen as a score
    one millionth apart between a session and a cold build)."""
    rng = random.Random(7)
    words = [f"w{i}" for i in range(500)]
    docs = _clustered(rng, words, 60)
    counts = [term_counts(d) for d in docs]
    vec = vectorize(counts)
    made = 0
    for _ in range(30):
        i = rng.randrange(len(docs))
        docs[i] = replace(docs[i], text=docs[i].text + " " + " ".join(rng.sample(words, 3)))
        new = list(counts)
        new[i] = term_counts(docs[i])
        again, full = related.revectorize(vec, counts, new), vectorize(new)
        if again is not None:  # (None: too many rows touched, vectorize makes them all)
            made += 1
            for name in ("data", "indices", "indptr"):
                assert np.array_equal(getattr(again.matrix, name), getattr(full.matrix, name))
        counts, vec = new, full
    assert made >= 10


def test_the_watcher_tells_its_listener_each_changed_file(tmp_path: Path) -> None:
    """digest build --watch and digest serve tell their session what changed: the roots
    when the first snapshot is taken, then every file added, edited or removed."""
    root = tmp_path / "site"
    (root / "content/world").mkdir(parents=True)
    (root / "site.yaml").write_text("title: x\n")
    old = root / "content/world/old.md"
    old.write_text("old\n")
    told: list[object] = []

    class Listener:
        def watching(self, roots):
            told.append(("watching", tuple(roots)))

        def changed(self, paths):
            told.append(("changed", frozenset(paths)))

    builds: list[int] = []
    stop = threading.Event()
    paths = watch.watch_paths(root / "site.yaml")
    t = threading.Thread(
        target=watch.build_and_watch,
        args=(lambda: builds.append(1), lambda: paths),
        kwargs={"debounce": 0.2, "stop": stop, "listener": Listener()},
        daemon=True,
    )
    t.start()
    try:
        deadline = time.monotonic() + 10
        while not builds and time.monotonic() < deadline:
            time.sleep(0.02)
        assert told == [("watching", tuple(str(p) for p in paths))]
        new = root / "content/world/new.md"
        new.write_text("new\n")
        with open(old, "a") as f:
            f.write("more\n")
        (root / "site.yaml").unlink()
        while len(builds) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(builds) == 2
    finally:
        stop.set()
        t.join(timeout=10)
    seen = set().union(*(p for what, p in told[1:] if what == "changed"))
    assert seen == {str(new), str(old), str(root / "site.yaml")}


def test_the_related_state_an_edit_stores_is_a_cold_builds(tmp_path: Path) -> None:
    """A new process updates the stored lists from their stored arrays (only the rows
    that changed laid out again): the state it stores is byte for byte the one a build
    with an empty cache stores, after an edit and after a date that moves an article."""
    import shutil

    from digest import cache
    from digest.config import load_config

    def state(root: Path) -> object:
        store = cache.Cache(load_config(root / "site.yaml").cache_dir)
        try:
            rows = store.db.execute(  # type: ignore[union-attr]
                "SELECT k FROM entries WHERE ns='related-state'"
            ).fetchall()
            assert len(rows) == 1
            return store.get("related-state", rows[0][0], related._State)
        finally:
            store.close()

    root = write_site(tmp_path / "site", _many(60))
    _build(root, tmp_path / "out", None)
    edits = [
        lambda: edit(root, "content/world/2026-02-04-item-3.md", "was published", "came out"),
        lambda: edit(
            root, "content/world/2026-02-04-item-3.md", "date: 2026-02-04", "date: 2026-02-26"
        ),
    ]
    for n, change in enumerate(edits):
        change()
        _build(root, tmp_path / "out", None)
        fresh = tmp_path / f"fresh{n}"
        shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".digest-cache"))
        _build(fresh, tmp_path / f"out{n}", None)
        assert state(root) == state(fresh) is not None


def test_a_sessions_first_edit_updates_the_vectors_its_first_build_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session starting on a built site (nothing to redo) makes the vectors then, so
    its first edit updates the edited rows' only instead of making every row's."""
    root = write_site(tmp_path / "site", _many(60))
    _build(root, tmp_path / "live", None)
    session = Session()
    _build(root, tmp_path / "live", session)
    made: list[int] = []
    spy(monkeypatch, related, "vectorize", lambda counts: made.append(len(counts)))
    edit(root, "content/world/2026-02-04-item-3.md", "was published", "came out")
    _build(root, tmp_path / "live", session)
    assert not made
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert made == [60]  # (a cold build makes every row's: the spy is on the path)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


def test_a_watched_session_looks_at_files_the_watcher_ignores(tmp_path: Path) -> None:
    """A folder named '#...' is read as content but never watched (editors' clutter): its
    sources, and the folder defaults beside them, are looked at in every build."""
    notes = "content/#notes/2026-03-07-note.md"
    root = write_site(tmp_path / "site", {notes.removeprefix("content/"): NOTE})
    watched = _Watched(root)
    watched.build(tmp_path / "live")
    for n, change in enumerate(
        [
            lambda: edit(root, notes, "ferry timetable", "ferry schedule"),
            lambda: (root / "content/#notes/_source.yaml").write_text(
                "source: Harbour Notes\n", encoding="utf-8"
            ),
        ]
    ):
        change()
        watched.build(tmp_path / "live")
        _build(root, tmp_path / f"cold{n}", None, use_cache=False)
        assert tree(tmp_path / "live") == tree(tmp_path / f"cold{n}"), n


NOTE = """\
---
title: "A note on the ferry timetable"
date: 2026-03-07
---
The ferry timetable changes on Monday, the harbour office said in a short note.

Passengers should check the ferry timetable before they travel to the harbour.
"""


def test_a_sessions_segments_are_cut_and_keyed_as_a_new_process_cuts_them() -> None:
    """The segments of a session's rebuild are the last build's cuts, made again only
    near the keys that changed, and their keys the last ones where no key changed: the
    same spans and keys as made from scratch, whatever the edits."""
    from digest import cache

    rng = random.Random(5)

    def key() -> str:
        return f"{rng.getrandbits(256):064x}"

    keys = [key() for _ in range(900)]
    last = collect._Segments(cache.Cache(None), keys)
    for span in last.spans:
        last.key(span)
    patched = 0
    for _ in range(30):
        keys = list(keys)
        for _ in range(rng.randrange(1, 5)):
            i = rng.randrange(len(keys))
            keys[i] = key()
            if rng.random() < 0.3:  # a key that ends a segment
                keys[i] = keys[i][:-4] + f"{64 * rng.randrange(1000):04x}"
        made = last.made()
        again = collect._Segments(cache.Cache(None), keys, made)
        fresh = collect._Segments(cache.Cache(None), keys)
        assert again.spans == fresh.spans
        patched += bool(again.keyed)
        assert [again.key(sp) for sp in again.spans] == [fresh.key(sp) for sp in fresh.spans]
        last = again
    assert patched == 30


# ---------------------------------------------------------------- folders the watcher skips


def _age_all(root: Path) -> None:
    """Every file's mtime an hour back (each its own): only old stamps are trusted on the
    watcher's word, so the shortcut is what the test sees."""
    now = time.time_ns()
    for k, p in enumerate(sorted(root.rglob("*"))):
        if p.is_file():
            old = now - 3600 * 10**9 + k * 1000
            os.utime(p, ns=(old, old))


def _md(title: str, day: int, body: str) -> str:
    return f'---\ntitle: "{title}"\ndate: 2026-03-{day:02d}\n---\n{body}\n'


@pytest.mark.parametrize("folder", ["old~", "notes.tmp", "#drafts"])
def test_an_article_in_a_folder_the_watcher_skips_is_followed_in_a_watched_session(
    tmp_path: Path, folder: str
) -> None:
    """The watcher skips editor clutter (``x~``, ``x.tmp``, ``#x``) but discovery reads
    the articles in such a folder: an edit there, never told, is still published."""
    root = tmp_path / "site"
    (root / "content" / folder).mkdir(parents=True)
    (root / "site.yaml").write_text('title: "T"\nbase_url: "https://example.org/"\n')
    a = root / "content" / folder / "a.md"
    a.write_text(_md("Alpha", 3, "The ferry at Marlow will close for ten days from Monday."))
    (root / "content/b.md").write_text(_md("Beta", 4, "A different story about bridges."))
    _age_all(root)
    watched = _Watched(root)
    watched.build(tmp_path / "live")
    a.write_text(_md("Alpha edited", 3, "The ferry at Marlow will close for a month."))
    (root / "content/b.md").write_text(_md("Beta", 4, "Another story about bridges."))
    _age_all(root)
    watched.build(tmp_path / "live")
    assert "Alpha edited" in (tmp_path / "live/articles.json").read_text(encoding="utf-8")
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


@pytest.mark.parametrize("folder", ["#scraped", "scraped~"])
def test_scraped_pages_in_a_folder_the_watcher_skips_get_a_fresh_line_table(
    tmp_path: Path, folder: str
) -> None:
    """A line on every scraped page of a folder is page furniture and dropped; once one
    page no longer has it, it is text again.  In a folder the watcher skips, that edit is
    never told, and the folder's line table is made again anyway."""
    common = "The harbour authority confirmed the closure of the quay on Tuesday morning."

    def page(i: int, with_common: bool = True) -> str:
        lines = [
            ["Scotland", "Islands", "Transport"][i],
            f"Quay number {i} at Port Ellen to shut for repairs",
            f"The quay at Port Ellen number {i} will shut for repairs next month, officials "
            "said today in a statement.",
            *([common] if with_common else []),
            f"Engineers found {i} cracks in the old stone wall during an inspection in spring.",
            f"Ferry services {i} will move to the pier at Bowmore while the work goes on.",
        ]
        return "\n\n".join(lines) + "\n"

    root = tmp_path / "site"
    scraped = root / "content" / folder
    scraped.mkdir(parents=True)
    (root / "site.yaml").write_text(
        'title: "T"\nbase_url: "https://example.org/"\narticle_body: full\n'
    )
    for i in range(3):
        (scraped / f"2026-03-0{i + 1}-p{i}.txt").write_text(page(i))
    (root / "content/b.md").write_text(_md("Beta", 4, "A different story about bridges."))
    _age_all(root)
    watched = _Watched(root)
    watched.build(tmp_path / "live")
    (scraped / "2026-03-01-p0.txt").write_text(page(0, with_common=False))
    (root / "content/b.md").write_text(_md("Beta edited", 4, "A different story about bridges."))
    _age_all(root)
    watched.build(tmp_path / "live")
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")
