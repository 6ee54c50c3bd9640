"""Render and publish of a rebuild, proportional to what changed (issue 17): templates
compiled by an earlier build are taken from the cache, a session's rebuild hands
publish its unchanged pages in bulk, and the site is byte for byte a cold build's."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import msgspec
import pytest
from conftest import build_site, edit, spy, tree, write_site
from test_edit_rebuild import NEW
from test_session import _append, _many

import digest.build
from digest import cache, publish, render
from digest.build import BuildOptions, Session, build
from digest.config import load_config
from digest.errors import BuildError
from digest.model import Page, Same
from digest.publish import staging_dir


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on."""
    names: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: object, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        names.append(str(name))
        return compile_(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


HARBOUR = "content/world/2026-03-01-harbour-wall.md"


def _retitle(site: Path, title: str) -> None:
    """A new title for one article: its page (and the lists showing it) are rendered."""
    path = site / HARBOUR
    text = path.read_text(encoding="utf-8")
    start = text.index('title: "') + len('title: "')
    end = text.index('"', start)
    path.write_text(text[:start] + title + text[end:], encoding="utf-8")


def test_a_new_process_takes_the_templates_compiled_by_the_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    build_site(site)
    first = tree(site / "public")
    compiled = _compiles(monkeypatch)
    _retitle(site, "Harbour wall repairs start")
    build_site(site)  # (a new Theme, as in a new process)
    assert compiled == []
    second = tree(site / "public")
    assert b"Harbour wall repairs start" in second["world/harbour-wall/index.html"]
    assert second != first
    cold = tmp_path / "cold"
    build_site(site, use_cache=False, output=cold)
    assert tree(cold) == second


def test_a_changed_template_is_compiled_again_never_taken_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    (site / "templates").mkdir()
    page = site / "templates/article.html"
    page.write_text("<h1>{{ article.title }}</h1>\n", encoding="utf-8")
    build_site(site)
    page.write_text("<h2>{{ article.title }}</h2>\n", encoding="utf-8")
    compiled = _compiles(monkeypatch)
    build_site(site)
    assert compiled == ["article.html"]
    shown = (site / "public/world/harbour-wall/index.html").read_text(encoding="utf-8")
    assert shown.startswith("<h2>Harbour wall")


def test_templates_compiled_by_another_jinja_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    build_site(site)
    first = tree(site / "public")
    monkeypatch.setattr(jinja2, "__version__", jinja2.__version__ + ".other")
    compiled = _compiles(monkeypatch)
    _retitle(site, "Harbour wall repairs start")
    build_site(site)
    assert "article.html" in compiled and "base.html" in compiled
    assert tree(site / "public") != first


def test_without_the_cache_every_template_is_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_site(tmp_path / "site")
    build_site(site)
    compiled = _compiles(monkeypatch)
    build_site(site, use_cache=False)
    assert "article.html" in compiled


# ---------------------------------------------------------------- a session's publish


def _session_build(site: Path, out: Path, session: Session | None, private: bool = False) -> None:
    config = load_config(site / "site.yaml")
    build(config, BuildOptions(output=out, jobs=1, private=private), session=session)


def _settled(tmp_path: Path, builds: int = 3) -> tuple[Path, Path, Session]:
    """A site of 40 articles (tmp_path/site) built ``builds`` times into tmp_path/live in
    one session: the second build makes the staging tree, the third trusts it."""
    site = write_site(tmp_path / "site", _many(40))
    live, session = tmp_path / "live", Session()
    for _ in range(builds):
        _session_build(site, live, session)
    return site, live, session


def _cold(site: Path, out: Path) -> dict[str, bytes]:
    build(load_config(site / "site.yaml"), BuildOptions(output=out, use_cache=False, jobs=1))
    return tree(out)


def _looked_at(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files publish looks at (stats, and reads when their stamps differ)."""
    seen: list[str] = []
    spy(monkeypatch, publish, "_holds", lambda target, *args: seen.append(target))
    return seen


def test_a_sessions_edit_looks_at_a_share_of_the_unchanged_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (folders are trusted once unchanged for a second, see publish._Folders: here at once)
    monkeypatch.setattr(publish, "_RACY_NS", 0)
    site, live, session = _settled(tmp_path, builds=4)
    looked = _looked_at(monkeypatch)
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, session)
    files = len(tree(live))
    assert 0 < len(looked) < files / 2
    assert tree(live) == _cold(site, tmp_path / "cold")


def test_a_hand_edit_made_in_place_in_the_live_site_is_undone_within_a_few_session_builds(
    tmp_path: Path,
) -> None:
    site, live, session = _settled(tmp_path)
    cold = _cold(site, tmp_path / "cold")
    page = live / "world/item-0/index.html"
    assert page.stat().st_nlink == 2  # (shared with the staging tree: the edit shows there)
    with open(page, "r+b") as f:  # in place: the same file, as an editor's "save" may be
        f.seek(0)
        f.write(b"<!-- edited by hand -->")
    restored = None
    for n in range(1, publish.LOOK_SHARE + 2):
        _session_build(site, live, session)
        if restored is None and tree(live) == cold:
            restored = n
        if restored is not None:  # and it stays so (the other tree is looked at too)
            assert tree(live) == cold, n
    assert restored is not None and restored <= publish.LOOK_SHARE + 1


def test_a_new_process_undoes_a_hand_edit_made_in_place_at_once(tmp_path: Path) -> None:
    site, live, session = _settled(tmp_path)
    cold = _cold(site, tmp_path / "cold")
    with open(live / "world/item-0/index.html", "r+b") as f:
        f.write(b"<!-- edited by hand -->")
    _session_build(site, live, None)
    assert tree(live) == cold


@pytest.mark.parametrize("what", ["world/item-0/index.html", "world/item-0", "world"])
def test_a_file_deleted_from_the_live_site_by_hand_is_never_missing_after_a_session_build(
    tmp_path: Path, what: str
) -> None:
    site, live, session = _settled(tmp_path)
    cold = _cold(site, tmp_path / "cold")
    gone = live / what
    shutil.rmtree(gone) if gone.is_dir() else gone.unlink()
    for n in range(4):  # (each tree in turn is the one published)
        _session_build(site, live, session)
        assert tree(live) == cold, n


def test_a_folder_made_read_only_in_the_live_site_does_not_stop_a_session(
    tmp_path: Path, unprivileged: None
) -> None:
    """(As root too: see conftest.unprivileged.)"""
    site, live, session = _settled(tmp_path)
    folder = live / "world/item-0"
    folder.chmod(0o555)
    try:
        for n in range(3):
            edit(site, "content/world/2026-02-01-item-0.md", f"part {n}", f"part {n + 1}")
            _session_build(site, live, session)
            assert tree(live) == _cold(site, tmp_path / f"cold{n}"), n
    finally:
        for p in (live / "world/item-0", staging_dir(live) / "world/item-0"):
            if p.exists():
                p.chmod(0o755)


def test_files_put_in_the_live_site_by_hand_stay_through_a_session(tmp_path: Path) -> None:
    site, live, session = _settled(tmp_path)
    (live / "world/notes.txt").write_text("mine\n", encoding="utf-8")
    (live / "world/item-0/extra.txt").write_text("mine too\n", encoding="utf-8")
    for n in range(4):
        edit(site, "content/world/2026-02-01-item-0.md", f"part {n}", f"part {n + 1}")
        _session_build(site, live, session)
        assert (live / "world/notes.txt").read_text(encoding="utf-8") == "mine\n", n
        assert (live / "world/item-0/extra.txt").read_text(encoding="utf-8") == "mine too\n"
        mine = {"world/notes.txt", "world/item-0/extra.txt"}
        shown = {k: v for k, v in tree(live).items() if k not in mine}
        assert shown == _cold(site, tmp_path / f"cold{n}"), n


def test_a_session_build_that_fails_in_publish_leaves_the_next_one_correct(
    tmp_path: Path,
) -> None:
    site, live, session = _settled(tmp_path)
    # a second article with the slug of another: two pages want one file
    clash = site / "content/world/2026-02-05-clash.md"
    clash.write_text(
        "---\ntitle: Clash\ndate: 2026-02-05\nslug: item-0\n---\nA clash of slugs.\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError):
        _session_build(site, live, session)
    clash.unlink()
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, session)
    assert tree(live) == _cold(site, tmp_path / "cold")
    _session_build(site, live, session)
    assert tree(live) == _cold(site, tmp_path / "cold2")


def test_session_edits_of_every_kind_give_a_cold_builds_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", _many(40))
    live, session = tmp_path / "live", Session()
    first = "content/world/2026-02-01-item-0.md"
    steps = [
        lambda: None,
        lambda: None,
        lambda: edit(site, first, "part 0", "part zero"),  # a title
        lambda: edit(site, first, "date: 2026-02-01", "date: 2026-02-11"),  # a date
        lambda: _append(site, first, "\nThe harbour budget was cut again on Friday.\n"),
        lambda: edit(site, first, "The harbour report", "The moth report"),  # links
        lambda: (site / "content/science/2026-02-02-item-1.md").unlink(),  # a deletion
        lambda: (site / "content/world/2026-02-27-new.md").write_text(NEW, encoding="utf-8"),
        lambda: edit(site, "content/world/2026-02-27-new.md", "every hour", "each hour"),
    ]
    for n, step in enumerate(steps):
        step()
        _session_build(site, live, session)
        assert tree(live) == _cold(site, tmp_path / f"cold{n}"), n


def test_a_private_sessions_edits_give_a_cold_builds_site_without_walking_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """digest serve's preview folder is its own (BuildOptions.private): once a session
    trusts its two trees, a rebuild neither walks the live tree's folders for files put
    there by hand nor looks at a share of the unchanged files; the site is a cold
    build's all the same, edit after edit."""
    site = write_site(tmp_path / "site", _many(40))
    live, session = tmp_path / "live", Session()
    for _ in range(3):  # (the second build makes the staging tree, the third trusts it)
        _session_build(site, live, session, private=True)
    walks: list[object] = []
    spy(monkeypatch, publish, "_carry_yours", lambda *args: walks.append(args))
    looked = _looked_at(monkeypatch)
    first = "content/world/2026-02-01-item-0.md"
    steps = [
        lambda: edit(site, first, "part 0", "part zero"),
        lambda: _append(site, first, "\nThe harbour budget was cut again on Friday.\n"),
        lambda: (site / "content/science/2026-02-02-item-1.md").unlink(),
        lambda: (site / "content/world/2026-02-27-new.md").write_text(NEW, encoding="utf-8"),
    ]
    for n, step in enumerate(steps):
        step()
        _session_build(site, live, session, private=True)
        assert tree(live) == _cold(site, tmp_path / f"cold{n}"), n
    assert walks == [] and looked == []
    # a session whose output is not private walks the live tree at every build
    _append(site, first, "\nThe ferry budget was cut on Monday.\n")
    _session_build(site, live, session)
    assert len(walks) == 1 and looked


def test_a_hand_edit_made_in_a_private_folder_between_sessions_is_undone_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """digest serve's folder is kept between runs (and trusted while a session runs): a
    file of it changed in between (by a tool, an editor, a crash) is found by the next
    session, which looks at both trees whole before it trusts them."""
    # (folders are trusted once unchanged for a second, see publish._Folders: here at once)
    monkeypatch.setattr(publish, "_RACY_NS", 0)
    site = write_site(tmp_path / "site", _many(40))
    live = tmp_path / "live"
    first = Session()
    for _ in range(3):
        _session_build(site, live, first, private=True)
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, first, private=True)
    for _ in range(2):  # (two more runs of one build each: pages of their own in each tree)
        _session_build(site, live, Session(), private=True)
    cold = _cold(site, tmp_path / "cold")
    rel = "world/item-0/index.html"
    assert (live / rel).stat().st_ino != (staging_dir(live) / rel).stat().st_ino
    with open(live / rel, "r+b") as f:  # in place: the same file
        f.write(b"<!-- edited by hand -->")
    last = Session()
    for n in range(4):
        _session_build(site, live, last, private=True)
        assert tree(live) == cold, n


def test_a_page_the_staging_tree_lacks_is_made_again_when_the_live_copy_was_replaced(
    tmp_path: Path,
) -> None:
    site, live, session = _settled(tmp_path)
    edit(site, "content/world/2026-02-01-item-0.md", "part 0", "part zero")
    _session_build(site, live, session)  # (item-0's page: new in the live tree only)
    page = live / "world/item-0/index.html"
    page.unlink()
    page.write_bytes(b"replaced by hand")  # (publish cannot take the page's bytes from here)
    edit(site, "content/science/2026-02-02-item-1.md", "part 1", "part one")
    _session_build(site, live, session)
    assert tree(live) == _cold(site, tmp_path / "cold")
    _session_build(site, live, session)
    assert tree(live) == _cold(site, tmp_path / "cold2")


def test_a_page_replaced_by_hand_in_the_live_site_never_comes_back_in_a_session(
    tmp_path: Path,
) -> None:
    site, live, session = _settled(tmp_path)
    cold = _cold(site, tmp_path / "cold")
    page = live / "science/item-1/index.html"
    page.unlink()
    page.write_bytes(b"replaced by hand")  # (a new file: the staging tree keeps its own)
    for n in range(4):  # (each tree in turn is the one published)
        _session_build(site, live, session)
        assert tree(live) == cold, n


def test_a_sessions_marker_made_from_the_last_one_is_the_marker_made_whole() -> None:
    files = {f"a/{n}/index.html": f"{n:064x}" for n in range(300)}
    files.update({'odd "name"/ü.html': "e" * 64, "b/index.html": "f" * 64})
    kept = publish.Kept(files, {}, marked=(files, publish._marker_bytes(files)))
    edited = {**files, 'odd "name"/ü.html': "1" * 64, "a/7/index.html": "2" * 64}
    assert kept.marker(edited) == publish._marker_bytes(edited)
    fewer = {k: v for k, v in edited.items() if k != "b/index.html"}
    assert kept.marker(fewer) == publish._marker_bytes(fewer)
    many = {k: "3" * 64 for k in files}
    assert kept.marker(many) == publish._marker_bytes(many)


# ---------------------------------------------------------------- session 27


def _pages_given(monkeypatch: pytest.MonkeyPatch) -> list[Page]:
    """The pages render gives publish from now on (a bulk of unchanged ones as one)."""
    given: list[Page] = []
    pages = digest.build._pages

    def recording(*args: Any, **kwargs: Any) -> Any:
        for page in pages(*args, **kwargs):
            given.append(page)
            yield page

    monkeypatch.setattr(digest.build, "_pages", recording)
    return given


def test_a_sessions_edit_hands_every_page_it_does_not_render_to_publish_in_bulk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, live, session = _settled(tmp_path)
    given = _pages_given(monkeypatch)
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, session)
    alone = [p for p in given if type(p) is not Same]
    bulk = [p for p in given if type(p) is Same]
    # the listings, tag pages, story pages and the rest whose keys are the last build's
    # (nearly all) come in the bulk; one at a time only the pages made now
    assert [p.path for p in alone if p.content is None] == []
    assert len(bulk) == 1 and "404.html" in bulk[0].digests
    assert "tags/index.html" in bulk[0].digests
    assert tree(live) == _cold(site, tmp_path / "cold")


