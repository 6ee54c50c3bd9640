"""Builds of one long-lived process (``digest build --watch``, ``digest serve``) share a
digest.build.Session: each starts from what the last one kept in memory.  After every
edit, whatever it is, the site published is byte for byte a cold build's, and a failed
build leaves the kept state good for the next one."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import edit, tree, write_site
from test_edit_rebuild import HARBOUR, MOTHS, NEW

from digest.build import BuildOptions, Session, build
from digest.config import load_config
from digest.errors import BuildError

FERRY = "content/world/2026-03-09-ferry.md"


def _append(root: Path, rel: str, text: str) -> None:
    with open(root / rel, "a", encoding="utf-8") as f:
        f.write(text)


# One after the other, in one session: each leaves the site different.
EDITS: list[tuple[str, Callable[[Path], object]]] = [
    ("body edited", lambda r: edit(r, MOTHS, "312 species", "313 species")),
    (
        "sentence appended",
        lambda r: _append(r, MOTHS, "\nThe next survey is planned for the spring of 2027.\n"),
    ),
    ("title changed", lambda r: edit(r, HARBOUR, "repairs begin", "repairs start")),
    ("date changed", lambda r: edit(r, MOTHS, "date: 2026-03-03", "date: 2026-02-20")),
    ("tag changed", lambda r: edit(r, MOTHS, "tags: [wildlife,", "tags: [insects,")),
    ("article added", lambda r: (r / FERRY).write_text(NEW, encoding="utf-8")),
    ("added article edited", lambda r: edit(r, FERRY, "every hour", "every half hour")),
    ("article removed", lambda r: (r / MOTHS).unlink()),
    (
        "template changed",
        lambda r: (
            (r / "templates").mkdir()
            or (r / "templates/article.html").write_text(
                "<h1>{{ article.title }}</h1>{{ entry.summary.sentences | join(' ') }}\n"
                "{% for e in related_entries %}<a href='{{ e.article.url }}'>x</a>{% endfor %}\n"
            )
        ),
    ),
    ("article back", lambda r: (r / MOTHS).write_text(_original(MOTHS), encoding="utf-8")),
    ("config changed", lambda r: edit(r, "site.yaml", "A test site", "Another test site")),
    ("template removed", lambda r: (r / "templates/article.html").unlink()),
]


def _original(rel: str) -> str:
    """A file of the test site as conftest writes it."""
    from conftest import ARTICLES

    return textwrap.dedent(ARTICLES[rel.removeprefix("content/")])


def _build(root: Path, out: Path, session: Session | None, use_cache: bool = True) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=1), session=session)


def test_edits_in_one_session_each_give_a_cold_builds_site(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    assert (root / MOTHS).read_text(encoding="utf-8") == _original(MOTHS)
    session = Session()
    _build(root, tmp_path / "live", session)
    before = tree(tmp_path / "live")
    for name, change in EDITS:
        change(root)
        _build(root, tmp_path / "live", session)
        cold = tmp_path / f"cold-{name.replace(' ', '-')}"
        _build(root, cold, None, use_cache=False)
        assert tree(tmp_path / "live") == tree(cold), name
        assert tree(tmp_path / "live") != before, name
        before = tree(tmp_path / "live")
    assert session.builds == len(EDITS) + 1


def test_a_failed_build_leaves_the_session_good_for_the_next(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    session = Session()
    _build(root, tmp_path / "live", session)
    good = (root / MOTHS).read_text(encoding="utf-8")
    # bad front matter mid-session: the build fails, the site stays as it was
    (root / MOTHS).write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    with pytest.raises(BuildError):
        _build(root, tmp_path / "live", session)
    # a change made meanwhile elsewhere, then the file fixed (with an edit of its own)
    edit(root, HARBOUR, "repairs begin", "repairs start")
    (root / MOTHS).write_text(good.replace("312 species", "314 species"), encoding="utf-8")
    _build(root, tmp_path / "live", session)
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")
    assert "314 species" in (tmp_path / "live/science/moth-survey/index.html").read_text()
    assert session.builds == 2


def _many(n: int) -> dict[str, str]:
    """n short articles in three sections (enough for collect's segments, see
    digest.collect._Segments.MIN_SOURCES)."""
    words = ["harbour", "ferry", "moth", "garden", "council", "budget", "river", "school"]
    out = {}
    for i in range(n):
        a, b = words[i % 8], words[(i * 3 + 1) % 8]
        section = ("world", "science", "business")[i % 3]
        day = 1 + i % 28
        out[f"{section}/2026-02-{day:02d}-item-{i}.md"] = textwrap.dedent(f"""\
            ---
            title: "The {a} and the {b}, part {i}"
            date: 2026-02-{day:02d}
            tags: [{a}, {b}]
            ---
            The {a} report number {i} was published on Tuesday by the {b} office.

            Officials said the {a} plan would cost {i * 7} pounds over {i % 9 + 2} years.

            Residents asked about the {b} and the {a} at a meeting on Wednesday evening.
            """)
    return out


def test_a_session_on_a_site_of_segments_follows_edits_adds_and_removals(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", _many(230))
    session = Session()
    live = tmp_path / "live"
    _build(root, live, session)
    first = "content/world/2026-02-01-item-0.md"
    steps: list[Callable[[], object]] = [
        lambda: _append(root, first, "\nThe harbour budget was cut again on Friday.\n"),
        lambda: (root / "content/science/2026-02-02-item-1.md").unlink(),
        lambda: (root / "content/world/2026-02-27-new.md").write_text(NEW, encoding="utf-8"),
        lambda: edit(root, first, "part 0", "part zero"),
    ]
    for n, step in enumerate(steps):
        step()
        _build(root, live, session)
        _build(root, tmp_path / f"cold{n}", None, use_cache=False)
        assert tree(live) == tree(tmp_path / f"cold{n}"), n
    # and a new process (no session) after the session's builds reads a cache that is
    # whole: nothing to redo
    config = load_config(root / "site.yaml")
    again = build(config, BuildOptions(output=tmp_path / "again", jobs=1))
    assert again.processed == 0
    assert tree(tmp_path / "again") == tree(live)


def test_a_cache_deleted_mid_session_is_filled_again(tmp_path: Path) -> None:
    """`digest clean` (or a deleted .digest-cache/) while a session runs: its next build
    stores everything again, so a new process after it redoes nothing."""
    from digest import cache

    root = write_site(tmp_path / "site")
    session = Session()
    _build(root, tmp_path / "live", session)
    assert cache.clear(root / ".digest-cache")
    edit(root, MOTHS, "312 species", "315 species")
    _build(root, tmp_path / "live", session)
    config = load_config(root / "site.yaml")
    again = build(config, BuildOptions(output=tmp_path / "again", jobs=1))
    assert again.processed == 0
    assert tree(tmp_path / "again") == tree(tmp_path / "live")


def test_a_session_reuses_what_an_edit_did_not_touch(tmp_path: Path) -> None:
    """The point of a session: after an edit of one article's text, an article it does not
    touch keeps the last build's entry object (nothing about it made again), while the
    edited one is made anew; the site is still a cold build's."""
    root = write_site(tmp_path / "site")
    session = Session()
    _build(root, tmp_path / "live", session)
    assert session.kept.entries is not None
    before = dict(session.kept.entries)
    edit(root, MOTHS, "312 species", "313 species")
    _build(root, tmp_path / "live", session)
    after = session.kept.entries
    assert after is not None and after.keys() == before.keys()
    moth = "moth-survey"  # (the edited one)
    harbour = next(k for k in after if "harbour-wall" in k)
    assert after[moth][1] is not before[moth][1]
    assert after[harbour][1] is before[harbour][1]
    # its follow-up links to it: the same link, only its score moved (not on any page)
    assert after["moth-followup"][1] is before["moth-followup"][1]
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


