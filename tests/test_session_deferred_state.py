"""A session's later builds write the whole-site states (related lists, story graph) at
most once in related.STORE_EVERY seconds: its own builds and a new process's after it
still give a cold build's site, and the state written once due is the one a fresh build
stores."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import edit, spy, tree, write_site
from test_session import _many

from digest import cache, collect, related, watch
from digest.build import BuildOptions, Session, build
from digest.cli import main
from digest.config import load_config
from digest.stories import state as story_state

STATES = ("related-state", "story-groups")
WATCHED = (*STATES, "digests")  # (the digest index: one per build, with its time)
ITEM_3 = "content/world/2026-02-04-item-3.md"
ITEM_7 = "content/science/2026-02-08-item-7.md"
ITEM_9 = "content/world/2026-02-10-item-9.md"


def _build(root: Path, out: Path, session: Session | None, use_cache: bool = True) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=1), session=session)


def _every(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    monkeypatch.setattr(related, "STORE_EVERY", seconds)
    monkeypatch.setattr(story_state, "STORE_EVERY", seconds)


def _deferring_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 60-article site whose session defers its whole-site states (STORE_EVERY far
    away, so every build of a test is within it)."""
    _every(monkeypatch, 1e9)
    return write_site(tmp_path / "site", _many(60))


def _writes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The whole-site states and digest indexes put in the store from now on, by
    namespace."""
    puts: Counter[str] = Counter()

    def put_many(self, ns, items):
        if ns in WATCHED and self.db is not None:  # (a build without the cache stores none)
            puts[ns] += 1

    spy(monkeypatch, cache.Cache, "put_many", put_many)
    return puts


def _stored(root: Path) -> dict[str, object]:
    """The site's stored whole-site states, by namespace (each holds one)."""
    store = cache.Cache(load_config(root / "site.yaml").cache_dir)
    try:
        out = {}
        for ns, typ in (("related-state", related._State), ("story-groups", story_state._Saved)):
            rows = store.db.execute(  # type: ignore[union-attr]
                "SELECT k FROM entries WHERE ns=?", (ns,)
            ).fetchall()
            assert len(rows) == 1
            out[ns] = store.get(ns, rows[0][0], typ)
        return out
    finally:
        store.close()


def _fresh(root: Path, tmp_path: Path, name: str) -> Path:
    """A copy of the site's sources with no cache, built once (its stored states are a
    fresh build's)."""
    fresh = tmp_path / name
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".digest-cache"))
    _build(fresh, tmp_path / f"out-{name}", None)
    return fresh


EDITS = [
    ("body", lambda r: edit(r, ITEM_3, "was published", "came out")),
    ("title", lambda r: edit(r, ITEM_7, 'title: "The', 'title: "Once more the')),
    ("date", lambda r: edit(r, ITEM_3, "date: 2026-02-04", "date: 2026-02-26")),
    ("removed", lambda r: (r / ITEM_9).unlink()),
    (
        "added",
        lambda r: (r / "content/world/2026-02-27-new.md").write_text(
            (r / ITEM_7).read_text(encoding="utf-8").replace("part 7", "part 70"),
            encoding="utf-8",
        ),
    ),
]


