"""A watched session's edit (``digest serve``, ``digest build --watch``): collect takes the
last build's results by source as they are and patches them at the few sources the edit
changed (their keys, results, items, problems, the checks across articles, the order,
the bodies held).  Whatever the edit, the site published is byte for byte a cold
build's: bodies, titles and dates edited, saves without a change, articles added,
removed and renamed, an article broken then fixed, two articles with one body."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from conftest import tree
from test_session_random import _Site

from digest import collect, load, watch
from digest.build import BuildOptions, Session, build
from digest.config import load_config
from digest.errors import BuildError


def _build(root: Path, out: Path, session: Session | None) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=session is not None, jobs=1), session=session)


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments and layers of held bodies on a site of a few dozen articles, as on one of
    thousands: segments of a few sources, and what a few builds held copied."""
    monkeypatch.setattr(collect._Segments, "MIN_SOURCES", 8)
    monkeypatch.setattr(collect._Segments, "SEGMENT", 4)
    monkeypatch.setattr(collect._Bodies, "DEPTH", 2)
    # (folders listed as if changed long before: a listing is kept, so an edit's build
    # has the last build's sources, however fast the machine runs the test)
    monkeypatch.setattr(load, "_now_ns", lambda: time.time_ns() + 10 * 10**9)


class _Watched:
    """A site, a session told of its changes as digest.watch.Watcher tells it, and a cold
    build to compare each of the session's builds with."""

    def __init__(self, tmp_path: Path, seed: int, n: int = 30) -> None:
        self.tmp = tmp_path
        self.rng = random.Random(seed)
        self.site = _Site(tmp_path / "site", self.rng, n)
        self.live = tmp_path / "live"
        self.session = Session()
        self.roots = watch.watch_paths(self.site.root / "site.yaml", self.site.root / "content")
        self.site.age()  # (a recent stamp is looked at whatever the watcher says)
        self.session.watching([str(p) for p in self.roots])
        self.snap = watch.snapshot(self.roots)
        self.steps = 0
        self.patched = 0  # builds whose collect patched the last build's results
        _build(self.site.root, self.live, self.session)

    def tell(self) -> None:
        self.site.age()
        new = watch.snapshot(self.roots)
        self.session.changed(
            {p for p in self.snap.keys() | new.keys() if self.snap.get(p) != new.get(p)}
        )
        self.snap = new

    def check(self, what: str) -> None:
        """The session's build is a cold build's, byte for byte."""
        self.tell()
        _build(self.site.root, self.live, self.session)
        kept = self.session.kept.collect
        assert kept is not None and kept.last is not None
        self.patched += kept.last.redo is not None
        cold = self.tmp / f"cold-{self.steps}"
        _build(self.site.root, cold, None)
        assert tree(self.live) == tree(cold), what
        self.steps += 1


@pytest.mark.parametrize("seed", [4, 5])
def test_edits_patched_into_the_last_builds_results_give_a_cold_builds_site(
    tmp_path: Path, seed: int, small_parts: None
) -> None:
    w = _Watched(tmp_path, seed)
    site = w.site
    # the edits a writer makes most, each on its own: the last build's results patched
    for edit in [site.append, site.retitle, site.append, site.touch, site.redate, site.append]:
        w.check(edit())
    assert w.patched >= 4
    done = []
    for _ in range(10):  # and all kinds, mixed, one to three between two builds
        for _ in range(w.rng.choice([1, 1, 2, 3])):
            done.append(w.rng.choice(site.edits())())
        w.check(f"seed {seed}: {done}")


def test_an_article_broken_then_fixed_in_a_session(tmp_path: Path, small_parts: None) -> None:
    """A source that fails (bad front matter) fails the build; the session's next build,
    once it is fixed, is a cold build's, as is every build after."""
    w = _Watched(tmp_path, 6)
    victim = w.site.files()[3]
    good = victim.read_text(encoding="utf-8")
    victim.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    w.tell()
    with pytest.raises(BuildError):
        _build(w.site.root, w.live, w.session)
    victim.write_text(good + "\nFixed at last.\n", encoding="utf-8")
    w.check("fixed")
    w.check(w.site.append())
    assert w.patched >= 1