def test_a_session_edit_makes_entries_again_only_where_they_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that moves no article: the last build's list of entries, made again at the
    edited article's place only (no pass over every item); an edit that moves one (a new
    date) makes the list again.  The site is a cold build's after each."""
    from digest import build as build_module

    root = write_site(tmp_path / "site")
    session = Session()
    _build(root, tmp_path / "live", session)
    _build(root, tmp_path / "live", session)
    passes: list[str] = []
    real = build_module._entries_again

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        passes.append("again")
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "_entries_again", counting)
    last = session.kept.entry_list
    assert last is not None
    edit(root, MOTHS, "312 species", "313 species")
    _build(root, tmp_path / "live", session)
    now = session.kept.entry_list
    assert now is not None and passes == []
    moved = [
        i for i, (a, b) in enumerate(zip(now.entries, last.entries, strict=True)) if a is not b
    ]
    # (the follow-up, which links to it, moved its link's score only: the same entry)
    assert [now.entries[i].article.slug for i in moved] == ["moth-survey"]
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")
    text = (root / MOTHS).read_text(encoding="utf-8")
    day = text.split("date: ", 1)[1].split("\n", 1)[0]
    edit(root, MOTHS, f"date: {day}", "date: 2026-01-02")
    _build(root, tmp_path / "live", session)
    assert passes == ["again"]
    _build(root, tmp_path / "cold2", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold2")


def test_a_sessions_kept_state_is_left_out_of_collections_and_cycles_still_freed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session's build freezes what the process holds (the collector does not walk the
    kept state again at every collection), and every FREEZE_ROUNDS builds all is walked
    once: garbage in cycles made before a build is freed then, not held for good."""
    import gc
    import weakref

    from digest import build as build_module

    class Cycle:
        pass

    root = write_site(tmp_path / "site")
    session = Session()
    gc.unfreeze()
    try:
        _build(root, tmp_path / "live", session)
        assert gc.get_freeze_count() > 0  # (the session's kept state among them)
        monkeypatch.setattr(build_module, "FREEZE_ROUNDS", 1)
        junk = Cycle()
        junk.me = junk  # type: ignore[attr-defined]
        gone = weakref.ref(junk)
        del junk
        gc.freeze()  # (frozen as a session's state is: only the walk every round frees it)
        edit(root, MOTHS, "312 species", "313 species")
        _build(root, tmp_path / "live", session)
        assert gone() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


def test_a_sessions_builds_leave_the_collector_on_after_success_and_failure(
    tmp_path: Path,
) -> None:
    """A session's build runs without the cyclic collector (see _few_collections): a
    long-lived process (digest serve, build --watch) has it on again after each build,
    a failed one too, or its memory would grow for good; and a build that starts with
    it off (a script's choice) leaves it off."""
    import gc

    root = write_site(tmp_path / "site")
    session = Session()
    assert gc.isenabled()
    _build(root, tmp_path / "live", session)
    assert gc.isenabled()
    edit(root, MOTHS, "title:", "title: [")
    with pytest.raises(BuildError):
        _build(root, tmp_path / "live", session)
    assert gc.isenabled()
    edit(root, MOTHS, "title: [", "title:")
    gc.disable()
    try:
        _build(root, tmp_path / "live", session)
        assert not gc.isenabled()
    finally:
        gc.enable()
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")


def test_a_failed_session_builds_garbage_is_freed_when_the_next_one_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed build leaves garbage in cycles (its frames, held by the exception): the
    build that completes next collects it before freezing what the process holds, so a
    long-lived process does not keep it until the next walk of everything."""
    import gc
    import weakref

    from digest import collect

    class Cycle:
        pass

    root = write_site(tmp_path / "site")
    session = Session()
    _build(root, tmp_path / "live", session)
    made: list[weakref.ref] = []
    real = collect.collect_kept

    def leaving_a_cycle(*args, **kwargs):  # type: ignore[no-untyped-def]
        junk = Cycle()
        junk.me = junk  # type: ignore[attr-defined]
        made.append(weakref.ref(junk))
        return real(*args, **kwargs)

    monkeypatch.setattr(collect, "collect_kept", leaving_a_cycle)
    enabled = gc.isenabled()
    gc.disable()  # (no collection but the build's own)
    try:
        edit(root, MOTHS, "title:", "title: [")
        with pytest.raises(BuildError):
            _build(root, tmp_path / "live", session)
        assert made and made[0]() is not None
        edit(root, MOTHS, "title: [", "title:")
        _build(root, tmp_path / "live", session)
        assert made[0]() is None
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()
    _build(root, tmp_path / "cold", None, use_cache=False)
    assert tree(tmp_path / "live") == tree(tmp_path / "cold")