def test_a_sessions_edits_write_no_whole_site_state_and_a_new_process_after_builds_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within STORE_EVERY a session's edits (text, title, date, a removal, an addition)
    write neither state nor the digest index, and each publishes a cold build's site; a
    new process after them finds the session's first states and index (older than its
    sources), builds a cold build's site from them and stores the states a fresh build
    stores."""
    root = _deferring_site(tmp_path, monkeypatch)
    live = tmp_path / "live"
    session = Session()
    _build(root, live, session)
    first = _stored(root)
    puts = _writes(monkeypatch)
    for name, change in EDITS:
        change(root)
        _build(root, live, session)
        _build(root, tmp_path / f"cold-{name}", None, use_cache=False)
        assert tree(live) == tree(tmp_path / f"cold-{name}"), name
    assert not puts
    assert _stored(root) == first  # (the session's first build's, unchanged)
    edit(root, ITEM_7, "part 7", "part 7b")
    _build(root, live, None)
    _build(root, tmp_path / "cold-after", None, use_cache=False)
    assert tree(live) == tree(tmp_path / "cold-after")
    assert _stored(root) == _stored(_fresh(root, tmp_path, "fresh"))


def test_a_deferred_state_is_written_by_the_first_build_that_finds_it_due(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit's states left unwritten are written by the session's next build once
    STORE_EVERY has passed, even one with nothing changed: the store then holds what a
    fresh build of the same sources stores."""
    root = _deferring_site(tmp_path, monkeypatch)
    live = tmp_path / "live"
    session = Session()
    _build(root, live, session)
    puts = _writes(monkeypatch)
    edit(root, ITEM_3, "was published", "came out")
    _build(root, live, session)
    assert not puts
    _every(monkeypatch, 0.0)
    _build(root, live, session)  # (no change: only the pending states written)
    assert puts == Counter(WATCHED)
    _build(root, live, session)  # (written already: no state to write)
    assert {ns: puts[ns] for ns in STATES} == Counter(STATES)
    assert _stored(root) == _stored(_fresh(root, tmp_path, "fresh"))


def _digests(root: Path) -> object:
    """The site's stored digest index (its files: path -> stamp and sha256)."""
    store = cache.Cache(load_config(root / "site.yaml").cache_dir)
    try:
        rows = store.db.execute(  # type: ignore[union-attr]
            "SELECT k FROM entries WHERE ns='digests'"
        ).fetchall()
        assert len(rows) == 1
        return store.get("digests", rows[0][0], collect.DigestIndex).files
    finally:
        store.close()


def test_settle_writes_what_the_session_deferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a session's end (Session.settle) what its last build deferred is written: the
    states a fresh build stores and the session's digest index; nothing when nothing is
    pending."""
    root = _deferring_site(tmp_path, monkeypatch)
    session = Session()
    _build(root, tmp_path / "live", session)
    puts = _writes(monkeypatch)
    session.settle()
    assert not puts  # (the first build wrote all)
    edit(root, ITEM_3, "was published", "came out")
    _build(root, tmp_path / "live", session)
    assert not puts
    session.settle()
    assert puts == Counter(WATCHED)
    assert _stored(root) == _stored(_fresh(root, tmp_path, "fresh"))
    kept = session.kept.collect
    assert kept is not None and kept.digests is not None
    assert _digests(root) == kept.digests.files


def test_the_end_of_build_watch_writes_what_its_session_deferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``digest build --watch`` stopped with Ctrl+C after an edit leaves the states a
    fresh build stores (a new process starts from its last build)."""
    root = _deferring_site(tmp_path, monkeypatch)

    def build_and_watch(rebuild, paths, listener=None, polling=False):
        rebuild()
        edit(root, ITEM_3, "was published", "came out")
        rebuild()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "build_and_watch", build_and_watch)
    site = str(root / "site.yaml")
    assert main(["build", "--watch", "-q", "--config", site, "--jobs", "1"]) == 0
    assert _stored(root) == _stored(_fresh(root, tmp_path, "fresh"))


def test_build_watch_stopped_by_sigterm_writes_what_its_session_deferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``digest build --watch`` stopped by SIGTERM (systemd, docker stop) ends as after
    Ctrl+C: "stopped", exit 0, the states a fresh build stores written; the previous
    SIGTERM handler is back afterwards."""
    import signal

    root = _deferring_site(tmp_path, monkeypatch)
    before = signal.getsignal(signal.SIGTERM)

    def build_and_watch(rebuild, paths, listener=None, polling=False):
        rebuild()
        edit(root, ITEM_3, "was published", "came out")
        rebuild()
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler), "SIGTERM would kill the process without writing"
        handler(signal.SIGTERM, None)

    monkeypatch.setattr(watch, "build_and_watch", build_and_watch)
    site = str(root / "site.yaml")
    assert main(["build", "--watch", "-q", "--config", site, "--jobs", "1"]) == 0
    assert _stored(root) == _stored(_fresh(root, tmp_path, "fresh"))
    assert signal.getsignal(signal.SIGTERM) == before
