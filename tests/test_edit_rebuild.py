"""A rebuild after an edit makes only the pages the edit shows on, and the site it
publishes is byte for byte a cold build's."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import build_once, edit, spy, tree, write_site

from digest import render
from digest.editions import Edition, EditionItem
from digest.model import Article, Entry, Story, Summary

MOTHS = "content/science/2026-03-03-moth-survey.md"
HARBOUR = "content/world/2026-03-01-harbour-wall.md"
NEW = """\
---
title: "Ferry timetable changes for the summer"
date: 2026-03-09
tags: [harbour, ferry]
---
The ferry to Port Ellis will run every hour from June, the operator said on Tuesday.

Extra crossings will be added at weekends while the harbour wall repairs go on.
"""

CHANGES = {
    "body edited": lambda r: edit(r, MOTHS, "312 species", "313 species"),
    "sentence appended": lambda r: (r / MOTHS).write_text(
        (r / MOTHS).read_text() + "\nThe next survey is planned for the spring of 2027.\n"
    ),
    "title changed": lambda r: edit(r, HARBOUR, "repairs begin", "repairs start"),
    "date changed": lambda r: edit(r, MOTHS, "date: 2026-03-03", "date: 2026-02-20"),
    "tag changed": lambda r: edit(r, MOTHS, "tags: [wildlife,", "tags: [insects,"),
    "source changed": lambda r: edit(r, HARBOUR, "Ellis Gazette (test)", "Ellis Post"),
    "article added": lambda r: (r / "content/world/2026-03-09-ferry.md").write_text(NEW),
    "article removed": lambda r: (r / MOTHS).unlink(),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_cached_rebuild_after_a_change_equals_a_cold_build(tmp_path: Path, change: str) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "warm")
    before = tree(tmp_path / "warm")
    CHANGES[change](root)
    build_once(root, tmp_path / "warm")
    build_once(root, tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    assert tree(tmp_path / "warm") != before


@pytest.mark.parametrize("change", list(CHANGES))
def test_with_an_archive_template_of_its_own_the_archive_follows_every_change(
    tmp_path: Path, change: str
) -> None:
    """A site's own archive.html may show more than the built-in one (here: text, summary
    and tags), so its archive page is made again whenever an article changes."""
    root = write_site(tmp_path / "site")
    (root / "templates").mkdir()
    (root / "templates/archive.html").write_text(
        "{% for g in groups %}{% for entry in g.entries %}"
        "{{ entry.article.title }}: {{ entry.summary.sentences | join(' ') }} "
        "{{ entry.article.body_html }} "
        "[{{ entry.article.tags | join(',') }}]\n{% endfor %}{% endfor %}"
    )
    build_once(root, tmp_path / "warm")
    CHANGES[change](root)
    build_once(root, tmp_path / "warm")
    build_once(root, tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    if change == "body edited":
        assert "313 species" in (tmp_path / "warm/archive/index.html").read_text()


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    spy(monkeypatch, render.Renderer, "_render", lambda _self, job: made.append(job.out))
    return made


def test_an_edit_of_an_articles_text_makes_only_the_pages_that_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    made = _rendered(monkeypatch)
    build_once(root, tmp_path / "out")
    assert made == []  # nothing changed: no page made again
    edit(root, MOTHS, "312 species", "313 species")
    build_once(root, tmp_path / "out")
    assert "science/moth-survey/index.html" in made
    # the archive and the tag index show no article text; the harbour articles do not
    # show the moth survey at all
    for page in (
        "archive/index.html",
        "tags/index.html",
        "404.html",
        "world/harbour-wall/index.html",
        "world/harbour-funding/index.html",
        "tags/harbour/index.html",
        "world/index.html",
    ):
        assert page not in made
    assert "313 species" in (tmp_path / "out/science/moth-survey/index.html").read_text()


def test_a_title_change_makes_the_archive_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    made = _rendered(monkeypatch)
    edit(root, HARBOUR, "repairs begin", "repairs start")
    build_once(root, tmp_path / "out")
    assert "archive/index.html" in made
    assert "repairs start" in (tmp_path / "out/archive/index.html").read_text()


# ---------------------------------------------------------------- identities made directly

WHEN = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def _entry(slug: str, key: str = "k") -> Entry:
    a = Article(f"{slug}.md", slug, slug.title(), WHEN, "World", "world", f"world/{slug}/")
    return Entry(a, Summary(("One.",), "test"), key=key)


def _story() -> Story:
    return Story("s", "Title", "stories/s/", ("a", "b"), ("One.",), ("X",), WHEN, WHEN)


def _variants(value: object) -> list[object]:
    """``value`` with each field changed in turn."""
    out = []
    for f in dataclasses.fields(value):  # type: ignore[arg-type]
        v = getattr(value, f.name)
        if isinstance(v, bool):
            new: object = not v
        elif isinstance(v, str) or v is None:
            new = (v or "") + "x"
        elif isinstance(v, int):
            new = v + 1
        elif isinstance(v, datetime):
            new = v.replace(hour=v.hour + 1)
        elif isinstance(v, tuple) and v and isinstance(v[0], Entry):
            new = (*v, _entry("extra"))
        elif isinstance(v, tuple) and v and isinstance(v[0], EditionItem):
            new = (dataclasses.replace(v[0], title="other"),)
        elif isinstance(v, tuple):
            new = (*v, "x")
        elif isinstance(v, Story):
            new = dataclasses.replace(v, title="other")
        else:  # pragma: no cover - a new kind of field: this test must learn it
            raise AssertionError(f"{type(value).__name__}.{f.name}: {type(v).__name__}")
        out.append(dataclasses.replace(value, **{f.name: new}))  # type: ignore[type-var]
    return out


def test_a_story_identity_follows_every_field_and_time_zone() -> None:
    story = _story()
    seen = {render._digest(render._story_identity(story))}
    for other in _variants(story):
        seen.add(render._digest(render._story_identity(other)))  # type: ignore[arg-type]
    assert len(seen) == len(dataclasses.fields(Story)) + 1
    # the same instant written with another offset shows otherwise on a page
    moved = dataclasses.replace(story, first=WHEN.astimezone(timezone.max))
    assert render._story_identity(moved) != render._story_identity(story)


def test_an_edition_identity_follows_every_field() -> None:
    item = EditionItem(_story(), (_entry("a"),), 1, 0, "Title", "One.")
    ed = Edition("2026-03-01", "Sunday", "editions/2026-03-01/", WHEN, (item,))
    seen = {render._digest(render.edition_ident(ed, {}))}
    variants = _variants(ed)
    for it in _variants(item):
        variants.append(dataclasses.replace(ed, items=(it,)))  # type: ignore[arg-type]
    for other in variants:
        seen.add(render._digest(render.edition_ident(other, {})))  # type: ignore[arg-type]
    assert len(seen) == len(variants) + 1
    # an entry's key is what stands for it
    rekeyed = dataclasses.replace(item, entries=(_entry("a", key="other"),))
    other_ed = dataclasses.replace(ed, items=(rekeyed,))
    assert render.edition_ident(other_ed, {}) != render.edition_ident(ed, {})
    keyless = dataclasses.replace(item, entries=(_entry("a", key=""),))
    assert render.edition_ident(dataclasses.replace(ed, items=(keyless,)), {}) is None


# ---------------------------------------------------------------- articles.json lines


def test_articles_json_lines_are_the_records_as_written_before() -> None:
    """articles.json is written from a struct: its records keep the stable format's bytes
    (fields, order, escaping), with every field set and with every field left out."""
    import msgspec

    from digest import feeds
    from digest.config import SiteConfig
    from digest.model import RelatedLink

    site = SiteConfig(title="T", base_url="https://example.org/sub/")
    bare = _entry("bare")
    full = Entry(
        dataclasses.replace(
            bare.article,
            slug="full",
            updated=WHEN.replace(hour=12),
            author="A. Writer",
            tags=("one", "Two"),
            source="Gazette",
            source_url="https://example.com/x",
            description="What it is about <b>",
            credit="Photo: someone",
            image="img/x.jpg",
        ),
        Summary(('First "quoted".', "Second é."), "manual"),
        (RelatedLink("other", "Other", "world/other/"),),
        "story-slug",
        key="k",
    )
    enc = msgspec.json.Encoder()
    expected = (
        b'{"slug":"bare","url":"/sub/world/bare/","title":"Bare","date":"2026-03-01T09:00:00+00:00","updated":null,"author":null,"section":"World","tags":[],"source":null,"source_url":null,"description":null,"credit":null,"image":null,"summary":["One."],"summary_method":"test","story":null,"related":[]}',
        b'{"slug":"full","url":"/sub/world/bare/","title":"Bare","date":"2026-03-01T09:00:00+00:00","updated":"2026-03-01T12:00:00+00:00","author":"A. Writer","section":"World","tags":["one","Two"],"source":"Gazette","source_url":"https://example.com/x","description":"What it is about <b>","credit":"Photo: someone","image":"img/x.jpg","summary":["First \\"quoted\\".","Second \xc3\xa9."],"summary_method":"manual","story":"story-slug","related":[{"slug":"other","title":"Other","url":"/sub/world/other/","score":0.123456789}]}',
    )
    scores = ((), (0.123456789,))  # (the related links' scores, held apart)
    for e, sc, want in zip((bare, full), scores, expected, strict=True):
        assert enc.encode(feeds._record(e, site.base_path, sc)) == want
        assert enc.encode(feeds.entry_record(e, site, sc)) == want


# ---------------------------------------------------------------- claims after a build


@pytest.mark.parametrize(
    "extra, message",
    [
        ([("News/index.html", "third")], "letter case"),
        ([("news/index.html", "third")], "same output file news/index.html"),
        ([("feed.xml/index.html", "third")], "cannot be both a file and a folder"),
    ],
)
def test_a_clash_with_a_page_published_before_is_still_refused(
    tmp_path: Path, extra: list[tuple[str, str]], message: str
) -> None:
    """Pages the last build published are claimed by path alone while no other comes;
    a page that clashes with one of them is refused all the same."""
    from digest import publish
    from digest.errors import BuildError
    from digest.model import Page

    out = tmp_path / "public"
    first = [("news/index.html", "first"), ("feed.xml", "second")]
    publish.publish([Page(p, b"x", s) for p, s in first], out)
    with pytest.raises(BuildError) as err:
        publish.publish([Page(p, b"y", s) for p, s in first + extra], out)
    assert message in str(err.value)
    assert (out / "news/index.html").read_bytes() == b"x"  # the site is as it was


# ---------------------------------------------------------------- stdlib stand-ins


def test_sitemap_escape_is_that_of_xml_sax() -> None:
    from xml.sax.saxutils import escape

    from digest.feeds import xml_escape

    for text in ("a&b<c>d", "&amp;&lt;", "https://x.org/a?b=1&c=<2>", "plain", ""):
        assert xml_escape(text) == escape(text)


# ---------------------------------------------------------------- the first rebuild


def test_the_first_rebuild_of_an_output_folder_reads_no_unchanged_page_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second build makes the staging tree from hard links to the site: those share
    the live files' inodes, so the stamps of the first build vouch for them."""
    import builtins

    from digest import publish

    root = write_site(tmp_path / "site")
    build_once(root, tmp_path / "out")
    read: list[str] = []

    def counting(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if "r" in mode and not isinstance(file, int):  # (an int: the stamps file, opened)
            read.append(str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(publish, "open", counting, raising=False)
    build_once(root, tmp_path / "out")
    assert read == []
    # a page edited in place in the site before that build is still put right
    page = tmp_path / "out/science/moth-survey/index.html"
    good = page.read_bytes()
    build_once(root, tmp_path / "out")  # (the staging tree exists from here on)
    with open(page, "r+b") as f:
        f.write(b"X")
    build_once(root, tmp_path / "out")
    assert page.read_bytes() == good
