"""A build session (``digest build --watch``, ``digest serve``) does not list content/
again: a folder unchanged since the last build (its mtime, inode and device as they
were) holds the same names, so its listing is taken from the session.  Every change of
a folder's names (a file added, removed, renamed; a sub-folder added) still shows, and
the site stays byte for byte a cold build's."""

from __future__ import annotations

import dataclasses
import os
import textwrap
import time
from pathlib import Path

import pytest
from conftest import edit, tree, write_site
from test_edit_rebuild import MOTHS, NEW

from digest import load
from digest.build import BuildOptions, Session, build
from digest.config import load_config


def _build(root: Path, out: Path, session: Session | None, use_cache: bool = True) -> None:
    config = load_config(root / "site.yaml")
    build(config, BuildOptions(output=out, use_cache=use_cache, jobs=1), session=session)


def _age(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every folder under content/ last changed an hour before it is listed (a listing is
    kept only for folders not changed in the two seconds before they were listed): their
    mtime set an hour back, and the listing clock an hour on (setting an mtime sets the
    ctime to now, and nothing sets a ctime back)."""
    old = time.time() - 3600
    for folder, _dirs, _files in os.walk(root / "content"):
        os.utime(folder, (old, old))
    monkeypatch.setattr(load, "_now_ns", lambda: time.time_ns() + 3600 * 10**9)


def _same_as_cold(root: Path, live: Path, cold: Path) -> None:
    _build(root, cold, None, use_cache=False)
    assert tree(live) == tree(cold)


def test_a_session_takes_unchanged_folders_listing_from_the_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    _age(root, monkeypatch)
    session = Session()
    live = tmp_path / "live"
    _build(root, live, session)
    kept = session.kept.collect
    assert kept is not None and str(root / "content" / "science") in kept.folders
    before = dict(kept.folders)
    edit(root, MOTHS, "312 species", "313 species")  # a file's bytes: no folder changes
    _build(root, live, session)
    after = session.kept.collect
    assert after is not None and after.folders.keys() == before.keys()
    assert all(after.folders[k] is before[k] for k in before)  # none listed again
    assert "313 species" in (live / "science/moth-survey/index.html").read_text()
    _same_as_cold(root, live, tmp_path / "cold")


def test_names_added_removed_and_renamed_in_a_session_are_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    _age(root, monkeypatch)
    session = Session()
    live = tmp_path / "live"
    _build(root, live, session)
    ferry = root / "content/world/2026-03-09-ferry.md"
    steps = [
        ("added", lambda: ferry.write_text(NEW, encoding="utf-8")),
        ("renamed", lambda: ferry.rename(ferry.with_name("2026-03-09-ferry-times.md"))),
        ("removed", lambda: (root / MOTHS).unlink()),
        (
            "new folder",
            lambda: (
                (root / "content/sport").mkdir()
                or (root / "content/sport/2026-03-09-ferry.md").write_text(NEW, encoding="utf-8")
            ),
        ),
    ]
    for n, (name, step) in enumerate(steps):
        _age(root, monkeypatch)  # (the listings of this build are kept: the folders are "old")
        _build(root, live, session)
        step()
        _build(root, live, session)
        _same_as_cold(root, live, tmp_path / f"cold{n}")
        pages = {p.relative_to(live).as_posix() for p in live.rglob("index.html")}
        if name == "added":
            assert "world/ferry/index.html" in pages
        elif name == "renamed":
            assert "world/ferry-times/index.html" in pages
            assert "world/ferry/index.html" not in pages
        elif name == "removed":
            assert "science/moth-survey/index.html" not in pages
        else:
            assert "sport/ferry/index.html" in pages


def test_a_folder_changed_just_before_it_was_listed_is_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name added in the same tick of the file system's clock as the listing would
    leave the folder's times as they were: a folder changed in the two seconds before it
    was listed is not kept (the next build lists it again)."""
    root = write_site(tmp_path / "site")
    newest = max(
        max(os.stat(folder).st_mtime_ns, os.stat(folder).st_ctime_ns)
        for folder, _dirs, _files in os.walk(root / "content")
    )
    # listed one second after the last change, however long the machine took to get here
    monkeypatch.setattr(load, "_now_ns", lambda: newest + 10**9)
    session = Session()
    _build(root, tmp_path / "live", session)
    kept = session.kept.collect
    assert kept is not None and not kept.folders
    monkeypatch.setattr(load, "_now_ns", lambda: newest + 3 * 10**9)  # three seconds after
    _build(root, tmp_path / "live", session)
    kept = session.kept.collect
    assert kept is not None and str(root / "content" / "science") in kept.folders


def test_a_folder_whose_mtime_was_set_back_is_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rsync -a``, ``tar x`` or ``touch -d`` set a folder's mtime back to what it was
    after a file was added: the file still shows, in a session and in a new process
    (the folder's ctime is in its stamp, and nothing sets a ctime back)."""
    root = write_site(tmp_path / "site")
    _age(root, monkeypatch)
    live = tmp_path / "live"
    session = Session()
    _build(root, live, session)
    world = root / "content" / "world"
    before = os.stat(world)
    kept = session.kept.collect
    assert kept is not None and str(world) in kept.folders
    (world / "2026-03-09-ferry.md").write_text(NEW, encoding="utf-8")
    os.utime(world, ns=(before.st_atime_ns, before.st_mtime_ns))  # as rsync -a leaves it
    assert os.stat(world).st_mtime_ns == before.st_mtime_ns
    _build(root, live, session)
    assert (live / "world/ferry/index.html").is_file()
    (world / "2026-03-09-ferry.md").unlink()
    os.utime(world, ns=(before.st_atime_ns, before.st_mtime_ns))
    _build(root, live, None)  # a new process, from the listings in the cache
    assert not (live / "world/ferry").exists()
    _same_as_cold(root, live, tmp_path / "cold")


def test_a_forged_listing_in_the_cache_is_not_followed_out_of_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing in the cache that names a symlinked folder (which discover never walks
    into) is checked against the disk and listed again: nothing outside content/ is read,
    and the symlink is refused with its error as in any build."""
    from digest import cache, collect
    from digest.errors import BuildError

    root = write_site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2026-03-09-secret.md").write_text(NEW.replace("Ferry", "Secret"), encoding="utf-8")
    live = tmp_path / "live"
    _age(root, monkeypatch)
    _build(root, live, None)
    link = root / "content" / "ext"
    link.symlink_to(outside, target_is_directory=True)
    config = load_config(root / "site.yaml")
    key = collect._listings_key(config.content)
    top = str(root / "content")
    with cache.Cache(config.cache_dir) as store:
        stored = store.get("listings", key, dict[str, collect._StoredListing])
        it = stored[top]
        forged = {
            **stored,
            # the content folder's listing as it is now, with the link as a folder in it
            top: dataclasses.replace(
                it, stamp=_stamp(root / "content"), folders=("ext", *it.folders)
            ),
            str(link): collect._StoredListing(
                _stamp(link), it.top, "ext/", ("2026-03-09-secret.md",), ()
            ),
        }
        store.put("listings", key, forged)
    with pytest.raises(BuildError) as err:
        _build(root, live, None)
    assert "content/ext: symlink points outside the content folder" in str(err.value)
    assert not list(live.rglob("*secret*"))


def _stamp(folder: Path) -> tuple[int, int, int, int]:
    st = os.stat(folder)  # (as discover stamps a folder: through a symlink)
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def test_checks_across_articles_in_a_session_report_what_a_cold_build_does(
    tmp_path: Path,
) -> None:
    """The checks across articles (slug clashes told apart, one URL each, pinned slugs
    exist) are taken from the last build when no article changed what they read: their
    warnings and renamed slugs stay after an edit of a text, and a change they read is
    checked again."""
    from digest.errors import BuildError

    root = write_site(tmp_path / "site")
    (root / "content/world/2026-03-09-ferry.md").write_text(NEW, encoding="utf-8")
    (root / "content/science/2026-03-10-ferry.md").write_text(
        NEW.replace("2026-03-09", "2026-03-10"), encoding="utf-8"
    )
    session = Session()
    live = tmp_path / "live"
    config = load_config(root / "site.yaml")

    def clash_warnings() -> list[str]:
        result = build(config, BuildOptions(output=live, jobs=1), session=session)
        return [w.message for w in result.warnings if "also" in w.message]

    first = clash_warnings()
    assert len(first) == 1 and "'science-ferry'" in first[0]
    edit(root, MOTHS, "312 species", "313 species")
    assert clash_warnings() == first
    assert (live / "science/ferry/index.html").is_file()
    assert (live / "world/ferry/index.html").is_file()
    _same_as_cold(root, live, tmp_path / "cold")
    edit(root, MOTHS, "tags: [wildlife,", "related: [no-such-article]\ntags: [wildlife,")
    with pytest.raises(BuildError, match="no-such-article"):
        build(config, BuildOptions(output=live, jobs=1), session=session)


def test_a_new_process_takes_the_checks_from_the_store_and_reports_the_same(
    tmp_path: Path,
) -> None:
    """A new process (no session) takes what the checks across articles made from the
    cache when no article changed what they read: the same warnings and renamed slugs
    as a cold build; a change they read is checked again."""
    from digest import load
    from digest.errors import BuildError

    root = write_site(tmp_path / "site")
    (root / "content/world/2026-03-09-ferry.md").write_text(NEW, encoding="utf-8")
    (root / "content/science/2026-03-10-ferry.md").write_text(
        NEW.replace("2026-03-09", "2026-03-10"), encoding="utf-8"
    )
    config = load_config(root / "site.yaml")
    live = tmp_path / "live"

    def warnings() -> list[str]:
        result = build(config, BuildOptions(output=live, jobs=1))
        return sorted(w.message for w in result.warnings)

    first = warnings()
    assert any("'science-ferry'" in w for w in first)
    calls: list[int] = []
    real = load.check_collection
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load, "check_collection", lambda a, p: calls.append(1) or real(a, p))
        edit(root, MOTHS, "312 species", "313 species")
        assert warnings() == first
        assert not calls  # (taken from the store)
        _same_as_cold(root, live, tmp_path / "cold")
        edit(root, MOTHS, "tags: [wildlife,", "related: [no-such-article]\ntags: [wildlife,")
        with pytest.raises(BuildError, match="no-such-article"):
            build(config, BuildOptions(output=live, jobs=1))
        assert calls


def test_a_new_process_takes_unchanged_folders_listing_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder listings are kept in the cache too: a new process lists only the
    folders changed since (a file added shows), and its site is a cold build's."""
    from digest import cache, collect, load
    from digest.errors import Problems

    root = write_site(tmp_path / "site")
    _age(root, monkeypatch)
    live = tmp_path / "live"
    _build(root, live, None)
    config = load_config(root / "site.yaml")
    with cache.Cache(config.cache_dir) as store:
        stored = collect._stored_listings(store, config.content)
    science = str(root / "content" / "science")
    assert science in stored and stored[science].files
    listed: list[str] = []
    real = load.os.scandir

    def scandir(path: object) -> object:
        if isinstance(path, Path):  # (discover's: os.walk's, of folder_defaults, are str)
            listed.append(str(path))
        return real(path)  # type: ignore[arg-type]

    (root / "content/world/2026-03-09-ferry.md").write_text(NEW, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load.os, "scandir", scandir)
        with cache.Cache(config.cache_dir) as store:
            got, _kept = collect.collect_kept(
                config.content, config.summary, store, Problems(), None, jobs=1
            )
    assert str(root / "content" / "world") in listed  # (changed: listed again)
    assert science not in listed
    assert "world/2026-03-09-ferry.md" in {it.source.rel for it in got.items}
    _build(root, live, None)
    assert (live / "world/ferry/index.html").is_file()
    _same_as_cold(root, live, tmp_path / "cold")


def test_a_stored_listing_naming_what_discover_would_not_list_is_not_taken(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from digest import cache, collect

    root = write_site(tmp_path / "site")
    _age(root, monkeypatch)
    _build(root, tmp_path / "live", None)
    config = load_config(root / "site.yaml")
    key = collect._listings_key(config.content)
    science = str(root / "content" / "science")
    with cache.Cache(config.cache_dir) as store:
        stored = store.get("listings", key, dict[str, collect._StoredListing])
        for bad in ("../../site.yaml", ".hidden.md", "_draft.md", "notes.docx"):
            it = stored[science]
            forged = {**stored, science: dataclasses.replace(it, files=(*it.files, bad))}
            store.put("listings", key, forged)
            assert science not in collect._stored_listings(store, config.content), bad


def test_a_session_keeps_the_digest_index_and_stem_tables_it_stored(tmp_path: Path) -> None:
    """A session's rebuild takes the digest index and the word -> stem tables as it
    stored them last, instead of reading and decoding them from the cache again; an
    edited file is still hashed again (its edit shows) and the site is a cold build's."""
    from digest import cache

    root = write_site(tmp_path / "site")
    session = Session()
    live = tmp_path / "live"
    _build(root, live, session)
    read: list[str] = []
    real = cache.Cache.get_many

    def get_many(self: cache.Cache, ns: str, keys: object, type: object = None) -> object:
        read.append(ns)
        return real(self, ns, keys, type)  # type: ignore[arg-type]

    edit(root, MOTHS, "312 species", "316 species")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cache.Cache, "get_many", get_many)
        _build(root, live, session)
    assert "digests" not in read and "stems" not in read
    assert "316 species" in (live / "science/moth-survey/index.html").read_text()
    _same_as_cold(root, live, tmp_path / "cold")


def test_a_session_takes_an_untouched_editions_pages_as_they_were(tmp_path: Path) -> None:
    """An edition that is the same object as in the last build (nothing in its period
    changed) has the same three pages: the session takes them as the last build made
    them, without making or comparing them again; the edited article's edition is made
    anew, and the site is a cold build's."""
    root = write_site(tmp_path / "site")
    session = Session()
    live = tmp_path / "live"
    _build(root, live, session)
    _build(root, live, session)  # (no change: every edition's pages made again)
    kept, eds = session.kept.render, session.kept.editions
    assert kept is not None and eds is not None
    editions_before = dict(eds.editions)
    edit(root, MOTHS, "312 species", "317 species")
    _build(root, live, session)
    after, eds = session.kept.render, session.kept.editions
    assert after is not None and eds is not None
    moth_day = "2026-03-03"
    assert eds.editions[moth_day][1] is not editions_before[moth_day][1]
    assert moth_day not in after.editions  # (its pages made anew)
    # the others' pages: the last build's (by render._Edit, or Kept.editions)
    same = [k for k, v in eds.editions.items() if v[1] is editions_before[k][1]]
    assert same
    _same_as_cold(root, live, tmp_path / "cold")


def test_an_edition_whose_neighbour_changed_links_to_its_new_neighbour(tmp_path: Path) -> None:
    """An edition whose articles are unchanged but whose older or newer neighbour is new
    (an article added on a day between two editions) is made again in a session: its
    links to the previous and next edition are a cold build's."""
    config = textwrap.dedent("""\
        title: "Test Digest"
        base_url: "https://example.org/"
        related:
          count: 0
        """)

    def article(day: str, words: str) -> str:
        return f"---\ntitle: {words.title()}\ndate: 2026-03-{day}\n---\n{words}.\n"

    root = write_site(
        tmp_path / "site",
        {
            "world/2026-03-01-a.md": article("01", "the harbour wall cracked in a storm"),
            "world/2026-03-05-b.md": article("05", "moth counts rose in the valley"),
        },
        config,
    )
    session = Session()
    live = tmp_path / "live"
    _build(root, live, session)
    _build(root, live, session)
    (root / "content/world/2026-03-03-c.md").write_text(
        article("03", "a new ferry timetable starts in june"), encoding="utf-8"
    )
    _build(root, live, session)
    first = (live / "editions/2026-03-01/index.html").read_text()
    assert "editions/2026-03-03/" in first and "editions/2026-03-05/" not in first
    _same_as_cold(root, live, tmp_path / "cold")
