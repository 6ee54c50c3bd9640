"""Stories: composing groups (headline, slug, summary), story pages, stories.json,
articles.json `story`, template overrides, caching, explain and serve."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from conftest import build_site as run
from conftest import tree
from storysite import ARTICLES, story_site

from digest.config import load_config
from digest.explain import as_json, explain
from digest.model import Article, Summary
from digest.serve import _content_type, resolve
from digest.stories.compose import Member, compose, redundant, words


def art(slug: str, day: int, title: str = "", source: str | None = None, hour: int = 0) -> Article:
    return Article(
        path=f"{slug}.md",
        slug=slug,
        title=title or slug.title(),
        date=datetime(2026, 11, day, hour, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url=f"{slug}/",
        source=source,
    )


def member(slug: str, day: int, *sentences: str, **kw) -> Member:
    return Member(art(slug, day, **kw), Summary(tuple(sentences), "news"))


# ---------------------------------------------------------------- rules


def test_slug_is_the_first_articles_and_stays_when_a_newer_one_joins() -> None:
    ms = [member("b-later", 26), member("c-first", 25), member("a-first", 25)]
    one = compose(ms, [(0, 1, 2)], [[], [], []]).all[0]
    assert one.slug == "a-first"  # oldest; ties by slug
    assert one.url == "stories/a-first/"
    assert one.articles == ("a-first", "c-first", "b-later")  # oldest first, ties by slug
    newer = [*ms, member("d-newest", 28)]
    assert compose(newer, [(0, 1, 2, 3)], [[], [], [], []]).all[0].slug == "a-first"
    older = [*ms, member("z-backdated", 20)]  # the stated exception: an older report
    assert compose(older, [(0, 1, 2, 3)], [[], [], [], []]).all[0].slug == "z-backdated"


def test_headline_is_the_most_central_articles_title() -> None:
    ms = [
        member("first", 25, title="First report"),
        member("hub", 26, title="The hub"),
        member("side", 27, title="A side angle"),
    ]
    # hub is linked to both others; first and side only to hub
    nb = [[(1, 0.5)], [(0, 0.5), (2, 0.4)], [(1, 0.4)]]
    s = compose(ms, [(0, 1, 2)], nb).all[0]
    assert s.title == "The hub" and s.headline_from == "hub"
    assert s.slug == "first"  # the URL follows the first article, not the headline
    # a tie goes to the older article
    tie = [[(1, 0.5)], [(0, 0.5)], []]
    assert compose(ms, [(0, 1, 2)], tie).all[0].title == "First report"
    # either side's link counts, once (the larger)
    one_sided = [[], [], [(0, 0.9), (1, 0.2)]]
    assert compose(ms, [(0, 1, 2)], one_sided).all[0].title == "A side angle"


def test_redundancy_rule() -> None:
    a = words("Kestrel Bridge was closed on Wednesday after cracks were found.")
    b = words("Cracks were found and Kestrel Bridge closed on Wednesday.")
    c = words("Hauliers face a 14 kilometre detour along Ashby Road.")
    assert redundant(a, b)  # the same fact in other words
    assert not redundant(a, c)


def test_summary_is_verbatim_from_across_articles_without_repeats() -> None:
    ms = [
        member(
            "gazette",
            25,
            "Kestrel Bridge was closed on Wednesday after cracks were found in the main span.",
            "Drivers must use Ashby Road, a detour of 14 kilometres.",
            source="Gazette",
        ),
        member(
            "review",
            25,
            "Kestrel Bridge was closed on Wednesday when cracks were found in its main span.",
            "Hauliers said the Ashby Road detour would cost them money every day.",
            source="Review",
            hour=5,
        ),
        member(
            "ledger",
            26,
            "Engineers said the cracks in the main span of Kestrel Bridge were not deep.",
            "A load test with one bus is planned for Friday.",
            source="Ledger",
        ),
    ]
    s = compose(ms, [(0, 1, 2)], [[], [], []], sentences=3).all[0]
    pool = {t: m.article.slug for m in ms for t in m.summary.sentences}
    assert len(s.summary) == 3
    assert all(t in pool for t in s.summary)  # verbatim
    assert len({pool[t] for t in s.summary}) >= 2  # from across the articles
    ws = [words(t) for t in s.summary]
    assert not any(redundant(ws[i], ws[j]) for i in range(3) for j in range(i + 1, 3))
    order = [list(pool).index(t) for t in s.summary]
    assert order == sorted(order)  # shown in story order
    assert s.sources == ("Gazette", "Ledger", "Review")


def test_an_article_alone_has_no_story_page() -> None:
    got = compose([member("alone", 25, "Only one.")], [(0,)], [[]])
    assert got.pages == () and got.story_of("alone") is None
    assert got.all[0].url == "alone/" and got.all[0].summary == ("Only one.",)


# ---------------------------------------------------------------- the site


def test_story_page_data_and_article_links(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    result = run(root)
    out = root / "public"
    assert result.stories == 1
    page = (out / "stories/bridge-closed/index.html").read_text(encoding="utf-8")
    for title in ("Kestrel Bridge closed after cracks", "Hauliers face Ashby Road", "Engineers"):
        assert title in page
    assert "Timeline" in page and "Transport Ledger" in page and "Covered by" in page
    assert '<link rel="canonical" href="https://news.example.org/stories/bridge-closed/">' in page
    assert "<script" not in page.split("</head>")[1]  # readable without JavaScript
    assert len(page.encode()) < 11_000
    data = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    (s,) = data["stories"]
    assert set(s) == {"slug", "url", "title", "summary", "articles", "sources", "first", "last"}
    assert s["url"] == "/stories/bridge-closed/"
    assert s["articles"] == ["bridge-closed", "bridge-hauliers", "bridge-cracks-measured"]
    assert s["sources"] == ["Business Review", "Transport Ledger", "Valley Gazette"]
    assert s["first"].startswith("2026-11-25T07") and s["last"].startswith("2026-11-26T10")
    arts = {a["slug"]: a for a in json.loads((out / "articles.json").read_text())["articles"]}
    assert arts["bridge-hauliers"]["story"] == "bridge-closed"
    assert arts["moths"]["story"] is None
    art_page = (out / "business/bridge-hauliers/index.html").read_text(encoding="utf-8")
    assert 'href="/stories/bridge-closed/"' in art_page and "Part of the story" in art_page
    assert "Part of the story" not in (out / "science/moths/index.html").read_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://news.example.org/stories/bridge-closed/" in sitemap
    assert "https://news.example.org/editions/2026-11-25/" in sitemap


def test_stories_off_makes_no_story_pages(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s", config="title: T\nstories: false\n")
    run(root)
    assert not (root / "public/stories").exists()
    assert json.loads((root / "public/stories.json").read_text())["stories"] == []
    assert (root / "public/editions/2026-11-25/index.html").is_file()


def test_site_overriding_only_story_html_gets_the_rest_from_the_default(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    (root / "templates").mkdir()
    (root / "templates/story.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>MINE {{ story.title }}</h1>'
        "{% for e in entries %}<p>{{ e.article.title }}</p>{% endfor %}{% endblock %}"
    )
    run(root)
    out = root / "public"
    assert "MINE " in (out / "stories/bridge-closed/index.html").read_text()
    edition = (out / "editions/2026-11-25/index.html").read_text()
    assert "MINE" not in edition and 'class="entry"' in edition  # default edition.html
    assert "Editions" in (out / "editions/index.html").read_text()


def test_joining_a_story_rerenders_cached_pages_like_a_cold_build(tmp_path: Path) -> None:
    """An article edited so that it joins the story: the cached rebuild equals a cold one."""
    off_topic = (
        "---\ntitle: School choir wins the county cup\ndate: 2026-11-26\nsource: Gazette\n---\n"
        "The Harwick primary school choir won the county singing cup on Saturday evening. "
        "Forty pupils sang three carols and a sea shanty in the town hall.\n\n"
        "Their teacher said the children had practised every lunchtime since September.\n"
    )
    arts = {**ARTICLES, "news/2026-11-26-bridge-cracks-measured.md": off_topic}
    root = story_site(tmp_path / "s", arts)
    run(root, output=tmp_path / "warm")
    story = (tmp_path / "warm/stories/bridge-closed/index.html").read_text()
    assert "Engineers measure" not in story  # not a member yet
    story_site(tmp_path / "s", ARTICLES)  # the edit: it now tells the bridge story
    run(root, output=tmp_path / "warm")
    run(root, output=tmp_path / "cold", use_cache=False)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    assert "Engineers measure" in (tmp_path / "warm/stories/bridge-closed/index.html").read_text()
    page = (tmp_path / "warm/news/bridge-cracks-measured/index.html").read_text()
    assert "Part of the story" in page


def test_explain_names_the_story_and_its_links(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    e = explain(load_config(root / "site.yaml"), "bridge-cracks-measured", use_cache=False)
    assert e.story is not None and e.story.slug == "bridge-closed"
    assert e.story.links and {x.slug for x in e.story.links} <= {"bridge-closed", "bridge-hauliers"}
    assert e.story.links[0].score >= e.story.links[-1].score
    assert any("kestrel" in t.lower() for t, _ in e.story.links[0].terms)
    data = as_json(e)
    assert data["story"]["url"] == "stories/bridge-closed/"
    alone = explain(load_config(root / "site.yaml"), "moths", use_cache=False)
    assert alone.story is not None and alone.story.slug is None


def test_serve_serves_the_new_pages(tmp_path: Path) -> None:
    root = story_site(tmp_path / "s")
    run(root)
    out = root / "public"
    for rel, ctype in (
        ("stories/bridge-closed/", "text/html"),
        ("editions/", "text/html"),
        ("editions/2026-11-25/email.html", "text/html"),
        ("editions/2026-11-25/email.txt", "text/plain"),
        ("editions/feed.xml", "application/xml"),
        ("stories.json", "application/json"),
    ):
        target = resolve(out, rel)
        assert target is not None, rel
        target = target / "index.html" if target.is_dir() else target
        assert target.is_file() and _content_type(target).startswith(ctype), rel


def test_a_story_summary_is_made_once_for_the_same_member_summaries() -> None:
    ms = [
        member("gazette", 25, "Kestrel Bridge was closed on Wednesday.", "Drivers detour."),
        member("review", 25, "Hauliers face a detour.", "Kestrel Bridge shut.", hour=5),
    ]
    made: dict[str, list[tuple[int, str]]] = {}
    first = compose(ms, [(0, 1)], [[], []], used=made).all[0]
    assert len(made) == 1 and first.summary
    # what was made before is reused as it is, not made again
    (key,) = made
    kept = {key: [(1, "Hauliers face a detour.")]}
    again = compose(ms, [(0, 1)], [[], []], memo=kept).all[0]
    assert again.summary == ("Hauliers face a detour.",) and again.summary_from == ("review",)
    # another member summary: another key, made anew
    edited = [ms[0], member("review", 25, "Hauliers face a long detour.", hour=5)]
    used: dict[str, list[tuple[int, str]]] = {}
    third = compose(edited, [(0, 1)], [[], []], memo=kept, used=used).all[0]
    assert key not in used and third.summary != again.summary


def test_recompose_takes_whole_groups_and_equals_compose() -> None:
    """A session's edit (recompose) composes each group holding a row whose neighbour
    list, member or group is new, as a whole group, and takes every other story as the
    last build made it: the same stories, summaries and keys as composing all."""
    import numpy as np

    from digest.stories.compose import recompose

    ms = [
        member("a", 24, "A one.", "A two."),
        member("b1", 25, "Bridge shut.", "Cracks found."),
        member("b2", 25, "Detour set.", "Hauliers wait.", hour=5),
        member("b3", 26, "Cracks measured.", "Load test next."),
        member("c", 27, "C one."),
    ]
    label = np.array([0, 1, 1, 1, 4])
    groups = [(0,), (1, 2, 3), (4,)]
    nb = [[], [(2, 0.5), (3, 0.4)], [(1, 0.5), (3, 0.3)], [(1, 0.4), (2, 0.3)], []]
    used: dict = {}
    keys: dict = {}
    before = compose(ms, groups, nb, memo={}, used=used, keys=keys)
    # b2's list is a new object (its scores moved up: b2 is now the story's most central
    # article, so its headline): b2's whole group is looked at; a is a new member, alone
    nb2 = [*nb]
    nb2[2] = [(1, 0.9), (3, 0.9)]
    ms2 = [*ms]
    ms2[0] = member("a", 24, "A one, again.", "A two.")
    args = (ms2, label, np.zeros(0, dtype=np.int64), nb2, 3, used, {}, before, ms, nb, keys, {})
    got = recompose(*args, frozenset({"a"}))
    used_all: dict = {}
    keys_all: dict = {}
    full = compose(
        *(ms2, groups, nb2, 3),
        memo=used,
        used=used_all,
        before=before,
        members_before=ms,
        changed=frozenset({"a"}),
        neighbours_before=nb,
        keys_before=keys,
        keys=keys_all,
    )
    assert got is not None and got.all == full.all and got.of == full.of
    assert got.changed == full.changed == frozenset({"a", "b1", "b2", "b3"})
    assert args[6] == used_all and args[11] == keys_all
    bridge = next(s for s in got.all if s.page)
    assert bridge.articles == ("b1", "b2", "b3")  # (not b2 alone)
    assert before.all[1].headline_from == "b1" and bridge.headline_from == "b2"
    assert got.all[2] is before.all[2]  # (c: nothing of it changed, the same story)