def test_a_new_process_after_a_sessions_edits_renders_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a session's build stores the page state only where it changed (see
    # render.Renderer.flush): a new process reads it whole, and renders nothing more
    site, live, session = _settled(tmp_path)
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, session)
    (site / "content/science/2026-02-02-item-1.md").unlink()
    _session_build(site, live, session)
    rendered = _rendered(monkeypatch)
    _session_build(site, live, None)  # (a new process: the stored state)
    assert rendered == []
    edit(site, "content/world/2026-02-01-item-0.md", "part 0", "part zero")
    _session_build(site, live, None)
    assert "world/item-0/index.html" in rendered
    assert tree(live) == _cold(site, tmp_path / "cold")


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output files rendered from their templates from now on."""
    names: list[str] = []
    render_ = render.Renderer._render

    def counting(self: render.Renderer, job: Any) -> bytes:
        names.append(job.out)
        return render_(self, job)

    monkeypatch.setattr(render.Renderer, "_render", counting)
    return names


def test_the_stored_page_state_after_session_builds_is_the_sessions(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path / "cache")
    written: list[str] = []
    put_many = store.put_many

    def counting(ns: str, items: Any) -> None:
        written.extend(items)
        put_many(ns, items)

    store.put_many = counting  # type: ignore[method-assign]
    first = {f"a/{n}/index.html": (f"k{n}", f"s{n}") for n in range(600)}
    r = render.Renderer.__new__(render.Renderer)
    r.store, r.state, r.changed, r.buckets = store, dict(first), None, None
    r.flush()
    assert render._read_state(store) == first
    # a session's next build: one page changed, one gone, one new
    now = dict(first)
    now["a/3/index.html"] = ("k3b", "s3b")
    del now["a/5/index.html"]
    now["b/index.html"] = ("kb", "sb")
    r.state, r.changed = now, {"a/3/index.html", "a/5/index.html", "b/index.html"}
    written.clear()
    r.flush()
    assert 1 <= len(written) <= 3  # (the buckets of those three pages only)
    assert render._read_state(store) == now
    store.close()


def test_the_stamps_file_is_msgspecs_json_of_what_it_holds(tmp_path: Path) -> None:
    site, live, session = _settled(tmp_path, builds=4)
    raw = publish.stamps_file(live).read_bytes()
    assert msgspec.json.encode(msgspec.json.decode(raw)) == raw


def test_the_editions_index_after_a_sessions_retitle_shows_the_new_headline(
    tmp_path: Path,
) -> None:
    site, live, session = _settled(tmp_path)
    before = (live / "editions/index.html").read_bytes()
    edit(site, "content/world/2026-02-01-item-0.md", "part 0", "part zero")
    _session_build(site, live, session)
    shown = (live / "editions/index.html").read_bytes()
    assert b"part zero" in shown and shown != before
    edit(site, "content/world/2026-02-01-item-0.md", "date: 2026-02-01", "date: 2026-02-03")
    _session_build(site, live, session)
    assert tree(live) == _cold(site, tmp_path / "cold")


def test_a_new_processs_build_hands_the_pages_it_does_not_render_to_publish_in_bulk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, live, _session = _settled(tmp_path, builds=2)
    given = _pages_given(monkeypatch)
    _append(site, "content/world/2026-02-01-item-0.md", "\nThe budget was cut on Friday.\n")
    _session_build(site, live, None)  # (a new process: the stored page state)
    alone = [p for p in given if type(p) is not Same]
    bulk = [p for p in given if type(p) is Same]
    assert [p.path for p in alone if p.content is None] == []
    assert len(bulk) == 1 and "404.html" in bulk[0].digests
    assert tree(live) == _cold(site, tmp_path / "cold")
    # a page edited by hand in the live site: undone by the next new process's build
    page = live / "science/item-1/index.html"
    shown = page.read_bytes()
    page.write_bytes(shown.replace(b"</body>", b"<p>edited by hand</p></body>"))
    _session_build(site, live, None)
    assert page.read_bytes() == shown


def _looked_at_each(entries: Any, by_slug: Any, kept: Any, stories: Any) -> set[str]:
    """The slugs whose article pages a session's rebuild makes when it looks at every
    entry (render_site's loop): the entry, its story page or an entry its related
    links show is not the last build's."""
    before = kept.entries
    changed = {s for s, e in by_slug.items() if before.get(s) is not e}
    changed |= before.keys() - by_slug.keys()
    made = set()
    for e in entries:
        last = kept.deps.get(render._out(e.article.url))
        if not (
            last is not None
            and last[0][0] is e
            and last[0][1] is stories.story_of(e.article.slug)
            and changed.isdisjoint(x.slug for x in e.related)
        ):
            made.add(e.article.slug)
    return made


def test_a_sessions_rebuild_makes_the_article_pages_a_look_at_each_entry_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session's rebuild finds the article pages to make without a look at every entry
    (render._ArticlesAgain): the same pages as the look at each would make, edit after
    edit (a retitle shows in the related links of others), and the site is a cold
    build's."""
    site, live, session = _settled(tmp_path)
    found: list[tuple[set[str], set[str]] | None] = []

    def compared(entries: Any, by_slug: Any, kept: Any, stories: Any, **how: Any) -> Any:
        got = real(entries, by_slug, kept, stories, **how)
        if got is not None:
            made = {e.article.slug for e in got.made}
            found.append((made, _looked_at_each(entries, by_slug, kept, stories)))
        else:
            found.append(None)
        return got

    real = render._ArticlesAgain.of
    monkeypatch.setattr(render._ArticlesAgain, "of", compared)
    first = "content/world/2026-02-01-item-0.md"
    edit(site, first, "part 0", "part zero")  # a retitle
    _session_build(site, live, session)
    assert tree(live) == _cold(site, tmp_path / "cold")
    linking = {  # (the pages showing the new title in their related links)
        p.parent.name
        for section in ("world", "science", "business")
        for p in (live / section).glob("*/index.html")
        if "part zero" in p.read_text() and p.parent.name != "item-0"
    }
    retitled = found[0]  # (the session's build: the cold one's is None)
    assert retitled is not None and linking and {"item-0", *linking} <= retitled[0]
    assert len(retitled[0]) < len(_many(40))  # (not every page made)
    steps = [
        lambda: _append(site, first, "\nThe harbour budget was cut again on Friday.\n"),
        lambda: edit(site, "content/science/2026-02-02-item-1.md", "part 1", "part one"),
        lambda: None,
        lambda: edit(site, first, "date: 2026-02-01", "date: 2026-02-11"),  # moved
    ]
    for n, step in enumerate(steps):
        step()
        _session_build(site, live, session)
        assert tree(live) == _cold(site, tmp_path / f"cold{n}"), n
    taken = [f for f in found if f is not None]
    assert len(taken) >= 4
    for made, each in taken:
        assert made == each