def test_two_articles_with_one_body_keep_it_when_one_is_edited(
    tmp_path: Path, small_parts: None
) -> None:
    """Two articles whose bodies are the same HTML: the build holds that body once, for
    one of them; editing or removing either leaves the other's page showing it."""
    w = _Watched(tmp_path, 7)
    a, b = w.site.files()[:2]
    head_b = b.read_text(encoding="utf-8").split("---\n", 2)
    body_a = a.read_text(encoding="utf-8").split("---\n", 2)[2]
    b.write_text(f"---\n{head_b[1]}---\n{body_a}", encoding="utf-8")
    w.check("b given a's body")
    w.check(w.site.append())
    with open(b, "a", encoding="utf-8") as f:
        f.write("\nOnly b says this.\n")
    w.check("b edited")
    b.write_text(f"---\n{head_b[1]}---\n{body_a}", encoding="utf-8")
    w.check("b given a's body again")
    with open(a, "a", encoding="utf-8") as f:
        f.write("\nOnly a says this.\n")
    w.check("a edited")
    b.unlink()
    w.check("b removed")
    w.check(w.site.append())


def test_a_session_edit_keeps_the_items_it_did_not_touch(tmp_path: Path, small_parts: None) -> None:
    """An edit of one article: every other item the build hands on is the last build's
    object (the later stages take them as they were), in the order a sort gives."""
    w = _Watched(tmp_path, 8)
    before = w.session.kept.collect
    assert before is not None and before.order is not None
    last_items = list(before.order.items)
    path = w.site.files()[5]
    with open(path, "a", encoding="utf-8") as f:
        f.write("\nA new sentence about the harbour wall was added.\n")
    w.check("appended")
    now = w.session.kept.collect
    assert now is not None and now.order is not None and now.last is not None
    assert now.last.redo is not None and len(now.last.redo) == 1
    items = now.order.items
    assert items == sorted(items, key=lambda it: (-it.article.date.timestamp(), it.article.slug))
    fresh = [it for it in items if not any(it is old for old in last_items)]
    assert [it.source.where for it in fresh] == [str(path)]


def test_verbose_session_rebuild_reports_only_the_sources_read_again(
    tmp_path: Path, small_parts: None
) -> None:
    """``digest build --watch -v``: the first build reports every source; a rebuild after
    one edit reports that source only (the others were told before), with the lines a
    cold build gives it, and the rebuild still patches the last build's results."""
    w = _Watched(tmp_path, 9)
    told: list[tuple[str, list[str]]] = []

    def report(path: str, lines: object) -> None:
        told.append((path, list(lines)))  # type: ignore[call-overload]

    config = load_config(w.site.root / "site.yaml")
    opts = BuildOptions(output=w.live, jobs=1)
    path = w.site.files()[2]
    path.write_text(path.read_text(encoding="utf-8") + "\n<div>dropped?</div>\n", "utf-8")
    w.tell()
    build(config, opts, on_report=report, session=w.session)
    kept = w.session.kept.collect
    assert kept is not None and kept.last is not None and kept.last.redo is not None
    cold: list[tuple[str, list[str]]] = []

    def cold_report(path: str, lines: object) -> None:
        cold.append((path, list(lines)))  # type: ignore[call-overload]

    build(
        config,
        BuildOptions(output=tmp_path / "cold", use_cache=False, jobs=1),
        on_report=cold_report,
    )
    assert len(cold) == len(w.site.files())
    assert len(told) == 1 and told[0][0].endswith(path.name)
    assert told == [(p, lines) for p, lines in cold if p == told[0][0]]
